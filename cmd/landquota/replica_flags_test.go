package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestServeReplicaFlags(t *testing.T) {
	env := environ{getenv: func(k string) string {
		switch k {
		case "DATABASE_URL":
			return "postgres://localhost/x"
		case "LANDQUOTA_REPLICA_URL":
			return "postgres://standby/x"
		}
		return ""
	}, stdout: io.Discard, stderr: io.Discard}
	c, err := parseServe(env, nil)
	if err != nil || c.ReplicaURL != "postgres://standby/x" || c.ReplicaMaxLag != 5*time.Second {
		t.Fatalf("from the environment: %q %s %v", c.ReplicaURL, c.ReplicaMaxLag, err)
	}
	if c, err = parseServe(env, []string{"--replica-url", "postgresql://other/y", "--replica-max-lag", "1s"}); err != nil || c.ReplicaURL != "postgresql://other/y" || c.ReplicaMaxLag != time.Second {
		t.Fatalf("flags over the environment: %q %s %v", c.ReplicaURL, c.ReplicaMaxLag, err)
	}
	for _, bad := range [][]string{
		{"--replica-url", "mysql://u:secret@h/x"},
		{"--replica-max-lag", "10ms"},
	} {
		_, err := parseServe(env, bad)
		if err == nil || !strings.Contains(err.Error(), bad[0]) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

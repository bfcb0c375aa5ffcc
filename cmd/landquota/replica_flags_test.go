package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
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
		{"--replica-max-lag", "-5s"},
		{"--replica-max-lag", "2d"},
		{"--replica-max-lag", "3h"},
		{"--replica-max-lag-bytes", "-1"},
		{"--replica-max-lag-bytes", "-64MB"},
		{"--replica-max-lag-bytes", "64"},
		{"--replica-max-lag-bytes", "1.5GB"},
		{"--replica-max-lag-bytes", "64 furlongs"},
		{"--replica-max-lag-bytes", "2TB"},
		{"--replica-max-lag-bytes", "99999999999999999999"},
		{"--replica-max-lag-bytes", "17179869184TB"},
		{"--replica-max-lag-bytes", "MB"},
	} {
		_, err := parseServe(env, bad)
		if err == nil || !strings.Contains(err.Error(), bad[0]) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestServeReplicaLagBytes(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": "postgres://localhost/x", "LANDQUOTA_REPLICA_MAX_LAG_BYTES": "16MB", "LANDQUOTA_REPLICA_MAX_LAG": "2s"}
	env := environ{getenv: func(k string) string { return vars[k] }, stdout: io.Discard, stderr: io.Discard}
	c, err := parseServe(env, nil)
	if err != nil || c.ReplicaMaxLagBytes != 16<<20 || c.ReplicaMaxLag != 2*time.Second {
		t.Fatalf("from the environment: %d %s %v", c.ReplicaMaxLagBytes, c.ReplicaMaxLag, err)
	}
	for in, want := range map[string]uint64{"0": 0, "1048576": 1 << 20, "64MB": 64 << 20, "64MiB": 64 << 20, "4096kB": 4 << 20,
		"1GB": 1 << 30, " 2 GB ": 2 << 30, "1TB": 1 << 40} {
		c, err := parseServe(env, []string{"--replica-max-lag-bytes", in})
		if err != nil || c.ReplicaMaxLagBytes != want {
			t.Errorf("--replica-max-lag-bytes %q: %d %v, want %d", in, c.ReplicaMaxLagBytes, err, want)
		}
	}
	vars["LANDQUOTA_REPLICA_MAX_LAG_BYTES"] = ""
	if c, err := parseServe(env, nil); err != nil || c.ReplicaMaxLagBytes != 0 {
		t.Errorf("by default: %d %v, want no bound", c.ReplicaMaxLagBytes, err)
	}
	vars["LANDQUOTA_REPLICA_MAX_LAG_BYTES"] = "lots"
	if _, err := parseServe(env, nil); err == nil || !strings.Contains(err.Error(), "--replica-max-lag-bytes") {
		t.Errorf("a bad value in the environment: %v", err)
	}
	// The refusal is a message with a Chinese text.
	_, err = parseServe(env, []string{"--replica-max-lag-bytes", "-1"})
	if zh := message(err, planning.ParseLang("zh_CN.UTF-8")); !strings.Contains(zh, "不是字节大小") {
		t.Errorf("in Chinese: %q", zh)
	}
}

package main

// Set-up several tests of the binary share, written once.

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// terminate sends SIGTERM (the graceful shutdown) and waits for the exit;
// the test fails at once if the process outlives limit. It returns how
// long the exit took and the exit error.
func terminate(t *testing.T, cmd *exec.Cmd, limit time.Duration, log interface{ String() string }) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(limit):
		t.Fatalf("still running %s after SIGTERM; log:\n%s", limit, log.String())
		return 0, nil
	}
}

// request sends body as JSON to u with headers (name, value pairs) and
// decodes the JSON answer (nil when it is not JSON).
func request(t *testing.T, method, u, body string, headers ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res, m
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// startServe starts `landquota serve` on db with extra flags and returns
// the command, its host:port and its log; the server gets SIGTERM (its
// graceful shutdown) when the test ends.
func startServe(t *testing.T, db string, args ...string) (*exec.Cmd, string, *pgtest.Log) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
	logs := pgtest.NewLog(t)
	cmd.Stderr = logs.File
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	i := strings.Index(line, "http://")
	if err != nil || i < 0 {
		t.Fatalf("no startup line: %q %v; log:\n%s", line, err, logs.String())
	}
	return cmd, strings.Trim(strings.TrimSpace(line[i+len("http://"):]), "/"), logs
}

// Finding 11: a client sending its body a byte at a time is cut off after
// --read-timeout (before: the connection stayed open for as long as the
// client kept trickling).
func TestSlowBodyIsCutOff(t *testing.T) {
	db := pgtest.URL(t)
	_, addr, _ := startServe(t, db, "--read-timeout", "2s")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprintf(c, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	closed := make(chan time.Duration, 1)
	go func() {
		b := make([]byte, 4096)
		for {
			if _, err := c.Read(b); err != nil {
				closed <- time.Since(start)
				return
			}
		}
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case d := <-closed:
			t.Logf("the slow body was cut off after %s", d.Round(time.Millisecond))
			if d > 4*time.Second {
				t.Errorf("cut off after %s; want within --read-timeout 2s plus a margin", d)
			}
			return
		case <-tick.C:
			if time.Since(start) > 8*time.Second {
				t.Fatal("a body sent at 2 bytes a second was still being read after 8 s")
			}
			c.Write([]byte(" "))
		}
	}
}

// Finding 9: SIGTERM while a slow client reads a large answer: after the
// grace period what is left is closed and the process exits (before: it
// lived until the client left).
func TestSigtermWithASlowReader(t *testing.T) {
	db := pgtest.URL(t)
	must(t, db, "seed", "--parcels", "12000", "--seed", "5")
	cmd, addr, logs := startServe(t, db, "--shutdown-grace", "2s")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(2048)
	fmt.Fprintf(c, "GET /api/layers/parcels?limit=10000&precision=15 HTTP/1.1\r\nHost: x\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one byte a second
		b := make([]byte, 1)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			if _, err := c.Read(b); err != nil {
				return
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	// 10 s is far past the 2 s grace: a server still running then ignores it.
	took, err := terminate(t, cmd, 10*time.Second, logs)
	t.Logf("exited %s after SIGTERM: %v", took.Round(time.Millisecond), err)
	if !strings.Contains(logs.String(), "grace period over") {
		t.Errorf("the slow reader was not in flight at the end of the grace period; log:\n%s", logs.String())
	}
	if err != nil || !strings.Contains(logs.String(), "stopped") {
		t.Errorf("no clean stop: %v\n%s", err, logs.String())
	}
	if took > 5*time.Second {
		t.Errorf("exited %s after SIGTERM; want within the 2 s grace plus a margin", took)
	}
}

// The new serve flags are checked with clear messages.
func TestServeHardeningFlags(t *testing.T) {
	env := environ{getenv: func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://localhost/x"
		}
		return ""
	}, stdout: io.Discard, stderr: io.Discard}
	c, err := parseServe(env, []string{"--trusted-proxies", "10.0.0.5, 192.168.1.0/24,::1", "--metrics-addr", "127.0.0.1:9090"})
	if err != nil || len(c.TrustedProxies) != 3 || c.TrustedProxies[0].String() != "10.0.0.5/32" || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("%+v %v", c.TrustedProxies, err)
	}
	for _, bad := range [][]string{
		{"--trusted-proxies", "10.0.0.300"},
		{"--tls-cert", "cert.pem"},
		{"--metrics-addr", "9090"},
		{"--read-timeout", "10ms"},
	} {
		if _, err := parseServe(env, bad); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

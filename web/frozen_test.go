package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/web"
)

// clusterProcesses are the postmaster of the cluster in pgdata and its
// children (the backends and helpers).
func clusterProcesses(t *testing.T, pgdata string) []int {
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{pm}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at ")".
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pm) {
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(st))); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// Finding 10: with the database process stopped (frozen, not gone), every
// request that needs it answers 503 with Retry-After within its deadline
// (before: requests hung with no bound). Runs only on a throwaway cluster:
//
//	LANDQUOTA_DB_DIR=.data/frozen scripts/db.sh url landquota_frozen
//	LANDQUOTA_FROZEN_DATABASE_URL=<that url> LANDQUOTA_FROZEN_PGDATA=.data/frozen/pg go test ./web -run TestFrozenDatabase
//
// never the shared test cluster, whose other users it would stop too.
func TestFrozenDatabase(t *testing.T) {
	url, pgdata := os.Getenv("LANDQUOTA_FROZEN_DATABASE_URL"), os.Getenv("LANDQUOTA_FROZEN_PGDATA")
	if url == "" || pgdata == "" {
		t.Skip("set LANDQUOTA_FROZEN_DATABASE_URL and LANDQUOTA_FROZEN_PGDATA to a throwaway cluster")
	}
	if url == os.Getenv("LANDQUOTA_TEST_DATABASE_URL") {
		t.Fatal("the frozen-database test must not run on the shared test cluster")
	}
	ctx := context.Background()
	if _, _, err := pgstore.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	store := openStoreAt(t, url, pgstore.Options{MaxConns: 4, Warm: true})
	h := web.New(web.Config{Version: "test", RequestTimeout: 2 * time.Second, InteractiveTimeout: time.Second}, store,
		quietLog())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path, body string) (*http.Response, time.Duration, error) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		t0 := time.Now()
		res, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return res, time.Since(t0), err
	}
	if res, _, err := do("GET", "/readyz", ""); err != nil || res.StatusCode != 200 {
		t.Fatalf("not ready before the freeze: %v %v", res, err)
	}

	pids := clusterProcesses(t, pgdata)
	thaw := sync.OnceFunc(func() {
		for _, p := range pids {
			syscall.Kill(p, syscall.SIGCONT)
		}
	})
	t.Cleanup(thaw)
	for _, p := range pids {
		if err := syscall.Kill(p, syscall.SIGSTOP); err != nil {
			t.Fatalf("SIGSTOP %d: %v", p, err)
		}
	}
	t.Logf("froze %d processes of the cluster", len(pids))
	eligibility := `{"geometry":{"type":"Polygon","coordinates":[[[120.21,30.19],[120.212,30.19],[120.212,30.192],[120.21,30.192],[120.21,30.19]]]}}`
	cases := []struct {
		method, path, body string
		bound              time.Duration
	}{
		{"GET", "/api/meta", "", 4 * time.Second},
		{"GET", "/api/layers/parcels?limit=10", "", 4 * time.Second},
		{"GET", "/api/stock/summary", "", 4 * time.Second},
		{"POST", "/api/eligibility", eligibility, 3 * time.Second},
		{"GET", "/api/layers/districts", "", 4 * time.Second},
		{"GET", "/api/layers/parks", "", 4 * time.Second},
	}
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, took, err := do(c.method, c.path, c.body)
			if err != nil {
				t.Errorf("%s %s with the database frozen: %v after %s", c.method, c.path, err, took)
				return
			}
			if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || took > c.bound {
				t.Errorf("%s %s with the database frozen: %d (Retry-After %q) after %s; want 503 with Retry-After within %s",
					c.method, c.path, res.StatusCode, res.Header.Get("Retry-After"), took, c.bound)
			} else {
				t.Logf("%s %s: 503 after %s", c.method, c.path, took.Round(time.Millisecond))
			}
		}()
	}
	if res, took, err := do("GET", "/healthz", ""); err != nil || res.StatusCode != 200 || took > time.Second {
		t.Errorf("/healthz with the database frozen: %v %v after %s", res, err, took)
	}
	wg.Wait()
	thaw()
	// Once the database runs again, so does the service.
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, _, err := do("GET", "/api/layers/districts", "")
		if err == nil && res.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving 15 s after the thaw: %v %v", res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

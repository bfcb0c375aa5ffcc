package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// A request's deadline stops its query in the server too (a per-route
// statement timeout for interactive work), and the connection stays in
// the pool: nothing keeps running after the request has given up.
func TestDeadlineCancelsTheQueryInTheServer(t *testing.T) {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, pgtest.URL(t), pgstore.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var pid int
	if err := store.Pool().QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err = store.Pool().Exec(qctx, "SELECT pg_sleep(20)")
	if err == nil || time.Since(t0) > 2*time.Second {
		t.Fatalf("a 20 s query under a 300 ms deadline: %v after %s", err, time.Since(t0))
	}
	// The same backend answers at once: it was cancelled, not abandoned.
	var again int
	if err := store.Pool().QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != pid {
		t.Errorf("the connection was dropped (backend %d, now %d) instead of its query cancelled", pid, again)
	}
}

package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
)

// Read-your-writes through HTTP. The "replica" is another database, so an
// answer shows where it was read: the user an admin creates exists only on
// the primary, and "on-replica" only on the replica.
func TestReplicaReadYourWrites(t *testing.T) {
	ctx := context.Background()
	pu, ru := pgtest.URL(t), pgtest.URL(t)
	other, err := pgstore.Open(ctx, ru, pgstore.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreateUser(ctx, "on-replica", "", planning.RoleViewer, authPassword); err != nil {
		t.Fatal(err)
	}
	other.Close()
	probe := pgtest.NewLSNs(200, 100)
	store, err := pgstore.Open(ctx, pu, pgstore.Options{MaxConns: 4, ReplicaURL: ru, ReplicaProbe: probe, ReplicaMaxLag: time.Hour, ReplicaPoll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	h := web.New(web.Config{Version: "test", Replica: store, ReplicaMaxLag: time.Hour}, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &authEnv{t: t, url: srv.URL, handler: h, store: store}
	writer := e.token(e.user("writer", planning.RoleAdmin))
	e.user("reader", planning.RoleAdmin)
	// The session is made and looked up on the primary: with it read on
	// the replica, which has no sessions, the cookie would not work.
	cookie, _ := e.login("reader", authPassword)
	users := func(auth ...string) string {
		t.Helper()
		var r authReply
		if len(auth) > 0 {
			r = e.call("GET", "/api/users", nil, nil, "Authorization", "Bearer "+auth[0])
		} else {
			r = e.call("GET", "/api/users", nil, cookie)
		}
		if r.StatusCode != 200 {
			t.Fatalf("GET /api/users: %d %s", r.StatusCode, r.raw)
		}
		switch {
		case strings.Contains(r.raw, `"on-replica"`):
			return "replica"
		case strings.Contains(r.raw, `"newcomer"`):
			return "primary, with the write"
		}
		return "primary, without the write"
	}
	if got := users(writer); got != "replica" {
		t.Fatalf("before any write, the writer read from the %s", got)
	}
	if r := e.call("POST", "/api/users", map[string]string{"username": "newcomer", "role": "viewer", "password": authPassword}, nil,
		"Authorization", "Bearer "+writer); r.StatusCode != 201 {
		t.Fatalf("create user: %d %s", r.StatusCode, r.raw)
	}
	// The write is at 200 and the replica at 100: the writer reads its
	// write from the primary; another user still reads the replica.
	if got := users(writer); got != "primary, with the write" {
		t.Errorf("right after the write, the writer read from the %s", got)
	}
	if got := users(); got != "replica" {
		t.Errorf("someone else read from the %s", got)
	}
	// Once the replica has replayed 200, the writer reads from it again.
	probe.Set(200, 200, nil)
	for end := time.Now().Add(5 * time.Second); users(writer) != "replica"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the writer's reads did not go back to the replica after it replayed the write")
		}
	}
	m := e.call("GET", "/metrics", nil, nil).raw
	for _, want := range []string{"landquota_db_replica_usable 1\n", "landquota_db_replica_retried_total 0\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(m, "landquota_db_replica_reads_total 0\n") || strings.Contains(m, "landquota_db_replica_primary_reads_total 0\n") {
		t.Errorf("/metrics shows no reads on the replica or none kept on the primary:\n%s", m)
	}
}

package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
)

// primaryAndReplica makes two databases; only the replica has the user
// "on-replica", so an answer shows where it was read.
func primaryAndReplica(t *testing.T) (primary, replica string) {
	t.Helper()
	primary, replica = pgtest.URL(t), pgtest.URL(t)
	other := openStoreAt(t, replica, pgstore.Options{MaxConns: 1})
	if _, err := other.CreateUser(context.Background(), "on-replica", "", planning.RoleViewer, authPassword); err != nil {
		t.Fatal(err)
	}
	return primary, replica
}

// readFrom says where a GET /api/users was answered: the replica has
// "on-replica", only the primary has the "newcomer" the test writes.
func readFrom(r authReply) string {
	switch {
	case strings.Contains(r.raw, `"on-replica"`):
		return "replica"
	case strings.Contains(r.raw, `"newcomer"`):
		return "primary, with the write"
	}
	return "primary, without the write"
}

// Read-your-writes through HTTP. The "replica" is another database, so an
// answer shows where it was read: the user an admin creates exists only on
// the primary, and "on-replica" only on the replica.
func TestReplicaReadYourWrites(t *testing.T) {
	pu, ru := primaryAndReplica(t)
	probe := pgtest.NewLSNs(200, 100)
	store := openStoreAt(t, pu, pgstore.Options{MaxConns: 4, ReplicaURL: ru, ReplicaProbe: probe, ReplicaMaxLag: time.Hour, ReplicaPoll: 5 * time.Millisecond})
	e := serveEnv(t, web.Config{Version: "test", Replica: store, ReplicaMaxLag: time.Hour}, store)
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
		return readFrom(r)
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

// Read-your-writes across two servers behind a load balancer: A and B share
// the primary and the standby (whose position one fake gives both). A write
// through A answers with the lq_wal cookie; B, which never saw the write,
// keeps the reads that carry it on the primary until the standby has
// replayed it, and sends those without it to the standby. Forged or
// garbled cookies cause no error and move only their own requests.
func TestReplicaReadYourWritesAcrossServers(t *testing.T) {
	pu, ru := primaryAndReplica(t)
	probe := pgtest.NewLSNs(0x1_0000_0200, 0x1_0000_0100)
	server := func() (*authEnv, *pgstore.Store) {
		store := openStoreAt(t, pu, pgstore.Options{MaxConns: 2, ReplicaURL: ru, ReplicaProbe: probe, ReplicaMaxLag: time.Hour, ReplicaPoll: 5 * time.Millisecond})
		return serveEnv(t, web.Config{Version: "test", Replica: store, ReplicaMaxLag: 5 * time.Second}, store), store
	}
	a, _ := server()
	b, bstore := server()
	writer := a.token(a.user("writer", planning.RoleAdmin))
	users := func(e *authEnv, cookie *http.Cookie) string {
		t.Helper()
		r := e.call("GET", "/api/users", nil, cookie, "Authorization", "Bearer "+writer)
		if r.StatusCode != 200 {
			t.Fatalf("GET /api/users with cookie %v: %d %s", cookie, r.StatusCode, r.raw)
		}
		if len(r.Cookies()) != 0 {
			t.Errorf("a read set cookies: %v", r.Cookies())
		}
		return readFrom(r)
	}

	// A refused change changed nothing: no cookie.
	if r := a.call("POST", "/api/users", map[string]string{"username": "", "role": "viewer"}, nil, "Authorization", "Bearer "+writer); r.StatusCode != 400 || len(r.Cookies()) != 0 {
		t.Errorf("a refused change: %d, cookies %v", r.StatusCode, r.Cookies())
	}
	r := a.call("POST", "/api/users", map[string]string{"username": "newcomer", "role": "viewer", "password": authPassword}, nil,
		"Authorization", "Bearer "+writer)
	if r.StatusCode != 201 {
		t.Fatalf("create user through A: %d %s", r.StatusCode, r.raw)
	}
	var wal *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "lq_wal" {
			wal = c
		}
	}
	if wal == nil || wal.Value != "1/200" || !wal.HttpOnly || wal.SameSite != http.SameSiteLaxMode || wal.Path != "/" || wal.MaxAge < 5 || wal.MaxAge > 10 {
		t.Fatalf("the write's answer has no proper lq_wal cookie (1/200, HttpOnly, Lax, path /, about 7 s): %+v", wal)
	}

	// Through B: with the cookie, the primary until the standby replays
	// 1/200; without it, the standby.
	if got := users(b, wal); got != "primary, with the write" {
		t.Errorf("through B with the cookie, read from the %s", got)
	}
	if got := users(b, nil); got != "replica" {
		t.Errorf("through B without the cookie, read from the %s", got)
	}
	// Garbled values are ignored, while a valid one would keep the read on
	// the primary.
	for _, v := range []string{"", "garbage", "1/2/3", "-1/0", "+1/0", " 1/200", "0x1/200", "1/200 ", "100000000/0", "1/", "/1",
		"G/0", strings.Repeat("F", 4000), "1%2F200", "1/2000000000"} {
		if got := users(b, &http.Cookie{Name: "lq_wal", Value: v}); got != "replica" {
			t.Errorf("the garbled cookie %q read from the %s, want it ignored (the standby is behind 1/200)", v, got)
		}
	}
	probe.Set(0x1_0000_0200, 0x1_0000_01FF, nil)
	time.Sleep(30 * time.Millisecond)
	if got := users(b, wal); got != "primary, with the write" {
		t.Errorf("through B with the cookie and the standby one byte short, read from the %s", got)
	}
	probe.Set(0x1_0000_0200, 0x1_0000_0200, nil)
	for end := time.Now().Add(5 * time.Second); users(b, wal) != "replica"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("through B, the reads with the cookie did not go to the standby once it replayed the write")
		}
	}

	// A forged value ahead of the primary keeps only its own request on
	// the primary.
	if got := users(b, &http.Cookie{Name: "lq_wal", Value: "FFFFFFFF/FFFFFFFF"}); got != "primary, with the write" {
		t.Errorf("a position ahead of the primary read from the %s", got)
	}
	if got := users(b, nil); got != "replica" {
		t.Errorf("after a forged cookie, a read without it went to the %s", got)
	}
	if st := bstore.ReplicaStats(); st.Retried != 0 {
		t.Errorf("B retried queries: %+v", st)
	}
}

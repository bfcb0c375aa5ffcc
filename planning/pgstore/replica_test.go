package pgstore_test

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// readOnly makes a URL whose server refuses writes, as a standby does.
func readOnly(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if p.RawQuery != "" {
		p.RawQuery += "&"
	}
	p.RawQuery += "options=-c%20default_transaction_read_only%3Don"
	return p.String()
}

// replicaWorld opens a store whose "replica" is another database holding
// other users, so that an answer shows where it was read: user "primary"
// exists only on the primary, "replica" only on the replica.
func replicaWorld(t *testing.T, probe *pgtest.LSNs, maxLag time.Duration) *pgstore.Store {
	t.Helper()
	return replicaWorldWith(t, pgstore.Options{ReplicaProbe: probe, ReplicaMaxLag: maxLag})
}

// replicaWorldWith is replicaWorld with the replica options of opts.
func replicaWorldWith(t *testing.T, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	ctx := context.Background()
	pu, ru := pgtest.URL(t), pgtest.URL(t)
	for u, name := range map[string]string{pu: "primary", ru: "replica"} {
		s, err := pgstore.Open(ctx, u, pgstore.Options{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, name, "", planning.RoleViewer, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	opts.MaxConns, opts.ReplicaURL, opts.ReplicaPoll = 4, readOnly(t, ru), 5*time.Millisecond
	s, err := pgstore.Open(ctx, pu, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// readFrom says which server answered a read on ctx, by a multi-row query
// and by a single-row one (they take different paths in the router): the
// two names, or "mixed" when the router's state changed in between.
func readFrom(t *testing.T, s *pgstore.Store, ctx context.Context) string {
	t.Helper()
	us, err := s.ListUsers(ctx)
	if err != nil || len(us) != 1 {
		t.Fatalf("ListUsers: %v %v", us, err)
	}
	by := "primary"
	if _, err := s.GetUser(ctx, "replica"); err == nil {
		by = "replica"
	} else if planning.CodeOf(err) != planning.ErrNotFound {
		t.Fatalf("GetUser: %v", err)
	}
	if by != us[0].Username {
		return "mixed"
	}
	return by
}

// eventually waits for the poller (every 5 ms) to see a new state.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatalf("not within 5 s: %s", what)
}

func TestReplicaRouting(t *testing.T) {
	probe := pgtest.NewLSNs(100, 100)
	s := replicaWorld(t, probe, time.Hour)
	ctx := context.Background()
	read := planning.WithReadRoute(ctx, planning.ReadRoute{})

	if got := readFrom(t, s, ctx); got != "primary" {
		t.Errorf("a request not marked read-only read from the %s", got)
	}
	if got := readFrom(t, s, read); got != "replica" {
		t.Errorf("a read-only request read from the %s; stats %+v", got, s.ReplicaStats())
	}
	if got := readFrom(t, s, planning.OnPrimary(read)); got != "primary" {
		t.Errorf("OnPrimary read from the %s", got)
	}

	// Read-your-writes: a caller whose last write is at 150 reads from
	// the primary until the replica has replayed 150.
	mine := planning.WithReadRoute(ctx, planning.ReadRoute{After: 150})
	probe.Set(160, 120, nil)
	eventually(t, "replica at 120", func() bool { return readFrom(t, s, read) == "replica" })
	if got := readFrom(t, s, mine); got != "primary" {
		t.Errorf("with the caller's write at 150 and the replica at 120, read from the %s", got)
	}
	probe.Set(160, 150, nil)
	eventually(t, "the caller's reads back on the replica once it replayed 150", func() bool { return readFrom(t, s, mine) == "replica" })

	// A cached answer (a tile) after a change notification is read where
	// the primary's position after the notification is replayed.
	cached := planning.WithReadRoute(ctx, planning.ReadRoute{Cached: true})
	eventually(t, "cached reads on the replica", func() bool { return readFrom(t, s, cached) == "replica" })
	probe.Set(200, 150, nil)
	s.NoteChange()
	if got := readFrom(t, s, cached); got != "primary" {
		t.Errorf("a cached read right after a change read from the %s", got)
	}
	time.Sleep(50 * time.Millisecond) // several polls: the floor is now 200
	if got := readFrom(t, s, cached); got != "primary" {
		t.Errorf("a cached read with the replica at 150 behind the change at 200 read from the %s", got)
	}
	if got := readFrom(t, s, read); got != "replica" {
		t.Errorf("an uncached read read from the %s: only cached answers wait for changes", got)
	}
	probe.Set(200, 200, nil)
	eventually(t, "cached reads on the replica once it replayed the change", func() bool { return readFrom(t, s, cached) == "replica" })

	// A write that reaches the replica by mistake is run on the primary.
	if _, err := s.CreateUser(read, "written", "", planning.RoleViewer, "a long enough password"); err != nil {
		t.Fatalf("a write under a read-only route failed: %v", err)
	}
	if _, err := s.GetUser(ctx, "written"); err != nil {
		t.Errorf("the write is not on the primary: %v", err)
	}
	if st := s.ReplicaStats(); st.Retried < 1 || st.ToReplica < 1 || st.ToPrimary < 1 {
		t.Errorf("stats do not show the routing: %+v", st)
	}
}

func TestReplicaDownAndLagging(t *testing.T) {
	probe := pgtest.NewLSNs(100, 100)
	s := replicaWorld(t, probe, 200*time.Millisecond)
	read := planning.WithReadRoute(context.Background(), planning.ReadRoute{})
	if got := readFrom(t, s, read); got != "replica" {
		t.Fatalf("read from the %s", got)
	}

	// Down: the probe cannot reach it.
	probe.Set(100, 100, context.DeadlineExceeded)
	eventually(t, "reads on the primary while the replica is down", func() bool { return readFrom(t, s, read) == "primary" })
	if st := s.ReplicaStats(); st.Usable || st.State == "up" {
		t.Errorf("stats while down: %+v", st)
	}
	probe.Set(100, 100, nil)
	eventually(t, "back on the replica", func() bool { return readFrom(t, s, read) == "replica" })

	// Lagging: the primary moves on and the replica stays behind. Reads
	// stay on it for up to the bound (200 ms), then go to the primary.
	probe.Set(300, 100, nil)
	start := time.Now()
	eventually(t, "reads on the primary once the replica lags", func() bool { return readFrom(t, s, read) == "primary" })
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("the replica was dropped after %s, before it lagged 200 ms", d)
	}
	probe.Set(300, 300, nil)
	eventually(t, "back on the replica once it caught up", func() bool { return readFrom(t, s, read) == "replica" })
}

// A replica that refuses connections while the probe still thinks it up:
// the reads are answered by the primary, and the replica is marked down.
func TestReplicaUnreachableFallsBack(t *testing.T) {
	ctx := context.Background()
	pu := pgtest.URL(t)
	p, _ := url.Parse(pu)
	p.Host = "127.0.0.1:1" // nothing listens there
	s, err := pgstore.Open(ctx, pu, pgstore.Options{MaxConns: 2, ReplicaURL: p.String(), ReplicaProbe: pgtest.NewLSNs(1, 1),
		ReplicaPoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(ctx, "someone", "", planning.RoleViewer, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	read := planning.WithReadRoute(ctx, planning.ReadRoute{})
	if _, err := s.GetUser(read, "someone"); err != nil {
		t.Fatalf("a read with the replica unreachable failed: %v", err)
	}
	st := s.ReplicaStats()
	if st.Usable || st.Retried != 1 || st.ToReplica != 1 {
		t.Errorf("after a connection error: %+v, want the replica down after one retried query", st)
	}
	if us, err := s.ListUsers(read); err != nil || len(us) != 1 {
		t.Errorf("ListUsers with the replica down: %v %v", us, err)
	}
	if st := s.ReplicaStats(); st.ToPrimary != 1 || st.Retried != 1 {
		t.Errorf("the next read should go straight to the primary: %+v", st)
	}
}

// The bound in bytes: reads leave a replica more than ReplicaMaxLagBytes of
// WAL behind at once, however recent its lag, and come back when it is
// within the bound; the state is logged once, not once per new amount.
func TestReplicaLagBytes(t *testing.T) {
	probe := pgtest.NewLSNs(1000, 1000)
	logged := pgtest.NewLog(t)
	s := replicaWorldWith(t, pgstore.Options{ReplicaProbe: probe, ReplicaMaxLag: time.Hour, ReplicaMaxLagBytes: 4096,
		Log: slog.New(slog.NewTextHandler(logged, nil))})
	read := planning.WithReadRoute(context.Background(), planning.ReadRoute{})
	if got := readFrom(t, s, read); got != "replica" {
		t.Fatalf("read from the %s", got)
	}
	probe.Set(1000+4096, 1000, nil) // exactly the bound: still within
	time.Sleep(30 * time.Millisecond)
	if got := readFrom(t, s, read); got != "replica" {
		t.Errorf("4096 bytes behind with a bound of 4096: read from the %s", got)
	}
	probe.Set(1000+4097, 1000, nil)
	eventually(t, "reads on the primary once the replica is 4097 bytes behind", func() bool { return readFrom(t, s, read) == "primary" })
	if st := s.ReplicaStats(); st.Usable || !strings.Contains(st.State, "4096 bytes of WAL") {
		t.Errorf("stats while behind in bytes: %+v", st)
	}
	for i := range 5 { // the primary moves on: new amounts, the same state
		probe.Set(uint64(6000+1000*i), 1000, nil)
		time.Sleep(15 * time.Millisecond)
	}
	probe.Set(12000, 12000-4000, nil)
	eventually(t, "back on the replica once within the bound", func() bool { return readFrom(t, s, read) == "replica" })
	if n := strings.Count(logged.String(), "bytes of WAL"); n != 1 {
		t.Errorf("the lag in bytes was logged %d times, want once:\n%s", n, logged.String())
	}
	// A replica ahead of the last sample (the primary sampled before a
	// write, the replica after it) is not behind.
	probe.Set(12000, 13000, nil)
	time.Sleep(30 * time.Millisecond)
	if got := readFrom(t, s, read); got != "replica" {
		t.Errorf("with the replica past the sampled primary: read from the %s", got)
	}
}

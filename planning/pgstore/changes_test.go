package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// listener runs ListenChangesWith for a test and collects what it reports.
type listener struct {
	changes chan planning.Change
	listens chan struct{}
	errors  atomic.Int64
	done    chan error
}

func startListener(t *testing.T, s *Store) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{changes: make(chan planning.Change, 1000), listens: make(chan struct{}, 10), done: make(chan error, 1)}
	o := ListenOptions{
		OnListen:   func() { l.listens <- struct{}{} },
		OnError:    func(error, time.Duration) { l.errors.Add(1) },
		MinBackoff: 10 * time.Millisecond,
		PingEvery:  100 * time.Millisecond, // exercise the idle ping
	}
	go func() { l.done <- s.ListenChangesWith(ctx, o, func(c planning.Change) { l.changes <- c }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-l.done:
			if err != nil {
				t.Errorf("ListenChanges returned %v when its context ended, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("ListenChanges did not return when its context ended")
		}
	})
	l.waitListening(t)
	return l
}

// waitListening waits for LISTEN and checks the whole-layer flush before it.
func (l *listener) waitListening(t *testing.T) {
	t.Helper()
	select {
	case <-l.listens:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not start listening")
	}
	for _, name := range planning.LayerNames {
		c := l.next(t)
		if c.Layer != name || c.BBox != nil {
			t.Fatalf("on listening: %+v, want a whole-layer change of %s", c, name)
		}
	}
}

func (l *listener) next(t *testing.T) planning.Change {
	t.Helper()
	select {
	case c := <-l.changes:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no change notification within 10 s")
	}
	return planning.Change{}
}

// expect reads the next change and checks it names layer and that its bbox
// covers want (nil: a whole-layer change).
func (l *listener) expect(t *testing.T, what, layer string, want *orb.Bound) {
	t.Helper()
	c := l.next(t)
	if c.Layer != layer {
		t.Fatalf("%s: change of %q, want %q", what, c.Layer, layer)
	}
	if want == nil {
		if c.BBox != nil {
			t.Fatalf("%s: bbox %v, want a whole-layer change", what, *c.BBox)
		}
		return
	}
	if c.BBox == nil {
		t.Fatalf("%s: whole-layer change, want bbox %v", what, *want)
	}
	const eps = 1e-5 // the extent is rounded outwards to float4
	g := *c.BBox
	if g.Min[0] > want.Min[0] || g.Min[1] > want.Min[1] || g.Max[0] < want.Max[0] || g.Max[1] < want.Max[1] ||
		g.Min[0] < want.Min[0]-eps || g.Min[1] < want.Min[1]-eps || g.Max[0] > want.Max[0]+eps || g.Max[1] > want.Max[1]+eps {
		t.Fatalf("%s: bbox %v, want %v", what, g, *want)
	}
}

func (l *listener) expectNothing(t *testing.T) {
	t.Helper()
	select {
	case c := <-l.changes:
		t.Fatalf("unexpected change %+v", c)
	default:
	}
}

func TestChangesArriveOncePerStatementWithTheirExtent(t *testing.T) {
	w := newTileWorld(t)
	s, ctx := w.store, context.Background()
	l := startListener(t, s)

	// One insert: the new parcel's box.
	out := tileSquare(1000, 1000, 50)
	if _, err := s.InsertParcel(ctx, planning.Parcel{Code: "N-1", District: "330108", LandUse: "100101",
		Status: planning.StatusReserve, Outline: out, Elevation: planning.Surface()}); err != nil {
		t.Fatal(err)
	}
	b := out.Bound()
	l.expect(t, "insert", "parcels", &b)

	// A COPY of 2,000 parcels: one notification covering them all.
	rows, bound := gridRows(2000, 40, orb.Point{tileMiddle[0] + 2000, tileMiddle[1] - 3000}, "C-")
	if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"parcels"}, gridColumns, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "copy", "parcels", &bound)
	l.expectNothing(t)

	// An update that moves a parcel dirties where it was and where it went.
	to := tileSquare(1500, 1500, 50)
	g, err := geo.ToMultiPolygonGeom(to, geo.SRIDStore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "UPDATE parcels SET geom = $1 WHERE code = 'N-1'", g); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "move", "parcels", ptr(b.Union(to.Bound())))

	// An update of attributes only: the parcels it touched.
	if _, err := s.pool.Exec(ctx, "UPDATE parcels SET status = 'filed' WHERE code = 'N-1'"); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "status", "parcels", ptr(to.Bound()))

	// A statement that touches nothing says nothing; two statements in one
	// transaction say two things, at commit.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{"DELETE FROM parcels WHERE code = 'none'", "DELETE FROM parcels WHERE code = 'N-1'",
		"UPDATE protected_zones SET name = 'renamed'"} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	l.expectNothing(t) // not before commit
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "delete", "parcels", ptr(to.Bound()))
	l.expect(t, "zone rename", "protected-zones", ptr(tileSquare(-800, 300, 300).Bound()))

	// Renaming a status changes every parcel's status_zh; TRUNCATE empties
	// a layer: both dirty the whole layer.
	if _, err := s.pool.Exec(ctx, "UPDATE parcel_statuses SET name_en = name_en || '' WHERE code = 'filed'"); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "status names", "parcels", nil)
	if _, err := s.pool.Exec(ctx, "TRUNCATE parcels CASCADE"); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "truncate", "parcels", nil)

	// Districts and parks notify too.
	if _, err := s.pool.Exec(ctx, "UPDATE parks SET name_en = 'Hi-tech'"); err != nil {
		t.Fatal(err)
	}
	l.expect(t, "park rename", "parks", ptr(tileSquare(-1000, -1000, 2000).Bound()))
	if _, err := s.pool.Exec(ctx, "DELETE FROM districts WHERE adcode = '330108'"); err == nil {
		t.Fatal("deleting a district that parks use was accepted")
	}
	time.Sleep(100 * time.Millisecond)
	l.expectNothing(t) // a failed statement says nothing
	if n := l.errors.Load(); n != 0 {
		t.Fatalf("%d listener errors on a healthy connection", n)
	}
}

func TestListenerReconnectsAfterTheConnectionDrops(t *testing.T) {
	w := newTileWorld(t)
	s, ctx := w.store, context.Background()
	l := startListener(t, s)
	for round := 0; round < 2; round++ {
		var killed int
		if err := s.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'landquota-listen' AND datname = current_database()`).Scan(&killed); err != nil || killed != 1 {
			t.Fatalf("terminating the listener's connection: %d, %v", killed, err)
		}
		l.waitListening(t) // after a drop: everything flushed again
		if l.errors.Load() < int64(round+1) {
			t.Fatalf("the drop was not reported")
		}
		out := tileSquare(3000+float64(round)*100, 0, 50)
		if _, err := s.InsertParcel(ctx, planning.Parcel{Code: "R-" + strconv.Itoa(round), District: "330108", LandUse: "100101",
			Status: planning.StatusReserve, Outline: out, Elevation: planning.Surface()}); err != nil {
			t.Fatal(err)
		}
		l.expect(t, "insert after reconnecting", "parcels", ptr(out.Bound()))
	}
}

func TestListenerRetriesUntilTheDatabaseAnswers(t *testing.T) {
	s, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var waits []time.Duration
	errs := make(chan struct{}, 100)
	done := make(chan error)
	go func() {
		done <- s.ListenChangesWith(ctx, ListenOptions{MinBackoff: time.Millisecond, MaxBackoff: 8 * time.Millisecond,
			OnError: func(_ error, d time.Duration) { waits = append(waits, d); errs <- struct{}{} }}, func(planning.Change) {
			t.Error("a change from nowhere")
		})
	}()
	for i := 0; i < 6; i++ {
		<-errs
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("returned %v, want nil", err)
	}
	want := []time.Duration{1, 2, 4, 8, 8, 8}
	for i, w := range want {
		if waits[i] != w*time.Millisecond {
			t.Fatalf("backoff %v, want %v ms", waits[:6], want)
		}
	}
}

func TestParseChange(t *testing.T) {
	c, err := parseChange(`{"layer" : "parcels", "op" : "insert", "bbox" : [120.1, 30.1, 120.2, 30.3]}`)
	if err != nil || c.Layer != "parcels" || *c.BBox != (orb.Bound{Min: orb.Point{120.1, 30.1}, Max: orb.Point{120.2, 30.3}}) {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = parseChange(`{"layer" : "parks", "op" : "truncate", "bbox" : null}`)
	if err != nil || c.Layer != "parks" || c.BBox != nil {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{"", "{}", `{"layer": 3}`, `{"layer":"parcels","bbox":[1,2]}`} {
		if _, err := parseChange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// gridColumns are the parcel columns gridRows fills.
var gridColumns = []string{"code", "district_adcode", "land_use_code", "status", "geom"}

// gridRows makes n square parcels of side metres in rows of 100 from the
// south-west corner sw (EPSG:4549), ready for CopyFrom.
func gridRows(n int, side float64, sw orb.Point, prefix string) (rows [][]any, bound orb.Bound) {
	rows = make([][]any, 0, n)
	for i := 0; i < n; i++ {
		x, y := sw[0]+float64(i%100)*(side+10), sw[1]+float64(i/100)*(side+10)
		var ring orb.Ring
		for _, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
			ring = append(ring, geo.From4549(orb.Point{x + d[0], y + d[1]}))
		}
		g, err := geo.ToMultiPolygonGeom(orb.MultiPolygon{{ring}}, geo.SRIDStore)
		if err != nil {
			panic(err)
		}
		rows = append(rows, []any{prefix + strconv.Itoa(i), "330108", "100101", "reserve", g})
		if i == 0 {
			bound = ring.Bound()
		} else {
			bound = bound.Union(ring.Bound())
		}
	}
	return rows, bound
}

// BenchmarkCopyNotifyOverhead measures what the change triggers of migration
// 003 cost a bulk load: a COPY of 100,000 parcels with and without them.
// Each iteration runs both, in alternating order, so that a busy machine
// slows both alike; the metrics are the mean per row of each and the
// overhead in percent.
//
//   - rowtriggers=false: the parcels' row triggers (outline check, overlap
//     check) are disabled and the table is empty, so the statement trigger's
//     own cost is set against a bare COPY, the strictest comparison.
//   - rowtriggers=true: production triggers, loading into a table that
//     already holds 100,000 analysed parcels elsewhere (the new rows are
//     deleted and vacuumed between runs).
func BenchmarkCopyNotifyOverhead(b *testing.B) {
	s, err := Open(context.Background(), pgtest.URL(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", Outline: wigglyDistrict(8000, 100)}); err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	rows, _ := gridRows(n, 20, orb.Point{tileMiddle[0] - 5000, tileMiddle[1] - 5000}, "B-")
	base, _ := gridRows(n, 20, orb.Point{tileMiddle[0] - 5000, tileMiddle[1] + 30000}, "BASE-")
	exec := func(sql string) {
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	copyRows := func(rows [][]any) {
		got, err := s.pool.CopyFrom(ctx, pgx.Identifier{"parcels"}, append(gridColumns, "area_m2"),
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) { return append(rows[i], 0.0), nil }))
		if err != nil || got != int64(len(rows)) {
			b.Fatal(got, err)
		}
	}
	set := map[bool]string{true: "ENABLE", false: "DISABLE"}
	for _, rowTriggers := range []bool{false, true} {
		b.Run(fmt.Sprintf("rowtriggers=%v", rowTriggers), func(b *testing.B) {
			exec("ALTER TABLE parcels " + set[rowTriggers] + " TRIGGER parcels_a_outline")
			exec("ALTER TABLE parcels " + set[rowTriggers] + " TRIGGER parcels_b_no_overlap")
			exec("TRUNCATE parcels CASCADE")
			if rowTriggers {
				copyRows(base)
				exec("ANALYZE parcels")
			}
			var spent [2]time.Duration // notify off, on
			for i := 0; i < b.N; i++ {
				for j := 0; j < 2; j++ {
					notify := (i+j)%2 == 1
					if rowTriggers {
						exec("DELETE FROM parcels WHERE code LIKE 'B-%'")
						exec("VACUUM parcels")
					} else {
						exec("TRUNCATE parcels CASCADE")
					}
					exec("ALTER TABLE parcels " + set[notify] + " TRIGGER parcels_notify_insert")
					t0 := time.Now()
					copyRows(rows)
					if notify {
						spent[1] += time.Since(t0)
					} else {
						spent[0] += time.Since(t0)
					}
				}
			}
			off := float64(spent[0].Nanoseconds()) / float64(b.N) / n
			on := float64(spent[1].Nanoseconds()) / float64(b.N) / n
			b.ReportMetric(off, "ns/row-without")
			b.ReportMetric(on, "ns/row-with")
			b.ReportMetric(100*(on-off)/off, "%overhead")
		})
	}
	exec("ALTER TABLE parcels ENABLE TRIGGER USER")
}

package tilecache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

func body(n int) func(context.Context) (Tile, error) {
	return func(context.Context) (Tile, error) {
		return Tile{Body: make([]byte, n), ETag: `"e"`, Size: n}, nil
	}
}

func key(layers string, z, x, y int) Key { return Key{Layers: layers, Z: z, X: x, Y: y} }

func mustGet(t *testing.T, c *Cache, k Key, render func(context.Context) (Tile, error)) Outcome {
	t.Helper()
	_, o, err := c.Get(context.Background(), k, render)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// entrySize is what one test entry costs: body, ETag, layer names, overhead.
func entrySize(k Key, n int) int64 { return int64(n+len(`"e"`)+len(k.Layers)) + entryOverhead }

func TestLRUEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	a, b, cc, d := key("parcels", 14, 1, 1), key("parcels", 14, 2, 1), key("parcels", 14, 3, 1), key("parcels", 14, 4, 1)
	const n = 1000
	c := New(Options{MaxBytes: 3 * entrySize(a, n)})
	for _, k := range []Key{a, b, cc} {
		if o := mustGet(t, c, k, body(n)); o != Miss {
			t.Fatalf("first get of %v: %v", k, o)
		}
	}
	if o := mustGet(t, c, a, body(n)); o != Hit { // a becomes the most recent
		t.Fatalf("second get of a: %v", o)
	}
	mustGet(t, c, d, body(n)) // over the bound: b, the least recent, goes
	s := c.Stats()
	if s.Entries != 3 || s.Evictions != 1 || s.Bytes != 3*entrySize(a, n) || s.Bytes > s.MaxBytes {
		t.Fatalf("stats after eviction: %+v", s)
	}
	for k, want := range map[Key]Outcome{a: Hit, cc: Hit, d: Hit} {
		if o := mustGet(t, c, k, body(n)); o != want {
			t.Errorf("%v: %v, want %v", k, o, want)
		}
	}
	if o := mustGet(t, c, b, body(n)); o != Miss {
		t.Errorf("b survived: %v", o)
	}
	// A big tile pushes out as many as it needs.
	mustGet(t, c, key("parcels", 14, 9, 9), body(2*n+200))
	if s := c.Stats(); s.Bytes > s.MaxBytes || s.Entries != 2 {
		t.Fatalf("after a big tile: %+v", s)
	}
	// One larger than the whole cache is served but not kept.
	huge := key("parcels", 14, 8, 8)
	mustGet(t, c, huge, body(10*n))
	if o := mustGet(t, c, huge, body(10*n)); o != Miss {
		t.Fatalf("a tile larger than the cache was cached")
	}
	if s := c.Stats(); s.Bytes > s.MaxBytes || s.Hits != 4 || s.Misses != 8 {
		t.Fatalf("final stats %+v", s)
	}
}

func TestZeroBytesCachesNothing(t *testing.T) {
	c := New(Options{})
	k := key("parcels", 14, 1, 1)
	for i := 0; i < 3; i++ {
		if o := mustGet(t, c, k, body(10)); o != Miss {
			t.Fatalf("get %d: %v", i, o)
		}
	}
	if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 || s.Misses != 3 {
		t.Fatalf("%+v", s)
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	c := New(Options{MaxBytes: 1 << 20})
	k := key("parcels,districts", 15, 100, 200)
	release := make(chan struct{})
	var renders atomic.Int32
	render := func(context.Context) (Tile, error) {
		renders.Add(1)
		<-release
		return Tile{Body: []byte("tile"), ETag: `"x"`}, nil
	}
	const n = 50
	var wg sync.WaitGroup
	outcomes := make(chan Outcome, n)
	for i := 0; i < n; i++ {
		wg.Go(func() {
			tile, o, err := c.Get(context.Background(), k, render)
			if err != nil || string(tile.Body) != "tile" {
				t.Errorf("%q %v", tile.Body, err)
			}
			outcomes <- o
		})
	}
	for c.Stats().Misses+c.Stats().Shared < n {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(outcomes)
	count := map[Outcome]int{}
	for o := range outcomes {
		count[o]++
	}
	if renders.Load() != 1 || count[Miss] != 1 || count[Shared] != n-1 {
		t.Fatalf("%d renders, outcomes %v", renders.Load(), count)
	}
	if o := mustGet(t, c, k, render); o != Hit {
		t.Fatalf("after the render: %v", o)
	}
}

func TestAWaiterLeavingDoesNotFailTheOthers(t *testing.T) {
	c := New(Options{MaxBytes: 1 << 20})
	k := key("parcels", 14, 5, 5)
	release := make(chan struct{})
	cancelled := make(chan struct{})
	render := func(ctx context.Context) (Tile, error) {
		select {
		case <-release:
			return Tile{Body: []byte("ok")}, nil
		case <-ctx.Done():
			close(cancelled)
			return Tile{}, ctx.Err()
		}
	}
	first, cancelFirst := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.Get(first, k, render)
		errc <- err
	}()
	for c.Stats().InFlight == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan Tile, 1)
	go func() {
		tile, _, _ := c.Get(context.Background(), k, render)
		second <- tile
	}()
	for c.Stats().Shared == 0 {
		time.Sleep(time.Millisecond)
	}
	cancelFirst()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	close(release)
	if tile := <-second; string(tile.Body) != "ok" {
		t.Fatalf("second caller got %q after the first left", tile.Body)
	}
	select {
	case <-cancelled:
		t.Fatal("the render was cancelled while a caller still waited")
	default:
	}

	// When every caller leaves, the render is cancelled and not cached.
	k2 := key("parcels", 14, 6, 6)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	release2 := make(chan struct{})
	cancelled = make(chan struct{})
	_, _, err := c.Get(ctx, k2, func(ctx context.Context) (Tile, error) {
		select {
		case <-release2:
			return Tile{}, nil
		case <-ctx.Done():
			close(cancelled)
			return Tile{}, ctx.Err()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("lone caller: %v", err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the render went on after every caller left")
	}
	if s := c.Stats(); s.InFlight != 0 || s.Entries != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestErrorsAndPanicsAreNotCached(t *testing.T) {
	c := New(Options{MaxBytes: 1 << 20})
	k := key("parcels", 14, 1, 1)
	boom := errors.New("boom")
	if _, _, err := c.Get(context.Background(), k, func(context.Context) (Tile, error) { return Tile{}, boom }); err != boom {
		t.Fatalf("error: %v", err)
	}
	if _, _, err := c.Get(context.Background(), k, func(context.Context) (Tile, error) { panic("bad") }); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panic: %v", err)
	}
	if o := mustGet(t, c, k, body(1)); o != Miss {
		t.Fatalf("after errors: %v", o)
	}
}

// The tiles around a point in Binjiang at zoom 14, and the same place at
// other zooms.
var hz = orb.Point{120.21, 30.19}

func tileAt(p orb.Point, z int) (int, int) {
	fx, fy := fraction(p[0], p[1], z)
	return int(fx), int(fy)
}

func TestInvalidateDropsTheChangedAreaOfTheLayer(t *testing.T) {
	c := New(Options{MaxBytes: 1 << 30})
	x, y := tileAt(hz, 14)
	keys := map[string]Key{
		"here":           key("parcels", 14, x, y),
		"here+districts": key("districts,parcels", 14, x, y),
		"here, limit":    {Layers: "parcels", Z: 14, X: x, Y: y, Limit: 5},
		"parent":         key("parcels", 13, x/2, y/2),
		"world":          key("parcels", 0, 0, 0),
		"neighbour":      key("parcels", 14, x+1, y),
		"far":            key("parcels", 14, x+40, y+40),
		"districts only": key("districts", 14, x, y),
		"child":          key("parcels", 15, 2*x, 2*y),
		"other child":    key("parcels", 15, 2*x+1, 2*y+1),
	}
	for _, k := range keys {
		mustGet(t, c, k, body(100))
	}
	// A small change in the south-west quarter of the tile, away from its
	// edges.
	b := TileBound(15, 2*x, 2*y+1)
	mid := b.Center()
	change := orb.Bound{Min: orb.Point{mid[0] - 0.0001, mid[1] - 0.0001}, Max: orb.Point{mid[0] + 0.0001, mid[1] + 0.0001}}
	c.Invalidate(planning.Change{Layer: "parcels", BBox: &change})
	gone := map[string]bool{"here": true, "here+districts": true, "here, limit": true, "parent": true, "world": true}
	for name, k := range keys {
		o := mustGet(t, c, k, body(100))
		if gone[name] && o != Miss {
			t.Errorf("%s: still cached after a change inside it", name)
		}
		if !gone[name] && o != Hit {
			t.Errorf("%s: dropped by a change elsewhere", name)
		}
	}
	if s := c.Stats(); s.Invalidated != 5 || s.Changes != 1 {
		t.Fatalf("%+v", s)
	}

	// A change just outside a tile but inside its buffer dirties it too.
	tb := TileBound(14, x, y) // with buffer
	edge := TileBound(14, x+1, y)
	inBuffer := orb.Bound{Min: orb.Point{tb.Max[0] - 1e-6, mid[1]}, Max: orb.Point{tb.Max[0] - 1e-7, mid[1]}}
	if inBuffer.Min[0] < edge.Min[0] { // inside the neighbour's buffer, not its body
		t.Fatal("test geometry")
	}
	c.Invalidate(planning.Change{Layer: "parcels", BBox: &inBuffer})
	if o := mustGet(t, c, keys["here"], body(100)); o != Miss {
		t.Errorf("a change in the buffer left the tile cached")
	}

	// No box: the whole layer, and only that layer.
	c.Invalidate(planning.Change{Layer: "districts"})
	if o := mustGet(t, c, keys["districts only"], body(100)); o != Miss {
		t.Errorf("districts tile survived a whole-layer change")
	}
	if o := mustGet(t, c, keys["far"], body(100)); o != Hit {
		t.Errorf("a parcels tile was dropped by a districts change")
	}
	c.Clear()
	if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 {
		t.Fatalf("after Clear: %+v", s)
	}
}

// The zoom index must drop exactly what a scan of every entry would.
func TestInvalidateMatchesABruteForceScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		c := New(Options{MaxBytes: 1 << 30})
		var all []Key
		for i := 0; i < 300; i++ {
			z := r.IntN(MaxZoom + 1)
			p := orb.Point{hz[0] + r.NormFloat64()*0.05, hz[1] + r.NormFloat64()*0.05}
			x, y := tileAt(p, z)
			layers := []string{"parcels", "districts", "districts,parcels"}[r.IntN(3)]
			k := key(layers, z, x, y)
			all = append(all, k)
			mustGet(t, c, k, body(10))
		}
		size := r.ExpFloat64() * 0.01
		p := orb.Point{hz[0] + r.NormFloat64()*0.05, hz[1] + r.NormFloat64()*0.05}
		change := orb.Bound{Min: p, Max: orb.Point{p[0] + size, p[1] + size*r.Float64()}}
		var ch planning.Change
		if round%10 == 0 {
			ch = planning.Change{Layer: "parcels"}
		} else {
			ch = planning.Change{Layer: "parcels", BBox: &change}
		}
		c.Invalidate(ch)
		for _, k := range all {
			want := strings.Contains(k.Layers, "parcels") && (ch.BBox == nil || TileBound(k.Z, k.X, k.Y).Intersects(change))
			_, cached := c.items[k]
			if cached == want {
				t.Fatalf("round %d: %v cached=%v after change %v", round, k, cached, ch.BBox)
			}
		}
	}
}

func TestAChangeDuringARenderKeepsItOutOfTheCache(t *testing.T) {
	c := New(Options{MaxBytes: 1 << 20})
	x, y := tileAt(hz, 14)
	k := key("parcels", 14, x, y)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan Outcome)
	go func() {
		_, o, _ := c.Get(context.Background(), k, func(context.Context) (Tile, error) {
			close(started)
			<-release
			return Tile{Body: []byte("old")}, nil
		})
		done <- o
	}()
	<-started
	b := TileBound(14, x, y)
	c.Invalidate(planning.Change{Layer: "parcels", BBox: &b})
	// A request after the change does not join the stale render.
	tile, o, err := c.Get(context.Background(), k, func(context.Context) (Tile, error) { return Tile{Body: []byte("new")}, nil })
	if err != nil || o != Miss || string(tile.Body) != "new" {
		t.Fatalf("after the change: %q %v %v", tile.Body, o, err)
	}
	close(release)
	<-done
	tile, o, _ = c.Get(context.Background(), k, body(1))
	if o != Hit || string(tile.Body) != "new" {
		t.Fatalf("cached %q (%v), want the render made after the change", tile.Body, o)
	}
}

func TestTileBound(t *testing.T) {
	w := TileBound(0, 0, 0)
	if w.Min[1] > -85.05 || w.Max[1] < 85.05 || w.Min[0] > -180 || w.Max[0] < 180 {
		t.Fatalf("world %v", w)
	}
	x, y := tileAt(hz, 14)
	b := TileBound(14, x, y)
	if !b.Contains(hz) {
		t.Fatalf("%v does not hold %v", b, hz)
	}
	// The buffer is 1/64 of the tile each side.
	inner := TileBound(14, x, y)
	width := (inner.Max[0] - inner.Min[0]) / (1 + 2*bufferFraction)
	if got := fmt.Sprintf("%.9f", width); got != fmt.Sprintf("%.9f", 360.0/(1<<14)) {
		t.Fatalf("tile width %s", got)
	}
}

// Run with -race: every operation at once.
func TestConcurrentUse(t *testing.T) {
	c := New(Options{MaxBytes: 50 * entrySize(key("parcels", 14, 0, 0), 100)})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := 0; i < 2000; i++ {
				x, y := tileAt(hz, 14)
				k := key("parcels", 14, x+r.IntN(20), y+r.IntN(20))
				switch r.IntN(10) {
				case 0:
					b := TileBound(14, k.X, k.Y)
					c.Invalidate(planning.Change{Layer: "parcels", BBox: &b})
				case 1:
					c.Stats()
				default:
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(100))*time.Microsecond)
					c.Get(ctx, k, body(100))
					cancel()
				}
			}
		})
	}
	wg.Wait()
	s := c.Stats()
	if s.Bytes > s.MaxBytes || s.Entries > 50 {
		t.Fatalf("%+v", s)
	}
	var n int
	var bytes int64
	for e := c.head; e != nil; e = e.next {
		n++
		bytes += e.size
	}
	if n != s.Entries || bytes != s.Bytes || len(c.byTile) > n {
		t.Fatalf("list %d entries %d bytes, stats %+v", n, bytes, s)
	}
}

// TestReplaceSwapsOnlyTheTileItWasGiven: a compressed form replaces the
// cached tile and is counted at its own size; a tile that changed
// meanwhile (re-rendered after an invalidation) is left alone.
func TestReplaceSwapsOnlyTheTileItWasGiven(t *testing.T) {
	k := key("parcels", 14, 1, 1)
	c := New(Options{MaxBytes: 1 << 20})
	raw, _, err := c.Get(context.Background(), k, body(1000))
	if err != nil {
		t.Fatal(err)
	}
	small := Tile{Body: make([]byte, 300), Gzipped: true, ETag: raw.ETag, Size: 1000}
	if !c.Replace(k, raw, small) {
		t.Fatal("Replace refused the tile it was given")
	}
	if got, o, _ := c.Get(context.Background(), k, body(1000)); o != Hit || !got.Gzipped || len(got.Body) != 300 {
		t.Fatalf("after Replace: %v gzipped=%v %d bytes", o, got.Gzipped, len(got.Body))
	}
	if s := c.Stats(); s.Bytes != int64(300+len(raw.ETag)+len(k.Layers))+entryOverhead {
		t.Fatalf("bytes %d, want %d", s.Bytes, entrySize(k, 300))
	}
	// raw is no longer what k holds: a second Replace from it is refused.
	if c.Replace(k, raw, Tile{Body: make([]byte, 10), ETag: raw.ETag}) {
		t.Fatal("Replace swapped a tile that had already changed")
	}
	c.Invalidate(planning.Change{Layer: "parcels"})
	if c.Replace(k, small, raw) {
		t.Fatal("Replace stored a tile that was invalidated")
	}
}

package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
)

// A change under a cached low-zoom tile drops it, and the server renders it
// again in the background: the next request is a hit that already counts
// the new parcel. A detailed (zoom-14) tile is left to the next request.
func TestLowZoomTilesAreWarmedAfterChanges(t *testing.T) {
	e := newTileEnv(t)
	ctx := context.Background()
	low := tilePath("parcels", 12, at(10, 10))
	high := tilePath("parcels", 14, at(10, 10))
	count := func(path, wantCache string) float64 {
		t.Helper()
		res, body := e.get(t, path, "Accept-Encoding", "gzip")
		if res.StatusCode != 200 || res.Header.Get("X-Tile-Cache") != wantCache {
			t.Fatalf("GET %s: %d %s, want 200 %s", path, res.StatusCode, res.Header.Get("X-Tile-Cache"), wantCache)
		}
		var n float64
		for _, f := range mvtread.Find(decode(t, tileBytes(t, res, body)), "parcels").Features {
			switch f.Properties["kind"] {
			case "aggregate":
				v, _ := f.Properties["parcels"].(uint64)
				n += float64(v)
			case "parcel":
				n++
			}
		}
		return n
	}
	if n := count(low, "miss"); n != 25 {
		t.Fatalf("zoom 12 counts %v parcels, want 25", n)
	}
	count(high, "miss")
	before := e.tileStats(t)
	if _, err := e.store.InsertParcel(ctx, planning.Parcel{Code: "NEW", District: "330108", LandUse: "100101",
		Status: planning.StatusReserve, Outline: tileSquare(-300, 0, 50), Elevation: planning.Surface()}); err != nil {
		t.Fatal(err)
	}
	// Both tiles are dropped; the low one comes back without a request.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := e.tileStats(t)
		if s.Invalidated == before.Invalidated+2 && s.Entries == before.Entries-1 && s.InFlight == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the low-zoom tile was not warmed: before %+v now %+v", before, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(low, "hit"); n != 26 {
		t.Fatalf("warmed zoom-12 tile counts %v parcels, want 26", n)
	}
	if n := count(high, "miss"); n != 26 {
		t.Fatalf("zoom-14 tile holds %v parcels, want 26", n)
	}
}

// A server started with WarmTiles renders the parcels' tiles of zooms 10 to
// 13 over the districts' extent in the background, so that the first view
// after a restart is drawn from the cache; the detailed zoom-14 tiles are
// left to the requests.
func TestLowZoomTilesAreWarmedAtStart(t *testing.T) {
	e := newTileEnv(t)
	ext, err := e.store.Extent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := int64(0)
	for z := 10; z <= 13; z++ {
		x0, y0, x1, y1 := tilecache.Covering(ext, z)
		want += int64((x1 - x0 + 1) * (y1 - y0 + 1))
	}
	if want < 4 {
		t.Fatalf("the district covers %d tiles of zooms 10-13; the test needs a district over several", want)
	}
	w := *e
	w.cache = tilecache.New(tilecache.Options{MaxBytes: 1 << 20})
	w.srv = serve(t, web.Config{Version: "test", Tiles: w.cache, WarmTiles: true}, e.store)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := w.cache.Stats()
		if s.Misses == want && s.InFlight == 0 {
			break
		}
		if s.Misses > want || time.Now().After(deadline) {
			t.Fatalf("warming at start rendered %d tiles (%d in flight), want the %d of zooms 10-13 over the districts", s.Misses, s.InFlight, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, z := range []int{10, 12, 13} {
		if res, _ := w.get(t, tilePath("parcels", z, at(10, 10))); res.StatusCode != 200 || res.Header.Get("X-Tile-Cache") != "hit" {
			t.Fatalf("zoom %d after warming: %d %s, want 200 hit", z, res.StatusCode, res.Header.Get("X-Tile-Cache"))
		}
	}
	if res, _ := w.get(t, tilePath("parcels", 14, at(10, 10))); res.Header.Get("X-Tile-Cache") != "miss" {
		t.Fatalf("zoom 14 after warming: %s, want miss (detailed tiles are not warmed)", res.Header.Get("X-Tile-Cache"))
	}
	// The server that was not asked to warm rendered nothing by itself.
	if s := e.cache.Stats(); s.Misses != 0 || s.Entries != 0 {
		t.Fatalf("a server without WarmTiles rendered %d tiles by itself", s.Misses)
	}
}

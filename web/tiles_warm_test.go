package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
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

package web

import (
	"net/url"
	"slices"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// FuzzParseTileRequest: any tile path gives a 4xx or a tile that exists
// (z within range, x and y on the grid of z), layers known, unique and in
// drawing order, and a limit within the cap.
func FuzzParseTileRequest(f *testing.F) {
	f.Add("parcels", "14", "13703", "6735.mvt", "")
	f.Add("districts,parks,protected-zones,parcels", "0", "0", "0.mvt", "limit=10")
	f.Add("parcels,parcels", "1", "1", "1.mvt", "")
	f.Add("parcels", "22", "4194303", "4194303.mvt", "limit=100000")
	f.Add("parcels", "23", "0", "0.mvt", "")
	f.Add("parcels", "+1", "0", "0.png", "limit=-1")
	f.Fuzz(func(t *testing.T, layers, z, x, y, query string) {
		v, _ := url.ParseQuery(query)
		q, err := parseTileRequest(layers, z, x, y, v)
		if err != nil {
			requestError(t, err)
			return
		}
		if q.Z < 0 || q.Z > maxTileZoom || q.X < 0 || q.Y < 0 || q.X >= 1<<q.Z || q.Y >= 1<<q.Z {
			t.Fatalf("tile %d/%d/%d from %q/%q/%q", q.Z, q.X, q.Y, z, x, y)
		}
		if q.Limit < 0 || q.Limit > maxTileLimit {
			t.Fatalf("limit %d", q.Limit)
		}
		if len(q.Layers) == 0 {
			t.Fatal("no layers")
		}
		last := -1
		for _, l := range q.Layers {
			i := slices.Index(planning.LayerNames, l)
			if i <= last {
				t.Fatalf("layers %v not known, unique and in drawing order", q.Layers)
			}
			last = i
		}
	})
}

package mvt

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func decodeOne(t *testing.T, b []byte) mvtread.Layer {
	t.Helper()
	ls, err := mvtread.Decode(b)
	if err != nil || len(ls) != 1 {
		t.Fatalf("%d layers, %v", len(ls), err)
	}
	return ls[0]
}

func TestLayerEncodesPropertiesAsSTAsMVT(t *testing.T) {
	build := func() []byte {
		l := NewLayer("parcels", 4096)
		l.Property("code", "A-1")
		l.Property("n", int64(7))
		l.Property("delta", int64(-3))
		l.Property("share", 0.25)
		l.Property("underground", false)
		l.Property("name", nil)
		l.Ring([][2]int64{{10, 10}, {20, 10}, {20, 20}, {10, 20}})
		l.EndPolygon(42)
		l.Property("code", "A-2")
		l.Property("n", int64(7))          // a value shared with the first feature
		l.Ring([][2]int64{{0, 0}, {1, 0}}) // too few vertices: no ring
		l.EndPolygon(43)                   // so no feature
		return l.Tile()
	}
	b := build()
	if !bytes.Equal(b, build()) {
		t.Fatal("the same features gave different bytes")
	}
	l := decodeOne(t, b)
	if l.Name != "parcels" || l.Extent != 4096 || l.Version != 2 || len(l.Features) != 1 {
		t.Fatalf("layer %s extent %d v%d with %d features", l.Name, l.Extent, l.Version, len(l.Features))
	}
	f := l.Features[0]
	want := map[string]any{"code": "A-1", "n": uint64(7), "delta": int64(-3), "share": 0.25, "underground": false}
	if f.ID != 42 || f.Type != mvtread.Polygon || len(f.Properties) != len(want) {
		t.Fatalf("feature %+v", f)
	}
	for k, v := range want {
		if f.Properties[k] != v {
			t.Errorf("%s = %#v, want %#v", k, f.Properties[k], v)
		}
	}
	if f.Rings != 1 || f.Points != 4 || f.Min != [2]int64{10, 10} || f.Max != [2]int64{20, 20} {
		t.Errorf("geometry %+v", f)
	}
	if NewLayer("empty", 4096).Tile() != nil {
		t.Error("a layer without features is not an empty tile")
	}
}

// lonLat is the lon/lat of grid point (px, py) of tile (z, x, y).
func lonLat(z, x, y int, px, py float64) orb.Point {
	n := math.Exp2(float64(z))
	lon := (float64(x)+px/4096)/n*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*(float64(y)+py/4096)/n))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

func TestGridProjectsClipsSnapsAndOrients(t *testing.T) {
	const z, x, y = 14, 13667, 6746
	g := NewGrid(z, x, y, 4096, 64)
	square := func(x0, y0, x1, y1 float64, clockwiseOnMap bool) orb.Ring {
		r := orb.Ring{lonLat(z, x, y, x0, y1), lonLat(z, x, y, x1, y1), lonLat(z, x, y, x1, y0), lonLat(z, x, y, x0, y0)}
		if clockwiseOnMap {
			r = orb.Ring{r[0], r[3], r[2], r[1]}
		}
		return append(r, r[0])
	}
	cases := []struct {
		name     string
		mp       orb.MultiPolygon
		rings    int
		min, max [2]int64
	}{
		{"inside, counter-clockwise on the map", orb.MultiPolygon{{square(100.2, 200.4, 300.6, 400.4, false)}}, 1, [2]int64{100, 200}, [2]int64{301, 400}},
		{"inside, clockwise on the map", orb.MultiPolygon{{square(100, 200, 300, 400, true)}}, 1, [2]int64{100, 200}, [2]int64{300, 400}},
		{"across the east edge", orb.MultiPolygon{{square(4000, 10, 4500, 20, false)}}, 1, [2]int64{4000, 10}, [2]int64{4160, 20}},
		{"with a hole", orb.MultiPolygon{{square(0, 0, 100, 100, false), square(40, 40, 60, 60, true)}}, 2, [2]int64{0, 0}, [2]int64{100, 100}},
		{"two parts, one outside", orb.MultiPolygon{{square(0, 0, 10, 10, false)}, {square(5000, 0, 5010, 10, false)}}, 1, [2]int64{0, 0}, [2]int64{10, 10}},
	}
	for _, c := range cases {
		l := NewLayer("t", 4096)
		if !g.AddMultiPolygon(l, c.mp) {
			t.Fatalf("%s: nothing added", c.name)
		}
		l.EndPolygon(1)
		f := decodeOne(t, l.Tile()).Features[0]
		if f.Rings != c.rings || f.Min != c.min || f.Max != c.max {
			t.Errorf("%s: %d rings in %v-%v, want %d in %v-%v", c.name, f.Rings, f.Min, f.Max, c.rings, c.min, c.max)
		}
		// The spec's orientation: exterior rings positive, holes negative.
		for i, a := range ringAreas(f.Geometry) {
			if (i == 0) != (a > 0) {
				t.Errorf("%s: ring %d has area %d", c.name, i, a)
			}
		}
	}
	// A polygon smaller than a grid unit, and one wholly outside, add nothing.
	l := NewLayer("t", 4096)
	if g.AddMultiPolygon(l, orb.MultiPolygon{{square(10.1, 10.1, 10.3, 10.3, false)}, {square(-500, 0, -400, 10, false)}}) {
		t.Error("a collapsed or outside polygon was added")
	}
	l.EndPolygon(1)
	if l.Len() != 0 || l.Tile() != nil {
		t.Error("a feature without rings was kept")
	}
}

// ringAreas is twice each ring's signed area, from a command stream.
func ringAreas(g []uint32) []int64 {
	var areas []int64
	var ring [][2]int64
	var x, y int64
	for i := 0; i < len(g); {
		cmd, n := g[i]&7, int(g[i]>>3)
		i++
		if cmd == 7 {
			areas = append(areas, area2(ring))
			ring = nil
			continue
		}
		for ; n > 0; n-- {
			x += int64(int32(g[i]>>1) ^ -int32(g[i]&1))
			y += int64(int32(g[i+1]>>1) ^ -int32(g[i+1]&1))
			i += 2
			ring = append(ring, [2]int64{x, y})
		}
	}
	return areas
}

// TestAddWKBEqualsAddMultiPolygon: an outline read in place from WKB (either
// byte order, a Polygon or a MultiPolygon, inside the tile or clipped at its
// margin) is drawn exactly as the decoded outline is.
func TestAddWKBEqualsAddMultiPolygon(t *testing.T) {
	const z, x, y = 14, 13667, 6746
	ring := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{lonLat(z, x, y, x0, y1), lonLat(z, x, y, x1, y1), lonLat(z, x, y, x1, y0), lonLat(z, x, y, x0, y0), lonLat(z, x, y, x0, y1)}
	}
	cases := []orb.Geometry{
		orb.Polygon{ring(100.2, 200.4, 300.6, 400.4)},
		orb.MultiPolygon{{ring(0, 0, 100, 100), ring(40, 40, 60, 60)}, {ring(4000, 10, 4500, 20)}},
		orb.MultiPolygon{{ring(10.1, 10.1, 10.3, 10.3)}, {ring(-500, 0, -400, 10)}},
	}
	for i, c := range cases {
		mp, ok := c.(orb.MultiPolygon)
		if !ok {
			mp = orb.MultiPolygon{c.(orb.Polygon)}
		}
		want := NewLayer("t", 4096)
		wantAdded := NewGrid(z, x, y, 4096, 64).AddMultiPolygon(want, mp)
		want.EndPolygon(1)
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b, err := wkb.Marshal(c, order)
			if err != nil {
				t.Fatal(err)
			}
			got := NewLayer("t", 4096)
			added, err := NewGrid(z, x, y, 4096, 64).AddWKB(got, b)
			got.EndPolygon(1)
			if err != nil || added != wantAdded || !bytes.Equal(got.Tile(), want.Tile()) {
				t.Errorf("case %d, %v: added %v (want %v), %v; the tiles differ: %v", i, order, added, wantAdded, err, !bytes.Equal(got.Tile(), want.Tile()))
			}
			if _, err := NewGrid(z, x, y, 4096, 64).AddWKB(NewLayer("t", 4096), b[:len(b)-3]); err == nil {
				t.Errorf("case %d: a cut WKB was read", i)
			}
		}
	}
}

package geo

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// rect4549 builds a lon/lat ring from a w × h metre rectangle laid out in
// EPSG:4549 with its lower-left corner at (e, n), counter-clockwise.
func rect4549(e, n, w, h float64) orb.Ring {
	corners := []orb.Point{{e, n}, {e + w, n}, {e + w, n + h}, {e, n + h}, {e, n}}
	r := make(orb.Ring, len(corners))
	for i, c := range corners {
		r[i] = From4549(c)
	}
	return r
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func TestAreaM2Rectangle(t *testing.T) {
	origin := To4549(orb.Point{120.2, 30.2})
	ring := rect4549(origin[0], origin[1], 100, 200)
	if got := AreaM2(orb.Polygon{ring}); math.Abs(got-20000) > 0.01 {
		t.Errorf("100 m × 200 m = %.6f m², want 20000", got)
	}
	// Winding must not matter.
	if got := AreaM2(orb.Polygon{reversed(ring)}); math.Abs(got-20000) > 0.01 {
		t.Errorf("clockwise 100 m × 200 m = %.6f m², want 20000", got)
	}
	// An unclosed ring gives the same area.
	if got := AreaM2(orb.Polygon{ring[:4]}); math.Abs(got-20000) > 0.01 {
		t.Errorf("unclosed ring = %.6f m², want 20000", got)
	}
	// 1 亩 exactly: a small parcel must not lose precision to the large northing.
	side := math.Sqrt(10000.0 / 15)
	small := rect4549(origin[0], origin[1], side, side)
	if got := AreaM2(orb.Polygon{small}) * 15 / 10000; math.Abs(got-1) > 1e-6 {
		t.Errorf("one-亩 square = %.9f 亩", got)
	}
}

func TestAreaM2HolesAndMulti(t *testing.T) {
	o := To4549(orb.Point{120.25, 30.15})
	outer := rect4549(o[0], o[1], 300, 300)                 // 90000
	hole := reversed(rect4549(o[0]+100, o[1]+100, 50, 40))  // 2000
	holeSameWinding := rect4549(o[0]+200, o[1]+200, 10, 10) // 100
	poly := orb.Polygon{outer, hole, holeSameWinding}
	if got := AreaM2(poly); math.Abs(got-87900) > 0.01 {
		t.Errorf("polygon with holes = %.6f, want 87900", got)
	}
	second := orb.Polygon{rect4549(o[0]+1000, o[1], 20, 30)} // 600
	if got := AreaM2(orb.MultiPolygon{poly, second}); math.Abs(got-88500) > 0.01 {
		t.Errorf("multipolygon = %.6f, want 88500", got)
	}
	for _, g := range []orb.Geometry{
		nil, orb.Point{120, 30}, orb.LineString{{120, 30}, {121, 30}}, outer,
		orb.Polygon{}, orb.MultiPolygon{}, orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{121, 31}},
	} {
		if got := AreaM2(g); got != 0 {
			t.Errorf("AreaM2(%T) = %v, want 0", g, got)
		}
	}
}

func TestTransformDoesNotMutate(t *testing.T) {
	shift := func(p orb.Point) orb.Point { return orb.Point{p[0] + 1, p[1] + 2} }
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	cases := []struct {
		in, want orb.Geometry
	}{
		{orb.Point{1, 1}, orb.Point{2, 3}},
		{orb.MultiPoint{{0, 0}, {1, 1}}, orb.MultiPoint{{1, 2}, {2, 3}}},
		{orb.LineString{{0, 0}, {1, 1}}, orb.LineString{{1, 2}, {2, 3}}},
		{orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}}}, orb.MultiLineString{{{1, 2}, {2, 3}}, {{3, 4}}}},
		{ring, orb.Ring{{1, 2}, {2, 2}, {2, 3}, {1, 2}}},
		{orb.Polygon{ring}, orb.Polygon{{{1, 2}, {2, 2}, {2, 3}, {1, 2}}}},
		{orb.MultiPolygon{{ring}, {ring}}, orb.MultiPolygon{{{{1, 2}, {2, 2}, {2, 3}, {1, 2}}}, {{{1, 2}, {2, 2}, {2, 3}, {1, 2}}}}},
		{orb.Collection{orb.Point{0, 0}, orb.LineString{{1, 1}}}, orb.Collection{orb.Point{1, 2}, orb.LineString{{2, 3}}}},
		{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{2, 3}}},
	}
	for _, c := range cases {
		before := orb.Clone(c.in)
		got := Transform(c.in, shift)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Transform(%#v) = %#v, want %#v", c.in, got, c.want)
		}
		if !reflect.DeepEqual(c.in, before) {
			t.Errorf("Transform mutated its input: %#v, was %#v", c.in, before)
		}
	}
	if got, ok := Transform(orb.Polygon(nil), shift).(orb.Polygon); !ok || got != nil {
		t.Errorf("nil Polygon should stay a nil Polygon, got %#v", got)
	}
	if Transform(nil, shift) != nil {
		t.Error("Transform(nil) should be nil")
	}
}

func TestTransformBoundUsesAllCorners(t *testing.T) {
	b := orb.Bound{Min: orb.Point{119, 30}, Max: orb.Point{121, 31}}
	got := Transform(b, To4549).(orb.Bound)
	// Meridians converge northwards, so the widest easting is at the
	// southern corners and the lowest northing at the CM-distant corners.
	for _, c := range []orb.Point{{119, 30}, {121, 30}, {121, 31}, {119, 31}} {
		if !got.Contains(To4549(c)) {
			t.Errorf("transformed bound %v does not contain corner %v", got, To4549(c))
		}
	}
	// And a round trip of a projected polygon returns to lon/lat.
	poly := orb.Polygon{rect4549(520000, 3341000, 10, 10)}
	back := Transform(Transform(poly, To4549), From4549).(orb.Polygon)
	for i := range poly[0] {
		if d := math.Hypot(back[0][i][0]-poly[0][i][0], back[0][i][1]-poly[0][i][1]); d > 1e-11 {
			t.Errorf("vertex %d moved by %g°", i, d)
		}
	}
}

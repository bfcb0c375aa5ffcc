package geo

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

func TestToGeomFromGeomRoundTrip(t *testing.T) {
	outer := orb.Ring{{120.1, 30.1}, {120.2, 30.1}, {120.2, 30.2}, {120.1, 30.2}, {120.1, 30.1}}
	hole := orb.Ring{{120.12, 30.12}, {120.12, 30.14}, {120.14, 30.14}, {120.12, 30.12}}
	other := orb.Polygon{{{121, 31}, {121.1, 31}, {121.1, 31.1}, {121, 31}}}
	cases := []orb.Geometry{
		orb.Point{120.21, 30.19},
		orb.MultiPoint{{120, 30}, {121, 31}},
		orb.LineString{{120, 30}, {121, 31}, {122, 30}},
		orb.MultiLineString{{{120, 30}, {121, 31}}, {{119, 29}, {119.5, 29.5}, {119, 30}}},
		orb.Polygon{outer, hole},
		orb.MultiPolygon{{outer, hole}, other},
		orb.Collection{orb.Point{120, 30}, orb.Polygon{outer}},
	}
	for _, g := range cases {
		t.Run(g.GeoJSONType(), func(t *testing.T) {
			gg, err := ToGeom(g, SRIDStore)
			if err != nil {
				t.Fatal(err)
			}
			if gg.SRID() != SRIDStore {
				t.Errorf("SRID = %d, want %d", gg.SRID(), SRIDStore)
			}
			back, err := FromGeom(gg)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, g) {
				t.Errorf("round trip:\n got %#v\nwant %#v", back, g)
			}
		})
	}
}

func TestToGeomRingAndBoundBecomePolygons(t *testing.T) {
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	g, err := ToGeom(ring, SRIDMeasure)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := g.(*geom.Polygon)
	if !ok || p.NumLinearRings() != 1 || p.SRID() != SRIDMeasure {
		t.Fatalf("Ring -> %#v", g)
	}
	b := orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{121, 31}}
	g, err = ToGeom(b, SRIDStore)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromGeom(g)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, b.ToPolygon()) {
		t.Errorf("Bound -> %#v", back)
	}
	if _, err := ToGeom(nil, SRIDStore); err == nil {
		t.Error("ToGeom(nil) should fail")
	}
}

func TestToMultiPolygonGeom(t *testing.T) {
	poly := orb.Polygon{{{120.1, 30.1}, {120.2, 30.1}, {120.2, 30.2}, {120.1, 30.1}}}
	mp, err := ToMultiPolygonGeom(poly, SRIDStore)
	if err != nil {
		t.Fatal(err)
	}
	if mp.NumPolygons() != 1 || mp.SRID() != SRIDStore {
		t.Fatalf("got %d polygons, SRID %d", mp.NumPolygons(), mp.SRID())
	}
	back, err := FromGeom(mp)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, orb.MultiPolygon{poly}) {
		t.Errorf("got %#v", back)
	}

	multi := orb.MultiPolygon{poly, poly}
	mp, err = ToMultiPolygonGeom(multi, SRIDMeasure)
	if err != nil || mp.NumPolygons() != 2 || mp.SRID() != SRIDMeasure {
		t.Fatalf("MultiPolygon: %v, %v", mp, err)
	}

	for _, bad := range []orb.Geometry{nil, orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}, poly[0]} {
		if _, err := ToMultiPolygonGeom(bad, SRIDStore); err == nil {
			t.Errorf("ToMultiPolygonGeom(%T) should fail", bad)
		}
	}
}

func TestFromGeomDropsZAndHandlesEmpties(t *testing.T) {
	ls := geom.NewLineStringFlat(geom.XYZ, []float64{120, 30, 5, 121, 31, 6})
	got, err := FromGeom(ls)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, orb.LineString{{120, 30}, {121, 31}}) {
		t.Errorf("XYZ line -> %#v", got)
	}

	mp := geom.NewMultiPoint(geom.XY)
	_ = mp.Push(geom.NewPointFlat(geom.XY, []float64{1, 2}))
	_ = mp.Push(geom.NewPointEmpty(geom.XY))
	_ = mp.Push(geom.NewPointFlat(geom.XY, []float64{3, 4}))
	got, err = FromGeom(mp)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, orb.MultiPoint{{1, 2}, {3, 4}}) {
		t.Errorf("multipoint with empty -> %#v", got)
	}

	if _, err := FromGeom(geom.NewPointEmpty(geom.XY)); err == nil {
		t.Error("empty Point should fail")
	}
	if _, err := FromGeom(nil); err == nil {
		t.Error("nil should fail")
	}

	empty, err := FromGeom(geom.NewMultiPolygon(geom.XY))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := empty.(orb.MultiPolygon); !ok || len(m) != 0 {
		t.Errorf("empty MultiPolygon -> %#v", empty)
	}
}

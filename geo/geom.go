package geo

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// ToGeom converts an orb geometry to go-geom (layout XY) and sets srid. A
// Ring and a Bound become Polygons, because PostGIS has no ring or box
// column type; a Collection becomes a GeometryCollection.
func ToGeom(g orb.Geometry, srid int) (geom.T, error) {
	switch g := g.(type) {
	case nil:
		return nil, errors.New("geo: cannot convert nil geometry")
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(srid), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flatten(g)).SetSRID(srid), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, flatten(g)).SetSRID(srid), nil
	case orb.MultiLineString:
		var flat []float64
		ends := make([]int, 0, len(g))
		for _, ls := range g {
			flat = appendFlat(flat, ls)
			ends = append(ends, len(flat))
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.Ring:
		return polygonGeom(orb.Polygon{g}).SetSRID(srid), nil
	case orb.Bound:
		return polygonGeom(g.ToPolygon()).SetSRID(srid), nil
	case orb.Polygon:
		return polygonGeom(g).SetSRID(srid), nil
	case orb.MultiPolygon:
		return multiPolygonGeom(g).SetSRID(srid), nil
	case orb.Collection:
		gc := geom.NewGeometryCollection()
		for i, c := range g {
			t, err := ToGeom(c, srid)
			if err != nil {
				return nil, fmt.Errorf("collection member %d: %w", i, err)
			}
			if err := gc.Push(t); err != nil {
				return nil, fmt.Errorf("collection member %d: %w", i, err)
			}
		}
		return gc.SetSRID(srid), nil
	}
	return nil, fmt.Errorf("geo: unsupported orb geometry type %T", g)
}

// ToMultiPolygonGeom converts a Polygon or MultiPolygon to a go-geom
// MultiPolygon with srid, so parcel columns can stay MULTIPOLYGON.
func ToMultiPolygonGeom(g orb.Geometry, srid int) (*geom.MultiPolygon, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return multiPolygonGeom(orb.MultiPolygon{g}).SetSRID(srid), nil
	case orb.MultiPolygon:
		return multiPolygonGeom(g).SetSRID(srid), nil
	case nil:
		return nil, errors.New("geo: expected Polygon or MultiPolygon, got nil")
	}
	return nil, fmt.Errorf("geo: expected Polygon or MultiPolygon, got %s", g.GeoJSONType())
}

// FromGeom converts go-geom to orb, keeping only X and Y (Z and M are
// dropped). Empty members of a MultiPoint are skipped since orb cannot hold
// them; an empty Point is an error for the same reason. A typed nil of a
// go-geom type becomes orb's nil of the same kind.
func FromGeom(g geom.T) (orb.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return nil, errors.New("geo: cannot convert nil geometry")
	case *geom.Point:
		if g == nil || g.Empty() {
			return nil, errors.New("geo: cannot convert an empty Point")
		}
		c := g.FlatCoords()
		return orb.Point{c[0], c[1]}, nil
	case *geom.MultiPoint:
		return multiPointFromGeom(g), nil
	case *geom.LineString:
		if g == nil {
			return orb.LineString(nil), nil
		}
		return orb.LineString(coords(g)), nil
	case *geom.LinearRing:
		if g == nil {
			return orb.Ring(nil), nil
		}
		return orb.Ring(coords(g)), nil
	case *geom.MultiLineString:
		return multiLineStringFromGeom(g), nil
	case *geom.Polygon:
		if g == nil {
			return orb.Polygon(nil), nil
		}
		return polygonFromGeom(g), nil
	case *geom.MultiPolygon:
		return multiPolygonFromGeom(g), nil
	case *geom.GeometryCollection:
		return collectionFromGeom(g)
	}
	return nil, fmt.Errorf("geo: unsupported go-geom type %T", g)
}

func multiPointFromGeom(g *geom.MultiPoint) orb.MultiPoint {
	if g == nil {
		return nil
	}
	mp := make(orb.MultiPoint, 0, g.NumPoints())
	for i := 0; i < g.NumPoints(); i++ {
		if c := g.Coord(i); c != nil {
			mp = append(mp, orb.Point{c[0], c[1]})
		}
	}
	return mp
}

func multiLineStringFromGeom(g *geom.MultiLineString) orb.MultiLineString {
	if g == nil {
		return nil
	}
	return each(g.NumLineStrings(), func(i int) orb.LineString { return coords(g.LineString(i)) })
}

func multiPolygonFromGeom(g *geom.MultiPolygon) orb.MultiPolygon {
	if g == nil {
		return nil
	}
	return each(g.NumPolygons(), func(i int) orb.Polygon { return polygonFromGeom(g.Polygon(i)) })
}

// collectionFromGeom returns an orb.Geometry so that a refused member gives
// FromGeom's callers a nil interface, not a typed nil collection.
func collectionFromGeom(g *geom.GeometryCollection) (orb.Geometry, error) {
	if g == nil {
		return orb.Collection(nil), nil
	}
	out := make(orb.Collection, 0, g.NumGeoms())
	for i, c := range g.Geoms() {
		o, err := FromGeom(c)
		if err != nil {
			return nil, fmt.Errorf("collection member %d: %w", i, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func flatten(pts []orb.Point) []float64 {
	return appendFlat(make([]float64, 0, 2*len(pts)), pts)
}

func appendFlat(flat []float64, pts []orb.Point) []float64 {
	for _, p := range pts {
		flat = append(flat, p[0], p[1])
	}
	return flat
}

func unflatten(flat []float64, stride int) []orb.Point {
	if stride < 2 {
		return nil
	}
	pts := make([]orb.Point, len(flat)/stride)
	for i := range pts {
		pts[i] = orb.Point{flat[i*stride], flat[i*stride+1]}
	}
	return pts
}

// appendPolygon writes p's rings into flat and returns the ring ends, which
// go-geom expects as absolute offsets into the shared flat slice.
func appendPolygon(flat []float64, p orb.Polygon) ([]float64, []int) {
	ends := make([]int, 0, len(p))
	for _, r := range p {
		flat = appendFlat(flat, r)
		ends = append(ends, len(flat))
	}
	return flat, ends
}

func polygonGeom(p orb.Polygon) *geom.Polygon {
	flat, ends := appendPolygon(nil, p)
	return geom.NewPolygonFlat(geom.XY, flat, ends)
}

func multiPolygonGeom(mp orb.MultiPolygon) *geom.MultiPolygon {
	var flat []float64
	endss := make([][]int, 0, len(mp))
	for _, p := range mp {
		var ends []int
		flat, ends = appendPolygon(flat, p)
		endss = append(endss, ends)
	}
	return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
}

func polygonFromGeom(g *geom.Polygon) orb.Polygon {
	return each(g.NumLinearRings(), func(i int) orb.Ring { return coords(g.LinearRing(i)) })
}

// each converts the n members of a go-geom geometry (rings, lines,
// polygons), in order.
func each[T any](n int, member func(i int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = member(i)
	}
	return out
}

// coords are the points of a go-geom line or ring, X and Y only.
func coords(g interface {
	FlatCoords() []float64
	Stride() int
}) []orb.Point {
	return unflatten(g.FlatCoords(), g.Stride())
}

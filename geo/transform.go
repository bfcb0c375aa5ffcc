package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Transform applies f to every point of g and returns a new geometry of the
// same type; g is not modified. A Bound becomes the bound of its four
// transformed corners, since under a projection the opposite corners alone
// no longer span the box. Unknown types and nil give nil.
func Transform(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		return orb.MultiPoint(mapPoints(g, f))
	case orb.LineString:
		return orb.LineString(mapPoints(g, f))
	case orb.Ring:
		return orb.Ring(mapPoints(g, f))
	case orb.MultiLineString:
		return mapEach(g, func(ls orb.LineString) orb.LineString { return mapPoints(ls, f) })
	case orb.Polygon:
		return transformPolygon(g, f)
	case orb.MultiPolygon:
		return mapEach(g, func(p orb.Polygon) orb.Polygon { return transformPolygon(p, f) })
	case orb.Collection:
		return mapEach(g, func(c orb.Geometry) orb.Geometry { return Transform(c, f) })
	case orb.Bound:
		corners := [4]orb.Point{
			g.Min, {g.Max[0], g.Min[1]}, g.Max, {g.Min[0], g.Max[1]},
		}
		b := orb.Bound{Min: f(corners[0]), Max: f(corners[0])}
		for _, c := range corners[1:] {
			b = b.Extend(f(c))
		}
		return b
	}
	return nil
}

// mapEach applies fn to every element. It keeps nil as nil so an empty
// input stays distinguishable from an empty-but-allocated one after
// transforming.
func mapEach[S ~[]E, E any](in S, fn func(E) E) S {
	if in == nil {
		return nil
	}
	out := make(S, len(in))
	for i, e := range in {
		out[i] = fn(e)
	}
	return out
}

func mapPoints[S ~[]orb.Point](in S, f func(orb.Point) orb.Point) S { return mapEach(in, f) }

func transformPolygon(p orb.Polygon, f func(orb.Point) orb.Point) orb.Polygon {
	return mapEach(p, func(r orb.Ring) orb.Ring { return mapPoints(r, f) })
}

// AreaM2 returns the area in m² of a lon/lat (EPSG:4490) Polygon or
// MultiPolygon, measured on the EPSG:4549 plane as the official land
// figures are. Holes are subtracted whatever their winding. Other
// geometry types have no area and give 0.
func AreaM2(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonAreaM2(g)
	case orb.MultiPolygon:
		var sum float64
		for _, p := range g {
			sum += polygonAreaM2(p)
		}
		return sum
	}
	return 0
}

func polygonAreaM2(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := ringAreaM2(p[0])
	for _, hole := range p[1:] {
		a -= ringAreaM2(hole)
	}
	return a
}

// ringAreaM2 is the absolute shoelace area of a ring after projecting to
// EPSG:4549. Coordinates are taken relative to the first vertex so the
// large northings (~3.3e6 m) do not eat the precision of small parcels.
// Works whether or not the ring repeats its first point at the end.
func ringAreaM2(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	o := To4549(r[0])
	var sum float64
	prev := orb.Point{0, 0}
	for _, ll := range r[1:] {
		q := To4549(ll)
		cur := orb.Point{q[0] - o[0], q[1] - o[1]}
		sum += prev[0]*cur[1] - cur[0]*prev[1]
		prev = cur
	}
	// Closing edge back to the origin vertex contributes zero, so it is
	// omitted.
	return math.Abs(sum) / 2
}

package mvt

import (
	"fmt"

	"github.com/paulmach/orb"
)

// The tests write features through these two: the typed calls and AddWKB
// are what the server uses, and these simpler forms are the reference
// they are checked against.

// Property adds one property to the feature being written. v is a string,
// int64, float64 or bool; nil leaves the property out (as ST_AsMVT leaves
// out a NULL). Integers are written as ST_AsMVT writes them: uint_value
// when not negative, else sint_value.
func (l *Layer) Property(key string, v any) {
	if v == nil {
		return
	}
	switch v := v.(type) {
	case string:
		l.String(l.Key(key), v)
	case int64:
		l.Int(l.Key(key), v)
	case float64:
		l.Float(l.Key(key), v)
	case bool:
		l.Bool(l.Key(key), v)
	default:
		panic(fmt.Sprintf("mvt: a property of type %T", v))
	}
}

// AddMultiPolygon adds mp (lon/lat) to the feature l is writing as AddWKB
// adds the same outline in WKB: each
// polygon projected, clipped, snapped, with repeated vertices dropped,
// rings that collapse to no area left out (a polygon whose exterior ring
// collapses, whole) and every ring turned the way the spec wants. It
// reports whether any ring was added.
func (g *Grid) AddMultiPolygon(l *Layer, mp orb.MultiPolygon) bool {
	added := false
	for _, poly := range mp {
		g.pts, g.ends = g.pts[:0], g.ends[:0]
		for _, r := range poly {
			for _, p := range r {
				g.pts = append(g.pts, g.Project(p))
			}
			g.ends = append(g.ends, len(g.pts))
		}
		added = g.addProjected(l) || added
	}
	return added
}

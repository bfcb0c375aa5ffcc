package mvt

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// earthRadius is Web Mercator's (EPSG:3857) sphere.
const earthRadius = 6378137.0

// Grid maps lon/lat to the integer grid of tile (Z, X, Y) as PostGIS's
// ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), extent,
// buffer, true) does: Web Mercator, clipped to the tile plus buffer, the
// y axis pointing down, snapped to whole units. Lon/lat in EPSG:4490
// (CGCS2000) go into Web Mercator unchanged, as PostGIS transforms them:
// the two datums differ by centimetres, far below a grid unit.
type Grid struct {
	extent     float64
	scale      float64 // grid units per metre
	minX, maxY float64 // the tile's north-west corner in Web Mercator metres
	clip       orb.Bound
}

// NewGrid is the grid of tile (z, x, y) with extent units a side and a
// margin of buffer units kept around it.
func NewGrid(z, x, y, extent, buffer int) *Grid {
	size := 2 * math.Pi * earthRadius / float64(int64(1)<<z)
	b := float64(buffer)
	return &Grid{
		extent: float64(extent),
		scale:  float64(extent) / size,
		minX:   -math.Pi*earthRadius + float64(x)*size,
		maxY:   math.Pi*earthRadius - float64(y)*size,
		clip:   orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{float64(extent) + b, float64(extent) + b}},
	}
}

// Project is lon/lat in grid units, not yet snapped.
func (g *Grid) Project(p orb.Point) orb.Point {
	mx := p[0] * math.Pi / 180 * earthRadius
	my := math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360)) * earthRadius
	return orb.Point{(mx - g.minX) * g.scale, (g.maxY - my) * g.scale}
}

// AddMultiPolygon adds mp (lon/lat) to the feature l is writing: each
// polygon projected, clipped, snapped, with repeated vertices dropped,
// rings that collapse to no area left out (a polygon whose exterior ring
// collapses, whole) and every ring turned the way the spec wants. It
// reports whether any ring was added.
func (g *Grid) AddMultiPolygon(l *Layer, mp orb.MultiPolygon) bool {
	added := false
	for _, poly := range mp {
		fp := make(orb.Polygon, len(poly))
		var b orb.Bound
		for i, r := range poly {
			fr := make(orb.Ring, len(r))
			for j, p := range r {
				fr[j] = g.Project(p)
			}
			fp[i] = fr
			if i == 0 {
				b = fr.Bound()
			}
		}
		if !b.Intersects(g.clip) {
			continue
		}
		if b.Min[0] < g.clip.Min[0] || b.Min[1] < g.clip.Min[1] || b.Max[0] > g.clip.Max[0] || b.Max[1] > g.clip.Max[1] {
			fp = clip.Polygon(g.clip, fp)
		}
		for i, r := range fp {
			pts := snap(r)
			a := area2(pts)
			if a == 0 {
				if i == 0 {
					break // the exterior collapsed: its holes go with it
				}
				continue
			}
			// Exterior rings have a positive area in the y-down grid, holes a negative one.
			if (i == 0) != (a > 0) {
				reverse(pts)
			}
			l.Ring(pts)
			added = true
		}
	}
	return added
}

// snap rounds a ring's vertices to whole units (half to even, as PostGIS's
// grid does), dropping repeats and the closing vertex.
func snap(r orb.Ring) [][2]int64 {
	out := make([][2]int64, 0, len(r))
	for _, p := range r {
		q := [2]int64{int64(math.RoundToEven(p[0])), int64(math.RoundToEven(p[1]))}
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// area2 is twice the signed area of a ring (shoelace), exact on the grid.
func area2(pts [][2]int64) int64 {
	var a int64
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a
}

// reverse turns a ring the other way round, keeping its first vertex (as
// reversing the closed ring does).
func reverse(pts [][2]int64) {
	for i, j := 1, len(pts)-1; i < j; i, j = i+1, j-1 {
		pts[i], pts[j] = pts[j], pts[i]
	}
}

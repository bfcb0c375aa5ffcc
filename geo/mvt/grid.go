package mvt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

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

	// Scratch space reused from polygon to polygon (a Grid serves one tile).
	pts  []orb.Point // a polygon's projected vertices, ring after ring
	ends []int       // where each ring of pts ends
	out  [][2]int64  // a ring snapped
	poly orb.Polygon // the rings of pts, for clipping
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

// AddWKB adds a Polygon or MultiPolygon in WKB (as ST_AsBinary gives it,
// either byte order, lon/lat) to the feature l is writing: each polygon
// projected, clipped, snapped, with repeated vertices dropped, rings that
// collapse to no area left out (a polygon whose exterior ring collapses,
// whole) and every ring turned the way the spec wants. It reports whether
// any ring was added. The WKB is read in place: the vertices
// are projected straight into the grid's scratch space, so a tile's
// outlines cost no allocation unless they have to be clipped.
func (g *Grid) AddWKB(l *Layer, b []byte) (bool, error) {
	order, typ, rest, err := wkbHeader(b)
	if err != nil {
		return false, err
	}
	switch typ {
	case 3:
		added, _, err := g.addWKBPolygon(l, order, rest)
		return added, err
	case 6:
		if len(rest) < 4 {
			return false, errWKB
		}
		n := order.Uint32(rest)
		rest = rest[4:]
		added := false
		for range n {
			o, t, r, err := wkbHeader(rest)
			if err != nil || t != 3 {
				return false, errWKB
			}
			a, r, err := g.addWKBPolygon(l, o, r)
			if err != nil {
				return false, err
			}
			added, rest = added || a, r
		}
		return added, nil
	}
	return false, fmt.Errorf("mvt: WKB geometry type %d is not a polygon", typ)
}

var errWKB = errors.New("mvt: WKB too short")

func wkbHeader(b []byte) (binary.ByteOrder, uint32, []byte, error) {
	if len(b) < 5 {
		return nil, 0, nil, errWKB
	}
	var order binary.ByteOrder = binary.LittleEndian
	if b[0] == 0 {
		order = binary.BigEndian
	}
	return order, order.Uint32(b[1:]), b[5:], nil
}

// addWKBPolygon projects and adds the WKB polygon body at the start of b
// and returns what follows it.
func (g *Grid) addWKBPolygon(l *Layer, order binary.ByteOrder, b []byte) (bool, []byte, error) {
	if len(b) < 4 {
		return false, nil, errWKB
	}
	rings := order.Uint32(b)
	b = b[4:]
	g.pts, g.ends = g.pts[:0], g.ends[:0]
	for range rings {
		if len(b) < 4 {
			return false, nil, errWKB
		}
		n := int(order.Uint32(b))
		b = b[4:]
		if len(b) < 16*n {
			return false, nil, errWKB
		}
		for j := range n {
			lon := math.Float64frombits(order.Uint64(b[16*j:]))
			lat := math.Float64frombits(order.Uint64(b[16*j+8:]))
			g.pts = append(g.pts, g.Project(orb.Point{lon, lat}))
		}
		b = b[16*n:]
		g.ends = append(g.ends, len(g.pts))
	}
	return g.addProjected(l), b, nil
}

// addProjected adds the polygon in g.pts and g.ends (projected, not yet
// snapped) to l's feature.
func (g *Grid) addProjected(l *Layer) bool {
	if len(g.ends) == 0 || g.ends[0] == 0 {
		return false
	}
	b := orb.Bound{Min: g.pts[0], Max: g.pts[0]}
	for _, p := range g.pts[1:g.ends[0]] {
		b = b.Extend(p)
	}
	if !b.Intersects(g.clip) {
		return false
	}
	added := false
	if b.Min[0] < g.clip.Min[0] || b.Min[1] < g.clip.Min[1] || b.Max[0] > g.clip.Max[0] || b.Max[1] > g.clip.Max[1] {
		// Only outlines crossing the margin are clipped (and copied for it).
		g.poly = g.poly[:0]
		start := 0
		for _, end := range g.ends {
			g.poly = append(g.poly, slices.Clone(orb.Ring(g.pts[start:end])))
			start = end
		}
		for i, r := range clip.Polygon(g.clip, g.poly) {
			a, ok := g.addRing(l, i, r)
			if !ok {
				break
			}
			added = added || a
		}
		return added
	}
	start := 0
	for i, end := range g.ends {
		a, ok := g.addRing(l, i, orb.Ring(g.pts[start:end]))
		if !ok {
			break
		}
		added, start = added || a, end
	}
	return added
}

// addRing snaps ring i of a polygon (0 the exterior) and adds it to l's
// feature unless it collapses; ok is false when the exterior collapsed
// (its holes go with it).
func (g *Grid) addRing(l *Layer, i int, r orb.Ring) (added, ok bool) {
	g.out = snap(g.out[:0], r)
	pts := g.out
	a := area2(pts)
	if a == 0 {
		return false, i != 0
	}
	// Exterior rings have a positive area in the y-down grid, holes a negative one.
	if (i == 0) != (a > 0) {
		reverse(pts)
	}
	l.Ring(pts)
	return true, true
}

// snap appends to out a ring's vertices rounded to whole units (half to
// even, as PostGIS's grid does), dropping repeats and the closing vertex.
func snap(out [][2]int64, r orb.Ring) [][2]int64 {
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

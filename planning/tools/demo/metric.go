package demo

import (
	"math"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/paulmach/orb"
)

// Everything in this file works on EPSG:4549 metres (X = easting,
// Y = northing). Lon/lat only appears at the edges of the package.

// polyset is a set of rings in metres read with the even-odd rule, so a
// MultiPolygon with holes is one polyset. Rings do not repeat their first
// point.
type polyset struct {
	rings [][]orb.Point
	bound orb.Bound
}

func newPolyset(rings [][]orb.Point) *polyset {
	ps := &polyset{}
	first := true
	for _, r := range rings {
		r = openRing(r)
		if len(r) < 3 {
			continue
		}
		ps.rings = append(ps.rings, r)
		for _, p := range r {
			if first {
				ps.bound = orb.Bound{Min: p, Max: p}
				first = false
			} else {
				ps.bound = ps.bound.Extend(p)
			}
		}
	}
	return ps
}

// polysetFromLonLat projects a lon/lat MultiPolygon to metres.
func polysetFromLonLat(mp orb.MultiPolygon) *polyset {
	var rings [][]orb.Point
	for _, poly := range mp {
		for _, r := range poly {
			m := make([]orb.Point, len(r))
			for i, p := range r {
				m[i] = geo.To4549(p)
			}
			rings = append(rings, m)
		}
	}
	return newPolyset(rings)
}

// openRing drops a closing point equal to the first one.
func openRing(r []orb.Point) []orb.Point {
	if len(r) > 1 && r[0] == r[len(r)-1] {
		return r[:len(r)-1]
	}
	return r
}

// contains reports whether p is inside (even-odd over all rings).
func (ps *polyset) contains(p orb.Point) bool {
	if !ps.bound.Contains(p) {
		return false
	}
	in := false
	for _, r := range ps.rings {
		if ringContains(r, p) {
			in = !in
		}
	}
	return in
}

// ringContains is the classic crossing test; points exactly on the
// boundary may go either way, which no caller relies on.
func ringContains(r []orb.Point, p orb.Point) bool {
	in := false
	j := len(r) - 1
	for i := range r {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if p[0] < x {
				in = !in
			}
		}
		j = i
	}
	return in
}

// distToBoundary is the distance from p to the nearest edge of ps.
func (ps *polyset) distToBoundary(p orb.Point) float64 {
	best := math.Inf(1)
	for _, r := range ps.rings {
		j := len(r) - 1
		for i := range r {
			if d := distPointSeg(p, r[j], r[i]); d < best {
				best = d
			}
			j = i
		}
	}
	return best
}

// signedDist is positive inside ps and negative outside.
func (ps *polyset) signedDist(p orb.Point) float64 {
	d := ps.distToBoundary(p)
	if ps.contains(p) {
		return d
	}
	return -d
}

// rayExit returns the distance along the ray from c in direction (dx, dy)
// (a unit vector) to the first boundary crossing, or +Inf.
func (ps *polyset) rayExit(c orb.Point, dx, dy float64) float64 {
	best := math.Inf(1)
	for _, r := range ps.rings {
		j := len(r) - 1
		for i := range r {
			a, b := r[j], r[i]
			ex, ey := b[0]-a[0], b[1]-a[1]
			den := dx*ey - dy*ex
			if den != 0 {
				wx, wy := a[0]-c[0], a[1]-c[1]
				t := (wx*ey - wy*ex) / den
				s := (wx*dy - wy*dx) / den
				if t > 0 && s >= 0 && s <= 1 && t < best {
					best = t
				}
			}
			j = i
		}
	}
	return best
}

func (ps *polyset) area() float64 {
	var a float64
	for _, r := range ps.rings {
		a += math.Abs(ringArea(r))
	}
	return a
}

// ringArea is the signed shoelace area (positive = counter-clockwise),
// taken relative to the first vertex to keep precision with large
// northings.
func ringArea(r []orb.Point) float64 {
	if len(r) < 3 {
		return 0
	}
	o := r[0]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		ax, ay := r[i][0]-o[0], r[i][1]-o[1]
		bx, by := r[i+1][0]-o[0], r[i+1][1]-o[1]
		s += ax*by - bx*ay
	}
	return s / 2
}

// ringCentroid is the area centroid of a simple ring.
func ringCentroid(r []orb.Point) orb.Point {
	o := r[0]
	var a, cx, cy float64
	for i := 1; i+1 < len(r); i++ {
		ax, ay := r[i][0]-o[0], r[i][1]-o[1]
		bx, by := r[i+1][0]-o[0], r[i+1][1]-o[1]
		c := ax*by - bx*ay
		a += c
		cx += (ax + bx) * c
		cy += (ay + by) * c
	}
	if a == 0 {
		return o
	}
	return orb.Point{o[0] + cx/(3*a), o[1] + cy/(3*a)}
}

func ccw(r []orb.Point) []orb.Point {
	if ringArea(r) < 0 {
		out := make([]orb.Point, len(r))
		for i := range r {
			out[i] = r[len(r)-1-i]
		}
		return out
	}
	return r
}

func dist(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

func distPointSeg(p, a, b orb.Point) float64 {
	ex, ey := b[0]-a[0], b[1]-a[1]
	l2 := ex*ex + ey*ey
	if l2 == 0 {
		return dist(p, a)
	}
	t := ((p[0]-a[0])*ex + (p[1]-a[1])*ey) / l2
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p[0]-a[0]-t*ex, p[1]-a[1]-t*ey)
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segsCross reports whether segments ab and cd share a point.
func segsCross(a, b, c, d orb.Point) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if opposite(d1, d2) && opposite(d3, d4) {
		return true
	}
	return touches(d1, c, d, a) || touches(d2, c, d, b) || touches(d3, a, b, c) || touches(d4, a, b, d)
}

// opposite reports whether x and y have strictly opposite signs.
func opposite(x, y float64) bool { return (x > 0 && y < 0) || (x < 0 && y > 0) }

// touches reports whether p, at orientation o to segment ab, lies on it.
func touches(o float64, a, b, p orb.Point) bool { return o == 0 && onSeg(a, b, p) }

func onSeg(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

func distSegSeg(a, b, c, d orb.Point) float64 {
	if segsCross(a, b, c, d) {
		return 0
	}
	return math.Min(math.Min(distPointSeg(a, c, d), distPointSeg(b, c, d)),
		math.Min(distPointSeg(c, a, b), distPointSeg(d, a, b)))
}

// inConvex reports whether p lies inside the convex counter-clockwise
// polygon q (boundary included).
func inConvex(q []orb.Point, p orb.Point) bool {
	j := len(q) - 1
	for i := range q {
		if orient(q[j], q[i], p) < 0 {
			return false
		}
		j = i
	}
	return true
}

// distSegQuad is the distance between segment ab and the convex ccw quad q.
func distSegQuad(a, b orb.Point, q *[4]orb.Point) float64 {
	if inConvex(q[:], a) {
		return 0
	}
	best := math.Inf(1)
	for i := 0; i < 4; i++ {
		if d := distSegSeg(a, b, q[i], q[(i+1)%4]); d < best {
			best = d
			if d == 0 {
				return 0
			}
		}
	}
	return best
}

// starBlob returns a simple star-shaped ring around c with n vertices and
// radius r(θ) given by f.
func starBlob(c orb.Point, n int, f func(theta float64) float64) []orb.Point {
	out := make([]orb.Point, n)
	for i := range out {
		th := 2 * math.Pi * float64(i) / float64(n)
		r := f(th)
		out[i] = orb.Point{c[0] + r*math.Cos(th), c[1] + r*math.Sin(th)}
	}
	return out
}

// band buffers a polyline by half-width h with mitred joins; fine for the
// gentle bends of a river.
func band(line []orb.Point, h float64) []orb.Point {
	n := len(line)
	left := make([]orb.Point, n)
	right := make([]orb.Point, n)
	for i := range line {
		var nx, ny float64
		add := func(a, b orb.Point) {
			dx, dy := b[0]-a[0], b[1]-a[1]
			l := math.Hypot(dx, dy)
			nx += -dy / l
			ny += dx / l
		}
		if i > 0 {
			add(line[i-1], line[i])
		}
		if i+1 < n {
			add(line[i], line[i+1])
		}
		l := math.Hypot(nx, ny)
		nx, ny = nx/l, ny/l
		scale := h
		if i > 0 && i+1 < n {
			// mitre: divide by the cosine of half the turning angle
			dx, dy := line[i+1][0]-line[i][0], line[i+1][1]-line[i][1]
			dl := math.Hypot(dx, dy)
			cos := (-dy/dl)*nx + (dx/dl)*ny
			scale = h / math.Max(cos, 0.5)
		}
		left[i] = orb.Point{line[i][0] + nx*scale, line[i][1] + ny*scale}
		right[i] = orb.Point{line[i][0] - nx*scale, line[i][1] - ny*scale}
	}
	out := make([]orb.Point, 0, 2*n)
	out = append(out, right...)
	for i := n - 1; i >= 0; i-- {
		out = append(out, left[i])
	}
	return ccw(out)
}

// toLonLatPolygon converts metre rings (open) into a closed lon/lat polygon.
func toLonLatPolygon(rings ...[]orb.Point) orb.Polygon {
	poly := make(orb.Polygon, 0, len(rings))
	for i, r := range rings {
		if i == 0 {
			r = ccw(r)
		} else if ringArea(r) > 0 { // holes clockwise
			r = reversed(r)
		}
		ll := make(orb.Ring, len(r)+1)
		for j, p := range r {
			ll[j] = geo.From4549(p)
		}
		ll[len(r)] = ll[0]
		poly = append(poly, ll)
	}
	return poly
}

func reversed(r []orb.Point) []orb.Point {
	out := make([]orb.Point, len(r))
	for i := range r {
		out[i] = r[len(r)-1-i]
	}
	return out
}

// scaleRingTo scales r about its centroid so that its area is target m².
func scaleRingTo(r []orb.Point, target float64) []orb.Point {
	c := ringCentroid(r)
	k := math.Sqrt(target / math.Abs(ringArea(r)))
	out := make([]orb.Point, len(r))
	for i, p := range r {
		out[i] = orb.Point{c[0] + (p[0]-c[0])*k, c[1] + (p[1]-c[1])*k}
	}
	return out
}

func lonLatRing(coords [][2]float64) []orb.Point {
	out := make([]orb.Point, len(coords))
	for i, c := range coords {
		out[i] = geo.To4549(orb.Point{c[0], c[1]})
	}
	return ccw(out)
}

func m4549(lon, lat float64) orb.Point { return geo.To4549(orb.Point{lon, lat}) }

package demo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// A constraint says a block must lie inside (or outside) a polyset, keeping
// at least margin metres from its boundary.
type constraint struct {
	ps     *polyset
	inside bool
	margin float64
}

type maskSeg struct {
	a, b   orb.Point
	margin float64
}

// Cell states of a mask.
const (
	cellForbidden uint8 = iota // wholly outside the allowed region
	cellAllowed                // wholly inside, farther than every margin from every boundary
	cellMixed                  // some boundary comes within its margin: test exactly
)

// mask answers "does this block lie wholly in the allowed region" fast: the
// region is the intersection of its constraints, pre-classified on a raster
// so that only blocks near a boundary need exact geometry. It is read-only
// after construction and safe for concurrent use.
type mask struct {
	cons   []constraint
	x0, y0 float64
	cell   float64
	nx, ny int
	state  []uint8
	start  []int32 // CSR offsets into segIdx, len nx*ny+1
	segIdx []int32
	segs   []maskSeg
}

func newMask(b orb.Bound, cell float64, cons []constraint) *mask {
	m := &mask{cons: cons, cell: cell}
	m.x0, m.y0 = b.Min[0]-cell, b.Min[1]-cell
	m.nx = int(math.Ceil((b.Max[0]-b.Min[0])/cell)) + 2
	m.ny = int(math.Ceil((b.Max[1]-b.Min[1])/cell)) + 2
	m.index(m.nearEdges())
	m.classify()
	return m
}

// cellSeg says boundary edge seg comes near cell.
type cellSeg struct{ cell, seg int32 }

// nearEdges registers every boundary edge that reaches the raster in
// m.segs and returns the cells each comes within its margin of (measured
// from the cell's centre, so half a diagonal more).
func (m *mask) nearEdges() []cellSeg {
	ext := orb.Bound{Min: orb.Point{m.x0, m.y0}, Max: orb.Point{m.x0 + float64(m.nx)*m.cell, m.y0 + float64(m.ny)*m.cell}}
	var pairs []cellSeg
	half := m.cell * math.Sqrt2 / 2
	for _, c := range m.cons {
		for _, r := range c.ps.rings {
			j := len(r) - 1
			for i := range r {
				a, bb := r[j], r[i]
				j = i
				sb := orb.Bound{Min: a, Max: a}.Extend(bb)
				reach := c.margin + half
				if sb.Max[0]+reach < ext.Min[0] || sb.Min[0]-reach > ext.Max[0] ||
					sb.Max[1]+reach < ext.Min[1] || sb.Min[1]-reach > ext.Max[1] {
					continue
				}
				si := int32(len(m.segs))
				m.segs = append(m.segs, maskSeg{a, bb, c.margin})
				pairs = m.cellsNear(pairs, si, sb, reach)
			}
		}
	}
	return pairs
}

// cellsNear appends the cells whose centre lies within reach of segment si
// (whose bound is sb).
func (m *mask) cellsNear(pairs []cellSeg, si int32, sb orb.Bound, reach float64) []cellSeg {
	s := &m.segs[si]
	i0, j0 := m.cellOf(sb.Min[0]-reach, sb.Min[1]-reach)
	i1, j1 := m.cellOf(sb.Max[0]+reach, sb.Max[1]+reach)
	for cj := j0; cj <= j1; cj++ {
		for ci := i0; ci <= i1; ci++ {
			if distPointSeg(m.center(ci, cj), s.a, s.b) <= reach {
				pairs = append(pairs, cellSeg{int32(cj*m.nx + ci), si})
			}
		}
	}
	return pairs
}

// index stores the pairs per cell (CSR: start, segIdx).
func (m *mask) index(pairs []cellSeg) {
	ncell := m.nx * m.ny
	m.start = make([]int32, ncell+1)
	for _, p := range pairs {
		m.start[p.cell+1]++
	}
	for i := 1; i <= ncell; i++ {
		m.start[i] += m.start[i-1]
	}
	m.segIdx = make([]int32, len(pairs))
	fill := slices.Clone(m.start[:ncell])
	for _, p := range pairs {
		m.segIdx[fill[p.cell]] = p.seg
		fill[p.cell]++
	}
}

// classify sets the state of every cell: mixed where an edge is near,
// else by its centre, one scanline per row: allowed when inside every
// inside-constraint and no outside one.
func (m *mask) classify() {
	nInside := 0
	for _, c := range m.cons {
		if c.inside {
			nInside++
		}
	}
	m.state = make([]uint8, m.nx*m.ny)
	count := make([]int16, m.nx)
	forb := make([]bool, m.nx)
	var xs []float64
	for cj := 0; cj < m.ny; cj++ {
		yc := m.y0 + (float64(cj)+0.5)*m.cell
		clear(count)
		clear(forb)
		for _, c := range m.cons {
			xs = m.scanRow(c, yc, xs, count, forb)
		}
		for ci := 0; ci < m.nx; ci++ {
			idx := cj*m.nx + ci
			switch {
			case m.start[idx+1] > m.start[idx]:
				m.state[idx] = cellMixed
			case int(count[ci]) == nInside && !forb[ci]:
				m.state[idx] = cellAllowed
			default:
				m.state[idx] = cellForbidden
			}
		}
	}
}

// scanRow marks the cell centres of the row at yc that lie in c: counted
// for an inside-constraint, forbidden for an outside one. xs is scratch,
// returned for reuse.
func (m *mask) scanRow(c constraint, yc float64, xs []float64, count []int16, forb []bool) []float64 {
	if yc < c.ps.bound.Min[1] || yc > c.ps.bound.Max[1] {
		return xs
	}
	xs = xs[:0]
	for _, r := range c.ps.rings {
		j := len(r) - 1
		for i := range r {
			a, bb := r[i], r[j]
			if (a[1] > yc) != (bb[1] > yc) {
				xs = append(xs, a[0]+(yc-a[1])*(bb[0]-a[0])/(bb[1]-a[1]))
			}
			j = i
		}
	}
	slices.Sort(xs)
	for k := 0; k+1 < len(xs); k += 2 {
		i0 := int(math.Ceil((xs[k]-m.x0)/m.cell - 0.5))
		i1 := int(math.Floor((xs[k+1]-m.x0)/m.cell - 0.5))
		i0 = max(i0, 0)
		i1 = min(i1, m.nx-1)
		for ci := i0; ci <= i1; ci++ {
			if c.inside {
				count[ci]++
			} else {
				forb[ci] = true
			}
		}
	}
	return xs
}

func (m *mask) cellOf(x, y float64) (int, int) {
	i := int(math.Floor((x - m.x0) / m.cell))
	j := int(math.Floor((y - m.y0) / m.cell))
	return min(max(i, 0), m.nx-1), min(max(j, 0), m.ny-1)
}

func (m *mask) center(i, j int) orb.Point {
	return orb.Point{m.x0 + (float64(i)+0.5)*m.cell, m.y0 + (float64(j)+0.5)*m.cell}
}

// cellRange is the cells i0..i1 by j0..j1 of a raster, ends included.
type cellRange struct{ i0, j0, i1, j1 int }

// quadRange returns the cells of the bound of q and whether they lie
// within the raster.
func (m *mask) quadRange(q *[4]orb.Point) (cellRange, bool) {
	minx, miny := q[0][0], q[0][1]
	maxx, maxy := minx, miny
	for _, p := range q[1:] {
		minx, maxx = math.Min(minx, p[0]), math.Max(maxx, p[0])
		miny, maxy = math.Min(miny, p[1]), math.Max(maxy, p[1])
	}
	fi0 := math.Floor((minx - m.x0) / m.cell)
	fj0 := math.Floor((miny - m.y0) / m.cell)
	fi1 := math.Floor((maxx - m.x0) / m.cell)
	fj1 := math.Floor((maxy - m.y0) / m.cell)
	if fi0 < 0 || fj0 < 0 || fi1 >= float64(m.nx) || fj1 >= float64(m.ny) {
		return cellRange{}, false
	}
	return cellRange{int(fi0), int(fj0), int(fi1), int(fj1)}, true
}

// cellMeetsQuad is a separating-axis test between raster cell (i, j) and
// the convex quad q; the caller already knows their bounds overlap.
func (m *mask) cellMeetsQuad(i, j int, q *[4]orb.Point) bool {
	x0 := m.x0 + float64(i)*m.cell
	y0 := m.y0 + float64(j)*m.cell
	rect := [4]orb.Point{{x0, y0}, {x0 + m.cell, y0}, {x0 + m.cell, y0 + m.cell}, {x0, y0 + m.cell}}
	for e := 0; e < 2; e++ {
		nx, ny := -(q[e+1][1] - q[e][1]), q[e+1][0]-q[e][0]
		qmin, qmax := math.Inf(1), math.Inf(-1)
		for _, p := range q {
			v := p[0]*nx + p[1]*ny
			qmin, qmax = math.Min(qmin, v), math.Max(qmax, v)
		}
		rmin, rmax := math.Inf(1), math.Inf(-1)
		for _, p := range rect {
			v := p[0]*nx + p[1]*ny
			rmin, rmax = math.Min(rmin, v), math.Max(rmax, v)
		}
		if rmax < qmin || rmin > qmax {
			return false
		}
	}
	return true
}

// quadOK reports whether the convex ccw quad q lies wholly in the allowed
// region, keeping every margin: the raster answers unless q meets a mixed
// cell; then the edges near those cells decide, and a quad that meets no
// allowed cell is judged by its centre.
func (m *mask) quadOK(q *[4]orb.Point) bool {
	cr, ok := m.quadRange(q)
	if !ok {
		return false
	}
	anyAllowed, anyMixed, forbidden := m.quadStates(q, cr)
	switch {
	case forbidden:
		return false
	case !anyMixed:
		return anyAllowed
	case m.edgeWithinMargin(q, cr):
		return false
	case anyAllowed:
		return true
	}
	c := orb.Point{(q[0][0] + q[2][0]) / 2, (q[0][1] + q[2][1]) / 2}
	return m.pointOK(c)
}

// quadStates reports which states the cells q meets have; it stops at the
// first forbidden one.
func (m *mask) quadStates(q *[4]orb.Point, cr cellRange) (anyAllowed, anyMixed, forbidden bool) {
	for j := cr.j0; j <= cr.j1; j++ {
		for i := cr.i0; i <= cr.i1; i++ {
			st := m.state[j*m.nx+i]
			if st == cellAllowed && anyAllowed {
				continue
			}
			if !m.cellMeetsQuad(i, j, q) {
				continue
			}
			switch st {
			case cellForbidden:
				return anyAllowed, anyMixed, true
			case cellAllowed:
				anyAllowed = true
			default:
				anyMixed = true
			}
		}
	}
	return anyAllowed, anyMixed, false
}

// edgeWithinMargin reports whether a boundary edge registered in a mixed
// cell that q meets comes within its margin of q.
func (m *mask) edgeWithinMargin(q *[4]orb.Point, cr cellRange) bool {
	for j := cr.j0; j <= cr.j1; j++ {
		for i := cr.i0; i <= cr.i1; i++ {
			idx := j*m.nx + i
			if m.state[idx] != cellMixed || !m.cellMeetsQuad(i, j, q) {
				continue
			}
			for _, si := range m.segIdx[m.start[idx]:m.start[idx+1]] {
				s := &m.segs[si]
				if distSegQuad(s.a, s.b, q) <= s.margin {
					return true
				}
			}
		}
	}
	return false
}

// quadMaybe reports whether q touches any cell that is not forbidden.
func (m *mask) quadMaybe(q *[4]orb.Point) bool {
	cr, ok := m.quadRange(q)
	if !ok {
		// Clip to the raster: partly outside is fine for this rough test.
		minx, miny := math.Inf(1), math.Inf(1)
		maxx, maxy := math.Inf(-1), math.Inf(-1)
		for _, p := range q {
			minx, maxx = math.Min(minx, p[0]), math.Max(maxx, p[0])
			miny, maxy = math.Min(miny, p[1]), math.Max(maxy, p[1])
		}
		cr.i0, cr.j0 = m.cellOf(minx, miny)
		cr.i1, cr.j1 = m.cellOf(maxx, maxy)
	}
	for j := cr.j0; j <= cr.j1; j++ {
		for i := cr.i0; i <= cr.i1; i++ {
			if m.state[j*m.nx+i] != cellForbidden && m.cellMeetsQuad(i, j, q) {
				return true
			}
		}
	}
	return false
}

// pointOK tests a point exactly against every constraint (margins ignored).
func (m *mask) pointOK(p orb.Point) bool {
	for _, c := range m.cons {
		if c.ps.contains(p) != c.inside {
			return false
		}
	}
	return true
}

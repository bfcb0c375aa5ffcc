package demo

import (
	"math"
	"slices"
)

// A block (街坊) is the land between four streets. It is laid out in its own
// canonical frame: u along its long side [0, L], v across [0, S]. Column
// lines cross it from v=0 to v=S (some slanted); each column is cut into
// rows. Every vertex is computed once into a shared point table, so
// neighbouring parcels reference the very same coordinates, and every
// T-junction is a vertex of all the parcels that meet there.

type blockPoint struct {
	u, v float64
	line int16 // column line the point lies on, -1 if none
}

type blockLayout struct {
	pts   []blockPoint
	rings [][]int32 // one ring per parcel, counter-clockwise, not closed
	// scratch
	lines [][]linePoint
	uses  []int16
}

type linePoint struct {
	v   float64
	idx int32
}

// blockPlan is decided by the first draws of a block's stream, so the
// capacity pass can count parcels without laying anything out.
type blockPlan struct {
	parcels int    // surface parcels
	merge   bool   // one L-shaped parcel from two cells
	twins   uint32 // bit i: surface parcel i has an underground twin
}

func (bp blockPlan) total() int {
	n := bp.parcels
	for t := bp.twins; t != 0; t &= t - 1 {
		n++
	}
	return n
}

// Parcel sizes at level 0: a block gets enough parcels to keep them
// between about 0.6 and 4.5 ha; finer levels scale this by s².
const (
	parcelMaxM2    = 45000.0
	parcelMinM2    = 6000.0
	undergroundPct = 0.005
)

func planBlock(r *rng, areaM2, s2 float64) blockPlan {
	kmin := int(math.Ceil(areaM2 / (parcelMaxM2 * s2)))
	kmax := int(math.Floor(areaM2 / (parcelMinM2 * s2)))
	kmin = min(max(kmin, 1), 6)
	kmax = min(max(kmax, 1), 6)
	if kmin > kmax {
		kmin = kmax
	}
	var bp blockPlan
	bp.parcels = kmin + r.IntN(kmax-kmin+1)
	bp.merge = bp.parcels >= 2 && bp.parcels <= 5 && r.chance(0.2)
	for i := 0; i < bp.parcels; i++ {
		if r.chance(undergroundPct) {
			bp.twins |= 1 << i
		}
	}
	return bp
}

func (bl *blockLayout) reset() {
	bl.pts = bl.pts[:0]
	for i := range bl.rings {
		bl.rings[i] = bl.rings[i][:0]
	}
	bl.rings = bl.rings[:0]
}

func (bl *blockLayout) addPoint(u, v float64, line int) int32 {
	bl.pts = append(bl.pts, blockPoint{u, v, int16(line)})
	return int32(len(bl.pts) - 1)
}

func (bl *blockLayout) newRing() *[]int32 {
	if len(bl.rings) < cap(bl.rings) {
		bl.rings = bl.rings[:len(bl.rings)+1]
	} else {
		bl.rings = append(bl.rings, nil)
	}
	bl.rings[len(bl.rings)-1] = bl.rings[len(bl.rings)-1][:0]
	return &bl.rings[len(bl.rings)-1]
}

// layout subdivides an L x S block (L >= S) into bp.parcels parcels.
// scale is the level's length scale (1 at level 0). The steps draw from r
// in a fixed order (columns and rows, widths, slants, row cuts, the merge):
// the same seed gives the same parcels.
func (bl *blockLayout) layout(r *rng, L, S float64, bp blockPlan, scale float64) {
	bl.reset()
	g := drawGrid(r, L, S, bp)
	bl.placeLines(&g, S)
	cells, nc := bl.cutCells(&g, S)
	if bp.merge {
		bl.mergeTwo(r, cells[:nc], S)
	}
	bl.countUses()
	bl.dropCollinear()
	bl.chamfer(r, L, S, g.m, scale)
}

// blockGrid is a block's columns and rows before any point is placed.
type blockGrid struct {
	m        int           // columns, 1 to 3
	rows     [3]int        // rows of each column, 1 to 3
	bot, top [4]float64    // u of each column line at v=0 and v=S
	cuts     [3][2]float64 // v of each column's row cuts
}

// blockCell is one cell of the grid: rows vlo..vhi of column col.
type blockCell struct {
	col      int
	vlo, vhi float64
}

func drawGrid(r *rng, L, S float64, bp blockPlan) blockGrid {
	var g blockGrid
	g.drawRows(r, bp)
	g.drawColumns(r, L)
	g.drawCuts(r, S)
	return g
}

// drawRows decides the columns and how many rows each has (a merge takes
// one cell more, and needs two columns).
func (g *blockGrid) drawRows(r *rng, bp blockPlan) {
	cells := bp.parcels
	if bp.merge {
		cells++
	}
	lo, hi := (cells+2)/3, min(3, cells)
	if bp.merge {
		lo, hi = max(lo, 2), min(hi, cells-1)
	}
	g.m = lo + r.IntN(hi-lo+1)
	for j := 0; j < g.m; j++ {
		g.rows[j] = 1
	}
	for extra := cells - g.m; extra > 0; extra-- {
		var open [3]int
		n := 0
		for j := 0; j < g.m; j++ {
			if g.rows[j] < 3 {
				open[n] = j
				n++
			}
		}
		g.rows[open[r.IntN(n)]]++
	}
}

// drawColumns places the column lines: widths roughly follow the row
// counts so parcels stay alike, and some inner lines slant.
func (g *blockGrid) drawColumns(r *rng, L float64) {
	var w [3]float64
	var wsum float64
	for j := 0; j < g.m; j++ {
		w[j] = math.Pow(float64(g.rows[j]), 0.7) * r.uniform(0.7, 1.3)
		wsum += w[j]
	}
	acc := 0.0
	for j := 1; j < g.m; j++ {
		acc += w[j-1]
		g.bot[j] = L * acc / wsum
		g.top[j] = g.bot[j]
	}
	g.bot[g.m], g.top[g.m] = L, L
	for j := 1; j < g.m; j++ {
		if r.chance(0.35) {
			wl := g.bot[j] - g.bot[j-1]
			wr := g.bot[j+1] - g.bot[j]
			g.top[j] = g.bot[j] + r.uniform(-0.3, 0.3)*math.Min(wl, wr)
		}
	}
}

// drawCuts cuts each column of more than one row across.
func (g *blockGrid) drawCuts(r *rng, S float64) {
	for j := 0; j < g.m; j++ {
		if g.rows[j] == 1 {
			continue
		}
		var rw [3]float64
		var rs float64
		for k := 0; k < g.rows[j]; k++ {
			rw[k] = r.uniform(0.65, 1.35)
			rs += rw[k]
		}
		a := 0.0
		for k := 0; k < g.rows[j]-1; k++ {
			a += rw[k]
			g.cuts[j][k] = S * a / rs
		}
	}
}

// placeLines puts the points on each column line: both ends plus the row
// cuts of the columns on either side, each once.
func (bl *blockLayout) placeLines(g *blockGrid, S float64) {
	if cap(bl.lines) < g.m+1 {
		bl.lines = make([][]linePoint, g.m+1)
	}
	bl.lines = bl.lines[:g.m+1]
	for i := 0; i <= g.m; i++ {
		vs := [6]float64{0, S}
		nv := 2
		if i > 0 {
			nv += copy(vs[nv:], g.cuts[i-1][:g.rows[i-1]-1])
		}
		if i < g.m {
			nv += copy(vs[nv:], g.cuts[i][:g.rows[i]-1])
		}
		slices.Sort(vs[:nv])
		lp := bl.lines[i][:0]
		for k := 0; k < nv; k++ {
			v := vs[k]
			if k > 0 && v == vs[k-1] {
				continue
			}
			lp = append(lp, linePoint{v, bl.addPoint(g.lineU(i, v, S), v, i)})
		}
		bl.lines[i] = lp
	}
}

// lineU is the u of column line i at v.
func (g *blockGrid) lineU(i int, v, S float64) float64 {
	switch v {
	case 0:
		return g.bot[i]
	case S:
		return g.top[i]
	}
	return g.bot[i] + (g.top[i]-g.bot[i])*v/S
}

// cutCells makes one ring per cell, counter-clockwise: up the right line,
// down the left one.
func (bl *blockLayout) cutCells(g *blockGrid, S float64) (cells [7]blockCell, n int) {
	for j := 0; j < g.m; j++ {
		vlo := 0.0
		for k := 0; k < g.rows[j]; k++ {
			vhi := S
			if k < g.rows[j]-1 {
				vhi = g.cuts[j][k]
			}
			ring := bl.newRing()
			for _, lp := range bl.lines[j+1] {
				if lp.v >= vlo && lp.v <= vhi {
					*ring = append(*ring, lp.idx)
				}
			}
			left := bl.lines[j]
			for q := len(left) - 1; q >= 0; q-- {
				if left[q].v >= vlo && left[q].v <= vhi {
					*ring = append(*ring, left[q].idx)
				}
			}
			cells[n] = blockCell{j, vlo, vhi}
			n++
			vlo = vhi
		}
	}
	return cells, n
}

// mergeTwo merges two cells of neighbouring columns whose spans differ
// into one L- or step-shaped parcel.
func (bl *blockLayout) mergeTwo(r *rng, cells []blockCell, S float64) {
	type pair struct{ a, b int }
	var cand [12]pair
	n := 0
	for a, ca := range cells {
		for b, cb := range cells {
			if cb.col != ca.col+1 {
				continue
			}
			lo, hi := math.Max(ca.vlo, cb.vlo), math.Min(ca.vhi, cb.vhi)
			if hi-lo > 0.12*S && (ca.vlo != cb.vlo || ca.vhi != cb.vhi) && n < len(cand) {
				cand[n] = pair{a, b}
				n++
			}
		}
	}
	if n == 0 {
		// Cannot happen with the column rules of drawRows; keep the count.
		bl.rings = bl.rings[:len(bl.rings)-1]
		return
	}
	pr := cand[r.IntN(n)]
	ca, cb := cells[pr.a], cells[pr.b]
	line := bl.lines[ca.col+1]
	p1 := findV(line, math.Max(ca.vlo, cb.vlo))
	p2 := findV(line, math.Min(ca.vhi, cb.vhi))
	bl.rings[pr.a] = mergeRings(bl.rings[pr.a], bl.rings[pr.b], p1, p2)
	bl.rings = slices.Delete(bl.rings, pr.b, pr.b+1)
}

func findV(line []linePoint, v float64) int32 {
	for _, lp := range line {
		if lp.v == v {
			return lp.idx
		}
	}
	panic("demo: block line point not found")
}

// mergeRings joins ring a (which runs p1 -> p2 along the shared line) with
// ring b (which runs p2 -> p1).
func mergeRings(a, b []int32, p1, p2 int32) []int32 {
	ia := slices.Index(a, p2)
	ib := slices.Index(b, p1)
	out := make([]int32, 0, len(a)+len(b)-2)
	for k := 0; k < len(a); k++ { // a from p2 round to p1
		v := a[(ia+k)%len(a)]
		out = append(out, v)
		if v == p1 {
			break
		}
	}
	for k := 1; k < len(b); k++ { // b after p1, up to but excluding p2
		v := b[(ib+k)%len(b)]
		if v == p2 {
			break
		}
		out = append(out, v)
	}
	return out
}

func (bl *blockLayout) countUses() {
	bl.uses = slices.Grow(bl.uses[:0], len(bl.pts))[:len(bl.pts)]
	clear(bl.uses)
	for _, r := range bl.rings {
		for _, i := range r {
			bl.uses[i]++
		}
	}
}

// dropCollinear removes straight-through vertices that no other parcel
// uses (left behind by a merge).
func (bl *blockLayout) dropCollinear() {
	for ri, r := range bl.rings {
		for k := 0; k < len(r) && len(r) > 3; {
			cur := r[k]
			if bl.uses[cur] == 1 {
				a := bl.pts[r[(k+len(r)-1)%len(r)]]
				c := bl.pts[cur]
				b := bl.pts[r[(k+1)%len(r)]]
				if (a.v == c.v && c.v == b.v) || (a.line >= 0 && a.line == c.line && c.line == b.line) {
					r = slices.Delete(r, k, k+1)
					bl.uses[cur] = 0
					continue
				}
			}
			k++
		}
		bl.rings[ri] = r
	}
}

// chamfer cuts some block corners (street corners, 切角) off the parcel
// that holds them.
func (bl *blockLayout) chamfer(r *rng, L, S float64, m int, scale float64) {
	corners := [4]int32{
		findV(bl.lines[0], 0), findV(bl.lines[m], 0),
		findV(bl.lines[m], S), findV(bl.lines[0], S),
	}
	for _, c := range corners {
		if !r.chance(0.3) {
			continue
		}
		size := r.uniform(4, 12) * math.Max(scale, 0.5)
		for ri, ring := range bl.rings {
			k := slices.Index(ring, c)
			if k < 0 {
				continue
			}
			prev := bl.pts[ring[(k+len(ring)-1)%len(ring)]]
			next := bl.pts[ring[(k+1)%len(ring)]]
			cp := bl.pts[c]
			dp := math.Hypot(prev.u-cp.u, prev.v-cp.v)
			dn := math.Hypot(next.u-cp.u, next.v-cp.v)
			if size > 0.25*math.Min(dp, dn) {
				break
			}
			a := bl.addPoint(cp.u+(prev.u-cp.u)*size/dp, cp.v+(prev.v-cp.v)*size/dp, -1)
			b := bl.addPoint(cp.u+(next.u-cp.u)*size/dn, cp.v+(next.v-cp.v)*size/dn, -1)
			ring = slices.Replace(ring, k, k+1, a, b)
			bl.rings[ri] = ring
			break
		}
	}
}

// ringAreaUV is the shoelace area of a ring of the point table.
func (bl *blockLayout) ringAreaUV(ring []int32) (area, cu, cv float64) {
	o := bl.pts[ring[0]]
	var a, x, y float64
	for i := 1; i+1 < len(ring); i++ {
		p, q := bl.pts[ring[i]], bl.pts[ring[i+1]]
		pu, pv := p.u-o.u, p.v-o.v
		qu, qv := q.u-o.u, q.v-o.v
		c := pu*qv - qu*pv
		a += c
		x += (pu + qu) * c
		y += (pv + qv) * c
	}
	if a == 0 {
		return 0, o.u, o.v
	}
	return a / 2, o.u + x/(3*a), o.v + y/(3*a)
}

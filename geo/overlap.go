package geo

import (
	"cmp"
	"math"
	"math/big"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// The import's in-file overlap check's pre-filter (planning/pgstore's
// import calls it; the rule itself stays in SQL). Of the pairs of parcels
// whose boxes meet, nearly all are neighbours that share an edge or
// a corner and nothing more; the self-join over the staging table's GiST
// index that found them and asked GEOS (ST_Intersects, ST_Relate) about
// each was the import's largest step (docs/SCALING.md). Here the outlines
// are kept as they are sent (the same float64 coordinates PostGIS
// stores), the pairs whose boxes meet are found on a grid, and a pair is
// dropped only when it is proved, in exact arithmetic, that the interiors
// of the two outlines do not meet: then ST_Relate(a, b, '2********') is
// false for it. Every other pair (the overlaps, outlines with holes or too
// many vertices, anything this code cannot decide) goes to the same SQL
// as before, which still applies the rule (validity, elevation, the
// 0.01 m² of intersection). The proof, per pair: each outline is cut into
// convex pieces (a convex ring as it is, any other ring into triangles by
// ear clipping), and every two pieces whose boxes meet are separated by
// the line of an edge of one of them (two convex polygons have disjoint
// interiors exactly when such an edge exists), every side test exact
// (Shewchuk's filtered orientation, math/big when the filter cannot
// tell). A ring PostGIS finds invalid may be cut wrongly, but such a row
// has valid = false and takes part in no pair anyway.

// outlineLimit bounds the coordinates kept (8 bytes each): past it, the
// SQL self-join checks the file. The 1M bench's parcels take 77 MB of
// coordinates and the whole pre-filter about 360 MB live: the import's
// peak RSS was 761 MB and 1,025 MB in two runs with the garbage
// collector's headroom (54-72 MB without): 256 MB of coordinates is about
// 3.3M such parcels and 3.5 GB.
const outlineLimit = 1 << 28 / 8

// maxPieceVertices bounds a ring that is cut into triangles (the ear
// clipping is cubic); a ring with more vertices sends its pairs to SQL.
const maxPieceVertices = 64

// Outlines are the outlines of the rows of a file, as they are sent to the
// database (the same float64 coordinates PostGIS stores), for PairsToCheck.
type Outlines struct {
	feature []int64
	box     [][4]float64 // min x, min y, max x, max y
	first   []int32      // the row's first ring in ringAt; one more than rows
	ringAt  []int32      // each ring's first point in xy; one more than rings
	xy      []float64    // the rings' points, open (no closing point), no point repeated next to itself
	complex []bool       // holes or an empty ring: every pair of the row goes to SQL
	over    bool         // more coordinates than outlineLimit: the whole check in SQL
}

func NewOutlines() *Outlines {
	return &Outlines{first: []int32{0}, ringAt: []int32{0}}
}

// Add keeps one row's outline (its polygons' outer rings).
func (o *Outlines) Add(feature int64, mp orb.MultiPolygon) {
	if o.over || len(mp) == 0 {
		return
	}
	box := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	complex := false
	rings, points := len(o.ringAt), len(o.xy)
	for _, p := range mp {
		if len(p) != 1 {
			complex = true // holes (or no ring)
		}
		if len(p) == 0 {
			continue
		}
		ring := p[0]
		if len(ring) > 1 && ring[0] == ring[len(ring)-1] {
			ring = ring[:len(ring)-1]
		}
		n := 0
		for i, pt := range ring {
			if i > 0 && pt == ring[i-1] {
				continue
			}
			o.xy = append(o.xy, pt[0], pt[1])
			n++
			box[0], box[1] = min(box[0], pt[0]), min(box[1], pt[1])
			box[2], box[3] = max(box[2], pt[0]), max(box[3], pt[1])
		}
		if n > 1 && ring[0] == ring[len(ring)-1] { // a closing point repeated
			o.xy = o.xy[:len(o.xy)-2]
			n--
		}
		if n < 3 {
			complex = true
		}
		o.ringAt = append(o.ringAt, int32(len(o.xy)/2))
	}
	if len(o.xy) > outlineLimit {
		o.over = true
		o.xy, o.box, o.feature, o.ringAt, o.first, o.complex = nil, nil, nil, nil, nil, nil
		return
	}
	if box[0] > box[2] {
		// No point: nothing to overlap (PostGIS finds it empty).
		o.ringAt, o.xy = o.ringAt[:rings], o.xy[:points]
		return
	}
	o.feature = append(o.feature, feature)
	o.box = append(o.box, box)
	o.first = append(o.first, int32(len(o.ringAt)-1))
	o.complex = append(o.complex, complex)
}

// piece is a convex polygon: its points (x, y pairs, open), counterclockwise
// when sign is 1, clockwise when -1.
type piece struct {
	xy   []float64
	sign float64
}

// cuts are the rows' outlines cut into convex pieces: a row of one convex
// ring is that ring (sign[i] its direction, no copy), any other row the
// triangles in tris[i]; a row that could not be cut is complex.
type cuts struct {
	sign []int8
	tris [][]float64
}

// pieces appends row i's pieces to buf.
func (o *Outlines) pieces(c *cuts, i int, buf []piece) []piece {
	if s := c.sign[i]; s != 0 {
		r := o.first[i]
		return append(buf, piece{o.xy[2*o.ringAt[r] : 2*o.ringAt[r+1]], float64(s)})
	}
	t := c.tris[i]
	for k := 0; k < len(t); k += 6 {
		buf = append(buf, piece{t[k : k+6 : k+6], 1})
	}
	return buf
}

// PairsToCheck returns the pairs of features (the smaller first) whose
// outlines may share interior; ok is false when the outlines were not kept
// (too many), and then every pair is to be checked.
func (o *Outlines) PairsToCheck() (pairs [][2]int64, ok bool) {
	if o.over {
		return nil, false
	}
	n := len(o.feature)
	if n < 2 {
		return nil, true
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	c := o.cutAll(workers)
	g := o.newGrid()
	entries, big, isBig := o.cells(g)
	if len(big) > 256 {
		return nil, false // boxes of every size: the GiST index serves better
	}

	// The cells' runs, split among the workers.
	var runs []int
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			runs = append(runs, i)
		}
	}
	runs = append(runs, len(entries))
	found := make([][][2]int64, workers)
	bufs := make([][2][]piece, workers)
	meet := func(a, b int) bool {
		ba, bb := o.box[a], o.box[b]
		return ba[0] <= bb[2] && bb[0] <= ba[2] && ba[1] <= bb[3] && bb[1] <= ba[3]
	}
	consider := func(w, a, b int) {
		apart := false
		if !o.complex[a] && !o.complex[b] {
			pa, pb := o.pieces(c, a, bufs[w][0][:0]), o.pieces(c, b, bufs[w][1][:0])
			bufs[w] = [2][]piece{pa, pb}
			apart = shapesApart(pa, pb)
		}
		if !apart {
			fa, fb := o.feature[a], o.feature[b]
			found[w] = append(found[w], [2]int64{min(fa, fb), max(fa, fb)})
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := w; r+1 < len(runs); r += workers {
				run := entries[runs[r]:runs[r+1]]
				k := run[0].key
				for i := range run {
					a := int(run[i].row)
					for j := i + 1; j < len(run); j++ {
						b := int(run[j].row)
						if !meet(a, b) {
							continue
						}
						ba, bb := o.box[a], o.box[b]
						if cellKey(g.cellOf(max(ba[0], bb[0]), max(ba[1], bb[1]))) != k {
							continue
						}
						consider(w, a, b)
					}
				}
			}
			for bi := w; bi < len(big); bi += workers {
				a := int(big[bi])
				for b := range n {
					if b == a || !meet(a, b) {
						continue
					}
					if isBig[b] && b < a {
						continue // the pair of two big rows, once
					}
					consider(w, a, b)
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range found {
		pairs = append(pairs, f...)
	}
	return pairs, true
}

// grid is a grid of square cells over the rows' boxes. A row goes into
// the cells its box meets; a pair is looked at in the cell where the lower
// left corner of the two boxes' common part lies, so once.
type grid struct{ x0, y0, cell float64 }

// newGrid makes cells twice the median box's larger side (of a sample).
func (o *Outlines) newGrid() grid {
	n := len(o.box)
	sides := make([]float64, 0, min(n, 4096))
	g := grid{x0: math.Inf(1), y0: math.Inf(1)}
	for i, b := range o.box {
		g.x0, g.y0 = min(g.x0, b[0]), min(g.y0, b[1])
		if i%max(1, n/4096) == 0 {
			sides = append(sides, max(b[2]-b[0], b[3]-b[1]))
		}
	}
	slices.Sort(sides)
	g.cell = 2 * sides[len(sides)/2]
	if !(g.cell > 0) || math.IsInf(g.cell, 0) {
		g.cell = 1
	}
	return g
}

// cellOf is the cell that holds the point (x, y).
func (g grid) cellOf(x, y float64) (cx, cy int64) {
	return int64(math.Floor((x - g.x0) / g.cell)), int64(math.Floor((y - g.y0) / g.cell))
}

func cellKey(cx, cy int64) uint64 { return uint64(cx)<<32 | uint64(uint32(cy)) }

type cellEntry struct {
	key uint64
	row int32
}

// cells places each row in the cells its box meets, sorted by cell then
// row; a row whose box meets more than 64 cells is big instead (isBig by
// row), and is paired with every row by its box.
func (o *Outlines) cells(g grid) (entries []cellEntry, big []int32, isBig []bool) {
	entries = make([]cellEntry, 0, 2*len(o.box))
	isBig = make([]bool, len(o.box))
	for i, b := range o.box {
		cx0, cy0 := g.cellOf(b[0], b[1])
		cx1, cy1 := g.cellOf(b[2], b[3])
		if (cx1-cx0+1)*(cy1-cy0+1) > 64 || cx1 >= 1<<31 || cy1 >= 1<<31 {
			big = append(big, int32(i))
			isBig[i] = true
			continue
		}
		for cx := cx0; cx <= cx1; cx++ {
			for cy := cy0; cy <= cy1; cy++ {
				entries = append(entries, cellEntry{cellKey(cx, cy), int32(i)})
			}
		}
	}
	slices.SortFunc(entries, func(a, b cellEntry) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.row, b.row)) })
	return entries, big, isBig
}

// cutAll cuts every row's outline into convex pieces on workers
// goroutines; a row that cannot be cut becomes complex.
func (o *Outlines) cutAll(workers int) *cuts {
	n := len(o.feature)
	c := &cuts{sign: make([]int8, n), tris: make([][]float64, n)}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if !o.complex[i] && !o.cut(c, i) {
					o.complex[i] = true
				}
			}
		}()
	}
	wg.Wait()
	return c
}

// cut cuts row i's outline into convex pieces (into c), or says it cannot.
func (o *Outlines) cut(c *cuts, i int) bool {
	r0, r1 := o.first[i], o.first[i+1]
	if r1-r0 == 1 {
		if sign := convexSign(o.xy[2*o.ringAt[r0] : 2*o.ringAt[r0+1]]); sign != 0 {
			c.sign[i] = int8(sign)
			return true
		}
	}
	var tris []float64
	for r := r0; r < r1; r++ {
		var ok bool
		if tris, ok = earClip(tris, o.xy[2*o.ringAt[r]:2*o.ringAt[r+1]]); !ok {
			return false
		}
	}
	c.tris[i] = tris
	return true
}

// convexSign is 1 for a counterclockwise convex ring, -1 for a clockwise
// one (collinear points allowed), 0 for any other.
func convexSign(ring []float64) float64 {
	n := len(ring) / 2
	if n < 3 {
		return 0
	}
	pos, neg := false, false
	for i := range n {
		p, c, q := (i+n-1)%n, i, (i+1)%n
		switch orient(ring[2*p], ring[2*p+1], ring[2*c], ring[2*c+1], ring[2*q], ring[2*q+1]) {
		case 1:
			pos = true
		case -1:
			neg = true
		}
		if pos && neg {
			return 0
		}
	}
	switch {
	case pos:
		return 1
	case neg:
		return -1
	}
	return 0
}

// earClip cuts a simple ring into counterclockwise triangles (x, y of
// three points each), appended to tris, or says it cannot.
func earClip(tris, ring []float64) ([]float64, bool) {
	n := len(ring) / 2
	if n < 3 || n > maxPieceVertices {
		return nil, false
	}
	pt := func(i int) (float64, float64) { return ring[2*i], ring[2*i+1] }
	// The ring's direction by the turn at its lowest-leftmost point.
	low := 0
	for i := 1; i < n; i++ {
		x, y := pt(i)
		lx, ly := pt(low)
		if x < lx || (x == lx && y < ly) {
			low = i
		}
	}
	px, py := pt((low + n - 1) % n)
	cx, cy := pt(low)
	qx, qy := pt((low + 1) % n)
	dir := orient(px, py, cx, cy, qx, qy)
	if dir == 0 {
		return nil, false
	}
	var buf [maxPieceVertices]int
	idx := buf[:n]
	for i := range idx {
		idx[i] = i
	}
	if dir < 0 {
		slices.Reverse(idx)
	}
	tris = slices.Grow(tris, 6*(n-2))
	for len(idx) > 3 {
		m := len(idx)
		cut := false
		for i := 0; i < m && !cut; i++ {
			ip, ic, in := idx[(i+m-1)%m], idx[i], idx[(i+1)%m]
			ax, ay := pt(ip)
			bx, by := pt(ic)
			cx, cy := pt(in)
			switch orient(ax, ay, bx, by, cx, cy) {
			case -1:
				continue // reflex
			case 0:
				// A point on the line of its neighbours: dropped when
				// between them (the ring's area is unchanged), else the
				// ring doubles back on itself.
				if min(ax, cx) <= bx && bx <= max(ax, cx) && min(ay, cy) <= by && by <= max(ay, cy) {
					idx = slices.Delete(idx, i, i+1)
					cut = true
					continue
				}
				return nil, false
			}
			ear := true
			for _, j := range idx {
				if j == ip || j == ic || j == in {
					continue
				}
				x, y := pt(j)
				if orient(ax, ay, bx, by, x, y) >= 0 && orient(bx, by, cx, cy, x, y) >= 0 && orient(cx, cy, ax, ay, x, y) >= 0 {
					ear = false
					break
				}
			}
			if ear {
				tris = append(tris, ax, ay, bx, by, cx, cy)
				idx = slices.Delete(idx, i, i+1)
				cut = true
			}
		}
		if !cut {
			return nil, false
		}
	}
	ax, ay := pt(idx[0])
	bx, by := pt(idx[1])
	cx, cy = pt(idx[2])
	if orient(ax, ay, bx, by, cx, cy) != 1 {
		return nil, false
	}
	return append(tris, ax, ay, bx, by, cx, cy), true
}

// shapesApart: no piece of a shares interior with a piece of b.
func shapesApart(a, b []piece) bool {
	for _, pa := range a {
		for _, pb := range b {
			if !piecesApart(pa, pb) {
				return false
			}
		}
	}
	return true
}

func pieceBox(p piece) (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = p.xy[0], p.xy[1], p.xy[0], p.xy[1]
	for i := 2; i < len(p.xy); i += 2 {
		x0, x1 = min(x0, p.xy[i]), max(x1, p.xy[i])
		y0, y1 = min(y0, p.xy[i+1]), max(y1, p.xy[i+1])
	}
	return
}

// piecesApart: the interiors of two convex pieces do not meet, proved by
// boxes that meet at most on their sides or by an edge of one whose line
// has the whole other piece on its outer side (or on it).
func piecesApart(a, b piece) bool {
	ax0, ay0, ax1, ay1 := pieceBox(a)
	bx0, by0, bx1, by1 := pieceBox(b)
	if ax1 <= bx0 || bx1 <= ax0 || ay1 <= by0 || by1 <= ay0 {
		return true
	}
	return edgeSeparates(a, b) || edgeSeparates(b, a)
}

// edgeSeparates: some edge of a has every point of b on or outside its line.
func edgeSeparates(a, b piece) bool {
	n := len(a.xy) / 2
edges:
	for i := range n {
		j := (i + 1) % n
		px, py, qx, qy := a.xy[2*i], a.xy[2*i+1], a.xy[2*j], a.xy[2*j+1]
		if px == qx && py == qy {
			continue
		}
		for k := 0; k < len(b.xy); k += 2 {
			if a.sign*float64(orient(px, py, qx, qy, b.xy[k], b.xy[k+1])) > 0 {
				continue edges // inside a's side
			}
		}
		return true
	}
	return false
}

// ccwErrBound is Shewchuk's ccwerrboundA: (3 + 16ε)ε, ε = 2⁻⁵³.
var ccwErrBound = (3 + 16*0x1p-53) * 0x1p-53

// orient is the exact sign of the turn a → b → c: 1 counterclockwise
// (c left of the line a → b), -1 clockwise, 0 collinear. Shewchuk's
// orient2d filter decides in float64 when the rounding cannot change the
// sign; otherwise math/big computes it exactly.
func orient(ax, ay, bx, by, cx, cy float64) int {
	// float64(...) keeps each product rounded on its own (no fused
	// multiply-add), which the error bound assumes.
	left := float64((ax - cx) * (by - cy))
	right := float64((ay - cy) * (bx - cx))
	det := left - right
	var sum float64
	switch {
	case left > 0:
		if right <= 0 {
			return cmp.Compare(det, 0)
		}
		sum = left + right
	case left < 0:
		if right >= 0 {
			return cmp.Compare(det, 0)
		}
		sum = -left - right
	default:
		return cmp.Compare(det, 0)
	}
	if bound := ccwErrBound * sum; det >= bound || -det >= bound {
		return cmp.Compare(det, 0)
	}
	return orientExact(ax, ay, bx, by, cx, cy)
}

// orientExact computes the turn's sign in arbitrary precision: differences
// and products of float64 values are exact at 4,400 bits.
func orientExact(ax, ay, bx, by, cx, cy float64) int {
	f := func(v float64) *big.Float { return new(big.Float).SetPrec(4400).SetFloat64(v) }
	dx1 := f(0).Sub(f(ax), f(cx))
	dy1 := f(0).Sub(f(by), f(cy))
	dy2 := f(0).Sub(f(ay), f(cy))
	dx2 := f(0).Sub(f(bx), f(cx))
	l := f(0).Mul(dx1, dy1)
	r := f(0).Mul(dy2, dx2)
	return l.Cmp(r)
}

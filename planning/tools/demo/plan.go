package demo

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// The grid. Each district is cut by a coarse grid of arterial roads
// (40-60 m wide, 0.9-2.7 km apart, turned to the district's main direction:
// Binjiang's follows the Qiantang bank) into super-cells. Every super-cell
// and every park block is a development area with its own street grid: in
// a super-cell the streets run from arterial to arterial; a park block's
// grid is turned to the block's longest side plus a few degrees. Street
// spacing varies street by street (blocks 160-420 m by 110-300 m at level
// 0), streets are 15-24 m wide with a 30-40 m road every 3-5 blocks. A
// block is kept only if it lies wholly inside its area's allowed region
// (its district or park block, off water, protected patches, other
// districts and other areas, with margins); a block cut by a boundary is
// split (with an 8 m lane) into pieces that may fit. Areas therefore never
// overlap, and parcels of different blocks are always separated by a gap.

const maxLevel = 18

// levelScale is the length scale of blocks at a level: level 0 gives
// normal urban parcels (about 0.6-4.5 ha); each level shrinks lengths by
// 15 % for when N parcels would not otherwise fit.
func levelScale(level int) float64 { return math.Pow(0.85, float64(level)) }

type frame struct {
	origin   orb.Point
	cos, sin float64
}

func newFrame(o orb.Point, angle float64) frame {
	return frame{origin: o, cos: math.Cos(angle), sin: math.Sin(angle)}
}

// local maps world metres into the frame.
func (f *frame) local(p orb.Point) (float64, float64) {
	dx, dy := p[0]-f.origin[0], p[1]-f.origin[1]
	return dx*f.cos + dy*f.sin, -dx*f.sin + dy*f.cos
}

// world maps frame coordinates back to metres.
func (f *frame) world(x, y float64) orb.Point {
	return orb.Point{f.origin[0] + x*f.cos - y*f.sin, f.origin[1] + x*f.sin + y*f.cos}
}

// area is one development area: a park block or a district super-cell.
type area struct {
	id       int
	district string
	park     string // dedicated park code, or ""
	prefix   int    // index into plan.prefixes
	ctx      *attrCtx
	grid     frame      // the street grid's frame
	ext      [4]float64 // umin, umax, vmin, vmax of the grid
	mask     *mask
	anchor   orb.Point // blocks fill outwards from here
	order    float64   // fill order of the area within its group
	seed     uint64
	cores    []*corePark // core parks whose outline attributes parcels by centroid
	capacity int
	quota    int
}

type corePark struct {
	code string
	ps   *polyset
}

type interval struct{ a, b float64 }

// streets lays out the street grid of an area at a level: block intervals
// along u (the long sides) and v. Super-cells are tiled exactly, from
// arterial to arterial; park grids start anywhere.
func (a *area) streets(level int, r *rng) (us, vs []interval) {
	r.reseed(mix(a.seed, tagStreets, uint64(level)))
	s := levelScale(level)
	exact := a.park == ""
	us = streetIntervals(r, a.ext[0], a.ext[1], 160*s, 420*s, level, exact)
	vs = streetIntervals(r, a.ext[2], a.ext[3], 110*s, 300*s, level, exact)
	return us, vs
}

func streetIntervals(r *rng, lo, hi, bmin, bmax float64, level int, exact bool) []interval {
	var out []interval
	pos := lo - r.Float64()*bmax
	minorExtra := 9 * math.Max(0, 1-float64(level)/6)
	every := 3 + r.IntN(3) + level/2
	since := r.IntN(every)
	first := true
	for pos < hi {
		w := 15 + r.Float64()*minorExtra
		if since >= every {
			w = 30 + 10*r.Float64()
			since = 0
			every = 3 + r.IntN(3) + level/2
		}
		since++
		a := pos + w
		if exact && first {
			a = lo // the arterial is the first street
		}
		first = false
		b := a + bmin + (bmax-bmin)*r.Float64()
		if exact && b > hi-bmin/2 {
			// the last block runs up to the arterial
			if hi-a < bmin/2 && len(out) > 0 {
				out[len(out)-1].b = hi
			} else {
				out = append(out, interval{a, hi})
			}
			break
		}
		out = append(out, interval{a, b})
		pos = b
	}
	return out
}

// blockQuad returns the world corners (ccw) of a block.
func (a *area) blockQuad(u, v interval) [4]orb.Point {
	return [4]orb.Point{
		a.grid.world(u.a, v.a), a.grid.world(u.b, v.a),
		a.grid.world(u.b, v.b), a.grid.world(u.a, v.b),
	}
}

// blockSpec is one buildable block: its rectangle in the grid frame and a
// key naming it (street indices plus the path of any splits).
type blockSpec struct {
	u, v interval
	key  uint64
}

// Blocks cut by a boundary (the district, a park, water, a protected
// patch) are split in two, with a lane between, up to maxSplit times, and
// the pieces that fit are kept, so land along boundaries is used too.
const (
	maxSplit = 3
	laneGap  = 8.0
)

// eachBlock calls fn for every block of the area at a level, in street
// order.
func (a *area) eachBlock(us, vs []interval, level int, fn func(blockSpec)) {
	minSide := 45 * levelScale(level)
	for j, v := range vs {
		for i, u := range us {
			a.tryBlock(u, v, uint64(i)<<40|uint64(j)<<16|1, 0, minSide, fn)
		}
	}
}

func (a *area) tryBlock(u, v interval, key uint64, depth int, minSide float64, fn func(blockSpec)) {
	q := a.blockQuad(u, v)
	if a.mask.quadOK(&q) {
		fn(blockSpec{u, v, key})
		return
	}
	if depth == maxSplit || !a.mask.quadMaybe(&q) {
		return
	}
	// Split across the long side, a little off centre.
	f := 0.5 + 0.3*(float64(splitmix(key^a.seed)>>11)/(1<<53)-0.5)
	if u.b-u.a >= v.b-v.a {
		m := u.a + (u.b-u.a)*f
		if m-laneGap/2-u.a < minSide || u.b-m-laneGap/2 < minSide {
			return
		}
		a.tryBlock(interval{u.a, m - laneGap/2}, v, key<<1, depth+1, minSide, fn)
		a.tryBlock(interval{m + laneGap/2, u.b}, v, key<<1|1, depth+1, minSide, fn)
	} else {
		m := v.a + (v.b-v.a)*f
		if m-laneGap/2-v.a < minSide || v.b-m-laneGap/2 < minSide {
			return
		}
		a.tryBlock(u, interval{v.a, m - laneGap/2}, key<<1, depth+1, minSide, fn)
		a.tryBlock(u, interval{m + laneGap/2, v.b}, key<<1|1, depth+1, minSide, fn)
	}
}

func blockSeed(a *area, level int, key uint64) uint64 {
	return mix(a.seed, tagBlock, uint64(level), key)
}

// capacityAt counts the parcels the area holds at a level.
func (a *area) capacityAt(level int, r *rng) int {
	us, vs := a.streets(level, r)
	s2 := levelScale(level) * levelScale(level)
	n := 0
	a.eachBlock(us, vs, level, func(b blockSpec) {
		r.reseed(blockSeed(a, level, b.key))
		n += planBlock(r, (b.u.b-b.u.a)*(b.v.b-b.v.a), s2).total()
	})
	return n
}

type group struct {
	name   string
	weight float64
	areas  []*area // in fill order
}

func (g *group) capacity() int {
	n := 0
	for _, a := range g.areas {
		n += a.capacity
	}
	return n
}

// chooseLevel finds the coarsest level at which all areas together hold n
// parcels and records every area's capacity at it.
func chooseLevel(areas []*area, n int) (int, error) {
	r := newRNG(0)
	total := func(level int) int {
		t := 0
		for _, a := range areas {
			a.capacity = a.capacityAt(level, r)
			t += a.capacity
		}
		return t
	}
	c0 := total(0)
	if c0 >= n {
		return 0, nil
	}
	if c0 == 0 {
		return 0, fmt.Errorf("the districts leave no room for parcels")
	}
	// Capacity grows about 1/0.85² per level: start just below the estimate.
	est := int(math.Ceil(math.Log(float64(n)/float64(c0)) / math.Log(1/(0.85*0.85))))
	level := max(1, est-1)
	for ; level <= maxLevel; level++ {
		if total(level) >= n {
			return level, nil
		}
	}
	return 0, fmt.Errorf("%d parcels do not fit in the districts (at most about %d at the smallest parcel size)", n, total(maxLevel))
}

// allocate splits n parcels between the groups by weight, then fills each
// group's areas in order.
func allocate(groups []*group, n int) {
	got := groupShares(groups, n)
	for i, g := range groups {
		left := got[i]
		for _, a := range g.areas {
			a.quota = min(a.capacity, left)
			left -= a.quota
		}
	}
}

// groupShares splits n parcels between the groups by weight,
// water-filling past groups that are full.
func groupShares(groups []*group, n int) []int {
	caps := make([]int, len(groups))
	got := make([]int, len(groups))
	for i, g := range groups {
		caps[i] = g.capacity()
	}
	remaining := n
	for remaining > 0 {
		w := openWeight(groups, got, caps)
		if w == 0 {
			break
		}
		snapshot := remaining
		given := 0
		for i, g := range groups {
			if got[i] >= caps[i] {
				continue
			}
			share := int(float64(snapshot) * g.weight / w)
			add := min(share, caps[i]-got[i])
			got[i] += add
			given += add
		}
		remaining -= given
		if given == 0 {
			// Rounding left a few: hand them out one by one in order.
			for i := range groups {
				if remaining > 0 && got[i] < caps[i] {
					got[i]++
					remaining--
				}
			}
		}
	}
	return got
}

// openWeight is the total weight of the groups with room left; 1 when only
// zero-weight groups have room, 0 when none has.
func openWeight(groups []*group, got, caps []int) float64 {
	var w float64
	room := false
	for i, g := range groups {
		if got[i] < caps[i] {
			w += g.weight
			room = true
		}
	}
	if w == 0 && room {
		return 1
	}
	return w
}

// superCells cuts a district into development areas.
func superCells(w *world, d *districtInfo, m *mask, nextID *int) []*area {
	r := newRNG(mix(w.seed, tagGrid, strHash(d.adcode)))
	angle := d.frameAngle
	f := newFrame(d.ps.bound.Center(), angle)
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, ring := range d.ps.rings {
		for _, p := range ring {
			x, y := f.local(p)
			x0, x1 = math.Min(x0, x), math.Max(x1, x)
			y0, y1 = math.Min(y0, y), math.Max(y1, y)
		}
	}
	type line struct{ at, width float64 }
	lines := func(lo, hi float64) []line {
		var out []line
		pos := lo - r.uniform(0, d.cellMax)
		for pos < hi+d.cellMax {
			out = append(out, line{pos, r.uniform(40, 60)})
			pos += r.uniform(d.cellMin, d.cellMax)
		}
		return out
	}
	xs := lines(x0, x1)
	ys := lines(y0, y1)
	var out []*area
	for cj := 0; cj+1 < len(ys); cj++ {
		for ci := 0; ci+1 < len(xs); ci++ {
			cell := [4]float64{
				xs[ci].at + xs[ci].width/2, xs[ci+1].at - xs[ci+1].width/2,
				ys[cj].at + ys[cj].width/2, ys[cj+1].at - ys[cj+1].width/2,
			}
			quad := [4]orb.Point{
				f.world(cell[0], cell[2]), f.world(cell[1], cell[2]),
				f.world(cell[1], cell[3]), f.world(cell[0], cell[3]),
			}
			if !m.quadMaybe(&quad) {
				continue
			}
			seed := mix(w.seed, tagArea, strHash(d.adcode), uint64(ci), uint64(cj))
			center := f.world((cell[0]+cell[1])/2, (cell[2]+cell[3])/2)
			a := &area{id: *nextID, district: d.adcode, mask: m, grid: f, ext: cell, seed: seed}
			*nextID++
			a.anchor, a.order = nearestSeed(d.seeds, center)
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(p, q *area) int {
		if p.order != q.order {
			if p.order < q.order {
				return -1
			}
			return 1
		}
		return p.id - q.id
	})
	return out
}

func nearestSeed(seeds []orb.Point, p orb.Point) (orb.Point, float64) {
	best, bd := seeds[0], math.Inf(1)
	for _, s := range seeds {
		if d := dist(s, p); d < bd {
			best, bd = s, d
		}
	}
	return best, bd
}

// parkArea makes the development area of one park block.
func parkArea(w *world, pb *parkBlock, m *mask, id int) *area {
	seed := mix(w.seed, tagPark, strHash(pb.code), uint64(pb.index))
	r := newRNG(seed)
	angle := principalAngle(pb.ring) + r.uniform(-4, 4)*math.Pi/180
	g := newFrame(pb.centroid, angle)
	a := &area{id: id, district: pb.host, park: pb.code, mask: m, grid: g, seed: seed, anchor: pb.centroid}
	a.ext = [4]float64{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, p := range pb.ring {
		u, v := g.local(p)
		a.ext[0], a.ext[1] = math.Min(a.ext[0], u), math.Max(a.ext[1], u)
		a.ext[2], a.ext[3] = math.Min(a.ext[2], v), math.Max(a.ext[3], v)
	}
	return a
}

// principalAngle is the direction of a ring's longest edge, folded into
// (-45°, 45°] so grids stay close to east-west.
func principalAngle(r []orb.Point) float64 {
	best, ang := -1.0, 0.0
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if l := dist(a, b); l > best {
			best, ang = l, math.Atan2(b[1]-a[1], b[0]-a[0])
		}
	}
	for ang > math.Pi/4 {
		ang -= math.Pi / 2
	}
	for ang <= -math.Pi/4 {
		ang += math.Pi / 2
	}
	return ang
}

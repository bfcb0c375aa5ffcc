package demo

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// parcelBox holds, in one allocation, everything a Parcel points to.
type parcelBox struct {
	plot, density, green float64
	approved, supplied   time.Time
	agreed, actual, done time.Time
	handover             time.Time
	share                float64
	bottom, top          float64
	poly                 [1]orb.Polygon
	ring                 [1]orb.Ring
}

type blockRef struct {
	b blockSpec
	d float64
}

// streamState is the scratch space of one pass over the parcels.
type streamState struct {
	r        *rng
	layout   blockLayout
	blocks   []blockRef
	ll       []orb.Point
	have     []bool
	counters []int
	code     []byte
}

// parcels is the Dataset.Parcels iterator.
func (p *plan) parcels(yield func(planning.Parcel) bool) {
	st := &streamState{r: newRNG(0), counters: make([]int, len(p.prefixes))}
	var id int64
	for _, a := range p.areas {
		if !p.emitArea(st, a, &id, yield) {
			return
		}
	}
}

// orderBlocks lists the area's blocks at level nearest its anchor first
// (ties by key), the order its parcels fill in.
func (st *streamState) orderBlocks(a *area, level int) {
	us, vs := a.streets(level, st.r)
	st.blocks = st.blocks[:0]
	a.eachBlock(us, vs, level, func(b blockSpec) {
		c := a.grid.world((b.u.a+b.u.b)/2, (b.v.a+b.v.b)/2)
		d := (c[0]-a.anchor[0])*(c[0]-a.anchor[0]) + (c[1]-a.anchor[1])*(c[1]-a.anchor[1])
		st.blocks = append(st.blocks, blockRef{b, d})
	})
	slices.SortFunc(st.blocks, func(x, y blockRef) int {
		if c := cmp.Compare(x.d, y.d); c != 0 {
			return c
		}
		return cmp.Compare(x.b.key, y.b.key)
	})
}

// lonLatRing is the closed lon/lat ring of a parcel of the current block
// layout; each shared point is converted once (canonical (u, v) -> grid
// frame -> metres -> lon/lat).
func (st *streamState) lonLatRing(ring []int32, toWorld func(cu, cv float64) orb.Point) orb.Ring {
	pts := make(orb.Ring, len(ring)+1)
	for n, idx := range ring {
		if !st.have[idx] {
			bp := st.layout.pts[idx]
			st.ll[idx] = geo.From4549(toWorld(bp.u, bp.v))
			st.have[idx] = true
		}
		pts[n] = st.ll[idx]
	}
	pts[len(ring)] = pts[0]
	return pts
}

// nextCode is the next parcel code of the prefix: PREFIX-serial.
func (st *streamState) nextCode(prefixIdx int, prefix string) string {
	st.counters[prefixIdx]++
	st.code = append(st.code[:0], prefix...)
	st.code = append(st.code, '-')
	st.code = appendSerial(st.code, st.counters[prefixIdx])
	return string(st.code)
}

// parkAt is the park of a parcel whose centroid is (cu, cv): the area's
// park, or in a district area the core park that holds it, if any.
func (a *area) parkAt(cu, cv float64, toWorld func(cu, cv float64) orb.Point) string {
	if a.park != "" || len(a.cores) == 0 {
		return a.park
	}
	c := toWorld(cu, cv)
	for _, cp := range a.cores {
		if cp.ps.contains(c) {
			return cp.code
		}
	}
	return ""
}

func (p *plan) emitArea(st *streamState, a *area, id *int64, yield func(planning.Parcel) bool) bool {
	level := p.level
	r := st.r
	st.orderBlocks(a, level)
	scale := levelScale(level)
	s2 := scale * scale
	left := a.quota
	prefix := p.prefixes[a.prefix]
	for _, b := range st.blocks {
		if left == 0 {
			break
		}
		u, v := b.b.u, b.b.v
		W, H := u.b-u.a, v.b-v.a
		r.reseed(blockSeed(a, level, b.b.key))
		bp := planBlock(r, W*H, s2)
		L, S := W, H
		if H > W {
			L, S = H, W
		}
		st.layout.layout(r, L, S, bp, scale)
		bl := &st.layout
		// canonical (u, v) -> grid frame -> metres -> lon/lat, once per point
		st.ll = slices.Grow(st.ll[:0], len(bl.pts))[:len(bl.pts)]
		st.have = slices.Grow(st.have[:0], len(bl.pts))[:len(bl.pts)]
		clear(st.have)
		toWorld := func(cu, cv float64) orb.Point {
			if H > W {
				return a.grid.world(u.b-cv, v.a+cu)
			}
			return a.grid.world(u.a+cu, v.a+cv)
		}
		for k, ring := range bl.rings {
			if left == 0 {
				break
			}
			pts := st.lonLatRing(ring, toWorld)
			areaM2, cu, cv := bl.ringAreaUV(ring)
			parkCode := a.parkAt(cu, cv, toWorld)
			code := st.nextCode(a.prefix, prefix)

			box := &parcelBox{}
			box.ring[0] = pts
			box.poly[0] = box.ring[:]
			*id++
			pc := planning.Parcel{
				ID: *id, Code: code, District: a.district, Park: parkCode,
				Outline: box.poly[:], AreaM2: areaM2,
			}
			fillSurface(r, a.ctx, &pc, box)
			left--
			if !yield(pc) {
				return false
			}
			if bp.twins&(1<<k) != 0 && left > 0 {
				tb := &parcelBox{}
				tb.ring[0] = slices.Clone(pts)
				tb.poly[0] = tb.ring[:]
				*id++
				tw := planning.Parcel{
					ID: *id, Code: code + "-U", District: a.district, Park: parkCode,
					Outline: tb.poly[:], AreaM2: areaM2,
				}
				fillUnderground(r, a.ctx, &tw, tb)
				left--
				if !yield(tw) {
					return false
				}
			}
		}
	}
	if left != 0 {
		// The capacity pass and this pass walk the same blocks with the
		// same streams; a mismatch is a bug, not bad input.
		panic("demo: area " + strconv.Itoa(a.id) + " produced fewer parcels than planned")
	}
	return true
}

// appendSerial writes n with at least six digits.
func appendSerial(b []byte, n int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < 6; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

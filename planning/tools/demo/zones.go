package demo

import (
	"fmt"
	"math"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// Protected lines (三区三线):
//   - one urban development boundary (城镇开发边界) per developed district,
//     enclosing its parks and the land that fills first;
//   - permanent basic farmland (永久基本农田) patches around the parks, kept
//     free of parcels, plus two small patches deliberately laid over the
//     first parcels of the first two park blocks;
//   - ecological red lines (生态保护红线): hills kept free of parcels, 湘湖
//     with its shore (touching the nearby parcels) and a small hill in the
//     heart of Binjiang deliberately under parcels.
// Water (湘湖 itself, the 富春江) is kept free of parcels but is no zone.

func (w *world) addZone(kind planning.ZoneKind, name string, rings ...[]orb.Point) {
	var mp orb.MultiPolygon
	for _, r := range rings {
		mp = append(mp, toLonLatPolygon(r))
	}
	w.zones = append(w.zones, planning.ProtectedZone{
		ID: int64(len(w.zones) + 1), Kind: kind, Name: name, Outline: mp, AreaM2: geo.AreaM2(mp),
	})
}

func districtName(d *districtInfo) string {
	if d.d.NameZh != "" {
		return d.d.NameZh
	}
	return d.adcode
}

type patch struct {
	c orb.Point
	r float64 // the blob never reaches beyond 1.4 r
}

// buildZones draws the protected lines in a fixed order of draws from one
// stream: water (no draws), development boundaries, farmland round the
// parks and towns, the two deliberate conflicts, the red lines.
func (w *world) buildZones() {
	r := newRNG(mix(w.seed, tagZones))
	lake := lonLatRing(xianghuLake)
	water := w.addWater(lake)
	towns := w.addDevBoundaries(r)
	fp := &farmlandPlacer{w: w, r: r, water: water, counter: map[string]int{}}
	fp.aroundParks()
	fp.aroundTowns(towns)
	fp.conflicts()
	w.addRedLines(r, lake)
}

// addWater makes Xianghu lake and the Fuchun river exclusions; water comes
// first because it shapes everything else.
func (w *world) addWater(lake []orb.Point) []*polyset {
	var river []orb.Point
	for _, c := range fuchunRiver {
		river = append(river, m4549(c[0], c[1]))
	}
	water := []*polyset{newPolyset([][]orb.Point{lake}), newPolyset([][]orb.Point{band(river, fuchunHalfWidth)})}
	for _, ps := range water {
		w.exclusions = append(w.exclusions, constraint{ps, false, marginWater})
	}
	return water
}

// addDevBoundaries adds each developed district's urban development
// boundary and returns the blob (centre, radius) of each one drawn.
func (w *world) addDevBoundaries(r *rng) map[string]patch {
	towns := map[string]patch{}
	for _, d := range w.developed {
		name := districtName(d) + "城镇开发边界"
		if d.core {
			// Binjiang is all town: its boundary is the district's outline
			// (outer rings only, so it takes in the whole district).
			var mp orb.MultiPolygon
			for _, poly := range d.d.Outline {
				mp = append(mp, orb.Polygon{append(orb.Ring(nil), poly[0]...)})
			}
			w.zones = append(w.zones, planning.ProtectedZone{
				ID: int64(len(w.zones) + 1), Kind: planning.ZoneDevBoundary, Name: name, Outline: mp, AreaM2: geo.AreaM2(mp),
			})
			continue
		}
		c, R, ring := w.devBlob(r, d)
		towns[d.adcode] = patch{c, R}
		w.addZone(planning.ZoneDevBoundary, name, ring)
	}
	return towns
}

// farmlandPlacer places permanent basic farmland patches around the parks
// and towns, outside them, each clear of the others.
type farmlandPlacer struct {
	w       *world
	r       *rng
	water   []*polyset
	patches []patch
	counter map[string]int // patches per district, for their names
}

// fits reports whether p lies in d, clear of other districts, the park
// blocks, water and the patches placed so far.
func (fp *farmlandPlacer) fits(d *districtInfo, p patch) bool {
	if d.ps.signedDist(p.c) < 1.4*p.r+50 {
		return false
	}
	for _, o := range fp.w.districts {
		if o != d && o.ps.contains(p.c) {
			return false
		}
	}
	for _, b := range fp.w.blocks {
		if b.ps.contains(p.c) || b.ps.distToBoundary(p.c) < 1.4*p.r+150 {
			return false
		}
	}
	for _, ps := range fp.water {
		if ps.contains(p.c) || ps.distToBoundary(p.c) < 1.4*p.r+100 {
			return false
		}
	}
	for _, q := range fp.patches {
		if dist(p.c, q.c) < 1.4*(p.r+q.r)+150 {
			return false
		}
	}
	return true
}

// place adds the patch as a farmland zone; an excluded one keeps parcels
// out.
func (fp *farmlandPlacer) place(d *districtInfo, p patch, excluded bool) {
	fp.patches = append(fp.patches, p)
	ring := blobRing(fp.r, p.c, p.r, 12+fp.r.IntN(6))
	fp.counter[d.adcode]++
	fp.w.addZone(planning.ZoneFarmland, fmt.Sprintf("%s永久基本农田保护片区%02d", districtName(d), fp.counter[d.adcode]), ring)
	if excluded {
		fp.w.exclusions = append(fp.w.exclusions, constraint{newPolyset([][]orb.Point{ring}), false, marginProtected})
	}
}

// around places n patches of d round c, each where the first of 40 tries
// at a random angle, at distance far() and of radius minR to maxR, fits.
func (fp *farmlandPlacer) around(d *districtInfo, c orb.Point, n int, far func() float64, minR, maxR float64) {
	r := fp.r
	for k := 0; k < n; k++ {
		for try := 0; try < 40; try++ {
			th := r.uniform(0, 2*math.Pi)
			rr := far()
			p := patch{orb.Point{c[0] + rr*math.Cos(th), c[1] + rr*math.Sin(th)}, r.uniform(minR, maxR)}
			if fp.fits(d, p) {
				fp.place(d, p, true)
				break
			}
		}
	}
}

// aroundParks places three patches round each park block, beyond its
// farthest corner.
func (fp *farmlandPlacer) aroundParks() {
	for _, b := range fp.w.blocks {
		reach := 0.0
		for _, p := range b.ring {
			reach = math.Max(reach, dist(p, b.centroid))
		}
		fp.around(fp.w.district(b.host), b.centroid, 3, func() float64 { return reach + fp.r.uniform(700, 3500) }, 250, 650)
	}
}

// aroundTowns places five patches round each drawn town blob.
func (fp *farmlandPlacer) aroundTowns(towns map[string]patch) {
	for _, d := range fp.w.developed {
		if t, ok := towns[d.adcode]; ok {
			fp.around(d, t.c, 5, func() float64 { return t.r * fp.r.uniform(0.9, 1.6) }, 400, 900)
		}
	}
}

// conflicts places two deliberate conflicts: farmland over the first
// parcels of the first two park blocks (or the district seeds if there are
// none).
func (fp *farmlandPlacer) conflicts() {
	type spot struct {
		d *districtInfo
		p orb.Point
	}
	var spots []spot
	for _, b := range fp.w.blocks {
		if d := fp.w.district(b.host); d != nil && d.ps.contains(b.centroid) {
			spots = append(spots, spot{d, b.centroid})
		}
	}
	for _, d := range fp.w.developed[1:] {
		spots = append(spots, spot{d, d.seeds[0]})
	}
	for k := 0; k < 2 && k < len(spots); k++ {
		fp.place(spots[k].d, patch{spots[k].p, 160}, false)
	}
}

// addRedLines adds the ecological red lines: Xianghu's shore, the hills
// that fit clear of the parks and towns, and the core district's own.
func (w *world) addRedLines(r *rng, lake []orb.Point) {
	if xs := w.district(AdcodeXiaoshan); xs.ps.contains(ringCentroid(lake)) {
		shore := scaleAbout(lake, ringCentroid(lake), 1.3)
		w.addZone(planning.ZoneRedLine, "湘湖生态保护红线", shore)
	}
	for _, h := range redLineHills {
		d := w.district(h.district)
		c := m4549(h.lon, h.lat)
		if !d.ps.contains(c) {
			continue
		}
		rad := h.r
		for _, b := range w.blocks {
			rad = math.Min(rad, (b.ps.distToBoundary(c)-300)/1.4)
		}
		for _, s := range d.seeds {
			rad = math.Min(rad, (dist(s, c)-1500)/1.4)
		}
		if rad < 500 {
			continue
		}
		ring := blobRing(r, c, rad, 20+r.IntN(8))
		w.addZone(planning.ZoneRedLine, h.name, ring)
		w.exclusions = append(w.exclusions, constraint{newPolyset([][]orb.Point{ring}), false, marginProtected})
	}
	core := w.developed[0]
	w.addZone(planning.ZoneRedLine, districtName(core)+"生态保护红线(冠山)", blobRing(r, core.seeds[0], 180, 14))
}

// blobRing draws an irregular roundish patch of about radius rad that
// stays within 1.4 rad of c.
func blobRing(r *rng, c orb.Point, rad float64, n int) []orb.Point {
	a1, a2, a3 := r.uniform(0, 2*math.Pi), r.uniform(0, 2*math.Pi), r.uniform(0, 2*math.Pi)
	return starBlob(c, n, func(th float64) float64 {
		return rad * (1 + 0.2*math.Sin(th+a1) + 0.1*math.Sin(2*th+a2) + 0.06*math.Sin(3*th+a3))
	})
}

func scaleAbout(ring []orb.Point, c orb.Point, k float64) []orb.Point {
	out := make([]orb.Point, len(ring))
	for i, p := range ring {
		out[i] = orb.Point{c[0] + (p[0]-c[0])*k, c[1] + (p[1]-c[1])*k}
	}
	return out
}

// devBlob draws a district's urban development boundary: an irregular
// star-shaped blob around its seeds that takes in every park block (and
// 1.5 km around each town centre) and stays inside the district.
func (w *world) devBlob(r *rng, d *districtInfo) (orb.Point, float64, []orb.Point) {
	var c orb.Point
	for _, s := range d.seeds {
		c[0] += s[0] / float64(len(d.seeds))
		c[1] += s[1] / float64(len(d.seeds))
	}
	if !d.ps.contains(c) {
		c = d.seeds[0]
	}
	R := math.Sqrt(d.ps.area() * 0.1 / math.Pi)
	R = math.Min(math.Max(R, 3000), 9000)
	const n = 120
	step := 2 * math.Pi / n
	var need [n]float64
	mark := func(p orb.Point, extra float64) {
		th := math.Atan2(p[1]-c[1], p[0]-c[0])
		b := int(math.Round(th / step))
		dd := dist(p, c) + extra
		for k := -3; k <= 3; k++ {
			i := ((b+k)%n + n) % n
			need[i] = math.Max(need[i], dd)
		}
	}
	for _, b := range w.blocks {
		if b.host != d.adcode {
			continue
		}
		for i := range b.ring {
			a, e := b.ring[i], b.ring[(i+1)%len(b.ring)]
			l := dist(a, e)
			for t := 0.0; t < l; t += 40 {
				mark(orb.Point{a[0] + (e[0]-a[0])*t/l, a[1] + (e[1]-a[1])*t/l}, 250)
			}
		}
	}
	for _, s := range d.seeds {
		for k := 0; k < 24; k++ {
			th := float64(k) * 2 * math.Pi / 24
			mark(orb.Point{s[0] + 1500*math.Cos(th), s[1] + 1500*math.Sin(th)}, 0)
		}
	}
	a1, a2, a3 := r.uniform(0, 2*math.Pi), r.uniform(0, 2*math.Pi), r.uniform(0, 2*math.Pi)
	ring := starBlob(c, n, func(th float64) float64 {
		i := int(math.Round(th/step)) % n
		rad := R * (1 + 0.12*math.Sin(2*th+a1) + 0.08*math.Sin(3*th+a2) + 0.04*math.Sin(5*th+a3))
		rad = math.Max(rad, need[i])
		if d.ps.contains(c) {
			rad = math.Min(rad, d.ps.rayExit(c, math.Cos(th), math.Sin(th))-100)
		}
		return math.Max(rad, 200)
	})
	return c, R, ring
}

// Package demo generates a deterministic, realistic-looking demo world for
// landquota: the districts of Binjiang (the High-tech Zone), Xiaoshan and
// Fuyang, the parks HTZ, BINFU and BINXIAO, protected zones (三区三线) and
// up to ten million land parcels laid out as urban blocks.
//
// Nothing here touches a database or the network, and nothing depends on
// the clock: the same Options always give byte-identical output. Parcels
// are streamed, never held in memory all at once.
package demo

import (
	"iter"
	"math"
	"slices"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// MaxParcels is the largest number of parcels Generate accepts.
const MaxParcels = 10_000_000

// Options says what to generate.
type Options struct {
	Parcels   int                 // number of parcels, 0..MaxParcels
	Seed      int64               // same seed (and same options) => byte-identical output
	Districts []planning.District // optional real outlines; must contain 330108, 330109 and 330111
	Parks     []planning.Park     // optional park footprints instead of the built-in ones
	AsOf      time.Time           // "today" for generated dates; zero means 2026-06-30
}

// Dataset is a generated world.
type Dataset struct {
	Districts []planning.District
	Parks     []planning.Park // HTZ (core zone = Binjiang), BINFU, BINXIAO unless Options.Parks says otherwise
	Zones     []planning.ProtectedZone
	// Parcels streams exactly Options.Parcels parcels in a fixed order
	// (IDs 1..N). It holds only one block's worth of parcels at a time and
	// may be ranged over any number of times, also concurrently, with
	// identical results.
	Parcels iter.Seq[planning.Parcel]
}

// districtInfo is a district as the generator sees it.
type districtInfo struct {
	d          *planning.District
	adcode     string
	ps         *polyset
	developed  bool
	core       bool // hosts the core zone (Binjiang)
	frameAngle float64
	cellMin    float64
	cellMax    float64
	seeds      []orb.Point
	prefix     string
}

// parkBlock is one polygon of a park that gets its own development area.
type parkBlock struct {
	park     *planning.Park
	code     string
	host     string
	index    int
	ring     []orb.Point // outer ring, metres, ccw
	ps       *polyset
	centroid orb.Point
	area     float64
}

type world struct {
	seed       uint64
	asOf       time.Time
	districts  []*districtInfo
	developed  []*districtInfo // 330108, 330109, 330111 in that order
	parks      []planning.Park
	blocks     []*parkBlock
	cores      []*corePark
	coreHosts  []string
	exclusions []constraint
	zones      []planning.ProtectedZone
}

func (w *world) district(adcode string) *districtInfo {
	for _, d := range w.districts {
		if d.adcode == adcode {
			return d
		}
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return planning.Errorf(planning.ErrInvalid, format, args...)
}

func areaOf(mp orb.MultiPolygon) float64 { return geo.AreaM2(mp) }

// Generate builds the world described by opts. Only the parcels are
// produced lazily; everything else is computed here (in well under a
// second for the built-in outlines).
func Generate(opts Options) (*Dataset, error) {
	if opts.Parcels < 0 || opts.Parcels > MaxParcels {
		return nil, invalidf("Parcels must be between 0 and %d, got %d", MaxParcels, opts.Parcels)
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = defaultAsOf
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	if asOf.Before(minAsOf) || asOf.After(maxAsOf) {
		return nil, invalidf("AsOf must be between %s and %s, got %s",
			minAsOf.Format(time.DateOnly), maxAsOf.Format(time.DateOnly), asOf.Format(time.DateOnly))
	}
	w := &world{seed: splitmix(uint64(opts.Seed)), asOf: asOf}

	districts, err := prepareDistricts(opts.Districts)
	if err != nil {
		return nil, err
	}
	for i := range districts {
		d := &districts[i]
		w.districts = append(w.districts, &districtInfo{d: d, adcode: d.Adcode, ps: polysetFromLonLat(d.Outline)})
	}
	for _, code := range []string{AdcodeBinjiang, AdcodeXiaoshan, AdcodeFuyang} {
		w.developed = append(w.developed, w.district(code))
	}
	parks, err := prepareParks(opts.Parks, districts, w)
	if err != nil {
		return nil, err
	}
	w.parks = parks
	w.setupDistricts()
	w.buildZones()
	p, err := w.buildPlan(opts.Parcels)
	if err != nil {
		return nil, err
	}
	return &Dataset{Districts: districts, Parks: parks, Zones: w.zones, Parcels: p.parcels}, nil
}

func prepareDistricts(given []planning.District) ([]planning.District, error) {
	if len(given) == 0 {
		return BuiltinDistricts(), nil
	}
	out := make([]planning.District, len(given))
	seen := map[string]bool{}
	for i, d := range given {
		if !isAdcode(d.Adcode) {
			return nil, invalidf("Districts[%d]: adcode %q is not a 6-digit administrative code", i, d.Adcode)
		}
		if seen[d.Adcode] {
			return nil, invalidf("Districts[%d]: adcode %s appears twice", i, d.Adcode)
		}
		seen[d.Adcode] = true
		if err := geo.ValidatePolygonal(d.Outline, 0); err != nil {
			return nil, invalidf("Districts[%d] (%s): %v", i, d.Adcode, err)
		}
		d.Outline = cloneMultiPolygon(d.Outline)
		if d.AreaM2 == 0 {
			d.AreaM2 = areaOf(d.Outline)
		}
		if d.AreaM2 <= 0 {
			return nil, invalidf("Districts[%d] (%s): the outline has no area", i, d.Adcode)
		}
		out[i] = d
	}
	for _, code := range []string{AdcodeBinjiang, AdcodeXiaoshan, AdcodeFuyang} {
		if !seen[code] {
			return nil, invalidf("Districts must contain 330108 (Binjiang), 330109 (Xiaoshan) and 330111 (Fuyang); %s is missing", code)
		}
	}
	return out, nil
}

func isAdcode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func prepareParks(given []planning.Park, districts []planning.District, w *world) ([]planning.Park, error) {
	binjiang := w.district(AdcodeBinjiang).d
	if len(given) == 0 {
		return append([]planning.Park{htzPark(*binjiang)}, builtinParks()...), nil
	}
	var out []planning.Park
	seen := map[string]bool{}
	hasCore := false
	for i, p := range given {
		if p.Code == "" {
			return nil, invalidf("Parks[%d]: the park code is empty", i)
		}
		if seen[p.Code] {
			return nil, invalidf("Parks[%d]: park code %s appears twice", i, p.Code)
		}
		seen[p.Code] = true
		if !p.Kind.Valid() {
			return nil, invalidf("Parks[%d] (%s): unknown kind %q", i, p.Code, p.Kind)
		}
		if w.district(p.HostDistrict) == nil {
			return nil, invalidf("Parks[%d] (%s): host district %q is not among the districts", i, p.Code, p.HostDistrict)
		}
		if err := geo.ValidatePolygonal(p.Outline, 0); err != nil {
			return nil, invalidf("Parks[%d] (%s): %v", i, p.Code, err)
		}
		p.Outline = cloneMultiPolygon(p.Outline)
		if p.AreaM2 == 0 {
			p.AreaM2 = areaOf(p.Outline)
		}
		if p.Kind == planning.ParkCoreZone || p.Code == ParkHTZ {
			hasCore = true
		}
		out = append(out, p)
	}
	if !hasCore {
		out = append([]planning.Park{htzPark(*binjiang)}, out...)
	}
	return out, nil
}

// Per-district look of the built-in grids.
// Binjiang's grid follows the Qiantang bank; super-cells are smaller there.
var districtStyle = map[string]struct {
	angle, cellMin, cellMax float64
	prefix                  string
}{
	AdcodeBinjiang: {32, 900, 1700, "HT"},
	AdcodeXiaoshan: {6, 1500, 2700, "XS"},
	AdcodeFuyang:   {-14, 1500, 2700, "FY"},
}

func (w *world) setupDistricts() {
	// Park blocks and core parks.
	for i := range w.parks {
		p := &w.parks[i]
		if p.Kind == planning.ParkCoreZone {
			w.cores = append(w.cores, &corePark{code: p.Code, ps: polysetFromLonLat(p.Outline)})
			w.coreHosts = append(w.coreHosts, p.HostDistrict)
			continue
		}
		for bi, poly := range p.Outline {
			ps := polysetFromLonLat(orb.MultiPolygon{poly})
			ring := ccw(ps.rings[0])
			w.blocks = append(w.blocks, &parkBlock{
				park: p, code: p.Code, host: p.HostDistrict, index: bi,
				ring: ring, ps: ps, centroid: ringCentroid(ring), area: ps.area(),
			})
		}
	}
	for _, d := range w.developed {
		st := districtStyle[d.adcode]
		d.developed = true
		d.frameAngle = st.angle * math.Pi / 180
		d.cellMin, d.cellMax = st.cellMin, st.cellMax
		d.prefix = st.prefix
		d.core = slices.Contains(w.coreHosts, d.adcode) || d.adcode == AdcodeBinjiang
		if d.core {
			for i, c := range w.cores {
				if w.coreHosts[i] == d.adcode {
					if p := interiorPoint(c.ps); d.ps.contains(p) {
						d.seeds = append(d.seeds, p)
					}
					break
				}
			}
		} else {
			for _, b := range w.blocks {
				if b.host == d.adcode {
					d.seeds = append(d.seeds, b.centroid)
				}
			}
			if t, ok := townSeeds[d.adcode]; ok {
				if p := m4549(t[0], t[1]); d.ps.contains(p) {
					d.seeds = append(d.seeds, p)
				}
			}
		}
		if len(d.seeds) == 0 {
			d.seeds = []orb.Point{interiorPoint(d.ps)}
		}
	}
}

// interiorPoint returns a point well inside ps: its largest ring's
// centroid if that is inside, else the deepest point of a coarse grid.
func interiorPoint(ps *polyset) orb.Point {
	largest := ps.rings[0]
	for _, r := range ps.rings {
		if math.Abs(ringArea(r)) > math.Abs(ringArea(largest)) {
			largest = r
		}
	}
	c := ringCentroid(largest)
	if ps.contains(c) && ps.distToBoundary(c) > 500 {
		return c
	}
	best, bd := c, math.Inf(-1)
	b := ps.bound
	for j := 0; j <= 24; j++ {
		for i := 0; i <= 24; i++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/24, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/24}
			if d := ps.signedDist(p); d > bd {
				best, bd = p, d
			}
		}
	}
	return best
}

// plan is the frozen result of Generate that the parcel stream replays.
type plan struct {
	level    int
	asOf     time.Time
	areas    []*area // in emission order
	prefixes []string
}

func (w *world) buildPlan(n int) (*plan, error) {
	pb := &planBuilder{w: w, p: &plan{asOf: w.asOf}, last: dayOf(w.asOf) - 1}
	distGroups := pb.districtGroups()
	parkGroups := pb.parkGroups()
	// The core district first, then the park blocks, then the others.
	core := distGroups[AdcodeBinjiang]
	groups := append([]*group{core}, parkGroups...)
	for _, d := range w.developed {
		if g := distGroups[d.adcode]; g != core {
			groups = append(groups, g)
		}
	}
	var all []*area
	for _, g := range groups {
		all = append(all, g.areas...)
	}
	p := pb.p
	if n > 0 {
		var err error
		if p.level, err = chooseLevel(all, n); err != nil {
			return nil, planning.Errorf(planning.ErrInvalid, "Parcels: %v", err)
		}
		allocate(groups, n)
	}
	for _, a := range all {
		if a.quota > 0 {
			p.areas = append(p.areas, a)
		}
	}
	return p, nil
}

// planBuilder gives the areas of a plan their attribute context, code
// prefix and id.
type planBuilder struct {
	w      *world
	p      *plan
	last   int // day before AsOf
	nextID int
}

func (pb *planBuilder) ctxFor(prof *profile, farm bool) *attrCtx {
	minD := dayOf(prof.minDate)
	minD = max(dayOf(earliestApproval), min(minD, pb.last-730))
	return &attrCtx{prof: prof, last: pb.last, minD: minD, allowFarm: farm}
}

// prefixIdx is the index of the code prefix adcode-prefix, added at its
// first use.
func (pb *planBuilder) prefixIdx(adcode, prefix string) int {
	key := adcode + "-" + prefix
	if i := slices.Index(pb.p.prefixes, key); i >= 0 {
		return i
	}
	pb.p.prefixes = append(pb.p.prefixes, key)
	return len(pb.p.prefixes) - 1
}

// districtGroups makes one group of super-cells per developed district,
// the core one weighted more and without farmland.
func (pb *planBuilder) districtGroups() map[string]*group {
	w := pb.w
	groups := map[string]*group{}
	for _, d := range w.developed {
		m := w.districtMask(d)
		cells := superCells(w, d, m, &pb.nextID)
		g := &group{name: d.adcode, weight: 0.15, areas: cells}
		prof, farm := profOuter, true
		if d.core {
			g.weight, prof, farm = 0.25, profCore, false
		}
		ctx := pb.ctxFor(prof, farm)
		var cores []*corePark
		for i, c := range w.cores {
			if w.coreHosts[i] == d.adcode {
				cores = append(cores, c)
			}
		}
		pi := pb.prefixIdx(d.adcode, d.prefix)
		for _, a := range cells {
			a.ctx, a.cores, a.prefix = ctx, cores, pi
		}
		groups[d.adcode] = g
	}
	return groups
}

// parkGroups makes each park block its own group, weighted by area.
func (pb *planBuilder) parkGroups() []*group {
	w := pb.w
	parkWeight := 0.0
	for _, b := range w.blocks {
		parkWeight += b.area
	}
	var groups []*group
	for bi, b := range w.blocks {
		m := w.parkMask(bi)
		a := parkArea(w, b, m, pb.nextID)
		pb.nextID++
		a.ctx = pb.ctxFor(profileForPark(b.park), false)
		pre := parkPrefix(b.code)
		if d := w.district(b.host); d != nil && d.prefix == pre {
			pre += "P"
		}
		a.prefix = pb.prefixIdx(b.host, pre)
		groups = append(groups, &group{name: b.code, weight: 0.45 * b.area / parkWeight, areas: []*area{a}})
	}
	return groups
}

func parkPrefix(code string) string {
	switch code {
	case ParkBinfu:
		return "BF"
	case ParkBinxiao:
		return "BX"
	}
	return code
}

// Margins (metres) kept between parcels and the lines around them.
const (
	marginDistrict  = 10.0 // to the district outline (inside) and its neighbours
	marginParkIn    = 6.0  // parcels of a park block stay this far inside it
	marginParkOut   = 20.0 // parcels of the district keep off park blocks by a street
	marginWater     = 30.0
	marginProtected = 10.0
)

// inDistrict adds to cons what parcels of district d within b keep to:
// inside d, clear of its neighbours and of the exclusions (water,
// protected lines).
func (w *world) inDistrict(d *districtInfo, b orb.Bound, cons []constraint) []constraint {
	cons = append(cons, constraint{d.ps, true, marginDistrict})
	for _, o := range w.districts {
		if o != d && o.ps.bound.Intersects(b) {
			cons = append(cons, constraint{o.ps, false, marginDistrict})
		}
	}
	for _, e := range w.exclusions {
		if e.ps.bound.Intersects(b) {
			cons = append(cons, e)
		}
	}
	return cons
}

func (w *world) districtMask(d *districtInfo) *mask {
	b := d.ps.bound
	cons := w.inDistrict(d, b, nil)
	for _, pb := range w.blocks {
		if pb.ps.bound.Intersects(b) {
			cons = append(cons, constraint{pb.ps, false, marginParkOut})
		}
	}
	return newMask(b, 100, cons)
}

func (w *world) parkMask(bi int) *mask {
	pb := w.blocks[bi]
	b := pb.ps.bound
	cons := w.inDistrict(w.district(pb.host), b, []constraint{{pb.ps, true, marginParkIn}})
	for _, other := range w.blocks[:bi] {
		if other.ps.bound.Intersects(b) {
			cons = append(cons, constraint{other.ps, false, marginParkOut})
		}
	}
	return newMask(b, 50, cons)
}

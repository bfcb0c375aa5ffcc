package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Land-use mixes and lifecycle weights per kind of area.

type useChoice struct {
	code string // 2023 class code; "13" means one of 1301..1312
	w    float64
	aff  bool // 保障性住房 (stored on 0701)
}

type profile struct {
	name      string
	uses      []useChoice
	useTotal  float64
	status    [11]float64 // weights, in planning.Statuses order
	statTotal float64
	minDate   time.Time // earliest approval: park opening or 2016
	farmShare float64   // share of planned/filed parcels that are farmland today
	consShare float64   // share of unsupplied non-farmland that is already construction land
}

func newProfile(p profile) *profile {
	for _, u := range p.uses {
		p.useTotal += u.w
	}
	for _, w := range p.status {
		p.statTotal += w
	}
	return &p
}

var (
	earliestApproval = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	defaultAsOf      = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	minAsOf          = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	maxAsOf          = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Status weights: planned, filed, approved, expropriated, reserve,
// supplied, under_construction, completed, in_production, low_efficiency,
// redevelopment. About a tenth is approved but unsupplied (批而未供).
var (
	profCore = newProfile(profile{ // Binjiang / HTZ: research and offices
		name: "core",
		uses: []useChoice{
			{"0802", 28, false}, {"0902", 21, false}, {"0901", 13, false},
			{"100101", 6, false}, {"070102", 8, false}, {"070101", 1.5, false}, {"0701", 2.5, true},
			{"0804", 4, false}, {"0806", 2, false}, {"13", 4, false},
			{"1401", 5.5, false}, {"1402", 2, false}, {"1101", 1, false}, {"1207", 0.5, false}, {"16", 1, false},
		},
		status:    [11]float64{3, 2, 3, 4, 2, 8, 10, 12, 42, 8, 6},
		minDate:   earliestApproval,
		consShare: 0.5,
	})
	profIndustrial = newProfile(profile{ // Binfu: photonics, IC, equipment
		name: "industrial",
		uses: []useChoice{
			{"100101", 32, false}, {"100102", 24, false}, {"100103", 6, false},
			{"0802", 9, false}, {"1101", 6, false}, {"0901", 2.5, false}, {"0902", 1.5, false},
			{"070102", 3.5, false}, {"0701", 1.5, true}, {"0804", 1.5, false}, {"0806", 0.5, false},
			{"13", 3.5, false}, {"1401", 3, false}, {"1402", 3.5, false}, {"1207", 0.5, false}, {"16", 1, false},
		},
		status:    [11]float64{8, 6, 4, 5, 2, 15, 22, 12, 24, 1, 1},
		minDate:   time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC), // zone opened 2019-08-28
		consShare: 0.4,
	})
	profMixed = newProfile(profile{ // Binxiao and other parks: factories and labs
		name: "mixed",
		uses: []useChoice{
			{"100101", 22, false}, {"100102", 10, false}, {"100103", 2, false},
			{"0802", 24, false}, {"0902", 7, false}, {"0901", 5, false},
			{"070102", 6, false}, {"070101", 1, false}, {"0701", 3, true}, {"0804", 2, false}, {"0806", 1, false},
			{"13", 4, false}, {"1401", 5, false}, {"1402", 3, false}, {"1101", 3, false}, {"1207", 0.5, false}, {"16", 1.5, false},
		},
		status:    [11]float64{10, 8, 4, 5, 2, 18, 24, 10, 17, 1, 1},
		minDate:   time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC), // park opened 2022-03-03
		consShare: 0.4,
	})
	profOuter = newProfile(profile{ // the rest of the host districts
		name: "outer",
		uses: []useChoice{
			{"070102", 16, false}, {"070101", 4, false}, {"0701", 4, true},
			{"100101", 10, false}, {"100102", 8, false}, {"100103", 3, false},
			{"0901", 9, false}, {"0902", 4, false}, {"0802", 4, false}, {"0804", 4, false}, {"0806", 2, false},
			{"13", 5, false}, {"1401", 6, false}, {"1402", 4, false}, {"1101", 6, false}, {"1207", 1, false}, {"16", 4, false},
		},
		status:    [11]float64{16, 8, 4, 4, 2, 9, 12, 10, 25, 6, 4},
		minDate:   earliestApproval,
		farmShare: 0.35,
		consShare: 0.3,
	})
)

// profileForPark picks the mix of a dedicated park.
func profileForPark(p *planning.Park) *profile {
	switch {
	case p.Code == ParkBinfu || p.Kind == planning.ParkSpecialCooperationZone:
		return profIndustrial
	default:
		return profMixed
	}
}

var utilityCodes = [...]string{"1301", "1302", "1303", "1304", "1305", "1306", "1307", "1308", "1309", "1310", "1311", "1312"}

func (p *profile) pickUse(r *rng) (string, bool) {
	x := r.Float64() * p.useTotal
	u := p.uses[len(p.uses)-1]
	for _, c := range p.uses {
		if x < c.w {
			u = c
			break
		}
		x -= c.w
	}
	if u.code == "13" {
		return utilityCodes[r.IntN(len(utilityCodes))], false
	}
	return u.code, u.aff
}

func (p *profile) pickStatus(r *rng) planning.Status {
	x := r.Float64() * p.statTotal
	for i, w := range p.status {
		if x < w {
			return planning.Statuses[i].Code
		}
		x -= w
	}
	return planning.Statuses[len(planning.Statuses)-1].Code
}

// sold reports whether land of this use is supplied by sale (出让);
// public, infrastructure and affordable land is allocated (划拨).
func sold(use string, affordable bool) bool {
	if affordable {
		return false
	}
	switch {
	case strings.HasPrefix(use, "1001"), strings.HasPrefix(use, "09"),
		use == "070101", use == "070102", use == "0802", use == "1101":
		return true
	}
	return false
}

type span struct{ lo, hi float64 }

type intensity struct{ plot, density, green span }

// intensityOf gives plausible 容积率 / 建筑密度 / 绿地率 ranges per class;
// false for land without buildings to measure (farmland, roads, 留白).
func intensityOf(use string) (intensity, bool) {
	switch {
	case strings.HasPrefix(use, "1001"):
		return intensity{span{1.2, 2.5}, span{0.35, 0.6}, span{0.10, 0.20}}, true
	case use == "0802":
		return intensity{span{1.5, 3.5}, span{0.25, 0.45}, span{0.15, 0.30}}, true
	case use == "0901":
		return intensity{span{2.0, 5.0}, span{0.35, 0.55}, span{0.15, 0.25}}, true
	case use == "0902":
		return intensity{span{2.5, 6.0}, span{0.30, 0.50}, span{0.15, 0.25}}, true
	case strings.HasPrefix(use, "0701"):
		return intensity{span{2.0, 3.0}, span{0.20, 0.30}, span{0.30, 0.35}}, true
	case use == "0804":
		return intensity{span{0.8, 1.5}, span{0.20, 0.30}, span{0.35, 0.40}}, true
	case use == "0806":
		return intensity{span{1.2, 2.5}, span{0.25, 0.40}, span{0.35, 0.40}}, true
	case use == "1101":
		return intensity{span{1.0, 2.0}, span{0.40, 0.60}, span{0.10, 0.15}}, true
	case use == "1208":
		return intensity{span{0.5, 1.5}, span{0.20, 0.40}, span{0.15, 0.25}}, true
	case strings.HasPrefix(use, "13"):
		return intensity{span{0.5, 1.2}, span{0.30, 0.50}, span{0.20, 0.30}}, true
	case use == "1401":
		return intensity{span{0.02, 0.10}, span{0.01, 0.05}, span{0.70, 0.90}}, true
	case use == "1402":
		return intensity{span{0.00, 0.02}, span{0.00, 0.01}, span{0.85, 0.95}}, true
	}
	return intensity{}, false
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Days are counted from 1970-01-01 UTC; dates are UTC midnights, the way
// pgx returns a DATE column.
func dayOf(t time.Time) int  { return int(math.Floor(float64(t.Unix()) / 86400)) }
func dateOf(d int) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// step is an allowed gap in days between two lifecycle events.
type step struct{ lo, hi int }

var (
	stepSupply   = step{45, 720}  // approval -> supply
	stepAgreed   = step{91, 365}  // supply -> agreed start (3-12 months)
	stepStart    = step{-60, 200} // agreed start -> actual start
	stepComplete = step{300, 1100}
)

// chainBack picks the events of a lifecycle backwards from the last one,
// e, so that the first lands on or after minD. It returns the events in
// time order. e - minD must be at least the sum of the steps' minima.
func chainBack(r *rng, e, minD int, steps ...step) []int {
	out := make([]int, len(steps)+1)
	out[len(steps)] = e
	need := 0
	for _, s := range steps {
		need += s.lo
	}
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		need -= s.lo
		hi := min(s.hi, out[i+1]-minD-need)
		d := s.lo
		if hi > s.lo {
			d += r.IntN(hi - s.lo + 1)
		}
		out[i] = out[i+1] - d
	}
	return out
}

func sumLo(steps ...step) int {
	n := 0
	for _, s := range steps {
		n += s.lo
	}
	return n
}

// pickDay returns a day in [lo, hi] (lo if the range is empty), skewed
// towards lo when skew > 1.
func pickDay(r *rng, lo, hi int, skew float64) int {
	if hi <= lo {
		return lo
	}
	u := r.Float64()
	if skew != 1 {
		u = math.Pow(u, skew)
	}
	return lo + int(u*float64(hi-lo+1))
}

type lifecycle struct {
	approved, supplied, agreed, actual, completed int // 0 = not set
}

// datesFor builds the dates of a parcel in status st; last is the latest
// allowed day (the day before AsOf), minD the earliest approval.
func datesFor(r *rng, st planning.Status, idle bool, last, minD int) lifecycle {
	var lc lifecycle
	switch st {
	case planning.StatusPlanned, planning.StatusFiled:
	case planning.StatusApproved, planning.StatusExpropriated, planning.StatusReserve:
		lc.approved = pickDay(r, minD, last-10, 1)
	case planning.StatusSupplied:
		if idle {
			// 闲置 candidate: agreed start more than a year ago, not started.
			g := pickDay(r, minD+sumLo(stepSupply, stepAgreed), last-366, 0.8)
			ev := chainBack(r, g, minD, stepSupply, stepAgreed)
			lc.approved, lc.supplied, lc.agreed = ev[0], ev[1], ev[2]
		} else {
			s := pickDay(r, max(minD+stepSupply.lo, last-300), last, 1)
			ev := chainBack(r, s, minD, stepSupply)
			lc.approved, lc.supplied = ev[0], ev[1]
			lc.agreed = s + stepAgreed.lo + r.IntN(stepAgreed.hi-stepAgreed.lo+1)
		}
	case planning.StatusUnderConstruction:
		need := sumLo(stepSupply, stepAgreed, stepStart)
		x := pickDay(r, max(minD+need, last-1000), last, 1)
		ev := chainBack(r, x, minD, stepSupply, stepAgreed, stepStart)
		lc.approved, lc.supplied, lc.agreed, lc.actual = ev[0], ev[1], ev[2], ev[3]
	default: // completed and later
		need := sumLo(stepSupply, stepAgreed, stepStart, stepComplete)
		skew := 1.0
		switch st {
		case planning.StatusInProduction:
			skew = 1.5
		case planning.StatusLowEfficiency, planning.StatusRedevelopment:
			skew = 2.5
		}
		c := pickDay(r, minD+need, last, skew)
		ev := chainBack(r, c, minD, stepSupply, stepAgreed, stepStart, stepComplete)
		lc.approved, lc.supplied, lc.agreed, lc.actual, lc.completed = ev[0], ev[1], ev[2], ev[3], ev[4]
	}
	return lc
}

// attrCtx carries what the attribute generator needs about an area.
type attrCtx struct {
	prof      *profile
	last      int // day before AsOf
	minD      int
	allowFarm bool
}

// fillSurface sets the attributes of a surface parcel. The steps draw from
// r in this order, which the seeds' output depends on.
func fillSurface(r *rng, c *attrCtx, p *planning.Parcel, b *parcelBox) {
	prof := c.prof
	st := prof.pickStatus(r)
	idle := false
	if st.Supplied() && r.chance(0.08) {
		st, idle = planning.StatusSupplied, true
	}
	use, aff := prof.pickUse(r)
	farmed := c.farmedToday(r, st)
	use, aff = prof.suppliedUse(r, st, use, aff)
	p.LandUse, p.Affordable, p.Status = use, aff, st
	setIntensity(r, p, b, use)
	lc := datesFor(r, st, idle, c.last, c.minD)
	setDates(p, b, lc)
	if st != planning.StatusPlanned {
		p.ApprovalKind = planning.ApprovalCityBatch
		if r.chance(0.15) || (use == "1207" && r.chance(0.5)) {
			p.ApprovalKind = planning.ApprovalSingleSite
		}
	}
	current := farmed
	switch {
	case st.Supplied():
		p.SupplyMethod = planning.SupplyAllocation
		if sold(use, aff) {
			p.SupplyMethod = planning.SupplySale
		}
		current = use
	case current != "":
	case r.chance(prof.consShare):
		current = stockUses[r.IntN(len(stockUses))]
	default:
		current = "2306" // 裸土地: unused land, not construction land
	}
	p.CurrentUse, p.ConstructionLand = current, ConstructionClass(current)
	p.GovernmentDelay = idle && r.chance(0.25)
	showcase(p, b)
	b.bottom = 0
	p.Elevation = planning.Elevation{Bottom: &b.bottom}
	stamp(r, p, lc, c.last)
}

// farmedToday is the current use (现状地类) of land still farmed: some
// planned or filed parcels are farmland (01, 0101 水田) not yet filed for
// conversion; "" for the rest.
func (c *attrCtx) farmedToday(r *rng, st planning.Status) string {
	if (st != planning.StatusPlanned && st != planning.StatusFiled) || !c.allowFarm || !r.chance(c.prof.farmShare) {
		return ""
	}
	if r.chance(0.6) {
		return "0101"
	}
	return "01"
}

// suppliedUse draws again (at most four times, then the profile's first
// use) while supplied land would get 16 留白用地 (land kept without a use),
// which is never supplied.
func (prof *profile) suppliedUse(r *rng, st planning.Status, use string, aff bool) (string, bool) {
	for tries := 0; use == "16" && st.Supplied(); tries++ {
		if tries == 4 {
			return prof.uses[0].code, prof.uses[0].aff
		}
		use, aff = prof.pickUse(r)
	}
	return use, aff
}

// setIntensity draws the plot ratio, building density and green ratio of
// a use that has them.
func setIntensity(r *rng, p *planning.Parcel, b *parcelBox, use string) {
	ins, ok := intensityOf(use)
	if !ok {
		return
	}
	b.plot = round2(r.uniform(ins.plot.lo, ins.plot.hi))
	b.density = round2(r.uniform(ins.density.lo, ins.density.hi))
	b.green = round2(r.uniform(ins.green.lo, ins.green.hi))
	p.PlotRatio, p.BuildingDensity, p.GreenRatio = &b.plot, &b.density, &b.green
}

// stockUses are the current uses of unsupplied land that is construction
// land already: village homesteads (农村宅基地) and old factories.
var stockUses = [...]string{"0703", "0703", "1001"}

// ConstructionClass reports whether a class the demo uses today is
// construction land (the land_use_classes flag): everything but farmland
// (01) and unused land (2302-2307); 2301 空闲地 is construction land.
func ConstructionClass(code string) bool {
	return !strings.HasPrefix(code, "01") && !(strings.HasPrefix(code, "23") && code != "2301")
}

var undergroundUses = [...]string{"1208", "1208", "1208", "1208", "1101", "1101", "1101", "0901", "0901", "0901"}
var undergroundStatus = [...]planning.Status{
	planning.StatusSupplied, planning.StatusSupplied,
	planning.StatusUnderConstruction, planning.StatusUnderConstruction, planning.StatusUnderConstruction,
	planning.StatusCompleted, planning.StatusCompleted,
	planning.StatusInProduction, planning.StatusInProduction, planning.StatusInProduction,
}

// fillUnderground sets the attributes of a stratified underground right
// (分层设立建设用地使用权) under a surface parcel.
func fillUnderground(r *rng, c *attrCtx, p *planning.Parcel, b *parcelBox) {
	use := undergroundUses[r.IntN(len(undergroundUses))]
	st := undergroundStatus[r.IntN(len(undergroundStatus))]
	p.LandUse, p.Status = use, st
	b.plot = round2(r.uniform(0.6, 1.8))
	p.PlotRatio = &b.plot
	lc := datesFor(r, st, false, c.last, c.minD)
	setDates(p, b, lc)
	p.ApprovalKind = planning.ApprovalCityBatch
	p.SupplyMethod = planning.SupplyAllocation
	if use != "1208" {
		p.SupplyMethod = planning.SupplySale
	}
	p.CurrentUse, p.ConstructionLand = use, true
	b.bottom = float64(-15 - 5*r.IntN(4))      // -15 .. -30
	b.top = [...]float64{-5, -3, 0}[r.IntN(3)] // below ground: [bottom, top)
	p.Elevation = planning.Elevation{Bottom: &b.bottom, Top: &b.top}
	stamp(r, p, lc, c.last)
}

func setDates(p *planning.Parcel, b *parcelBox, lc lifecycle) {
	set := func(d int, dst *time.Time) *time.Time {
		if d == 0 {
			return nil
		}
		*dst = dateOf(d)
		return dst
	}
	p.ApprovedOn = set(lc.approved, &b.approved)
	p.SuppliedOn = set(lc.supplied, &b.supplied)
	p.AgreedStartOn = set(lc.agreed, &b.agreed)
	p.ActualStartOn = set(lc.actual, &b.actual)
	p.CompletedOn = set(lc.completed, &b.done)
	// 交地: the land is handed over three weeks after the contract.
	p.HandedOverOn = nil
	if lc.supplied != 0 {
		p.HandedOverOn = set(lc.supplied+21, &b.handover)
	}
}

// showcase adds the cases of issue 14 that need no random draw (so the
// rest of the world stays as it was): 商业 parcels mixed with housing
// (0901/0701, Hangzhou's B1/R2) and 单独选址 roads with their approval
// as a protected-line exception. Which parcels is decided by their code.
func showcase(p *planning.Parcel, b *parcelBox) {
	h := fnv.New32a()
	h.Write([]byte(p.Code))
	x := h.Sum32()
	p.CompatibleUse, p.CompatibleShare = "", nil
	p.LineException, p.LineExceptionDocument = "", ""
	if p.LandUse == "0901" && x%4 == 0 {
		b.share = 0.3 // the housing share
		p.CompatibleUse, p.CompatibleShare = "0701", &b.share
	}
	if p.LandUse == "1207" && p.ApprovalKind == planning.ApprovalSingleSite {
		p.LineException = planning.LineExceptionSingleSite
		p.LineExceptionDocument = fmt.Sprintf("浙政土字〔%d〕%d号", 2016+x%10, 1+x%200)
	}
}

// stamp sets CreatedAt/UpdatedAt: the record is created at its first event
// (or some day in the last few years) and updated at its latest.
func stamp(r *rng, p *planning.Parcel, lc lifecycle, last int) {
	first, latest := 0, 0
	for _, d := range [...]int{lc.approved, lc.supplied, lc.agreed, lc.actual, lc.completed} {
		if d == 0 || d > last {
			continue
		}
		if first == 0 || d < first {
			first = d
		}
		latest = max(latest, d)
	}
	if first == 0 {
		first = last - r.IntN(1500)
		latest = first + r.IntN(last-first+1)
	}
	at := func(d int) time.Time {
		return dateOf(d).Add(time.Duration(1+r.IntN(9*60)) * time.Minute) // office hours, UTC+8
	}
	p.CreatedAt = at(first)
	p.UpdatedAt = at(latest)
	if p.UpdatedAt.Before(p.CreatedAt) {
		p.UpdatedAt = p.CreatedAt
	}
}

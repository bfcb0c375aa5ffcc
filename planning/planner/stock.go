// Package planner answers the planners' questions (issue 5): which parcels
// are free, whether a shape may take new construction land, how much stock
// land (存量) lies approved-but-unsupplied or idle, and the yearly statistics
// (统计核算). It holds the pure rules and the shapes of the answers; the
// PostGIS store renders the same rules to SQL (a test keeps the two equal).
package planner

import (
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Rules are the thresholds of the stock-land rules. The Order No. 53
// figures are law; the ones marked (unconfirmed) are working assumptions,
// kept here so they can change without touching the code that applies them.
type Rules struct {
	// IdleAfterYears: 闲置 once this many full years pass after the agreed
	// start with no start, or after a halt (国土资源部令第53号 第二条). The
	// idle-land fee (20% of the land price) is due from the same point.
	IdleAfterYears int `json:"idle_after_years"`
	// RecoveryAfterYears: recovery without compensation (无偿收回) is due
	// after this many full years (第十四条).
	RecoveryAfterYears int `json:"recovery_after_years"`
	// FeeShare of the land price (出让或者划拨价款) is the idle-land fee.
	FeeShare float64 `json:"fee_share"`
	// A started project is stalled when less than StallDevelopedBelow of its
	// area is developed or less than StallInvestedBelow of the investment
	// made, and it has been halted.
	StallDevelopedBelow float64 `json:"stall_developed_below"`
	StallInvestedBelow  float64 `json:"stall_invested_below"`
	// NoAgreedStartYears: when no start date was agreed and no handover
	// (交地) date is known, the start is due this many years after supply
	// (unconfirmed). A handover date starts the clock itself.
	NoAgreedStartYears int `json:"no_agreed_start_years"`
	// BuiltNotProducingYears: 建而未投 once completed this many years ago and
	// still not in production (unconfirmed).
	BuiltNotProducingYears int `json:"built_not_producing_years"`
	// SupplyRateYears and SupplyRateFloor: the 增存挂钩 supply rate (supplied
	// ÷ approved) over this many years, and the national floor below which
	// new quota is cut (details unconfirmed).
	SupplyRateYears int     `json:"supply_rate_years"`
	SupplyRateFloor float64 `json:"supply_rate_floor"`
}

// DefaultRules are Order No. 53's thresholds and the working assumptions.
func DefaultRules() Rules {
	return Rules{
		IdleAfterYears:         1,
		RecoveryAfterYears:     2,
		FeeShare:               0.20,
		StallDevelopedBelow:    1.0 / 3,
		StallInvestedBelow:     0.25,
		NoAgreedStartYears:     1,
		BuiltNotProducingYears: 1,
		SupplyRateYears:        5,
		SupplyRateFloor:        0.60,
	}
}

// Facts are what the stock rules read of one parcel. Dates are calendar
// days (UTC midnight, the way pgx returns a DATE).
type Facts struct {
	Status          planning.Status
	ApprovedOn      *time.Time
	SuppliedOn      *time.Time
	HandedOverOn    *time.Time // 交地: starts the idle clock when no start was agreed
	AgreedStartOn   *time.Time // 约定开工日期
	ActualStartOn   *time.Time
	CompletedOn     *time.Time
	DevelopedShare  *float64 // share of the area developed, 0..1
	InvestedShare   *float64 // share of the total investment made, 0..1
	HaltedSince     *time.Time
	GovernmentDelay bool     // delay caused by government or force majeure (政府原因, Order 53 第八条)
	LandPriceWan    *float64 // 出让或者划拨价款, 万元
	// Extensions of the start granted (extension_granted events): from the
	// day one is granted, the latest is the agreed start (Order 53).
	Extensions []Extension
}

// Extension is a granted extension of the start (延长动工开发期限).
type Extension struct {
	GrantedOn  time.Time
	ExtendedTo time.Time
}

// Start basis: what the start due date of supplied land that has not
// started is (Stock.StartDueFrom), in the order the rules look.
const (
	StartFromExtension   = "extension_granted" // the latest granted extension
	StartFromAgreedStart = "agreed_start"      // 约定开工日期
	StartFromHandover    = "handover"          // 交地
	StartFromSupply      = "supply"            // NoAgreedStartYears after supply
)

// IdleKind says which limb of Order No. 53 makes land idle.
type IdleKind string

const (
	IdleNone       IdleKind = ""
	IdleNotStarted IdleKind = "not_started" // 未动工开发
	IdleStalled    IdleKind = "stalled"     // 已动工但中止开发建设
)

// LowKind is one of Huzhou's five kinds of low-efficiency land (低效用地).
type LowKind string

const (
	LowUnsupplied             LowKind = "unsupplied"               // 批而未供
	LowSuppliedUnused         LowKind = "supplied_unused"          // 供而未用
	LowUsedUnfinished         LowKind = "used_unfinished"          // 用而未尽
	LowBuiltNotProducing      LowKind = "built_not_producing"      // 建而未投
	LowProducingBelowStandard LowKind = "producing_below_standard" // 投而未达标
)

// LowKindInfo names a low-efficiency kind and says which facts decide it.
type LowKindInfo struct {
	Code   LowKind `json:"code"`
	NameZh string  `json:"name_zh"`
	NameEn string  `json:"name_en"`
	Rule   string  `json:"rule"`
}

// LowKinds lists the five kinds in their usual order.
var LowKinds = []LowKindInfo{
	{LowUnsupplied, "批而未供", "Approved, not supplied", "approved on or before the as-of date and not supplied by it"},
	{LowSuppliedUnused, "供而未用", "Supplied, not used", "supplied, the start was due (agreed start date, or a year after supply) and construction has not started"},
	{LowUsedUnfinished, "用而未尽", "Used, not fully developed", "construction started and the developed share of the area is known and below 1"},
	{LowBuiltNotProducing, "建而未投", "Built, not in production", "completed at least a year before the as-of date and its status is still 竣工 (not 投产)"},
	{LowProducingBelowStandard, "投而未达标", "In production, below standard", "status 低效 (in production below the per-mu standard)"},
}

// Stock is what the rules derive for one parcel on one day.
type Stock struct {
	// 批而未供: approved, not supplied.
	Unsupplied      bool `json:"unsupplied"`
	UnsuppliedDays  int  `json:"unsupplied_days,omitempty"`
	UnsuppliedYears int  `json:"unsupplied_years,omitempty"` // full years since approval
	// 闲置: idle by Order No. 53. IdleFrom is the day the clock started (the
	// agreed start, or the halt); Idle once IdleAfterYears full years passed.
	Idle      bool       `json:"idle"`
	IdleKind  IdleKind   `json:"idle_kind,omitempty"`
	IdleFrom  *time.Time `json:"idle_from,omitempty"`
	IdleYears int        `json:"idle_years,omitempty"`
	// StartDue is when supplied land that has not started was due to start,
	// the day the 闲置 clock runs from, and StartDueFrom says why (the
	// Start basis constants): a granted extension moves it.
	StartDue     *time.Time `json:"start_due,omitempty"`
	StartDueFrom string     `json:"start_due_from,omitempty"`
	// IdleExempt: idle for 政府原因 (Order 53 第八条). Still 闲置土地, but
	// disposed of by extension, change of use, swap or repurchase
	// (第十二、十三条), so no fee and no recovery are due.
	IdleExempt  bool     `json:"idle_exempt,omitempty"`
	FeeDue      bool     `json:"fee_due,omitempty"`
	FeeWan      *float64 `json:"fee_wan,omitempty"` // when the land price is known
	RecoveryDue bool     `json:"recovery_due,omitempty"`
	// The five kinds of low-efficiency land that apply.
	LowEfficiency []LowKind `json:"low_efficiency"`
	// FactsMissing names the facts without which the rules cannot decide
	// (MissingFacts): the parcel is listed and counted, never dropped.
	FactsMissing []MissingFact `json:"facts_missing"`
}

// MissingFact is a fact the idle-land rules need but the parcel lacks.
type MissingFact string

const (
	// MissingSupplyDate: a supplied stage without a supply date, so no
	// idle clock can start.
	MissingSupplyDate MissingFact = "supply_date"
	// MissingHaltedShares: halted, but the developed or invested share
	// that decides whether it stalled (Order 53 第二条) is unknown.
	MissingHaltedShares MissingFact = "halted_shares"
)

// AddYears adds whole years the way PostgreSQL adds an interval to a date:
// 29 February plus one year is 28 February (Go's AddDate would give 1 March).
func AddYears(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	last := time.Date(y+n, m+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return time.Date(y+n, m, min(d, last), 0, 0, 0, 0, t.Location())
}

// FullYears counts the whole years from since to asof: the largest n with
// AddYears(since, n) <= asof (0 when asof is before since).
func FullYears(since, asof time.Time) int {
	n := asof.Year() - since.Year()
	if n > 0 && AddYears(since, n).After(asof) {
		n--
	}
	return max(n, 0)
}

func onOrBefore(d *time.Time, asof time.Time) bool { return d != nil && !d.After(asof) }

// startedStatuses are the stages that imply construction has started even
// when no start date was recorded.
func startedStatus(s planning.Status) bool {
	switch s {
	case planning.StatusUnderConstruction, planning.StatusCompleted, planning.StatusInProduction,
		planning.StatusLowEfficiency, planning.StatusRedevelopment:
		return true
	}
	return false
}

// Started reports whether construction had started by asof: a start date
// on or before it, or, without a date, a stage that implies one.
func (f *Facts) Started(asof time.Time) bool {
	if f.ActualStartOn != nil {
		return !f.ActualStartOn.After(asof)
	}
	return startedStatus(f.Status)
}

// Derive applies the rules to one parcel as of one day.
func (r Rules) Derive(f Facts, asof time.Time) Stock {
	s := Stock{LowEfficiency: []LowKind{}}
	supplied := onOrBefore(f.SuppliedOn, asof)
	started := f.Started(asof)
	completed := onOrBefore(f.CompletedOn, asof)
	halted := started && !completed && onOrBefore(f.HaltedSince, asof)

	if onOrBefore(f.ApprovedOn, asof) && !supplied {
		s.Unsupplied = true
		s.UnsuppliedDays = int(asof.Sub(*f.ApprovedOn).Hours() / 24)
		s.UnsuppliedYears = FullYears(*f.ApprovedOn, asof)
		s.LowEfficiency = append(s.LowEfficiency, LowUnsupplied)
	}

	s.FactsMissing = r.missingFacts(&f, halted)

	// The idle clock: from the agreed start (or the handover) when nothing
	// was started, from the halt when a started project stalled.
	var from *time.Time
	switch {
	case supplied && !started:
		from = r.startDue(&s, &f, asof)
		s.IdleKind = IdleNotStarted
	case halted && r.stalled(&f):
		from = f.HaltedSince
		s.IdleKind = IdleStalled
	}
	if from != nil && !from.After(asof) && s.IdleKind == IdleNotStarted {
		s.LowEfficiency = append(s.LowEfficiency, LowSuppliedUnused)
	}
	r.idle(&s, &f, from, asof)
	s.LowEfficiency = r.lowInUse(s.LowEfficiency, &f, started, asof)
	return s
}

// missingFacts names what the rules lack to decide: a supplied stage
// without its supply date; a halt whose shares cannot say whether it
// stalled.
func (r Rules) missingFacts(f *Facts, halted bool) []MissingFact {
	out := []MissingFact{}
	if f.Status.Supplied() && f.SuppliedOn == nil {
		out = append(out, MissingSupplyDate)
	}
	if halted && !r.stalled(f) && (f.DevelopedShare == nil || f.InvestedShare == nil) {
		out = append(out, MissingHaltedShares)
	}
	return out
}

// lowInUse appends the low-efficiency kinds of land in use: started and
// not fully developed, built and not producing, producing below standard.
func (r Rules) lowInUse(low []LowKind, f *Facts, started bool, asof time.Time) []LowKind {
	if started && f.DevelopedShare != nil && *f.DevelopedShare < 1 {
		low = append(low, LowUsedUnfinished)
	}
	if f.Status == planning.StatusCompleted && f.CompletedOn != nil &&
		!AddYears(*f.CompletedOn, r.BuiltNotProducingYears).After(asof) {
		low = append(low, LowBuiltNotProducing)
	}
	if f.Status == planning.StatusLowEfficiency {
		low = append(low, LowProducingBelowStandard)
	}
	return low
}

// stalled reports whether a known share says a halted project stalled
// (Order 53 第二条: developed or invested below the rules' thresholds).
func (r Rules) stalled(f *Facts) bool {
	return f.DevelopedShare != nil && *f.DevelopedShare < r.StallDevelopedBelow ||
		f.InvestedShare != nil && *f.InvestedShare < r.StallInvestedBelow
}

// startDue is the day construction was due on land supplied and not
// started, and what set it: the latest extension granted by asof, else
// the agreed start, else the handover, else NoAgreedStartYears after
// supply. It sets StartDue and StartDueFrom.
func (r Rules) startDue(s *Stock, f *Facts, asof time.Time) *time.Time {
	var ext *Extension
	for i, e := range f.Extensions {
		if !e.GrantedOn.After(asof) && (ext == nil || !e.GrantedOn.Before(ext.GrantedOn)) {
			ext = &f.Extensions[i]
		}
	}
	var from *time.Time
	switch {
	case ext != nil:
		from, s.StartDueFrom = &ext.ExtendedTo, StartFromExtension
	case f.AgreedStartOn != nil:
		from, s.StartDueFrom = f.AgreedStartOn, StartFromAgreedStart
	case f.HandedOverOn != nil:
		from, s.StartDueFrom = f.HandedOverOn, StartFromHandover
	default:
		d := AddYears(*f.SuppliedOn, r.NoAgreedStartYears)
		from, s.StartDueFrom = &d, StartFromSupply
	}
	d := *from
	s.StartDue = &d
	return from
}

// idle sets what follows when the idle clock, started at from, has run
// IdleAfterYears by asof: 闲置, with its fee and recovery unless the
// government caused it; otherwise the land is not idle.
func (r Rules) idle(s *Stock, f *Facts, from *time.Time, asof time.Time) {
	if from == nil || AddYears(*from, r.IdleAfterYears).After(asof) {
		s.IdleKind = IdleNone
		return
	}
	d := *from
	s.IdleFrom = &d
	s.IdleYears = FullYears(*from, asof)
	s.Idle = true
	if f.GovernmentDelay {
		s.IdleExempt = true
		return
	}
	s.FeeDue = true
	if f.LandPriceWan != nil {
		fee := roundTo(*f.LandPriceWan*r.FeeShare, 2)
		s.FeeWan = &fee
	}
	s.RecoveryDue = !AddYears(*from, r.RecoveryAfterYears).After(asof)
}

// Check refuses rules that make no sense.
func (r Rules) Check() error {
	switch {
	case r.IdleAfterYears < 1 || r.RecoveryAfterYears < r.IdleAfterYears:
		return planning.Errorf(planning.ErrInvalid, "rules: idle after %d years and recovery after %d years: need 1 <= idle <= recovery", r.IdleAfterYears, r.RecoveryAfterYears)
	case r.FeeShare < 0 || r.FeeShare > 1:
		return planning.Errorf(planning.ErrInvalid, "rules: fee share %v is not between 0 and 1", r.FeeShare)
	case r.StallDevelopedBelow < 0 || r.StallDevelopedBelow > 1 || r.StallInvestedBelow < 0 || r.StallInvestedBelow > 1:
		return planning.Errorf(planning.ErrInvalid, "rules: stall thresholds must be shares between 0 and 1")
	case r.NoAgreedStartYears < 0 || r.BuiltNotProducingYears < 0 || r.SupplyRateYears < 1:
		return planning.Errorf(planning.ErrInvalid, "rules: year counts must not be negative")
	}
	return nil
}

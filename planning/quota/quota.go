// Package quota models the annual construction-land quota: plans, the
// account tree, the ledger and projects. Quota moves only by appending
// ledger entries; balances are derived from them. The database enforces the
// ledger's laws in the booking transaction; this package holds the types,
// the input rules and the interface of the store that keeps them.
package quota

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Kind is a kind of quota, each kept in separate accounts.
type Kind string

const (
	KindNewConstruction Kind = "new_construction" // 新增建设用地计划指标: the quota the tool allocates
	KindLinkage         Kind = "linkage"          // 城乡建设用地增减挂钩
	KindFarmlandBalance Kind = "farmland_balance" // 耕地占补平衡
)

// Kinds lists the quota kinds.
var Kinds = []Kind{KindNewConstruction, KindLinkage, KindFarmlandBalance}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// OrDefault is k, or the new construction-land quota when k is empty: what
// a request or command that names no kind means.
func (k Kind) OrDefault() Kind {
	if k == "" {
		return KindNewConstruction
	}
	return k
}

// NameZh is the kind's name in the plan documents (downloads title their
// sheets with it).
func (k Kind) NameZh() string {
	switch k {
	case KindLinkage:
		return "城乡建设用地增减挂钩指标"
	case KindFarmlandBalance:
		return "耕地占补平衡指标"
	}
	return "新增建设用地计划指标"
}

// PlanState says whether a plan takes bookings.
type PlanState string

const (
	PlanOpen   PlanState = "open"
	PlanClosed PlanState = "closed" // year end done: carried over or lapsed, no more bookings
)

// Document is the official document behind a plan or an entry: 文号, the
// date and the issuing body (e.g. 浙江省自然资源厅).
type Document struct {
	Number string `json:"number"`
	Date   string `json:"date,omitempty"` // YYYY-MM-DD
	Issuer string `json:"issuer,omitempty"`
}

// Check refuses a document without a number or with a malformed date.
func (d *Document) Check(field string) error {
	d.Number, d.Issuer = strings.TrimSpace(d.Number), strings.TrimSpace(d.Issuer)
	if d.Number == "" {
		return planning.FieldError(field+".number", "the document number (文号) is required")
	}
	if len(d.Number) > 200 || len(d.Issuer) > 200 {
		return planning.FieldError(field, "the document number and issuer take at most 200 characters")
	}
	if d.Date != "" {
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			return planning.FieldError(field+".date", "%q is not a date (YYYY-MM-DD)", d.Date)
		}
	}
	return nil
}

// Plan is one year's plan of one quota kind with its totals (from the
// ledger, net of reversals): Issued is what came into the plan from outside
// (issues, rewards, carry-ins), Held what its accounts hold, Consumed what
// approvals used (核销).
type Plan struct {
	ID       int64      `json:"id"`
	Year     int        `json:"year"`
	Kind     Kind       `json:"kind"`
	Name     string     `json:"name"`
	State    PlanState  `json:"state"`
	Document *Document  `json:"document"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	ClosedBy string     `json:"closed_by,omitempty"`

	IssuedM2   amount.Area `json:"issued_m2"`
	HeldM2     amount.Area `json:"held_m2"`
	ConsumedM2 amount.Area `json:"consumed_m2"`
	IssuedHa   float64     `json:"issued_hm2"`
	HeldHa     float64     `json:"held_hm2"`
	ConsumedHa float64     `json:"consumed_hm2"`
}

// WithUnits fills the hm² forms of a plan's totals.
func (p *Plan) WithUnits() {
	p.IssuedHa, p.HeldHa, p.ConsumedHa = p.IssuedM2.Rounded(amount.Hectare), p.HeldM2.Rounded(amount.Hectare), p.ConsumedM2.Rounded(amount.Hectare)
}

// Opening asks to open (or re-sync) a year's plan.
type Opening struct {
	Year           int
	Kind           Kind
	Name           string
	Document       *Document
	Issue          *amount.Area // book this much as the plan's first issue (下达); nil: none
	By             string
	IdempotencyKey string
}

// Check applies the rules that need no database.
func (o *Opening) Check() error {
	if o.Year < 2000 || o.Year > 2100 {
		return planning.FieldError("year", "a plan year between 2000 and 2100 is required, got %d", o.Year)
	}
	if !o.Kind.Valid() {
		return planning.FieldError("kind", "unknown quota kind %q (new_construction, linkage, farmland_balance)", o.Kind)
	}
	o.Name = strings.TrimSpace(o.Name)
	if len(o.Name) > 200 {
		return planning.FieldError("name", "a plan name takes at most 200 characters")
	}
	if o.Document != nil {
		if err := o.Document.Check("document"); err != nil {
			return err
		}
	}
	if o.Issue != nil {
		if o.Document == nil {
			return planning.FieldError("document", "issuing quota needs the issuing document (文号, date, issuing body)")
		}
		b := Booking{Year: o.Year, Kind: o.Kind, Entry: EntryIssue, To: "city", AmountM2: *o.Issue, Reason: "下达", By: o.By, IdempotencyKey: o.IdempotencyKey}
		if err := b.Check(); err != nil {
			return err
		}
	}
	if o.By == "" {
		return planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	return nil
}

// AccountKind places an account in the tree: city → reserve and districts →
// park earmarks → projects.
type AccountKind string

const (
	AccountCity     AccountKind = "city"
	AccountReserve  AccountKind = "reserve"  // 预留: kept at the top
	AccountDistrict AccountKind = "district" // holds the district's quota (不破行政隶属)
	AccountPark     AccountKind = "park"     // earmark for a park inside its host district
	AccountProject  AccountKind = "project"
)

// Account is one node of a plan's tree with its figures, all derived from
// the ledger.
type Account struct {
	ID        int64       `json:"id"`
	Code      string      `json:"code"`
	ParentID  int64       `json:"parent_id,omitempty"`
	Kind      AccountKind `json:"kind"`
	NameZh    string      `json:"name_zh"`
	NameEn    string      `json:"name_en"`
	District  string      `json:"district,omitempty"`
	Park      string      `json:"park,omitempty"`
	ProjectID int64       `json:"project_id,omitempty"`
	Figures
	Subtree Subtree `json:"subtree"`
}

// Figures are an account's own movements in m², net of reversals. They
// and Subtree are the one meaning of every quota figure the dashboard, the
// ledger API, the scenarios and the yearly report show:
//
//   - Received: everything that came into this account (issues, rewards,
//     carry-ins, transfers in, allocations from its parent, releases from
//     its children);
//   - PassedDown: what it passed to its children (allocations, reserve);
//   - ReturnedUp: what it handed back to its parent (releases);
//   - Consumed: 核销 booked from it (project accounts only);
//   - Withdrawn: what left the plan from it otherwise: withdrawn by the
//     province (收回), carried over (结转), lapsed at year end (作废),
//     transferred to another district (调出);
//   - Held: what it holds now = Received − PassedDown − ReturnedUp −
//     Consumed − Withdrawn.
type Figures struct {
	ReceivedM2   amount.Area `json:"received_m2"`
	PassedDownM2 amount.Area `json:"passed_down_m2"`
	ReturnedUpM2 amount.Area `json:"returned_up_m2"`
	ConsumedM2   amount.Area `json:"consumed_m2"`
	WithdrawnM2  amount.Area `json:"withdrawn_m2"`
	HeldM2       amount.Area `json:"held_m2"`
	HeldHa       float64     `json:"held_hm2"`
	HeldMu       float64     `json:"held_mu"`
}

// Subtree are an account's figures together with everything below it
// (its parks and projects), in m²:
//
//   - Issued: what came into the subtree from outside it (from its parent,
//     the province, last year, another district), net of what went back
//     up: Issued = Remaining + Consumed + Withdrawn;
//   - Allocated: what reached project accounts (held there or consumed);
//   - Consumed: 核销 anywhere in the subtree;
//   - Withdrawn: withdrawn, carried over, lapsed or transferred out
//     anywhere in the subtree;
//   - Remaining: what the subtree holds (结余/剩余): the figure both the
//     dashboard and the yearly report call remaining.
type Subtree struct {
	IssuedM2    amount.Area `json:"issued_m2"`
	AllocatedM2 amount.Area `json:"allocated_m2"`
	ConsumedM2  amount.Area `json:"consumed_m2"`
	WithdrawnM2 amount.Area `json:"withdrawn_m2"`
	RemainingM2 amount.Area `json:"remaining_m2"`
	IssuedHa    float64     `json:"issued_hm2"`
	AllocatedHa float64     `json:"allocated_hm2"`
	ConsumedHa  float64     `json:"consumed_hm2"`
	WithdrawnHa float64     `json:"withdrawn_hm2"`
	RemainingHa float64     `json:"remaining_hm2"`
}

func (t *Subtree) add(o Subtree) {
	t.IssuedM2 += o.IssuedM2
	t.AllocatedM2 += o.AllocatedM2
	t.ConsumedM2 += o.ConsumedM2
	t.WithdrawnM2 += o.WithdrawnM2
	t.RemainingM2 += o.RemainingM2
}

// WithUnits fills the hm² forms.
func (t *Subtree) WithUnits() {
	ha := func(a amount.Area) float64 { return a.Rounded(amount.Hectare) }
	t.IssuedHa, t.AllocatedHa, t.ConsumedHa = ha(t.IssuedM2), ha(t.AllocatedM2), ha(t.ConsumedM2)
	t.WithdrawnHa, t.RemainingHa = ha(t.WithdrawnM2), ha(t.RemainingM2)
}

// EntryKind is what a ledger entry does.
type EntryKind string

const (
	EntryIssue     EntryKind = "issue"      // 下达: province → city
	EntryReserve   EntryKind = "reserve"    // 预留: city → reserve
	EntryAllocate  EntryKind = "allocate"   // 分配: parent → child
	EntryRelease   EntryKind = "release"    // 退回: child → parent
	EntryConsume   EntryKind = "consume"    // 核销: project → used
	EntryReward    EntryKind = "reward"     // 奖励: province → account
	EntryWithdraw  EntryKind = "withdraw"   // 收回: account → province
	EntryCarryOver EntryKind = "carry_over" // 结转: account → next year's plan (year end only)
	EntryCarryIn   EntryKind = "carry_in"   // 结转收入: last year's carry-over received (year end only)
	EntryLapse     EntryKind = "lapse"      // 作废: what may not be carried over (year end only)
	EntryTransfer  EntryKind = "transfer"   // 指标调剂: district → district
	EntryReversal  EntryKind = "reversal"   // corrects an earlier entry
)

// EntryKinds lists the kinds an official may book directly. Consumption is
// booked by the approval of the land, year-end kinds by closing the year,
// and a reversal through Reverse.
var EntryKinds = []EntryKind{EntryIssue, EntryReserve, EntryAllocate, EntryRelease, EntryReward, EntryWithdraw, EntryTransfer}

// ProvinceLevel reports whether entries of this kind move quota across the
// plan's outer edge (or between districts): only admins book or reverse
// them.
func (k EntryKind) ProvinceLevel() bool {
	switch k {
	case EntryIssue, EntryReward, EntryWithdraw, EntryCarryOver, EntryCarryIn, EntryLapse, EntryTransfer:
		return true
	}
	return false
}

// Entry is one ledger line. It is never changed once booked.
type Entry struct {
	ID             int64       `json:"id"`
	PlanID         int64       `json:"plan_id"`
	Kind           EntryKind   `json:"kind"`
	From           string      `json:"from,omitempty"` // account code; "" is outside the plan
	To             string      `json:"to,omitempty"`
	AmountM2       amount.Area `json:"amount_m2"`
	AmountHa       float64     `json:"amount_hm2"`
	AmountMu       float64     `json:"amount_mu"`
	Reason         string      `json:"reason"`
	CreatedBy      string      `json:"created_by"`
	CreatedAt      time.Time   `json:"created_at"`
	IdempotencyKey string      `json:"idempotency_key"`
	Reverses       int64       `json:"reverses,omitempty"`
	ReversedBy     int64       `json:"reversed_by,omitempty"`
	ScenarioID     int64       `json:"scenario_id,omitempty"`
	ParcelID       int64       `json:"parcel_id,omitempty"`
	CarriedFrom    int64       `json:"carried_from,omitempty"`
	Document       *Document   `json:"document"`
	OverrideReason string      `json:"override_reason,omitempty"`
}

// Booking asks to book one entry.
type Booking struct {
	Year           int
	Kind           Kind
	Entry          EntryKind
	From, To       string // account codes
	AmountM2       amount.Area
	Reason         string
	By             string
	IdempotencyKey string
	Document       *Document
	OverrideReason string
}

// MaxAmount is the largest amount one entry may move: the allocation
// engine's exact range (1e9 m², 100 000 hm²).
const MaxAmount = allocation.MaxArea

// CheckAmount refuses an amount the ledger does not take, naming the limit.
// Amounts are exact hundredths of a m² already (amount.Parse rounded what
// was typed in hm² or 亩 once), so nothing is rounded here.
func CheckAmount(a amount.Area) error {
	if a <= 0 {
		return planning.FieldError("amount", "the smallest amount is 0.01 m², got %s", amount.FormatM2(a, false))
	}
	if a > MaxAmount {
		return planning.FieldError("amount", "%s is more than the largest amount, %s (100 000 hm²)", amount.FormatM2(a, false), amount.FormatM2(MaxAmount, false))
	}
	return nil
}

// Check applies the rules that need no database: a known kind, a positive
// amount in whole hundredths of a m², a reason, a key, a person.
func (b *Booking) Check() error {
	if !b.Kind.Valid() {
		return planning.FieldError("kind", "unknown quota kind %q", b.Kind)
	}
	known := false
	for _, k := range EntryKinds {
		known = known || k == b.Entry
	}
	if !known {
		return planning.FieldError("entry", "unknown entry kind %q (one of %s)", b.Entry, joinKinds())
	}
	if err := CheckAmount(b.AmountM2); err != nil {
		return err
	}
	if b.Document != nil {
		if err := b.Document.Check("document"); err != nil {
			return err
		}
	}
	if len(b.Reason) > 2000 || len(b.OverrideReason) > 2000 {
		return planning.FieldError("reason", "a reason takes at most 2000 characters")
	}
	if strings.TrimSpace(b.Reason) == "" {
		return planning.FieldError("reason", "every ledger entry needs a reason")
	}
	if b.IdempotencyKey == "" || len(b.IdempotencyKey) > 200 {
		return planning.FieldError("idempotency_key", "an idempotency key of 1 to 200 characters is required, so a retried request never books twice")
	}
	if b.By == "" {
		return planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	return nil
}

func joinKinds() string {
	s := make([]string, len(EntryKinds))
	for i, k := range EntryKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// WithUnits fills the hm² and 亩 forms of an entry's amount.
func (e *Entry) WithUnits() {
	e.AmountHa, e.AmountMu = e.AmountM2.Rounded(amount.Hectare), e.AmountM2.Rounded(amount.Mu)
}

// WithUnits fills the hm² and 亩 forms of the held amount.
func (f *Figures) WithUnits() {
	f.HeldHa, f.HeldMu = f.HeldM2.Rounded(amount.Hectare), f.HeldM2.Rounded(amount.Mu)
}

// Project is a land-use project that needs quota for its parcels. Its
// parcels lie in its district (不破行政隶属: it draws that district's
// quota) and, when Park is set, in that park. It counts as in a park by
// where its parcels lie: LandPark is the quota-holding park all of them lie
// in ("" when they lie in none, or in several), and its account sits under
// that park's earmark.
type Project struct {
	ID              int64               `json:"id"`
	Code            string              `json:"code"`
	Name            string              `json:"name"`
	Category        allocation.Category `json:"category"`
	ProvincialMajor bool                `json:"provincial_major"`
	NationalKey     bool                `json:"national_key"`
	District        string              `json:"district"`
	Park            string              `json:"park,omitempty"`
	LandPark        string              `json:"land_park,omitempty"`
	InvestmentWan   float64             `json:"investment_wan"`
	TaxPerMuWan     float64             `json:"tax_per_mu_wan"`
	Readiness       float64             `json:"readiness"`
	ParcelIDs       []int64             `json:"parcel_ids"`
	Need            Need                `json:"need"`
}

// Need is a project's quota need, derived from its parcels by one rule kept
// in the database (lq_parcel_quota_class): land already approved for
// conversion had its quota consumed then; land that is construction land
// today (现状) needs none; stratified underground rights need none unless
// the policy says so; agricultural and unused land needs new quota (NewM2,
// still to be approved).
type Need struct {
	TotalM2           amount.Area `json:"total_m2"`       // all its parcels
	ApprovedM2        amount.Area `json:"approved_m2"`    // already approved for conversion
	StockM2           amount.Area `json:"stock_m2"`       // construction land today: needs none
	UndergroundM2     amount.Area `json:"underground_m2"` // stratified underground rights
	NewM2             amount.Area `json:"new_m2"`         // needs new quota before approval
	NewHa             float64     `json:"new_hm2"`
	NewMu             float64     `json:"new_mu"`
	Eligible          bool        `json:"eligible"`            // all parcels clear of the protected lines
	FarmlandOverlapM2 float64     `json:"farmland_overlap_m2"` // 永久基本农田 (measured, not an amount of quota)
	RedLineOverlapM2  float64     `json:"red_line_overlap_m2"` // 生态保护红线
	OutsideBoundaryM2 float64     `json:"outside_boundary_m2"` // outside 城镇开发边界
}

// Quota classes of a project parcel (lq_parcel_quota_class).
const (
	ClassApproved    = "approved"
	ClassStock       = "stock"
	ClassUnderground = "underground"
	ClassNew         = "new"
)

// ParcelNeed is one parcel's contribution to a project's need.
type ParcelNeed struct {
	AreaM2                     float64
	Farmland, RedLine, Outside planning.Overlap // with the protected lines
	Class                      string           // one of the Class constants
	Exception                  planning.LineException
}

// DeriveNeed sums parcels into a project's need: each parcel's measured
// area becomes an amount here, rounded as consumption books it
// (round(area_m2::numeric, 2)), so the need is what approval will consume.
// A project is eligible
// when every parcel is, by the protected-line rule with the parcel's
// exception and the tolerance policy (planning.Eligible).
func DeriveNeed(parcels []ParcelNeed, tol planning.LineTolerance) Need {
	var n Need
	for _, p := range parcels {
		a := amount.FromM2(p.AreaM2)
		n.TotalM2 += a
		n.FarmlandOverlapM2 += p.Farmland.M2
		n.RedLineOverlapM2 += p.RedLine.M2
		n.OutsideBoundaryM2 += p.Outside.M2
		switch p.Class {
		case ClassApproved:
			n.ApprovedM2 += a
		case ClassStock:
			n.StockM2 += a
		case ClassUnderground:
			n.UndergroundM2 += a
		default:
			n.NewM2 += a
		}
	}
	n.Eligible = len(parcels) > 0
	for _, p := range parcels {
		n.Eligible = n.Eligible && planning.Eligible(p.Farmland, p.RedLine, p.Outside, tol, p.Exception)
	}
	n.NewHa, n.NewMu = n.NewM2.Rounded(amount.Hectare), n.NewM2.Rounded(amount.Mu)
	return n
}

// StatusChange asks to move a parcel to another lifecycle status (and set
// the dates that go with it). Reaching approval for conversion books the
// consumption of the parcel's new quota from its project's account in the
// same transaction (无指标不得批地); leaving it reverses that.
type StatusChange struct {
	ParcelID   int64
	Status     planning.Status
	ApprovedOn *time.Time
	SuppliedOn *time.Time
	By         string
}

// StatusResult is a parcel after a status change with the ledger entries
// the change booked.
type StatusResult struct {
	ParcelID   int64   `json:"id"`
	Code       string  `json:"code"`
	Status     string  `json:"status"`
	ApprovedOn *string `json:"approved_on"`
	SuppliedOn *string `json:"supplied_on"`
	ProjectID  int64   `json:"project_id,omitempty"`
	Entries    []Entry `json:"entries"`
}

// Store keeps plans, accounts, the ledger and projects. The use cases that
// read, decide and save (grant, run and approve a scenario, close a year)
// are in planning/service, with the ports they need.
type Store interface {
	// Plans lists every plan with its totals, newest year first.
	Plans(ctx context.Context) ([]Plan, error)
	// OpenPlan opens a year's plan with its account tree built from the
	// districts and parks as they stand (or adds the accounts of those
	// added since), and books its first issue when asked. created is false
	// when the plan existed.
	OpenPlan(ctx context.Context, o Opening) (p Plan, accounts []Account, issued *Entry, created bool, err error)
	// SetParcelStatus changes a parcel's status, consuming or restoring quota.
	SetParcelStatus(ctx context.Context, c StatusChange) (StatusResult, error)

	CreateProject(ctx context.Context, p Project) (Project, error)
	SetProjectParcels(ctx context.Context, id int64, parcels []int64) (Project, error)
	Project(ctx context.Context, id int64) (Project, error)
	Projects(ctx context.Context, district string) ([]Project, error)

	Policy(ctx context.Context, year, version int) (PolicyVersion, error)
	PolicyVersions(ctx context.Context, year int) ([]PolicyVersion, error)
	SavePolicy(ctx context.Context, year int, body []byte, note, by string) (PolicyVersion, error)
	Scenario(ctx context.Context, id int64, withInput bool) (Scenario, error)
	Scenarios(ctx context.Context, year int, kind Kind) ([]Scenario, error)
	// Book appends one entry. A retry with the same idempotency key returns
	// the entry first booked; the same key with other content is a conflict.
	Book(ctx context.Context, b Booking) (Entry, error)
	// Entry reads one entry of a plan.
	Entry(ctx context.Context, year int, kind Kind, id int64) (Entry, error)
	// Reverse books the reversal of entry id.
	Reverse(ctx context.Context, year int, kind Kind, id int64, reason, by, key string) (Entry, error)
	Plan(ctx context.Context, year int, kind Kind) (Plan, []Account, error)
	Ledger(ctx context.Context, year int, kind Kind, account string, afterID int64, limit int) ([]Entry, error)
}

// SumSubtrees fills every account's Subtree from the own figures of the
// accounts below it. Accounts may come in any order.
func SumSubtrees(accounts []Account) {
	index := make(map[int64]int, len(accounts))
	for i := range accounts {
		index[accounts[i].ID] = i
		accounts[i].Subtree = Subtree{}
	}
	for i := range accounts {
		a := &accounts[i]
		own := Subtree{ConsumedM2: a.ConsumedM2, WithdrawnM2: a.WithdrawnM2, RemainingM2: a.HeldM2}
		if a.Kind == AccountProject {
			own.AllocatedM2 = a.HeldM2 + a.ConsumedM2
		}
		own.IssuedM2 = own.RemainingM2 + own.ConsumedM2 + own.WithdrawnM2
		for j, ok := i, true; ok; j, ok = index[accounts[j].ParentID] {
			accounts[j].Subtree.add(own)
			if accounts[j].ParentID == 0 {
				break
			}
		}
	}
	for i := range accounts {
		accounts[i].Subtree.WithUnits()
	}
}

// SubtreeOf is the Subtree of the account with this code; zeros when the
// plan has no such account (a park without an earmark, say).
func SubtreeOf(accounts []Account, code string) Subtree {
	for _, a := range accounts {
		if a.Code == code {
			return a.Subtree
		}
	}
	return Subtree{}
}

// Check applies the rules of a project's own fields.
func (p *Project) Check() error {
	p.Code, p.Name = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name)
	if p.Code == "" || len(p.Code) > 64 {
		return planning.FieldError("code", "a project code of 1 to 64 characters is required")
	}
	if p.Name == "" {
		return planning.FieldError("name", "a project name is required")
	}
	if !p.Category.Valid() {
		cats := allocation.Categories()
		s := make([]string, len(cats))
		for i, c := range cats {
			s[i] = string(c)
		}
		return planning.FieldError("category", "unknown category %q (one of %s)", p.Category, strings.Join(s, ", "))
	}
	if p.Readiness < 0 || p.Readiness > 1 || math.IsNaN(p.Readiness) {
		return planning.FieldError("readiness", "must be between 0 and 1, got %v", p.Readiness)
	}
	if p.InvestmentWan < 0 || p.TaxPerMuWan < 0 {
		return planning.FieldError("investment_wan", "investment and tax per mu must not be negative")
	}
	if p.ParcelIDs == nil {
		p.ParcelIDs = []int64{}
	}
	return nil
}

// Grant asks to move quota between a project and the account above it.
type Grant struct {
	Year           int
	Kind           Kind
	ProjectID      int64
	Release        bool         // hand quota back instead of granting it
	Amount         *amount.Area // nil: the outstanding need (grant) or all it holds (release)
	Reason         string
	By             string
	IdempotencyKey string
	// OverrideReason lets an admin grant more than the outstanding need; it
	// is recorded on the entry.
	OverrideReason string
	Admin          bool
}

// Check applies the rules that need no database.
func (g *Grant) Check() error {
	if g.Year < 2000 || g.Year > 2100 {
		return planning.FieldError("year", "a plan year is required, got %d", g.Year)
	}
	if g.ProjectID <= 0 {
		return planning.FieldError("project_id", "a project id is required")
	}
	if g.Amount != nil {
		if err := CheckAmount(*g.Amount); err != nil {
			return err
		}
	}
	g.OverrideReason = strings.TrimSpace(g.OverrideReason)
	if g.OverrideReason != "" && !g.Admin {
		return planning.Errorf(planning.ErrForbidden, "override_reason: only an admin may grant more than a project's outstanding need").WithDetail("field", "override_reason")
	}
	b := Booking{Year: g.Year, Kind: g.Kind, Entry: EntryAllocate, AmountM2: 1, Reason: g.Reason, By: g.By, IdempotencyKey: g.IdempotencyKey}
	return b.Check()
}

func asError(err error, target **planning.Error) bool { return errors.As(err, target) }

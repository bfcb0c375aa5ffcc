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
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
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
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Plan is one year's plan of one quota kind.
type Plan struct {
	ID   int64  `json:"id"`
	Year int    `json:"year"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
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
}

// Figures are an account's movements in m², net of reversals: Received
// is everything that came in (issues, rewards, allocations, releases from
// children); PassedDown went to children (allocations, reserve); ReturnedUp
// went back to the parent; Consumed is 核销 (its own and its subtree's:
// SubtreeConsumed); Withdrawn left the plan; Held is what it holds now.
type Figures struct {
	ReceivedM2        float64 `json:"received_m2"`
	PassedDownM2      float64 `json:"passed_down_m2"`
	ReturnedUpM2      float64 `json:"returned_up_m2"`
	ConsumedM2        float64 `json:"consumed_m2"`
	SubtreeConsumedM2 float64 `json:"subtree_consumed_m2"`
	WithdrawnM2       float64 `json:"withdrawn_m2"`
	HeldM2            float64 `json:"held_m2"`
	HeldHa            float64 `json:"held_hm2"`
	HeldMu            float64 `json:"held_mu"`
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
	EntryCarryOver EntryKind = "carry_over" // 结转: account → next year's plan
	EntryReversal  EntryKind = "reversal"   // corrects an earlier entry
)

// EntryKinds lists the kinds an official may book directly (a reversal is
// booked through Reverse).
var EntryKinds = []EntryKind{EntryIssue, EntryReserve, EntryAllocate, EntryRelease, EntryConsume, EntryReward, EntryWithdraw, EntryCarryOver}

// Entry is one ledger line. It is never changed once booked.
type Entry struct {
	ID             int64     `json:"id"`
	PlanID         int64     `json:"plan_id"`
	Kind           EntryKind `json:"kind"`
	From           string    `json:"from,omitempty"` // account code; "" is outside the plan
	To             string    `json:"to,omitempty"`
	AmountM2       float64   `json:"amount_m2"`
	AmountHa       float64   `json:"amount_hm2"`
	AmountMu       float64   `json:"amount_mu"`
	Reason         string    `json:"reason"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	IdempotencyKey string    `json:"idempotency_key"`
	Reverses       int64     `json:"reverses,omitempty"`
	ScenarioID     int64     `json:"scenario_id,omitempty"`
}

// Booking asks to book one entry.
type Booking struct {
	Year           int
	Kind           Kind
	Entry          EntryKind
	From, To       string // account codes
	AmountM2       float64
	Reason         string
	By             string
	IdempotencyKey string
}

// Check applies the rules that need no database: a known kind, a positive
// amount in whole hundredths of a m², a reason, a key, a person.
func (b *Booking) Check() error {
	if !b.Kind.Valid() {
		return invalid("kind", "unknown quota kind %q", b.Kind)
	}
	known := false
	for _, k := range EntryKinds {
		known = known || k == b.Entry
	}
	if !known {
		return invalid("entry", "unknown entry kind %q (one of %s)", b.Entry, joinKinds())
	}
	if !(b.AmountM2 > 0) || math.IsInf(b.AmountM2, 0) || b.AmountM2 > 1e12 {
		return invalid("amount", "the amount must be a positive area, got %v m²", b.AmountM2)
	}
	b.AmountM2 = math.Round(b.AmountM2*100) / 100
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "every ledger entry needs a reason")
	}
	if b.IdempotencyKey == "" || len(b.IdempotencyKey) > 200 {
		return invalid("idempotency_key", "an idempotency key of 1 to 200 characters is required, so a retried request never books twice")
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

func invalid(field, format string, args ...any) *planning.Error {
	return planning.Errorf(planning.ErrInvalid, field+": "+format, args...).WithDetail("field", field)
}

// WithUnits fills the hm² and 亩 forms of an entry's amount.
func (e *Entry) WithUnits() {
	e.AmountHa = math.Round(geo.HectaresFromM2(e.AmountM2)*100) / 100
	e.AmountMu = math.Round(geo.MuFromM2(e.AmountM2)*100) / 100
}

// WithUnits fills the hm² and 亩 forms of the held amount.
func (f *Figures) WithUnits() {
	f.HeldHa = math.Round(geo.HectaresFromM2(f.HeldM2)*100) / 100
	f.HeldMu = math.Round(geo.MuFromM2(f.HeldM2)*100) / 100
}

// Category is a project's policy category.
type Category string

const (
	CategoryMajorIndustrial        Category = "major_industrial"          // 重大产业项目
	CategoryImportantManufacturing Category = "important_manufacturing"   // 重要制造业
	CategoryLivelihood             Category = "livelihood_infrastructure" // 民生基础设施
	CategoryAffordableHousing      Category = "affordable_housing"        // 保障性住房
	CategoryGeneral                Category = "general"
)

// Categories lists the project categories.
var Categories = []Category{CategoryMajorIndustrial, CategoryImportantManufacturing, CategoryLivelihood, CategoryAffordableHousing, CategoryGeneral}

// Project is a land-use project that needs quota for its parcels.
type Project struct {
	ID              int64    `json:"id"`
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	Category        Category `json:"category"`
	ProvincialMajor bool     `json:"provincial_major"`
	NationalKey     bool     `json:"national_key"`
	District        string   `json:"district"`
	Park            string   `json:"park,omitempty"`
	InvestmentWan   float64  `json:"investment_wan"`
	TaxPerMuWan     float64  `json:"tax_per_mu_wan"`
	Readiness       float64  `json:"readiness"`
	ParcelIDs       []int64  `json:"parcel_ids"`
	Need            Need     `json:"need"`
}

// Need is a project's quota need, derived from its parcels: only land that
// is not yet construction land needs new quota, and stratified underground
// rights only when the policy says so.
type Need struct {
	TotalM2           float64 `json:"total_m2"`       // all its parcels
	StockM2           float64 `json:"stock_m2"`       // already construction land: needs none
	UndergroundM2     float64 `json:"underground_m2"` // stratified underground rights
	NewM2             float64 `json:"new_m2"`         // needs new quota
	NewHa             float64 `json:"new_hm2"`
	NewMu             float64 `json:"new_mu"`
	Eligible          bool    `json:"eligible"`            // all parcels clear of the protected lines
	FarmlandOverlapM2 float64 `json:"farmland_overlap_m2"` // 永久基本农田
	RedLineOverlapM2  float64 `json:"red_line_overlap_m2"` // 生态保护红线
	OutsideBoundaryM2 float64 `json:"outside_boundary_m2"` // outside 城镇开发边界
}

// ParcelNeed is one parcel's contribution to a project's need.
type ParcelNeed struct {
	AreaM2, FarmlandOverlapM2, RedLineOverlapM2, OutsideBoundaryM2 float64
	ConstructionLand, Underground                                  bool
}

// DeriveNeed sums parcels into a project's need. undergroundNeedsQuota is
// the policy switch for stratified underground rights (unconfirmed rule).
func DeriveNeed(parcels []ParcelNeed, undergroundNeedsQuota bool) Need {
	var n Need
	for _, p := range parcels {
		n.TotalM2 += p.AreaM2
		n.FarmlandOverlapM2 += p.FarmlandOverlapM2
		n.RedLineOverlapM2 += p.RedLineOverlapM2
		n.OutsideBoundaryM2 += p.OutsideBoundaryM2
		switch {
		case p.ConstructionLand:
			n.StockM2 += p.AreaM2
		case p.Underground && !undergroundNeedsQuota:
			n.UndergroundM2 += p.AreaM2
		default:
			n.NewM2 += p.AreaM2
		}
	}
	tol := planning.EligibilityToleranceM2
	n.Eligible = len(parcels) > 0 && n.FarmlandOverlapM2 <= tol && n.RedLineOverlapM2 <= tol && n.OutsideBoundaryM2 <= tol
	n.NewM2 = math.Round(n.NewM2*100) / 100
	n.NewHa = math.Round(geo.HectaresFromM2(n.NewM2)*100) / 100
	n.NewMu = math.Round(geo.MuFromM2(n.NewM2)*100) / 100
	return n
}

// Store keeps plans, accounts, the ledger and projects.
type Store interface {
	// Grant moves quota between a project's account and its parent.
	Grant(ctx context.Context, g Grant) (Entry, error)
	EnsurePlan(ctx context.Context, year int, kind Kind, name string) (Plan, error)
	CreateProject(ctx context.Context, p Project) (Project, error)
	SetProjectParcels(ctx context.Context, id int64, parcels []int64) (Project, error)
	Project(ctx context.Context, id int64, undergroundNeedsQuota bool) (Project, error)
	Projects(ctx context.Context, district string, undergroundNeedsQuota bool) ([]Project, error)

	Policy(ctx context.Context, year, version int) (PolicyVersion, error)
	PolicyVersions(ctx context.Context, year int) ([]PolicyVersion, error)
	SavePolicy(ctx context.Context, year int, body []byte, note, by string) (PolicyVersion, error)
	// AllocationInput gathers the engine's input for a plan and the ledger
	// mark it reflects.
	AllocationInput(ctx context.Context, year int, kind Kind, pol allocation.Policy) (allocation.Input, int64, error)
	SaveScenario(ctx context.Context, sc Scenario) (Scenario, error)
	Scenario(ctx context.Context, id int64, withInput bool) (Scenario, error)
	Scenarios(ctx context.Context, year int, kind Kind) ([]Scenario, error)
	ApproveScenario(ctx context.Context, id int64, by string) (Scenario, error)
	// Book appends one entry. A retry with the same idempotency key returns
	// the entry first booked; the same key with other content is a conflict.
	Book(ctx context.Context, b Booking) (Entry, error)
	// Reverse books the reversal of entry id.
	Reverse(ctx context.Context, year int, kind Kind, id int64, reason, by, key string) (Entry, error)
	Plan(ctx context.Context, year int, kind Kind) (Plan, []Account, error)
	Ledger(ctx context.Context, year int, kind Kind, account string, afterID int64, limit int) ([]Entry, error)
}

// SumSubtrees fills SubtreeConsumedM2: what an account and everything
// below it consumed. Accounts may come in any order.
func SumSubtrees(accounts []Account) {
	index := make(map[int64]int, len(accounts))
	for i := range accounts {
		index[accounts[i].ID] = i
		accounts[i].SubtreeConsumedM2 = 0
	}
	for i := range accounts {
		c := accounts[i].ConsumedM2
		for j, ok := i, true; ok; j, ok = index[accounts[j].ParentID] {
			accounts[j].SubtreeConsumedM2 += c
			if accounts[j].ParentID == 0 {
				break
			}
		}
	}
}

// Check applies the rules of a project's own fields.
func (p *Project) Check() error {
	p.Code, p.Name = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name)
	if p.Code == "" || len(p.Code) > 64 {
		return invalid("code", "a project code of 1 to 64 characters is required")
	}
	if p.Name == "" {
		return invalid("name", "a project name is required")
	}
	known := false
	for _, c := range Categories {
		known = known || c == p.Category
	}
	if !known {
		s := make([]string, len(Categories))
		for i, c := range Categories {
			s[i] = string(c)
		}
		return invalid("category", "unknown category %q (one of %s)", p.Category, strings.Join(s, ", "))
	}
	if p.Readiness < 0 || p.Readiness > 1 || math.IsNaN(p.Readiness) {
		return invalid("readiness", "must be between 0 and 1, got %v", p.Readiness)
	}
	if p.InvestmentWan < 0 || p.TaxPerMuWan < 0 {
		return invalid("investment_wan", "investment and tax per mu must not be negative")
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
	Release        bool    // hand quota back instead of granting it
	AmountM2       float64 // 0: the outstanding need (grant) or all it holds (release)
	Reason         string
	By             string
	IdempotencyKey string
}

// Check applies the rules that need no database.
func (g *Grant) Check() error {
	if g.Year < 2000 || g.Year > 2100 {
		return invalid("year", "a plan year is required, got %d", g.Year)
	}
	if g.ProjectID <= 0 {
		return invalid("project_id", "a project id is required")
	}
	if g.AmountM2 < 0 || math.IsNaN(g.AmountM2) {
		return invalid("amount", "give exactly one positive amount_m2, amount_hm2 or amount_mu, or none for the project's need")
	}
	b := Booking{Year: g.Year, Kind: g.Kind, Entry: EntryAllocate, AmountM2: 1, Reason: g.Reason, By: g.By, IdempotencyKey: g.IdempotencyKey}
	return b.Check()
}

func asError(err error, target **planning.Error) bool { return errors.As(err, target) }

package allocation

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Category is the kind of project the policy tilts toward or grants
// differently.
type Category string

const (
	MajorIndustrial          Category = "major_industrial"          // 重大产业项目
	ImportantManufacturing   Category = "important_manufacturing"   // 重要制造业
	LivelihoodInfrastructure Category = "livelihood_infrastructure" // 民生基础设施
	AffordableHousing        Category = "affordable_housing"        // 保障性住房
	General                  Category = "general"                   // 一般项目
)

// Categories lists every category in display order.
func Categories() []Category {
	return []Category{MajorIndustrial, ImportantManufacturing, LivelihoodInfrastructure, AffordableHousing, General}
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c.index() >= 0 }

func (c Category) index() int {
	switch c {
	case MajorIndustrial:
		return 0
	case ImportantManufacturing:
		return 1
	case LivelihoodInfrastructure:
		return 2
	case AffordableHousing:
		return 3
	case General:
		return 4
	}
	return -1
}

const numCategories = 5

// NameZh is the Chinese name of the category.
func (c Category) NameZh() string {
	switch c {
	case MajorIndustrial:
		return "重大产业项目"
	case ImportantManufacturing:
		return "重要制造业"
	case LivelihoodInfrastructure:
		return "民生基础设施"
	case AffordableHousing:
		return "保障性住房"
	case General:
		return "一般项目"
	}
	return string(c)
}

// NameEn is the English name of the category.
func (c Category) NameEn() string {
	switch c {
	case MajorIndustrial:
		return "major industrial project"
	case ImportantManufacturing:
		return "important manufacturing"
	case LivelihoodInfrastructure:
		return "livelihood infrastructure"
	case AffordableHousing:
		return "affordable housing"
	case General:
		return "general project"
	}
	return string(c)
}

// Method is the allocation method of a run.
type Method string

const (
	// MethodPriority: factor split to districts, then projects ranked by
	// score inside each district pool and granted in order while quota lasts.
	MethodPriority Method = "priority"
	// MethodOptimal: same district pools, then the exact set of grants with
	// the highest total score-weighted area.
	MethodOptimal Method = "optimal"
)

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return m == MethodPriority || m == MethodOptimal }

// FactorName names a factor of the district split (因素法).
type FactorName string

const (
	// FactorSupplyRate5y is the 5-year average supply rate (供地率, 0..1).
	FactorSupplyRate5y FactorName = "supply_rate_5y"
	// FactorUnsuppliedDisposed is 批而未供 land disposed of last year (m²).
	FactorUnsuppliedDisposed FactorName = "unsupplied_disposed"
	// FactorIdleDisposed is 闲置 land disposed of last year (m²).
	FactorIdleDisposed FactorName = "idle_disposed"
	// FactorTaxPerMu is 亩均税收 (万元/亩).
	FactorTaxPerMu FactorName = "tax_per_mu"
	// FactorValueAddedPerMu is 亩均增加值 (万元/亩).
	FactorValueAddedPerMu FactorName = "value_added_per_mu"
	// FactorProjectNeed is the need of the district's eligible projects,
	// its parks included (计划指标跟着项目走). Computed, not a fact.
	FactorProjectNeed FactorName = "project_need"
)

// Extensive reports whether factor f is an area that grows with a
// district's size and activity (project_need, unsupplied_disposed,
// idle_disposed): only such factors may be shares. The others are ratios.
func (f FactorName) Extensive() bool {
	return f == FactorProjectNeed || f == FactorUnsuppliedDisposed || f == FactorIdleDisposed
}

// FactorRole says how a factor enters the district split.
type FactorRole string

const (
	// RoleShare: the factor's weight times the district's part of the
	// factor's total (extensive factors only); share weights sum to 1.
	RoleShare FactorRole = "share"
	// RoleCoefficient: the district's share is multiplied by
	// clamp(x_i / mean_j x_j, 0.5, 1.5)^weight (ratio factors only).
	RoleCoefficient FactorRole = "coefficient"
	// RoleThreshold: a district whose value is below the factor's
	// threshold has its share multiplied by 0.5^weight (ratio factors
	// only).
	RoleThreshold FactorRole = "threshold"
)

// inferRole is the role of a factor stored without one: areas are shares,
// ratios coefficients.
func inferRole(f FactorName) FactorRole {
	if f.Extensive() {
		return RoleShare
	}
	return RoleCoefficient
}

// Bounds of a ratio factor's x_i / mean before the exponent; the threshold
// penalty is the lower bound raised to the weight.
const (
	coefMin = 0.5
	coefMax = 1.5
)

// FactorNames lists every factor in display order.
func FactorNames() []FactorName {
	return []FactorName{FactorSupplyRate5y, FactorUnsuppliedDisposed, FactorIdleDisposed, FactorTaxPerMu, FactorValueAddedPerMu, FactorProjectNeed}
}

// Valid reports whether f is a known factor.
func (f FactorName) Valid() bool { return slices.Contains(FactorNames(), f) }

// SupplyRateAction is what 增存挂钩 does to a district whose 5-year supply
// rate is below the floor.
type SupplyRateAction string

const (
	// ActionCut limits the district's ordinary projects to (1 − cut_fraction)
	// of its pool.
	ActionCut SupplyRateAction = "cut"
	// ActionSuspend gives the district's ordinary projects no new quota.
	ActionSuspend SupplyRateAction = "suspend"
)

// GrantMode says whether a category's projects may receive less than their
// need.
type GrantMode string

const (
	// AllOrNothing: the full need or nothing.
	AllOrNothing GrantMode = "all_or_nothing"
	// PartialGrant: any amount from min_fraction × need up to the need.
	PartialGrant GrantMode = "partial"
)

// Policy is the versioned allocation policy of one year, stored as JSON and
// edited through the API. DefaultPolicy documents every default.
type Policy struct {
	Version int `json:"version"`
	Year    int `json:"year"`
	// ReserveShare is the share of the available quota kept at city level
	// (预留) before the district split, 0..1.
	ReserveShare float64 `json:"reserve_share"`
	// Factors are the factors of the district split (因素法) with their
	// roles: the share weights sum to 1, ratios adjust (see Factor).
	Factors []Factor `json:"factors"`
	// SupplyRate is the 增存挂钩 rule.
	SupplyRate SupplyRateRule `json:"supply_rate"`
	// Scoring gives the points of a project's policy score.
	Scoring Scoring `json:"scoring"`
	// Tilt multiplies the score of projects of these categories in a park
	// that receives the tilt (a project elsewhere gets none). Missing = 1.
	Tilt []Tilt `json:"tilt"`
	// Grants says, per category, all-or-nothing or partial (every category
	// once).
	Grants []GrantRule `json:"grants"`
	// Accounts are per-account floors and caps.
	Accounts []AccountLimit `json:"accounts"`
	// UndergroundNeedsQuota says whether stratified underground-only rights
	// (分层设立的地下建设用地使用权) consume new quota. The engine carries the
	// flag; the need derivation elsewhere applies it.
	UndergroundNeedsQuota bool `json:"underground_needs_quota"`
	// ParkEarmark is the part of the city reserve added for the parks that
	// receive the tilt.
	ParkEarmark ParkEarmark `json:"park_earmark"`
	// CarryOver and StockLinkage are the year-end rules; the plan close
	// applies them, the engine only validates them.
	CarryOver    CarryOver    `json:"carry_over"`
	StockLinkage StockLinkage `json:"stock_linkage"`
}

// ParkEarmark is 合作园增加用地指标: Share of the available quota is taken
// from the city reserve (so Share <= reserve_share) and added for the
// projects of these categories in the parks that receive the tilt, after
// the district pools are solved. An empty Categories means the three
// categories the policy names for the cooperation parks
// (DefaultEarmarkCategories).
type ParkEarmark struct {
	Share      float64    `json:"share"`
	Categories []Category `json:"categories"`
}

// DefaultEarmarkCategories are 民生基础设施, 重要制造业 and 重大产业项目.
func DefaultEarmarkCategories() []Category {
	return []Category{LivelihoodInfrastructure, ImportantManufacturing, MajorIndustrial}
}

// CarryOver is 结转: at year end Share of what each account holds is carried
// into next year's plan and the rest lapses, on the approving Document
// (required when Share > 0).
type CarryOver struct {
	Share    float64 `json:"share"`
	Document string  `json:"document"`
}

// StockLinkage is the year-end 增存挂钩 adjustment: each district is
// rewarded in next year's plan with RewardRatio × the 批而未供 and 闲置 land
// it disposed in the closed year; with WithholdBelowFloor a district whose
// 5-year supply rate is below supply_rate.floor carries nothing over and
// gets no reward.
type StockLinkage struct {
	RewardRatio        float64 `json:"reward_ratio"`
	WithholdBelowFloor bool    `json:"withhold_below_floor"`
}

// Factor is one factor of the district split (因素法) and its role. A share
// factor adds Weight · x_ik / Σ_j x_jk to district i's base share; a
// coefficient multiplies it by clamp(x_ik / mean_j x_jk, 0.5, 1.5)^Weight;
// a threshold multiplies it by 0.5^Weight when x_ik < Threshold. An empty
// Role is inferred from the name (areas share, ratios coefficient).
type Factor struct {
	Name   FactorName `json:"name"`
	Role   FactorRole `json:"role"`
	Weight float64    `json:"weight"`
	// Threshold is in the factor's unit (supply rate 0..1, 万元/亩); only
	// with role threshold.
	Threshold *float64 `json:"threshold,omitempty"`
}

// role is the factor's role, inferred when not given.
func (f Factor) role() FactorRole {
	if f.Role == "" {
		return inferRole(f.Name)
	}
	return f.Role
}

// SupplyRateRule is 增存挂钩: a district whose 5-year average supply rate is
// below Floor has its new quota cut or suspended. Exempt projects (national
// key projects, and the ExemptCategories) are never cut.
type SupplyRateRule struct {
	Floor            float64          `json:"floor"`
	Action           SupplyRateAction `json:"action"`
	CutFraction      float64          `json:"cut_fraction"`
	ExemptCategories []Category       `json:"exempt_categories"`
}

// Scoring gives the points of a project's policy score. Score =
// (category points + 亩均税收 points + investment-intensity points + readiness
// points + bonuses) × tilt multiplier.
type Scoring struct {
	// Categories gives base points per category (every category once).
	Categories []CategoryPoints `json:"categories"`
	// TaxPerMuPoints are earned in full at TaxPerMuReference 万元/亩 of
	// expected 亩均税收, linearly below it.
	TaxPerMuPoints    float64 `json:"tax_per_mu_points"`
	TaxPerMuReference float64 `json:"tax_per_mu_reference"`
	// InvestmentIntensityPoints are earned in full at
	// InvestmentIntensityReference 万元 of investment per 亩 of quota need.
	InvestmentIntensityPoints    float64 `json:"investment_intensity_points"`
	InvestmentIntensityReference float64 `json:"investment_intensity_reference"`
	// ReadinessPoints × readiness (0..1).
	ReadinessPoints float64 `json:"readiness_points"`
	// ProvincialMajorBonus is added for a 省重大产业项目.
	ProvincialMajorBonus float64 `json:"provincial_major_bonus"`
	// NationalKeyBonus is added for a national key project (国家重点项目).
	NationalKeyBonus float64 `json:"national_key_bonus"`
}

// CategoryPoints are the base points of a category.
type CategoryPoints struct {
	Category Category `json:"category"`
	Points   float64  `json:"points"`
}

// Tilt is the score multiplier of a category in parks that receive the
// tilt (Account.ReceivesTilt).
type Tilt struct {
	Category   Category `json:"category"`
	Multiplier float64  `json:"multiplier"`
}

// GrantRule is how a category's projects are granted. MinFraction (0..1)
// is the smallest partial grant as a share of the need; it must be 0 with
// all_or_nothing.
type GrantRule struct {
	Category    Category  `json:"category"`
	Mode        GrantMode `json:"mode"`
	MinFraction float64   `json:"min_fraction"`
}

// AccountLimit is a floor and a cap for one account. A district's floor is a
// minimum pool in the split; a park's floor is reserved inside its district's
// pool for the park's projects (what they cannot use goes back to the
// reserve). A cap limits what the account may hold: Account.Held counts
// against it. No cap when Cap is nil.
type AccountLimit struct {
	AccountID string `json:"account_id"`
	Floor     Area   `json:"floor_m2"`
	Cap       *Area  `json:"cap_m2,omitempty"`
}

// Limits of policy numbers: they keep scores × areas exact in int64.
const (
	maxPoints     = 1000
	maxMultiplier = 10
)

// DefaultPolicy is the starting policy of a year. Coefficients are not
// published anywhere we could check (docs/DOMAIN.md: unconfirmed), so every value
// is an editable default:
//
//   - reserve_share 0.10: a tenth kept at city level (预留) for major projects.
//   - factors: shares project_need 0.50 (quota follows the project),
//     unsupplied_disposed 0.35 (批而未供 disposed), idle_disposed 0.15 (闲置
//     disposed); coefficients supply_rate_5y exponent 1.0, tax_per_mu
//     (亩均税收) 0.5 and value_added_per_mu (亩均增加值) 0.5, so a district
//     at the mean of every ratio keeps its base share and one at half the
//     mean supply rate and 亩均 figures gets a quarter of it.
//   - supply_rate: floor 0.60 (national 5-year supply-rate floor), action
//     suspend (the 2018 增存挂钩 notice suspends new quota below 60%),
//     cut_fraction 0.50 when switched to cut; national key projects exempt,
//     and livelihood_infrastructure and affordable_housing as exempt
//     categories (民生保障项目 are exempt from the cut).
//   - scoring: category points major_industrial 30, important_manufacturing
//     25, livelihood_infrastructure 25, affordable_housing 25, general 10;
//     亩均税收 25 points at 50 万元/亩; investment intensity 15 points at 500
//     万元/亩; readiness 20 points; provincial-major bonus 10; national-key
//     bonus 10. Highest untilted score 110.
//   - tilt in parks that receive it: livelihood_infrastructure ×1.2,
//     important_manufacturing ×1.2, major_industrial ×1.3.
//   - grants: major_industrial all-or-nothing; every other category partial
//     down to half its need (min_fraction 0.5).
//   - accounts: none (floors and caps are set per account by the officials).
//   - underground_needs_quota false.
//   - park_earmark: share 0.05 of the available quota, taken from the
//     reserve, for livelihood_infrastructure, important_manufacturing and
//     major_industrial projects in the parks that receive the tilt.
//   - carry_over: share 0 (nothing carried over: everything held lapses at
//     year end), no document.
//   - stock_linkage: reward_ratio 0, withhold_below_floor true.
func DefaultPolicy(year int) Policy {
	return Policy{
		Version:      1,
		Year:         year,
		ReserveShare: 0.10,
		Factors: []Factor{
			{Name: FactorProjectNeed, Role: RoleShare, Weight: 0.50},
			{Name: FactorUnsuppliedDisposed, Role: RoleShare, Weight: 0.35},
			{Name: FactorIdleDisposed, Role: RoleShare, Weight: 0.15},
			{Name: FactorSupplyRate5y, Role: RoleCoefficient, Weight: 1.0},
			{Name: FactorTaxPerMu, Role: RoleCoefficient, Weight: 0.5},
			{Name: FactorValueAddedPerMu, Role: RoleCoefficient, Weight: 0.5},
		},
		SupplyRate: SupplyRateRule{Floor: 0.60, Action: ActionSuspend, CutFraction: 0.50, ExemptCategories: []Category{LivelihoodInfrastructure, AffordableHousing}},
		Scoring: Scoring{
			Categories: []CategoryPoints{
				{MajorIndustrial, 30},
				{ImportantManufacturing, 25},
				{LivelihoodInfrastructure, 25},
				{AffordableHousing, 25},
				{General, 10},
			},
			TaxPerMuPoints:               25,
			TaxPerMuReference:            50,
			InvestmentIntensityPoints:    15,
			InvestmentIntensityReference: 500,
			ReadinessPoints:              20,
			ProvincialMajorBonus:         10,
			NationalKeyBonus:             10,
		},
		Tilt: []Tilt{
			{LivelihoodInfrastructure, 1.2},
			{ImportantManufacturing, 1.2},
			{MajorIndustrial, 1.3},
		},
		Grants: []GrantRule{
			{MajorIndustrial, AllOrNothing, 0},
			{ImportantManufacturing, PartialGrant, 0.5},
			{LivelihoodInfrastructure, PartialGrant, 0.5},
			{AffordableHousing, PartialGrant, 0.5},
			{General, PartialGrant, 0.5},
		},
		Accounts:              []AccountLimit{},
		UndergroundNeedsQuota: false,
		ParkEarmark:           ParkEarmark{Share: 0.05, Categories: DefaultEarmarkCategories()},
		CarryOver:             CarryOver{Share: 0, Document: ""},
		StockLinkage:          StockLinkage{RewardRatio: 0, WithholdBelowFloor: true},
	}
}

// problem is one validation failure: the JSON path of the field and what is
// wrong with it.
type problem struct {
	Field   string        `json:"field"`
	Message string        `json:"message"`
	text    planning.Text // Message, for the error in the reader's language
}

type problems []problem

func (ps *problems) add(field, format string, args ...any) {
	t := planning.Textf(format, args...)
	*ps = append(*ps, problem{Field: field, Message: t.String(), text: t})
}

// err turns the problems into one *planning.Error naming the first field;
// every problem is listed in the "problems" detail.
func (ps problems) err(prefix string) error {
	if len(ps) == 0 {
		return nil
	}
	first := ps[0]
	field := prefix + first.Field
	e := planning.Errorf(planning.ErrInvalid, "%s: %s", field, first.text)
	if len(ps) > 1 {
		e = planning.Errorf(planning.ErrInvalid, "%s: %s (and %d more problem(s))", field, first.text, len(ps)-1)
	}
	all := make([]problem, len(ps))
	for i, p := range ps {
		all[i] = problem{Field: prefix + p.Field, Message: p.Message}
	}
	return e.WithDetail("field", field).WithDetail("problems", all)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (ps *problems) unit(field string, x float64) {
	if !finite(x) || x < 0 || x > 1 {
		ps.add(field, "must be within [0, 1]")
	}
}

func (ps *problems) category(field string, c Category) bool {
	if !c.Valid() {
		ps.add(field, "unknown category %q (known: %s)", c, joinCategories())
		return false
	}
	return true
}

func joinCategories() string {
	var b strings.Builder
	for i, c := range Categories() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(c))
	}
	return b.String()
}

// Validate checks the policy. It returns a *planning.Error with code
// invalid whose message starts with the JSON path of the first bad field
// ("factors[2].weight: must be >= 0"); the "field" detail holds that path
// and the "problems" detail lists every problem found.
func (p Policy) Validate() error { return p.check().err("") }

// check lists every problem of the policy, with paths relative to it: one
// check per part of the policy, in the order of its fields.
func (p Policy) check() problems {
	var ps problems
	for _, part := range []func(*Policy, *problems){
		(*Policy).checkYear, (*Policy).checkFactors, (*Policy).checkSupplyRate, (*Policy).checkScoring,
		(*Policy).checkTilt, (*Policy).checkGrants, (*Policy).checkAccounts, (*Policy).checkEarmark, (*Policy).checkYearEnd,
	} {
		part(&p, &ps)
	}
	return ps
}

func (p *Policy) checkYear(ps *problems) {
	if p.Version < 1 {
		ps.add("version", "must be >= 1")
	}
	if p.Year < 1990 || p.Year > 2100 {
		ps.add("year", "must be between 1990 and 2100")
	}
	ps.unit("reserve_share", p.ReserveShare)
}

// checkFactors checks each factor, then that the share weights sum to 1.
func (p *Policy) checkFactors(ps *problems) {
	if len(p.Factors) == 0 {
		ps.add("factors", "at least one factor is needed")
	}
	sum, shares := 0.0, 0
	weightsOK := true
	for i, f := range p.Factors {
		path := fmt.Sprintf("factors[%d]", i)
		if !f.Name.Valid() {
			ps.add(path+".name", "unknown factor %q", f.Name)
		}
		for j := 0; j < i; j++ {
			if p.Factors[j].Name == f.Name {
				ps.add(path+".name", "duplicate factor %q", f.Name)
				break
			}
		}
		ps.factorRole(path, f)
		weightsOK = ps.factorWeight(path, f.Weight) && weightsOK
		if f.role() == RoleShare {
			sum += f.Weight
			shares++
		}
		ps.factorThreshold(path, f)
	}
	if len(p.Factors) > 0 && shares == 0 {
		ps.add("factors", "at least one share factor (%s, %s or %s) is needed", FactorProjectNeed, FactorUnsuppliedDisposed, FactorIdleDisposed)
	}
	if weightsOK && shares > 0 && math.Abs(sum-1) > 1e-9 {
		ps.add("factors", "the weights of the share factors must sum to 1 (within 1e-9), got %.12g", sum)
	}
}

// factorRole: areas share, ratios adjust.
func (ps *problems) factorRole(path string, f Factor) {
	switch f.role() {
	case RoleShare:
		if f.Name.Valid() && !f.Name.Extensive() {
			ps.add(path+".role", "%q is a ratio: it may be a %q or a %q, not a share (only %s, %s and %s are shares)",
				f.Name, RoleCoefficient, RoleThreshold, FactorProjectNeed, FactorUnsuppliedDisposed, FactorIdleDisposed)
		}
	case RoleCoefficient, RoleThreshold:
		if f.Name.Extensive() {
			ps.add(path+".role", "%q is an area: it can only be a %q", f.Name, RoleShare)
		}
	default:
		ps.add(path+".role", "must be %q, %q or %q", RoleShare, RoleCoefficient, RoleThreshold)
	}
}

// factorWeight reports whether the weight is within [0, 1].
func (ps *problems) factorWeight(path string, w float64) bool {
	switch {
	case !finite(w):
		ps.add(path+".weight", "must be a finite number")
	case w < 0:
		ps.add(path+".weight", "must be >= 0")
	case w > 1:
		ps.add(path+".weight", "must be <= 1")
	default:
		return true
	}
	return false
}

// factorThreshold: exactly the thresholds have one, in the factor's unit.
func (ps *problems) factorThreshold(path string, f Factor) {
	role := f.role()
	switch {
	case role != RoleThreshold && f.Threshold != nil:
		ps.add(path+".threshold", "only a factor with role %q has a threshold", RoleThreshold)
	case role == RoleThreshold && f.Threshold == nil:
		ps.add(path+".threshold", "required with role %q", RoleThreshold)
	case role == RoleThreshold && f.Name == FactorSupplyRate5y:
		ps.unit(path+".threshold", *f.Threshold)
	case role == RoleThreshold:
		ps.nonNegative(path+".threshold", *f.Threshold)
	}
}

func (p *Policy) checkSupplyRate(ps *problems) {
	sr := p.SupplyRate
	ps.unit("supply_rate.floor", sr.Floor)
	if sr.Action != ActionCut && sr.Action != ActionSuspend {
		ps.add("supply_rate.action", "must be %q or %q", ActionCut, ActionSuspend)
	}
	ps.unit("supply_rate.cut_fraction", sr.CutFraction)
	ps.categoryList("supply_rate.exempt_categories", sr.ExemptCategories)
}

func (p *Policy) checkScoring(ps *problems) {
	sc := p.Scoring
	var seen categorySet
	for i, cp := range sc.Categories {
		path := fmt.Sprintf("scoring.categories[%d]", i)
		seen.once(ps, path+".category", cp.Category)
		ps.points(path+".points", cp.Points)
	}
	seen.all(ps, "scoring.categories")
	ps.points("scoring.tax_per_mu_points", sc.TaxPerMuPoints)
	ps.positive("scoring.tax_per_mu_reference", sc.TaxPerMuReference)
	ps.points("scoring.investment_intensity_points", sc.InvestmentIntensityPoints)
	ps.positive("scoring.investment_intensity_reference", sc.InvestmentIntensityReference)
	ps.points("scoring.readiness_points", sc.ReadinessPoints)
	ps.points("scoring.provincial_major_bonus", sc.ProvincialMajorBonus)
	ps.points("scoring.national_key_bonus", sc.NationalKeyBonus)
}

func (p *Policy) checkTilt(ps *problems) {
	var seen categorySet
	for i, t := range p.Tilt {
		path := fmt.Sprintf("tilt[%d]", i)
		seen.once(ps, path+".category", t.Category)
		if !finite(t.Multiplier) || t.Multiplier <= 0 || t.Multiplier > maxMultiplier {
			ps.add(path+".multiplier", "must be > 0 and <= %d", maxMultiplier)
		}
	}
}

func (p *Policy) checkGrants(ps *problems) {
	var seen categorySet
	for i, g := range p.Grants {
		path := fmt.Sprintf("grants[%d]", i)
		seen.once(ps, path+".category", g.Category)
		switch g.Mode {
		case AllOrNothing:
			if g.MinFraction != 0 {
				ps.add(path+".min_fraction", "must be 0 with mode %q", AllOrNothing)
			}
		case PartialGrant:
			ps.unit(path+".min_fraction", g.MinFraction)
		default:
			ps.add(path+".mode", "must be %q or %q", AllOrNothing, PartialGrant)
		}
	}
	seen.all(ps, "grants")
}

func (p *Policy) checkAccounts(ps *problems) {
	for i, a := range p.Accounts {
		path := fmt.Sprintf("accounts[%d]", i)
		if strings.TrimSpace(a.AccountID) == "" {
			ps.add(path+".account_id", "must not be empty")
		}
		for j := 0; j < i; j++ {
			if p.Accounts[j].AccountID == a.AccountID {
				ps.add(path+".account_id", "duplicate account %q", a.AccountID)
				break
			}
		}
		if a.Floor < 0 || a.Floor > MaxArea {
			ps.add(path+".floor_m2", "must be within [0, %s]", amount.FormatM2(MaxArea, false))
		}
		if a.Cap != nil {
			switch {
			case *a.Cap < 0 || *a.Cap > MaxArea:
				ps.add(path+".cap_m2", "must be within [0, %s]", amount.FormatM2(MaxArea, false))
			case a.Floor > *a.Cap:
				ps.add(path+".floor_m2", "must be <= cap_m2 (%s > %s)", amount.FormatM2(a.Floor, false), amount.FormatM2(*a.Cap, false))
			}
		}
	}
}

func (p *Policy) checkEarmark(ps *problems) {
	pe := p.ParkEarmark
	ps.unit("park_earmark.share", pe.Share)
	if finite(pe.Share) && finite(p.ReserveShare) && p.ReserveShare >= 0 && p.ReserveShare <= 1 && pe.Share > p.ReserveShare {
		ps.add("park_earmark.share", "must be <= reserve_share (%g > %g): the earmark is taken from the city reserve", pe.Share, p.ReserveShare)
	}
	ps.categoryList("park_earmark.categories", pe.Categories)
}

func (p *Policy) checkYearEnd(ps *problems) {
	ps.unit("carry_over.share", p.CarryOver.Share)
	if finite(p.CarryOver.Share) && p.CarryOver.Share > 0 && strings.TrimSpace(p.CarryOver.Document) == "" {
		ps.add("carry_over.document", "the approving document (文号) is required when share > 0")
	}
	ps.unit("stock_linkage.reward_ratio", p.StockLinkage.RewardRatio)
}

// categoryList checks a list of categories: each known, none twice.
func (ps *problems) categoryList(field string, cats []Category) {
	for i, c := range cats {
		path := fmt.Sprintf("%s[%d]", field, i)
		if ps.category(path, c) {
			for j := 0; j < i; j++ {
				if cats[j] == c {
					ps.add(path, "duplicate category %q", c)
					break
				}
			}
		}
	}
}

// categorySet is the categories a per-category list has named.
type categorySet [numCategories]bool

// once checks that c is a known category not named before in the list.
func (s *categorySet) once(ps *problems, field string, c Category) {
	if !ps.category(field, c) {
		return
	}
	if s[c.index()] {
		ps.add(field, "duplicate category %q", c)
	}
	s[c.index()] = true
}

// all checks that the list named every category.
func (s *categorySet) all(ps *problems, field string) {
	for _, c := range Categories() {
		if !s[c.index()] {
			ps.add(field, "missing category %q", c)
		}
	}
}

func (ps *problems) points(field string, x float64) {
	if !finite(x) || x < 0 || x > maxPoints {
		ps.add(field, "must be within [0, %d]", maxPoints)
	}
}

func (ps *problems) positive(field string, x float64) {
	if !finite(x) || x <= 0 {
		ps.add(field, "must be > 0")
	}
}

// compiled is the policy in lookup form for one run.
type compiled struct {
	p            Policy
	weights      []Factor
	catPoints    [numCategories]float64
	tilt         [numCategories]float64
	allOrNothing [numCategories]bool
	minFraction  [numCategories]float64
	exemptCat    [numCategories]bool
	earmarkCat   [numCategories]bool
	earmarkShare float64
	limits       map[string]AccountLimit // lookup only, never iterated
	reserveShare float64
	supplyFloor  float64
	suspend      bool
	cutFraction  float64
}

func compile(p Policy) *compiled {
	c := &compiled{p: p, weights: p.Factors, reserveShare: p.ReserveShare, supplyFloor: p.SupplyRate.Floor,
		suspend: p.SupplyRate.Action == ActionSuspend, cutFraction: p.SupplyRate.CutFraction,
		limits: make(map[string]AccountLimit, len(p.Accounts))}
	if c.suspend {
		c.cutFraction = 1
	}
	for i := range c.tilt {
		c.tilt[i] = 1
	}
	for _, cp := range p.Scoring.Categories {
		c.catPoints[cp.Category.index()] = cp.Points
	}
	for _, t := range p.Tilt {
		c.tilt[t.Category.index()] = t.Multiplier
	}
	for _, g := range p.Grants {
		i := g.Category.index()
		c.allOrNothing[i] = g.Mode == AllOrNothing
		c.minFraction[i] = g.MinFraction
		if g.Mode == AllOrNothing {
			c.minFraction[i] = 1
		}
	}
	for _, e := range p.SupplyRate.ExemptCategories {
		c.exemptCat[e.index()] = true
	}
	for _, a := range p.Accounts {
		c.limits[a.AccountID] = a
	}
	c.earmarkShare = p.ParkEarmark.Share
	cats := p.ParkEarmark.Categories
	if len(cats) == 0 {
		cats = DefaultEarmarkCategories()
	}
	for _, e := range cats {
		c.earmarkCat[e.index()] = true
	}
	return c
}

package allocation

import (
	"fmt"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// AccountKind says whether an account is a district (区县, holds quota) or a
// park earmark inside a district (园区, statistical attribution).
type AccountKind string

const (
	AccountDistrict AccountKind = "district"
	AccountPark     AccountKind = "park"
)

// QuotaNewConstruction is the quota kind this engine allocates:
// 新增建设用地计划指标.
const QuotaNewConstruction = "new_construction"

// Account is a quota account. Districts hold the quota (the city is implicit:
// Input.Available). A park earmark lies inside a district (its ParentID) or
// inside another park earmark (a block of a park), and draws on the
// district's pool (不破行政隶属).
type Account struct {
	ID       string      `json:"id"`        // e.g. "330108", "330111/BINFU"
	ParentID string      `json:"parent_id"` // "" for a district
	Kind     AccountKind `json:"kind"`
	Name     string      `json:"name"`
	// ReceivesTilt marks a park whose projects receive the policy's tilt
	// (倾斜: the score multiplier and the park earmark), such as the
	// cooperation parks Binfu and Binxiao; the store fills it from the
	// park's flag, any park kind may have it, and sub-earmarks inherit it.
	// Districts may not set it.
	ReceivesTilt bool         `json:"receives_tilt"`
	Facts        AccountFacts `json:"facts"`
	// Held is quota the account already holds (its balance); it counts
	// against the account's cap.
	Held Area `json:"held"`
}

// AccountFacts are a district's facts for the factor split and 增存挂钩.
// Parks' facts are not used by the split.
type AccountFacts struct {
	SupplyRate5y       float64 `json:"supply_rate_5y"`      // 5-year average supply rate, 0..1
	UnsuppliedDisposed Area    `json:"unsupplied_disposed"` // 批而未供 disposed last year
	IdleDisposed       Area    `json:"idle_disposed"`       // 闲置 disposed last year
	TaxPerMu           float64 `json:"tax_per_mu"`          // 亩均税收, 万元/亩
	ValueAddedPerMu    float64 `json:"value_added_per_mu"`  // 亩均增加值, 万元/亩
}

// Project is a project asking for new construction-land quota.
type Project struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Category Category `json:"category"`
	// AccountID is the district or park-earmark account it draws on.
	AccountID       string `json:"account_id"`
	ProvincialMajor bool   `json:"provincial_major"` // 省重大产业项目
	NationalKey     bool   `json:"national_key"`     // 国家重点项目
	// Need is the new quota it needs (derived elsewhere from its parcels;
	// land that is already construction land needs none).
	Need       Area    `json:"need"`
	Investment float64 `json:"investment"` // 万元
	TaxPerMu   float64 `json:"tax_per_mu"` // expected 亩均税收, 万元/亩
	Readiness  float64 `json:"readiness"`  // 0..1
	Eligible   bool    `json:"eligible"`   // all parcels inside the boundary, off farmland and red line
	// Overlaps measured by PostGIS (EPSG:4549); shown when refused.
	FarmlandOverlapM2 float64 `json:"farmland_overlap_m2"` // 永久基本农田
	RedLineOverlapM2  float64 `json:"red_line_overlap_m2"` // 生态保护红线
	OutsideBoundaryM2 float64 `json:"outside_boundary_m2"` // outside 城镇开发边界
}

// Input is one allocation run's data.
type Input struct {
	Year int `json:"year"`
	// Kind is the quota kind; only QuotaNewConstruction ("" means it).
	Kind      string    `json:"kind"`
	Available Area      `json:"available"` // quota issued to the city this year
	Accounts  []Account `json:"accounts"`
	Projects  []Project `json:"projects"`
}

// validate checks the input against itself and the policy; field paths are
// prefixed "input." or "policy." and index the caller's order.
func (in *Input) validate(p Policy) error {
	var ps problems
	if in.Year != p.Year {
		ps.add("input.year", "is %d but the policy is for %d", in.Year, p.Year)
	}
	if in.Kind != "" && in.Kind != QuotaNewConstruction {
		ps.add("input.kind", "only %q quota is allocated by this engine, got %q", QuotaNewConstruction, in.Kind)
	}
	if in.Available < 0 || in.Available > MaxArea {
		ps.add("input.available", "must be within [0, %s]", amount.FormatM2(MaxArea, false))
	}
	ids := in.accountIDs(&ps)
	for i, a := range in.Accounts {
		ps.account(fmt.Sprintf("input.accounts[%d]", i), a, ids)
	}
	if len(ps) == 0 {
		in.checkParentChains(&ps, ids)
	}
	in.checkProjects(&ps, ids)
	for i, l := range p.Accounts {
		if _, ok := ids[l.AccountID]; !ok {
			ps.add(fmt.Sprintf("policy.accounts[%d].account_id", i), "unknown account %q", l.AccountID)
		}
	}
	return ps.err("")
}

// accountIDs checks that the accounts' ids are given and unique, and maps
// each to its index (lookup only).
func (in *Input) accountIDs(ps *problems) map[string]int {
	ids := make(map[string]int, len(in.Accounts))
	for i, a := range in.Accounts {
		path := fmt.Sprintf("input.accounts[%d]", i)
		if strings.TrimSpace(a.ID) == "" {
			ps.add(path+".id", "must not be empty")
		} else if j, dup := ids[a.ID]; dup {
			ps.add(path+".id", "duplicate account %q (also accounts[%d])", a.ID, j)
		} else {
			ids[a.ID] = i
		}
	}
	return ids
}

// account checks one account: its kind and parent, its facts and holding.
func (ps *problems) account(path string, a Account, ids map[string]int) {
	switch a.Kind {
	case AccountDistrict:
		if a.ParentID != "" {
			ps.add(path+".parent_id", "must be empty for a district")
		}
		if a.ReceivesTilt {
			ps.add(path+".receives_tilt", "only park earmarks receive the tilt; a district cannot")
		}
	case AccountPark:
		if a.ParentID == "" {
			ps.add(path+".parent_id", "a park earmark needs its district (or parent park)")
		} else if _, ok := ids[a.ParentID]; !ok {
			ps.add(path+".parent_id", "unknown account %q", a.ParentID)
		} else if a.ParentID == a.ID {
			ps.add(path+".parent_id", "an account cannot be its own parent")
		}
	default:
		ps.add(path+".kind", "must be %q or %q", AccountDistrict, AccountPark)
	}
	f := a.Facts
	ps.unit(path+".facts.supply_rate_5y", f.SupplyRate5y)
	ps.area(path+".facts.unsupplied_disposed", f.UnsuppliedDisposed)
	ps.area(path+".facts.idle_disposed", f.IdleDisposed)
	ps.nonNegative(path+".facts.tax_per_mu", f.TaxPerMu)
	ps.nonNegative(path+".facts.value_added_per_mu", f.ValueAddedPerMu)
	ps.area(path+".held", a.Held)
}

// checkParentChains: every parent chain ends at a district without a loop
// (run only on otherwise valid accounts).
func (in *Input) checkParentChains(ps *problems, ids map[string]int) {
	for i, a := range in.Accounts {
		cur, steps := a, 0
		for cur.Kind == AccountPark && steps <= len(in.Accounts) {
			cur = in.Accounts[ids[cur.ParentID]]
			steps++
		}
		if cur.Kind != AccountDistrict {
			ps.add(fmt.Sprintf("input.accounts[%d].parent_id", i), "the parent chain of %q loops without reaching a district", a.ID)
		}
	}
}

// checkProjects checks each project: a unique id, a known account and
// category, and its figures in range.
func (in *Input) checkProjects(ps *problems, ids map[string]int) {
	pids := make(map[int64]int, len(in.Projects)) // lookup only
	for i := range in.Projects {
		pr := &in.Projects[i]
		if j, dup := pids[pr.ID]; dup {
			ps.add(fmt.Sprintf("input.projects[%d].id", i), "duplicate project %d (also projects[%d])", pr.ID, j)
		} else {
			pids[pr.ID] = i
		}
		_, known := ids[pr.AccountID]
		if known && pr.valid() {
			continue // the common case: no path strings built
		}
		path := fmt.Sprintf("input.projects[%d]", i)
		ps.category(path+".category", pr.Category)
		if !known {
			ps.add(path+".account_id", "unknown account %q", pr.AccountID)
		}
		ps.area(path+".need", pr.Need)
		ps.nonNegative(path+".investment", pr.Investment)
		ps.nonNegative(path+".tax_per_mu", pr.TaxPerMu)
		ps.unit(path+".readiness", pr.Readiness)
		ps.nonNegative(path+".farmland_overlap_m2", pr.FarmlandOverlapM2)
		ps.nonNegative(path+".red_line_overlap_m2", pr.RedLineOverlapM2)
		ps.nonNegative(path+".outside_boundary_m2", pr.OutsideBoundaryM2)
	}
}

// valid reports whether the project's own fields pass checkProjects (its
// account aside), without building the problems.
func (pr *Project) valid() bool {
	return pr.Category.Valid() && pr.Need >= 0 && pr.Need <= MaxArea && nonNegative(pr.Investment) && nonNegative(pr.TaxPerMu) &&
		finite(pr.Readiness) && pr.Readiness >= 0 && pr.Readiness <= 1 &&
		nonNegative(pr.FarmlandOverlapM2) && nonNegative(pr.RedLineOverlapM2) && nonNegative(pr.OutsideBoundaryM2)
}

func (ps *problems) area(field string, a Area) {
	if a < 0 {
		ps.add(field, "must be >= 0")
	} else if a > MaxArea {
		ps.add(field, "must be <= %s", amount.FormatM2(MaxArea, false))
	}
}

func nonNegative(x float64) bool { return finite(x) && x >= 0 }

func (ps *problems) nonNegative(field string, x float64) {
	if !nonNegative(x) {
		ps.add(field, "must be a finite number >= 0")
	}
}

package service

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// Allocations runs the allocation engine on a plan as it stands and
// approves the scenarios it saves.
type Allocations struct {
	Policies  Policies
	Facts     AllocationFacts
	Scenarios Scenarios
}

// Run asks for one run of the engine.
type Run struct {
	Year          int
	Kind          quota.Kind
	Method        allocation.Method // "" is priority
	PolicyVersion int               // 0: the latest
	Name          string
	By            string
}

// Run reads the policy and the plan's facts, builds the engine's input,
// runs the engine and saves the result, with its input and the ledger mark
// it reflects, as a draft scenario.
func (s Allocations) Run(ctx context.Context, r Run) (quota.Scenario, error) {
	if r.Method == "" {
		r.Method = allocation.MethodPriority
	}
	if !r.Method.Valid() {
		return quota.Scenario{}, planning.Errorf(planning.ErrInvalid, "method: %q is not priority or optimal", r.Method).WithDetail("field", "method")
	}
	pv, err := s.Policies.Policy(ctx, r.Year, r.PolicyVersion)
	if err != nil {
		if planning.CodeOf(err) == planning.ErrNotFound {
			err = planning.Errorf(planning.ErrNotFound, "%s; an admin stores one with PUT /api/policies/%d", err, r.Year)
		}
		return quota.Scenario{}, err
	}
	rows, err := s.Facts.AllocationRows(ctx, r.Year, r.Kind)
	if err != nil {
		return quota.Scenario{}, err
	}
	in := EngineInput(r.Year, r.Kind, rows)
	res, err := allocation.Run(in, pv.Policy, r.Method)
	if err != nil {
		return quota.Scenario{}, err
	}
	return s.Scenarios.SaveScenario(ctx, quota.Scenario{Year: r.Year, Kind: r.Kind, PolicyVersion: pv.Version,
		Method: r.Method, Name: r.Name, LedgerMark: rows.LedgerMark, CreatedBy: r.By, Input: &in, Result: res})
}

// Approve books every grant of scenario id in one transaction, all or none
// (quota.ApprovalBookings). A scenario approved already, or run before the
// ledger last moved, is refused (quota.Scenario.Approvable).
func (s Allocations) Approve(ctx context.Context, id int64, by string) (quota.Scenario, error) {
	if by == "" {
		return quota.Scenario{}, planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	sc, err := s.Scenarios.Scenario(ctx, id, false)
	if err != nil {
		return sc, err
	}
	err = s.Scenarios.ApproveTx(ctx, sc, by, func(l quota.ScenarioLock) ([]quota.Booking, error) {
		if err := sc.Approvable(l); err != nil {
			return nil, err
		}
		return quota.ApprovalBookings(sc, by)
	})
	if err != nil {
		return sc, err
	}
	return s.Scenarios.Scenario(ctx, id, false)
}

// EngineInput builds what the engine needs for a plan from its rows: the
// city's balance, the district and park accounts with their stock-land
// facts, and every project's outstanding need and eligibility. A project
// draws on the earmark of the quota-holding park its land lies in, else its
// district; once its account exists, where that account sits.
func EngineInput(year int, kind quota.Kind, rows AllocationRows) allocation.Input {
	in := allocation.Input{Year: year, Kind: string(kind)}
	facts := districtFacts(rows)
	held := map[int64]amount.Area{}    // project id -> what its account holds
	parentOf := map[int64]string{}     // project id -> the account its account sits under
	parkAccount := map[string]string{} // park code -> earmark account
	byID := map[int64]string{}
	for _, a := range rows.Accounts {
		byID[a.ID] = a.Code
	}
	districts := map[string]bool{}
	for _, a := range rows.Accounts {
		switch a.Kind {
		case quota.AccountCity:
			in.Available = a.HeldM2
		case quota.AccountDistrict:
			districts[a.Code] = true
			in.Accounts = append(in.Accounts, allocation.Account{ID: a.Code, Kind: allocation.AccountDistrict, Name: a.NameZh,
				Facts: facts[a.Code], Held: a.HeldM2})
		case quota.AccountPark:
			parkAccount[a.Park] = a.Code
			in.Accounts = append(in.Accounts, allocation.Account{ID: a.Code, ParentID: a.District, Kind: allocation.AccountPark,
				Name: a.NameZh, ReceivesTilt: rows.TiltParks[a.Park], Held: a.HeldM2})
		case quota.AccountProject:
			held[a.ProjectID] = a.HeldM2
			parentOf[a.ProjectID] = byID[a.ParentID]
		}
	}
	for _, p := range rows.Projects {
		if !districts[p.District] {
			continue // its district holds no account in this plan
		}
		outstanding := p.Need.NewM2 - held[p.ID]
		if outstanding <= 0 && p.Need.NewM2 > 0 {
			continue // already holds its need
		}
		acc := p.District
		if code, ok := parkAccount[p.LandPark]; ok {
			acc = code
		}
		if parent, ok := parentOf[p.ID]; ok {
			acc = parent // its account exists: it draws where that account sits
		}
		in.Projects = append(in.Projects, allocation.Project{ID: p.ID, Name: p.Name, Category: p.Category,
			AccountID: acc, ProvincialMajor: p.ProvincialMajor, NationalKey: p.NationalKey,
			Need: max(outstanding, 0), Investment: p.InvestmentWan, TaxPerMu: p.TaxPerMuWan,
			Readiness: p.Readiness, Eligible: p.Need.Eligible, FarmlandOverlapM2: p.Need.FarmlandOverlapM2,
			RedLineOverlapM2: p.Need.RedLineOverlapM2, OutsideBoundaryM2: p.Need.OutsideBoundaryM2})
	}
	return in
}

// districtFacts are each district's facts for the split of a plan: by the
// yearly report's stock rules for the year before, the 5-year supply rate
// at its end and the 批而未供 and 闲置 land it disposed of; and its 亩均税收
// and 亩均增加值 from the district evaluation table (not from what projects
// claim; 0, unknown, when not evaluated).
func districtFacts(rows AllocationRows) map[string]allocation.AccountFacts {
	out := map[string]allocation.AccountFacts{}
	for _, d := range rows.Stock {
		// Nothing approved in five years leaves nothing unsupplied: the
		// district meets any supply-rate floor.
		f := allocation.AccountFacts{SupplyRate5y: 1, UnsuppliedDisposed: d.UnsuppliedDisposed, IdleDisposed: d.IdleDisposed}
		if d.SupplyRate5y != nil {
			f.SupplyRate5y = min(1, max(0, *d.SupplyRate5y))
		}
		if e, ok := rows.Evaluations[d.District]; ok {
			f.TaxPerMu, f.ValueAddedPerMu = e.TaxPerMuWan, e.ValueAddedPerMuWan
		}
		out[d.District] = f
	}
	return out
}

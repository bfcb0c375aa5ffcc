// Package servicetest keeps the use cases' storage in memory, for unit
// tests of the services and of their callers (web handlers) without a
// database.
package servicetest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

// Memory keeps one plan in memory and implements every port of the
// services. It models the ledger's law simply: an entry may not take more
// out of an account than it holds (the database's check is the real guard).
// It is not safe for concurrent use.
type Memory struct {
	Year         int
	StoredPolicy *allocation.Policy // nil: none stored
	Current      quota.Plan
	Accounts     []quota.Account // held figures are the balances
	Projects     []quota.Project
	Stock        []quota.DistrictStock
	Ledger       []quota.Entry
	Runs         []quota.Scenario       // saved scenarios, id = index + 1
	NextYear     map[string]amount.Area // carried in by a close
}

var _ service.Store = (*Memory)(nil)

// Hm2 is n hectares as an amount.
func Hm2(n int64) amount.Area { return amount.Area(n) * 10_000 * amount.PerM2 }

// New is a 2027 plan: the city holds cityHa hm², district 330108 holds
// districtHa, its park earmark 330108/HTZ holds nothing, and one project
// (id 1, in the district, outside the park) needs needHa hm².
func New(cityHa, districtHa, needHa int64) *Memory {
	f := &Memory{Year: 2027, Current: quota.Plan{ID: 7, Year: 2027, Kind: quota.KindNewConstruction, State: quota.PlanOpen}}
	f.Accounts = []quota.Account{
		{ID: 1, Code: quota.CityAccount, Kind: quota.AccountCity, NameZh: "杭州市"},
		{ID: 2, Code: quota.CityAccount + "/RESERVE", ParentID: 1, Kind: quota.AccountReserve},
		{ID: 3, Code: "330108", ParentID: 1, Kind: quota.AccountDistrict, NameZh: "滨江区", District: "330108"},
		{ID: 4, Code: "330108/HTZ", ParentID: 3, Kind: quota.AccountPark, District: "330108", Park: "HTZ"},
	}
	f.Accounts[0].HeldM2, f.Accounts[2].HeldM2 = Hm2(cityHa), Hm2(districtHa)
	f.Projects = []quota.Project{{ID: 1, Name: "一号项目", Category: allocation.Categories()[0], District: "330108", Readiness: 1,
		Need: quota.Need{NewM2: Hm2(needHa), Eligible: true}}}
	f.Stock = []quota.DistrictStock{{District: "330108", NameZh: "滨江区"}}
	return f
}

// Account is the account with this code, nil when there is none.
func (f *Memory) Account(code string) *quota.Account {
	for i := range f.Accounts {
		if f.Accounts[i].Code == code {
			return &f.Accounts[i]
		}
	}
	return nil
}

// Mark is the last ledger entry's id.
func (f *Memory) Mark() int64 {
	if len(f.Ledger) == 0 {
		return 0
	}
	return f.Ledger[len(f.Ledger)-1].ID
}

// Book applies bookings all or none, as one transaction would.
func (f *Memory) Book(bs []quota.Booking, scenario int64) ([]quota.Entry, error) {
	saved := append([]quota.Account(nil), f.Accounts...)
	var out []quota.Entry
	for _, b := range bs {
		from, to := f.Account(b.From), f.Account(b.To)
		if to == nil && len(b.To) > 1 && b.To[0] == 'P' { // a project's account, opened on first use
			var id int64
			fmt.Sscanf(b.To, "P%d", &id)
			f.Accounts = append(f.Accounts, quota.Account{ID: int64(len(f.Accounts) + 1), Code: b.To, ParentID: from.ID,
				Kind: quota.AccountProject, ProjectID: id})
			from, to = f.Account(b.From), f.Account(b.To)
		}
		if from == nil || to == nil {
			f.Accounts = saved
			return nil, planning.Errorf(planning.ErrNotFound, "the plan has no account %q", b.From+"/"+b.To)
		}
		if from.HeldM2 < b.AmountM2 {
			f.Accounts = saved
			// The words of the ledger's law in the database (migration 006).
			short := b.AmountM2 - from.HeldM2
			num := func(a amount.Area, u amount.Unit) string { return strconv.FormatFloat(a.Rounded(u), 'f', 2, 64) }
			return nil, planning.Errorf(planning.ErrConflict, "account %s holds %s m² (%s hm²); %s m² (%s hm², %s 亩) more would be needed",
				b.From, num(from.HeldM2, amount.M2), num(from.HeldM2, amount.Hectare),
				num(short, amount.M2), num(short, amount.Hectare), num(short, amount.Mu))
		}
		from.HeldM2 -= b.AmountM2
		to.HeldM2 += b.AmountM2
		e := quota.Entry{ID: f.Mark() + int64(len(out)) + 1, PlanID: f.Current.ID, Kind: b.Entry, From: b.From, To: b.To,
			AmountM2: b.AmountM2, Reason: b.Reason, CreatedBy: b.By, IdempotencyKey: b.IdempotencyKey, ScenarioID: scenario}
		out = append(out, e)
	}
	f.Ledger = append(f.Ledger, out...)
	return out, nil
}

func (f *Memory) Policy(_ context.Context, year, version int) (quota.PolicyVersion, error) {
	if f.StoredPolicy == nil || (version != 0 && version != f.StoredPolicy.Version) {
		return quota.PolicyVersion{}, planning.Errorf(planning.ErrNotFound, "no policy is stored for %d yet", year)
	}
	return quota.PolicyVersion{Year: year, Version: f.StoredPolicy.Version, Policy: *f.StoredPolicy}, nil
}

func (f *Memory) Plan(_ context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	if year != f.Year || kind != f.Current.Kind {
		return quota.Plan{}, nil, planning.Errorf(planning.ErrNotFound, "there is no %d plan for quota kind %s; an admin opens it with POST /api/plans or `landquota plan open`", year, kind)
	}
	return f.Current, append([]quota.Account(nil), f.Accounts...), nil
}

func (f *Memory) GrantTx(_ context.Context, g quota.Grant, decide func(quota.Holding) (quota.Booking, error)) (quota.Entry, error) {
	for _, e := range f.Ledger {
		if e.IdempotencyKey == g.IdempotencyKey {
			return e, g.Retried(e, e.PlanID == f.Current.ID)
		}
	}
	h := quota.Holding{Account: quota.ProjectAccount(g.ProjectID), Parent: "330108"}
	if a := f.Account(h.Account); a != nil {
		h.Held = a.HeldM2
	}
	for _, p := range f.Projects {
		if p.ID == g.ProjectID {
			h.Need = p.Need.NewM2
		}
	}
	b, err := decide(h)
	if err != nil {
		return quota.Entry{}, err
	}
	es, err := f.Book([]quota.Booking{b}, 0)
	if err != nil {
		return quota.Entry{}, err
	}
	return es[0], nil
}

func (f *Memory) AllocationRows(ctx context.Context, year int, kind quota.Kind) (service.AllocationRows, error) {
	p, accounts, err := f.Plan(ctx, year, kind)
	return service.AllocationRows{Plan: p, Accounts: accounts, LedgerMark: f.Mark(), Stock: f.Stock,
		Evaluations: map[string]planner.DistrictEvaluation{}, TiltParks: map[string]bool{}, Projects: f.Projects}, err
}

func (f *Memory) SaveScenario(_ context.Context, sc quota.Scenario) (quota.Scenario, error) {
	sc.ID, sc.Status = int64(len(f.Runs)+1), "draft"
	f.Runs = append(f.Runs, sc)
	return sc, nil
}

func (f *Memory) Scenario(_ context.Context, id int64, withInput bool) (quota.Scenario, error) {
	if id < 1 || id > int64(len(f.Runs)) {
		return quota.Scenario{}, planning.Errorf(planning.ErrNotFound, "scenario %d does not exist", id)
	}
	sc := f.Runs[id-1]
	sc.Stale = sc.Status != "approved" && sc.LedgerMark != f.Mark()
	if !withInput {
		sc.Input = nil
	}
	return sc, nil
}

func (f *Memory) ApproveTx(_ context.Context, sc quota.Scenario, by string, decide func(quota.ScenarioLock) ([]quota.Booking, error)) error {
	stored := &f.Runs[sc.ID-1]
	bs, err := decide(quota.ScenarioLock{Status: stored.Status, LedgerNow: f.Mark()})
	if err != nil {
		return err
	}
	if _, err := f.Book(bs, sc.ID); err != nil {
		return err
	}
	stored.Status, stored.ApprovedBy = "approved", by
	return nil
}

func (f *Memory) DistrictStock(context.Context, int) ([]quota.DistrictStock, error) {
	return f.Stock, nil
}

func (f *Memory) CloseTx(ctx context.Context, year int, kind quota.Kind, by string, decide func(quota.Plan, []quota.Account) (quota.Closing, error)) (quota.Closing, error) {
	p, accounts, err := f.Plan(ctx, year, kind)
	if err != nil {
		return quota.Closing{}, err
	}
	c, err := decide(p, accounts)
	if err != nil {
		return quota.Closing{}, err
	}
	f.NextYear = map[string]amount.Area{}
	for _, a := range c.Accounts {
		f.Account(a.Code).HeldM2 -= a.CarryM2 + a.LapseM2
		f.NextYear[a.Code] += a.CarryM2
	}
	now := time.Now()
	f.Current.State, f.Current.ClosedBy, f.Current.ClosedAt = quota.PlanClosed, by, &now
	return c, nil
}

// Held is every account's balance by code.
func (f *Memory) Held() map[string]amount.Area {
	out := map[string]amount.Area{}
	for _, a := range f.Accounts {
		out[a.Code] = a.HeldM2
	}
	return out
}

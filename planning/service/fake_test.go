package service_test

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

// fakeStore keeps one plan in memory and implements every port of the
// services. It models the ledger's law simply: an entry may not take more
// out of an account than it holds (the database's check is the real guard).
type fakeStore struct {
	year      int
	policy    *allocation.Policy // nil: none stored
	plan      quota.Plan
	accounts  []quota.Account // held figures are the balances
	projects  []quota.Project
	stock     []quota.DistrictStock
	ledger    []quota.Entry
	scenarios []quota.Scenario
	nextYear  map[string]amount.Area // carried in by a close
}

var _ service.Store = (*fakeStore)(nil)

func hm2(n int64) amount.Area { return amount.Area(n) * 10_000 * amount.PerM2 }

// newFake is a 2027 plan: the city holds cityHa hm², district 330108 holds
// districtHa, its park earmark 330108/HTZ holds nothing, and one project
// (id 1, in the district, outside the park) needs needHa hm².
func newFake(cityHa, districtHa, needHa int64) *fakeStore {
	f := &fakeStore{year: 2027, plan: quota.Plan{ID: 7, Year: 2027, Kind: quota.KindNewConstruction, State: quota.PlanOpen}}
	f.accounts = []quota.Account{
		{ID: 1, Code: quota.CityAccount, Kind: quota.AccountCity, NameZh: "杭州市"},
		{ID: 2, Code: quota.CityAccount + "/RESERVE", ParentID: 1, Kind: quota.AccountReserve},
		{ID: 3, Code: "330108", ParentID: 1, Kind: quota.AccountDistrict, NameZh: "滨江区", District: "330108"},
		{ID: 4, Code: "330108/HTZ", ParentID: 3, Kind: quota.AccountPark, District: "330108", Park: "HTZ"},
	}
	f.accounts[0].HeldM2, f.accounts[2].HeldM2 = hm2(cityHa), hm2(districtHa)
	f.projects = []quota.Project{{ID: 1, Name: "一号项目", Category: allocation.Categories()[0], District: "330108", Readiness: 1,
		Need: quota.Need{NewM2: hm2(needHa), Eligible: true}}}
	f.stock = []quota.DistrictStock{{District: "330108", NameZh: "滨江区"}}
	return f
}

func (f *fakeStore) account(code string) *quota.Account {
	for i := range f.accounts {
		if f.accounts[i].Code == code {
			return &f.accounts[i]
		}
	}
	return nil
}

func (f *fakeStore) mark() int64 {
	if len(f.ledger) == 0 {
		return 0
	}
	return f.ledger[len(f.ledger)-1].ID
}

// book applies bookings all or none, as one transaction would.
func (f *fakeStore) book(bs []quota.Booking, scenario int64) ([]quota.Entry, error) {
	saved := append([]quota.Account(nil), f.accounts...)
	var out []quota.Entry
	for _, b := range bs {
		from, to := f.account(b.From), f.account(b.To)
		if to == nil && len(b.To) > 1 && b.To[0] == 'P' { // a project's account, opened on first use
			var id int64
			fmt.Sscanf(b.To, "P%d", &id)
			f.accounts = append(f.accounts, quota.Account{ID: int64(len(f.accounts) + 1), Code: b.To, ParentID: from.ID,
				Kind: quota.AccountProject, ProjectID: id})
			from, to = f.account(b.From), f.account(b.To)
		}
		if from == nil || to == nil {
			f.accounts = saved
			return nil, planning.Errorf(planning.ErrNotFound, "the plan has no account %q", b.From+"/"+b.To)
		}
		if from.HeldM2 < b.AmountM2 {
			f.accounts = saved
			return nil, planning.Errorf(planning.ErrConflict, "account %s holds %s, less than %s", b.From,
				amount.FormatM2(from.HeldM2, false), amount.FormatM2(b.AmountM2, false))
		}
		from.HeldM2 -= b.AmountM2
		to.HeldM2 += b.AmountM2
		e := quota.Entry{ID: f.mark() + int64(len(out)) + 1, PlanID: f.plan.ID, Kind: b.Entry, From: b.From, To: b.To,
			AmountM2: b.AmountM2, Reason: b.Reason, CreatedBy: b.By, IdempotencyKey: b.IdempotencyKey, ScenarioID: scenario}
		out = append(out, e)
	}
	f.ledger = append(f.ledger, out...)
	return out, nil
}

func (f *fakeStore) Policy(_ context.Context, year, version int) (quota.PolicyVersion, error) {
	if f.policy == nil || (version != 0 && version != f.policy.Version) {
		return quota.PolicyVersion{}, planning.Errorf(planning.ErrNotFound, "no policy is stored for %d yet", year)
	}
	return quota.PolicyVersion{Year: year, Version: f.policy.Version, Policy: *f.policy}, nil
}

func (f *fakeStore) Plan(_ context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	if year != f.year || kind != f.plan.Kind {
		return quota.Plan{}, nil, planning.Errorf(planning.ErrNotFound, "there is no %d plan for quota kind %s; an admin opens it with POST /api/plans or `landquota plan open`", year, kind)
	}
	return f.plan, append([]quota.Account(nil), f.accounts...), nil
}

func (f *fakeStore) GrantTx(_ context.Context, g quota.Grant, decide func(quota.Holding) (quota.Booking, error)) (quota.Entry, error) {
	for _, e := range f.ledger {
		if e.IdempotencyKey == g.IdempotencyKey {
			return e, g.Retried(e, e.PlanID == f.plan.ID)
		}
	}
	h := quota.Holding{Account: quota.ProjectAccount(g.ProjectID), Parent: "330108"}
	if a := f.account(h.Account); a != nil {
		h.Held = a.HeldM2
	}
	for _, p := range f.projects {
		if p.ID == g.ProjectID {
			h.Need = p.Need.NewM2
		}
	}
	b, err := decide(h)
	if err != nil {
		return quota.Entry{}, err
	}
	es, err := f.book([]quota.Booking{b}, 0)
	if err != nil {
		return quota.Entry{}, err
	}
	return es[0], nil
}

func (f *fakeStore) AllocationRows(ctx context.Context, year int, kind quota.Kind) (service.AllocationRows, error) {
	p, accounts, err := f.Plan(ctx, year, kind)
	return service.AllocationRows{Plan: p, Accounts: accounts, LedgerMark: f.mark(), Stock: f.stock,
		Evaluations: map[string]planner.DistrictEvaluation{}, TiltParks: map[string]bool{}, Projects: f.projects}, err
}

func (f *fakeStore) SaveScenario(_ context.Context, sc quota.Scenario) (quota.Scenario, error) {
	sc.ID, sc.Status = int64(len(f.scenarios)+1), "draft"
	f.scenarios = append(f.scenarios, sc)
	return sc, nil
}

func (f *fakeStore) Scenario(_ context.Context, id int64, withInput bool) (quota.Scenario, error) {
	if id < 1 || id > int64(len(f.scenarios)) {
		return quota.Scenario{}, planning.Errorf(planning.ErrNotFound, "scenario %d does not exist", id)
	}
	sc := f.scenarios[id-1]
	sc.Stale = sc.Status != "approved" && sc.LedgerMark != f.mark()
	if !withInput {
		sc.Input = nil
	}
	return sc, nil
}

func (f *fakeStore) ApproveTx(_ context.Context, sc quota.Scenario, by string, decide func(quota.ScenarioLock) ([]quota.Booking, error)) error {
	stored := &f.scenarios[sc.ID-1]
	bs, err := decide(quota.ScenarioLock{Status: stored.Status, LedgerNow: f.mark()})
	if err != nil {
		return err
	}
	if _, err := f.book(bs, sc.ID); err != nil {
		return err
	}
	stored.Status, stored.ApprovedBy = "approved", by
	return nil
}

func (f *fakeStore) DistrictStock(context.Context, int) ([]quota.DistrictStock, error) {
	return f.stock, nil
}

func (f *fakeStore) CloseTx(ctx context.Context, year int, kind quota.Kind, by string, decide func(quota.Plan, []quota.Account) (quota.Closing, error)) (quota.Closing, error) {
	p, accounts, err := f.Plan(ctx, year, kind)
	if err != nil {
		return quota.Closing{}, err
	}
	c, err := decide(p, accounts)
	if err != nil {
		return quota.Closing{}, err
	}
	f.nextYear = map[string]amount.Area{}
	for _, a := range c.Accounts {
		f.account(a.Code).HeldM2 -= a.CarryM2 + a.LapseM2
		f.nextYear[a.Code] += a.CarryM2
	}
	now := time.Now()
	f.plan.State, f.plan.ClosedBy, f.plan.ClosedAt = quota.PlanClosed, by, &now
	return c, nil
}

// held is every account's balance by code.
func (f *fakeStore) held() map[string]amount.Area {
	out := map[string]amount.Area{}
	for _, a := range f.accounts {
		out[a.Code] = a.HeldM2
	}
	return out
}

func sameHeld(a, b map[string]amount.Area) bool { return reflect.DeepEqual(a, b) }

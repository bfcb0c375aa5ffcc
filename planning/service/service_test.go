package service_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"github.com/hangzhou-hitech/landquota/planning/service/servicetest"
)

func withPolicy(f *servicetest.Memory) *servicetest.Memory {
	p := allocation.DefaultPolicy(f.Year)
	f.StoredPolicy = &p
	return f
}

func TestRunSavesTheEnginesAllocation(t *testing.T) {
	f := withPolicy(servicetest.New(100, 0, 10))
	ctx := context.Background()
	sc, err := service.New(f).Allocations.Run(ctx, service.Run{Year: 2027, Kind: quota.KindNewConstruction, Name: "试算", By: "planner"})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.AllocationRows(ctx, 2027, quota.KindNewConstruction)
	in := service.EngineInput(2027, quota.KindNewConstruction, rows)
	want, err := allocation.Run(in, *f.StoredPolicy, allocation.MethodPriority)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := f.Scenario(ctx, sc.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(saved.Result, want) {
		t.Fatalf("saved result differs from the engine's:\n%+v\n%+v", saved.Result, want)
	}
	if saved.Input == nil || !reflect.DeepEqual(*saved.Input, in) {
		t.Fatalf("the scenario keeps the input it ran on: %+v", saved.Input)
	}
	if saved.Method != allocation.MethodPriority || saved.PolicyVersion != f.StoredPolicy.Version || saved.CreatedBy != "planner" || saved.Name != "试算" {
		t.Fatalf("scenario fields: %+v", saved)
	}
	if len(saved.Result.Decisions) != 1 || saved.Result.Decisions[0].ProjectID != 1 || saved.Result.Decisions[0].Granted <= 0 {
		t.Fatalf("the project's decision: %+v", saved.Result.Decisions)
	}
}

func TestRunRefusesAnUnknownMethodAndAMissingPolicy(t *testing.T) {
	ctx := context.Background()
	f := servicetest.New(100, 0, 10) // no policy stored
	uc := service.New(f).Allocations
	_, err := uc.Run(ctx, service.Run{Year: 2027, Kind: quota.KindNewConstruction, Method: "greedy", By: "p"})
	if planning.CodeOf(err) != planning.ErrInvalid {
		t.Fatalf("unknown method: %v", err)
	}
	_, err = uc.Run(ctx, service.Run{Year: 2027, Kind: quota.KindNewConstruction, By: "p"})
	if planning.CodeOf(err) != planning.ErrNotFound || len(f.Runs) != 0 {
		t.Fatalf("without a policy: %v, %d saved", err, len(f.Runs))
	}
}

// ranScenario runs the 2027 allocation of a world with 100 hm² and one
// 10 hm² project, and returns the world, the use case and the scenario.
func ranScenario(t *testing.T) (*servicetest.Memory, service.Allocations, quota.Scenario) {
	t.Helper()
	f := withPolicy(servicetest.New(100, 0, 10))
	uc := service.New(f).Allocations
	sc, err := uc.Run(context.Background(), service.Run{Year: 2027, Kind: quota.KindNewConstruction, By: "p"})
	if err != nil {
		t.Fatal(err)
	}
	return f, uc, sc
}

func TestApproveBooksTheScenarioOnce(t *testing.T) {
	f, uc, sc := ranScenario(t)
	ctx := context.Background()
	got, err := uc.Approve(ctx, sc.ID, "chief")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "approved" || got.ApprovedBy != "chief" {
		t.Fatalf("approved scenario: %+v", got)
	}
	granted := sc.Result.Decisions[0].Granted
	if h := f.Held(); h["P1"] != granted || h[quota.CityAccount+"/RESERVE"] != sc.Result.Reserve {
		t.Fatalf("the project holds %v, want %v; reserve %v, want %v", h["P1"], granted, h[quota.CityAccount+"/RESERVE"], sc.Result.Reserve)
	}
	for _, e := range f.Ledger {
		if e.ScenarioID != sc.ID || e.CreatedBy != "chief" {
			t.Fatalf("entry not booked as the scenario's: %+v", e)
		}
	}
	before := f.Held()
	if _, err := uc.Approve(ctx, sc.ID, "chief"); planning.CodeOf(err) != planning.ErrConflict || !reflect.DeepEqual(before, f.Held()) {
		t.Fatalf("a second approval: %v", err)
	}
	if _, err := uc.Approve(ctx, sc.ID, ""); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Fatalf("approval without a person: %v", err)
	}
}

func TestApproveRefusesAStaleScenario(t *testing.T) {
	f, uc, sc := ranScenario(t)
	ctx := context.Background()
	// The ledger moves after the run: its figures no longer hold.
	if _, err := f.Book([]quota.Booking{{Entry: quota.EntryAllocate, From: quota.CityAccount, To: "330108", AmountM2: servicetest.Hm2(1), IdempotencyKey: "k"}}, 0); err != nil {
		t.Fatal(err)
	}
	before, entries := f.Held(), len(f.Ledger)
	_, err := uc.Approve(ctx, sc.ID, "chief")
	var de *planning.Error
	if planning.CodeOf(err) != planning.ErrConflict || !asError(err, &de) || de.Details["ledger_now"] != int64(1) {
		t.Fatalf("stale approval: %v", err)
	}
	if !reflect.DeepEqual(before, f.Held()) || len(f.Ledger) != entries || f.Runs[sc.ID-1].Status != "draft" {
		t.Fatalf("a refused approval booked something")
	}
}

func TestGrantTheOutstandingNeed(t *testing.T) {
	f := servicetest.New(0, 100, 10)
	ctx := context.Background()
	g := service.New(f).Grants
	e, err := g.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Reason: "need", By: "o", IdempotencyKey: "g1"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != quota.EntryAllocate || e.From != "330108" || e.To != "P1" || e.AmountM2 != servicetest.Hm2(10) {
		t.Fatalf("grant of the need: %+v", e)
	}
	// A retry answers the same entry; the key used for a release is a conflict.
	if again, err := g.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Reason: "need", By: "o", IdempotencyKey: "g1"}); err != nil || again.ID != e.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := g.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Release: true, Reason: "back", By: "o", IdempotencyKey: "g1"}); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("a key reused for a release: %v", err)
	}
	// Nothing more is outstanding.
	if _, err := g.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Reason: "need", By: "o", IdempotencyKey: "g2"}); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("a grant with nothing outstanding: %v", err)
	}
	// A release without an amount hands back everything held.
	r, err := g.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Release: true, Reason: "back", By: "o", IdempotencyKey: "r1"})
	if err != nil || r.From != "P1" || r.To != "330108" || r.AmountM2 != servicetest.Hm2(10) || f.Held()["P1"] != 0 {
		t.Fatalf("release: %+v %v", r, err)
	}
}

func TestGrantRefusesMoreThanTheBalanceOrTheNeed(t *testing.T) {
	ctx := context.Background()
	ten := servicetest.Hm2(10)
	for _, c := range []struct {
		name     string
		district int64 // hm² the district holds
		g        quota.Grant
		code     planning.ErrorCode
	}{
		{"the need beyond the district's balance", 5, quota.Grant{}, planning.ErrConflict},
		{"an override beyond the district's balance", 5, quota.Grant{Amount: &ten, OverrideReason: "省重大项目", Admin: true}, planning.ErrConflict},
		{"more than the need without an override", 100, quota.Grant{Amount: ptr(servicetest.Hm2(11))}, planning.ErrConflict},
		{"an override by a non-admin", 100, quota.Grant{Amount: ptr(servicetest.Hm2(11)), OverrideReason: "why"}, planning.ErrForbidden},
		{"a zero amount", 100, quota.Grant{Amount: ptr(amount.Area(0))}, planning.ErrInvalid},
		{"no project", 100, quota.Grant{ProjectID: -1}, planning.ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := servicetest.New(0, c.district, 10)
			g := c.g
			g.Year, g.Kind, g.Reason, g.By, g.IdempotencyKey = 2027, quota.KindNewConstruction, "r", "o", "k"
			if g.ProjectID == 0 {
				g.ProjectID = 1
			}
			before := f.Held()
			_, err := service.New(f).Grants.Grant(ctx, g)
			if planning.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if !reflect.DeepEqual(before, f.Held()) || len(f.Ledger) != 0 {
				t.Fatalf("a refused grant booked something")
			}
		})
	}
	// An admin's override within the balance is booked with its reason.
	f := servicetest.New(0, 100, 10)
	e, err := service.New(f).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: 1, Amount: ptr(servicetest.Hm2(12)),
		OverrideReason: "省重大项目", Admin: true, Reason: "r", By: "admin", IdempotencyKey: "k"})
	if err != nil || e.AmountM2 != servicetest.Hm2(12) || f.Held()["P1"] != servicetest.Hm2(12) {
		t.Fatalf("override: %+v %v", e, err)
	}
}

func TestCloseCarriesOverAndClosesOnce(t *testing.T) {
	f := servicetest.New(40, 60, 10)
	p := allocation.DefaultPolicy(2027)
	p.CarryOver = allocation.CarryOver{Share: 0.5, Document: "浙自然资〔2027〕1号"}
	f.StoredPolicy = &p
	ctx := context.Background()
	ye := service.New(f).YearEnd
	preview, err := ye.Preview(ctx, 2027, quota.KindNewConstruction)
	if err != nil || preview.Closed {
		t.Fatalf("preview: %+v %v", preview, err)
	}
	if len(f.Ledger) != 0 || f.Current.State != quota.PlanOpen {
		t.Fatal("a preview changed the plan")
	}
	c, err := ye.Close(ctx, 2027, quota.KindNewConstruction, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Closed || c.Totals.HeldM2 != servicetest.Hm2(100) || c.Totals.CarryM2 != servicetest.Hm2(50) || c.Totals.LapseM2 != servicetest.Hm2(50) || c.Document != p.CarryOver.Document {
		t.Fatalf("closing: %+v", c.Totals)
	}
	if f.NextYear[quota.CityAccount] != servicetest.Hm2(20) || f.NextYear["330108"] != servicetest.Hm2(30) {
		t.Fatalf("carried into next year: %v", f.NextYear)
	}
	preview.Closed = true
	if !reflect.DeepEqual(preview, c) {
		t.Fatalf("the close differs from its preview:\n%+v\n%+v", preview, c)
	}
	if f.Current.State != quota.PlanClosed || f.Current.ClosedBy != "admin" {
		t.Fatalf("plan after close: %+v", f.Current)
	}
	if _, err := ye.Close(ctx, 2027, quota.KindNewConstruction, "admin"); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("a second close: %v", err)
	}
	if _, err := ye.Preview(ctx, 2027, quota.KindNewConstruction); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("a preview of a closed plan: %v", err)
	}
	if _, err := ye.Close(ctx, 2031, quota.KindNewConstruction, "admin"); planning.CodeOf(err) != planning.ErrNotFound {
		t.Fatalf("closing a plan that does not exist: %v", err)
	}
	if _, err := ye.Close(ctx, 2027, quota.KindNewConstruction, ""); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Fatalf("closing without a person: %v", err)
	}
}

func TestCloseWithoutAStoredPolicyLapsesEverything(t *testing.T) {
	f := servicetest.New(40, 0, 10) // the default policy carries nothing over
	c, err := service.New(f).YearEnd.Close(context.Background(), 2027, quota.KindNewConstruction, "admin")
	if err != nil || c.Totals.CarryM2 != 0 || c.Totals.LapseM2 != servicetest.Hm2(40) {
		t.Fatalf("close by the default policy: %+v %v", c.Totals, err)
	}
}

func ptr[T any](v T) *T { return &v }

func asError(err error, target **planning.Error) bool {
	de, ok := err.(*planning.Error)
	*target = de
	return ok
}

func TestEngineInputDrawsWhereTheProjectsLandLies(t *testing.T) {
	rate := 0.4
	rows := service.AllocationRows{
		Accounts: []quota.Account{
			{ID: 1, Code: quota.CityAccount, Kind: quota.AccountCity, Figures: quota.Figures{HeldM2: servicetest.Hm2(500)}},
			{ID: 3, Code: "330108", ParentID: 1, Kind: quota.AccountDistrict, NameZh: "滨江区", District: "330108", Figures: quota.Figures{HeldM2: servicetest.Hm2(20)}},
			{ID: 4, Code: "330108/HTZ", ParentID: 3, Kind: quota.AccountPark, NameZh: "高新区", District: "330108", Park: "HTZ"},
			{ID: 5, Code: "330111", ParentID: 1, Kind: quota.AccountDistrict, NameZh: "富阳区", District: "330111"},
			{ID: 6, Code: "P4", ParentID: 5, Kind: quota.AccountProject, ProjectID: 4, Figures: quota.Figures{HeldM2: servicetest.Hm2(3)}},
			{ID: 7, Code: "P5", ParentID: 3, Kind: quota.AccountProject, ProjectID: 5, Figures: quota.Figures{HeldM2: servicetest.Hm2(8)}},
		},
		Stock:       []quota.DistrictStock{{District: "330108", SupplyRate5y: &rate, IdleDisposed: servicetest.Hm2(2)}, {District: "330111"}},
		Evaluations: map[string]planner.DistrictEvaluation{"330108": {Adcode: "330108", TaxPerMuWan: 50, ValueAddedPerMuWan: 300}},
		TiltParks:   map[string]bool{"HTZ": true},
		Projects: []quota.Project{
			{ID: 1, District: "330108", Need: quota.Need{NewM2: servicetest.Hm2(5), Eligible: true}},                   // outside any park: the district
			{ID: 2, District: "330108", LandPark: "HTZ", Need: quota.Need{NewM2: servicetest.Hm2(6)}},                  // in the park: its earmark
			{ID: 3, District: "330199", Need: quota.Need{NewM2: servicetest.Hm2(7)}},                                   // no account in the plan: left out
			{ID: 4, District: "330111", LandPark: "HTZ", Need: quota.Need{NewM2: servicetest.Hm2(10), Eligible: true}}, // its account sits under 330111
			{ID: 5, District: "330108", Need: quota.Need{NewM2: servicetest.Hm2(8)}},                                   // holds its need: left out
			{ID: 6, District: "330111"}, // needs no new quota: asks for 0
		},
	}
	in := service.EngineInput(2027, quota.KindNewConstruction, rows)
	if in.Year != 2027 || in.Kind != "new_construction" || in.Available != servicetest.Hm2(500) {
		t.Fatalf("input header: %+v", in)
	}
	draws := map[int64]string{}
	needs := map[int64]amount.Area{}
	for _, p := range in.Projects {
		draws[p.ID], needs[p.ID] = p.AccountID, p.Need
	}
	want := map[int64]string{1: "330108", 2: "330108/HTZ", 4: "330111", 6: "330111"}
	if !reflect.DeepEqual(draws, want) {
		t.Fatalf("projects draw on %v, want %v", draws, want)
	}
	if needs[4] != servicetest.Hm2(7) || needs[1] != servicetest.Hm2(5) || needs[6] != 0 {
		t.Fatalf("outstanding needs: %v", needs)
	}
	var htz, binjiang allocation.Account
	for _, a := range in.Accounts {
		switch a.ID {
		case "330108/HTZ":
			htz = a
		case "330108":
			binjiang = a
		}
	}
	if !htz.ReceivesTilt || htz.ParentID != "330108" || htz.Kind != allocation.AccountPark {
		t.Fatalf("park account: %+v", htz)
	}
	wantFacts := allocation.AccountFacts{SupplyRate5y: 0.4, IdleDisposed: servicetest.Hm2(2), TaxPerMu: 50, ValueAddedPerMu: 300}
	if binjiang.Facts != wantFacts || binjiang.Held != servicetest.Hm2(20) {
		t.Fatalf("district account: %+v", binjiang)
	}
	for _, a := range in.Accounts {
		if a.ID == "330111" && a.Facts.SupplyRate5y != 1 {
			t.Fatalf("a district with nothing approved in five years meets any floor: %+v", a.Facts)
		}
	}
}

package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

// yearStore has districts 330108 and 330111, a Pudong row (310115) that is
// not Hangzhou's, park BINFU in 330111 (holds quota), an enclave park,
// three parcels in BINFU to be approved and one in Binjiang, a project in
// BINFU holding two of them, and an open 2027 plan with 100 hm² issued.
func yearStore(t *testing.T) (*pgstore.Store, map[string]int64, int64) {
	t.Helper()
	s := openStore(t)
	ctx := context.Background()
	for i, code := range []string{"330108", "330111", "310115"} {
		if err := s.InsertDistrict(ctx, planning.District{Adcode: code, NameZh: code, Outline: rect(float64(i)*3000, 0, float64(i)*3000+2000, 2000)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertPark(ctx, planning.Park{Code: "BINFU", NameZh: "滨富", Kind: planning.ParkSpecialCooperationZone,
		HostDistrict: "330111", Outline: rect(3100, 100, 3900, 900)}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertPark(ctx, planning.Park{Code: "SHFD", NameZh: "上海飞地", Kind: planning.ParkEnclave,
		HostDistrict: "310115", Outline: rect(6100, 100, 6300, 300)}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for code, p := range map[string]planning.Parcel{
		"F1": {District: "330111", Park: "BINFU", Outline: rect(3200, 200, 3300, 300)}, // 1 hm², farmland today
		"F2": {District: "330111", Park: "BINFU", Outline: rect(3400, 200, 3500, 300)}, // 1 hm²
		"F3": {District: "330111", Park: "BINFU", Outline: rect(3600, 200, 3650, 300), ConstructionLand: true},
		"B1": {District: "330108", Outline: rect(100, 100, 200, 200)},
	} {
		p.Code, p.LandUse, p.Status = code, "1001", planning.StatusFiled
		id, err := s.InsertParcel(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ids[code] = id
	}
	pr, err := s.CreateProject(ctx, quota.Project{Code: "BF-1", Name: "光电产业园", Category: allocation.MajorIndustrial,
		District: "330111", Park: "BINFU", ParcelIDs: []int64{ids["F1"], ids["F2"], ids["F3"]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := s.OpenPlan(ctx, quota.Opening{Year: 2027, Kind: quota.KindNewConstruction, Name: "2027年度计划",
		Document: &quota.Document{Number: "浙自然资〔2027〕1号", Date: "2027-02-01", Issuer: "浙江省自然资源厅"},
		Issue:    ptr(1_000_000 * amount.PerM2), By: "admin", IdempotencyKey: "open-2027"}); err != nil {
		t.Fatal(err)
	}
	return s, ids, pr.ID
}

func yearHeld(t *testing.T, s *pgstore.Store, year int) map[string]float64 {
	t.Helper()
	_, accounts, err := s.Plan(context.Background(), year, quota.KindNewConstruction)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, a := range accounts {
		out[a.Code] = a.HeldM2.M2()
		if derived := a.ReceivedM2 - a.PassedDownM2 - a.ReturnedUpM2 - a.ConsumedM2 - a.WithdrawnM2; derived != a.HeldM2 {
			t.Errorf("%d account %s: held %s but the ledger sums to %s", year, a.Code, a.HeldM2, derived)
		}
	}
	return out
}

func bookYear(t *testing.T, s *pgstore.Store, year int, kind quota.EntryKind, from, to string, m2 float64, key string) {
	t.Helper()
	if _, err := s.Book(context.Background(), quota.Booking{Year: year, Kind: quota.KindNewConstruction, Entry: kind,
		From: from, To: to, AmountM2: amount.FromM2(m2), Reason: "test", By: "tester", IdempotencyKey: key}); err != nil {
		t.Fatalf("book %s %s→%s: %v", kind, from, to, err)
	}
}

func TestPlanOpensTreeFromTheLandAsItStands(t *testing.T) {
	s, _, _ := yearStore(t)
	ctx := context.Background()
	plan, accounts, err := s.Plan(ctx, 2027, quota.KindNewConstruction)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, a := range accounts {
		codes[a.Code] = true
	}
	for _, want := range []string{"330100", "330100/RESERVE", "330108", "330111", "330111/BINFU"} {
		if !codes[want] {
			t.Errorf("no account %s in %v", want, codes)
		}
	}
	if codes["310115"] || codes["310115/SHFD"] {
		t.Errorf("a district outside the city or an enclave got a Hangzhou quota account: %v", codes)
	}
	if plan.State != quota.PlanOpen || plan.Document == nil || plan.Document.Number != "浙自然资〔2027〕1号" || plan.IssuedM2 != 1_000_000*amount.PerM2 {
		t.Fatalf("plan: %+v", plan)
	}
	// A park added later gets its earmark when the plan is opened again.
	if err := s.InsertPark(ctx, planning.Park{Code: "FYNEW", NameZh: "富阳新园", Kind: planning.ParkCooperationPark,
		HostDistrict: "330111", Outline: rect(3950, 1000, 3990, 1100)}); err != nil {
		t.Fatal(err)
	}
	_, accounts, entry, created, err := s.OpenPlan(ctx, quota.Opening{Year: 2027, Kind: quota.KindNewConstruction, By: "admin"})
	if err != nil || created || entry != nil {
		t.Fatalf("re-open: created %v entry %v err %v", created, entry, err)
	}
	found := false
	for _, a := range accounts {
		found = found || a.Code == "330111/FYNEW"
	}
	if !found {
		t.Fatal("the park added mid-year got no earmark account")
	}
	plans, err := s.Plans(ctx)
	if err != nil || len(plans) != 1 || plans[0].HeldM2 != 1_000_000*amount.PerM2 {
		t.Fatalf("plans: %+v %v", plans, err)
	}
	// Bad input names the problem and writes nothing.
	for _, o := range []quota.Opening{
		{Year: 1999, Kind: quota.KindNewConstruction, By: "admin"},
		{Year: 2028, Kind: "gold", By: "admin"},
		{Year: 2028, Kind: quota.KindNewConstruction, Issue: ptr(5 * amount.PerM2), By: "admin", IdempotencyKey: "k"},
		{Year: 2028, Kind: quota.KindNewConstruction, Document: &quota.Document{Number: "x", Date: "2028-13-01"}, By: "admin"},
		{Year: 2028, Kind: quota.KindNewConstruction, Document: &quota.Document{Number: "x"}, Issue: ptr(2e9 * amount.PerM2), By: "admin", IdempotencyKey: "k"},
	} {
		if _, _, _, _, err := s.OpenPlan(ctx, o); planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("%+v: %v, want invalid", o, err)
		}
	}
	if plans, _ := s.Plans(ctx); len(plans) != 1 {
		t.Fatalf("a refused opening wrote a plan: %+v", plans)
	}
}

func TestApprovalConsumesQuotaOrIsRefused(t *testing.T) {
	s, ids, project := yearStore(t)
	ctx := context.Background()
	p, err := s.Project(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	if p.LandPark != "BINFU" || p.Need.NewM2 < 19_000*amount.PerM2 || p.Need.StockM2 <= 0*amount.PerM2 {
		t.Fatalf("project need: %+v", p)
	}
	approve := func(code string) (quota.StatusResult, error) {
		return s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: ids[code], Status: planning.StatusApproved,
			ApprovedOn: ptrDay("2027-05-01"), By: "official"})
	}
	// No quota yet: refused with the shortfall, nothing changes.
	_, err = approve("F1")
	var de *planning.Error
	if !asError(err, &de) || de.Code != planning.ErrConflict || de.Details["shortfall_m2"] == nil || !strings.Contains(de.Message, "亩") {
		t.Fatalf("approval without quota: %v", err)
	}
	if got, _ := s.GetParcel(ctx, ids["F1"]); got.Status != planning.StatusFiled {
		t.Fatalf("the refused approval changed the parcel: %s", got.Status)
	}
	// A parcel in no project that needs quota cannot be approved either.
	if _, err := approve("B1"); planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "belongs to no project") {
		t.Fatalf("approval of a parcel in no project: %v", err)
	}
	bookYear(t, s, 2027, quota.EntryAllocate, "330100", "330111", 300_000, "d")
	bookYear(t, s, 2027, quota.EntryAllocate, "330111", "330111/BINFU", 200_000, "p")
	e, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Reason: "need", By: "official", IdempotencyKey: "g1"})
	if err != nil || e.AmountM2 != p.Need.NewM2 || e.From != "330111/BINFU" {
		t.Fatalf("grant of the need: %+v %v", e, err)
	}
	res, err := approve("F1")
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Kind != quota.EntryConsume || res.Entries[0].ParcelID != ids["F1"] ||
		res.Status != "approved" || res.ApprovedOn == nil || *res.ApprovedOn != "2027-05-01" {
		t.Fatalf("approval: %+v %v", res, err)
	}
	h := yearHeld(t, s, 2027)
	f1, _ := s.GetParcel(ctx, ids["F1"])
	if h[fmt.Sprintf("P%d", project)] != (p.Need.NewM2 - amount.FromM2(f1.AreaM2)).M2() {
		t.Fatalf("the project holds %.2f after consuming F1 (%.2f of %s)", h[fmt.Sprintf("P%d", project)], f1.AreaM2, p.Need.NewM2)
	}
	// Approving the already-construction land consumes nothing.
	if res, err := approve("F3"); err != nil || len(res.Entries) != 0 {
		t.Fatalf("stock land approval: %+v %v", res, err)
	}
	// After approval the need no longer counts F1, and what is held still covers F2.
	if p2, _ := s.Project(ctx, project); p2.Need.ApprovedM2 <= 0 || p2.Need.NewM2 >= p.Need.NewM2 {
		t.Fatalf("need after approval: %+v", p2.Need)
	}
	// Withdrawing the approval reverses its consumption.
	res, err = s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: ids["F1"], Status: planning.StatusFiled, By: "official"})
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Kind != quota.EntryReversal {
		t.Fatalf("withdrawal: %+v %v", res, err)
	}
	if h := yearHeld(t, s, 2027); h[fmt.Sprintf("P%d", project)] != p.Need.NewM2.M2() {
		t.Fatalf("the withdrawal did not restore the project's quota: %v", h)
	}
	// Unknown status and parcel.
	if _, err := s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: ids["F1"], Status: "flying", By: "x"}); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("unknown status: %v", err)
	}
	if _, err := s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: 999999, Status: planning.StatusApproved, By: "x"}); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("unknown parcel: %v", err)
	}
}

func ptrDay(s string) *time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return &d
}

// TestApprovalRacingReleaseNeverConsumesWithoutQuota: a release of the
// project's quota and the approval of its land race; whichever wins, no
// consumption is ever booked without the quota to cover it.
func TestApprovalRacingReleaseNeverConsumesWithoutQuota(t *testing.T) {
	s, ids, project := yearStore(t)
	ctx := context.Background()
	bookYear(t, s, 2027, quota.EntryAllocate, "330100", "330111", 300_000, "d")
	bookYear(t, s, 2027, quota.EntryAllocate, "330111", "330111/BINFU", 200_000, "p")
	for round := 0; round < 6; round++ {
		if _, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Reason: "need", By: "o",
			IdempotencyKey: fmt.Sprint("g", round)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var approveErr, releaseErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, approveErr = s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: ids["F1"], Status: planning.StatusApproved, ApprovedOn: ptrDay("2027-06-01"), By: "o"})
		}()
		go func() {
			defer wg.Done()
			_, releaseErr = service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Release: true,
				Reason: "back", By: "o", IdempotencyKey: fmt.Sprint("r", round)})
		}()
		wg.Wait()
		if approveErr == nil && releaseErr == nil {
			// The approval went first and the release gave back the rest.
		} else if approveErr != nil && planning.CodeOf(approveErr) != planning.ErrConflict {
			t.Fatalf("round %d: approval failed oddly: %v", round, approveErr)
		}
		h := yearHeld(t, s, 2027)
		if h[fmt.Sprintf("P%d", project)] < 0 {
			t.Fatalf("round %d: negative balance", round)
		}
		var consumed, covered float64
		if err := s.Pool().QueryRow(ctx, `SELECT coalesce(sum(CASE WHEN e.kind = 'consume' THEN e.amount_m2 ELSE -e.amount_m2 END), 0)::float8
			FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses
			WHERE coalesce(o.kind, e.kind) = 'consume'`).Scan(&consumed); err != nil {
			t.Fatal(err)
		}
		if err := s.Pool().QueryRow(ctx, `SELECT coalesce(sum(CASE WHEN e.kind = 'allocate' THEN e.amount_m2 ELSE -e.amount_m2 END), 0)::float8
			FROM ledger_entries e JOIN quota_accounts a ON a.id IN (e.from_account, e.to_account) AND a.code = $1
			WHERE e.kind IN ('allocate', 'release')`, fmt.Sprintf("P%d", project)).Scan(&covered); err != nil {
			t.Fatal(err)
		}
		if consumed > covered+0.001 {
			t.Fatalf("round %d: %.2f m² consumed but only %.2f m² granted", round, consumed, covered)
		}
		// Back to the start for the next round.
		if _, err := s.SetParcelStatus(ctx, quota.StatusChange{ParcelID: ids["F1"], Status: planning.StatusFiled, By: "o"}); err != nil {
			t.Fatal(err)
		}
		if h := yearHeld(t, s, 2027); h[fmt.Sprintf("P%d", project)] > 0 {
			if _, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Release: true,
				Reason: "reset", By: "o", IdempotencyKey: fmt.Sprint("reset", round)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestConcurrentNeedGrantsGrantTheNeedOnce: 16 officials press "grant the
// outstanding need" at once, each with a key of their own.
func TestConcurrentNeedGrantsGrantTheNeedOnce(t *testing.T) {
	s, _, project := yearStore(t)
	ctx := context.Background()
	bookYear(t, s, 2027, quota.EntryAllocate, "330100", "330111", 300_000, "d")
	bookYear(t, s, 2027, quota.EntryAllocate, "330111", "330111/BINFU", 200_000, "p")
	p, _ := s.Project(ctx, project)
	errs := together(16, func(i int) error {
		_, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Reason: "race", By: "o",
			IdempotencyKey: fmt.Sprint("need-", i)})
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if planning.CodeOf(err) != planning.ErrConflict {
			t.Errorf("unexpected: %v", err)
		}
	}
	if h := yearHeld(t, s, 2027)[fmt.Sprintf("P%d", project)]; ok != 1 || h != p.Need.NewM2.M2() {
		t.Fatalf("%d grants booked, project holds %.2f for a need of %s", ok, h, p.Need.NewM2)
	}
	// A retry with the key that succeeded returns its entry, not a 409.
	for i, err := range errs {
		if err == nil {
			e, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Reason: "race", By: "o",
				IdempotencyKey: fmt.Sprint("need-", i)})
			if err != nil || e.AmountM2 != p.Need.NewM2 {
				t.Fatalf("retry: %+v %v", e, err)
			}
		}
	}
	// More than the need: refused, unless an admin gives a reason.
	_, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Amount: ptr(5000 * amount.PerM2), Reason: "more", By: "o", IdempotencyKey: "more"})
	if planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("grant beyond the need: %v", err)
	}
	if _, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Amount: ptr(5000 * amount.PerM2), Reason: "more", By: "o",
		IdempotencyKey: "more2", OverrideReason: "road widening"}); planning.CodeOf(err) != planning.ErrForbidden {
		t.Fatalf("an allocator's override: %v", err)
	}
	e, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Amount: ptr(5000 * amount.PerM2), Reason: "more", By: "admin",
		IdempotencyKey: "more3", OverrideReason: "road widening", Admin: true})
	if err != nil || e.OverrideReason != "road widening" {
		t.Fatalf("an admin's override: %+v %v", e, err)
	}
	// The smallest amount is named.
	if _, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Amount: ptr(amount.Area(0)), Reason: "x", By: "o",
		IdempotencyKey: "tiny"}); err == nil || !strings.Contains(err.Error(), "smallest amount is 0.01 m²") && !strings.Contains(err.Error(), "below the smallest amount, 0.01 m²") {
		t.Fatalf("0 m²: %v", err)
	}
}

func TestProjectLandMustLieInItsDistrictAndPark(t *testing.T) {
	s, ids, project := yearStore(t)
	ctx := context.Background()
	_, err := s.SetProjectParcels(ctx, project, []int64{ids["F1"], ids["B1"]})
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "B1 (330108)") {
		t.Fatalf("a Binjiang parcel in a Fuyang project: %v", err)
	}
	if _, err := s.CreateProject(ctx, quota.Project{Code: "BJ-1", Name: "滨江项目", Category: allocation.General, District: "330108", Park: "BINFU"}); planning.CodeOf(err) != planning.ErrInvalid ||
		!strings.Contains(err.Error(), "park BINFU lies in district 330111") {
		t.Fatalf("a Binjiang project with Fuyang's park: %v", err)
	}
	if p, _ := s.Project(ctx, project); len(p.ParcelIDs) != 3 {
		t.Fatalf("a refused change lost the project's parcels: %v", p.ParcelIDs)
	}
}

func TestCloseCarriesOverLapsesAndRefusesBookings(t *testing.T) {
	s, _, project := yearStore(t)
	ctx := context.Background()
	// A policy with a carry-over share and its document.
	body := defaultPolicyJSON(t, 2027, `"carry_over":{"share":0.5,"document":"浙自然资函〔2027〕88号"}`)
	if _, err := s.SavePolicy(ctx, 2027, body, "year end", "admin"); err != nil {
		t.Fatal(err)
	}
	bookYear(t, s, 2027, quota.EntryReserve, "330100", "330100/RESERVE", 100_000, "res")
	bookYear(t, s, 2027, quota.EntryAllocate, "330100", "330111", 300_000, "d")
	bookYear(t, s, 2027, quota.EntryAllocate, "330111", "330111/BINFU", 200_000, "p")
	if _, err := service.New(s).Grants.Grant(ctx, quota.Grant{Year: 2027, Kind: quota.KindNewConstruction, ProjectID: project, Amount: ptr(amount.Area(1_000_001)), Reason: "g", By: "o", IdempotencyKey: "g"}); err != nil {
		t.Fatal(err)
	}
	before := yearHeld(t, s, 2027)
	preview, err := service.New(s).YearEnd.Preview(ctx, 2027, quota.KindNewConstruction)
	if err != nil || preview.Closed || preview.CarryOverShare != 0.5 || preview.Totals.HeldM2 != 1_000_000*amount.PerM2 {
		t.Fatalf("preview: %+v %v", preview, err)
	}
	if after := yearHeld(t, s, 2027); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("the preview booked something")
	}
	c, err := service.New(s).YearEnd.Close(ctx, 2027, quota.KindNewConstruction, "admin")
	if err != nil || !c.Closed {
		t.Fatalf("close: %+v %v", c, err)
	}
	h27, h28 := yearHeld(t, s, 2027), yearHeld(t, s, 2028)
	var left, carried float64
	for _, v := range h27 {
		left += v
	}
	for _, v := range h28 {
		carried += v
	}
	if left != 0 || amount.FromM2(carried) != c.Totals.CarryM2+c.Totals.RewardM2 || c.Totals.CarryM2+c.Totals.LapseM2 != 1_000_000*amount.PerM2 {
		t.Fatalf("after close: 2027 holds %.2f, 2028 holds %.2f; totals %+v", left, carried, c.Totals)
	}
	pa := fmt.Sprintf("P%d", project)
	if h28[pa] != 5000 || h28["330111/BINFU"] != 94_999.99 || h28["330100/RESERVE"] != 50_000 {
		t.Fatalf("2028 accounts: %v", h28)
	}
	// Nothing lost across the year boundary: every carry_in has its carry_over.
	var orphans int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM ledger_entries i LEFT JOIN ledger_entries o ON o.id = i.carried_from
		WHERE i.kind = 'carry_in' AND (o.id IS NULL OR o.amount_m2 <> i.amount_m2 OR o.kind <> 'carry_over')`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d carry-ins without their carry-over (%v)", orphans, err)
	}
	// The closed year refuses bookings, a second close and a re-opening.
	_, err = s.Book(ctx, quota.Booking{Year: 2027, Kind: quota.KindNewConstruction, Entry: quota.EntryIssue, To: "330100", AmountM2: 1 * amount.PerM2,
		Reason: "late", By: "admin", IdempotencyKey: "late"})
	if planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("booking into a closed year: %v", err)
	}
	if _, err := service.New(s).YearEnd.Close(ctx, 2027, quota.KindNewConstruction, "admin"); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("closing twice: %v", err)
	}
	if _, _, _, _, err := s.OpenPlan(ctx, quota.Opening{Year: 2027, Kind: quota.KindNewConstruction, By: "admin"}); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("re-opening a closed year: %v", err)
	}
	if _, err := service.New(s).YearEnd.Close(ctx, 2031, quota.KindNewConstruction, "admin"); planning.CodeOf(err) != planning.ErrNotFound {
		t.Fatalf("closing an unknown year: %v", err)
	}
}

func TestLedgerCannotBeTruncatedNorBalancesEdited(t *testing.T) {
	s, _, _ := yearStore(t)
	ctx := context.Background()
	for _, sql := range []string{
		"TRUNCATE ledger_entries CASCADE",
		"UPDATE quota_accounts SET held = held + 1",
		"INSERT INTO quota_accounts (plan_id, kind, code, parent_id, held) SELECT plan_id, 'reserve', 'X', id, 5 FROM quota_accounts WHERE kind = 'city'",
	} {
		if _, err := s.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "ledger") && !strings.Contains(err.Error(), "holds nothing") {
			t.Errorf("%s: %v", sql, err)
		}
	}
	if h := yearHeld(t, s, 2027); h["330100"] != 1_000_000 {
		t.Fatalf("balances changed: %v", h)
	}
	// An issue that would take an account beyond the engine's range is
	// refused at booking, naming the limit.
	_, err := s.Book(ctx, quota.Booking{Year: 2027, Kind: quota.KindNewConstruction, Entry: quota.EntryIssue, To: "330100",
		AmountM2: 999_999_999 * amount.PerM2, Reason: "huge", By: "admin", IdempotencyKey: "huge"})
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "100,000 hm²") {
		t.Fatalf("an issue beyond the limit: %v", err)
	}
}

// defaultPolicyJSON is the year's default policy with some fields replaced
// (a JSON object body without braces).
func defaultPolicyJSON(t *testing.T, year int, fields string) []byte {
	t.Helper()
	base, err := json.Marshal(allocation.DefaultPolicy(year))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(base, &m); err != nil {
		t.Fatal(err)
	}
	var over map[string]json.RawMessage
	if err := json.Unmarshal([]byte("{"+fields+"}"), &over); err != nil {
		t.Fatal(err)
	}
	for k, v := range over {
		m[k] = v
	}
	out, _ := json.Marshal(m)
	return out
}

// TestCloseRacingBookingsStrandsNothing: bookings race the year end; each
// lands before the close (and is carried or lapsed with the rest) or is
// refused as booked into a closed year. Nothing stays in the closed plan.
func TestCloseRacingBookingsStrandsNothing(t *testing.T) {
	s, _, _ := yearStore(t)
	ctx := context.Background()
	// The 21st is the close itself.
	errs := together(21, func(i int) error {
		if i == 20 {
			_, err := service.New(s).YearEnd.Close(ctx, 2027, quota.KindNewConstruction, "admin")
			return err
		}
		_, err := s.Book(ctx, quota.Booking{Year: 2027, Kind: quota.KindNewConstruction, Entry: quota.EntryAllocate,
			From: "330100", To: "330111", AmountM2: 1000 * amount.PerM2, Reason: "race", By: "o", IdempotencyKey: fmt.Sprint("race-", i)})
		return err
	})
	closeErr := errs[20]
	errs = errs[:20]
	if closeErr != nil {
		t.Fatalf("close: %v", closeErr)
	}
	for i, err := range errs {
		if err != nil && (planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "closed")) {
			t.Errorf("booking %d: %v", i, err)
		}
	}
	for code, v := range yearHeld(t, s, 2027) {
		if v != 0 {
			t.Errorf("%s still holds %.2f in the closed year", code, v)
		}
	}
}

// TestTransferBetweenDistricts: 指标调剂 moves quota from one district to
// another with its document, balanced on both sides.
func TestTransferBetweenDistricts(t *testing.T) {
	s, _, _ := yearStore(t)
	ctx := context.Background()
	bookYear(t, s, 2027, quota.EntryAllocate, "330100", "330111", 300_000, "d")
	e, err := s.Book(ctx, quota.Booking{Year: 2027, Kind: quota.KindNewConstruction, Entry: quota.EntryTransfer, From: "330111", To: "330108",
		AmountM2: 120_000 * amount.PerM2, Reason: "指标调剂", By: "admin", IdempotencyKey: "tr", Document: &quota.Document{Number: "杭规划资源〔2027〕12号"}})
	if err != nil || e.Document == nil || e.Document.Number != "杭规划资源〔2027〕12号" {
		t.Fatalf("transfer: %+v %v", e, err)
	}
	_, accounts, _ := s.Plan(ctx, 2027, quota.KindNewConstruction)
	for _, a := range accounts {
		switch a.Code {
		case "330111":
			if a.HeldM2 != 180_000*amount.PerM2 || a.WithdrawnM2 != 120_000*amount.PerM2 {
				t.Errorf("Fuyang after the transfer: %+v", a.Figures)
			}
		case "330108":
			if a.HeldM2 != 120_000*amount.PerM2 || a.ReceivedM2 != 120_000*amount.PerM2 || a.Subtree.IssuedM2 != 120_000*amount.PerM2 {
				t.Errorf("Binjiang after the transfer: %+v %+v", a.Figures, a.Subtree)
			}
		}
	}
	// Only between districts, and never more than the sender holds.
	for _, b := range []quota.Booking{
		{Entry: quota.EntryTransfer, From: "330111", To: "330111/BINFU", AmountM2: 1 * amount.PerM2},
		{Entry: quota.EntryTransfer, From: "330111", To: "330108", AmountM2: 18_000_001},
	} {
		b.Year, b.Kind, b.Reason, b.By, b.IdempotencyKey = 2027, quota.KindNewConstruction, "x", "admin", fmt.Sprint("bad-", b.To, b.AmountM2)
		if _, err := s.Book(ctx, b); err == nil {
			t.Errorf("%s → %s %s accepted", b.From, b.To, b.AmountM2)
		}
	}
}

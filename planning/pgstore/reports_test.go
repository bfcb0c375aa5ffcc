package pgstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// newReportWorld is the planner world with a 2026 year to report on:
// X7 sold and X13 allocated in 2026 (both approved in 2024, so 批而未供 at
// the start of the year and disposed in it); under the core zone U1 idle
// since 2023 and started in April 2026 (disposed), U2 idle since
// 2024-01-15 (two full years at the end: recovery due; price 1,000 万元);
// and a 2026 quota plan: 100 hm² issued, 30 to Xiaoshan, 10 of it to
// Binxiao, 5 to the project on X5, of which 2 consumed.
func newReportWorld(t *testing.T) *plannerWorld {
	t.Helper()
	w := newPlannerWorld(t)
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE parcels SET supplied_on = '2026-03-01', supply_method = 'sale' WHERE code = 'X7'`,
		`UPDATE parcels SET supplied_on = '2026-05-01', supply_method = 'allocation' WHERE code = 'X13'`,
		`UPDATE parcels SET approved_on = '2022-01-01', supplied_on = '2022-03-01', agreed_start_on = '2023-01-01', actual_start_on = '2026-04-01',
			supply_method = 'sale' WHERE code = 'U1'`,
		`UPDATE parcels SET approved_on = '2023-01-01', supplied_on = '2023-06-01', agreed_start_on = '2024-01-15', land_price_wan = 1000,
			supply_method = 'allocation' WHERE code = 'U2'`,
	} {
		if _, err := w.s.Pool().Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.s.EnsurePlan(ctx, 2026, quota.KindNewConstruction, ""); err != nil {
		t.Fatal(err)
	}
	var project int64
	w.s.Pool().QueryRow(ctx, "SELECT project_id FROM project_parcels WHERE parcel_id = $1", w.ids["X5"]).Scan(&project)
	pa := fmt.Sprintf("P%d", project)
	for i, b := range []quota.Booking{
		{Entry: quota.EntryIssue, To: "330100", AmountM2: 1_000_000 * amount.PerM2},
		{Entry: quota.EntryAllocate, From: "330100", To: "330109", AmountM2: 300_000 * amount.PerM2},
		{Entry: quota.EntryAllocate, From: "330109", To: "330109/BINXIAO", AmountM2: 100_000 * amount.PerM2},
		{Entry: quota.EntryAllocate, From: "330109/BINXIAO", To: pa, AmountM2: 50_000 * amount.PerM2},
	} {
		b.Year, b.Kind, b.Reason, b.By, b.IdempotencyKey = 2026, quota.KindNewConstruction, "test", "tester", fmt.Sprint("r", i)
		if _, err := w.s.Book(ctx, b); err != nil {
			t.Fatalf("booking %d: %v", i, err)
		}
	}
	consume(t, w.s, pa, 20_000)
	return w
}

// reportCell finds one value of a report table.
func reportCell(t *testing.T, rep planner.Report, table, section, code, col, class string) any {
	t.Helper()
	v, ok := rep.Cell(table, section, code, col, class)
	if !ok {
		t.Fatalf("no cell %s %s %q %s %s", table, section, code, col, class)
	}
	return v
}

func TestYearReportMatchesHandSums(t *testing.T) {
	w := newReportWorld(t)
	end, _ := time.Parse(time.DateOnly, "2026-12-31")
	rep, err := w.s.YearReport(context.Background(), 2026, end, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	D, H := planner.SectionDistrict, planner.SectionHighTechZone
	checks := []struct {
		table, section, code, col, class string
		want                             any
	}{
		// Supply in 2026: X7 sold (4 hm²), X13 allocated (3 hm²), both in Binxiao.
		{"supply", D, "330109", "sale_hm2", "", 4.0},
		{"supply", D, "330109", "allocation_mu", "", 45.0},
		{"supply", D, "BINXIAO", "total_count", "", int64(2)},
		{"supply", D, "330108", "total_count", "", int64(0)},
		{"supply", H, "BINXIAO", "total_hm2", "", 7.0},
		{"supply", H, "BINXIAO", "double_counted", "", true},
		{"supply", H, "", "total_hm2", "", 7.0},
		// 批而未供: X2, X8, X7, X13 at the start (15 hm²); X7 and X13 supplied: 7/15.
		{"stock", D, "330109", "unsupplied_start_hm2", "", 15.0},
		{"stock", D, "330109", "unsupplied_disposed_hm2", "", 7.0},
		{"stock", D, "330109", "unsupplied_disposal_rate", "", 0.4667},
		{"stock", D, "330109", "unsupplied_end_count", "", int64(2)},
		{"stock", D, "330109", "unsupplied_end_mu", "", 120.0},
		// 闲置 under the core zone: U1 and U2 at the start, U1 started in 2026.
		{"stock", D, "330108", "idle_start_hm2", "", 2.0},
		{"stock", D, "330108", "idle_disposed_hm2", "", 1.0},
		{"stock", D, "330108", "idle_disposal_rate", "", 0.5},
		{"stock", D, "330108", "idle_end_count", "", int64(1)},
		{"stock", D, "330108", "recovery_due_count", "", int64(1)},
		{"stock", D, "330108", "fee_wan", "", 200.0},
		{"stock", H, "HTZ", "idle_end_hm2", "", 1.0},
		// Five-year supply rate: Binxiao approved 17 hm² since 2022, 9 supplied.
		{"stock", D, "BINXIAO", "supply_rate_5y", "", 0.5294},
		{"stock", D, "BINXIAO", "below_floor", "", true},
		{"stock", D, "330108", "supply_rate_5y", "", 1.0},
		// Low efficiency at the end.
		{"low_efficiency", D, "330109", "unsupplied_hm2", "", 8.0},
		// Land use: industry in Xiaoshan (X1-X5, X7, X8, X10, X9), of which 100101 seven.
		{"land_use", D, "330109", "all_count", "10", int64(9)},
		{"land_use", D, "330109", "all_count", "100101", int64(7)},
		{"land_use", D, "BINXIAO", "all_count", "10", int64(8)},
		{"land_use", D, "330109", "supplied_hm2", "10", 4.0},
		{"land_use", D, "330109", "supplied_hm2", "08", 3.0},
		{"land_use", D, "330108", "all_count", "12", int64(1)},
		// Quota: Xiaoshan got 30 hm², Binxiao 10 of it, the project 5, used 2.
		{"quota", D, "330109", "issued_hm2", "", 30.0},
		{"quota", D, "330109", "allocated_hm2", "", 5.0},
		{"quota", D, "330109", "consumed_hm2", "", 2.0},
		{"quota", D, "330109", "remaining_hm2", "", 28.0},
		{"quota", D, "BINXIAO", "issued_hm2", "", 10.0},
		{"quota", D, "BINXIAO", "remaining_mu", "", 120.0},
		{"quota", D, "", "issued_hm2", "", 30.0},
		{"quota", H, "HTZ", "issued_hm2", "", 0.0},
		{"quota", H, "", "issued_hm2", "", 10.0},
		{"quota", H, "", "double_counted", "", true},
	}
	for _, c := range checks {
		if got := reportCell(t, rep, c.table, c.section, c.code, c.col, c.class); got != c.want {
			t.Errorf("%s %s %q %s %s = %v (%T), want %v", c.table, c.section, c.code, c.col, c.class, got, got, c.want)
		}
	}
	if rep.AsOf != "2026-12-31" || rep.From != "2026-01-01" {
		t.Errorf("period %s..%s", rep.From, rep.AsOf)
	}
	if _, err := w.s.YearReport(context.Background(), 2025, end, planner.DefaultRules()); err == nil {
		t.Error("an as-of day outside the year was accepted")
	}
}

// The allocation's 增存挂钩 facts and the report read the same disposal
// figures: by hand, Xiaoshan supplied 7 of its 15 hm² 批而未供 in 2026 and
// Binjiang disposed 1 of its 2 hm² idle land.
func TestDistrictStockFactsEqualReport(t *testing.T) {
	w := newReportWorld(t)
	ctx := context.Background()
	end, _ := time.Parse(time.DateOnly, "2026-12-31")
	rep, err := w.s.YearReport(ctx, 2026, end, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	facts, err := w.s.DistrictStockFacts(ctx, 2026, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 {
		t.Fatalf("%d districts, want 2", len(facts))
	}
	rate := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for code, f := range facts {
		for col, got := range map[string]any{
			"unsupplied_start_hm2": f.UnsuppliedStart.Hm2, "unsupplied_disposed_hm2": f.UnsuppliedDisposed.Hm2,
			"unsupplied_disposal_rate": rate(f.UnsuppliedRate), "idle_start_hm2": f.IdleStart.Hm2,
			"idle_disposed_hm2": f.IdleDisposed.Hm2, "idle_disposal_rate": rate(f.IdleRate),
			"approved_5y_hm2": f.Approved5y.Hm2, "supplied_5y_hm2": f.Supplied5y.Hm2, "supply_rate_5y": rate(f.SupplyRate),
		} {
			if want := reportCell(t, rep, "stock", planner.SectionDistrict, code, col, ""); want != got {
				t.Errorf("%s %s: facts %v, report %v", code, col, got, want)
			}
		}
	}
	if x := facts["330109"]; x.UnsuppliedDisposed.Hm2 != 7 || x.UnsuppliedStart.Hm2 != 15 {
		t.Errorf("Xiaoshan 批而未供 disposed %v of %v, want 7 of 15", x.UnsuppliedDisposed.Hm2, x.UnsuppliedStart.Hm2)
	}
	if b := facts["330108"]; b.IdleDisposed.Hm2 != 1 || b.IdleStart.Hm2 != 2 || b.SupplyRate == nil || *b.SupplyRate != 1 {
		t.Errorf("Binjiang idle disposed %v of %v, supply rate %v", b.IdleDisposed.Hm2, b.IdleStart.Hm2, b.SupplyRate)
	}
}

// 亩均 figures come from the district evaluation table; the allocation
// facts read them with DistrictEvaluations.
func TestDistrictEvaluations(t *testing.T) {
	w := newPlannerWorld(t)
	ctx := context.Background()
	rows := []planner.DistrictEvaluation{{Year: 2025, Adcode: "330108", TaxPerMuWan: 85.3, ValueAddedPerMuWan: 320.5},
		{Year: 2025, Adcode: "330109", TaxPerMuWan: 31, ValueAddedPerMuWan: 140.25}}
	if err := w.s.SaveDistrictEvaluations(ctx, rows, "admin"); err != nil {
		t.Fatal(err)
	}
	rows[0].TaxPerMuWan = 90 // given again: replaced
	bad := append(rows[:1:1], planner.DistrictEvaluation{Year: 2025, Adcode: "310115", TaxPerMuWan: 1})
	if err := w.s.SaveDistrictEvaluations(ctx, bad, "admin"); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("unknown district: %v", err)
	}
	got, err := w.s.DistrictEvaluations(ctx, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["330108"].TaxPerMuWan != 85.3 || got["330109"].ValueAddedPerMuWan != 140.25 {
		t.Fatalf("evaluations %+v (a refused file must change nothing)", got)
	}
	if none, _ := w.s.DistrictEvaluations(ctx, 2024); len(none) != 0 {
		t.Fatalf("2024: %+v", none)
	}
}

// The report sets the official areas beside the measured ones: X7 is 4 hm²
// measured; its contract says 39 000 m², its 三调 patch 40 500 m² less
// 400 m² of field ridges.
func TestReportReconcilesOfficialAreas(t *testing.T) {
	w := newReportWorld(t)
	ctx := context.Background()
	if _, err := w.s.Pool().Exec(ctx, `UPDATE parcels SET contract_area_m2 = 39000, survey_area_m2 = 40500, survey_deduction_m2 = 400 WHERE code = 'X7'`); err != nil {
		t.Fatal(err)
	}
	end, _ := time.Parse(time.DateOnly, "2026-12-31")
	rep, err := w.s.YearReport(ctx, 2026, end, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]any{"contract_count": int64(1), "contract_measured_hm2": 4.0, "contract_official_hm2": 3.9,
		"contract_difference": 0.0256, "survey_official_hm2": 4.01, "survey_difference": -0.0025, "approved_count": int64(0)} {
		if got := reportCell(t, rep, "area_reconcile", planner.SectionDistrict, "330109", col, ""); got != want {
			t.Errorf("%s = %v (%T), want %v", col, got, got, want)
		}
	}
}

// 保障房 pooled city-wide: X13 (3 hm², allocated in 2026 in Xiaoshan)
// serves affordable housing; the city's target is 10 hm²: 30% met.
func TestReportAffordableHousingPooled(t *testing.T) {
	w := newReportWorld(t)
	ctx := context.Background()
	if _, err := w.s.Pool().Exec(ctx, `UPDATE parcels SET affordable_housing = true WHERE code = 'X13'`); err != nil {
		t.Fatal(err)
	}
	if err := w.s.SetAffordableTarget(ctx, planner.AffordableTarget{Year: 2026, TargetM2: 100_000}, "admin"); err == nil {
		t.Fatal("a target without its document was stored")
	}
	if err := w.s.SetAffordableTarget(ctx, planner.AffordableTarget{Year: 2026, TargetM2: 100_000, Document: "杭政办函〔2026〕7号"}, "admin"); err != nil {
		t.Fatal(err)
	}
	end, _ := time.Parse(time.DateOnly, "2026-12-31")
	rep, err := w.s.YearReport(ctx, 2026, end, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	D := planner.SectionDistrict
	for _, c := range []struct {
		code, col string
		want      any
	}{
		{"330109", "affordable_supplied_hm2", 3.0}, {"330109", "affordable_supplied_count", int64(1)},
		{"330108", "affordable_supplied_hm2", 0.0}, {"", "affordable_supplied_hm2", 3.0},
		{"", "city_target_hm2", 10.0}, {"", "target_rate", 0.3}, {"330109", "city_target_hm2", nil},
	} {
		if got := reportCell(t, rep, "affordable_housing", D, c.code, c.col, ""); got != c.want {
			t.Errorf("%q %s = %v (%T), want %v", c.code, c.col, got, got, c.want)
		}
	}
}

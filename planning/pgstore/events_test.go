package pgstore_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/paulmach/orb"
)

func summaryTotal(t *testing.T, s interface {
	StockSummary(context.Context, time.Time, planner.Rules) (planner.StockSummary, error)
}, asof string) planner.StockUnit {
	t.Helper()
	d, _ := time.Parse(time.DateOnly, asof)
	sum, err := s.StockSummary(context.Background(), d, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range sum.Units {
		if u.Section == planner.SectionDistrict && u.Code == "330108" {
			return u
		}
	}
	t.Fatal("no Binjiang row")
	return planner.StockUnit{}
}

// Suspected idle land (疑似, computed) and determined idle land (认定书
// recorded) are two figures; a determination recorded after the computed
// date counts from its own day; recovery ends it.
func TestIdleDeterminationEvents(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	idle := parcel("IDLE", rect(0, 0, 100, 100)) // 10 000 m²
	idle.Status, idle.ApprovedOn, idle.SuppliedOn, idle.AgreedStartOn = planning.StatusSupplied, pgtest.Day("2022-01-10"), pgtest.Day("2022-06-01"), pgtest.Day("2023-03-01")
	id := mustInsertParcel(t, s, idle)
	add := func(in planner.EventInput) error {
		e, err := in.Check()
		if err != nil {
			return err
		}
		_, err = s.AddParcelEvent(ctx, id, "", e, "admin")
		return err
	}
	// Bad input names its field and writes nothing.
	for _, c := range []struct {
		in    planner.EventInput
		field string
	}{
		{planner.EventInput{Kind: "idle", EventOn: "2024-06-10", Document: "x", Cause: "enterprise"}, "kind"},
		{planner.EventInput{Kind: "idle_determination", EventOn: "2024-06-10", Document: "杭高新闲认〔2024〕3号"}, "cause"},
		{planner.EventInput{Kind: "idle_determination", EventOn: "2024-06-10", Cause: "enterprise"}, "document"},
		{planner.EventInput{Kind: "idle_determination", EventOn: "10/06/2024", Document: "d", Cause: "enterprise"}, "event_on"},
		{planner.EventInput{Kind: "extension_granted", EventOn: "2024-06-10", Document: "d", ExtendedTo: "2024-01-01"}, "extended_to"},
		{planner.EventInput{Kind: "fee_levied", EventOn: "2024-07-01", Document: "d"}, "amount_wan"},
		// Order 53: no fee before the determination.
		{planner.EventInput{Kind: "fee_levied", EventOn: "2024-07-01", Document: "d", AmountWan: ptr(2469.12)}, "kind"},
	} {
		err := add(c.in)
		if planning.CodeOf(err) != planning.ErrInvalid || !strings.HasPrefix(err.Error(), c.field+":") {
			t.Errorf("%+v: %v, want invalid naming %s", c.in, err, c.field)
		}
	}
	if got, err := s.ParcelEvents(ctx, id); err != nil || len(got) != 0 {
		t.Fatalf("after refused input: %v events, %v", got, err)
	}
	if _, err := s.ParcelEvents(ctx, id+1000); planning.CodeOf(err) != planning.ErrNotFound {
		t.Fatalf("events of a missing parcel: %v", err)
	}

	// Computed idle from 2024-03-01 (a full year after the agreed start).
	u := summaryTotal(t, s, "2024-04-01")
	if u.Idle.Area.M2 != 10000 || u.IdleDetermined.Area.M2 != 0 || u.IdleEnterprise.Area.M2 != 10000 {
		t.Fatalf("2024-04-01: suspected %v determined %v enterprise %v", u.Idle, u.IdleDetermined, u.IdleEnterprise)
	}
	for _, in := range []planner.EventInput{
		{Kind: "idle_determination", EventOn: "2024-06-10", Document: "杭高新闲认〔2024〕3号", Cause: "enterprise"},
		{Kind: "fee_levied", EventOn: "2024-07-01", Document: "杭高新闲费〔2024〕1号", AmountWan: ptr(2469.12)},
		{Kind: "land_recovered", EventOn: "2025-03-05", Document: "杭高新收〔2025〕2号", Note: "无偿收回"},
	} {
		if err := add(in); err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
	}
	for _, c := range []struct {
		asof                  string
		suspected, determined float64
	}{{"2024-06-09", 10000, 0}, {"2024-06-10", 10000, 10000}, {"2025-03-04", 10000, 10000}, {"2025-03-05", 10000, 0}} {
		u := summaryTotal(t, s, c.asof)
		if u.Idle.Area.M2 != c.suspected || u.IdleDetermined.Area.M2 != c.determined {
			t.Errorf("%s: suspected %v determined %v, want %v %v", c.asof, u.Idle.Area.M2, u.IdleDetermined.Area.M2, c.suspected, c.determined)
		}
	}
	got, err := s.ParcelEvents(ctx, id)
	if err != nil || len(got) != 3 || got[0].Kind != planner.EventDetermination || got[0].Cause != planner.CauseEnterprise ||
		got[1].AmountWan == nil || *got[1].AmountWan != 2469.12 || got[2].EventOn != "2025-03-05" || got[2].RecordedBy != "admin" {
		t.Fatalf("history %+v, %v", got, err)
	}

	// A file of events is all or nothing: the bad second row names itself.
	det, _ := planner.EventInput{Kind: "idle_determination", EventOn: "2024-06-10", Document: "d", Cause: "government"}.Check()
	ext, _ := planner.EventInput{Kind: "extension_granted", EventOn: "2024-07-10", Document: "d", ExtendedTo: "2025-01-01"}.Check()
	if _, err := s.AddParcelEvents(ctx, []string{"IDLE", "NOPE"}, []planner.ParcelEvent{det, ext}, "admin"); planning.CodeOf(err) != planning.ErrInvalid ||
		!strings.Contains(err.Error(), "event 2") {
		t.Fatalf("bad file: %v", err)
	}
	if got, _ := s.ParcelEvents(ctx, id); len(got) != 3 {
		t.Fatalf("a refused file wrote %d events", len(got)-3)
	}
}

// Stacked underground rights (分层设立) do not count their footprint twice
// in the 2D statistics; a facts-missing parcel is counted, not dropped.
func TestStatisticsCountFootprintOnce(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	top1, bot1, top2, bot2 := -5.0, -30.0, -35.0, -60.0
	surface := parcel("SURFACE", rect(0, 0, 100, 100))
	surface.Status, surface.ApprovedOn, surface.SuppliedOn, surface.AgreedStartOn, surface.ActualStartOn =
		planning.StatusUnderConstruction, pgtest.Day("2021-01-01"), pgtest.Day("2021-03-01"), pgtest.Day("2021-09-01"), pgtest.Day("2021-08-01")
	under1 := parcel("UNDER-1", rect(0, 0, 100, 100))
	under1.Elevation = planning.Elevation{Bottom: &bot1, Top: &top1}
	under2 := parcel("UNDER-2", rect(50, 0, 150, 100)) // half under SURFACE, half under nothing
	under2.Elevation = planning.Elevation{Bottom: &bot2, Top: &top2}
	for _, p := range []planning.Parcel{surface, under1, under2} {
		mustInsertParcel(t, s, p)
	}
	// SURFACE halted with no shares recorded: facts missing.
	if _, err := s.Pool().Exec(ctx, "UPDATE parcels SET halted_since = '2023-01-01' WHERE code = 'SURFACE'"); err != nil {
		t.Fatal(err)
	}
	u := summaryTotal(t, s, "2024-01-01")
	// 10 000 (surface) + 0 (under it) + 5 000 (the half of UNDER-2 outside it).
	if u.Parcels.Count != 3 || u.Parcels.Area.M2 != 15000 {
		t.Errorf("parcels %+v, want 3 and 15 000 m²", u.Parcels)
	}
	if u.FactsMissing.Count != 1 || u.FactsMissing.Area.M2 != 10000 {
		t.Errorf("facts missing %+v, want SURFACE", u.FactsMissing)
	}
	// The kept 2D areas follow the parcels: UNDER-2 moved clear of both
	// counts whole; with SURFACE deleted, UNDER-1 counts whole too.
	for _, c := range []struct {
		sql  string
		n    int64
		want float64
	}{
		{"UPDATE parcels SET geom = ST_Transform(ST_Translate(ST_Transform(geom, 4549), 150, 0), 4490) WHERE code = 'UNDER-2'", 3, 20000},
		{"DELETE FROM parcels WHERE code = 'SURFACE'", 2, 20000},
		{"UPDATE parcels SET geom = ST_Transform(ST_Translate(ST_Transform(geom, 4549), -150, 0), 4490) WHERE code = 'UNDER-2'", 2, 15000},
	} {
		if _, err := s.Pool().Exec(ctx, c.sql); err != nil {
			t.Fatal(err)
		}
		if u := summaryTotal(t, s, "2024-01-01"); u.Parcels.Count != c.n || math.Abs(u.Parcels.Area.M2-c.want) > 0.05 {
			t.Errorf("after %s: parcels %+v, want %d and %v m²", c.sql, u.Parcels, c.n, c.want)
		}
	}
}

// A granted extension of the start is the agreed start from its grant
// (Order 53): the stock layer, the summary and the year's 增存挂钩 facts
// run the 闲置 clock from the extended date, and the stock layer says so.
func TestExtensionMovesTheIdleClock(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, c := range []struct {
		code                  string
		outline               orb.MultiPolygon
		supplied, agreedStart string
	}{
		{"OUT", rect(0, 0, 100, 100), "2023-05-01", "2024-01-15"},    // 10 000 m², idle from 2025-01-15
		{"LATE", rect(0, 200, 100, 250), "2023-09-01", "2024-03-01"}, // 5 000 m², idle from 2025-03-01
		{"OUT2", rect(0, 300, 100, 330), "2022-09-01", "2023-06-01"}, // 3 000 m², idle from 2024-06-01
	} {
		p := parcel(c.code, c.outline)
		p.Status, p.ApprovedOn, p.SuppliedOn, p.AgreedStartOn = planning.StatusSupplied, pgtest.Day("2022-01-10"), pgtest.Day(c.supplied), pgtest.Day(c.agreedStart)
		id := mustInsertParcel(t, s, p)
		if _, err := s.Pool().Exec(ctx, "UPDATE parcels SET land_price_wan = 500 WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
		ids[c.code] = id
	}
	for _, e := range []struct{ code, on, to string }{
		{"OUT", "2025-03-10", "2025-10-01"},  // out of 闲置 until 2026-10-01
		{"LATE", "2024-01-10", "2024-12-01"}, // superseded by the next: the latest counts, not the furthest
		{"LATE", "2024-02-01", "2024-09-01"}, // fee due from 2025-09-01, recovery from 2026-09-01
		{"OUT2", "2025-02-01", "2025-08-01"}, // idle at the start of 2025, not at its end
	} {
		in, err := planner.EventInput{Kind: "extension_granted", EventOn: e.on, Document: "杭高新延〔" + e.on[:4] + "〕号", ExtendedTo: e.to}.Check()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddParcelEvent(ctx, ids[e.code], "", in, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	type props struct {
		Idle         bool     `json:"idle"`
		IdleFrom     *string  `json:"idle_from"`
		RecoveryDue  bool     `json:"recovery_due"`
		FeeWan       *float64 `json:"fee_wan"`
		StartDue     *string  `json:"start_due"`
		StartDueFrom *string  `json:"start_due_from"`
	}
	stock := func(asof string) map[string]props {
		t.Helper()
		d, _ := time.Parse(time.DateOnly, asof)
		out := map[string]props{}
		_, err := s.StreamStock(ctx, planner.StockQuery{AsOf: d, Rules: planner.DefaultRules(), Limit: 100, Precision: 7}, func(b []byte) error {
			var f struct {
				Properties struct {
					Code string `json:"code"`
					props
				} `json:"properties"`
			}
			if err := json.Unmarshal(b, &f); err != nil {
				return err
			}
			out[f.Properties.Code] = f.Properties.props
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	// The day before OUT's grant it is idle, from its agreed start.
	if p := stock("2025-03-09")["OUT"]; !p.Idle || str(p.IdleFrom) != "2024-01-15" || str(p.StartDueFrom) != "agreed_start" {
		t.Errorf("OUT on 2025-03-09: %+v", p)
	}
	got := stock("2025-06-30")
	if p, listed := got["OUT"]; listed {
		t.Errorf("OUT on 2025-06-30, its start extended to 2025-10-01, is listed: %+v", p)
	}
	got = stock("2026-06-30")
	if p := got["LATE"]; !p.Idle || p.RecoveryDue || p.FeeWan == nil || *p.FeeWan != 100 || str(p.IdleFrom) != "2024-09-01" ||
		str(p.StartDue) != "2024-09-01" || str(p.StartDueFrom) != "extension_granted" {
		t.Errorf("LATE on 2026-06-30: %+v", p)
	}
	if p := stock("2026-09-01")["LATE"]; !p.RecoveryDue {
		t.Errorf("LATE on 2026-09-01, two years after the extended start: %+v", p)
	}
	// The summary: on 2025-12-31 only LATE is idle (OUT and OUT2 were
	// extended); the year 2025 starts with OUT2 idle and disposes of it.
	if u := summaryTotal(t, s, "2025-12-31"); u.Idle.Area.M2 != 5000 || u.RecoveryDue.Area.M2 != 0 {
		t.Errorf("2025-12-31: idle %v, recovery due %v", u.Idle, u.RecoveryDue)
	}
	facts, err := s.DistrictStockFacts(ctx, 2025, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if f := facts["330108"]; f.IdleStart.M2 != 3000 || f.IdleDisposed.M2 != 3000 {
		t.Errorf("2025 in Binjiang: idle at the start %v, disposed %v", f.IdleStart, f.IdleDisposed)
	}
}

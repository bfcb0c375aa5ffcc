package quota

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// m2 is an exact amount written in square metres.
func m2(s string) amount.Area {
	a, err := amount.Parse(s, amount.M2)
	if err != nil {
		panic(err)
	}
	return a
}

func TestDeriveNeed(t *testing.T) {
	parcels := []ParcelNeed{
		{AreaM2: 10000, Class: ClassNew},                                                      // farmland today: new quota
		{AreaM2: 5000, Class: ClassStock},                                                     // construction land today: none
		{AreaM2: 2000, Class: ClassUnderground},                                               // underground: none by default
		{AreaM2: 4000, Class: ClassApproved},                                                  // approved: consumed then
		{AreaM2: 1000.004, Class: ClassNew, Farmland: planning.Overlap{M2: 0.5, WidthM: 0.5}}, // within tolerance; rounded as booked
		{AreaM2: 3000, Class: ClassNew, Outside: planning.Overlap{M2: 0.25, WidthM: 0.5}},     // within tolerance
		{AreaM2: 800, Class: ClassNew, Outside: planning.Overlap{M2: 40, WidthM: 0.2}},        // a seam: thinner than the width
	}
	tol := planning.LineTolerance{AreaM2: 1, WidthM: 0.5}
	n := DeriveNeed(parcels, tol)
	if n.NewM2 != m2("14800") || n.StockM2 != m2("5000") || n.UndergroundM2 != m2("2000") || n.ApprovedM2 != m2("4000") || n.TotalM2 != m2("25800") || !n.Eligible {
		t.Fatalf("need: %+v", n)
	}
	if math.Abs(n.NewMu-22.2) > 1e-9 || n.NewHa != 1.48 {
		t.Fatalf("units: %v 亩, %v hm²", n.NewMu, n.NewHa)
	}
	if DeriveNeed(parcels, planning.LineTolerance{AreaM2: 1}).Eligible {
		t.Fatal("with the width switched off, the 40 m² seam left the project eligible")
	}
	parcels = append(parcels, ParcelNeed{AreaM2: 500, Class: ClassNew, RedLine: planning.Overlap{M2: 2, WidthM: 1}})
	if DeriveNeed(parcels, tol).Eligible {
		t.Fatal("a red-line overlap above the tolerance left the project eligible")
	}
	if DeriveNeed(nil, tol).Eligible {
		t.Fatal("a project without parcels is eligible")
	}
}

func TestBookingCheck(t *testing.T) {
	ok := Booking{Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: m2("12.35"), Reason: "r", By: "u", IdempotencyKey: "k"}
	if err := ok.Check(); err != nil || ok.AmountM2 != 1235 {
		t.Fatalf("good booking: %v, amount %v", err, ok.AmountM2)
	}
	for field, b := range map[string]Booking{
		"kind":            {Year: 2026, Kind: "gold", Entry: EntryAllocate, AmountM2: 1, Reason: "r", By: "u", IdempotencyKey: "k"},
		"entry":           {Year: 2026, Kind: KindNewConstruction, Entry: "steal", AmountM2: 1, Reason: "r", By: "u", IdempotencyKey: "k"},
		"amount":          {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 0, Reason: "r", By: "u", IdempotencyKey: "k"},
		"reason":          {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 1, Reason: "  ", By: "u", IdempotencyKey: "k"},
		"idempotency_key": {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 1, Reason: "r", By: "u"},
	} {
		err := b.Check()
		var de *planning.Error
		if err == nil || !asError(err, &de) || de.Details["field"] != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	// The largest amount passes; one hundredth more is refused, naming the limit.
	big := ok
	big.AmountM2 = MaxAmount
	if err := big.Check(); err != nil {
		t.Errorf("the largest amount: %v", err)
	}
	big.AmountM2++
	if err := big.Check(); err == nil || !strings.Contains(err.Error(), "1000000000.01 m² is more than the largest amount, 1000000000.00 m²") {
		t.Errorf("beyond the largest amount: %v", err)
	}
	anon := ok
	anon.By = ""
	if planning.CodeOf(anon.Check()) != planning.ErrUnauthenticated {
		t.Error("a booking without a person was accepted")
	}
}

func TestSumSubtrees(t *testing.T) {
	acc := []Account{
		{ID: 3, ParentID: 2, Kind: AccountProject, Figures: Figures{ConsumedM2: 5, HeldM2: 2}},
		{ID: 1, Kind: AccountDistrict, Figures: Figures{HeldM2: 100, WithdrawnM2: 7, ReturnedUpM2: 50}},
		{ID: 2, ParentID: 1, Kind: AccountPark, Figures: Figures{HeldM2: 1}},
		{ID: 4, ParentID: 1, Kind: AccountProject, Figures: Figures{ConsumedM2: 10, HeldM2: 3}},
	}
	SumSubtrees(acc)
	want := map[int64]Subtree{
		1: {IssuedM2: 128, AllocatedM2: 20, ConsumedM2: 15, WithdrawnM2: 7, RemainingM2: 106},
		2: {IssuedM2: 8, AllocatedM2: 7, ConsumedM2: 5, RemainingM2: 3},
		3: {IssuedM2: 7, AllocatedM2: 7, ConsumedM2: 5, RemainingM2: 2},
		4: {IssuedM2: 13, AllocatedM2: 13, ConsumedM2: 10, RemainingM2: 3},
	}
	for _, a := range acc {
		got := a.Subtree
		got.IssuedHa, got.AllocatedHa, got.ConsumedHa, got.WithdrawnHa, got.RemainingHa = 0, 0, 0, 0, 0
		if got != want[a.ID] {
			t.Errorf("account %d: %+v, want %+v", a.ID, got, want[a.ID])
		}
		if got.IssuedM2 != got.ConsumedM2+got.WithdrawnM2+got.RemainingM2 {
			t.Errorf("account %d: issued ≠ consumed + withdrawn + remaining", a.ID)
		}
	}
	if SubtreeOf(acc, "nope") != (Subtree{}) {
		t.Error("a missing account has figures")
	}
}

func TestPlanClose(t *testing.T) {
	rate := func(x float64) *float64 { return &x }
	acc := []Account{
		{Code: "330100", Kind: AccountCity, Figures: Figures{HeldM2: m2("1000.01")}},
		{Code: "330108", Kind: AccountDistrict, District: "330108", Figures: Figures{HeldM2: m2("300")}},
		{Code: "330109", Kind: AccountDistrict, District: "330109", Figures: Figures{HeldM2: m2("500")}},
		{Code: "P7", Kind: AccountProject, District: "330109", Figures: Figures{HeldM2: m2("20")}},
		{Code: "330111", Kind: AccountDistrict, District: "330111"},
	}
	stock := []DistrictStock{
		{District: "330108", UnsuppliedDisposed: m2("10000"), IdleDisposed: m2("5000.03"), SupplyRate5y: rate(0.8)},
		{District: "330109", UnsuppliedDisposed: m2("20000"), SupplyRate5y: rate(0.5)},
		{District: "330111"},
	}
	c := PlanClose(2027, KindNewConstruction, acc, stock, CloseRules{CarryOverShare: 0.5, Document: "浙自然资〔2027〕9号",
		RewardRatio: 0.1, WithholdBelowFloor: true, SupplyRateFloor: 0.6})
	if c.NextYear != 2028 || len(c.Accounts) != 4 {
		t.Fatalf("closing: %+v", c)
	}
	byCode := map[string]CloseAccount{}
	for _, a := range c.Accounts {
		byCode[a.Code] = a
		if a.CarryM2+a.LapseM2 != a.HeldM2 {
			t.Errorf("%s: carried %v + lapsed %v ≠ held %v", a.Code, a.CarryM2, a.LapseM2, a.HeldM2)
		}
	}
	if a := byCode["330100"]; a.CarryM2 != m2("500") || a.LapseM2 != m2("500.01") {
		t.Errorf("city: the carried half rounds down to the cent: %+v", a)
	}
	if a := byCode["330109"]; a.CarryM2 != 0 || !a.Withheld || byCode["P7"].CarryM2 != 0 {
		t.Errorf("Xiaoshan is below the floor: nothing carried: %+v %+v", a, byCode["P7"])
	}
	if a := byCode["330108"]; a.CarryM2 != m2("150") || a.Withheld {
		t.Errorf("Binjiang: %+v", a)
	}
	rows := map[string]LinkageRow{}
	for _, l := range c.Linkage {
		rows[l.District] = l
	}
	// 10% of 15000.03 m² is 1500.003 m², rounded down to the hundredth.
	if r := rows["330108"]; r.RewardM2 != m2("1500") || r.DisposedM2 != m2("15000.03") || r.ExplanationZh == "" {
		t.Errorf("Binjiang reward: %+v", r)
	}
	if r := rows["330109"]; r.RewardM2 != 0 || !r.Withheld {
		t.Errorf("Xiaoshan: %+v", r)
	}
	if r := rows["330111"]; r.RewardM2 != 0 || r.Withheld || r.SupplyRate5y != nil {
		t.Errorf("Fuyang: %+v", r)
	}
	if c.Totals.HeldM2 != m2("1820.01") || c.Totals.CarryM2 != m2("650") || c.Totals.LapseM2 != m2("1170.01") || c.Totals.RewardM2 != m2("1500") {
		t.Errorf("totals: %+v", c.Totals)
	}
}

func TestCompare(t *testing.T) {
	a := Scenario{ID: 1, Result: allocation.Result{Granted: 300,
		Accounts:  []allocation.AccountTotal{{AccountID: "330108", Kind: allocation.AccountDistrict, Granted: 300}},
		Decisions: []allocation.Decision{{ProjectID: 7, Granted: 100, Outcome: allocation.OutcomeGranted}, {ProjectID: 8, Granted: 200, Outcome: allocation.OutcomeGranted}}}}
	b := Scenario{ID: 2, Result: allocation.Result{Granted: 250,
		Accounts:  []allocation.AccountTotal{{AccountID: "330108", Kind: allocation.AccountDistrict, Granted: 250}},
		Decisions: []allocation.Decision{{ProjectID: 7, Granted: 100, Outcome: allocation.OutcomeGranted}, {ProjectID: 8, Granted: 150, Outcome: allocation.OutcomePartial}}}}
	c := Compare(a, b)
	if c.Totals.Delta != -50 || len(c.Districts) != 1 || c.Districts[0].Delta != -50 || len(c.Projects) != 1 || c.Projects[0].ID != "P8" {
		t.Fatalf("comparison: %+v", c)
	}
}

// A project's category is the allocation engine's: every category the
// engine scores is accepted, anything else is refused naming them.
func TestProjectCategoryIsTheEngines(t *testing.T) {
	for _, c := range allocation.Categories() {
		p := Project{Code: "P1", Name: "项目", Category: c}
		var pe *planning.Error
		if err := p.Check(); errors.As(err, &pe) && pe.Details["field"] == "category" {
			t.Errorf("%s refused: %v", c, err)
		}
	}
	p := Project{Code: "P1", Name: "项目", Category: "industrial"}
	err := p.Check()
	var pe *planning.Error
	if !errors.As(err, &pe) || pe.Details["field"] != "category" || !strings.Contains(pe.Message, string(allocation.LivelihoodInfrastructure)) {
		t.Fatalf("unknown category: %v", err)
	}
}

// Each kind has its own name in the plan documents.
func TestKindNameZh(t *testing.T) {
	seen := map[string]Kind{}
	for _, k := range Kinds {
		n := k.NameZh()
		if !strings.HasSuffix(n, "指标") || seen[n] != "" {
			t.Errorf("%s: %q (also %q)", k, n, seen[n])
		}
		seen[n] = k
	}
	if KindNewConstruction.NameZh() != "新增建设用地计划指标" {
		t.Errorf("new construction: %q", KindNewConstruction.NameZh())
	}
}

// A kind left out is the new construction-land quota; a given one stays,
// known or not (Valid judges it).
func TestKindOrDefault(t *testing.T) {
	for in, want := range map[Kind]Kind{"": KindNewConstruction, KindLinkage: KindLinkage, "gold": "gold"} {
		if got := in.OrDefault(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

package quota

import (
	"math"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
)

func TestDeriveNeed(t *testing.T) {
	parcels := []ParcelNeed{
		{AreaM2: 10000},                         // farmland today: new quota
		{AreaM2: 5000, ConstructionLand: true},  // stock: none
		{AreaM2: 2000, Underground: true},       // underground: none by default
		{AreaM2: 1000, FarmlandOverlapM2: 0.5},  // within tolerance
		{AreaM2: 3000, OutsideBoundaryM2: 0.25}, // within tolerance
	}
	n := DeriveNeed(parcels, false)
	if n.NewM2 != 14000 || n.StockM2 != 5000 || n.UndergroundM2 != 2000 || n.TotalM2 != 21000 || !n.Eligible {
		t.Fatalf("need: %+v", n)
	}
	if math.Abs(n.NewMu-21) > 1e-9 || n.NewHa != 1.4 {
		t.Fatalf("units: %v 亩, %v hm²", n.NewMu, n.NewHa)
	}
	if with := DeriveNeed(parcels, true); with.NewM2 != 16000 || with.UndergroundM2 != 0 {
		t.Fatalf("underground needing quota: %+v", with)
	}
	parcels = append(parcels, ParcelNeed{AreaM2: 500, RedLineOverlapM2: 2})
	if DeriveNeed(parcels, false).Eligible {
		t.Fatal("a red-line overlap above the tolerance left the project eligible")
	}
	if DeriveNeed(nil, false).Eligible {
		t.Fatal("a project without parcels is eligible")
	}
}

func TestBookingCheck(t *testing.T) {
	ok := Booking{Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 12.345, Reason: "r", By: "u", IdempotencyKey: "k"}
	if err := ok.Check(); err != nil || ok.AmountM2 != 12.35 {
		t.Fatalf("good booking: %v, amount %v", err, ok.AmountM2)
	}
	for field, b := range map[string]Booking{
		"kind":            {Year: 2026, Kind: "gold", Entry: EntryAllocate, AmountM2: 1, Reason: "r", By: "u", IdempotencyKey: "k"},
		"entry":           {Year: 2026, Kind: KindNewConstruction, Entry: "steal", AmountM2: 1, Reason: "r", By: "u", IdempotencyKey: "k"},
		"amount":          {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: math.NaN(), Reason: "r", By: "u", IdempotencyKey: "k"},
		"reason":          {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 1, Reason: "  ", By: "u", IdempotencyKey: "k"},
		"idempotency_key": {Year: 2026, Kind: KindNewConstruction, Entry: EntryAllocate, AmountM2: 1, Reason: "r", By: "u"},
	} {
		err := b.Check()
		var de *planning.Error
		if err == nil || !asError(err, &de) || de.Details["field"] != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	anon := ok
	anon.By = ""
	if planning.CodeOf(anon.Check()) != planning.ErrUnauthenticated {
		t.Error("a booking without a person was accepted")
	}
}

func TestSumSubtrees(t *testing.T) {
	acc := []Account{
		{ID: 3, ParentID: 2, Figures: Figures{ConsumedM2: 5}},
		{ID: 1},
		{ID: 2, ParentID: 1, Figures: Figures{ConsumedM2: 1}},
		{ID: 4, ParentID: 1, Figures: Figures{ConsumedM2: 10}},
	}
	SumSubtrees(acc)
	want := map[int64]float64{1: 16, 2: 6, 3: 5, 4: 10}
	for _, a := range acc {
		if a.SubtreeConsumedM2 != want[a.ID] {
			t.Errorf("account %d: %v, want %v", a.ID, a.SubtreeConsumedM2, want[a.ID])
		}
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

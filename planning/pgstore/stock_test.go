package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// stockCase is one parcel's facts, as stored and as the Go rules read them.
type stockCase struct {
	id    int64
	park  string
	area  float64
	facts planner.Facts
}

// randomFacts makes lifecycle facts that respect the schema's checks, with
// dates clustered around the thresholds and 29 February.
func randomFacts(r *rand.Rand) planner.Facts {
	base := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	d := func(t time.Time, lo, hi int) *time.Time { x := t.AddDate(0, 0, lo+r.IntN(hi-lo+1)); return &x }
	leap := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	f := planner.Facts{Status: planning.Statuses[r.IntN(len(planning.Statuses))].Code}
	if r.IntN(10) < 8 {
		f.ApprovedOn = d(base, 0, 8*365)
		if r.IntN(20) == 0 {
			f.ApprovedOn = &leap
		}
	}
	if f.ApprovedOn != nil && r.IntN(10) < 7 {
		f.SuppliedOn = d(*f.ApprovedOn, 0, 900)
		if r.IntN(3) == 0 {
			f.HandedOverOn = d(*f.SuppliedOn, 0, 200)
		}
		if r.IntN(4) > 0 {
			f.AgreedStartOn = d(*f.SuppliedOn, 60, 400)
			if r.IntN(20) == 0 {
				f.AgreedStartOn = &leap
			}
		}
		if r.IntN(2) == 0 {
			start := *f.SuppliedOn
			if f.AgreedStartOn != nil {
				start = *f.AgreedStartOn
			}
			f.ActualStartOn = d(start, -60, 900)
			if r.IntN(2) == 0 {
				f.CompletedOn = d(*f.ActualStartOn, 200, 1200)
			}
			if r.IntN(2) == 0 {
				f.HaltedSince = d(*f.ActualStartOn, 0, 900)
			}
		}
	}
	shares := []*float64{nil, ptr(0.1), ptr(1.0 / 3), ptr(0.2), ptr(0.25), ptr(0.5), ptr(1.0)}
	f.DevelopedShare, f.InvestedShare = shares[r.IntN(len(shares))], shares[r.IntN(len(shares))]
	f.GovernmentDelay = r.IntN(5) == 0
	if r.IntN(2) == 0 {
		f.LandPriceWan = ptr(float64(r.IntN(500000)) / 100)
	}
	for f.SuppliedOn != nil && r.IntN(3) == 0 && len(f.Extensions) < 2 {
		on := d(*f.SuppliedOn, 0, 800)
		f.Extensions = append(f.Extensions, planner.Extension{GrantedOn: *on, ExtendedTo: *d(*on, 1, 500)})
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// newStockWorld stores n parcels with random facts in one district, the
// first third in park P1, as 20 m squares.
func newStockWorld(t *testing.T, n int, seed uint64) (*pgstore.Store, []stockCase) {
	t.Helper()
	s := worldStore(t)
	ctx := context.Background()
	if err := s.InsertPark(ctx, planning.Park{Code: "P1", NameZh: "园区一", Kind: planning.ParkFunctionalPark, HostDistrict: "330108",
		Outline: rect(-4000, -4000, 4000, 4000)}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var cases []stockCase
	for i := 0; i < n; i++ {
		f := randomFacts(r)
		x, y := float64(i%50)*30, float64(i/50)*30
		p := parcel(fmt.Sprintf("S%04d", i), rect(x, y, x+20, y+20))
		p.Status, p.ApprovedOn, p.SuppliedOn, p.AgreedStartOn, p.ActualStartOn, p.CompletedOn, p.GovernmentDelay, p.HandedOverOn =
			f.Status, f.ApprovedOn, f.SuppliedOn, f.AgreedStartOn, f.ActualStartOn, f.CompletedOn, f.GovernmentDelay, f.HandedOverOn
		if i < n/3 {
			p.Park = "P1"
		}
		id, err := s.InsertParcel(ctx, p)
		if err != nil {
			t.Fatalf("parcel %d %+v: %v", i, f, err)
		}
		if _, err := s.Pool().Exec(ctx, `UPDATE parcels SET developed_share = $2, invested_share = $3, halted_since = $4, land_price_wan = $5
			WHERE id = $1`, id, f.DevelopedShare, f.InvestedShare, f.HaltedSince, f.LandPriceWan); err != nil {
			t.Fatal(err)
		}
		for _, x := range f.Extensions {
			to := x.ExtendedTo
			if _, err := s.AddParcelEvent(ctx, id, "", planner.ParcelEvent{Kind: planner.EventExtension, On: x.GrantedOn, Document: "延期", ExtendedTo: &to}, "test"); err != nil {
				t.Fatal(err)
			}
		}
		var area float64
		s.Pool().QueryRow(ctx, "SELECT area_m2 FROM parcels WHERE id = $1", id).Scan(&area)
		cases = append(cases, stockCase{id: id, park: p.Park, area: area, facts: f})
	}
	return s, cases
}

var stockDays = []string{"2021-06-30", "2024-02-28", "2024-02-29", "2025-02-28", "2026-06-30", "2028-03-01"}

// TestStockSQLMatchesRules is the law that keeps the SQL rendering of the
// stock rules equal to planner.Rules.Derive: every flag of every parcel on
// several days, Feb 29 included.
func TestStockSQLMatchesRules(t *testing.T) {
	s, cases := newStockWorld(t, 400, 1)
	ctx := context.Background()
	rules := planner.DefaultRules()
	byID := map[int64]stockCase{}
	for _, c := range cases {
		byID[c.id] = c
	}
	type props struct {
		Unsupplied      bool                  `json:"unsupplied"`
		UnsuppliedDays  *int                  `json:"unsupplied_days"`
		UnsuppliedYears *int                  `json:"unsupplied_years"`
		Idle            bool                  `json:"idle"`
		IdleKind        *string               `json:"idle_kind"`
		IdleFrom        *string               `json:"idle_from"`
		IdleYears       *int                  `json:"idle_years"`
		IdleExempt      bool                  `json:"idle_exempt"`
		FeeDue          bool                  `json:"fee_due"`
		FeeWan          *float64              `json:"fee_wan"`
		RecoveryDue     bool                  `json:"recovery_due"`
		Low             []planner.LowKind     `json:"low_efficiency"`
		Missing         []planner.MissingFact `json:"facts_missing"`
		StartDue        *string               `json:"start_due"`
		StartDueFrom    *string               `json:"start_due_from"`
	}
	flagged := 0
	for _, dayText := range stockDays {
		asof, _ := time.Parse(time.DateOnly, dayText)
		got := map[int64]props{}
		_, err := s.StreamStock(ctx, planner.StockQuery{AsOf: asof, Rules: rules, Limit: 10000, Precision: 7}, func(b []byte) error {
			var f struct {
				ID         int64 `json:"id"`
				Properties props `json:"properties"`
			}
			if err := json.Unmarshal(b, &f); err != nil {
				return err
			}
			got[f.ID] = f.Properties
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want := rules.Derive(c.facts, asof)
			g, listed := got[c.id]
			should := want.Unsupplied || want.Idle || want.IdleExempt || len(want.LowEfficiency) > 0 || len(want.FactsMissing) > 0
			if listed != should {
				t.Errorf("%s parcel %d %+v: listed %v, Go flags %+v", dayText, c.id, c.facts, listed, want)
				continue
			}
			if !listed {
				continue
			}
			flagged++
			low := g.Low
			if low == nil {
				low = []planner.LowKind{}
			}
			idleYears, idleKind, idleFrom := 0, "", ""
			if g.IdleYears != nil {
				idleYears = *g.IdleYears
			}
			if g.IdleKind != nil {
				idleKind = *g.IdleKind
			}
			if g.IdleFrom != nil {
				idleFrom = *g.IdleFrom
			}
			wantFrom := ""
			if want.IdleFrom != nil {
				wantFrom = want.IdleFrom.Format(time.DateOnly)
			}
			years := 0
			if g.UnsuppliedYears != nil {
				years = *g.UnsuppliedYears
			}
			days := 0
			if g.UnsuppliedDays != nil {
				days = *g.UnsuppliedDays
			}
			startDue, wantDue := "", ""
			if g.StartDue != nil {
				startDue = *g.StartDue + " " + *g.StartDueFrom
			}
			if want.StartDue != nil {
				wantDue = want.StartDue.Format(time.DateOnly) + " " + want.StartDueFrom
			}
			feeOK := (g.FeeWan == nil) == (want.FeeWan == nil) && (g.FeeWan == nil || math.Abs(*g.FeeWan-*want.FeeWan) < 0.006)
			if g.Unsupplied != want.Unsupplied || years != want.UnsuppliedYears || days != want.UnsuppliedDays ||
				g.Idle != want.Idle || idleKind != string(want.IdleKind) || idleFrom != wantFrom || idleYears != want.IdleYears ||
				g.IdleExempt != want.IdleExempt || g.FeeDue != want.FeeDue || !feeOK || g.RecoveryDue != want.RecoveryDue ||
				!slices.Equal(low, want.LowEfficiency) || !slices.Equal(g.Missing, want.FactsMissing) || startDue != wantDue {
				t.Errorf("%s parcel %d facts %s:\n SQL %+v\n Go  %+v", dayText, c.id, factsText(c.facts), g, want)
			}
		}
	}
	if flagged < 500 {
		t.Errorf("only %d flagged parcel-days: the random facts do not exercise the rules", flagged)
	}
}

func factsText(f planner.Facts) string {
	d := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	v := func(x *float64) string {
		if x == nil {
			return "-"
		}
		return fmt.Sprint(*x)
	}
	var ext []string
	for _, x := range f.Extensions {
		ext = append(ext, d(&x.GrantedOn)+"->"+d(&x.ExtendedTo))
	}
	return fmt.Sprintf("status=%s approved=%s supplied=%s agreed=%s start=%s done=%s halted=%s dev=%s inv=%s gov=%v price=%s extensions=%v",
		f.Status, d(f.ApprovedOn), d(f.SuppliedOn), d(f.AgreedStartOn), d(f.ActualStartOn), d(f.CompletedOn), d(f.HaltedSince),
		v(f.DevelopedShare), v(f.InvestedShare), f.GovernmentDelay, v(f.LandPriceWan), ext)
}

// TestStockSummaryMatchesRules sums the Go rules by hand and compares the
// summary's district, park and total rows.
func TestStockSummaryMatchesRules(t *testing.T) {
	s, cases := newStockWorld(t, 300, 2)
	rules := planner.DefaultRules()
	asof, _ := time.Parse(time.DateOnly, "2026-06-30")
	sum, err := s.StockSummary(context.Background(), asof, rules)
	if err != nil {
		t.Fatal(err)
	}
	type tally struct {
		unsupplied, idle, exempt, recovery, approved5y, supplied5y, missing float64
		low                                                                 [5]float64
		years                                                               [4]float64
		fee                                                                 float64
		n                                                                   int64
	}
	hand := func(inPark bool) tally {
		var x tally
		from := planner.AddYears(asof, -rules.SupplyRateYears)
		for _, c := range cases {
			if inPark && c.park != "P1" {
				continue
			}
			st := rules.Derive(c.facts, asof)
			x.n++
			if st.Unsupplied {
				x.unsupplied += c.area
				x.years[min(st.UnsuppliedYears, 3)] += c.area
			}
			if st.Idle {
				x.idle += c.area
				if st.FeeWan != nil {
					x.fee += *st.FeeWan
				}
			}
			if st.IdleExempt {
				x.exempt += c.area
			}
			if st.RecoveryDue {
				x.recovery += c.area
			}
			if len(st.FactsMissing) > 0 {
				x.missing += c.area
			}
			for i, k := range planner.LowKinds {
				if slices.Contains(st.LowEfficiency, k.Code) {
					x.low[i] += c.area
				}
			}
			if a := c.facts.ApprovedOn; a != nil && a.After(from) && !a.After(asof) {
				x.approved5y += c.area
				if sp := c.facts.SuppliedOn; sp != nil && !sp.After(asof) {
					x.supplied5y += c.area
				}
			}
		}
		return x
	}
	check := func(u planner.StockUnit, x tally) {
		t.Helper()
		eq := func(what string, got planner.Area, want float64) {
			t.Helper()
			if math.Abs(got.M2-want) > 0.01 || got.Hm2 != math.Round(want/100)/100 {
				t.Errorf("%s %s: %+v, hand sum %.2f m²", u.Code, what, got, want)
			}
		}
		if u.Parcels.Count != x.n {
			t.Errorf("%s: %d parcels, want %d", u.Code, u.Parcels.Count, x.n)
		}
		eq("批而未供", u.Unsupplied.Area, x.unsupplied)
		eq("闲置", u.Idle.Area, x.idle)
		eq("exempt", u.IdleExempt.Area, x.exempt)
		eq("recovery", u.RecoveryDue.Area, x.recovery)
		eq("facts missing", u.FactsMissing.Area, x.missing)
		for i := range x.low {
			eq(string(u.LowEfficiency[i].Kind), u.LowEfficiency[i].Area, x.low[i])
		}
		for i := range x.years {
			eq(fmt.Sprintf("%d years", i), u.UnsuppliedByYears[i].Area, x.years[i])
		}
		eq("approved in five years", u.SupplyRate.Approved, x.approved5y)
		eq("supplied of those", u.SupplyRate.Supplied, x.supplied5y)
		if math.Abs(u.FeeWan-x.fee) > 0.01 {
			t.Errorf("%s: fee %.2f, hand %.2f", u.Code, u.FeeWan, x.fee)
		}
		if x.approved5y > 0 && (u.SupplyRate.Rate == nil || math.Abs(*u.SupplyRate.Rate-x.supplied5y/x.approved5y) > 0.0001) {
			t.Errorf("%s: supply rate %v", u.Code, u.SupplyRate.Rate)
		}
	}
	seen := 0
	for _, u := range sum.Units {
		switch {
		case u.Section == planner.SectionDistrict && u.Code == "330108", u.Section == planner.SectionDistrict && u.Level == planner.LevelTotal:
			check(u, hand(false))
			seen++
		case u.Section == planner.SectionDistrict && u.Code == "P1":
			check(u, hand(true))
			seen++
		}
	}
	if seen != 3 || sum.AsOf != "2026-06-30" || sum.Window != [2]string{"2021-07-01", "2026-06-30"} {
		t.Fatalf("summary units %d, as of %s, window %v", seen, sum.AsOf, sum.Window)
	}
}

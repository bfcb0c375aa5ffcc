package planner

import (
	"slices"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func f(x float64) *float64 { return &x }

func TestAddYearsLikePostgres(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-29", 1, "2025-02-28"}, // Go's AddDate would give 2025-03-01
		{"2024-02-29", 4, "2028-02-29"},
		{"2023-03-31", 1, "2024-03-31"},
		{"2025-01-15", -5, "2020-01-15"},
		{"2024-02-29", -1, "2023-02-28"},
	}
	for _, c := range cases {
		if got := AddYears(*day(c.from), c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("AddYears(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestFullYears(t *testing.T) {
	cases := []struct {
		since, asof string
		want        int
	}{
		{"2024-06-30", "2025-06-29", 0},
		{"2024-06-30", "2025-06-30", 1},
		{"2024-06-30", "2026-06-30", 2},
		{"2024-02-29", "2025-02-28", 1}, // as PostgreSQL counts: 2024-02-29 + 1 year = 2025-02-28
		{"2024-02-29", "2025-02-27", 0},
		{"2025-01-01", "2024-12-31", 0},
	}
	for _, c := range cases {
		if got := FullYears(*day(c.since), *day(c.asof)); got != c.want {
			t.Errorf("FullYears(%s, %s) = %d, want %d", c.since, c.asof, got, c.want)
		}
	}
}

func TestUnsupplied(t *testing.T) {
	r := DefaultRules()
	asof := *day("2026-06-30")
	cases := []struct {
		name  string
		f     Facts
		want  bool
		years int
	}{
		{"approved, never supplied", Facts{Status: planning.StatusApproved, ApprovedOn: day("2023-06-30")}, true, 3},
		{"approved today", Facts{Status: planning.StatusApproved, ApprovedOn: day("2026-06-30")}, true, 0},
		{"approved after the day", Facts{Status: planning.StatusApproved, ApprovedOn: day("2026-07-01")}, false, 0},
		{"supplied before the day", Facts{Status: planning.StatusSupplied, ApprovedOn: day("2020-01-01"), SuppliedOn: day("2021-01-01")}, false, 0},
		{"supplied after the day counts as unsupplied then", Facts{Status: planning.StatusSupplied, ApprovedOn: day("2024-01-01"), SuppliedOn: day("2026-07-01")}, true, 2},
		// Built on without supply papers still counts (docs/DOMAIN.md §5).
		{"built without supply papers", Facts{Status: planning.StatusUnderConstruction, ApprovedOn: day("2025-01-01"), ActualStartOn: day("2025-06-01")}, true, 1},
		{"reserve, never approved", Facts{Status: planning.StatusReserve}, false, 0},
	}
	for _, c := range cases {
		s := r.Derive(c.f, asof)
		if s.Unsupplied != c.want || s.UnsuppliedYears != c.years {
			t.Errorf("%s: unsupplied %v, %d years; want %v, %d", c.name, s.Unsupplied, s.UnsuppliedYears, c.want, c.years)
		}
		if s.Unsupplied != slices.Contains(s.LowEfficiency, LowUnsupplied) {
			t.Errorf("%s: 批而未供 and the low-efficiency kind disagree: %+v", c.name, s)
		}
	}
	s := r.Derive(Facts{ApprovedOn: day("2026-06-01")}, asof)
	if s.UnsuppliedDays != 29 {
		t.Errorf("days since approval: %d, want 29", s.UnsuppliedDays)
	}
}

// TestIdleOrder53 walks the rules of Ministry Order No. 53 with dates: a
// full year past the agreed start with no start (fee: 20% of the price),
// two full years (recovery), the stalled limb, and the government delay.
func TestIdleOrder53(t *testing.T) {
	r := DefaultRules()
	supplied := Facts{Status: planning.StatusSupplied, ApprovedOn: day("2022-01-10"), SuppliedOn: day("2022-06-01"),
		AgreedStartOn: day("2023-03-01"), LandPriceWan: f(12345.60)}
	cases := []struct {
		name     string
		f        func(Facts) Facts
		asof     string
		idle     bool
		kind     IdleKind
		years    int
		recovery bool
		exempt   bool
	}{
		{"a day short of a year", nil, "2024-02-29", false, IdleNone, 0, false, false},
		{"one full year past the agreed start", nil, "2024-03-01", true, IdleNotStarted, 1, false, false},
		{"a day short of two years", nil, "2025-02-28", true, IdleNotStarted, 1, false, false},
		{"two full years: recovery", nil, "2025-03-01", true, IdleNotStarted, 2, true, false},
		{"started in time", func(x Facts) Facts {
			x.ActualStartOn = day("2023-02-01")
			x.Status = planning.StatusUnderConstruction
			return x
		},
			"2025-03-01", false, IdleNone, 0, false, false},
		{"started late, but before the day", func(x Facts) Facts { x.ActualStartOn = day("2024-05-01"); return x },
			"2025-03-01", false, IdleNone, 0, false, false},
		{"starts only after the day", func(x Facts) Facts { x.ActualStartOn = day("2025-04-01"); return x },
			"2025-03-01", true, IdleNotStarted, 2, true, false},
		// Order 53 第八条: the government's delay is still 闲置, disposed of
		// otherwise: no fee and no recovery.
		{"government's cause: still idle", func(x Facts) Facts { x.GovernmentDelay = true; return x },
			"2025-03-01", true, IdleNotStarted, 2, false, true},
		// No agreed start: the clock runs from the handover (交地) of
		// 2022-09-15, so idle from 2023-09-15, not from supply + 1 year
		// (2023-06-01) plus a year.
		{"handover clock: a day short", func(x Facts) Facts { x.AgreedStartOn = nil; x.HandedOverOn = day("2022-09-15"); return x },
			"2023-09-14", false, IdleNone, 0, false, false},
		{"handover clock: one full year", func(x Facts) Facts { x.AgreedStartOn = nil; x.HandedOverOn = day("2022-09-15"); return x },
			"2023-09-15", true, IdleNotStarted, 1, false, false},
		{"handover clock: two years, recovery", func(x Facts) Facts { x.AgreedStartOn = nil; x.HandedOverOn = day("2022-09-15"); return x },
			"2024-09-15", true, IdleNotStarted, 2, true, false},
		{"no agreed start: due a year after supply", func(x Facts) Facts { x.AgreedStartOn = nil; return x },
			"2024-06-01", true, IdleNotStarted, 1, false, false},
		{"no agreed start: a day short", func(x Facts) Facts { x.AgreedStartOn = nil; return x },
			"2024-05-31", false, IdleNone, 0, false, false},
		{"a later stage without a start date counts as started", func(x Facts) Facts { x.Status = planning.StatusInProduction; return x },
			"2025-03-01", false, IdleNone, 0, false, false},
	}
	for _, c := range cases {
		facts := supplied
		if c.f != nil {
			facts = c.f(supplied)
		}
		s := r.Derive(facts, *day(c.asof))
		if s.Idle != c.idle || s.IdleKind != c.kind || s.IdleYears != c.years || s.RecoveryDue != c.recovery || s.IdleExempt != c.exempt {
			t.Errorf("%s (as of %s): idle %v %q %d years, recovery %v, exempt %v; want %v %q %d, %v, %v",
				c.name, c.asof, s.Idle, s.IdleKind, s.IdleYears, s.RecoveryDue, s.IdleExempt, c.idle, c.kind, c.years, c.recovery, c.exempt)
		}
		if s.FeeDue != (c.idle && !c.exempt) {
			t.Errorf("%s: fee due %v, idle %v: the fee is due exactly when idle for the enterprise's cause", c.name, s.FeeDue, c.idle)
		}
		if c.idle && !c.exempt && (s.FeeWan == nil || *s.FeeWan != 2469.12) {
			t.Errorf("%s: fee %v, want 20%% of 12345.60 万元 = 2469.12", c.name, s.FeeWan)
		}
	}
	// Without a land price the fee is due but its amount unknown.
	noPrice := supplied
	noPrice.LandPriceWan = nil
	if s := r.Derive(noPrice, *day("2024-03-01")); !s.FeeDue || s.FeeWan != nil {
		t.Errorf("no land price: fee due %v, amount %v", s.FeeDue, s.FeeWan)
	}
}

func TestIdleStalled(t *testing.T) {
	r := DefaultRules()
	base := Facts{Status: planning.StatusUnderConstruction, ApprovedOn: day("2021-01-01"), SuppliedOn: day("2021-03-01"),
		AgreedStartOn: day("2021-09-01"), ActualStartOn: day("2021-08-15"), HaltedSince: day("2024-04-10")}
	cases := []struct {
		name      string
		dev, inv  *float64
		completed *time.Time
		asof      string
		idle      bool
		years     int
		recovery  bool
	}{
		{"developed 30%, halted a year", f(0.30), nil, nil, "2025-04-10", true, 1, false},
		{"developed 30%, halted a day short of a year", f(0.30), nil, nil, "2025-04-09", false, 0, false},
		{"developed exactly a third", f(1.0 / 3), nil, nil, "2025-04-10", false, 0, false},
		{"developed 50% but invested 20%", f(0.5), f(0.20), nil, "2025-04-10", true, 1, false},
		{"invested exactly 25%", nil, f(0.25), nil, "2025-04-10", false, 0, false},
		{"shares unknown", nil, nil, nil, "2026-04-10", false, 0, false},
		{"halted two years", f(0.1), nil, nil, "2026-04-10", true, 2, true},
		{"completed before the day", f(0.1), nil, day("2025-01-01"), "2026-04-10", false, 0, false},
	}
	for _, c := range cases {
		facts := base
		facts.DevelopedShare, facts.InvestedShare, facts.CompletedOn = c.dev, c.inv, c.completed
		s := r.Derive(facts, *day(c.asof))
		wantKind := IdleNone
		if c.idle {
			wantKind = IdleStalled
		}
		if s.Idle != c.idle || s.IdleKind != wantKind || s.IdleYears != c.years || s.RecoveryDue != c.recovery {
			t.Errorf("%s: idle %v %q %d years recovery %v; want %v %q %d %v", c.name, s.Idle, s.IdleKind, s.IdleYears, s.RecoveryDue,
				c.idle, wantKind, c.years, c.recovery)
		}
		if c.idle && (s.IdleFrom == nil || !s.IdleFrom.Equal(*base.HaltedSince)) {
			t.Errorf("%s: the clock runs from the halt, got %v", c.name, s.IdleFrom)
		}
	}
}

func TestLowEfficiencyKinds(t *testing.T) {
	r := DefaultRules()
	asof := *day("2026-06-30")
	cases := []struct {
		name string
		f    Facts
		want []LowKind
	}{
		{"批而未供", Facts{Status: planning.StatusApproved, ApprovedOn: day("2025-01-01")}, []LowKind{LowUnsupplied}},
		{"供而未用: start due, not started", Facts{Status: planning.StatusSupplied, ApprovedOn: day("2025-01-01"), SuppliedOn: day("2025-03-01"),
			AgreedStartOn: day("2026-01-01")}, []LowKind{LowSuppliedUnused}},
		{"supplied, start not due yet", Facts{Status: planning.StatusSupplied, ApprovedOn: day("2025-01-01"), SuppliedOn: day("2026-03-01"),
			AgreedStartOn: day("2026-09-01")}, []LowKind{}},
		{"用而未尽", Facts{Status: planning.StatusUnderConstruction, ApprovedOn: day("2024-01-01"), SuppliedOn: day("2024-03-01"),
			ActualStartOn: day("2024-06-01"), DevelopedShare: f(0.6)}, []LowKind{LowUsedUnfinished}},
		{"建而未投: completed over a year ago", Facts{Status: planning.StatusCompleted, ApprovedOn: day("2020-01-01"), SuppliedOn: day("2020-03-01"),
			ActualStartOn: day("2020-06-01"), CompletedOn: day("2025-06-30")}, []LowKind{LowBuiltNotProducing}},
		{"completed less than a year ago", Facts{Status: planning.StatusCompleted, ApprovedOn: day("2020-01-01"), SuppliedOn: day("2020-03-01"),
			ActualStartOn: day("2020-06-01"), CompletedOn: day("2025-07-01")}, []LowKind{}},
		{"投而未达标", Facts{Status: planning.StatusLowEfficiency, ApprovedOn: day("2018-01-01"), SuppliedOn: day("2018-03-01"),
			ActualStartOn: day("2018-06-01"), CompletedOn: day("2020-01-01")}, []LowKind{LowProducingBelowStandard}},
		{"in production", Facts{Status: planning.StatusInProduction, ApprovedOn: day("2018-01-01"), SuppliedOn: day("2018-03-01"),
			ActualStartOn: day("2018-06-01"), CompletedOn: day("2020-01-01")}, []LowKind{}},
	}
	for _, c := range cases {
		if got := r.Derive(c.f, asof).LowEfficiency; !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRulesCheck(t *testing.T) {
	if err := DefaultRules().Check(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultRules()
	bad.RecoveryAfterYears = 0
	if planning.CodeOf(bad.Check()) != planning.ErrInvalid {
		t.Fatal("recovery before idle accepted")
	}
}

// Facts the rules need but lack are named, never silently ignored.
func TestFactsMissing(t *testing.T) {
	r := DefaultRules()
	asof := *day("2025-06-30")
	halted := Facts{Status: planning.StatusUnderConstruction, ApprovedOn: day("2021-01-01"), SuppliedOn: day("2021-03-01"),
		AgreedStartOn: day("2021-09-01"), ActualStartOn: day("2021-08-15"), HaltedSince: day("2023-04-10")}
	cases := []struct {
		name string
		f    func(Facts) Facts
		want []MissingFact
	}{
		{"halted, both shares unknown", nil, []MissingFact{MissingHaltedShares}},
		{"halted, invested share unknown, developed above 1/3", func(x Facts) Facts { x.DevelopedShare = f(0.5); return x }, []MissingFact{MissingHaltedShares}},
		{"halted, developed 0.2 decides it stalled", func(x Facts) Facts { x.DevelopedShare = f(0.2); return x }, []MissingFact{}},
		{"halted, both shares known, not stalled", func(x Facts) Facts { x.DevelopedShare, x.InvestedShare = f(0.5), f(0.5); return x }, []MissingFact{}},
		{"halt after the day", func(x Facts) Facts { x.HaltedSince = day("2025-07-01"); return x }, []MissingFact{}},
		{"supplied stage without a supply date", func(x Facts) Facts {
			x.Status, x.SuppliedOn, x.ActualStartOn, x.HaltedSince = planning.StatusSupplied, nil, nil, nil
			return x
		}, []MissingFact{MissingSupplyDate}},
	}
	for _, c := range cases {
		facts := halted
		if c.f != nil {
			facts = c.f(halted)
		}
		if got := r.Derive(facts, asof).FactsMissing; !slices.Equal(got, c.want) {
			t.Errorf("%s: facts missing %v, want %v", c.name, got, c.want)
		}
	}
}

// A granted extension of the start is the agreed start from the day it is
// granted (Order 53): the 闲置 clock runs from the extended date.
func TestExtensionMovesTheIdleClock(t *testing.T) {
	r := DefaultRules()
	// Agreed start 2024-01-15, never started: idle from 2025-01-15.
	out := Facts{Status: planning.StatusSupplied, SuppliedOn: day("2023-05-01"), AgreedStartOn: day("2024-01-15"), LandPriceWan: f(1000),
		Extensions: []Extension{{GrantedOn: *day("2025-03-10"), ExtendedTo: *day("2025-10-01")}}}
	if s := r.Derive(out, *day("2025-03-09")); !s.Idle || s.IdleFrom.Format(time.DateOnly) != "2024-01-15" || s.StartDueFrom != StartFromAgreedStart {
		t.Errorf("the day before the grant: %+v", s)
	}
	// Granted 2025-03-10 to start by 2025-10-01: not idle on 2025-06-30,
	// nor yet supplied-unused (the start is not due); idle again on
	// 2026-10-01, one year after the extended start.
	s := r.Derive(out, *day("2025-06-30"))
	if s.Idle || s.FeeDue || s.StartDue.Format(time.DateOnly) != "2025-10-01" || s.StartDueFrom != StartFromExtension ||
		slices.Contains(s.LowEfficiency, LowSuppliedUnused) {
		t.Errorf("after the grant: %+v", s)
	}
	if s := r.Derive(out, *day("2026-09-30")); s.Idle {
		t.Errorf("2026-09-30, a day before the extended clock's year: %+v", s)
	}
	if s := r.Derive(out, *day("2026-10-01")); !s.Idle || s.IdleFrom.Format(time.DateOnly) != "2025-10-01" || s.RecoveryDue {
		t.Errorf("2026-10-01: %+v", s)
	}

	// Agreed start 2024-03-01: idle from 2025-03-01, recovery due from
	// 2026-03-01. An extension granted 2024-02-01 to 2024-09-01 leaves it
	// idle on 2026-06-30 with the fee due, but the clock runs from
	// 2024-09-01: fee due from 2025-09-01, recovery from 2026-09-01.
	late := Facts{Status: planning.StatusSupplied, SuppliedOn: day("2023-09-01"), AgreedStartOn: day("2024-03-01"), LandPriceWan: f(500)}
	if s := r.Derive(late, *day("2026-06-30")); !s.Idle || !s.RecoveryDue || s.IdleFrom.Format(time.DateOnly) != "2024-03-01" {
		t.Errorf("without the extension: %+v", s)
	}
	late.Extensions = []Extension{{GrantedOn: *day("2024-01-10"), ExtendedTo: *day("2024-12-01")},
		{GrantedOn: *day("2024-02-01"), ExtendedTo: *day("2024-09-01")}} // the latest counts, not the furthest
	s = r.Derive(late, *day("2026-06-30"))
	if !s.Idle || !s.FeeDue || *s.FeeWan != 100 || s.RecoveryDue || s.IdleFrom.Format(time.DateOnly) != "2024-09-01" || s.IdleYears != 1 {
		t.Errorf("with the extension: %+v", s)
	}
	if s := r.Derive(late, *day("2025-08-31")); s.Idle {
		t.Errorf("2025-08-31, before the moved fee date: %+v", s)
	}
	if s := r.Derive(late, *day("2026-09-01")); !s.RecoveryDue {
		t.Errorf("2026-09-01, the moved recovery date: %+v", s)
	}
}

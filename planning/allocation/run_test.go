package allocation

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// simplePolicy scores a project 100 × readiness (× tilt), keeps no reserve,
// splits by project need, and has no supply-rate floor unless a test sets
// one.
func simplePolicy() Policy {
	p := DefaultPolicy(2025)
	p.ReserveShare, p.ParkEarmark.Share = 0, 0
	p.Factors = []Factor{{Name: FactorProjectNeed, Role: RoleShare, Weight: 1}}
	p.SupplyRate.Floor = 0
	for i := range p.Scoring.Categories {
		p.Scoring.Categories[i].Points = 0
	}
	p.Scoring.TaxPerMuPoints, p.Scoring.InvestmentIntensityPoints = 0, 0
	p.Scoring.ProvincialMajorBonus, p.Scoring.NationalKeyBonus = 0, 0
	p.Scoring.ReadinessPoints = 100
	p.Tilt = nil
	return p
}

func ha(h float64) Area { return amount.FromM2(h * 10000) }

func mkProj(id int64, acct string, cat Category, needHa, readiness float64) Project {
	return Project{ID: id, Name: "P" + string(rune('0'+id%10)), Category: cat, AccountID: acct, Need: ha(needHa), Readiness: readiness, Eligible: true}
}

func district(id string, rate float64) Account {
	return Account{ID: id, Kind: AccountDistrict, Name: "D" + id, Facts: AccountFacts{SupplyRate5y: rate}}
}

func park(id, parent string, coop bool) Account {
	return Account{ID: id, ParentID: parent, Kind: AccountPark, Name: "Park " + id, ReceivesTilt: coop}
}

func run(t *testing.T, in Input, p Policy, m Method) (Result, map[int64]Decision) {
	t.Helper()
	r, err := Run(in, p, m)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, in, p, r)
	byID := map[int64]Decision{}
	for _, d := range r.Decisions {
		byID[d.ProjectID] = d
	}
	return r, byID
}

type want struct {
	granted   Area
	outcome   Outcome
	decidedBy string
}

func expect(t *testing.T, ds map[int64]Decision, w map[int64]want) {
	t.Helper()
	for id, x := range w {
		d := ds[id]
		if d.Granted != x.granted || d.Outcome != x.outcome || d.DecidedBy != x.decidedBy {
			t.Errorf("project %d: got %v %s %s, want %v %s %s\n  %s", id, d.Granted, d.Outcome, d.DecidedBy, x.granted, x.outcome, x.decidedBy, d.ExplanationEn)
		}
	}
}

func TestPriorityBasics(t *testing.T) {
	in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330108", 0.8)}}
	in.Projects = []Project{
		mkProj(1, "330108", MajorIndustrial, 6, 0.9), // all-or-nothing
		mkProj(2, "330108", General, 6, 0.8),         // partial down to 50%
		mkProj(3, "330108", General, 1, 0.7),
		mkProj(4, "330108", General, 2, 1),
		mkProj(5, "330108", General, 0, 0.5),
	}
	in.Projects[3].Eligible = false
	in.Projects[3].FarmlandOverlapM2 = 1234.5
	in.Projects[3].OutsideBoundaryM2 = 10
	for _, m := range []Method{MethodPriority, MethodOptimal} {
		r, ds := run(t, in, simplePolicy(), m)
		expect(t, ds, map[int64]want{
			1: {ha(6), OutcomeGranted, RuleGranted},
			2: {ha(4), OutcomePartial, RuleAccountExhausted},
			3: {0, OutcomeWaiting, RuleAccountExhausted},
			4: {0, OutcomeRefused, RuleIneligible},
			5: {0, OutcomeGranted, RuleNoQuotaNeeded},
		})
		if r.Granted != ha(10) || r.ReturnedToReserve != 0 {
			t.Errorf("%s: granted %v returned %v", m, r.Granted, r.ReturnedToReserve)
		}
		d4 := ds[4]
		for _, s := range []string{"1234.50 m² overlap permanent basic farmland", "0.00 m² the ecological red line", "10.00 m² lie outside"} {
			if !strings.Contains(d4.ExplanationEn, s) {
				t.Errorf("refusal explanation misses %q: %s", s, d4.ExplanationEn)
			}
		}
		if !strings.Contains(d4.ExplanationZh, "永久基本农田重叠 1234.50 平方米") {
			t.Errorf("zh refusal: %s", d4.ExplanationZh)
		}
		if !strings.Contains(ds[2].ExplanationEn, "Granted 4.00 hm² (60.00 mu) of the 6.00 hm² (90.00 mu) needed") {
			t.Errorf("partial explanation: %s", ds[2].ExplanationEn)
		}
		if !strings.Contains(ds[2].ExplanationZh, "部分安排 4.00 公顷（60.00 亩）") {
			t.Errorf("partial explanation zh: %s", ds[2].ExplanationZh)
		}
		if ds[1].Score != 90 || len(ds[1].Components) != 7 || ds[1].Components[3].Name != "readiness" || ds[1].Components[3].Value != 90 {
			t.Errorf("score components: %v %+v", ds[1].Score, ds[1].Components)
		}
		if ds[1].Rank != 2 || ds[1].PoolRank != 1 { // project 4 (ineligible, score 100) ranks first in the account
			t.Errorf("ranks: %d %d", ds[1].Rank, ds[1].PoolRank)
		}
	}
}

// Priority skips an all-or-nothing project that does not fit; optimal finds
// the better combination.
func TestOptimalBeatsPriority(t *testing.T) {
	in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330108", 0.8)}}
	in.Projects = []Project{
		mkProj(1, "330108", MajorIndustrial, 6, 0.90),
		mkProj(2, "330108", MajorIndustrial, 5, 0.85),
		mkProj(3, "330108", MajorIndustrial, 5, 0.84),
	}
	rp, ds := run(t, in, simplePolicy(), MethodPriority)
	expect(t, ds, map[int64]want{
		1: {ha(6), OutcomeGranted, RuleGranted},
		2: {0, OutcomeWaiting, RuleAllOrNothing},
		3: {0, OutcomeWaiting, RuleAllOrNothing},
	})
	if !strings.Contains(ds[2].ExplanationEn, "only 4.00 hm² (60.00 mu) was left of D330108's pool of 10.00 hm² (150.00 mu), less than the full 5.00 hm² (75.00 mu) this all-or-nothing") {
		t.Errorf("explanation: %s", ds[2].ExplanationEn)
	}
	ro, ds := run(t, in, simplePolicy(), MethodOptimal)
	expect(t, ds, map[int64]want{
		1: {0, OutcomeWaiting, RuleAccountExhausted},
		2: {ha(5), OutcomeGranted, RuleGranted},
		3: {ha(5), OutcomeGranted, RuleGranted},
	})
	if !(ro.ScoreWeightedHectares > rp.ScoreWeightedHectares) || ro.ScoreWeightedHectares != 85*5+84*5 {
		t.Errorf("objective: optimal %v priority %v", ro.ScoreWeightedHectares, rp.ScoreWeightedHectares)
	}
}

func TestSupplyRateSuspendAndCut(t *testing.T) {
	in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330109", 0.5)}}
	in.Projects = []Project{
		mkProj(1, "330109", General, 8, 0.9),
		mkProj(2, "330109", General, 4, 0.5),
	}
	in.Projects[1].NationalKey = true
	p := simplePolicy()
	p.SupplyRate.Floor = 0.6

	p.SupplyRate.Action = ActionSuspend
	r, ds := run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{
		1: {0, OutcomeRefused, RuleSupplyRateSuspended},
		2: {ha(4), OutcomeGranted, RuleGranted},
	})
	if !ds[2].Exempt || !strings.Contains(ds[1].ExplanationEn, "5-year supply rate 50.0% is below the 60.0% floor") {
		t.Errorf("suspend: %+v / %s", ds[2].Exempt, ds[1].ExplanationEn)
	}
	if r.ReturnedToReserve != ha(6) {
		t.Errorf("returned %v", r.ReturnedToReserve)
	}

	p.SupplyRate.Action, p.SupplyRate.CutFraction = ActionCut, 0.5
	for _, m := range []Method{MethodPriority, MethodOptimal} {
		_, ds = run(t, in, p, m)
		expect(t, ds, map[int64]want{
			1: {ha(5), OutcomePartial, RuleSupplyRateCut},
			2: {ha(4), OutcomeGranted, RuleGranted},
		})
	}
	// Exempt categories are exempt too.
	in.Projects[1].NationalKey = false
	in.Projects[1].Category = LivelihoodInfrastructure
	p.SupplyRate.ExemptCategories = []Category{LivelihoodInfrastructure}
	_, ds = run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{2: {ha(4), OutcomeGranted, RuleGranted}})
}

func TestParkFloorAndCap(t *testing.T) {
	cap5 := ha(5)
	p := simplePolicy()
	p.Accounts = []AccountLimit{{AccountID: "330111/BINFU", Floor: ha(3), Cap: &cap5}}
	in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330111", 0.8), park("330111/BINFU", "330111", true)}}
	in.Projects = []Project{
		mkProj(1, "330111", General, 10, 0.9),
		mkProj(2, "330111/BINFU", General, 6, 0.8),
	}
	// The floor keeps 3 hm² for Binfu although the district project ranks first.
	_, ds := run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{
		1: {ha(7), OutcomePartial, RuleAccountExhausted},
		2: {ha(3), OutcomePartial, RuleAccountExhausted},
	})
	// With room left, the cap binds.
	in.Projects[0].Need = ha(2)
	r, ds := run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{
		1: {ha(2), OutcomeGranted, RuleGranted},
		2: {ha(5), OutcomePartial, RuleAccountCap},
	})
	if !strings.Contains(ds[2].ExplanationEn, "the cap of Park 330111/BINFU (5.00 hm² (75.00 mu) of room) was reached") {
		t.Errorf("cap explanation: %s", ds[2].ExplanationEn)
	}
	for _, a := range r.Accounts {
		if a.AccountID == "330111/BINFU" && (a.Pool != ha(3) || a.Granted != ha(5) || a.Cap == nil || *a.Cap != ha(5)) {
			t.Errorf("park total: %+v", a)
		}
	}
	// Held counts against the cap.
	in.Accounts[1].Held = ha(5)
	_, ds = run(t, in, p, MethodOptimal)
	expect(t, ds, map[int64]want{2: {0, OutcomeWaiting, RuleAccountCap}})
	// An unused floor goes back to the reserve; it is not handed to others.
	in.Accounts[1].Held = 0
	in.Projects[0].Need = ha(10)
	in.Projects[1].Need = ha(2)
	r, ds = run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{1: {ha(8), OutcomePartial, RuleAccountExhausted}, 2: {ha(2), OutcomeGranted, RuleGranted}})
	if r.ReturnedToReserve != 0 {
		t.Errorf("floor limited to the park's need: returned %v", r.ReturnedToReserve)
	}
}

func TestTiltInsideCooperationParksOnly(t *testing.T) {
	p := simplePolicy()
	p.Tilt = []Tilt{{MajorIndustrial, 1.5}}
	in := Input{Year: 2025, Available: ha(5), Accounts: []Account{district("330109", 0.8), park("330109/BINXIAO", "330109", true), park("330109/OTHER", "330109", false)}}
	in.Projects = []Project{
		mkProj(1, "330109", MajorIndustrial, 5, 0.8),         // 80
		mkProj(2, "330109/BINXIAO", MajorIndustrial, 5, 0.6), // 60 × 1.5 = 90
		mkProj(3, "330109/OTHER", MajorIndustrial, 5, 0.85),  // 85, not a cooperation park
	}
	_, ds := run(t, in, p, MethodPriority)
	if ds[2].Score != 90 || ds[3].Score != 85 || ds[1].Score != 80 {
		t.Fatalf("scores %v %v %v", ds[1].Score, ds[2].Score, ds[3].Score)
	}
	expect(t, ds, map[int64]want{2: {ha(5), OutcomeGranted, RuleGranted}, 1: {0, OutcomeWaiting, RuleAccountExhausted}})
	if c := ds[2].Components[6]; c.Name != "tilt" || c.Value != 1.5 || !strings.Contains(c.Note, "in park Park 330109/BINXIAO") {
		t.Errorf("tilt component %+v", c)
	}
}

// As documented: with all-or-nothing grants, raising a tilt can lower the
// parks' granted area, in both methods. A tilted park project that jumps
// ahead takes less room than the larger park project it displaces, and a
// district project fills the gap.
func TestTiltAllOrNothingCounterexample(t *testing.T) {
	in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330111", 0.8), park("330111/BINFU", "330111", true)}}
	in.Projects = []Project{
		mkProj(1, "330111/BINFU", General, 8, 0.10),
		mkProj(2, "330111", General, 3, 0.07),
		mkProj(3, "330111/BINFU", MajorIndustrial, 6, 0.05),
	}
	p := simplePolicy()
	for i := range p.Grants {
		p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
	}
	for _, m := range []Method{MethodPriority, MethodOptimal} {
		p.Tilt = []Tilt{{MajorIndustrial, 1}}
		r1, _ := run(t, in, p, m)
		p.Tilt = []Tilt{{MajorIndustrial, 3}}
		r3, _ := run(t, in, p, m)
		if s1, s3 := parkShare(in, r1), parkShare(in, r3); s1 != ha(8) || s3 != ha(6) {
			t.Errorf("%s: parks' share %v → %v", m, s1, s3)
		}
	}
}

func TestFactorSplit(t *testing.T) {
	p := simplePolicy()
	// 批而未供 disposed 3 : 1 gives the base shares 75% and 25%; 亩均税收 10
	// and 40 (mean 25) give the ratios 0.4 and 1.6, held at 0.5 and 1.5,
	// so the coefficients are √0.5 and √1.5 and A's share is
	// 0.75√0.5 / (0.75√0.5 + 0.25√1.5) = 3 / (3 + √3).
	p.Factors = []Factor{{Name: FactorUnsuppliedDisposed, Role: RoleShare, Weight: 1}, {Name: FactorTaxPerMu, Role: RoleCoefficient, Weight: 0.5}}
	a, b := district("330108", 0.6), district("330109", 0.4)
	a.Facts.UnsuppliedDisposed, b.Facts.UnsuppliedDisposed = ha(3), ha(1)
	a.Facts.TaxPerMu, b.Facts.TaxPerMu = 10, 40
	in := Input{Year: 2025, Available: ha(100), Accounts: []Account{b, a}}
	pools := func(p Policy) (Area, Area, Result) {
		r, err := Run(in, p, MethodPriority)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, in, p, r)
		return r.Accounts[0].Pool, r.Accounts[1].Pool, r
	}
	pa, pb, r := pools(p)
	wantA := 3 / (3 + math.Sqrt(3))
	if pa != Area(math.Round(float64(ha(100))*wantA)) || pa+pb != ha(100) || math.Abs(r.Accounts[0].FactorShare-wantA) > 1e-12 {
		t.Errorf("split %v %v share %v, want %v", pa, pb, r.Accounts[0].FactorShare, wantA)
	}
	noteA, noteB := r.Accounts[0].Notes[0], r.Accounts[1].Notes[0]
	if !strings.Contains(noteA, "base 75.0%") || !strings.Contains(noteA, "= 0.400 held at 0.5)^0.5 = 0.707") ||
		!strings.Contains(noteB, "= 1.600 held at 1.5)^0.5 = 1.225") || !strings.Contains(r.Accounts[1].NotesZh[0], "亩均税收（40.00 万元/亩 / 均值 25.00 万元/亩") {
		t.Errorf("notes:\n%s\n%s\n%s", noteA, noteB, r.Accounts[1].NotesZh[0])
	}
	if r.ReturnedToReserve != ha(100) { // no projects: everything goes back
		t.Errorf("returned %v", r.ReturnedToReserve)
	}
	capB := ha(20)
	p.Accounts = []AccountLimit{{AccountID: "330109", Cap: &capB}}
	if pa, pb, _ = pools(p); pa != ha(80) || pb != ha(20) {
		t.Errorf("capped split %v %v", pa, pb)
	}
	p.Accounts = []AccountLimit{{AccountID: "330109", Floor: ha(40)}}
	if pa, pb, _ = pools(p); pa != ha(60) || pb != ha(40) {
		t.Errorf("floored split %v %v", pa, pb)
	}
	// Both capped: the rest of the distributable quota returns.
	capA := ha(50)
	p.Accounts = []AccountLimit{{AccountID: "330109", Cap: &capB}, {AccountID: "330108", Cap: &capA}}
	if pa, pb, r = pools(p); pa != ha(50) || pb != ha(20) || r.ReturnedToReserve != ha(100) {
		t.Errorf("both capped %v %v returned %v", pa, pb, r.ReturnedToReserve)
	}
	// Reserve off the top, and one unit cannot be split in two.
	p = simplePolicy()
	p.ReserveShare = 0.1
	in.Available = 11
	_, _, r = pools(p)
	if r.Reserve != 1 || r.Distributable != 10 || r.Accounts[0].Pool+r.Accounts[1].Pool != 10 {
		t.Errorf("reserve %v distributable %v", r.Reserve, r.Distributable)
	}
	// Floors asking for more than there is shrink in proportion.
	p.Accounts = []AccountLimit{{AccountID: "330109", Floor: ha(100)}, {AccountID: "330108", Floor: ha(100)}}
	in.Available = ha(100)
	pa, pb, r = pools(p)
	if pa != ha(45) || pb != ha(45) || len(r.Notes) < 2 {
		t.Errorf("shrunk floors %v %v notes %v", pa, pb, r.Notes)
	}
}

func TestRunValidation(t *testing.T) {
	base := func() (Input, Policy) {
		in := Input{Year: 2025, Available: ha(10), Accounts: []Account{district("330108", 0.8), park("330108/P", "330108", true)}}
		in.Projects = []Project{mkProj(1, "330108", General, 1, 0.5), mkProj(2, "330108/P", General, 1, 0.5)}
		return in, simplePolicy()
	}
	cases := []struct {
		name, field string
		edit        func(*Input, *Policy)
		method      Method
	}{
		{"unknown account", "input.projects[0].account_id", func(in *Input, p *Policy) { in.Projects[0].AccountID = "330199" }, ""},
		{"negative need", "input.projects[1].need", func(in *Input, p *Policy) { in.Projects[1].Need = -1 }, ""},
		{"duplicate project", "input.projects[1].id", func(in *Input, p *Policy) { in.Projects[1].ID = 1 }, ""},
		{"duplicate account", "input.accounts[1].id", func(in *Input, p *Policy) { in.Accounts[1].ID = "330108" }, ""},
		{"unknown category", "input.projects[0].category", func(in *Input, p *Policy) { in.Projects[0].Category = "shops" }, ""},
		{"readiness", "input.projects[0].readiness", func(in *Input, p *Policy) { in.Projects[0].Readiness = 2 }, ""},
		{"year", "input.year", func(in *Input, p *Policy) { in.Year = 2024 }, ""},
		{"kind", "input.kind", func(in *Input, p *Policy) { in.Kind = "linkage" }, ""},
		{"negative available", "input.available", func(in *Input, p *Policy) { in.Available = -5 }, ""},
		{"unknown parent", "input.accounts[1].parent_id", func(in *Input, p *Policy) { in.Accounts[1].ParentID = "330100" }, ""},
		{"district with parent", "input.accounts[0].parent_id", func(in *Input, p *Policy) { in.Accounts[0].ParentID = "330108/P" }, ""},
		{"district in park", "input.accounts[0].receives_tilt", func(in *Input, p *Policy) { in.Accounts[0].ReceivesTilt = true }, ""},
		{"supply rate", "input.accounts[0].facts.supply_rate_5y", func(in *Input, p *Policy) { in.Accounts[0].Facts.SupplyRate5y = 1.2 }, ""},
		{"policy unknown account", "policy.accounts[0].account_id", func(in *Input, p *Policy) { p.Accounts = []AccountLimit{{AccountID: "330199"}} }, ""},
		{"policy weight", "policy.factors[0].weight", func(in *Input, p *Policy) { p.Factors[0].Weight = -1 }, ""},
		{"method", "method", func(in *Input, p *Policy) {}, "best"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, p := base()
			c.edit(&in, &p)
			m := c.method
			if m == "" {
				m = MethodPriority
			}
			_, err := Run(in, p, m)
			var pe *planning.Error
			if !errors.As(err, &pe) || pe.Code != planning.ErrInvalid {
				t.Fatalf("want invalid *planning.Error, got %v", err)
			}
			if f := pe.Details["field"]; f != c.field || !strings.HasPrefix(pe.Message, c.field+": ") {
				t.Fatalf("field %v, message %q; want %s", f, pe.Message, c.field)
			}
		})
	}
	// A parent chain that loops.
	in, p := base()
	in.Accounts = append(in.Accounts, park("A", "B", false), park("B", "A", false))
	if _, err := Run(in, p, MethodPriority); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "loops") {
		t.Fatalf("cycle: %v", err)
	}
}

func TestDecisionOrder(t *testing.T) {
	in, p := genInstance(11, genOptions{districts: 3, parks: 2, nested: true, projects: 90})
	r, err := Run(in, p, MethodOptimal)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(r.Decisions); i++ {
		a, b := r.Decisions[i-1], r.Decisions[i]
		if a.AccountID > b.AccountID || a.AccountID == b.AccountID && a.Rank+1 != b.Rank {
			t.Fatalf("order: %s#%d before %s#%d", a.AccountID, a.Rank, b.AccountID, b.Rank)
		}
	}
	for i := 1; i < len(r.Accounts); i++ {
		if r.Accounts[i-1].AccountID >= r.Accounts[i].AccountID {
			t.Fatal("accounts not sorted by id")
		}
	}
}

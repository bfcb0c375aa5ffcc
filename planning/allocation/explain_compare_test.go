package allocation

import (
	"fmt"
	"reflect"
	"testing"
)

// finish runs the engine to the end and builds its result with build.
// With spent at workBudget an optimal search stops at once.
func finish(t *testing.T, in Input, p Policy, m Method, spent int64, build func(*engine) Result) Result {
	t.Helper()
	e, err := newEngine(in, p, m)
	if err != nil {
		t.Fatal(err)
	}
	for di := range e.dists {
		e.allocate(di, &spent)
	}
	e.earmarkPass()
	return build(e)
}

// variedInstance is a generated instance with a policy varied over what
// the explanations speak of: cut or suspension, thresholds, earmarks,
// floors and caps, partial and all-or-nothing grants.
func variedInstance(seed uint64) (Input, Policy, Method) {
	o := genOptions{
		districts: 1 + int(seed%5), parks: int(seed / 5 % 4), nested: seed%3 == 0, projects: 5 + int(seed*37%200),
		small: seed%7 == 0, divisible: seed%11 == 0, limits: seed%2 == 0,
		supplyRatio: []float64{0.2, 0.5, 0.9, 1.6}[seed/3%4],
	}
	in, p := genInstance(seed, o)
	switch seed % 4 {
	case 1:
		th := 40.0
		p.Factors = append(p.Factors[:4:4], Factor{Name: FactorTaxPerMu, Role: RoleThreshold, Weight: 0.5, Threshold: &th})
	case 2:
		p.ParkEarmark.Share = 0.1
		p.ReserveShare = 0.2
	case 3:
		p.ParkEarmark.Share = 0
		p.Factors = p.Factors[:3]
	}
	if seed%9 == 0 {
		for i := range in.Accounts {
			in.Accounts[i].Facts.TaxPerMu = 0
			in.Accounts[i].Facts.SupplyRate5y = 0
		}
	}
	if seed%17 == 0 {
		p.Scoring.TaxPerMuPoints, p.Scoring.InvestmentIntensityPoints, p.Scoring.ReadinessPoints = 0, 0, 0
		p.Scoring.ProvincialMajorBonus, p.Scoring.NationalKeyBonus = 0, 0
		for i := range p.Scoring.Categories {
			p.Scoring.Categories[i].Points = 0
		}
	}
	if !o.limits && seed%19 == 0 {
		for _, a := range in.Accounts {
			if a.Kind == AccountPark {
				p.Accounts = append(p.Accounts, AccountLimit{AccountID: a.ID, Floor: in.Available})
			}
		}
	}
	m := MethodPriority
	if seed%2 == 1 {
		m = MethodOptimal
	}
	return in, p, m
}

// The explanations made from the note tables read exactly as the ones
// built by hand before.
func TestExplanationsAsBefore(t *testing.T) {
	for seed := range uint64(1000) {
		in, p, m := variedInstance(seed)
		if err := p.check().err("policy."); err != nil {
			continue
		}
		if in.validate(p) != nil {
			continue
		}
		var spent int64
		if seed%13 == 1 {
			spent = workBudget
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			got := finish(t, in, p, m, spent, (*engine).result)
			want := finish(t, in, p, m, spent, (*engine).resultOld)
			if !reflect.DeepEqual(got, want) {
				for i := range want.Decisions {
					if i < len(got.Decisions) && !reflect.DeepEqual(got.Decisions[i], want.Decisions[i]) {
						t.Fatalf("decision %d:\n got %+v\nwant %+v", i, got.Decisions[i], want.Decisions[i])
					}
				}
				for i := range want.Accounts {
					if i < len(got.Accounts) && !reflect.DeepEqual(got.Accounts[i], want.Accounts[i]) {
						t.Fatalf("account %d:\n got %q %q\nwant %q %q", i, got.Accounts[i].Notes, got.Accounts[i].NotesZh, want.Accounts[i].Notes, want.Accounts[i].NotesZh)
					}
				}
				t.Fatalf("notes:\n got %q %q\nwant %q %q", got.Notes, got.NotesZh, want.Notes, want.NotesZh)
			}
		})
	}
}

func benchmarkResult(b *testing.B, build func(*engine) Result) {
	in, p := bench10k()
	e, err := newEngine(in, p, MethodPriority)
	if err != nil {
		b.Fatal(err)
	}
	var spent int64
	for di := range e.dists {
		e.allocate(di, &spent)
	}
	e.earmarkPass()
	b.ReportAllocs()
	for b.Loop() {
		build(e)
	}
}

func BenchmarkExplainOld(b *testing.B) { benchmarkResult(b, (*engine).resultOld) }
func BenchmarkExplainNew(b *testing.B) { benchmarkResult(b, (*engine).result) }

package allocation

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// inTiltPark reports, per project id, whether it lies in a park that
// receives the tilt.
func inTiltPark(in Input) map[int64]bool {
	acc := map[string]Account{}
	for _, a := range in.Accounts {
		acc[a.ID] = a
	}
	out := map[int64]bool{}
	for _, pr := range in.Projects {
		for id := pr.AccountID; id != ""; id = acc[id].ParentID {
			if acc[id].ReceivesTilt {
				out[pr.ID] = true
				break
			}
		}
	}
	return out
}

// Raising park_earmark.share never lowers what the projects in tilt parks
// receive in total, and changes neither any district's pool nor any grant
// from the district pools (so nothing outside the tilt parks moves); the
// ledger identity holds throughout. Both methods, random instances with
// floors, caps, 增存挂钩 cuts, nested parks and tilt flags on sub-parks.
func TestEarmarkMonotone(t *testing.T) { earmarkMonotone(t, 150) }

func earmarkMonotone(t *testing.T, seeds uint64) {
	grew := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		in, p := genInstance(seed, genOptions{districts: 1 + int(seed%4), parks: 3, nested: seed%2 == 0, projects: 10 + int(seed*7%70),
			limits: seed%3 != 0, small: seed%4 == 0, supplyRatio: []float64{0.3, 0.6, 0.9, 1.3}[seed%4]})
		rng := rand.New(rand.NewPCG(seed, 5))
		for i := range in.Accounts {
			if in.Accounts[i].Kind == AccountPark && strings.HasSuffix(in.Accounts[i].ID, "/B") && rng.IntN(2) == 0 {
				in.Accounts[i].ReceivesTilt = true // a sub-park counts in its tilt park, or is a recipient itself
			}
		}
		if seed%5 == 0 {
			p.ParkEarmark.Categories = []Category{General, MajorIndustrial}
		}
		p.ReserveShare = []float64{0.1, 0.3, 0.6}[seed%3]
		tilt := inTiltPark(in)
		for _, m := range []Method{MethodPriority, MethodOptimal} {
			var base Result
			prev := Area(-1)
			for k, share := range []float64{0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6} {
				if share > p.ReserveShare {
					break
				}
				q := p
				q.ParkEarmark.Share = share
				r, err := Run(in, q, m)
				if err != nil {
					t.Fatalf("seed %d %s share %v: %v", seed, m, share, err)
				}
				checkResult(t, in, q, r)
				var parks Area
				for _, d := range r.Decisions {
					if tilt[d.ProjectID] {
						parks += d.Granted
					} else if d.EarmarkGranted != 0 {
						t.Fatalf("seed %d: project %d outside the tilt parks got earmark", seed, d.ProjectID)
					}
				}
				if parks < prev {
					t.Fatalf("seed %d %s: share %v lowered the tilt parks' total from %d to %d", seed, m, share, prev, parks)
				}
				if parks > prev && k > 0 {
					grew++
				}
				prev = parks
				if k == 0 {
					base = r
					continue
				}
				for i, a := range r.Accounts {
					if a.Kind == AccountDistrict && a.Pool != base.Accounts[i].Pool {
						t.Fatalf("seed %d: share %v moved the pool of %s", seed, share, a.AccountID)
					}
				}
				for i, d := range r.Decisions {
					b := base.Decisions[i]
					if d.Granted-d.EarmarkGranted != b.Granted || !tilt[d.ProjectID] && d.Granted != b.Granted {
						t.Fatalf("seed %d: share %v changed project %d's grant from the pool: %d → %d", seed, share, d.ProjectID, b.Granted, d.Granted-d.EarmarkGranted)
					}
				}
			}
		}
	}
	if grew < 100 {
		t.Fatalf("the earmark raised the parks' total only %d times", grew)
	}
}

// The earmark's split between parks: never more than a park's need, all of
// it (or every need) handed out, within one unit per park of exact
// proportion, and a larger earmark never gives any park less.
func TestSplitShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		needs := make([]Area, 1+rng.IntN(6))
		var total Area
		for i := range needs {
			needs[i] = Area(rng.IntN(40))
			if trial%3 == 0 {
				needs[i] = Area(rng.Int64N(int64(MaxArea)))
			}
			total += needs[i]
		}
		var prev []Area
		step := max(1, total/60)
		for E := Area(0); E <= total+2; E += step {
			s := splitShares(E, needs)
			var sum Area
			for i := range s {
				sum += s[i]
				if s[i] < 0 || s[i] > needs[i] {
					t.Fatalf("needs %v E %d: share %v", needs, E, s)
				}
				if total > 0 {
					exact := float64(E) * float64(needs[i]) / float64(total)
					if E < total && (float64(s[i]) < exact-1-1e-6*exact || float64(s[i]) > exact+float64(len(needs))+1e-6*exact) {
						t.Fatalf("needs %v E %d: share %v far from %v", needs, E, s, exact)
					}
				}
				if prev != nil && s[i] < prev[i] {
					t.Fatalf("needs %v: E %d gives park %d less (%d < %d)", needs, E, i, s[i], prev[i])
				}
			}
			if sum != min(E, total) {
				t.Fatalf("needs %v E %d: shares %v add up to %d", needs, E, s, sum)
			}
			prev = s
		}
	}
	// The Alabama paradox of largest remainder: needs 6, 6, 2 (total 14).
	// E = 10 gives quotas 4.29, 4.29, 1.43 → 4, 4, 2 by largest remainder;
	// E = 11 gives 4.71, 4.71, 1.57 → 5, 5, 1. D'Hondt never takes back.
	a, b := splitShares(10, []Area{6, 6, 2}), splitShares(11, []Area{6, 6, 2})
	for i := range a {
		if b[i] < a[i] {
			t.Fatalf("E 10 → %v, E 11 → %v", a, b)
		}
	}
}

// Binfu's earmark in numbers: the district pool is used by a district
// project first; the park's livelihood project is topped up from the
// 合作园专项 and its general project (not an earmark category) is not.
func TestEarmarkExample(t *testing.T) {
	p := simplePolicy()
	p.ReserveShare = 0.2
	p.ParkEarmark = ParkEarmark{Share: 0.1, Categories: DefaultEarmarkCategories()}
	p.Tilt = []Tilt{{LivelihoodInfrastructure, 1.2}}
	in := Input{Year: 2025, Available: ha(50), Accounts: []Account{district("330111", 0.8), park("330111/BINFU", "330111", true)}}
	in.Projects = []Project{
		mkProj(1, "330111", General, 40, 1),                         // 100: takes the whole pool
		mkProj(2, "330111/BINFU", LivelihoodInfrastructure, 8, 0.5), // 60: pool used up, topped up to 5 hm²
		mkProj(3, "330111/BINFU", General, 2, 0.9),                  // 90: not an earmark category
	}
	for _, m := range []Method{MethodPriority, MethodOptimal} {
		r, ds := run(t, in, p, m)
		if r.ParkEarmark != ha(5) || r.Reserve != ha(5) || r.Distributable != ha(40) {
			t.Fatalf("%s: earmark %v reserve %v distributable %v", m, r.ParkEarmark, r.Reserve, r.Distributable)
		}
		expect(t, ds, map[int64]want{
			1: {ha(40), OutcomeGranted, RuleGranted},
			2: {ha(5), OutcomePartial, RuleEarmarkExhausted},
			3: {0, OutcomeWaiting, RuleAccountExhausted},
		})
		d := ds[2]
		if d.EarmarkGranted != ha(5) || !strings.Contains(d.ExplanationZh, "5.00 公顷（75.00 亩）来自Park 330111/BINFU合作园专项") ||
			!strings.Contains(d.ExplanationEn, "from the cooperation-park earmark (合作园专项) of Park 330111/BINFU") {
			t.Fatalf("%s: %+v", m, d)
		}
		var park AccountTotal
		for _, a := range r.Accounts {
			if a.AccountID == "330111/BINFU" {
				park = a
			}
		}
		if park.Earmark != ha(5) || park.Granted != ha(5) || len(park.Notes) == 0 {
			t.Fatalf("%s: park total %+v", m, park)
		}
		if r.Granted != ha(45) || r.ReturnedToReserve != 0 {
			t.Fatalf("%s: granted %v returned %v", m, r.Granted, r.ReturnedToReserve)
		}
	}
	// A larger earmark covers the need; the rest goes back to the reserve.
	p.ParkEarmark.Share = 0.2
	r, ds := run(t, in, p, MethodPriority)
	expect(t, ds, map[int64]want{2: {ha(8), OutcomeGranted, RuleGranted}})
	if r.ParkEarmark != ha(10) || r.ReturnedToReserve != ha(2) || r.Reserve != 0 {
		t.Fatalf("earmark %v returned %v reserve %v", r.ParkEarmark, r.ReturnedToReserve, r.Reserve)
	}
}

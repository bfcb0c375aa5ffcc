package allocation

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// splitCase is a random factor split: districts with their facts and
// project need, and a policy's factors with random roles.
type splitCase struct {
	accts   []Account
	needs   []Area
	factors []Factor
}

func (c splitCase) run() splitTerms {
	ds := make([]*acct, len(c.accts))
	for i := range c.accts {
		ds[i] = &acct{a: &c.accts[i], eligNeed: c.needs[i]}
	}
	return factorShares(c.factors, ds)
}

func (c splitCase) clone() splitCase {
	return splitCase{accts: append([]Account(nil), c.accts...), needs: append([]Area(nil), c.needs...), factors: c.factors}
}

// genSplit draws 2-8 districts, sometimes with zero areas, a supply rate of
// 0 or a missing 亩均 figure, and a valid policy: one to three share
// factors, each ratio absent, a coefficient or a threshold.
func genSplit(rng *rand.Rand) splitCase {
	n := 2 + rng.IntN(7)
	c := splitCase{accts: make([]Account, n), needs: make([]Area, n)}
	area := func() Area {
		if rng.IntN(5) == 0 {
			return 0
		}
		return Area(1 + rng.Int64N(int64(ha(500))))
	}
	ratio := func(hi float64) float64 {
		if rng.IntN(6) == 0 {
			return 0
		}
		return hi * rng.Float64()
	}
	for i := range c.accts {
		c.accts[i] = Account{ID: string(rune('A' + i)), Kind: AccountDistrict, Facts: AccountFacts{
			SupplyRate5y: ratio(1), UnsuppliedDisposed: area(), IdleDisposed: area(),
			TaxPerMu: ratio(80), ValueAddedPerMu: ratio(300)}}
		c.needs[i] = area()
	}
	var shares []Factor
	sum := 0.0
	for _, f := range []FactorName{FactorProjectNeed, FactorUnsuppliedDisposed, FactorIdleDisposed} {
		if len(shares) == 0 || rng.IntN(2) == 0 {
			w := 0.05 + rng.Float64()
			shares = append(shares, Factor{Name: f, Role: RoleShare, Weight: w})
			sum += w
		}
	}
	for i := range shares {
		shares[i].Weight /= sum
	}
	c.factors = shares
	for _, f := range []FactorName{FactorSupplyRate5y, FactorTaxPerMu, FactorValueAddedPerMu} {
		w := rng.Float64()
		switch rng.IntN(3) {
		case 0:
			c.factors = append(c.factors, Factor{Name: f, Role: RoleCoefficient, Weight: w})
		case 1:
			t := 0.6
			if f != FactorSupplyRate5y {
				t = 30
			}
			c.factors = append(c.factors, Factor{Name: f, Role: RoleThreshold, Weight: w, Threshold: &t})
		}
	}
	rng.Shuffle(len(c.factors), func(i, j int) { c.factors[i], c.factors[j] = c.factors[j], c.factors[i] })
	p := DefaultPolicy(2025)
	p.Factors = c.factors
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return c
}

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

// The laws of the split, on random districts and policies:
//
//  1. Size. Multiplying one district's areas (批而未供 and 闲置 disposed,
//     project need) by an integer k >= 2 leaves every coefficient as it
//     was, never lowers its share and never raises another's base share;
//     its share rises strictly when it has a positive value on a share
//     factor of positive weight on which some other district is positive
//     too. (Another's share may rise a little: when the grown district's
//     coefficient is below the others', the normalisation gives back.)
//  2. Bounds. Every coefficient lies within Π 0.5^w .. Π 1.5^w (1 for
//     thresholds); a district with a base share keeps a share; a missing
//     亩均 figure multiplies by exactly 1.
//  3. Scale. Multiplying one ratio for every district by the same c > 0,
//     or every district's areas by the same k, changes no share.
//  4. Ratios. Raising one district's known value of a coefficient or
//     threshold factor never lowers its share.
//  5. The shares sum to 1 and the split is deterministic.
func TestSplitLaws(t *testing.T) {
	for seed := uint64(1); seed <= 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 14))
		c := genSplit(rng)
		n := len(c.accts)
		s := c.run()

		sum := 0.0
		for i := range s.shares {
			sum += s.shares[i]
		}
		if !near(sum, 1, 1e-12) {
			t.Fatalf("seed %d: shares sum to %v", seed, sum)
		}
		if again := c.run(); !equalFloats(again.shares, s.shares) {
			t.Fatalf("seed %d: two runs differ", seed)
		}

		// 2. Bounds.
		lo, hi := 1.0, 1.0
		for _, f := range c.factors {
			switch f.Role {
			case RoleCoefficient:
				lo, hi = lo*math.Pow(coefMin, f.Weight), hi*math.Pow(coefMax, f.Weight)
			case RoleThreshold:
				lo *= math.Pow(coefMin, f.Weight)
			}
		}
		for i := range c.accts {
			if s.coef[i] < lo*(1-1e-12) || s.coef[i] > hi*(1+1e-12) {
				t.Fatalf("seed %d: coefficient %v outside [%v, %v]", seed, s.coef[i], lo, hi)
			}
			if s.base[i] > 0 && s.shares[i] <= 0 {
				t.Fatalf("seed %d: base %v but share %v", seed, s.base[i], s.shares[i])
			}
			for k, f := range c.factors {
				x := factorValue(f.Name, &acct{a: &c.accts[i]})
				if f.Role != RoleShare && f.Name != FactorSupplyRate5y && x == 0 && s.parts[i][k] != 1 {
					t.Fatalf("seed %d: unknown %s gives %v", seed, f.Name, s.parts[i][k])
				}
			}
		}

		// 1. Size.
		i := rng.IntN(n)
		k := Area(2 + rng.IntN(9))
		big := c.clone()
		big.accts[i].Facts.UnsuppliedDisposed *= k
		big.accts[i].Facts.IdleDisposed *= k
		big.needs[i] *= k
		b := big.run()
		if !equalFloats(b.coef, s.coef) {
			t.Fatalf("seed %d: a larger district changed the coefficients %v -> %v", seed, s.coef, b.coef)
		}
		if b.shares[i] < s.shares[i]*(1-1e-12) {
			t.Fatalf("seed %d: ×%d areas lowered the share %v -> %v", seed, k, s.shares[i], b.shares[i])
		}
		for j := range c.accts {
			if j != i && b.base[j] > s.base[j]*(1+1e-12) {
				t.Fatalf("seed %d: district %d's base grew %v -> %v when %d grew", seed, j, s.base[j], b.base[j], i)
			}
		}
		strict := false
		for _, f := range c.factors {
			if f.Role != RoleShare || f.Weight == 0 || factorValue(f.Name, &acct{a: &c.accts[i], eligNeed: c.needs[i]}) == 0 {
				continue
			}
			for j := range c.accts {
				if j != i && factorValue(f.Name, &acct{a: &c.accts[j], eligNeed: c.needs[j]}) > 0 {
					strict = true
				}
			}
		}
		if strict && !(b.shares[i] > s.shares[i]) {
			t.Fatalf("seed %d: ×%d areas left the share at %v", seed, k, s.shares[i])
		}

		// 3. Scale.
		sc := c.clone()
		cf := 0.1 + 10*rng.Float64()
		maxRate := 0.0
		for j := range sc.accts {
			sc.accts[j].Facts.TaxPerMu *= cf
			sc.accts[j].Facts.ValueAddedPerMu *= cf
			maxRate = max(maxRate, sc.accts[j].Facts.SupplyRate5y)
		}
		if maxRate > 0 {
			cr := rng.Float64() / maxRate
			for j := range sc.accts {
				sc.accts[j].Facts.SupplyRate5y *= cr
			}
		}
		// Thresholds are absolute: scaling only holds without them.
		hasThreshold := false
		for _, f := range c.factors {
			hasThreshold = hasThreshold || f.Role == RoleThreshold
		}
		if !hasThreshold {
			if got := sc.run(); !nearFloats(got.shares, s.shares, 1e-9) {
				t.Fatalf("seed %d: scaling the ratios changed the shares %v -> %v", seed, s.shares, got.shares)
			}
		}
		all := c.clone()
		for j := range all.accts {
			all.accts[j].Facts.UnsuppliedDisposed *= k
			all.accts[j].Facts.IdleDisposed *= k
			all.needs[j] *= k
		}
		if got := all.run(); !nearFloats(got.shares, s.shares, 1e-12) {
			t.Fatalf("seed %d: scaling every district's areas changed the shares %v -> %v", seed, s.shares, got.shares)
		}

		// 4. Ratios.
		up := c.clone()
		f := &up.accts[i].Facts
		f.SupplyRate5y = f.SupplyRate5y + (1-f.SupplyRate5y)*rng.Float64()
		if f.TaxPerMu > 0 { // from unknown to a figure may go either way
			f.TaxPerMu += 80 * rng.Float64()
		}
		if f.ValueAddedPerMu > 0 {
			f.ValueAddedPerMu += 300 * rng.Float64()
		}
		if got := up.run(); got.shares[i] < s.shares[i]*(1-1e-12) {
			t.Fatalf("seed %d: better ratios lowered the share %v -> %v", seed, s.shares[i], got.shares[i])
		}
	}
}

// Two districts with the same ratios, one k times the other in every area,
// get shares in the ratio k, whatever the other districts; two districts
// with the same areas get shares in the ratio of their coefficients.
func TestSplitProportional(t *testing.T) {
	for seed := uint64(1); seed <= 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 15))
		c := genSplit(rng)
		n := len(c.accts)
		a, b := rng.IntN(n), rng.IntN(n-1)
		if b >= a {
			b++
		}
		// A positive on every area, so no factor is split equally.
		fa := &c.accts[a].Facts
		fa.UnsuppliedDisposed, fa.IdleDisposed = max(fa.UnsuppliedDisposed, 1), max(fa.IdleDisposed, 1)
		c.needs[a] = max(c.needs[a], 1)
		k := Area(1 + rng.IntN(20))
		fb := &c.accts[b].Facts
		fb.SupplyRate5y, fb.TaxPerMu, fb.ValueAddedPerMu = fa.SupplyRate5y, fa.TaxPerMu, fa.ValueAddedPerMu
		fb.UnsuppliedDisposed, fb.IdleDisposed, c.needs[b] = k*fa.UnsuppliedDisposed, k*fa.IdleDisposed, k*c.needs[a]
		s := c.run()
		if s.coef[a] != s.coef[b] || !near(s.shares[b], float64(k)*s.shares[a], 1e-12) {
			t.Fatalf("seed %d: same ratios, ×%d areas: shares %v and %v (coefficients %v, %v)", seed, k, s.shares[a], s.shares[b], s.coef[a], s.coef[b])
		}

		// Same areas, own ratios.
		fb.SupplyRate5y, fb.TaxPerMu, fb.ValueAddedPerMu = rng.Float64(), 80*rng.Float64(), 300*rng.Float64()
		fb.UnsuppliedDisposed, fb.IdleDisposed, c.needs[b] = fa.UnsuppliedDisposed, fa.IdleDisposed, c.needs[a]
		s = c.run()
		if s.base[a] != s.base[b] || !near(s.shares[b]*s.coef[a], s.shares[a]*s.coef[b], 1e-12) {
			t.Fatalf("seed %d: same areas: shares %v and %v, coefficients %v and %v", seed, s.shares[a], s.shares[b], s.coef[a], s.coef[b])
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func nearFloats(a, b []float64, rel float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], rel) && math.Abs(a[i]-b[i]) > 1e-15 {
			return false
		}
	}
	return true
}

// The case: Binjiang (72 km²) and a district of 1,400 km² with the
// same supply rate, 亩均税收 and 亩均增加值, and areas in proportion to their
// size. Ratios used as shares gave both the same part of their weight
// (with the old default weights 40% of the split went half and half);
// now the split follows size, through Run and for a stored policy without
// roles alike, and a better 亩均税收 lifts Binjiang by its coefficient.
func TestRatiosDoNotSplitBySize(t *testing.T) {
	mk := func(id string, km2 float64) Account {
		return Account{ID: id, Kind: AccountDistrict, Name: id, Facts: AccountFacts{SupplyRate5y: 0.8,
			UnsuppliedDisposed: ha(0.5 * km2), IdleDisposed: ha(0.2 * km2), TaxPerMu: 40, ValueAddedPerMu: 150}}
	}
	in := Input{Year: 2025, Available: ha(1000), Accounts: []Account{mk("330108", 72), mk("330181", 1400)},
		Projects: []Project{mkProj(1, "330108", General, 72, 1), mkProj(2, "330181", General, 1400, 1)}}
	p := DefaultPolicy(2025)
	p.ReserveShare, p.ParkEarmark.Share = 0, 0
	legacy, err := DecodePolicy([]byte(`{"version":1,"year":2025,"reserve_share":0,"factors":[
		{"name":"supply_rate_5y","weight":0.2},{"name":"unsupplied_disposed","weight":0.2},{"name":"idle_disposed","weight":0.1},
		{"name":"tax_per_mu","weight":0.2},{"name":"project_need","weight":0.3}],
		"supply_rate":{"floor":0.6,"action":"suspend","cut_fraction":0.5},
		"scoring":{"categories":[{"category":"major_industrial","points":30},{"category":"important_manufacturing","points":25},
		{"category":"livelihood_infrastructure","points":25},{"category":"affordable_housing","points":25},{"category":"general","points":10}],
		"tax_per_mu_points":25,"tax_per_mu_reference":50,"investment_intensity_points":15,"investment_intensity_reference":500,"readiness_points":20},
		"grants":[{"category":"major_industrial","mode":"all_or_nothing"},{"category":"important_manufacturing","mode":"partial","min_fraction":0.5},
		{"category":"livelihood_infrastructure","mode":"partial","min_fraction":0.5},{"category":"affordable_housing","mode":"partial","min_fraction":0.5},
		{"category":"general","mode":"partial","min_fraction":0.5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := 72.0 / 1472
	for _, pol := range []Policy{p, legacy} {
		r, err := Run(in, pol, MethodPriority)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, in, pol, r)
		bj, other := r.Accounts[0], r.Accounts[1]
		if bj.FactorCoefficient != other.FactorCoefficient || !near(bj.FactorBase, want, 1e-12) || !near(bj.FactorShare, want, 1e-12) || absArea(bj.Pool-Area(math.Round(want*float64(ha(1000))))) > 1 || bj.Pool+other.Pool != ha(1000) {
			t.Errorf("Binjiang share %v pool %v, want %v of 1000 hm²; notes %v", bj.FactorShare, bj.Pool, want, bj.Notes)
		}
	}
	// Twice the 亩均税收: mean 60, ratios 4/3 and 2/3, exponent 0.5, so
	// Binjiang's share over the other's is 72/1400 × √2.
	in.Accounts[0].Facts.TaxPerMu = 80
	r, err := Run(in, p, MethodPriority)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Accounts[0].FactorShare / r.Accounts[1].FactorShare; !near(got, 72.0/1400*math.Sqrt2, 1e-12) {
		t.Errorf("ratio of shares %v, want %v", got, 72.0/1400*math.Sqrt2)
	}
}

func absArea(a Area) Area { return max(a, -a) }

// Thresholds and missing 亩均 figures keep a run deterministic: the same
// bytes twice and for shuffled accounts.
func TestSplitDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		in, p := genInstance(seed, genOptions{districts: 5, parks: 1, projects: 60, limits: true})
		thr := 45.0
		for i, f := range p.Factors {
			if f.Name == FactorTaxPerMu {
				p.Factors[i] = Factor{Name: FactorTaxPerMu, Role: RoleThreshold, Weight: 0.7, Threshold: &thr}
			}
		}
		rng := rand.New(rand.NewPCG(seed, 16))
		for i := range in.Accounts {
			if in.Accounts[i].Kind == AccountDistrict && rng.IntN(3) == 0 {
				in.Accounts[i].Facts.ValueAddedPerMu = 0
			}
		}
		r1, err := Run(in, p, MethodPriority)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, in, p, r1)
		sh := in
		sh.Accounts = append([]Account(nil), in.Accounts...)
		rng.Shuffle(len(sh.Accounts), func(i, j int) { sh.Accounts[i], sh.Accounts[j] = sh.Accounts[j], sh.Accounts[i] })
		r2, err := Run(sh, p, MethodPriority)
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := json.Marshal(r1)
		b2, _ := json.Marshal(r2)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("seed %d: shuffled accounts give a different result", seed)
		}
	}
}

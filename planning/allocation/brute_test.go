package allocation

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// feasible is an independent check of a grant vector against a district
// tree, written bottom-up (children before parents) rather than by the
// incremental path walk the solver uses: at every node the inflow (its own
// projects plus what its children send up) fills its bucket, the rest goes
// up its edge, within the edge's capacity; nothing may leave the root.
func feasible(t *tree, items []titem, g []Area) bool {
	n := len(t.parent)
	in := make([]Area, n)
	for i, it := range items {
		if g[i] < 0 || g[i] > it.need || (g[i] > 0 && g[i] < it.base) {
			return false
		}
		in[it.node] += g[i]
	}
	for u := n - 1; u >= 0; u-- {
		up := max(0, in[u]-t.bucket[u])
		p := t.parent[u]
		if p < 0 {
			return up == 0
		}
		if t.cap[u] != noCap && up > t.cap[u] {
			return false
		}
		in[p] += up
	}
	return true
}

func value(items []titem, g []Area) int64 {
	var v int64
	for i, it := range items {
		v += it.q * int64(g[i])
	}
	return v
}

// subsets switches each item at idx on (to amount of it) or off, with
// pruning (a superset of an infeasible set is infeasible), and hands every
// feasible grant vector to leaf.
func subsets(t *tree, items []titem, idx []int, amount func(titem) Area, leaf func(g []Area)) {
	g := make([]Area, len(items))
	var rec func(k int)
	rec = func(k int) {
		if k == len(idx) {
			leaf(g)
			return
		}
		i := idx[k]
		g[i] = amount(items[i])
		if feasible(t, items, g) {
			rec(k + 1)
		}
		g[i] = 0
		rec(k + 1)
	}
	rec(0)
}

// bruteAON enumerates every subset of all-or-nothing items.
func bruteAON(t *tree, items []titem) int64 {
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	best := int64(0)
	subsets(t, items, all, func(it titem) Area { return it.need }, func(g []Area) {
		best = max(best, value(items, g))
	})
	return best
}

// bruteMixed enumerates on/off for every item with a minimum grant, and
// fills the rest by score: for each item in order the largest feasible
// extra amount, found by binary search with the independent check. (The
// fill is the polymatroid greedy; TestBruteForceTiny checks it against a
// full enumeration of integer grants.)
func bruteMixed(t *tree, items []titem) int64 {
	var bin []int
	for i, it := range items {
		if it.base > 0 {
			bin = append(bin, i)
		}
	}
	best := int64(0)
	subsets(t, items, bin, func(it titem) Area { return it.base }, func(g []Area) {
		h := append([]Area(nil), g...)
		for i, it := range items {
			if it.base > 0 && h[i] == 0 {
				continue // off
			}
			lo, hi := Area(0), it.need-h[i]
			for lo < hi {
				mid := lo + (hi-lo+1)/2
				h[i] += mid
				ok := feasible(t, items, h)
				h[i] -= mid
				if ok {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			h[i] += lo
		}
		best = max(best, value(items, h))
	})
	return best
}

// bruteTiny enumerates every integer grant vector.
func bruteTiny(t *tree, items []titem) int64 {
	g := make([]Area, len(items))
	best := int64(0)
	var rec func(i int)
	rec = func(i int) {
		if i == len(items) {
			if feasible(t, items, g) {
				if v := value(items, g); v > best {
					best = v
				}
			}
			return
		}
		g[i] = 0
		rec(i + 1)
		for a := max(1, items[i].base); a <= items[i].need; a++ {
			g[i] = a
			rec(i + 1)
		}
		g[i] = 0
	}
	rec(0)
	return best
}

// compareDistricts runs the exact search of every district of an instance
// and compares it with a brute force; it also checks the solver's grants
// with the independent feasibility check and that optimal >= priority.
func compareDistricts(t *testing.T, seed uint64, in Input, p Policy, brute func(*tree, []titem) int64, maxItems int) int {
	t.Helper()
	e, err := newEngine(in, p, MethodOptimal)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	compared := 0
	for di := range e.dists {
		tr, items := e.build(di)
		if len(items) > maxItems {
			continue
		}
		var spent int64
		// Odd seeds run the reduction after 3 nodes, to exercise it.
		quick := int64(quickNodes)
		if seed%2 == 1 {
			quick = 3
		}
		sol := optimalQuick(tr, items, &spent, quick, workBudget)
		g, v := sol.grants, sol.value
		if !sol.exact() {
			t.Fatalf("seed %d district %d: search stopped early", seed, di)
		}
		if !feasible(tr, items, g) {
			t.Fatalf("seed %d district %d: optimal grants infeasible", seed, di)
		}
		if value(items, g) != v {
			t.Fatalf("seed %d: reported value %d, grants give %d", seed, v, value(items, g))
		}
		pg := make([]Area, len(items))
		pv := greedy(tr, items, tr.newState(), pg, nil, nil)
		if !feasible(tr, items, pg) {
			t.Fatalf("seed %d district %d: priority grants infeasible", seed, di)
		}
		if pv > v {
			t.Fatalf("seed %d: priority %d beats optimal %d", seed, pv, v)
		}
		if b := brute(tr, items); b != v {
			t.Fatalf("seed %d district %d (%d items): optimal %d, brute force %d", seed, di, len(items), v, b)
		}
		compared++
	}
	return compared
}

// compareSeeds compares the engine with brute on the instance of each
// seed in [from, to] (districts of at most maxItems items).
func compareSeeds(t *testing.T, from, to uint64, brute func(*tree, []titem) int64, maxItems int, instance func(seed uint64) (Input, Policy)) {
	t.Helper()
	n := 0
	for seed := from; seed <= to; seed++ {
		in, p := instance(seed)
		n += compareDistricts(t, seed, in, p, brute, maxItems)
	}
	t.Logf("seeds %d..%d: %d districts compared", from, to, n)
}

// All-or-nothing items only, up to 20 per district: a fully independent
// brute force over subsets.
func TestBruteForceAllOrNothing(t *testing.T) {
	compareSeeds(t, 1, 400, bruteAON, 20, func(seed uint64) (Input, Policy) {
		in, p := genInstance(seed, genOptions{districts: 1 + int(seed%2), parks: 2, nested: seed%3 == 0, projects: 4 + int(seed%20), small: true, limits: seed%2 == 0,
			supplyRatio: []float64{0.3, 0.5, 0.7}[seed%3]})
		for i := range p.Grants {
			p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
		}
		return in, p
	})
	// The hardest shape: one district, exactly 20 items, everything all-or-nothing.
	compareSeeds(t, 1000, 1039, bruteAON, 20, func(seed uint64) (Input, Policy) {
		in, p := genInstance(seed, genOptions{districts: 1, parks: 2, projects: 24, small: true, limits: true, supplyRatio: 0.45})
		for i := range p.Grants {
			p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
		}
		for i := range in.Projects {
			in.Projects[i].Eligible, in.Projects[i].Need = true, Area(100*(1+int(seed+uint64(i)*7)%37))
		}
		in.Projects = in.Projects[:20]
		return in, p
	})
}

// Mixed all-or-nothing, minimum-fraction and free partial items.
func TestBruteForceMixed(t *testing.T) { bruteForceMixed(t, 300) }

func bruteForceMixed(t *testing.T, seeds uint64) {
	compareSeeds(t, 1, seeds, bruteMixed, 16, func(seed uint64) (Input, Policy) {
		return genInstance(seed, genOptions{districts: 1 + int(seed%2), parks: 2, nested: seed%2 == 0, projects: 3 + int(seed%18), small: true, limits: seed%3 != 0,
			supplyRatio: []float64{0.3, 0.5, 0.8}[seed%3]})
	})
}

// Tiny integer instances: every integer grant vector is enumerated, which
// checks the greedy fill of the relaxation itself (floors, caps, cut).
func TestBruteForceTiny(t *testing.T) { bruteForceTiny(t, 1500) }

func bruteForceTiny(t *testing.T, seeds uint64) {
	compareSeeds(t, 1, seeds, bruteTiny, 7, func(seed uint64) (Input, Policy) {
		rng := rand.New(rand.NewPCG(seed, 3))
		in, p := genInstance(seed, genOptions{districts: 1, parks: 2, nested: seed%2 == 0, projects: 3 + int(seed%4), small: true})
		for i := range in.Projects {
			in.Projects[i].Need = Area(1 + rng.IntN(4))
			in.Projects[i].Eligible = rng.IntN(8) > 0
			in.Projects[i].NationalKey = rng.IntN(3) == 0
		}
		if rng.IntN(2) == 0 {
			in.Accounts[0].Facts.SupplyRate5y = 0.5 // below the floor: cut or suspended
		}
		var total Area
		for _, pr := range in.Projects {
			total += pr.Need
		}
		in.Available = Area(rng.IntN(int(total) + 2))
		p.ReserveShare, p.ParkEarmark.Share = 0, 0
		for _, a := range in.Accounts {
			if rng.IntN(2) == 0 {
				continue
			}
			l := AccountLimit{AccountID: a.ID}
			if a.Kind == AccountPark {
				l.Floor = Area(rng.IntN(4))
			}
			if rng.IntN(2) == 0 {
				c := l.Floor + Area(rng.IntN(5))
				l.Cap = &c
			}
			p.Accounts = append(p.Accounts, l)
		}
		sort.Slice(p.Accounts, func(i, j int) bool { return p.Accounts[i].AccountID < p.Accounts[j].AccountID })
		return in, p
	})
}

// equalScoreDistrict is one district of n all-or-nothing projects of equal
// score (a subset-sum problem) with the given needs and a pool of ratio of
// their total.
func equalScoreDistrict(needs []Area, ratio float64) (Input, Policy) {
	in, p := genInstance(77, genOptions{districts: 1, projects: len(needs), small: true})
	for i := range p.Grants {
		p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
	}
	var total Area
	for i := range in.Projects {
		pr := &in.Projects[i]
		pr.Category, pr.Eligible, pr.TaxPerMu, pr.Readiness = General, true, 100, 1
		pr.ProvincialMajor, pr.NationalKey = false, false
		pr.Need = needs[i]
		pr.Investment = pr.Need.Mu() * 1000 // full intensity points: equal scores
		total += pr.Need
	}
	p.ReserveShare, p.ParkEarmark.Share = 0, 0
	in.Available = Area(float64(total) * ratio)
	return in, p
}

// Equal scores and all-or-nothing turn a district into subset sum, which no
// bound can prune: when the search's budget runs out it answers with the
// best allocation found and a proven bound, not an error. Run solves the
// same district exactly by the subset-sum DP.
func TestOptimalBudget(t *testing.T) {
	needs := make([]Area, 60)
	for i := range needs {
		needs[i] = 2 * Area(1_000_003+7919*int64(i)*int64(i)%1_000_000)
	}
	in, p := equalScoreDistrict(needs, 0.5)
	// Even needs, an odd pool: the bound is never reached.
	in.Available |= 1
	e, err := newEngine(in, p, MethodOptimal)
	if err != nil {
		t.Fatal(err)
	}
	tr, items := e.build(0)
	var spent int64
	sol := optimalQuick(tr, items, &spent, quickNodes, 2_000_000)
	if sol.exact() || sol.bound <= sol.value || !feasible(tr, items, sol.grants) || value(items, sol.grants) != sol.value {
		t.Fatalf("budget run out: exact %v value %d bound %d", sol.exact(), sol.value, sol.bound)
	}
	r, err := Run(in, p, MethodOptimal)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, in, p, r)
	// The exact answer lies between the stopped search's answer and its bound.
	opt := items[0].q * int64(r.Granted)
	if !r.Exact || r.GapBound != 0 || opt < sol.value || opt > sol.bound || r.Granted%2 != 0 {
		t.Fatalf("subset-sum district: exact %v gap %v granted %d; stopped search %d..%d", r.Exact, r.GapBound, opt, sol.value, sol.bound)
	}
	// One project of another score: no longer a subset sum for the DP. With
	// the run's budget already spent the district still gets an answer
	// (the priority rule's), marked with its gap.
	in.Projects[0].Readiness = 0.5
	e, _ = newEngine(in, p, MethodOptimal)
	spent = workBudget
	e.allocate(0, &spent)
	r = e.result()
	checkResult(t, in, p, r)
	if r.Exact || r.GapBound <= 0 || !strings.Contains(strings.Join(r.Notes, " "), "proven bound") || !strings.Contains(strings.Join(r.NotesZh, " "), "上界") {
		t.Fatalf("budget spent: exact %v gap %v notes %q", r.Exact, r.GapBound, r.Notes)
	}
}

// The subset-sum DP against brute force: random areas (0.01 m² units, so
// no common divisor helps), up to 20 projects, every capacity shape.
func TestSubsetSumBrute(t *testing.T) {
	compared := 0
	for seed := uint64(1); seed <= 150; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		n := 2 + rng.IntN(19)
		needs := make([]Area, n)
		for i := range needs {
			switch seed % 3 {
			case 0:
				needs[i] = Area(1 + rng.IntN(300)) // small: dense sums
			case 1:
				needs[i] = Area(100 * (1 + rng.IntN(50))) // a common divisor
			default:
				needs[i] = Area(1 + rng.IntN(5_000_000)) // up to 5 hm²
			}
		}
		in, p := equalScoreDistrict(needs, 0.1+0.8*rng.Float64())
		e, err := newEngine(in, p, MethodOptimal)
		if err != nil {
			t.Fatal(err)
		}
		tr, items := e.build(0)
		sol, ok := subsetSum(tr, items)
		if !ok {
			continue // everything fits
		}
		if !sol.exact() || !feasible(tr, items, sol.grants) || value(items, sol.grants) != sol.value {
			t.Fatalf("seed %d: DP answer inconsistent", seed)
		}
		if b := bruteAON(tr, items); b != sol.value {
			t.Fatalf("seed %d (%d items): DP %d, brute force %d", seed, n, sol.value, b)
		}
		compared++
	}
	if compared < 120 {
		t.Fatalf("only %d instances compared", compared)
	}
}

// With a tiny budget the search stops early; the true optimum (brute
// force) lies between its answer and answer + gap.
func TestGapBoundBrute(t *testing.T) {
	stopped := 0
	for seed := uint64(1); seed <= 300; seed++ {
		in, p := genInstance(seed, genOptions{districts: 1 + int(seed%2), parks: 2, nested: seed%2 == 0, projects: 6 + int(seed%15), small: true, limits: seed%3 != 0,
			supplyRatio: []float64{0.3, 0.5, 0.8}[seed%3]})
		e, err := newEngine(in, p, MethodOptimal)
		if err != nil {
			t.Fatal(err)
		}
		for di := range e.dists {
			tr, items := e.build(di)
			if len(items) > 16 {
				continue
			}
			var spent int64
			budget := int64(len(items)) * int64(1+seed%7)
			sol := optimalQuick(tr, items, &spent, 2, budget)
			if !feasible(tr, items, sol.grants) || value(items, sol.grants) != sol.value || sol.bound < sol.value {
				t.Fatalf("seed %d district %d: answer inconsistent (value %d bound %d)", seed, di, sol.value, sol.bound)
			}
			opt := bruteMixed(tr, items)
			if opt < sol.value || opt > sol.bound {
				t.Fatalf("seed %d district %d: optimum %d outside [%d, %d]", seed, di, opt, sol.value, sol.bound)
			}
			if !sol.exact() {
				stopped++
			}
		}
	}
	if stopped < 50 {
		t.Fatalf("the budget stopped only %d searches", stopped)
	}
	t.Logf("%d searches stopped early, all within their bound", stopped)
}

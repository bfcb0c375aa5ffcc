package allocation

import (
	"math"
)

// noCap stands for "no cap" in residual arithmetic.
const noCap = Area(math.MaxInt64)

type nodeKind uint8

const (
	nodeRoot    nodeKind = iota // the district: its bucket is the shared pool
	nodeExempt                  // 增存挂钩 exempt projects of a cut district
	nodeRegular                 // ordinary projects of a cut district: capped at (1 − cut) × pool
	nodePark                    // a park earmark: its bucket is its floor, its cap its cap
)

// tree is the constraint structure of one district pool, a flow network on
// a tree. Every node has a bucket of quota that only projects in its
// subtree may use (the root's bucket is the shared pool, a park's bucket its
// floor) and an upward edge whose capacity limits what its subtree draws
// from the buckets above it (a park's cap room less the floors kept inside
// it; the ordinary-project share of a cut district less the floors kept
// inside it). The buckets add up to the district pool. A project at node v
// fills the bucket at v, then sends the rest up the edge to its parent, and
// so on: the deepest bucket first, which is never worse, since a deeper
// bucket serves a subset of the projects a higher one serves. So a
// subtree's total never exceeds its cap (floors inside it + edge), and the
// feasible grant vectors form a polymatroid (the supply vectors of a
// capacitated network), over which the greedy fill by value density is an
// exact optimum of the relaxation.
type tree struct {
	parent []int32
	kind   []nodeKind
	acct   []int  // account index of root and park nodes, -1 otherwise
	cap    []Area // capacity of the edge to the parent (noCap: none)
	bucket []Area
}

func (t *tree) add(parent int32, k nodeKind, acct int, edge, bucket Area) int32 {
	t.parent = append(t.parent, parent)
	t.kind = append(t.kind, k)
	t.acct = append(t.acct, acct)
	t.cap = append(t.cap, edge)
	t.bucket = append(t.bucket, bucket)
	return int32(len(t.parent) - 1)
}

// state is the residual edges and buckets while items are granted.
type state struct {
	parent []int32
	cap    []Area
	bucket []Area
	path   []int32
}

func (t *tree) newState() *state {
	s := &state{parent: t.parent, cap: make([]Area, len(t.cap)), bucket: make([]Area, len(t.bucket)), path: make([]int32, 0, 8)}
	copy(s.cap, t.cap)
	copy(s.bucket, t.bucket)
	return s
}

func (s *state) reset(t *tree) {
	copy(s.cap, t.cap)
	copy(s.bucket, t.bucket)
}

// avail is the most an item at node v can still receive, and what binds:
// the lowest node on the path whose edge limits it, or -1 when the buckets
// (the pool) do. avail(v) = bucket(v) + min(edge(v), avail(parent)).
func (s *state) avail(v int32) (Area, int32) {
	path := s.path[:0]
	for u := v; u >= 0; u = s.parent[u] {
		path = append(path, u)
	}
	s.path = path
	top := len(path) - 1
	a := s.bucket[path[top]]
	bind := int32(-1)
	for k := top - 1; k >= 0; k-- {
		u := path[k]
		if s.cap[u] < a {
			a, bind = s.cap[u], u
		}
		a += s.bucket[u]
	}
	return a, bind
}

// take grants amt to an item at node v: its bucket first, the rest up the
// edge. The caller has checked amt <= avail(v).
func (s *state) take(v int32, amt Area) {
	for u := v; amt > 0 && u >= 0; u = s.parent[u] {
		d := min(amt, s.bucket[u])
		s.bucket[u] -= d
		amt -= d
		if amt > 0 && s.cap[u] != noCap {
			s.cap[u] -= amt
		}
	}
}

// titem is a project competing for a district pool.
type titem struct {
	node int32
	need Area
	base Area  // smallest grant when granted at all: need (all-or-nothing), ceil(f·need) (partial), 0 (any amount)
	q    int64 // score in thousandths of a point
	proj int   // index into the run's projects
}

func (it *titem) binary() bool { return it.base > 0 }

// grantFrom is the greedy grant of an item with a left for it: its whole
// need, or all of a if that reaches its minimum grant, else nothing.
func (it *titem) grantFrom(a Area) Area {
	switch {
	case a >= it.need:
		return it.need
	case a > 0 && a >= it.base:
		return a
	}
	return 0
}

// greedy grants items in order (score descending, then project id): each
// gets the most it can, if that reaches its minimum grant. This is the
// priority method. availAt and bindAt (may be nil) record what was left
// for each item at its turn and what bound it.
func greedy(t *tree, items []titem, s *state, grants []Area, availAt []Area, bindAt []int32) int64 {
	s.reset(t)
	var value int64
	for i := range items {
		it := &items[i]
		a, b := s.avail(it.node)
		if availAt != nil {
			availAt[i], bindAt[i] = a, b
		}
		g := it.grantFrom(a)
		grants[i] = g
		s.take(it.node, g)
		value += it.q * int64(g)
	}
	return value
}

const (
	fFree int8 = iota
	fIn
	fOut
)

// search is the exact branch and bound of one district.
//
// Objective: maximise Σ q_i · g_i (score × granted area). Each item's grant
// g_i is 0 or within [base_i, need_i]; items with base 0 are continuous.
// Relaxing every undecided item to [0, need] gives a linear programme over
// the tree network, whose feasible set is a polymatroid, so the greedy fill
// by value density (here: by score, since value is score × area) is its
// exact optimum and an upper bound for the subtree. When the relaxed
// solution gives every undecided item 0 or at least its base it is
// feasible, hence optimal for the subtree. Otherwise we branch on the first
// item that got a fraction of its base: forced in (its base is placed
// first) or forced out. A greedy completion at every node gives the
// incumbent; subtrees whose bound does not beat it strictly are pruned, so
// the first optimum found in this fixed order is kept (deterministic).
// After quickNodes nodes the reduction fixes items and the search restarts
// with the incumbent it has.
//
// Worst case: 2^b nodes for b all-or-nothing / minimum-fraction items in
// the district, each O(n · depth). The work budget caps the total; when it
// runs out the search stops with the incumbent and a proven bound: the
// largest relaxation among the branches it had not explored (the node
// where it stopped and every forced-out sibling still pending on the
// stack). Every explored branch was solved or pruned below the incumbent,
// so no solution beats max(incumbent, that bound).
type search struct {
	t      *tree
	items  []titem
	s      *state
	forced []int8
	grants []Area
	best   int64
	bestG  []Area
	work   int64
	budget int64
	nodes  int64
	failed bool
	open   int64 // largest bound of the unexplored branches once failed
	// phase budget: the first dive gives up after quickNodes nodes, then
	// the reduction fixes items and the search starts again.
	limit   int64
	stopped bool
}

// quickNodes is how many nodes the search may take before it pays for the
// reduction (two relaxations per undecided item).
const quickNodes = 2000

func (x *search) run() {
	x.best = -1
	if x.limit == 0 {
		x.limit = quickNodes
	}
	x.dfs()
	if !x.stopped || x.failed {
		return
	}
	// Reduction (as in knapsack solvers): an item whose relaxation with it
	// forced in (or out) cannot beat the incumbent strictly is fixed the
	// other way. Every fixing removes only solutions that are not better
	// than the incumbent, so the search stays exact.
	for i := range x.items {
		if !x.items[i].binary() || x.forced[i] != fFree {
			continue
		}
		x.forced[i] = fIn
		if ub, _, ok := x.relax(); !ok || ub <= x.best {
			x.forced[i] = fOut
			continue
		}
		x.forced[i] = fOut
		if ub, _, ok := x.relax(); ok && ub <= x.best {
			x.forced[i] = fIn
			continue
		}
		x.forced[i] = fFree
	}
	x.work += int64(len(x.items)) * int64(len(x.items))
	x.stopped, x.limit = false, 0
	x.dfs()
}

func (x *search) dfs() {
	if x.failed {
		return
	}
	if x.stopped {
		return
	}
	x.nodes++
	x.work += int64(len(x.items))
	if x.work > x.budget {
		x.failed = true
		x.openBound()
		return
	}
	if x.limit > 0 && x.nodes > x.limit {
		x.stopped = true
		return
	}
	ub, frac, ok := x.relax()
	if !ok || ub <= x.best {
		return
	}
	if frac < 0 {
		// The relaxation is feasible: optimal for this subtree.
		x.best = ub
		copy(x.bestG, x.grants)
		return
	}
	if v := x.complete(); v > x.best {
		x.best = v
		copy(x.bestG, x.grants)
		if ub <= x.best {
			return
		}
	}
	x.forced[frac] = fIn
	x.dfs()
	x.forced[frac] = fOut
	if x.failed {
		x.openBound() // never explored: its relaxation bounds it
	} else {
		x.dfs()
	}
	x.forced[frac] = fFree
}

// openBound records the relaxation of the current (unexplored) branch.
func (x *search) openBound() {
	if ub, _, ok := x.relax(); ok && ub > x.open {
		x.open = ub
	}
}

// complete builds a feasible solution inside the current subtree: bases of
// forced-in items first, then in order every item gets the most it can if
// that reaches its base (the priority rule). Any feasible solution is a
// valid incumbent; this one is usually close to the bound.
func (x *search) complete() int64 {
	s := x.s
	s.reset(x.t)
	var value int64
	for i := range x.items {
		if x.forced[i] == fIn {
			it := &x.items[i]
			s.take(it.node, it.base) // fits: relax checked it
			value += it.q * int64(it.base)
		}
	}
	for i := range x.items {
		it := &x.items[i]
		switch x.forced[i] {
		case fOut:
			x.grants[i] = 0
		case fIn:
			a, _ := s.avail(it.node)
			g := min(a, it.need-it.base)
			s.take(it.node, g)
			value += it.q * int64(g)
			x.grants[i] = it.base + g
		default:
			a, _ := s.avail(it.node)
			g := it.grantFrom(a)
			s.take(it.node, g)
			value += it.q * int64(g)
			x.grants[i] = g
		}
	}
	return value
}

// relax solves the relaxation at the current node: bases of forced-in items
// first, then the greedy fill. It returns the bound, the first undecided
// item with 0 < grant < base (-1 if none) and false when the forced-in
// bases do not fit.
func (x *search) relax() (int64, int, bool) {
	s := x.s
	s.reset(x.t)
	var value int64
	for i := range x.items {
		if x.forced[i] != fIn {
			continue
		}
		it := &x.items[i]
		if a, _ := s.avail(it.node); a < it.base {
			return 0, -1, false
		}
		s.take(it.node, it.base)
		value += it.q * int64(it.base)
	}
	frac := -1
	for i := range x.items {
		it := &x.items[i]
		f := x.forced[i]
		if f == fOut {
			x.grants[i] = 0
			continue
		}
		lim := it.need
		got := Area(0)
		if f == fIn {
			lim -= it.base
			got = it.base
		}
		a, _ := s.avail(it.node)
		g := min(a, lim)
		if g > 0 {
			s.take(it.node, g)
			value += it.q * int64(g)
		}
		got += g
		x.grants[i] = got
		if f == fFree && got > 0 && got < it.base && frac < 0 {
			frac = i
		}
	}
	return value, frac, true
}

// workBudget bounds the optimal search per run: 4·10⁸ item steps (about four
// seconds on a 2025 server core); then it answers with the best allocation
// found and a bound on the gap.
const workBudget = 400_000_000

// solution is the optimal method's answer for one district: the grants,
// their value Σ q·g and a proven upper bound on the optimum (== value when
// the answer is exact).
type solution struct {
	grants []Area
	value  int64
	bound  int64
}

func (s solution) exact() bool { return s.bound == s.value }

// optimal solves one district: by the subset-sum DP when its shape fits,
// else by the branch and bound, which shares the work budget across the
// districts of a run through *spent.
func optimal(t *tree, items []titem, spent *int64) solution {
	if sol, ok := subsetSum(t, items); ok {
		return sol
	}
	return optimalQuick(t, items, spent, quickNodes, workBudget)
}

// optimalQuick is the branch and bound with the node count after which the
// reduction runs and the work budget (tests make them small). When the
// budget runs out before any incumbent exists, the priority rule gives one.
func optimalQuick(t *tree, items []titem, spent *int64, quick, budget int64) solution {
	n := len(items)
	x := &search{t: t, items: items, s: t.newState(), forced: make([]int8, n), grants: make([]Area, n), bestG: make([]Area, n),
		budget: budget - *spent, limit: quick, open: -1}
	x.run()
	*spent += x.work
	if !x.failed {
		return solution{grants: x.bestG, value: x.best, bound: x.best}
	}
	if x.best < 0 {
		x.best = greedy(t, items, x.s, x.bestG, nil, nil)
	}
	return solution{grants: x.bestG, value: x.best, bound: max(x.best, x.open)}
}

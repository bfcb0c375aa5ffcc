package allocation

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/hangzhou-hitech/landquota/planning"
)

// acct is an account during a run.
type acct struct {
	a        *Account
	parent   int // -1 for a district
	district int
	depth    int
	coop     bool   // receives the tilt (inherited by sub-earmarks)
	coopName string // name of the innermost park that receives it
	tiltRoot int    // outermost park receiving the tilt at or above it, -1 if none
	children []int  // in ID order

	floor  Area // policy floor
	room   Area // policy cap − held, or noCap
	hasCap bool

	needAll  Area // need of all its projects (subtree)
	eligNeed Area // need of eligible projects (subtree): the project_need factor
	regNeed  Area // need of projects that compete under the park node (subtree)
	effFloor Area // floor kept for the park before any cut
	floorCut Area // floor kept after the 增存挂钩 cut
	node     int32
	projects int

	granted, exempt, left Area

	// park earmark (合作园专项): recipients' share and outstanding need;
	// earmark is what the subtree's projects received from it
	earShare, earNeed, earmark Area
	capUsed                    Area // non-exempt grants in the subtree, against the cap

	// districts only
	share     float64
	base      float64
	coef      float64
	parts     []float64
	lo, hi    Area
	pool      Area
	cutActive bool
	regCap    Area
	items     int
	gap       int64 // optimal only: bound − value when the search stopped early (score thousandths × Area)
}

type projStatus uint8

const (
	stGrantable projStatus = iota
	stIneligible
	stNoNeed
	stSuspended
)

// proj is a project during a run.
type proj struct {
	p        *Project
	acct     int
	district int
	st       projStatus
	inExempt bool // competes in the exempt node of a cut district
	score    float64
	q        int64
	comps    []ScoreComponent
	base     Area

	granted  Area  // pass 1 and the park earmark
	earmark  Area  // the part of granted from the park earmark
	earCand  bool  // competed for the park earmark
	earAvail Area  // what the earmark (or a cap in its park) left for it at its turn
	earBind  int   // account whose cap bound it in the earmark pass, -1 the earmark
	avail    Area  // what was left for it (priority: at its turn; optimal: at the end)
	bind     int32 // binding node, -1 pool
	bindKind nodeKind
	rank     int
	poolRank int
}

type engine struct {
	c            *compiled
	in           *Input
	method       Method
	accts        []acct
	byID         map[string]int // lookup only, never iterated
	projs        []proj
	dists        []int // district account indices in ID order
	reserve      Area
	distrib      Area
	excess       Area
	means        []float64 // per factor: the mean a coefficient factor is measured against
	norm         float64   // Σ_j base_j · coef_j of the split
	trees        []*tree   // per district (index into dists)
	byDist       [][]int   // project indices per district (index into dists), in ID order
	floorsShrunk bool
	parkEarmark  Area // taken from the reserve for the parks receiving the tilt
	earmarkUsed  Area
	objective    int64
	gap          int64 // Σ of the districts' gaps
}

// Run allocates the available quota of one year under policy p with method
// m. It validates the policy and the input first: unknown accounts or
// categories, negative needs, duplicate ids and the like give a
// *planning.Error with code invalid naming the field ("input.projects[3].need").
// The same input gives the same result byte for byte, whatever the order of
// accounts and projects.
func Run(in Input, p Policy, m Method) (Result, error) {
	if !m.Valid() {
		return Result{}, planning.FieldError("method", "must be %q or %q, got %q", MethodPriority, MethodOptimal, m)
	}
	e, err := newEngine(in, p, m)
	if err != nil {
		return Result{}, err
	}
	var spent int64
	for di := range e.dists {
		e.allocate(di, &spent)
	}
	e.earmarkPass()
	return e.result(), nil
}

// newEngine validates, loads and splits: everything before the districts
// are solved.
func newEngine(in Input, p Policy, m Method) (*engine, error) {
	if err := p.check().err("policy."); err != nil {
		return nil, err
	}
	if err := in.validate(p); err != nil {
		return nil, err
	}
	e := &engine{c: compile(p), in: &in, method: m}
	e.loadAccounts()
	e.loadProjects()
	e.byDist = make([][]int, len(e.dists))
	for i := range e.projs {
		di := e.distIndex(e.projs[i].district)
		e.byDist[di] = append(e.byDist[di], i)
	}
	e.floors()
	e.split()
	return e, nil
}

func (e *engine) loadAccounts() {
	src := e.in.Accounts
	order := orderByID(src, func(x *Account) string { return x.ID })
	e.accts = make([]acct, len(src))
	e.byID = make(map[string]int, len(src))
	for i, j := range order {
		e.accts[i] = acct{a: &src[j], parent: -1, room: noCap}
		e.byID[src[j].ID] = i
	}
	for i := range e.accts {
		a := &e.accts[i]
		if a.a.Kind == AccountPark {
			a.parent = e.byID[a.a.ParentID]
			e.accts[a.parent].children = append(e.accts[a.parent].children, i)
		} else {
			e.dists = append(e.dists, i)
		}
		if l, ok := e.c.limits[a.a.ID]; ok {
			a.floor = l.Floor
			if l.Cap != nil {
				a.hasCap = true
				a.room = max(0, *l.Cap-a.a.Held)
			}
		}
	}
	for i := range e.accts {
		a := &e.accts[i]
		d, depth := i, 0
		for e.accts[d].parent >= 0 {
			d = e.accts[d].parent
			depth++
		}
		a.district, a.depth = d, depth
		a.tiltRoot = -1
		for u := i; u >= 0; u = e.accts[u].parent {
			if e.accts[u].a.ReceivesTilt {
				if !a.coop {
					a.coop, a.coopName = true, name(e.accts[u].a)
				}
				a.tiltRoot = u
			}
		}
	}
	for _, d := range e.dists {
		e.accts[d].cutActive = e.accts[d].a.Facts.SupplyRate5y < e.c.supplyFloor
	}
}

// orderByID is the indexes of src in the order of their ids, so that a
// run does not depend on the order its input came in.
func orderByID[T any, K cmp.Ordered](src []T, id func(*T) K) []int {
	order := make([]int, len(src))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool { return id(&src[order[x]]) < id(&src[order[y]]) })
	return order
}

func name(a *Account) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func (e *engine) loadProjects() {
	src := e.in.Projects
	order := orderByID(src, func(x *Project) int64 { return x.ID })
	e.projs = make([]proj, len(src))
	for i, j := range order {
		pr := &src[j]
		ai := e.byID[pr.AccountID]
		a := &e.accts[ai]
		d := &e.accts[a.district]
		pj := &e.projs[i]
		*pj = proj{p: pr, acct: ai, district: a.district, bind: -1}
		pj.score, pj.q, pj.comps = score(e.c, pr, a.coop, a.coopName)
		exempt := pr.NationalKey || e.c.exemptCat[pr.Category.index()]
		switch {
		case !pr.Eligible:
			pj.st = stIneligible
		case pr.Need == 0:
			pj.st = stNoNeed
		case d.cutActive && e.c.suspend && !exempt:
			pj.st = stSuspended
		default:
			pj.st = stGrantable
			pj.inExempt = d.cutActive && exempt
		}
		pj.base = minGrant(e.c.minFraction[pr.Category.index()], pr.Need)
		for u := ai; u >= 0; u = e.accts[u].parent {
			ua := &e.accts[u]
			ua.needAll += pr.Need
			ua.projects++
			if pr.Eligible {
				ua.eligNeed += pr.Need
			}
			if pj.st == stGrantable && !pj.inExempt {
				ua.regNeed += pr.Need
			}
		}
	}
}

// minGrant is the smallest grant of a project: ceil(f · need), at least one
// unit when f > 0; need itself for all-or-nothing (f = 1).
func minGrant(f float64, need Area) Area {
	if f <= 0 || need == 0 {
		return 0
	}
	if f >= 1 {
		return need
	}
	return max(1, min(need, ceilArea(f*float64(need))))
}

// ceilArea rounds up, forgiving float noise (0.3 × 10 is 3, not 4).
func ceilArea(v float64) Area {
	r := math.Round(v)
	if math.Abs(v-r) < 1e-6 {
		return Area(r)
	}
	return Area(math.Ceil(v))
}

// cutKeep is what remains of x after the 增存挂钩 cut of fraction c.
func cutKeep(x Area, c float64) Area { return x - ceilArea(float64(x)*c) }

// floors computes what every park would keep, deepest first: its policy
// floor up to the need of the projects that can use it, at least the floors
// of its sub-parks, never more than its cap room. A district's lower bound
// in the split is its own floor, at least its parks' floors, within its cap
// room. Caps win over floors: fitFloors shrinks floors that do not fit.
func (e *engine) floors() {
	idx := make([]int, 0, len(e.accts))
	for i := range e.accts {
		if e.accts[i].parent >= 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool { return e.accts[idx[x]].depth > e.accts[idx[y]].depth })
	for _, i := range idx {
		a := &e.accts[i]
		a.effFloor = min(max(min(a.floor, a.regNeed), e.childFloors(i)), a.room)
	}
	for _, d := range e.dists {
		a := &e.accts[d]
		a.lo = min(max(a.floor, e.childFloors(d)), a.room)
		a.hi = a.room
	}
}

func (e *engine) childFloors(i int) Area {
	var s Area
	for _, c := range e.accts[i].children {
		s += e.accts[c].effFloor
	}
	return s
}

// fitFloors makes the floors of account i's sub-parks fit in budget,
// shrinking them in proportion (rounded down) when they do not.
func (e *engine) fitFloors(i int, budget Area) {
	total := e.childFloors(i)
	for _, c := range e.accts[i].children {
		ca := &e.accts[c]
		if total > budget {
			ca.effFloor = Area(math.Floor(float64(ca.effFloor) * float64(budget) / float64(total)))
		}
		e.fitFloors(c, ca.effFloor)
	}
}

// fitCut makes the cut floors of account i's sub-parks fit in budget, as
// fitFloors does for the floors before the cut.
func (e *engine) fitCut(i int, budget Area) {
	var total Area
	for _, c := range e.accts[i].children {
		total += e.accts[c].floorCut
	}
	for _, c := range e.accts[i].children {
		ca := &e.accts[c]
		if total > budget {
			ca.floorCut = Area(math.Floor(float64(ca.floorCut) * float64(budget) / float64(total)))
		}
		e.fitCut(c, ca.floorCut)
	}
}

// split takes the reserve off the top and splits the rest between the
// districts by the factor method within their floors and caps.
func (e *engine) split() {
	avail := e.in.Available
	e.reserve = Area(math.Round(float64(avail) * e.c.reserveShare))
	e.distrib = avail - e.reserve
	ds := make([]*acct, len(e.dists))
	lo := make([]Area, len(e.dists))
	hi := make([]Area, len(e.dists))
	var sumLo Area
	for i, d := range e.dists {
		ds[i] = &e.accts[d]
		sumLo += ds[i].lo
	}
	if sumLo > e.distrib {
		// Floors ask for more than there is: all shrink in proportion.
		e.floorsShrunk = true
		for _, d := range ds {
			d.lo = Area(math.Floor(float64(d.lo) * float64(e.distrib) / float64(sumLo)))
		}
	}
	for i, d := range ds {
		lo[i], hi[i] = d.lo, d.hi
	}
	terms := factorShares(e.c.weights, ds)
	e.means, e.norm = terms.means, terms.norm
	pools, excess := apportion(e.distrib, terms.shares, lo, hi)
	for i, d := range ds {
		d.share, d.base, d.coef, d.parts, d.pool = terms.shares[i], terms.base[i], terms.coef[i], terms.parts[i], pools[i]
		e.fitFloors(e.dists[i], d.lo)
	}
	e.excess = excess
}

// build makes district di's constraint tree and its competing items in
// order (score descending, then project id).
func (e *engine) build(di int) (*tree, []titem) {
	d := e.dists[di]
	da := &e.accts[d]
	c := e.c.cutFraction
	t := &tree{}
	root := t.add(-1, nodeRoot, d, 0, 0)
	regular, exempt := root, int32(-1)
	if da.cutActive {
		exempt = t.add(root, nodeExempt, -1, noCap, 0)
		da.regCap = cutKeep(da.pool, c)
		regular = t.add(root, nodeRegular, -1, da.regCap, 0) // less the floors inside, below
	}
	da.node = regular
	// Floors after the cut: ⌊(1−c)·F⌋ each, which fit in the cut share
	// since Σ⌊(1−c)F⌋ <= ⌊(1−c)ΣF⌋; fitCut guards against float noise.
	var cutFloors func(ai int)
	cutFloors = func(ai int) {
		a := &e.accts[ai]
		a.floorCut = a.effFloor
		if da.cutActive {
			a.floorCut = cutKeep(a.effFloor, c)
		}
		for _, ch := range a.children {
			cutFloors(ch)
		}
	}
	for _, ch := range da.children {
		cutFloors(ch)
	}
	e.fitCut(d, da.pool)
	if da.cutActive {
		e.fitCut(d, da.regCap)
	}
	var topFloors Area
	var build func(ai int, parent int32)
	build = func(ai int, parent int32) {
		a := &e.accts[ai]
		a.node = t.add(parent, nodePark, ai, a.room, 0)
		if a.room != noCap {
			t.cap[a.node] = a.room - a.floorCut // the floors kept inside count against the cap
		}
		var sub Area
		for _, ch := range a.children {
			build(ch, a.node)
			sub += e.accts[ch].floorCut
		}
		t.bucket[a.node] = a.floorCut - sub
	}
	for _, ch := range da.children {
		build(ch, regular)
		topFloors += e.accts[ch].floorCut
	}
	if da.cutActive {
		t.cap[regular] = da.regCap - topFloors
	}
	t.bucket[root] = da.pool - topFloors

	var items []titem
	for _, i := range e.byDist[di] {
		pj := &e.projs[i]
		if pj.st != stGrantable {
			continue
		}
		node := e.accts[pj.acct].node
		if pj.inExempt {
			node = exempt
		}
		items = append(items, titem{node: node, need: pj.p.Need, base: pj.base, q: pj.q, proj: i})
	}
	// Projects are in ID order already; a stable sort by score keeps the
	// ID order among equal scores.
	slices.SortStableFunc(items, func(x, y titem) int { return cmp.Compare(y.q, x.q) })
	da.items = len(items)
	return t, items
}

// allocate solves district di with the run's method.
func (e *engine) allocate(di int, spent *int64) {
	t, items := e.build(di)

	n := len(items)
	s := t.newState()
	grants := make([]Area, n)
	availAt := make([]Area, n)
	bindAt := make([]int32, n)
	var value int64
	if e.method == MethodPriority {
		value = greedy(t, items, s, grants, availAt, bindAt)
	} else {
		sol := optimal(t, items, spent)
		grants, value = sol.grants, sol.value
		e.accts[e.dists[di]].gap = sol.bound - sol.value
		e.gap += sol.bound - sol.value
		s.reset(t)
		for i := range items {
			s.take(items[i].node, grants[i])
		}
		for i := range items {
			availAt[i], bindAt[i] = s.avail(items[i].node)
		}
	}
	e.objective += value
	for i := range items {
		pj := &e.projs[items[i].proj]
		pj.granted, pj.avail, pj.bind, pj.poolRank = grants[i], availAt[i], bindAt[i], i+1
		if pj.bind >= 0 {
			pj.bindKind = t.kind[pj.bind]
		}
	}
	e.trees = append(e.trees, t)
	// Unused floors of the parks.
	for ni := range t.kind {
		if t.kind[ni] != nodePark {
			continue
		}
		for u := int32(ni); u >= 0; u = t.parent[u] {
			if t.kind[u] == nodePark {
				e.accts[t.acct[u]].left += s.bucket[ni]
			}
		}
	}
}

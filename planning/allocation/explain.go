package allocation

import (
	"sort"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// result assembles decisions, account totals and notes.
func (e *engine) result() Result {
	r := Result{
		Method:        e.method,
		Year:          e.in.Year,
		PolicyVersion: e.c.p.Version,
		Available:     e.in.Available,
		Reserve:       e.reserve - e.parkEarmark,
		ParkEarmark:   e.parkEarmark,
		Distributable: e.distrib,
	}
	// Account totals: grants add up the parent chain.
	for i := range e.projs {
		pj := &e.projs[i]
		for u := pj.acct; u >= 0; u = e.accts[u].parent {
			e.accts[u].granted += pj.granted
			if pj.inExempt {
				e.accts[u].exempt += pj.granted
			}
		}
	}
	var left Area
	for _, d := range e.dists {
		a := &e.accts[d]
		a.left = a.pool - (a.granted - a.earmark)
		left += a.left
		r.Granted += a.granted
	}
	earmarkLeft := e.parkEarmark - e.earmarkUsed
	r.ReturnedToReserve = e.excess + left + earmarkLeft
	r.ScoreWeightedHectares = scoreHectares(e.objective)
	r.Exact, r.GapBound = e.gap == 0, scoreHectares(e.gap)

	// Ranks within each account: score descending, then project id.
	byAcct := make([][]int, len(e.accts))
	for i := range e.projs {
		byAcct[e.projs[i].acct] = append(byAcct[e.projs[i].acct], i)
	}
	r.Decisions = make([]Decision, 0, len(e.projs))
	for ai := range e.accts {
		list := byAcct[ai]
		sort.SliceStable(list, func(x, y int) bool { return e.projs[list[x]].q > e.projs[list[y]].q })
		for k, i := range list {
			e.projs[i].rank = k + 1
			r.Decisions = append(r.Decisions, e.decision(&e.projs[i]))
		}
	}

	r.Accounts = make([]AccountTotal, len(e.accts))
	for i := range e.accts {
		r.Accounts[i] = e.accountTotal(i)
	}

	note := func(t text) {
		r.Notes = append(r.Notes, t.en)
		r.NotesZh = append(r.NotesZh, t.zh)
	}
	note(say(pReserve, haMu(e.reserve), percent(e.c.reserveShare), haMu(e.in.Available), haMu(e.distrib)))
	if e.parkEarmark > 0 {
		note(say(pEarmark, haMu(e.parkEarmark), percent(e.c.earmarkShare), haMu(e.earmarkUsed), haMu(earmarkLeft)))
	}
	if e.floorsShrunk {
		note(say(pFloorsShrunk))
	}
	if e.excess > 0 {
		note(say(pExcess, haMu(e.excess)))
	}
	for _, d := range e.dists {
		if a := &e.accts[d]; a.gap > 0 {
			note(say(pSearchStopped, same(name(a.a)), same(num(scoreHectares(a.gap), 3))))
		}
	}
	if left > 0 {
		note(say(pDistrictsLeft, haMu(left)))
	}
	return r
}

// scoreHectares converts Σ score thousandths × Area to score × hm².
func scoreHectares(v int64) float64 { return float64(v) / 1000 / float64(AreaPerHectare) }

func pct(x float64) string { return num(x*100, 1) + "%" }

func (e *engine) accountTotal(i int) AccountTotal {
	a := &e.accts[i]
	t := AccountTotal{
		AccountID: a.a.ID, ParentID: a.a.ParentID, Kind: a.a.Kind, Name: a.a.Name,
		Need: a.needAll, Granted: a.granted, Earmark: a.earmark, Exempt: a.exempt, Held: a.a.Held, Projects: a.projects,
		Notes: []string{}, NotesZh: []string{},
	}
	if a.hasCap {
		room := a.room
		t.Cap = &room
	}
	note := func(n text) {
		t.Notes = append(t.Notes, n.en)
		t.NotesZh = append(t.NotesZh, n.zh)
	}
	if a.parent < 0 {
		t.Pool, t.Left, t.Floor, t.FactorShare, t.FactorBase, t.FactorCoefficient = a.pool, a.left, a.lo, a.share, a.base, a.coef
		e.districtNotes(a, note)
		return t
	}
	t.Pool, t.Left, t.Floor = a.floorCut, a.left, a.floorCut
	e.parkNotes(a, note)
	return t
}

// districtNotes explains district a's pool: its factor share, what held
// or raised it, the 增存挂钩 cut, what was left and what the earmark added.
func (e *engine) districtNotes(a *acct, note func(text)) {
	note(e.shareNote(a))
	ideal := a.share * float64(e.distrib)
	switch {
	case a.hi != noCap && a.pool == a.hi && float64(a.pool) < ideal-0.5:
		note(say(pPoolAtCap, haMu(a.hi)))
	case a.lo > 0 && a.pool == a.lo && float64(a.pool) > ideal+0.5:
		note(say(pPoolAtFloor, haMu(a.lo)))
	}
	if a.cutActive {
		rate, floor := percent(a.a.Facts.SupplyRate5y), percent(e.c.supplyFloor)
		if e.c.suspend {
			note(say(pPoolSuspended, rate, floor, e.exemptNames()))
		} else {
			note(say(pPoolCut, rate, floor, haMu(a.regCap), percent(e.c.cutFraction), e.exemptNames()))
		}
	}
	if a.left > 0 {
		note(say(pPoolLeft, haMu(a.left)))
	}
	if a.earmark > 0 {
		note(say(pPoolEarmark, haMu(a.earmark)))
	}
}

// parkNotes explains park a: its floor in the district pool, its cap, the
// tilt, its part of the earmark and its exempt grants.
func (e *engine) parkNotes(a *acct, note func(text)) {
	if a.effFloor > 0 || a.floor > 0 {
		district := same(name(e.accts[a.district].a))
		if a.floorCut < a.floor {
			note(say(pParkFloorLimited, haMu(a.floorCut), district, haMu(a.floor)))
		} else {
			note(say(pParkFloor, haMu(a.floorCut), district))
		}
	}
	if a.hasCap {
		note(say(pCapRoom, haMu(a.room), haMu(a.a.Held)))
	}
	if a.coop {
		note(say(pTilted, same(a.coopName)))
	}
	if a.earNeed > 0 {
		note(say(pParkEarmark, haMu(a.earNeed), haMu(e.parkEarmark), haMu(a.earShare), haMu(a.earmark), haMu(a.earShare-a.earmark)))
	}
	if a.exempt > 0 {
		note(say(pParkExempt, haMu(a.exempt)))
	}
}

// shareNote explains district a's factor share term by term: the base
// share from the share factors, each coefficient and threshold, and the
// normalisation.
func (e *engine) shareNote(a *acct) text {
	var terms, coefs []text
	for k, f := range e.c.weights {
		if f.role() == RoleShare {
			terms = append(terms, say(pShareTerm, same(num(f.Weight, -1)), percent(a.parts[k]), factorName(f.Name)))
		}
	}
	for k, f := range e.c.weights {
		if f.role() != RoleShare {
			coefs = append(coefs, e.coefficientTerm(a, k, f))
		}
	}
	share, base, termsT := percent(a.share), percent(a.base), join(terms, same(" + "))
	if len(coefs) == 0 {
		return say(pShare, share, base, termsT)
	}
	return say(pShareCoefficient, share, base, same(num(a.coef, 3)), same(num(e.norm, 4)), termsT, join(coefs, same(" × ")))
}

// coefficientTerm explains what factor k (a coefficient or threshold)
// multiplied district a's share by.
func (e *engine) coefficientTerm(a *acct, k int, f Factor) text {
	x := factorValue(f.Name, a)
	val := func(x float64) text {
		if f.Name == FactorSupplyRate5y {
			return percent(x)
		}
		return say(pPerMu, same(num(x, 2)))
	}
	factor, w, m := factorName(f.Name), same(num(f.Weight, -1)), same(num(a.parts[k], 3))
	switch {
	case !ratioKnown(f.Name, x):
		return say(pCoefUnknown, factor)
	case f.role() == RoleThreshold && a.parts[k] < 1:
		return say(pCoefBelowThreshold, factor, val(x), val(*f.Threshold), w, m)
	case f.role() == RoleThreshold:
		return say(pCoefReachesThreshold, factor, val(x), val(*f.Threshold))
	case e.means[k] <= 0:
		return say(pCoefMeanZero, factor)
	}
	r := x / e.means[k]
	if r < coefMin || r > coefMax {
		held := same(num(min(max(r, coefMin), coefMax), 1))
		return say(pCoefRatioHeld, factor, val(x), val(e.means[k]), same(num(r, 3)), held, w, m)
	}
	return say(pCoefRatio, factor, val(x), val(e.means[k]), same(num(r, 3)), w, m)
}

// num formats x with d decimals (-1: as few as needed).
func num(x float64, d int) string { return strconv.FormatFloat(x, 'f', d, 64) }

// decision builds a project's decision and its explanation.
func (e *engine) decision(pj *proj) Decision {
	pr := pj.p
	a := &e.accts[pj.acct]
	d := &e.accts[pj.district]
	dec := Decision{
		ProjectID: pr.ID, Name: pr.Name, Category: pr.Category, AccountID: a.a.ID, DistrictID: d.a.ID,
		Need: pr.Need, Granted: pj.granted, EarmarkGranted: pj.earmark, Score: pj.score, Components: pj.comps,
		Rank: pj.rank, PoolRank: pj.poolRank, Exempt: pj.inExempt,
	}
	explain := func(outcome Outcome, rule string, t text) Decision {
		dec.Outcome, dec.DecidedBy, dec.ExplanationEn, dec.ExplanationZh = outcome, rule, t.en, t.zh
		return dec
	}
	dn := same(name(d.a))
	rankArgs := []text{same(strconv.FormatFloat(pj.score, 'f', 2, 64)), same(strconv.Itoa(pj.poolRank)), same(strconv.Itoa(d.items)), dn}
	var exempt text
	switch {
	case pj.inExempt && pr.NationalKey:
		exempt = say(pExemptNationalKey)
	case pj.inExempt:
		exempt = say(pExemptCategory, categoryName(pr.Category))
	}
	switch pj.st {
	case stIneligible:
		return explain(OutcomeRefused, RuleIneligible, say(pIneligible,
			inM2(amount.FromM2(pr.FarmlandOverlapM2)), inM2(amount.FromM2(pr.RedLineOverlapM2)), inM2(amount.FromM2(pr.OutsideBoundaryM2))))
	case stNoNeed:
		return explain(OutcomeGranted, RuleNoQuotaNeeded, say(pNoNeed))
	case stSuspended:
		return explain(OutcomeRefused, RuleSupplyRateSuspended, say(pRefusedSuspended,
			dn, percent(d.a.Facts.SupplyRate5y), percent(e.c.supplyFloor), e.exemptNames()))
	}
	need, g := haMu(pr.Need), pj.granted
	if pj.earmark > 0 {
		return e.earmarkDecision(dec, pj, sayThen(exempt, pRank, rankArgs...))
	}
	tail := sayThen(exempt.plus(e.earmarkMissed(pj)), pRank, rankArgs...)
	minShare := percent(e.c.minFraction[pr.Category.index()])
	switch {
	case g == pr.Need && e.method == MethodOptimal:
		return explain(OutcomeGranted, RuleGranted, sayThen(tail, pGrantedBest, need, bestCombination(d), dn))
	case g == pr.Need:
		return explain(OutcomeGranted, RuleGranted, sayThen(tail, pGrantedInTurn, need))
	case g > 0:
		return explain(OutcomePartial, e.bindRule(pj), sayThen(tail, pPartial, haMu(g), need, e.bindPhrase(pj, true), categoryName(pr.Category), minShare))
	}
	where := e.bindPhrase(pj, pj.avail == 0)
	switch {
	case pj.avail == 0:
		return explain(OutcomeWaiting, e.bindRule(pj), sayThen(tail, pWaiting, where))
	case pj.avail >= pj.base:
		// Only the optimal method leaves out a project that fits: it
		// adds nothing to the total score.
		return explain(OutcomeWaiting, RuleNotSelected, sayThen(say(pRank, rankArgs...), pNotSelected))
	case pj.base == pr.Need:
		return explain(OutcomeWaiting, RuleAllOrNothing, sayThen(tail, pAllOrNothing, haMu(pj.avail), where, need, categoryName(pr.Category)))
	}
	return explain(OutcomeWaiting, RuleBelowMinPartial, sayThen(tail, pBelowMinPartial, haMu(pj.avail), where, haMu(pj.base), minShare, need))
}

// earmarkDecision explains a project topped up from the cooperation-park
// earmark: how much came from the district pool and how much from the
// earmark, and what stopped the earmark when the need is not covered.
func (e *engine) earmarkDecision(dec Decision, pj *proj, tail text) Decision {
	pr := pj.p
	parts := say(pEarmarkParts, haMu(pj.granted-pj.earmark), same(name(e.accts[pj.district].a)), haMu(pj.earmark),
		same(name(e.accts[e.accts[pj.acct].tiltRoot].a)))
	var t text
	if pj.granted == pr.Need {
		dec.Outcome, dec.DecidedBy = OutcomeGranted, RuleGranted
		t = sayThen(tail, pEarmarkFull, haMu(pr.Need), parts)
	} else {
		dec.Outcome, dec.DecidedBy = OutcomePartial, RuleEarmarkExhausted
		stop := say(pEarmarkUsedUp)
		if pj.earBind >= 0 {
			ca := &e.accts[pj.earBind]
			dec.DecidedBy = RuleAccountCap
			stop = say(pEarmarkCapReached, same(name(ca.a)), haMu(ca.room))
		}
		t = sayThen(tail, pPartial, haMu(pj.granted), haMu(pr.Need), parts.plus(stop), categoryName(pr.Category), percent(e.c.minFraction[pr.Category.index()]))
	}
	dec.ExplanationEn, dec.ExplanationZh = t.en, t.zh
	return dec
}

// earmarkMissed explains why a project that competed for its park's
// earmark got nothing from it (empty when it did not compete or the park
// received no share).
func (e *engine) earmarkMissed(pj *proj) text {
	if !pj.earCand {
		return text{}
	}
	ra := &e.accts[e.accts[pj.acct].tiltRoot]
	park := same(name(ra.a))
	switch {
	case ra.earShare == 0:
		return text{}
	case pj.earBind >= 0:
		return say(pEarmarkMissedCap, park, same(name(e.accts[pj.earBind].a)), haMu(pj.earAvail))
	case pj.earAvail == 0:
		return say(pEarmarkMissedRanked, park, haMu(ra.earShare))
	}
	return say(pEarmarkMissedLittle, park, haMu(pj.earAvail))
}

// exemptNames lists what 增存挂钩 exempts: national key projects and the
// policy's exempt categories.
func (e *engine) exemptNames() text {
	list := []text{say(pNationalKeyProjects)}
	for _, c := range Categories() {
		if e.c.exemptCat[c.index()] {
			list = append(list, categoryName(c))
		}
	}
	return join(list, listSep)
}

// bestCombination names what the optimal method chose in district d: the
// combination with the highest total score, or the best one found when the
// search stopped at its budget.
func bestCombination(d *acct) text {
	if d.gap > 0 {
		return say(pBestFound)
	}
	return say(pBestExact)
}

// bindRule names the constraint that limited a project.
func (e *engine) bindRule(pj *proj) string {
	if pj.bind < 0 {
		return RuleAccountExhausted
	}
	switch pj.bindKind {
	case nodeRegular:
		return RuleSupplyRateCut
	case nodePark:
		return RuleAccountCap
	}
	return RuleAccountExhausted
}

// bindPhrase describes the binding constraint: as used up (exhausted) or
// as the amount something was left of.
func (e *engine) bindPhrase(pj *proj, exhausted bool) text {
	d := &e.accts[pj.district]
	dn := same(name(d.a))
	switch {
	case pj.bind < 0 && !exhausted:
		return say(pOfPool, dn, haMu(d.pool))
	case pj.bind < 0 && e.method == MethodOptimal:
		return say(pPoolToBest, dn, haMu(d.pool), bestCombination(d))
	case pj.bind < 0:
		return say(pPoolUsed, dn, haMu(d.pool))
	case pj.bindKind == nodeRegular:
		rate, floor := percent(d.a.Facts.SupplyRate5y), percent(e.c.supplyFloor)
		if !exhausted {
			return say(pOfOrdinary, haMu(d.regCap), dn, rate, floor)
		}
		return say(pOrdinaryUsed, dn, rate, floor, haMu(d.regCap))
	}
	pa := &e.accts[e.trees[e.distIndex(pj.district)].acct[pj.bind]]
	if !exhausted {
		return say(pUnderCap, same(name(pa.a)), haMu(pa.room))
	}
	return say(pCapReached, same(name(pa.a)), haMu(pa.room))
}

// distIndex is the position of district account d in e.dists.
func (e *engine) distIndex(d int) int {
	return sort.SearchInts(e.dists, d)
}

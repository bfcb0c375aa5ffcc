package allocation

// The explanations as explain.go built them by hand before they became
// data; TestExplanationsAsBefore compares the two.

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// result assembles decisions, account totals and notes.
func (e *engine) resultOld() Result {
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
			r.Decisions = append(r.Decisions, e.decisionOld(&e.projs[i]))
		}
	}

	r.Accounts = make([]AccountTotal, len(e.accts))
	for i := range e.accts {
		r.Accounts[i] = e.accountTotalOld(i)
	}

	r.Notes = append(r.Notes, "Reserve kept at city level: "+amount.FormatHaMu(e.reserve, false)+" ("+pct(e.c.reserveShare)+" of "+amount.FormatHaMu(e.in.Available, false)+"); "+amount.FormatHaMu(e.distrib, false)+" split between districts by the factor method.")
	r.NotesZh = append(r.NotesZh, "市级预留 "+amount.FormatHaMu(e.reserve, true)+"（可用指标 "+amount.FormatHaMu(e.in.Available, true)+"的 "+pct(e.c.reserveShare)+"），其余 "+amount.FormatHaMu(e.distrib, true)+"按因素法分配到各区县。")
	if e.parkEarmark > 0 {
		r.Notes = append(r.Notes, "Cooperation-park earmark (合作园专项): "+amount.FormatHaMu(e.parkEarmark, false)+" ("+pct(e.c.earmarkShare)+" of the available quota) taken from the reserve for the parks that receive the tilt; "+
			amount.FormatHaMu(e.earmarkUsed, false)+" granted to their projects, "+amount.FormatHaMu(earmarkLeft, false)+" unused goes back to the reserve.")
		r.NotesZh = append(r.NotesZh, "合作园专项：从市级预留中安排 "+amount.FormatHaMu(e.parkEarmark, true)+"（可用指标的 "+pct(e.c.earmarkShare)+"）给享受倾斜的园区，其中 "+
			amount.FormatHaMu(e.earmarkUsed, true)+"安排给园区项目，未用的 "+amount.FormatHaMu(earmarkLeft, true)+"退回预留。")
	}
	if e.floorsShrunk {
		r.Notes = append(r.Notes, "The floors of the districts (with their parks' floors) asked for more than the distributable quota; they were shrunk in proportion.")
		r.NotesZh = append(r.NotesZh, "各区县保底（含所辖园区保底）之和超过可分配指标，已按比例压缩。")
	}
	if e.excess > 0 {
		r.Notes = append(r.Notes, amount.FormatHaMu(e.excess, false)+" could not be split because district caps were reached; it goes back to the reserve.")
		r.NotesZh = append(r.NotesZh, "因各区县达到上限，"+amount.FormatHaMu(e.excess, true)+"未能分配，退回预留。")
	}
	for _, d := range e.dists {
		a := &e.accts[d]
		if a.gap > 0 {
			g := strconv.FormatFloat(scoreHectares(a.gap), 'f', 3, 64)
			r.Notes = append(r.Notes, "The optimal search for "+name(a.a)+"'s pool stopped at its work budget: its grants are the best combination found, and the true optimum is at most "+g+" score·hm² higher (proven bound).")
			r.NotesZh = append(r.NotesZh, name(a.a)+"指标池的最优搜索达到计算上限后停止：所列安排为已找到的最好组合，与真正最优解的差距不超过 "+g+" 分·公顷（已证明的上界）。")
		}
	}
	if left > 0 {
		r.Notes = append(r.Notes, amount.FormatHaMu(left, false)+" of district pools was not granted (no project could use it under the rules); it goes back to the reserve.")
		r.NotesZh = append(r.NotesZh, "各区县指标池中 "+amount.FormatHaMu(left, true)+"未安排（按规则无项目可用），退回预留。")
	}
	return r
}

func (e *engine) accountTotalOld(i int) AccountTotal {
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
	add := func(en, zh string) {
		t.Notes = append(t.Notes, en)
		t.NotesZh = append(t.NotesZh, zh)
	}
	if a.parent < 0 {
		t.Pool, t.Left, t.Floor, t.FactorShare, t.FactorBase, t.FactorCoefficient = a.pool, a.left, a.lo, a.share, a.base, a.coef
		e.splitNotesOld(a, add)
		ideal := a.share * float64(e.distrib)
		switch {
		case a.hi != noCap && a.pool == a.hi && float64(a.pool) < ideal-0.5:
			add("Pool held at the cap room "+amount.FormatHaMu(a.hi, false)+" (policy cap less quota already held); the rest was split among the others.",
				"指标池以上限余量 "+amount.FormatHaMu(a.hi, true)+"为限（政策上限减已持有指标），其余分给其他区县。")
		case a.lo > 0 && a.pool == a.lo && float64(a.pool) > ideal+0.5:
			add("Pool raised to its floor "+amount.FormatHaMu(a.lo, false)+" (its own floor or the floors of its parks).",
				"指标池提高到保底 "+amount.FormatHaMu(a.lo, true)+"（本级保底或所辖园区保底之和）。")
		}
		if a.cutActive {
			rate, floor := pct(a.a.Facts.SupplyRate5y), pct(e.c.supplyFloor)
			exEn, exZh := e.exemptNamesOld()
			if e.c.suspend {
				add("5-year supply rate "+rate+" is below the "+floor+" floor (增存挂钩): new quota suspended; only exempt projects ("+exEn+") may use the pool.",
					"近五年平均供地率 "+rate+" 低于 "+floor+"（增存挂钩）：暂停安排新增建设用地指标，仅豁免项目（"+exZh+"）可使用指标池。")
			} else {
				add("5-year supply rate "+rate+" is below the "+floor+" floor (增存挂钩): ordinary projects limited to "+amount.FormatHaMu(a.regCap, false)+" (pool cut by "+pct(e.c.cutFraction)+"); exempt projects ("+exEn+") may use the whole pool.",
					"近五年平均供地率 "+rate+" 低于 "+floor+"（增存挂钩）：一般项目以 "+amount.FormatHaMu(a.regCap, true)+"为限（指标池扣减 "+pct(e.c.cutFraction)+"），豁免项目（"+exZh+"）可使用全部指标池。")
			}
		}
		if a.left > 0 {
			add(amount.FormatHaMu(a.left, false)+" of the pool was not granted and goes back to the reserve.",
				"指标池中 "+amount.FormatHaMu(a.left, true)+"未安排，退回预留。")
		}
		if a.earmark > 0 {
			add(amount.FormatHaMu(a.earmark, false)+" of Granted came from the cooperation-park earmark (合作园专项), on top of the pool.",
				"已安排中 "+amount.FormatHaMu(a.earmark, true)+"来自合作园专项，不占本区指标池。")
		}
		return t
	}
	t.Pool, t.Left, t.Floor = a.floorCut, a.left, a.floorCut
	if a.effFloor > 0 || a.floor > 0 {
		en := "Floor " + amount.FormatHaMu(a.floorCut, false) + " of " + name(e.accts[a.district].a) + "'s pool kept for this park's projects"
		zh := "在" + name(e.accts[a.district].a) + "指标池中为本园区项目保留 " + amount.FormatHaMu(a.floorCut, true)
		if a.floorCut < a.floor {
			en += " (policy floor " + amount.FormatHaMu(a.floor, false) + ", limited to its cap room, its projects' eligible need or the 增存挂钩 cut)"
			zh += "（政策保底 " + amount.FormatHaMu(a.floor, true) + "，受上限余量、项目可安排需求或增存挂钩扣减限制）"
		}
		add(en+"; what they cannot use goes back to the reserve.", zh+"；未用部分退回预留。")
	}
	if a.hasCap {
		add("Cap room "+amount.FormatHaMu(a.room, false)+" (policy cap less "+amount.FormatHaMu(a.a.Held, false)+" already held).",
			"上限余量 "+amount.FormatHaMu(a.room, true)+"（政策上限减已持有 "+amount.FormatHaMu(a.a.Held, true)+"）。")
	}
	if a.coop {
		add("In "+a.coopName+", which receives the tilt: tilt multipliers apply to its projects.", "位于享受倾斜的园区"+a.coopName+"：项目得分按倾斜系数放大。")
	}
	if a.earNeed > 0 {
		add("Cooperation-park earmark (合作园专项): "+amount.FormatHaMu(a.earShare, false)+" of "+amount.FormatHaMu(e.parkEarmark, false)+" for the "+amount.FormatHaMu(a.earNeed, false)+
			" its projects of the earmark categories still needed after the district pool; "+amount.FormatHaMu(a.earmark, false)+" granted, "+amount.FormatHaMu(a.earShare-a.earmark, false)+" unused goes back to the reserve.",
			"合作园专项：按本园区专项类别项目在区指标池安排后仍需的 "+amount.FormatHaMu(a.earNeed, true)+"，从 "+amount.FormatHaMu(e.parkEarmark, true)+"中分得 "+amount.FormatHaMu(a.earShare, true)+
				"，已安排 "+amount.FormatHaMu(a.earmark, true)+"，未用的 "+amount.FormatHaMu(a.earShare-a.earmark, true)+"退回预留。")
	}
	if a.exempt > 0 {
		add(amount.FormatHaMu(a.exempt, false)+" went to exempt projects outside the park's floor and cap (增存挂钩 exemption).",
			amount.FormatHaMu(a.exempt, true)+"安排给豁免项目，不占园区保底和上限（增存挂钩豁免）。")
	}
	return t
}

// splitNotes explains district a's factor share term by term: the base
// share from the share factors, each coefficient and threshold, and the
// normalisation.
func (e *engine) splitNotesOld(a *acct, add func(en, zh string)) {
	num := func(x float64, d int) string { return strconv.FormatFloat(x, 'f', d, 64) }
	en := "Factor share " + pct(a.share) + " = base " + pct(a.base)
	zh := "因素法份额 " + pct(a.share) + " = 基础份额 " + pct(a.base)
	var termsEn, termsZh, coefEn, coefZh []string
	for k, f := range e.c.weights {
		if f.role() != RoleShare {
			continue
		}
		w := num(f.Weight, -1)
		termsEn = append(termsEn, w+" × "+pct(a.parts[k])+" ("+string(f.Name)+")")
		termsZh = append(termsZh, w+" × "+pct(a.parts[k])+"（"+factorZhOld(f.Name)+"）")
	}
	baseEn, baseZh := strings.Join(termsEn, " + "), strings.Join(termsZh, " + ")
	for k, f := range e.c.weights {
		role := f.role()
		if role == RoleShare {
			continue
		}
		x := factorValue(f.Name, a)
		val := func(x float64, zh bool) string {
			if f.Name == FactorSupplyRate5y {
				return pct(x)
			}
			if zh {
				return num(x, 2) + " 万元/亩"
			}
			return num(x, 2) + " 10k yuan/mu"
		}
		w, m := num(f.Weight, -1), num(a.parts[k], 3)
		switch {
		case !ratioKnown(f.Name, x):
			coefEn = append(coefEn, string(f.Name)+" unknown → 1")
			coefZh = append(coefZh, factorZhOld(f.Name)+"无数据 → 1")
		case role == RoleThreshold && a.parts[k] < 1:
			coefEn = append(coefEn, string(f.Name)+" "+val(x, false)+" below the threshold "+val(*f.Threshold, false)+" → 0.5^"+w+" = "+m)
			coefZh = append(coefZh, factorZhOld(f.Name)+" "+val(x, true)+" 低于门槛 "+val(*f.Threshold, true)+" → 0.5^"+w+" = "+m)
		case role == RoleThreshold:
			coefEn = append(coefEn, string(f.Name)+" "+val(x, false)+" reaches the threshold "+val(*f.Threshold, false)+" → 1")
			coefZh = append(coefZh, factorZhOld(f.Name)+" "+val(x, true)+" 达到门槛 "+val(*f.Threshold, true)+" → 1")
		case e.means[k] <= 0:
			coefEn = append(coefEn, string(f.Name)+" mean 0 → 1")
			coefZh = append(coefZh, factorZhOld(f.Name)+"均值为 0 → 1")
		default:
			r := x / e.means[k]
			held, heldZh := "", ""
			if r < coefMin || r > coefMax {
				c := num(min(max(r, coefMin), coefMax), 1)
				held, heldZh = " held at "+c, "，取 "+c
			}
			coefEn = append(coefEn, string(f.Name)+" ("+val(x, false)+" / mean "+val(e.means[k], false)+" = "+num(r, 3)+held+")^"+w+" = "+m)
			coefZh = append(coefZh, factorZhOld(f.Name)+"（"+val(x, true)+" / 均值 "+val(e.means[k], true)+" = "+num(r, 3)+heldZh+"）^"+w+" = "+m)
		}
	}
	if len(coefEn) == 0 {
		add(en+"; base = "+baseEn+".", zh+"；基础份额 = "+baseZh+"。")
		return
	}
	norm := num(e.norm, 4)
	add(en+" × coefficient "+num(a.coef, 3)+" ÷ "+norm+" (so that the shares add up to 100%); base = "+baseEn+
		"; coefficient = "+strings.Join(coefEn, " × ")+" (ratios adjust the share the areas give, within [0.5, 1.5] before the exponent; they never give a share on their own).",
		zh+" × 系数 "+num(a.coef, 3)+" ÷ "+norm+"（使各区份额合计 100%）；基础份额 = "+baseZh+
			"；系数 = "+strings.Join(coefZh, " × ")+"（比率类因素只调节面积类因素给出的份额，取幂前限定在 [0.5, 1.5]，本身不产生份额）。")
}

func factorZhOld(f FactorName) string {
	switch f {
	case FactorSupplyRate5y:
		return "近五年平均供地率"
	case FactorUnsuppliedDisposed:
		return "批而未供处置"
	case FactorIdleDisposed:
		return "闲置土地处置"
	case FactorTaxPerMu:
		return "亩均税收"
	case FactorValueAddedPerMu:
		return "亩均增加值"
	case FactorProjectNeed:
		return "项目用地需求"
	}
	return string(f)
}

// decision builds a project's decision and its explanation.
func (e *engine) decisionOld(pj *proj) Decision {
	pr := pj.p
	a := &e.accts[pj.acct]
	d := &e.accts[pj.district]
	dec := Decision{
		ProjectID: pr.ID, Name: pr.Name, Category: pr.Category, AccountID: a.a.ID, DistrictID: d.a.ID,
		Need: pr.Need, Granted: pj.granted, EarmarkGranted: pj.earmark, Score: pj.score, Components: pj.comps,
		Rank: pj.rank, PoolRank: pj.poolRank, Exempt: pj.inExempt,
	}
	dn := name(d.a)
	scoreS := strconv.FormatFloat(pj.score, 'f', 2, 64)
	rankEn := " Score " + scoreS + ", rank " + strconv.Itoa(pj.poolRank) + " of " + strconv.Itoa(d.items) + " in " + dn + "'s pool."
	rankZh := "综合得分 " + scoreS + "，在" + dn + "指标池中排第 " + strconv.Itoa(pj.poolRank) + " 名（共 " + strconv.Itoa(d.items) + " 个）。"
	exEn, exZh := "", ""
	switch {
	case pj.inExempt && pr.NationalKey:
		exEn = " Exempt from the 增存挂钩 cut as a national key project."
		exZh = "作为国家重点项目，不受增存挂钩扣减。"
	case pj.inExempt:
		exEn = " Exempt from the 增存挂钩 cut: " + pr.Category.NameEn() + " is an exempt category."
		exZh = "属于豁免类别（" + pr.Category.NameZh() + "），不受增存挂钩扣减。"
	}
	switch pj.st {
	case stIneligible:
		dec.Outcome, dec.DecidedBy = OutcomeRefused, RuleIneligible
		fm, rl, ob := amount.FromM2(pr.FarmlandOverlapM2), amount.FromM2(pr.RedLineOverlapM2), amount.FromM2(pr.OutsideBoundaryM2)
		dec.ExplanationEn = "Refused: its parcels are not eligible for new construction land: " + amount.FormatM2(fm, false) +
			" overlap permanent basic farmland, " + amount.FormatM2(rl, false) + " the ecological red line, and " + amount.FormatM2(ob, false) +
			" lie outside the urban development boundary."
		dec.ExplanationZh = "不予安排：项目地块不符合新增建设用地条件，与永久基本农田重叠 " + amount.FormatM2(fm, true) +
			"，与生态保护红线重叠 " + amount.FormatM2(rl, true) + "，位于城镇开发边界外 " + amount.FormatM2(ob, true) + "。"
		return dec
	case stNoNeed:
		dec.Outcome, dec.DecidedBy = OutcomeGranted, RuleNoQuotaNeeded
		dec.ExplanationEn = "No new quota needed: the project builds on land that is already construction land."
		dec.ExplanationZh = "无需新增建设用地计划指标：项目使用存量建设用地。"
		return dec
	case stSuspended:
		dec.Outcome, dec.DecidedBy = OutcomeRefused, RuleSupplyRateSuspended
		rate, floor := pct(d.a.Facts.SupplyRate5y), pct(e.c.supplyFloor)
		exEn, exZh := e.exemptNamesOld()
		dec.ExplanationEn = "Refused this year: " + dn + "'s 5-year supply rate " + rate + " is below the " + floor +
			" floor (增存挂钩), so new quota is suspended except for exempt projects (" + exEn + ")."
		dec.ExplanationZh = "本年度不予安排：" + dn + "近五年平均供地率 " + rate + " 低于 " + floor + "（增存挂钩），除豁免项目（" + exZh + "）外暂停安排新增建设用地指标。"
		return dec
	}
	need := pr.Need
	g := pj.granted
	if pj.earmark > 0 {
		return e.earmarkDecisionOld(dec, pj, rankEn+exEn, rankZh+exZh)
	}
	earEn, earZh := e.earmarkMissedOld(pj)
	exEn += earEn
	exZh += earZh
	switch {
	case g == need:
		dec.Outcome, dec.DecidedBy = OutcomeGranted, RuleGranted
		if e.method == MethodOptimal {
			best, bestZh := bestCombinationOld(d)
			dec.ExplanationEn = "Granted in full: " + amount.FormatHaMu(need, false) + ", part of " + best + " for " + dn + "'s pool." + rankEn + exEn
			dec.ExplanationZh = "全额安排 " + amount.FormatHaMu(need, true) + "，属于" + dn + "指标池" + bestZh + "。" + rankZh + exZh
		} else {
			dec.ExplanationEn = "Granted in full: " + amount.FormatHaMu(need, false) + "; quota was still left when its turn came." + rankEn + exEn
			dec.ExplanationZh = "全额安排 " + amount.FormatHaMu(need, true) + "，轮到该项目时仍有指标。" + rankZh + exZh
		}
		return dec
	case g > 0:
		dec.Outcome, dec.DecidedBy = OutcomePartial, e.bindRule(pj)
		en, zh := e.bindPhraseOld(pj, true)
		mf := pct(e.c.minFraction[pr.Category.index()])
		dec.ExplanationEn = "Granted " + amount.FormatHaMu(g, false) + " of the " + amount.FormatHaMu(need, false) + " needed: " + en +
			". Projects of this category (" + pr.Category.NameEn() + ") may be granted in part, down to " + mf + " of the need." + rankEn + exEn
		dec.ExplanationZh = "部分安排 " + amount.FormatHaMu(g, true) + "（需求 " + amount.FormatHaMu(need, true) + "）：" + zh +
			"。" + pr.Category.NameZh() + "可部分安排，最低为需求的 " + mf + "。" + rankZh + exZh
		return dec
	}
	dec.Outcome = OutcomeWaiting
	en, zh := e.bindPhraseOld(pj, pj.avail == 0)
	switch {
	case pj.avail == 0:
		dec.DecidedBy = e.bindRule(pj)
		dec.ExplanationEn = "Waiting: " + en + "." + rankEn + exEn
		dec.ExplanationZh = "待安排：" + zh + "。" + rankZh + exZh
	case pj.avail >= pj.base:
		// Only the optimal method leaves out a project that fits: it
		// adds nothing to the total score.
		dec.DecidedBy = RuleNotSelected
		dec.ExplanationEn = "Waiting: its score adds nothing to the total, so the optimal combination leaves it out." + rankEn
		dec.ExplanationZh = "待安排：该项目得分为零，最优组合未纳入。" + rankZh
	case pj.base == need:
		dec.DecidedBy = RuleAllOrNothing
		dec.ExplanationEn = "Waiting: only " + amount.FormatHaMu(pj.avail, false) + " was left " + en + ", less than the full " +
			amount.FormatHaMu(need, false) + " this all-or-nothing " + pr.Category.NameEn() + " needs." + rankEn + exEn
		dec.ExplanationZh = "待安排：" + zh + "仅余 " + amount.FormatHaMu(pj.avail, true) + "，不足该" + pr.Category.NameZh() +
			"须整体安排的 " + amount.FormatHaMu(need, true) + "。" + rankZh + exZh
	default:
		dec.DecidedBy = RuleBelowMinPartial
		mf := pct(e.c.minFraction[pr.Category.index()])
		dec.ExplanationEn = "Waiting: only " + amount.FormatHaMu(pj.avail, false) + " was left " + en + ", less than the minimum partial grant of " +
			amount.FormatHaMu(pj.base, false) + " (" + mf + " of the " + amount.FormatHaMu(need, false) + " needed)." + rankEn + exEn
		dec.ExplanationZh = "待安排：" + zh + "仅余 " + amount.FormatHaMu(pj.avail, true) + "，低于最低部分安排量 " +
			amount.FormatHaMu(pj.base, true) + "（需求 " + amount.FormatHaMu(need, true) + "的 " + mf + "）。" + rankZh + exZh
	}
	return dec
}

// earmarkDecision explains a project topped up from the cooperation-park
// earmark: how much came from the district pool and how much from the
// earmark, and what stopped the earmark when the need is not covered.
func (e *engine) earmarkDecisionOld(dec Decision, pj *proj, tailEn, tailZh string) Decision {
	pr := pj.p
	dn := name(e.accts[pj.district].a)
	park := name(e.accts[e.accts[pj.acct].tiltRoot].a)
	fromPool := pj.granted - pj.earmark
	partsEn := amount.FormatHaMu(fromPool, false) + " from " + dn + "'s pool and " + amount.FormatHaMu(pj.earmark, false) + " from the cooperation-park earmark (合作园专项) of " + park
	partsZh := "其中 " + amount.FormatHaMu(fromPool, true) + "来自" + dn + "指标池，" + amount.FormatHaMu(pj.earmark, true) + "来自" + park + "合作园专项"
	if pj.granted == pr.Need {
		dec.Outcome, dec.DecidedBy = OutcomeGranted, RuleGranted
		dec.ExplanationEn = "Granted in full: " + amount.FormatHaMu(pr.Need, false) + ", " + partsEn + ", which tops up what the pool left uncovered." + tailEn
		dec.ExplanationZh = "全额安排 " + amount.FormatHaMu(pr.Need, true) + "，" + partsZh + "（补足区指标池未安排的部分）。" + tailZh
		return dec
	}
	dec.Outcome = OutcomePartial
	stopEn, stopZh := "; the earmark was then used up", "，专项已用完"
	dec.DecidedBy = RuleEarmarkExhausted
	if pj.earBind >= 0 {
		ca := &e.accts[pj.earBind]
		dec.DecidedBy = RuleAccountCap
		stopEn = "; then the cap of " + name(ca.a) + " (" + amount.FormatHaMu(ca.room, false) + " of room) was reached"
		stopZh = "，" + name(ca.a) + "上限余量 " + amount.FormatHaMu(ca.room, true) + "已用完"
	}
	mf := pct(e.c.minFraction[pr.Category.index()])
	dec.ExplanationEn = "Granted " + amount.FormatHaMu(pj.granted, false) + " of the " + amount.FormatHaMu(pr.Need, false) + " needed: " + partsEn + stopEn +
		". Projects of this category (" + pr.Category.NameEn() + ") may be granted in part, down to " + mf + " of the need." + tailEn
	dec.ExplanationZh = "部分安排 " + amount.FormatHaMu(pj.granted, true) + "（需求 " + amount.FormatHaMu(pr.Need, true) + "）：" + partsZh + stopZh +
		"。" + pr.Category.NameZh() + "可部分安排，最低为需求的 " + mf + "。" + tailZh
	return dec
}

// earmarkMissed explains why a project that competed for its park's
// earmark got nothing from it ("" when it did not compete or the park
// received no share).
func (e *engine) earmarkMissedOld(pj *proj) (string, string) {
	if !pj.earCand {
		return "", ""
	}
	ra := &e.accts[e.accts[pj.acct].tiltRoot]
	park := name(ra.a)
	if ra.earShare == 0 {
		return "", ""
	}
	switch {
	case pj.earBind >= 0:
		ca := &e.accts[pj.earBind]
		return " The cooperation-park earmark (合作园专项) of " + park + " could not top it up: the cap of " + name(ca.a) + " left " + amount.FormatHaMu(pj.earAvail, false) + ".",
			park + "合作园专项未能补足：" + name(ca.a) + "上限仅余 " + amount.FormatHaMu(pj.earAvail, true) + "。"
	case pj.earAvail == 0:
		return " The cooperation-park earmark (合作园专项) of " + park + ", " + amount.FormatHaMu(ra.earShare, false) + ", went to higher-ranked projects of the park.",
			park + "合作园专项 " + amount.FormatHaMu(ra.earShare, true) + "已安排给园区内排名更高的项目。"
	}
	return " The cooperation-park earmark (合作园专项) of " + park + " had only " + amount.FormatHaMu(pj.earAvail, false) + " left at its turn, less than its minimum grant.",
		park + "合作园专项轮到该项目时仅余 " + amount.FormatHaMu(pj.earAvail, true) + "，低于其最低安排量。"
}

// exemptNames lists what 增存挂钩 exempts: national key projects and the
// policy's exempt categories.
func (e *engine) exemptNamesOld() (string, string) {
	en, zh := "national key projects", "国家重点项目"
	for _, c := range Categories() {
		if e.c.exemptCat[c.index()] {
			en += ", " + c.NameEn()
			zh += "、" + c.NameZh()
		}
	}
	return en, zh
}

// bestCombination names what the optimal method chose in district d: the
// combination with the highest total score, or the best one found when the
// search stopped at its budget.
func bestCombinationOld(d *acct) (string, string) {
	if d.gap > 0 {
		return "the best combination of projects found within the search budget", "计算上限内找到的最好项目组合"
	}
	return "the combination of projects with the highest total score", "总得分最高的项目组合"
}

// bindPhrase describes the binding constraint: as used up (exhausted) or
// as the amount something was left of.
func (e *engine) bindPhraseOld(pj *proj, exhausted bool) (string, string) {
	d := &e.accts[pj.district]
	dn := name(d.a)
	if pj.bind < 0 {
		switch {
		case !exhausted:
			return "of " + dn + "'s pool of " + amount.FormatHaMu(d.pool, false), dn + "指标池 " + amount.FormatHaMu(d.pool, true) + "中"
		case e.method == MethodOptimal:
			best, bestZh := bestCombinationOld(d)
			return dn + "'s pool of " + amount.FormatHaMu(d.pool, false) + " went to " + best,
				dn + "指标池 " + amount.FormatHaMu(d.pool, true) + "已安排给" + bestZh
		}
		return dn + "'s pool of " + amount.FormatHaMu(d.pool, false) + " was used by higher-ranked projects",
			dn + "指标池 " + amount.FormatHaMu(d.pool, true) + "已被排名更高的项目使用"
	}
	if pj.bindKind == nodeRegular {
		rate, floor := pct(d.a.Facts.SupplyRate5y), pct(e.c.supplyFloor)
		if !exhausted {
			return "of the " + amount.FormatHaMu(d.regCap, false) + " that " + dn + "'s ordinary projects share under the 增存挂钩 cut (5-year supply rate " + rate + ", below " + floor + ")",
				dn + "一般项目在增存挂钩扣减后（近五年平均供地率 " + rate + "，低于 " + floor + "）可用的 " + amount.FormatHaMu(d.regCap, true) + "中"
		}
		return dn + "'s 5-year supply rate " + rate + " is below the " + floor + " floor (增存挂钩), so its ordinary projects share only " + amount.FormatHaMu(d.regCap, false) + ", already used",
			dn + "近五年平均供地率 " + rate + " 低于 " + floor + "（增存挂钩），一般项目仅可使用 " + amount.FormatHaMu(d.regCap, true) + "，已用完"
	}
	pa := &e.accts[e.trees[e.distIndex(pj.district)].acct[pj.bind]]
	pn := name(pa.a)
	if !exhausted {
		return "under the cap of " + pn + " (" + amount.FormatHaMu(pa.room, false) + " of room)", pn + "上限余量 " + amount.FormatHaMu(pa.room, true) + "中"
	}
	return "the cap of " + pn + " (" + amount.FormatHaMu(pa.room, false) + " of room) was reached",
		pn + "上限余量 " + amount.FormatHaMu(pa.room, true) + "已用完"
}

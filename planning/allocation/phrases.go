package allocation

import (
	"fmt"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// The explanations of a run (its notes, each account's notes, each
// decision's explanation) are data: phrases holds each phrase once in
// English and Chinese, and explain.go only chooses the phrase and gives its
// values. A phrase's args names its placeholders in the order say takes
// them; {name} in a text shows that value in the text's language. Values
// are themselves bilingual (an area reads "1.00 hm² (15.00 mu)" or "1.00
// 公顷（15.00 亩）"), and a phrase may be the value of another.
type phraseID uint8

const (
	// Notes of the run.
	pReserve phraseID = iota
	pEarmark
	pFloorsShrunk
	pExcess
	pSearchStopped
	pDistrictsLeft
	// Notes of a district account.
	pShare
	pShareCoefficient
	pShareTerm
	pCoefUnknown
	pCoefBelowThreshold
	pCoefReachesThreshold
	pCoefMeanZero
	pCoefRatio
	pCoefRatioHeld
	pPerMu
	pPoolAtCap
	pPoolAtFloor
	pPoolSuspended
	pPoolCut
	pPoolLeft
	pPoolEarmark
	// Notes of a park account.
	pParkFloor
	pParkFloorLimited
	pCapRoom
	pTilted
	pParkEarmark
	pParkExempt
	// A decision: its tail (rank, exemption, the earmark it missed).
	pRank
	pExemptNationalKey
	pExemptCategory
	pEarmarkMissedCap
	pEarmarkMissedRanked
	pEarmarkMissedLittle
	// A decision.
	pIneligible
	pNoNeed
	pRefusedSuspended
	pGrantedBest
	pGrantedInTurn
	pPartial
	pWaiting
	pNotSelected
	pAllOrNothing
	pBelowMinPartial
	pEarmarkParts
	pEarmarkFull
	pEarmarkUsedUp
	pEarmarkCapReached
	// What bound a project.
	pOfPool
	pPoolToBest
	pPoolUsed
	pOfOrdinary
	pOrdinaryUsed
	pUnderCap
	pCapReached
	pBestFound
	pBestExact
	// Names.
	pNationalKeyProjects
	numPhrases
)

var phrases = [numPhrases]struct{ args, en, zh string }{
	pReserve: {"reserve share available distrib",
		"Reserve kept at city level: {reserve} ({share} of {available}); {distrib} split between districts by the factor method.",
		"市级预留 {reserve}（可用指标 {available}的 {share}），其余 {distrib}按因素法分配到各区县。"},
	pEarmark: {"earmark share used left",
		"Cooperation-park earmark (合作园专项): {earmark} ({share} of the available quota) taken from the reserve for the parks that receive the tilt; {used} granted to their projects, {left} unused goes back to the reserve.",
		"合作园专项：从市级预留中安排 {earmark}（可用指标的 {share}）给享受倾斜的园区，其中 {used}安排给园区项目，未用的 {left}退回预留。"},
	pFloorsShrunk: {"",
		"The floors of the districts (with their parks' floors) asked for more than the distributable quota; they were shrunk in proportion.",
		"各区县保底（含所辖园区保底）之和超过可分配指标，已按比例压缩。"},
	pExcess: {"excess",
		"{excess} could not be split because district caps were reached; it goes back to the reserve.",
		"因各区县达到上限，{excess}未能分配，退回预留。"},
	pSearchStopped: {"district bound",
		"The optimal search for {district}'s pool stopped at its work budget: its grants are the best combination found, and the true optimum is at most {bound} score·hm² higher (proven bound).",
		"{district}指标池的最优搜索达到计算上限后停止：所列安排为已找到的最好组合，与真正最优解的差距不超过 {bound} 分·公顷（已证明的上界）。"},
	pDistrictsLeft: {"left",
		"{left} of district pools was not granted (no project could use it under the rules); it goes back to the reserve.",
		"各区县指标池中 {left}未安排（按规则无项目可用），退回预留。"},

	pShare: {"share base terms",
		"Factor share {share} = base {base}; base = {terms}.",
		"因素法份额 {share} = 基础份额 {base}；基础份额 = {terms}。"},
	pShareCoefficient: {"share base coef norm terms coefs",
		"Factor share {share} = base {base} × coefficient {coef} ÷ {norm} (so that the shares add up to 100%); base = {terms}; coefficient = {coefs} (ratios adjust the share the areas give, within [0.5, 1.5] before the exponent; they never give a share on their own).",
		"因素法份额 {share} = 基础份额 {base} × 系数 {coef} ÷ {norm}（使各区份额合计 100%）；基础份额 = {terms}；系数 = {coefs}（比率类因素只调节面积类因素给出的份额，取幂前限定在 [0.5, 1.5]，本身不产生份额）。"},
	pShareTerm:          {"weight part factor", "{weight} × {part} ({factor})", "{weight} × {part}（{factor}）"},
	pCoefUnknown:        {"factor", "{factor} unknown → 1", "{factor}无数据 → 1"},
	pCoefBelowThreshold: {"factor value threshold weight coef", "{factor} {value} below the threshold {threshold} → 0.5^{weight} = {coef}", "{factor} {value} 低于门槛 {threshold} → 0.5^{weight} = {coef}"},
	pCoefReachesThreshold: {"factor value threshold",
		"{factor} {value} reaches the threshold {threshold} → 1", "{factor} {value} 达到门槛 {threshold} → 1"},
	pCoefMeanZero: {"factor", "{factor} mean 0 → 1", "{factor}均值为 0 → 1"},
	pCoefRatio: {"factor value mean ratio weight coef",
		"{factor} ({value} / mean {mean} = {ratio})^{weight} = {coef}", "{factor}（{value} / 均值 {mean} = {ratio}）^{weight} = {coef}"},
	pCoefRatioHeld: {"factor value mean ratio held weight coef",
		"{factor} ({value} / mean {mean} = {ratio} held at {held})^{weight} = {coef}", "{factor}（{value} / 均值 {mean} = {ratio}，取 {held}）^{weight} = {coef}"},
	pPerMu: {"value", "{value} 10k yuan/mu", "{value} 万元/亩"},
	pPoolAtCap: {"room",
		"Pool held at the cap room {room} (policy cap less quota already held); the rest was split among the others.",
		"指标池以上限余量 {room}为限（政策上限减已持有指标），其余分给其他区县。"},
	pPoolAtFloor: {"floor",
		"Pool raised to its floor {floor} (its own floor or the floors of its parks).",
		"指标池提高到保底 {floor}（本级保底或所辖园区保底之和）。"},
	pPoolSuspended: {"rate floor exempt",
		"5-year supply rate {rate} is below the {floor} floor (增存挂钩): new quota suspended; only exempt projects ({exempt}) may use the pool.",
		"近五年平均供地率 {rate} 低于 {floor}（增存挂钩）：暂停安排新增建设用地指标，仅豁免项目（{exempt}）可使用指标池。"},
	pPoolCut: {"rate floor limit cut exempt",
		"5-year supply rate {rate} is below the {floor} floor (增存挂钩): ordinary projects limited to {limit} (pool cut by {cut}); exempt projects ({exempt}) may use the whole pool.",
		"近五年平均供地率 {rate} 低于 {floor}（增存挂钩）：一般项目以 {limit}为限（指标池扣减 {cut}），豁免项目（{exempt}）可使用全部指标池。"},
	pPoolLeft: {"left",
		"{left} of the pool was not granted and goes back to the reserve.",
		"指标池中 {left}未安排，退回预留。"},
	pPoolEarmark: {"earmark",
		"{earmark} of Granted came from the cooperation-park earmark (合作园专项), on top of the pool.",
		"已安排中 {earmark}来自合作园专项，不占本区指标池。"},

	pParkFloor: {"floor district",
		"Floor {floor} of {district}'s pool kept for this park's projects; what they cannot use goes back to the reserve.",
		"在{district}指标池中为本园区项目保留 {floor}；未用部分退回预留。"},
	pParkFloorLimited: {"floor district policy",
		"Floor {floor} of {district}'s pool kept for this park's projects (policy floor {policy}, limited to its cap room, its projects' eligible need or the 增存挂钩 cut); what they cannot use goes back to the reserve.",
		"在{district}指标池中为本园区项目保留 {floor}（政策保底 {policy}，受上限余量、项目可安排需求或增存挂钩扣减限制）；未用部分退回预留。"},
	pCapRoom: {"room held",
		"Cap room {room} (policy cap less {held} already held).",
		"上限余量 {room}（政策上限减已持有 {held}）。"},
	pTilted: {"park",
		"In {park}, which receives the tilt: tilt multipliers apply to its projects.",
		"位于享受倾斜的园区{park}：项目得分按倾斜系数放大。"},
	pParkEarmark: {"need earmark share granted unused",
		"Cooperation-park earmark (合作园专项): {share} of {earmark} for the {need} its projects of the earmark categories still needed after the district pool; {granted} granted, {unused} unused goes back to the reserve.",
		"合作园专项：按本园区专项类别项目在区指标池安排后仍需的 {need}，从 {earmark}中分得 {share}，已安排 {granted}，未用的 {unused}退回预留。"},
	pParkExempt: {"exempt",
		"{exempt} went to exempt projects outside the park's floor and cap (增存挂钩 exemption).",
		"{exempt}安排给豁免项目，不占园区保底和上限（增存挂钩豁免）。"},

	pRank: {"score rank of district",
		" Score {score}, rank {rank} of {of} in {district}'s pool.",
		"综合得分 {score}，在{district}指标池中排第 {rank} 名（共 {of} 个）。"},
	pExemptNationalKey: {"",
		" Exempt from the 增存挂钩 cut as a national key project.",
		"作为国家重点项目，不受增存挂钩扣减。"},
	pExemptCategory: {"category",
		" Exempt from the 增存挂钩 cut: {category} is an exempt category.",
		"属于豁免类别（{category}），不受增存挂钩扣减。"},
	pEarmarkMissedCap: {"park account left",
		" The cooperation-park earmark (合作园专项) of {park} could not top it up: the cap of {account} left {left}.",
		"{park}合作园专项未能补足：{account}上限仅余 {left}。"},
	pEarmarkMissedRanked: {"park share",
		" The cooperation-park earmark (合作园专项) of {park}, {share}, went to higher-ranked projects of the park.",
		"{park}合作园专项 {share}已安排给园区内排名更高的项目。"},
	pEarmarkMissedLittle: {"park left",
		" The cooperation-park earmark (合作园专项) of {park} had only {left} left at its turn, less than its minimum grant.",
		"{park}合作园专项轮到该项目时仅余 {left}，低于其最低安排量。"},

	pIneligible: {"farmland red_line outside",
		"Refused: its parcels are not eligible for new construction land: {farmland} overlap permanent basic farmland, {red_line} the ecological red line, and {outside} lie outside the urban development boundary.",
		"不予安排：项目地块不符合新增建设用地条件，与永久基本农田重叠 {farmland}，与生态保护红线重叠 {red_line}，位于城镇开发边界外 {outside}。"},
	pNoNeed: {"",
		"No new quota needed: the project builds on land that is already construction land.",
		"无需新增建设用地计划指标：项目使用存量建设用地。"},
	pRefusedSuspended: {"district rate floor exempt",
		"Refused this year: {district}'s 5-year supply rate {rate} is below the {floor} floor (增存挂钩), so new quota is suspended except for exempt projects ({exempt}).",
		"本年度不予安排：{district}近五年平均供地率 {rate} 低于 {floor}（增存挂钩），除豁免项目（{exempt}）外暂停安排新增建设用地指标。"},
	pGrantedBest: {"need best district",
		"Granted in full: {need}, part of {best} for {district}'s pool.",
		"全额安排 {need}，属于{district}指标池{best}。"},
	pGrantedInTurn: {"need",
		"Granted in full: {need}; quota was still left when its turn came.",
		"全额安排 {need}，轮到该项目时仍有指标。"},
	pPartial: {"granted need why category min",
		"Granted {granted} of the {need} needed: {why}. Projects of this category ({category}) may be granted in part, down to {min} of the need.",
		"部分安排 {granted}（需求 {need}）：{why}。{category}可部分安排，最低为需求的 {min}。"},
	pWaiting: {"why", "Waiting: {why}.", "待安排：{why}。"},
	pNotSelected: {"",
		"Waiting: its score adds nothing to the total, so the optimal combination leaves it out.",
		"待安排：该项目得分为零，最优组合未纳入。"},
	pAllOrNothing: {"left where need category",
		"Waiting: only {left} was left {where}, less than the full {need} this all-or-nothing {category} needs.",
		"待安排：{where}仅余 {left}，不足该{category}须整体安排的 {need}。"},
	pBelowMinPartial: {"left where min share need",
		"Waiting: only {left} was left {where}, less than the minimum partial grant of {min} ({share} of the {need} needed).",
		"待安排：{where}仅余 {left}，低于最低部分安排量 {min}（需求 {need}的 {share}）。"},
	pEarmarkParts: {"pool district earmark park",
		"{pool} from {district}'s pool and {earmark} from the cooperation-park earmark (合作园专项) of {park}",
		"其中 {pool}来自{district}指标池，{earmark}来自{park}合作园专项"},
	pEarmarkFull: {"need parts",
		"Granted in full: {need}, {parts}, which tops up what the pool left uncovered.",
		"全额安排 {need}，{parts}（补足区指标池未安排的部分）。"},
	pEarmarkUsedUp: {"", "; the earmark was then used up", "，专项已用完"},
	pEarmarkCapReached: {"account room",
		"; then the cap of {account} ({room} of room) was reached",
		"，{account}上限余量 {room}已用完"},

	pOfPool:     {"district pool", "of {district}'s pool of {pool}", "{district}指标池 {pool}中"},
	pPoolToBest: {"district pool best", "{district}'s pool of {pool} went to {best}", "{district}指标池 {pool}已安排给{best}"},
	pPoolUsed:   {"district pool", "{district}'s pool of {pool} was used by higher-ranked projects", "{district}指标池 {pool}已被排名更高的项目使用"},
	pOfOrdinary: {"limit district rate floor",
		"of the {limit} that {district}'s ordinary projects share under the 增存挂钩 cut (5-year supply rate {rate}, below {floor})",
		"{district}一般项目在增存挂钩扣减后（近五年平均供地率 {rate}，低于 {floor}）可用的 {limit}中"},
	pOrdinaryUsed: {"district rate floor limit",
		"{district}'s 5-year supply rate {rate} is below the {floor} floor (增存挂钩), so its ordinary projects share only {limit}, already used",
		"{district}近五年平均供地率 {rate} 低于 {floor}（增存挂钩），一般项目仅可使用 {limit}，已用完"},
	pUnderCap:   {"account room", "under the cap of {account} ({room} of room)", "{account}上限余量 {room}中"},
	pCapReached: {"account room", "the cap of {account} ({room} of room) was reached", "{account}上限余量 {room}已用完"},
	pBestFound:  {"", "the best combination of projects found within the search budget", "计算上限内找到的最好项目组合"},
	pBestExact:  {"", "the combination of projects with the highest total score", "总得分最高的项目组合"},

	pNationalKeyProjects: {"", "national key projects", "国家重点项目"},
}

// listSep separates the items of a list in each language.
var listSep = text{", ", "、"}

// factorNamesZh are the factors' Chinese names (the English name is the
// factor's code).
var factorNamesZh = map[FactorName]string{
	FactorSupplyRate5y:       "近五年平均供地率",
	FactorUnsuppliedDisposed: "批而未供处置",
	FactorIdleDisposed:       "闲置土地处置",
	FactorTaxPerMu:           "亩均税收",
	FactorValueAddedPerMu:    "亩均增加值",
	FactorProjectNeed:        "项目用地需求",
}

// text is an explanation, or a value in one, in English and Chinese.
type text struct{ en, zh string }

func (t text) plus(u text) text { return text{t.en + u.en, t.zh + u.zh} }

// same is a value that reads the same in both languages.
func same(s string) text { return text{s, s} }

// haMu is an area in hm² and 亩.
func haMu(a Area) text { return text{amount.FormatHaMu(a, false), amount.FormatHaMu(a, true)} }

// inM2 is an area in m².
func inM2(a Area) text { return text{amount.FormatM2(a, false), amount.FormatM2(a, true)} }

func percent(x float64) text { return same(pct(x)) }

func categoryName(c Category) text { return text{c.NameEn(), c.NameZh()} }

func factorName(f FactorName) text {
	if zh, ok := factorNamesZh[f]; ok {
		return text{string(f), zh}
	}
	return same(string(f))
}

// join joins the texts with sep in both languages.
func join(ts []text, sep text) text {
	var out text
	for i, t := range ts {
		if i > 0 {
			out = out.plus(sep)
		}
		out = out.plus(t)
	}
	return out
}

// A piece of a parsed phrase: literal text, then the value args[arg]
// (none when arg < 0).
type phrasePiece struct {
	text string
	arg  int
}

// parsedPhrases holds phrases parsed once: [id][0] English, [id][1]
// Chinese; phraseArgs how many values each takes.
var parsedPhrases, phraseArgs = parsePhrases()

func parsePhrases() (out [numPhrases][2][]phrasePiece, nargs [numPhrases]int) {
	for id, p := range phrases {
		args := strings.Fields(p.args)
		nargs[id] = len(args)
		for lang, s := range [2]string{p.en, p.zh} {
			pieces, err := parsePhrase(s, args)
			if err != nil {
				panic(fmt.Sprintf("phrase %d: %v", id, err))
			}
			out[id][lang] = pieces
		}
	}
	return out, nargs
}

func parsePhrase(s string, args []string) ([]phrasePiece, error) {
	var out []phrasePiece
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			return append(out, phrasePiece{text: s, arg: -1}), nil
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed placeholder in %q", s)
		}
		name := s[open+1 : open+end]
		i := indexOf(args, name)
		if i < 0 {
			return nil, fmt.Errorf("placeholder {%s} is not among the args %q", name, args)
		}
		out = append(out, phrasePiece{text: s[:open], arg: i})
		s = s[open+end+1:]
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// say renders phrase id with its values, given in the order of its args.
func say(id phraseID, args ...text) text { return sayThen(text{}, id, args...) }

// sayThen renders phrase id followed by tail, in one string per language.
func sayThen(tail text, id phraseID, args ...text) text {
	if len(args) != phraseArgs[id] {
		panic(fmt.Sprintf("phrase %d takes %d values, given %d", id, phraseArgs[id], len(args)))
	}
	return text{render(parsedPhrases[id][0], args, false, tail.en), render(parsedPhrases[id][1], args, true, tail.zh)}
}

func render(pieces []phrasePiece, args []text, zh bool, tail string) string {
	if len(pieces) == 1 && tail == "" {
		return pieces[0].text
	}
	n := len(tail)
	for _, p := range pieces {
		n += len(p.text)
		if p.arg >= 0 {
			n += max(len(args[p.arg].en), len(args[p.arg].zh))
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range pieces {
		b.WriteString(p.text)
		switch {
		case p.arg < 0:
		case zh:
			b.WriteString(args[p.arg].zh)
		default:
			b.WriteString(args[p.arg].en)
		}
	}
	b.WriteString(tail)
	return b.String()
}

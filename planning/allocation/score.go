package allocation

import (
	"math"
)

// score computes a project's policy score and its components:
//
//	points = category points
//	       + tax_per_mu_points × min(亩均税收 / tax_per_mu_reference, 1)
//	       + investment_intensity_points × min(investment per 亩 of need / reference, 1)
//	       + readiness_points × readiness
//	       + provincial_major_bonus (省重大产业项目) + national_key_bonus (国家重点项目)
//	score  = points × tilt (the category's multiplier in a park that receives the tilt, else 1)
//
// The score is rounded to thousandths; q is it in thousandths (the integer
// the optimal method multiplies by area). Notes are written into one buffer
// and cut from one string: a 10,000-project run builds 140,000 notes.
func score(c *compiled, pr *Project, coop bool, parkName string) (float64, int64, []ScoreComponent) {
	sc := &c.p.Scoring
	cat := pr.Category
	ci := cat.index()
	var cuts [14]int
	b := make([]byte, 0, 640)
	k := 0
	mark := func() { cuts[k] = len(b); k++ }

	catPts := c.catPoints[ci]
	b = append(b, "base points of a "...)
	b = append(b, cat.NameEn()...)
	mark()
	b = append(b, cat.NameZh()...)
	b = append(b, "基础分"...)
	mark()

	taxRatio := math.Min(pr.TaxPerMu/sc.TaxPerMuReference, 1)
	taxPts := sc.TaxPerMuPoints * taxRatio
	b = append(b, "expected tax "...)
	b = appendFixed(b, pr.TaxPerMu, 2)
	b = append(b, " wan yuan/mu of reference "...)
	b = appendFixed(b, sc.TaxPerMuReference, 2)
	b = append(b, ": "...)
	b = appendFixed(b, taxRatio*100, 1)
	b = append(b, "% of "...)
	b = appendFixed(b, sc.TaxPerMuPoints, 2)
	b = append(b, " points"...)
	mark()
	b = append(b, "预期亩均税收 "...)
	b = appendFixed(b, pr.TaxPerMu, 2)
	b = append(b, " 万元/亩，参考值 "...)
	b = appendFixed(b, sc.TaxPerMuReference, 2)
	b = append(b, "，得满分 "...)
	b = appendFixed(b, sc.TaxPerMuPoints, 2)
	b = append(b, " 的 "...)
	b = appendFixed(b, taxRatio*100, 1)
	b = append(b, '%')
	mark()

	var invPts, perMu, invRatio float64
	if pr.Need > 0 {
		perMu = pr.Investment / pr.Need.Mu()
		invRatio = math.Min(perMu/sc.InvestmentIntensityReference, 1)
		invPts = sc.InvestmentIntensityPoints * invRatio
	}
	b = append(b, "investment "...)
	b = appendFixed(b, perMu, 2)
	b = append(b, " wan yuan per mu of need, reference "...)
	b = appendFixed(b, sc.InvestmentIntensityReference, 2)
	b = append(b, ": "...)
	b = appendFixed(b, invRatio*100, 1)
	b = append(b, "% of "...)
	b = appendFixed(b, sc.InvestmentIntensityPoints, 2)
	b = append(b, " points"...)
	mark()
	b = append(b, "投资强度 "...)
	b = appendFixed(b, perMu, 2)
	b = append(b, " 万元/亩（按所需指标计），参考值 "...)
	b = appendFixed(b, sc.InvestmentIntensityReference, 2)
	b = append(b, "，得满分 "...)
	b = appendFixed(b, sc.InvestmentIntensityPoints, 2)
	b = append(b, " 的 "...)
	b = appendFixed(b, invRatio*100, 1)
	b = append(b, '%')
	mark()

	readyPts := sc.ReadinessPoints * pr.Readiness
	b = append(b, "readiness "...)
	b = appendFixed(b, pr.Readiness, 2)
	b = append(b, " × "...)
	b = appendFixed(b, sc.ReadinessPoints, 2)
	b = append(b, " points"...)
	mark()
	b = append(b, "前期成熟度 "...)
	b = appendFixed(b, pr.Readiness, 2)
	b = append(b, " × "...)
	b = appendFixed(b, sc.ReadinessPoints, 2)
	b = append(b, " 分"...)
	mark()

	var provPts, nkPts float64
	if pr.ProvincialMajor {
		provPts = sc.ProvincialMajorBonus
		b = append(b, "provincial major industrial project bonus"...)
		mark()
		b = append(b, "省重大产业项目加分"...)
	} else {
		b = append(b, "not a provincial major industrial project"...)
		mark()
		b = append(b, "非省重大产业项目"...)
	}
	mark()
	if pr.NationalKey {
		nkPts = sc.NationalKeyBonus
		b = append(b, "national key project bonus"...)
		mark()
		b = append(b, "国家重点项目加分"...)
	} else {
		b = append(b, "not a national key project"...)
		mark()
		b = append(b, "非国家重点项目"...)
	}
	mark()

	points := catPts + taxPts + invPts + readyPts + provPts + nkPts
	tilt := 1.0
	switch {
	case !coop:
		b = append(b, "no tilt: not in a park that receives the tilt"...)
		mark()
		b = append(b, "不在享受倾斜的园区，无倾斜"...)
	case c.tilt[ci] == 1:
		b = append(b, "no tilt for a "...)
		b = append(b, cat.NameEn()...)
		b = append(b, " in park "...)
		b = append(b, parkName...)
		mark()
		b = append(b, "倾斜园区"...)
		b = append(b, parkName...)
		b = append(b, "内的"...)
		b = append(b, cat.NameZh()...)
		b = append(b, "不倾斜"...)
	default:
		tilt = c.tilt[ci]
		b = append(b, "×"...)
		b = appendFixed(b, tilt, 2)
		b = append(b, ": "...)
		b = append(b, cat.NameEn()...)
		b = append(b, " in park "...)
		b = append(b, parkName...)
		mark()
		b = append(b, "×"...)
		b = appendFixed(b, tilt, 2)
		b = append(b, "：倾斜园区"...)
		b = append(b, parkName...)
		b = append(b, "内的"...)
		b = append(b, cat.NameZh()...)
	}
	mark()

	s := string(b)
	note := func(i int) string {
		from := 0
		if i > 0 {
			from = cuts[i-1]
		}
		return s[from:cuts[i]]
	}
	comps := []ScoreComponent{
		{Name: "category", Value: round3(catPts), Note: note(0), NoteZh: note(1)},
		{Name: "tax_per_mu", Value: round3(taxPts), Note: note(2), NoteZh: note(3)},
		{Name: "investment_intensity", Value: round3(invPts), Note: note(4), NoteZh: note(5)},
		{Name: "readiness", Value: round3(readyPts), Note: note(6), NoteZh: note(7)},
		{Name: "provincial_major", Value: round3(provPts), Note: note(8), NoteZh: note(9)},
		{Name: "national_key", Value: round3(nkPts), Note: note(10), NoteZh: note(11)},
		{Name: "tilt", Value: tilt, Note: note(12), NoteZh: note(13)},
	}
	q := int64(math.Round(points * tilt * 1000))
	return float64(q) / 1000, q, comps
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// appendFixed appends x with prec (1 or 2) decimals, rounding half away
// from zero, by integer arithmetic (much faster than float formatting).
func appendFixed(b []byte, x float64, prec int) []byte {
	if !finite(x) || math.Abs(x) > 1e15 {
		return append(b, '?')
	}
	if prec == 1 {
		v := int64(math.Round(x * 10))
		if v < 0 {
			b = append(b, '-')
			v = -v
		}
		b = appendInt(b, v/10)
		return append(b, '.', byte('0'+v%10))
	}
	return appendHundredths(b, int64(math.Round(x*100)))
}

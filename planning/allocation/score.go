package allocation

import (
	"math"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning/amount"
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
// the optimal method multiplies by area). Each component records which note
// of scoreNotes explains it, with the values the note shows (notes.go).
func score(c *compiled, pr *Project, coop bool, parkName string) (float64, int64, []ScoreComponent) {
	sc := &c.p.Scoring
	cat := pr.Category
	ci := cat.index()
	var notes [numScoreComponents]note

	catPts := c.catPoints[ci]
	notes[0] = note{id: noteCategory, cat: cat}

	taxRatio := math.Min(pr.TaxPerMu/sc.TaxPerMuReference, 1)
	taxPts := sc.TaxPerMuPoints * taxRatio
	notes[1] = note{id: noteTax, num: [4]float64{pr.TaxPerMu, sc.TaxPerMuReference, taxRatio * 100, sc.TaxPerMuPoints}}

	var invPts, perMu, invRatio float64
	if pr.Need > 0 {
		perMu = pr.Investment / pr.Need.Mu()
		invRatio = math.Min(perMu/sc.InvestmentIntensityReference, 1)
		invPts = sc.InvestmentIntensityPoints * invRatio
	}
	notes[2] = note{id: noteInvestment, num: [4]float64{perMu, sc.InvestmentIntensityReference, invRatio * 100, sc.InvestmentIntensityPoints}}

	readyPts := sc.ReadinessPoints * pr.Readiness
	notes[3] = note{id: noteReadiness, num: [4]float64{pr.Readiness, sc.ReadinessPoints}}

	var provPts, nkPts float64
	notes[4] = note{id: noteNotProvincialMajor}
	if pr.ProvincialMajor {
		provPts = sc.ProvincialMajorBonus
		notes[4].id = noteProvincialMajor
	}
	notes[5] = note{id: noteNotNationalKey}
	if pr.NationalKey {
		nkPts = sc.NationalKeyBonus
		notes[5].id = noteNationalKey
	}

	points := catPts + taxPts + invPts + readyPts + provPts + nkPts
	tilt := 1.0
	switch {
	case !coop:
		notes[6] = note{id: noteTiltOutsidePark}
	case c.tilt[ci] == 1:
		notes[6] = note{id: noteTiltNone, cat: cat, park: parkName}
	default:
		tilt = c.tilt[ci]
		notes[6] = note{id: noteTiltApplied, num: [4]float64{tilt}, cat: cat, park: parkName}
	}

	comps := renderNotes(&notes, [numScoreComponents]float64{
		round3(catPts), round3(taxPts), round3(invPts), round3(readyPts), round3(provPts), round3(nkPts), tilt})
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
		b = strconv.AppendInt(b, v/10, 10)
		return append(b, '.', byte('0'+v%10))
	}
	return amount.AppendHundredths(b, int64(math.Round(x*100)))
}

package planner

import (
	"math"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Area is how an answer shows one exact area (an amount.Area, hundredths
// of a m²): its m², and its hm² (the way plans are issued) and 亩 rounded
// from the same amount to 2 decimals, so the three agree. It is only a
// form of output: it is made from an amount.Area (AreaFrom) or from a
// measured float m² rounded once (AreaOf), and Amount gives the exact
// amount back for the rules. (It stays a struct of numbers, not an
// amount.Area with its own MarshalJSON, because answers embed it to put
// area_m2, area_hm2 and area_mu beside their other members.)
type Area struct {
	M2  float64 `json:"area_m2"`
	Hm2 float64 `json:"area_hm2"`
	Mu  float64 `json:"area_mu"`
}

// AreaFrom shows the exact area a.
func AreaFrom(a amount.Area) Area {
	return Area{M2: a.M2(), Hm2: a.Rounded(amount.Hectare), Mu: a.Rounded(amount.Mu)}
}

// AreaOf shows an area PostGIS measured (float m², ST_Area in EPSG:4549),
// rounded once to the hundredth the way the ledger rounds (amount.FromM2).
func AreaOf(m2 float64) Area { return AreaFrom(amount.FromM2(m2)) }

// Amount is the exact area shown (M2 holds whole hundredths, so this is
// exact).
func (a Area) Amount() amount.Area { return amount.FromM2(a.M2) }

// roundTo rounds half away from zero to n decimals.
func roundTo(x float64, n int) float64 {
	p := math.Pow10(n)
	return math.Round(x*p) / p
}

// ratio is a ÷ b rounded to 4 decimals, nil when b is zero.
func ratio(a, b float64) *float64 {
	if b <= 0 {
		return nil
	}
	r := roundTo(a/b, 4)
	return &r
}

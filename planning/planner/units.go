package planner

import (
	"math"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Area is an area in m² with the forms officials read: hm² to 2 decimals
// (the way plans are issued) and 亩 to 2 decimals.
type Area struct {
	M2  float64 `json:"area_m2"`
	Hm2 float64 `json:"area_hm2"`
	Mu  float64 `json:"area_mu"`
}

// AreaOf rounds measured m² for display the way the ledger rounds an
// amount (amount.FromM2); hm² and 亩 are that amount's, so the three agree.
func AreaOf(m2 float64) Area {
	a := amount.FromM2(m2)
	return Area{M2: a.M2(), Hm2: a.Rounded(amount.Hectare), Mu: a.Rounded(amount.Mu)}
}

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

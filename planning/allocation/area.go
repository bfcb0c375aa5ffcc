package allocation

import (
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Area is the exact amount the engine computes in: whole hundredths of a
// m², the ledger's own unit, so what it grants is booked without rounding.
type Area = amount.Area

const (
	// AreaPerHectare is the number of Area units in one hectare (公顷).
	AreaPerHectare = amount.PerHectare
	// MaxArea bounds every amount the engine accepts (Input.Available,
	// needs, floors, caps): 1e9 m² = 100 000 hm², far above any annual plan,
	// and small enough that score × area sums stay exact in int64.
	MaxArea Area = 100_000_000_000
)

// AreaFromM2 rounds measured m² to an Area (amount.FromM2).
func AreaFromM2(m2 float64) Area { return amount.FromM2(m2) }

// The explanations' formatting of areas lives with the amount type.
func formatHaMu(a Area, zh bool) string { return amount.FormatHaMu(a, zh) }
func formatM2(a Area, zh bool) string   { return amount.FormatM2(a, zh) }

// appendHundredths appends v/100 with two decimals (v a signed count of
// hundredths).
func appendHundredths(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = appendInt(b, v/100)
	return append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
}

// appendInt appends a non-negative integer.
func appendInt(b []byte, v int64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	return strconv.AppendInt(b, v, 10)
}

package geo

import (
	"fmt"
	"math"
	"strings"
)

// Area units. 1 hm² = 15 亩 exactly, so 1 亩 = 10000/15 m²; the rounded
// 666.67 drifts by 5 m² per thousand 亩 and must never be used.
const (
	SquareMetresPerMu      = 10000.0 / 15
	SquareMetresPerHectare = 10000.0
)

// MuFromM2 converts square metres to 亩. Multiplying by 15 before dividing
// keeps whole hectares exact (10000 m² -> exactly 15).
func MuFromM2(m2 float64) float64 { return m2 * 15 / 10000 }

// HectaresFromM2 converts square metres to hectares (hm², 公顷).
func HectaresFromM2(m2 float64) float64 { return m2 / SquareMetresPerHectare }

// M2FromMu converts 亩 to square metres.
func M2FromMu(mu float64) float64 { return mu * 10000 / 15 }

// M2FromHectares converts hectares to square metres.
func M2FromHectares(ha float64) float64 { return ha * SquareMetresPerHectare }

// RoundHectares converts square metres to hm² rounded to 2 decimals (half
// away from zero), the way plans are issued. Dividing by 100 first keeps
// values such as 12350 m² from landing just below the half.
func RoundHectares(m2 float64) float64 { return math.Round(m2/100) / 100 }

// AreaUnit names the unit an area is given or wanted in.
type AreaUnit string

// Supported area units.
const (
	UnitM2      AreaUnit = "m2"
	UnitMu      AreaUnit = "mu"
	UnitHectare AreaUnit = "ha"
)

const acceptedAreaUnits = "m2, m², 平方米, mu, 亩, ha, hm2, hm², hectare, 公顷"

// ParseAreaUnit reads a unit as typed by users or sent by clients,
// ignoring case and surrounding spaces.
func ParseAreaUnit(s string) (AreaUnit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "m2", "m²", "平方米":
		return UnitM2, nil
	case "mu", "亩":
		return UnitMu, nil
	case "ha", "hm2", "hm²", "hectare", "公顷":
		return UnitHectare, nil
	}
	return "", fmt.Errorf("unknown area unit %q: accepted values are %s", s, acceptedAreaUnits)
}

// ToM2 converts v given in u to square metres. It panics on a unit that did
// not come from ParseAreaUnit or the constants: that is a programming error,
// and a silent NaN would end up in the ledger.
func (u AreaUnit) ToM2(v float64) float64 {
	switch u {
	case UnitM2:
		return v
	case UnitMu:
		return M2FromMu(v)
	case UnitHectare:
		return M2FromHectares(v)
	}
	panic(fmt.Sprintf("geo: unknown AreaUnit %q (use ParseAreaUnit)", string(u)))
}

// FromM2 converts square metres to u. Panics on an unknown unit, like ToM2.
func (u AreaUnit) FromM2(m2 float64) float64 {
	switch u {
	case UnitM2:
		return m2
	case UnitMu:
		return MuFromM2(m2)
	case UnitHectare:
		return HectaresFromM2(m2)
	}
	panic(fmt.Sprintf("geo: unknown AreaUnit %q (use ParseAreaUnit)", string(u)))
}

// Package amount is the one exact type for quota and land areas: whole
// hundredths of a square metre, the scale of the ledger's numeric(16,2)
// columns (migration 006). Amounts are parsed from and formatted to decimal
// text in m², hm² (公顷) and 亩 without passing through a float, and cross
// into and out of PostgreSQL numeric as decimal text.
package amount

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Area is an amount in hundredths of a square metre (0.01 m², one square
// decimetre). 1 hm² = 1 000 000 units, 1 亩 = 10000/15 m² (never the
// rounded 666.67).
//
// In JSON an Area is written as square metres with exactly two decimals
// (12345.67) and read back exactly from the decimal text.
type Area int64

const (
	// PerM2 is the number of Area units in one square metre.
	PerM2 Area = 100
	// PerHectare is the number of Area units in one hectare (公顷).
	PerHectare Area = 1_000_000
)

// Unit names the unit an area is given or wanted in.
type Unit string

// The area units: 1 hm² = 10 000 m² = 15 亩 exactly.
const (
	M2      Unit = "m2"
	Mu      Unit = "mu"
	Hectare Unit = "ha"
)

const acceptedUnits = "m2, m², 平方米, mu, 亩, ha, hm2, hm², hectare, 公顷"

// ParseUnit reads a unit as typed by users or sent by clients, ignoring
// case and surrounding spaces.
func ParseUnit(s string) (Unit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "m2", "m²", "平方米":
		return M2, nil
	case "mu", "亩":
		return Mu, nil
	case "ha", "hm2", "hm²", "hectare", "公顷":
		return Hectare, nil
	}
	return "", fmt.Errorf("unknown area unit %q: accepted values are %s", s, acceptedUnits)
}

// perUnit is one u as an exact fraction of Area units (num/den).
func (u Unit) perUnit() (num, den int64) {
	switch u {
	case M2:
		return 100, 1
	case Hectare:
		return 1_000_000, 1
	case Mu:
		return 1_000_000, 15
	}
	panic(fmt.Sprintf("amount: unknown Unit %q (use ParseUnit)", string(u)))
}

// ToM2 converts a measured float in u to square metres (float: for
// geometry and filters, not for the ledger). Panics on an unknown unit: a
// silent NaN would end up in a query.
func (u Unit) ToM2(v float64) float64 {
	num, den := u.perUnit()
	return v * float64(num) / float64(den) / 100
}

// FromM2 converts measured square metres to u (float, for display of
// geometry areas). Multiplying before dividing keeps whole hectares exact
// in 亩 (10000 m² -> exactly 15).
func (u Unit) FromM2(m2 float64) float64 {
	num, den := u.perUnit()
	return m2 * 100 * float64(den) / float64(num)
}

// Parse reads a decimal number (JSON number syntax, exponent allowed) of
// unit u exactly. The rule for every unit: the value is converted to m² as
// an exact fraction and rounded once, half away from zero, to the hundredth
// of a m², so 1 亩 is 666.67 m² and 0.1 hm² + 0.2 hm² is exactly 3000 m².
func Parse(s string, u Unit) (Area, error) {
	num, den := u.perUnit()
	if u == M2 {
		if a, ok := parsePlainM2(s); ok {
			return a, nil
		}
	}
	if !isNumber(s) {
		return 0, fmt.Errorf("%q is not a number", truncate(s, 40))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a number", truncate(s, 40))
	}
	r.Mul(r, big.NewRat(num, den))
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	// Half away from zero: |2·rem| >= denominator moves one further out.
	if rem.Sign() != 0 && new(big.Int).Abs(new(big.Int).Lsh(rem, 1)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(rem.Sign())))
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("%s %s is out of range", truncate(s, 40), u)
	}
	return Area(q.Int64()), nil
}

// parsePlainM2 is Parse's fast path for the common form, a plain decimal
// of m² ("-12345.678", at most 15 integer digits): the hundredths are the
// digits, rounded half away from zero on the third decimal. Stored
// scenarios hold thousands of these.
func parsePlainM2(s string) (Area, bool) {
	body := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(body, ".")
	if intPart == "" || len(intPart) > 15 || strings.HasSuffix(body, ".") {
		return 0, false
	}
	var v int64
	for _, c := range intPart {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	d := frac + "000"
	v = v*100 + int64(d[0]-'0')*10 + int64(d[1]-'0')
	if d[2] >= '5' {
		v++
	}
	if body != s {
		v = -v
	}
	return Area(v), true
}

// isNumber reports whether s has JSON number syntax (no fractions like
// "1/3", no hex, no Inf/NaN, which big.Rat would otherwise accept).
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	if digits() == 0 {
		return false
	}
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	}
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = strings.TrimLeft(s[1:], "+-")
		if len(s) > 4 || digits() == 0 { // 1e9999 is not an area
			return false
		}
	}
	return s == ""
}

// FromM2 rounds a measured area in m² (a PostGIS float8) to the hundredth
// of a m², half away from zero, the way PostgreSQL's round(x::numeric, 2)
// does: through the float's 15 significant digits, so FromM2(1.005) is
// 1.01 m² and the ledger and Go agree. NaN gives 0; beyond the int64
// range it saturates.
func FromM2(m2 float64) Area {
	switch {
	case math.IsNaN(m2):
		return 0
	case m2 > 9.2e16:
		return math.MaxInt64
	case m2 < -9.2e16:
		return math.MinInt64
	}
	a, err := Parse(strconv.FormatFloat(m2, 'g', 15, 64), M2)
	if err != nil { // cannot happen: a finite float in range formats as a number
		panic(err)
	}
	return a
}

// M2 returns the area in square metres (for display and scoring).
func (a Area) M2() float64 { return float64(a) / float64(PerM2) }

// Hectares returns the area in hectares (公顷).
func (a Area) Hectares() float64 { return float64(a) / float64(PerHectare) }

// Mu returns the area in 亩 (1 hm² = 15 亩 exactly).
func (a Area) Mu() float64 { return float64(a) * 15 / float64(PerHectare) }

// Rounded is the area in u rounded half away from zero to 2 decimals,
// computed on the integer so 12350 m² is 1.24 hm², never 1.23. As a float
// it prints as that decimal.
func (a Area) Rounded(u Unit) float64 { return float64(hundredthsOf(a, u)) / 100 }

// hundredthsOf is a in hundredths of u (a × den × 100 / num), rounded half
// away from zero; in 128 bits when the product could overflow.
func hundredthsOf(a Area, u Unit) int64 {
	num, den := u.perUnit()
	if a > -1e15 && a < 1e15 {
		n := int64(a) * den * 100
		q, r := n/num, n%num
		if 2*r >= num {
			q++
		} else if -2*r >= num {
			q--
		}
		return q
	}
	n := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(den*100))
	q, rem := new(big.Int).QuoRem(n, big.NewInt(num), new(big.Int))
	if new(big.Int).Abs(new(big.Int).Lsh(rem, 1)).Cmp(big.NewInt(num)) >= 0 {
		q.Add(q, big.NewInt(int64(rem.Sign())))
	}
	return q.Int64()
}

// String formats the area as officials read it: "12.35 hm² (185.25 mu)".
func (a Area) String() string { return FormatHaMu(a, false) }

// MarshalJSON writes square metres with two decimals.
func (a Area) MarshalJSON() ([]byte, error) {
	return AppendM2(nil, a), nil
}

// UnmarshalJSON reads a JSON number of square metres exactly, rounding half
// away from zero to the hundredth. null leaves the value unchanged.
func (a *Area) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	v, err := Parse(s, M2)
	if err != nil {
		return errors.New("area: want a number of square metres, got " + truncate(s, 40))
	}
	*a = v
	return nil
}

// Value writes the area to PostgreSQL as decimal text ("12345.67"), which
// numeric takes exactly.
func (a Area) Value() (driver.Value, error) { return string(AppendM2(nil, a)), nil }

// Scan reads a numeric of m² exactly: pgx hands numeric to a Scanner as
// decimal text. A value with more than two decimals is refused rather than
// rounded: a column of another scale is a programming error.
func (a *Area) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		return errors.New("amount: NULL where an area was expected (coalesce it)")
	default:
		return fmt.Errorf("amount: cannot scan %T into an area", src)
	}
	v, err := Parse(s, M2)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	if _, frac, ok := strings.Cut(s, "."); ok && len(strings.TrimRight(frac, "0")) > 2 {
		return fmt.Errorf("amount: %s m² has more than two decimals", s)
	}
	*a = v
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// AppendM2 appends a as square metres with two decimals.
func AppendM2(b []byte, a Area) []byte {
	return AppendHundredths(b, int64(a))
}

// appendHundredths appends v/100 with two decimals (v a signed count of
// hundredths).
func AppendHundredths(b []byte, v int64) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-(v + 1)) + 1
	}
	b = strconv.AppendUint(b, u/100, 10)
	return append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
}

// FormatHaMu writes "12.35 hm² (185.25 mu)" or "12.35 公顷（185.25 亩）".
func FormatHaMu(a Area, zh bool) string {
	b := make([]byte, 0, 40)
	b = AppendHundredths(b, hundredthsOf(a, Hectare))
	if zh {
		b = append(b, " 公顷（"...)
		b = AppendHundredths(b, hundredthsOf(a, Mu))
		return string(append(b, " 亩）"...))
	}
	b = append(b, " hm² ("...)
	b = AppendHundredths(b, hundredthsOf(a, Mu))
	return string(append(b, " mu)"...))
}

// FormatM2 writes an area in square metres with two decimals: "1234.56 m²".
func FormatM2(a Area, zh bool) string {
	b := AppendM2(make([]byte, 0, 24), a)
	if zh {
		return string(b) + " 平方米"
	}
	return string(b) + " m²"
}

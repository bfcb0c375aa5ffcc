package allocation

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Area is an amount of quota in hundredths of a square metre (0.01 m², one
// square decimetre): integers keep the ledger exact. 1 hm² = 1 000 000 units,
// 1 亩 = 10000/15 m² (never the rounded 666.67).
//
// In JSON an Area is written as square metres with exactly two decimals
// (12345.67) and read back exactly from the decimal text, so a stored result
// round-trips without loss.
type Area int64

const (
	// AreaPerM2 is the number of Area units in one square metre.
	AreaPerM2 Area = 100
	// AreaPerHectare is the number of Area units in one hectare (公顷).
	AreaPerHectare Area = 1_000_000
	// MaxArea bounds every amount the engine accepts (Input.Available,
	// needs, floors, caps): 1e9 m² = 100 000 hm², far above any annual plan,
	// and small enough that score × area sums stay exact in int64.
	MaxArea Area = 100_000_000_000
)

// AreaFromM2 converts square metres to Area, rounding half away from zero at
// the hundredth of a square metre. It rounds the shortest decimal form of m2
// (what a person typed), so AreaFromM2(1.005) is 1.01 m². NaN gives 0;
// values beyond the int64 range saturate.
func AreaFromM2(m2 float64) Area {
	if math.IsNaN(m2) {
		return 0
	}
	neg := m2 < 0
	if neg {
		m2 = -m2
	}
	if m2 > 9.2e16 {
		if neg {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	v, _ := roundDecimal(strconv.FormatFloat(m2, 'f', -1, 64))
	if neg {
		v = -v
	}
	return Area(v)
}

// roundDecimal rounds an unsigned plain decimal ("123.4567") to hundredths,
// half away from zero, and returns the count of hundredths.
func roundDecimal(s string) (int64, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" {
		intPart = "0"
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || n > math.MaxInt64/100-1 {
		return 0, false
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	d := frac + "000"
	v := n*100 + int64(d[0]-'0')*10 + int64(d[1]-'0')
	if d[2] >= '5' {
		v++
	}
	return v, true
}

// M2 returns the area in square metres.
func (a Area) M2() float64 { return float64(a) / float64(AreaPerM2) }

// Hectares returns the area in hectares (公顷).
func (a Area) Hectares() float64 { return float64(a) / float64(AreaPerHectare) }

// Mu returns the area in 亩 (1 hm² = 15 亩 exactly).
func (a Area) Mu() float64 { return float64(a) * 15 / float64(AreaPerHectare) }

// String formats the area as officials read it: "12.35 hm² (185.25 mu)".
func (a Area) String() string { return formatHaMu(a, false) }

// MarshalJSON writes square metres with two decimals.
func (a Area) MarshalJSON() ([]byte, error) {
	return appendM2(nil, a), nil
}

// UnmarshalJSON reads a JSON number of square metres, rounding half away
// from zero to the hundredth. null leaves the value unchanged.
func (a *Area) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	v, ok := parseM2(s)
	if !ok {
		return errors.New("area: want a number of square metres, got " + truncate(s, 40))
	}
	*a = v
	return nil
}

// parseM2 parses a JSON number of square metres exactly when it is a plain
// decimal; exponent forms go through float64.
func parseM2(s string) (Area, bool) {
	if s == "" {
		return 0, false
	}
	neg := s[0] == '-'
	body := strings.TrimPrefix(s, "-")
	if body == "" || body[0] < '0' || body[0] > '9' {
		return 0, false
	}
	if strings.ContainsAny(body, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.Abs(f) > 9.2e16 {
			return 0, false
		}
		return AreaFromM2(f), true
	}
	v, ok := roundDecimal(body)
	if !ok {
		return 0, false
	}
	if neg {
		v = -v
	}
	return Area(v), true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// appendM2 appends a as square metres with two decimals.
func appendM2(b []byte, a Area) []byte {
	u := uint64(a)
	if a < 0 {
		b = append(b, '-')
		u = uint64(-(a + 1)) + 1
	}
	b = strconv.AppendUint(b, u/100, 10)
	b = append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
	return b
}

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

// roundDiv divides n by d (d > 0), rounding half away from zero.
func roundDiv(n, d int64) int64 {
	q, r := n/d, n%d
	switch {
	case r >= 0 && 2*r >= d:
		q++
	case r < 0 && -2*r >= d:
		q--
	}
	return q
}

// hectaresHundredths is a in hundredths of a hectare, rounded half away
// from zero: exact integer arithmetic, no float formatting surprises.
func hectaresHundredths(a Area) int64 { return roundDiv(int64(a), 10_000) }

// muHundredths is a in hundredths of a 亩: a × 15 / 1e6 × 100 = a × 3 / 2000.
func muHundredths(a Area) int64 {
	if a > MaxArea*10 || a < -MaxArea*10 {
		return int64(math.Round(a.Mu() * 100))
	}
	return roundDiv(int64(a)*3, 2000)
}

// formatHaMu writes "12.35 hm² (185.25 mu)" or "12.35 公顷（185.25 亩）".
func formatHaMu(a Area, zh bool) string {
	b := make([]byte, 0, 40)
	b = appendHundredths(b, hectaresHundredths(a))
	if zh {
		b = append(b, " 公顷（"...)
		b = appendHundredths(b, muHundredths(a))
		b = append(b, " 亩）"...)
	} else {
		b = append(b, " hm² ("...)
		b = appendHundredths(b, muHundredths(a))
		b = append(b, " mu)"...)
	}
	return string(b)
}

// formatM2 writes an area in square metres with two decimals: "1234.56 m²".
func formatM2(a Area, zh bool) string {
	b := appendM2(make([]byte, 0, 24), a)
	if zh {
		return string(b) + " 平方米"
	}
	return string(b) + " m²"
}

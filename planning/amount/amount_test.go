package amount

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Amounts that float64 gets wrong come out exact, and each unit rounds once,
// half away from zero, at the hundredth of a m².
func TestParse(t *testing.T) {
	for _, c := range []struct {
		s    string
		u    Unit
		want Area
	}{
		{"0.1", Hectare, 100_000}, {"0.2", Hectare, 200_000}, {"0.3", Hectare, 300_000},
		{"1", Mu, 66_667},            // 666.666… m² rounds up
		{"0.3333333333", Mu, 22_222}, // ≈ 1/3 亩 = 222.222… m²
		{"3", Mu, 200_000},           // 3 亩 is exactly 2000 m², not 3 × 666.67
		{"0.0000075", Mu, 1},         // 0.005 m²: the half rounds away from zero
		{"0.0000074", Mu, 0},         // 0.00493 m²
		{"-1", Mu, -66_667},          // and away from zero below it
		{"1.005", M2, 101}, {"1.004999", M2, 100},
		{"1000000000000", M2, 100_000_000_000_000}, // 1e12 m²
		{"1e12", M2, 100_000_000_000_000},
		{"12345.678", Hectare, 12_345_678_000},
		{"2.675", M2, 268}, // float64(2.675) is 2.67499…
	} {
		got, err := Parse(c.s, c.u)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d", c.s, c.u, got, err, c.want)
		}
	}
	a, _ := Parse("0.1", Hectare)
	b, _ := Parse("0.2", Hectare)
	if c, _ := Parse("0.3", Hectare); a+b != c {
		t.Errorf("0.1 hm² + 0.2 hm² = %d, want %d", a+b, c)
	}
	for _, bad := range []string{"", "1/3", "0x10", "Inf", "NaN", "1.", ".5", "1e99999", "1e100", "12a", "--1", "+1"} {
		if v, err := Parse(bad, M2); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", bad, v)
		}
	}
}

// FromM2 agrees with PostgreSQL's round(x::numeric, 2), which reads the
// float with 15 significant digits.
func TestFromM2(t *testing.T) {
	for _, c := range []struct {
		m2   float64
		want Area
	}{
		{1.005, 101}, {-1.005, -101}, {0.125, 13}, {2.675, 268}, {0.004, 0}, {0.005, 1}, {666.6666666, 66667},
		{1e9, 100_000_000_000}, {0, 0}, {0.1 + 0.2, 30}, {1e-20, 0},
	} {
		if got := FromM2(c.m2); got != c.want {
			t.Errorf("FromM2(%v) = %d, want %d", c.m2, got, c.want)
		}
	}
}

func TestRoundedAndFormat(t *testing.T) {
	for _, c := range []struct {
		a      Area
		ha, mu float64
	}{
		{1_235_000, 1.24, 18.53}, // 12350 m²: the half goes up, never to 1.23
		{66_667, 0.07, 1},        // 666.67 m² is 1.000005 亩
		{-1_235_000, -1.24, -18.53},
		{100_000_000_000_000, 100_000_000, 1_500_000_000},
		{9_000_000_000_000_000_000, 9e12, 1.35e14}, // the 128-bit path
	} {
		if h, m := c.a.Rounded(Hectare), c.a.Rounded(Mu); h != c.ha || m != c.mu {
			t.Errorf("%d: %v hm², %v mu; want %v, %v", c.a, h, m, c.ha, c.mu)
		}
	}
	if s := FromM2(123456.78).String(); s != "12.35 hm² (185.19 mu)" {
		t.Errorf("String: %s", s)
	}
	if s := FormatHaMu(66_667, true); s != "0.07 公顷（1.00 亩）" {
		t.Errorf("zh: %s", s)
	}
	if s := FormatM2(-5, false); s != "-0.05 m²" {
		t.Errorf("m2: %s", s)
	}
}

func TestJSONAndSQL(t *testing.T) {
	for _, a := range []Area{0, 1, -1, 12345, -12345, 100_000_000_000_000, -9_223_372_036_854_775_807} {
		b, _ := json.Marshal(a)
		var back Area
		if err := json.Unmarshal(b, &back); err != nil || back != a {
			t.Errorf("json %d -> %s -> %d (%v)", a, b, back, err)
		}
		v, _ := a.Value()
		var scanned Area
		if err := scanned.Scan(v); err != nil || scanned != a {
			t.Errorf("sql %d -> %v -> %d (%v)", a, v, scanned, err)
		}
	}
	if b, _ := json.Marshal(Area(30)); string(b) != "0.30" {
		t.Errorf("wire form %s, want 0.30", b)
	}
	var a Area
	if err := json.Unmarshal([]byte(`"12"`), &a); err == nil {
		t.Error("string accepted as area")
	}
	if err := a.Scan("1.005"); err == nil || !strings.Contains(err.Error(), "two decimals") {
		t.Errorf("a third decimal scanned: %v", err)
	}
	if err := a.Scan(nil); err == nil {
		t.Error("NULL scanned")
	}
}

func TestUnits(t *testing.T) {
	for _, s := range []string{"公顷", "HM²", " ha "} {
		if u, err := ParseUnit(s); err != nil || u != Hectare {
			t.Errorf("ParseUnit(%q) = %q, %v", s, u, err)
		}
	}
	if _, err := ParseUnit("acre"); err == nil || !strings.Contains(err.Error(), "accepted values") {
		t.Errorf("acre: %v", err)
	}
	if Mu.FromM2(10000) != 15 || Hectare.ToM2(1) != 10000 || Mu.ToM2(15) != 10000 || M2.FromM2(3) != 3 {
		t.Error("float conversions")
	}
}

// The fast path for plain m² agrees with the exact general path.
func TestParsePlainM2(t *testing.T) {
	for _, s := range []string{"0", "-0.005", "12345.678", "999999999999999.99", "1.004999", "-2.675", "7.", "x1", "1.2.3", "", "-", "1e5"} {
		fast, ok := parsePlainM2(s)
		if !ok {
			continue
		}
		// An exponent sends the same number down the general path.
		if want, err := Parse(s+"e0", M2); err != nil || fast != want {
			t.Errorf("parsePlainM2(%q) = %d, want %d", s, fast, want)
		}
	}
	for _, s := range []string{"7.", "x1", "1.2.3", "", "-", "1e5", "1234567890123456"} {
		if _, ok := parsePlainM2(s); ok {
			t.Errorf("parsePlainM2(%q) took it", s)
		}
	}
}

// BenchmarkParse measures reading stored m² (scenarios hold thousands)
// against strconv.ParseFloat of the same text, the float reading it replaces.
func BenchmarkParse(b *testing.B) {
	in := []string{"12345.67", "0.01", "999999999.99", "20000.00", "1234.5"}
	b.Run("amount.Parse", func(b *testing.B) {
		for i := range b.N {
			if _, err := Parse(in[i%len(in)], M2); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseFloat_reference", func(b *testing.B) {
		for i := range b.N {
			if _, err := strconv.ParseFloat(in[i%len(in)], 64); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("amount.Parse_mu", func(b *testing.B) {
		for i := range b.N {
			if _, err := Parse(in[i%len(in)], Mu); err != nil {
				b.Fatal(err)
			}
		}
	})
}

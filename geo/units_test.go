package geo

import (
	"math"
	"strings"
	"testing"
)

func TestUnitConversions(t *testing.T) {
	if got := MuFromM2(10000); got != 15 {
		t.Errorf("MuFromM2(10000) = %v, want exactly 15", got)
	}
	if got := M2FromMu(15); got != 10000 {
		t.Errorf("M2FromMu(15) = %v, want exactly 10000", got)
	}
	if got := M2FromMu(1); math.Abs(got-2000.0/3) > 1e-12 || got == 666.67 {
		t.Errorf("M2FromMu(1) = %v, want 666.666…", got)
	}
	if SquareMetresPerMu != 10000.0/15 || math.Abs(SquareMetresPerMu-666.6666666666666) > 1e-12 {
		t.Errorf("SquareMetresPerMu = %v", SquareMetresPerMu)
	}
	if got := HectaresFromM2(12345); got != 1.2345 {
		t.Errorf("HectaresFromM2(12345) = %v", got)
	}
	if got := M2FromHectares(2.5); got != 25000 {
		t.Errorf("M2FromHectares(2.5) = %v", got)
	}
	// 15 亩 = 1 hm², going through square metres both ways.
	if got := HectaresFromM2(M2FromMu(15)); got != 1 {
		t.Errorf("15 亩 = %v hm², want 1", got)
	}
	if got := MuFromM2(M2FromHectares(1)); got != 15 {
		t.Errorf("1 hm² = %v 亩, want 15", got)
	}
	// A thousand 亩 with the rounded factor would be 3.33 m² off.
	if got := M2FromMu(1000); math.Abs(got-666666.6666666666) > 1e-6 {
		t.Errorf("M2FromMu(1000) = %v", got)
	}
}

func TestRoundHectares(t *testing.T) {
	cases := []struct{ m2, want float64 }{
		{0, 0},
		{12345, 1.23},
		{12350, 1.24},
		{12349.99, 1.23},
		{1234567, 123.46},
		{M2FromMu(15), 1},
		{-12350, -1.24},
	}
	for _, c := range cases {
		if got := RoundHectares(c.m2); got != c.want {
			t.Errorf("RoundHectares(%v) = %v, want %v", c.m2, got, c.want)
		}
	}
}

func TestParseAreaUnit(t *testing.T) {
	good := map[string]AreaUnit{
		"m2": UnitM2, "M2": UnitM2, "m²": UnitM2, " m2 ": UnitM2,
		"mu": UnitMu, "MU": UnitMu, "亩": UnitMu,
		"ha": UnitHectare, "HA": UnitHectare, "hm2": UnitHectare, "hm²": UnitHectare,
		"hectare": UnitHectare, "Hectare": UnitHectare, "公顷": UnitHectare, "平方米": UnitM2,
	}
	for in, want := range good {
		got, err := ParseAreaUnit(in)
		if err != nil || got != want {
			t.Errorf("ParseAreaUnit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "km2", "acre", "sqm", "666.67", "m"} {
		got, err := ParseAreaUnit(in)
		if err == nil {
			t.Errorf("ParseAreaUnit(%q) = %q, want error", in, got)
			continue
		}
		for _, v := range []string{"m2", "m²", "mu", "亩", "ha", "hm2", "hm²", "hectare"} {
			if !strings.Contains(err.Error(), v) {
				t.Errorf("error %q does not list %q", err, v)
			}
		}
	}
}

func TestAreaUnitConvert(t *testing.T) {
	cases := []struct {
		u     AreaUnit
		v, m2 float64
	}{
		{UnitM2, 123.5, 123.5},
		{UnitMu, 15, 10000},
		{UnitMu, 3, 2000},
		{UnitHectare, 1.5, 15000},
	}
	for _, c := range cases {
		if got := c.u.ToM2(c.v); math.Abs(got-c.m2) > 1e-9 {
			t.Errorf("%s.ToM2(%v) = %v, want %v", c.u, c.v, got, c.m2)
		}
		if got := c.u.FromM2(c.m2); math.Abs(got-c.v) > 1e-12 {
			t.Errorf("%s.FromM2(%v) = %v, want %v", c.u, c.m2, got, c.v)
		}
	}
}

func TestAreaUnitUnknownPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"ToM2":   func() { AreaUnit("acre").ToM2(1) },
		"FromM2": func() { AreaUnit("").FromM2(1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with unknown unit did not panic", name)
				}
			}()
			f()
		}()
	}
}

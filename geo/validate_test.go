package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func square(lon, lat, d float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
}

func TestValidatePolygonalOK(t *testing.T) {
	outer := square(120.2, 30.2, 0.01)
	hole := square(120.202, 30.202, 0.001)
	for _, g := range []orb.Geometry{
		orb.Polygon{outer},
		orb.Polygon{outer, hole},
		orb.MultiPolygon{{outer, hole}, {square(120.3, 30.3, 0.01)}},
	} {
		if err := ValidatePolygonal(g, 100); err != nil {
			t.Errorf("%T: unexpected error %v", g, err)
		}
	}
	// 0 means no vertex limit.
	if err := ValidatePolygonal(orb.Polygon{outer}, 0); err != nil {
		t.Errorf("no limit: %v", err)
	}
}

func TestValidatePolygonalErrors(t *testing.T) {
	ok := square(120.2, 30.2, 0.01)
	cases := []struct {
		name string
		g    orb.Geometry
		max  int
		want []string // all must appear in the message
	}{
		{"nil", nil, 0, []string{"empty geometry"}},
		{"not polygonal", orb.LineString{{120, 30}, {121, 31}}, 0, []string{"Polygon or MultiPolygon", "LineString"}},
		{"bare ring", ok, 0, []string{"Polygon or MultiPolygon"}},
		{"empty polygon", orb.Polygon{}, 0, []string{"empty geometry"}},
		{"empty multipolygon", orb.MultiPolygon{}, 0, []string{"empty geometry"}},
		{"empty rings", orb.Polygon{{}}, 0, []string{"empty geometry"}},
		{"multipolygon with empty member", orb.MultiPolygon{{ok}, {}}, 0, []string{"empty geometry", "polygon 2"}},
		{"NaN", orb.Polygon{{{120.2, 30.2}, {math.NaN(), 30.2}, {120.3, 30.3}, {120.2, 30.2}}}, 0,
			[]string{"not a finite number", "point 2", "NaN"}},
		{"Inf", orb.Polygon{{{120.2, 30.2}, {120.3, math.Inf(1)}, {120.3, 30.3}, {120.2, 30.2}}}, 0,
			[]string{"not a finite number", "+Inf"}},
		{"too few points", orb.Polygon{{{120.2, 30.2}, {120.3, 30.2}, {120.2, 30.2}}}, 0,
			[]string{"outer ring", "3 points", "at least 4"}},
		{"hole too few points", orb.Polygon{ok, {{120.201, 30.201}, {120.202, 30.201}, {120.201, 30.201}}}, 0,
			[]string{"hole 1", "at least 4"}},
		{"not closed", orb.Polygon{{{120.2, 30.2}, {120.3, 30.2}, {120.3, 30.3}, {120.2, 30.3}}}, 0,
			[]string{"outer ring", "not closed", "(120.2, 30.2)", "(120.2, 30.3)"}},
		{"not closed in multi", orb.MultiPolygon{{ok}, {ok, {{120.201, 30.201}, {120.202, 30.201}, {120.202, 30.202}, {120.2015, 30.2015}}}}, 0,
			[]string{"hole 1 of polygon 2", "not closed", "(120.201, 30.201)", "(120.2015, 30.2015)"}},
		{"projected metres", orb.Polygon{square(520223.43, 3341194.30, 100)}, 0,
			[]string{"coordinates look like projected metres (EPSG:4549/4528?) but EPSG:4490 degrees were expected"}},
		{"swapped", orb.Polygon{square(30.2, 120.2, 0.01)}, 0,
			[]string{"swapped", "(30.2, 120.2)"}},
		{"outside China", orb.Polygon{square(2.35, 48.85, 0.01)}, 0,
			[]string{"outside China", "73", "136", "54"}},
		{"too many vertices", orb.MultiPolygon{{ok}, {ok}}, 9, []string{"too many vertices", "10", "9"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidatePolygonal(c.g, c.max)
			if err == nil {
				t.Fatal("expected an error")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, want *ValidationError", err)
			}
			if ve.Field != "geometry" {
				t.Errorf("Field = %q", ve.Field)
			}
			if ve.Error() != ve.Field+": "+ve.Message {
				t.Errorf("Error() = %q", ve.Error())
			}
			for _, w := range c.want {
				if !strings.Contains(ve.Message, w) {
					t.Errorf("message %q does not mention %q", ve.Message, w)
				}
			}
		})
	}
}

func TestValidationErrorWithoutField(t *testing.T) {
	e := &ValidationError{Message: "bad"}
	if e.Error() != "bad" {
		t.Errorf("Error() = %q", e.Error())
	}
}

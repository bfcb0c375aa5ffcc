package geotest_test

import (
	"math"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestSquareHasItsAreaInMetres(t *testing.T) {
	if p := geotest.At(0, 0); math.Abs(p[0]-120.21) > 1e-9 || math.Abs(p[1]-30.19) > 1e-9 {
		t.Fatalf("At(0, 0) = %v, want the origin", p)
	}
	var m orb.Ring
	for _, p := range geotest.Square(100, 200, 50) {
		m = append(m, geo.To4549(p))
	}
	if a := planar.Area(m); math.Abs(a-2500) > 0.01 {
		t.Fatalf("a 50 m square measures %v m² (signed), want 2500", a)
	}
}

package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestOrientIsExact: the filtered orientation agrees with exact arithmetic
// on points a rounding away from collinear.
func TestOrientIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 200000 {
		ax, ay := 120+r.Float64(), 30+r.Float64()
		bx, by := 120+r.Float64(), 30+r.Float64()
		f := r.Float64()
		cx, cy := ax+f*(bx-ax), ay+f*(by-ay) // on the line, then rounded
		for range r.IntN(3) {
			cx = math.Nextafter(cx, math.Inf(1-2*r.IntN(2)))
		}
		if got, want := orient(ax, ay, bx, by, cx, cy), orientExact(ax, ay, bx, by, cx, cy); got != want {
			t.Fatalf("orient(%v %v, %v %v, %v %v) = %d, exactly %d", ax, ay, bx, by, cx, cy, got, want)
		}
	}
}

// TestOverlapPrefilterTrustsOnlyValidRings: a ring that crosses itself
// with every turn the same way (a pentagram) passes for convex, and the
// pre-filter drops its pair with a square inside one of its points. The
// pair is safe only because PostGIS finds the star invalid (no pair of
// it is checked) or, repaired, the SQL self-join checks the staged
// outlines instead (TestImportRepairedOverlaps).
func TestOverlapPrefilterTrustsOnlyValidRings(t *testing.T) {
	var star orb.Ring
	for k := range 6 {
		a := (90 + 144*float64(k%5)) * math.Pi / 180
		star = append(star, orb.Point{120.2 + 1e-3*math.Cos(a), 30.2 + 1e-3*math.Sin(a)})
	}
	tip := orb.Ring{{120.19995, 30.2008}, {120.20005, 30.2008}, {120.20005, 30.2009}, {120.19995, 30.2009}, {120.19995, 30.2008}}
	o := NewOutlines()
	o.Add(1, orb.MultiPolygon{{star}})
	o.Add(2, orb.MultiPolygon{{tip}})
	pairs, ok := o.PairsToCheck()
	if !ok || len(pairs) != 0 {
		t.Errorf("pairs %v (%v): the pre-filter kept the pair; TestImportRepairedOverlaps may no longer test the fallback", pairs, ok)
	}
}

package demo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestBlockLayout checks the subdivision of many random blocks: the
// parcels tile the block (less the chamfered corners), never overlap,
// are simple and counter-clockwise, and share every vertex of a common
// edge.
func TestBlockLayout(t *testing.T) {
	r := newRNG(1)
	var bl blockLayout
	merged, chamfered, slanted := 0, 0, 0
	for iter := 0; iter < 3000; iter++ {
		L := r.uniform(60, 450)
		S := r.uniform(40, L)
		bp := planBlock(r, L*S, 1)
		if iter%7 == 0 { // force the rarer cases
			bp.parcels = 2 + iter%4
			bp.merge = true
		}
		bl.layout(r, L, S, bp, 1)
		if len(bl.rings) != bp.parcels {
			t.Fatalf("block %d: %d rings for %d parcels", iter, len(bl.rings), bp.parcels)
		}
		rings := make([][]orb.Point, len(bl.rings))
		var sum float64
		for k, ring := range bl.rings {
			pts := make([]orb.Point, len(ring))
			for n, idx := range ring {
				pts[n] = orb.Point{bl.pts[idx].u, bl.pts[idx].v}
				if pts[n][0] < -1e-9 || pts[n][0] > L+1e-9 || pts[n][1] < -1e-9 || pts[n][1] > S+1e-9 {
					t.Fatalf("block %d: vertex %v outside the block %vx%v", iter, pts[n], L, S)
				}
			}
			a := shoelace(pts)
			if a <= 0 || selfIntersects(pts) {
				t.Fatalf("block %d parcel %d: area %f, self-intersecting %v: %v", iter, k, a, selfIntersects(pts), pts)
			}
			if a2, _, _ := bl.ringAreaUV(ring); math.Abs(a2-a) > 1e-6*a {
				t.Fatalf("ringAreaUV %f vs %f", a2, a)
			}
			sum += a
			rings[k] = pts
			if n := len(dropStraight(pts)); n >= 6 {
				merged++
			}
		}
		for _, p := range bl.pts {
			if p.line < 0 {
				chamfered++
				break
			}
		}
		for _, p := range bl.pts {
			if p.line > 0 && p.v == S && p.u != L {
				if q := bl.pts[findV(bl.lines[p.line], 0)]; q.u != p.u {
					slanted++
					break
				}
			}
		}
		// Chamfers take at most 4 triangles of 12 m legs.
		if sum > L*S*(1+1e-9) || sum < L*S-4*72-1e-6 {
			t.Fatalf("block %d: parcels cover %.3f of %.3f", iter, sum, L*S)
		}
		for i := range rings {
			for j := i + 1; j < len(rings); j++ {
				if a := overlapArea(rings[i], rings[j]); a > 1e-6 {
					t.Fatalf("block %d: parcels %d and %d overlap by %g", iter, i, j, a)
				}
				if bad := tJunction(rings[i], rings[j]); bad != "" {
					t.Fatalf("block %d: parcels %d and %d: %s", iter, i, j, bad)
				}
			}
		}
	}
	if merged == 0 || chamfered == 0 || slanted == 0 {
		t.Fatalf("merged %d chamfered %d slanted %d: some shapes never occur", merged, chamfered, slanted)
	}
}

func TestBlockPlanSizes(t *testing.T) {
	r := newRNG(2)
	for i := 0; i < 1000; i++ {
		a := r.uniform(1000, 150000)
		bp := planBlock(r, a, 1)
		if bp.parcels < 1 || bp.parcels > 6 {
			t.Fatalf("%d parcels", bp.parcels)
		}
		if a >= 6*parcelMinM2 && a/float64(bp.parcels) > parcelMaxM2*1.001 && bp.parcels < 6 {
			t.Fatalf("%.0f m² in %d parcels", a, bp.parcels)
		}
	}
}

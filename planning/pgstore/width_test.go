package pgstore_test

import (
	"context"
	"math"
	"testing"
)

// TestOverlapWidth: lq_overlap_width (026) gives the diameter of the widest
// disc that fits, capped at 10 m, within 5 mm (0.2 mm on the exact path of
// a convex outline), on shapes whose answer is known, at EPSG:4549's large
// coordinates. Two are parcels of the 10M-sized demo on which 024's
// bisection of inward buffers was wrong by more than 5 mm.
func TestOverlapWidth(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	width := func(wkt string) float64 {
		t.Helper()
		var w float64
		err := s.Pool().QueryRow(ctx, `SELECT lq_overlap_width(ST_Translate(ST_GeomFromText($1, 4549), 500000, 3300000))`, wkt).Scan(&w)
		if err != nil {
			t.Fatalf("%s: %v", wkt, err)
		}
		return w
	}
	cases := []struct {
		name string
		wkt  string
		want float64
		tol  float64
	}{
		{"rectangle", "POLYGON((0 0,7 0,7 3,0 3,0 0))", 3, 0.0002},
		{"rectangle, clockwise", "POLYGON((0 0,0 7,30 7,30 0,0 0))", 7, 0.0002},
		{"3-4-5 triangle (inradius 1)", "POLYGON((0 0,3 0,0 4,0 0))", 2, 0.0002},
		{"wide square: the cap", "POLYGON((0 0,40 0,40 40,0 40,0 0))", 10, 0},
		{"seam", "MULTIPOLYGON(((0 0,100 0,100 0.2,0 0.2,0 0)))", 0.2, 0.0002},
		{"rhombus (inradius = height / 2)", "POLYGON((0 0,5 0,8 4,3 4,0 0))", 4, 0.0002},
		// a corner within 0.1 mm of straight: the exact path still
		{"rectangle with a corner 0.05 mm in", "POLYGON((0 0,3.5 0.00005,7 0,7 3,0 3,0 0))", 3, 0.0002},
		// two parts: the wider one
		{"two parts", "MULTIPOLYGON(((0 0,20 0,20 3,0 3,0 0)),((0 10,20 10,20 16,0 16,0 10)))", 6, 0.005},
		// a square frame 5 m wide round a hole: the widest disc sits in a
		// corner, as in the L below
		{"hole", "POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,5 15,15 15,15 5,5 5))", 10 * (2 - math.Sqrt2), 0.005},
		// an L of 4 m arms: the disc in the corner touches both outer
		// sides and the reflex corner, r = 4 (2 - √2), wider than an arm
		{"L", "POLYGON((0 0,30 0,30 4,4 4,4 30,0 30,0 0))", 8 * (2 - math.Sqrt2), 0.005},
		// parcel 683430 (1M demo, shrunk to 10M size): GEOS's inward buffer
		// drops 2.27 m² as empty at 3.90 m, so the bisection said 3.851 m;
		// ST_MaximumInscribedCircle's centre lies 2.2921 m from every edge
		{"buffer drops a region", "MULTIPOLYGON(((4.772 0,4.985 1.465,6.176 9.655,2.704 10.521,0.443 2.718,0 1.19,4.772 0)))", 4.5842, 0.005},
		// parcel 715940: a near-square whose shorter side is 8.254 m; the
		// bisection said 8.296 m (GEOS kept a region that is not there)
		{"near-square", "MULTIPOLYGON(((8.029 0,10.026 8.009,1.997 10.011,0 2.002,8.029 0)))", 8.2544, 0.005},
		// seams along an axis, not convex or in two parts: GEOS 3.11's
		// inscribed circle would start from 6e8 squares (and not stop on a
		// cancel), so it is asked with the seam turned 45°
		{"seam along x, bent", "POLYGON((0 0,600 0,600 0.000001,300 0.0000005,0 0.000001,0 0))", 0, 0.005},
		{"two seams along y", "MULTIPOLYGON(((0 0,0.000001 0,0.000001 600,0 600,0 0)),((1 0,1.00001 0,1.00001 600,1 600,1 0)))", 0, 0.005},
		{"empty", "POLYGON EMPTY", 0, 0},
		{"no area", "POLYGON((0 0,5 0,10 0,0 0))", 0, 0},
	}
	for _, c := range cases {
		if got := width(c.wkt); math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: width %.5f m, want %.5f ± %g", c.name, got, c.want, c.tol)
		}
	}
	// A regular 32-gon of radius 3 (more than 12 edges: the shrinking path).
	var w32 float64
	if err := s.Pool().QueryRow(ctx, `SELECT lq_overlap_width(ST_Buffer(ST_SetSRID(ST_MakePoint(500000, 3300000), 4549), 3, 8))`).Scan(&w32); err != nil {
		t.Fatal(err)
	}
	if want := 6 * math.Cos(math.Pi/32); math.Abs(w32-want) > 0.0002 {
		t.Errorf("32-gon: width %.5f, want %.5f", w32, want)
	}

	// Random convex outlines of 3 to 40 corners, 2 to 30 m across (both
	// exact paths): within GEOS's ST_MaximumInscribedCircle bounds, whose
	// centre lies inside at its radius from the edges (a lower bound) and
	// which may fall short by its tolerance, the envelope's larger side /
	// 1000 (an upper bound).
	var n, low, high int
	var worst float64
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT setseed(0.17)"); err != nil { // the same shapes each run
		t.Fatal(err)
	}
	err = tx.QueryRow(ctx, `
		WITH shapes AS (
			SELECT k, ST_ConvexHull(ST_Collect(ST_MakePoint(500000 + sz * random(), 3300000 + sz * random() * asp))) AS g
			FROM (SELECT k, 2 + 28 * random() AS sz, 0.1 + random() AS asp, 3 + (k % 38) AS pts FROM generate_series(1, 400) k) p,
			     LATERAL generate_series(1, p.pts) i
			GROUP BY k),
		m AS (SELECT k, lq_overlap_width(ST_SetSRID(g, 4549)) AS w, 2 * (ST_MaximumInscribedCircle(g)).radius AS mic,
		             2 * greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g)) / 1000 AS tol
		      FROM shapes WHERE ST_GeometryType(g) = 'ST_Polygon')
		SELECT count(*), count(*) FILTER (WHERE w < least(mic, 10) - 0.0002),
		       count(*) FILTER (WHERE w > least(mic + tol, 10) + 0.0002),
		       coalesce(max(greatest(least(mic, 10) - w, w - least(mic + tol, 10))), 0)
		FROM m`).Scan(&n, &low, &high, &worst)
	if err != nil {
		t.Fatal(err)
	}
	if n < 390 || low != 0 || high != 0 {
		t.Errorf("random convex outlines: %d measured, %d below the inscribed circle, %d above its bound (worst by %.5f m)", n, low, high, worst)
	}
}

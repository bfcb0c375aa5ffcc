package pgstore_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// kept compares parcel_conflicts with a fresh measurement of every parcel
// by lq_planner_conflicts, and returns the kept figures of one parcel.
func kept(t *testing.T, w *plannerWorld, code string) (farm, red, outside float64) {
	t.Helper()
	ctx := context.Background()
	var missing, wrong int
	err := w.s.Pool().QueryRow(ctx, `SELECT
		(SELECT count(*) FROM parcels p WHERE NOT EXISTS (SELECT 1 FROM parcel_conflicts c WHERE c.parcel_id = p.id)),
		(SELECT count(*) FROM parcels p JOIN parcel_conflicts c ON c.parcel_id = p.id CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k
		 WHERE abs(c.farmland_m2 - k.farmland_m2) > 0.001 OR abs(c.red_line_m2 - k.red_line_m2) > 0.001
		    OR abs(c.outside_boundary_m2 - k.outside_boundary_m2) > 0.001 OR abs(c.farmland_width_m - k.farmland_width_m) > 0.001
		    OR abs(c.red_line_width_m - k.red_line_width_m) > 0.001 OR abs(c.outside_boundary_width_m - k.outside_boundary_width_m) > 0.001)`).Scan(&missing, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 || wrong != 0 {
		t.Fatalf("parcel_conflicts: %d parcels without figures, %d with figures that differ from a fresh measurement", missing, wrong)
	}
	err = w.s.Pool().QueryRow(ctx, `SELECT c.farmland_m2, c.red_line_m2, c.outside_boundary_m2
		FROM parcel_conflicts c JOIN parcels p ON p.id = c.parcel_id WHERE p.code = $1`, code).Scan(&farm, &red, &outside)
	if err != nil {
		t.Fatal(err)
	}
	return farm, red, outside
}

// TestParcelConflictsFollowParcelsAndZones: the kept protected-line figures
// equal a fresh measurement after parcels are inserted and reshaped and
// after zones are added, moved and removed.
func TestParcelConflictsFollowParcelsAndZones(t *testing.T) {
	w := newPlannerWorld(t)
	ctx := context.Background()
	pool := w.s.Pool()
	// X4 (10900..11100 × 900..1100) lies 100 m × 100 m on the farmland.
	if farm, red, out := kept(t, w, "X4"); !near(farm, 10000, 0.05) || red != 0 || out != 0 {
		t.Fatalf("X4 as inserted: farmland %.2f red %.2f outside %.2f", farm, red, out)
	}
	// Reshaped to 10800..11000 × 800..1000: 200 m × 200 m on the farmland.
	g, err := geo.ToGeom(drect(10800, 800, 11000, 1000), geo.SRIDStore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE parcels SET geom = $1 WHERE code = 'X4'", g); err != nil {
		t.Fatal(err)
	}
	if farm, _, _ := kept(t, w, "X4"); !near(farm, 40000, 0.05) {
		t.Fatalf("X4 reshaped: farmland %.2f, want 40000", farm)
	}
	// A status change leaves the figures as they are.
	if _, err := pool.Exec(ctx, "UPDATE parcels SET status = 'approved', approved_on = '2025-01-01' WHERE code = 'X4'"); err != nil {
		t.Fatal(err)
	}
	kept(t, w, "X4")

	// A new red-line zone over X1 (7000..7200 × 0..200).
	id, err := w.s.InsertZone(ctx, planning.ProtectedZone{Kind: planning.ZoneRedLine, Name: "新红线", Outline: drect(7100, 0, 7300, 200)})
	if err != nil {
		t.Fatal(err)
	}
	if _, red, _ := kept(t, w, "X1"); !near(red, 20000, 0.05) {
		t.Fatalf("X1 under a new red line: %.2f m², want 20000", red)
	}
	// Moved off X1 onto X5 (9000..9200 × 0..200).
	g, err = geo.ToGeom(drect(9000, 0, 9100, 200), geo.SRIDStore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE protected_zones SET geom = $1 WHERE id = $2", g, id); err != nil {
		t.Fatal(err)
	}
	if _, red, _ := kept(t, w, "X1"); red != 0 {
		t.Fatalf("X1 after the zone moved away: red line %.2f m²", red)
	}
	if _, red, _ := kept(t, w, "X5"); !near(red, 20000, 0.05) {
		t.Fatalf("X5 after the zone moved onto it: red line %.2f m², want 20000", red)
	}
	// Removing the development boundary leaves every parcel outside it.
	if _, err := pool.Exec(ctx, "DELETE FROM protected_zones WHERE kind = 'urban_development_boundary'"); err != nil {
		t.Fatal(err)
	}
	if _, _, out := kept(t, w, "X1"); !near(out, 40000, 0.05) {
		t.Fatalf("X1 without a boundary: outside %.2f m², want its 40000", out)
	}
	// Deleting a parcel deletes its figures.
	if _, err := pool.Exec(ctx, "DELETE FROM parcels WHERE code = 'X1'"); err != nil {
		t.Fatal(err)
	}
	var orphans int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM parcel_conflicts c WHERE NOT EXISTS (SELECT 1 FROM parcels p WHERE p.id = c.parcel_id)").Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d figures of deleted parcels remain (%v)", orphans, err)
	}
}

// A 单独选址 road outside the boundary is accepted with its exception; a
// State Council major project may sit on farmland; an exception without its
// document is refused; the tolerance is policy data.
func TestProtectedLineExceptions(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	for _, z := range []planning.ProtectedZone{
		{Kind: planning.ZoneDevBoundary, Name: "城镇开发边界", Outline: rect(-5000, -5000, 3000, 5000)},
		{Kind: planning.ZoneDevBoundary, Name: "城镇开发边界二", Outline: rect(3400, -100, 4100, 600)},
		{Kind: planning.ZoneFarmland, Name: "永久基本农田", Outline: rect(3500, 0, 4000, 500)},
	} {
		if _, err := s.InsertZone(ctx, z); err != nil {
			t.Fatal(err)
		}
	}
	road := parcel("ROAD", rect(2900, 0, 3100, 100)) // 10 000 m² outside the boundary
	road.LandUse, road.LineException, road.LineExceptionDocument = "1207", planning.LineExceptionSingleSite, "浙政土字〔2025〕88号"
	major := parcel("MAJOR", rect(3500, 0, 3600, 100)) // all on farmland
	major.LineException, major.LineExceptionDocument = planning.LineExceptionMajorProject, "国函〔2024〕12号"
	plain := parcel("PLAIN", rect(3700, 0, 3800, 100)) // on farmland, no exception
	edge := parcel("EDGE", rect(3999, 0, 4100, 0.5))   // 0.5 m² on farmland
	// 50 m² on farmland each: a 0.2 m seam 250 m long, and a square.
	seam := parcel("SEAM", rect(3999.8, 100, 4100, 350))
	side := 50 / math.Sqrt(50)
	square := parcel("SQUARE", rect(4000-side, 400, 4100, 400+side))
	for _, p := range []planning.Parcel{road, major, plain, edge, seam, square} {
		mustInsertParcel(t, s, p)
	}
	nodoc := parcel("NODOC", rect(2900, 200, 3100, 300))
	nodoc.LineException = planning.LineExceptionSingleSite
	if _, err := s.InsertParcel(ctx, nodoc); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "document") {
		t.Fatalf("exception without a document: %v", err)
	}
	check := func(code string) planner.Eligibility {
		t.Helper()
		e, err := s.CheckEligibility(ctx, planner.EligibilityQuery{ParcelCode: code, Precision: 7, Tolerance: planning.DefaultLineTolerance})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := check("ROAD")
	if !e.Eligible || e.InsideBoundary || e.ExceptionApplied != planning.LineExceptionSingleSite ||
		!strings.Contains(e.Verdict.Zh, "单独选址") || !strings.Contains(e.Verdict.Zh, "浙政土字〔2025〕88号") {
		t.Errorf("ROAD: %+v", e)
	}
	if e := check("MAJOR"); !e.Eligible || e.ExceptionApplied != planning.LineExceptionMajorProject || e.Farmland.M2 != 10000 ||
		!strings.Contains(e.Verdict.En, "State Council") {
		t.Errorf("MAJOR: %+v", e)
	}
	if e := check("PLAIN"); e.Eligible || e.ExceptionApplied != "" {
		t.Errorf("PLAIN: %+v", e)
	}
	if e := check("EDGE"); !e.Eligible || e.ToleranceM2 != 1 || e.SliverWidthM != 0.5 {
		t.Errorf("EDGE with the 1 m², 0.5 m policy: %+v", e)
	}
	// The sliver width: the seam is ignored whatever its area, the square
	// of the same area is not.
	if e := check("SEAM"); !e.Eligible || math.Abs(e.Farmland.M2-50) > 0.05 || math.Abs(e.FarmlandWidthM-0.2) > 0.005 {
		t.Errorf("SEAM with the 0.5 m width: %+v", e)
	}
	if e := check("SQUARE"); e.Eligible || math.Abs(e.Farmland.M2-50) > 0.05 || math.Abs(e.FarmlandWidthM-side) > 0.005 ||
		!strings.Contains(e.Verdict.Zh, "永久基本农田 50.0") {
		t.Errorf("SQUARE with the 0.5 m width: %+v", e)
	}
	// The search and the layers apply the same rule.
	search := func() []string {
		yes := true
		var got []string
		_, err := s.SearchParcels(ctx, planner.Search{Eligible: &yes, Limit: 10, Order: planner.OrderID}, func(b []byte) error {
			got = append(got, string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := search(); len(got) != 4 || !strings.Contains(got[0], `"line_exception":"single_site_infrastructure"`) ||
		!strings.Contains(got[3], `"code":"SEAM"`) {
		t.Errorf("eligible search: %d %v", len(got), got)
	}
	project := func() bool {
		t.Helper()
		var id int64
		if err := s.Pool().QueryRow(ctx, "SELECT id FROM parcels WHERE code = 'SEAM'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		pr, err := s.CreateProject(ctx, quota.Project{Code: "P-SEAM", Name: "seam", Category: allocation.General, District: "330108", ParcelIDs: []int64{id}})
		if err != nil {
			t.Fatal(err)
		}
		if pr, err = s.Project(ctx, pr.ID); err != nil {
			t.Fatal(err)
		}
		return pr.Need.Eligible
	}
	if !project() {
		t.Error("a project on the seam parcel is not eligible at 0.5 m")
	}
	// A bad policy is refused, naming the field, and nothing changes.
	err := s.SetLineTolerance(ctx, planning.LineTolerance{AreaM2: 1, WidthM: -0.5}, "")
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "sliver_width_m") {
		t.Errorf("negative width: %v", err)
	}
	if _, err := s.Pool().Exec(ctx, "UPDATE eligibility_policy SET sliver_width_m = -0.5"); err == nil || !strings.Contains(err.Error(), "eligibility_policy_sliver_width_m") {
		t.Errorf("negative width in the table: %v", err)
	}
	// The tolerance is data: at 0 m² and a width of 0 the 0.5 m² sliver
	// and the seam are conflicts.
	if err := s.SetLineTolerance(ctx, planning.LineTolerance{}, "no tolerance"); err != nil {
		t.Fatal(err)
	}
	if e := check("EDGE"); e.Eligible || e.ToleranceM2 != 0 || e.SliverWidthM != 0 {
		t.Errorf("EDGE with a 0 m², 0 m policy: %+v", e)
	}
	if e := check("SEAM"); e.Eligible || !strings.Contains(e.Verdict.En, "permanent basic farmland by 50.0") {
		t.Errorf("SEAM with the width off: %+v", e)
	}
	if got := search(); len(got) != 2 {
		t.Errorf("eligible search at 0 m²: %d", len(got))
	}
	yes := true
	n := 0
	if _, err := s.StreamLayer(ctx, planning.LayerQuery{Layer: "parcels", Limit: 10, Filter: &planning.ParcelFilter{Eligible: &yes}},
		func([]byte) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("eligible layer at 0 m²: %d %v", n, err)
	}
}

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

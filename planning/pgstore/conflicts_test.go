package pgstore_test

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
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

package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/paulmach/orb"
)

// freeBoxesDiffer counts the rows in which free_parcel_boxes and the rows
// made afresh from the parcels differ, either way round.
func freeBoxesDiffer(t *testing.T, s *Store) int64 {
	t.Helper()
	return queryInt(t, s, `
		WITH fresh AS (SELECT id, status, area_m2, box(ST_Transform(geom, 4549))::text AS b FROM parcels
		               WHERE status IN ('approved', 'expropriated', 'reserve')),
		kept AS (SELECT id, status, area_m2, box_4549::text AS b FROM free_parcel_boxes)
		SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept) a)
		     + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh) b)`)
}

func TestFreeParcelBoxesFollowTheParcels(t *testing.T) {
	w := newTileWorld(t)
	exec := followedBy(t, w.store, "rows of free_parcel_boxes", freeBoxesDiffer)
	if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes"); n != 25 || freeBoxesDiffer(t, w.store) != 0 {
		t.Fatalf("after the inserts: %d rows, %d differing", n, freeBoxesDiffer(t, w.store))
	}
	exec("a bulk insert", bulkParcelsSQL)
	exec("statuses made free", "UPDATE parcels SET status = 'approved' WHERE code LIKE 'B-1%'")
	exec("statuses made not free", "UPDATE parcels SET status = 'supplied' WHERE code LIKE 'B-3%' OR code = 'T-1'")
	exec("one free status for another", "UPDATE parcels SET status = 'expropriated' WHERE code LIKE 'B-6%'")
	exec("an update that changes nothing kept", "UPDATE parcels SET plot_ratio = 2 WHERE code LIKE 'B-2%' OR code LIKE 'T-%'")
	exec("moving free parcels", `UPDATE parcels SET geom = ST_Multi(ST_Translate(geom, 0.05, 0.05)) WHERE code IN ('B-0', 'B-12', 'T-2')`)
	exec("a new area", "UPDATE parcels SET area_m2 = area_m2 + 1 WHERE code = 'T-4'")
	exec("deleting some", "DELETE FROM parcels WHERE code LIKE 'B-5%' OR code = 'T-3'")
	exec("an insert and an update in one statement", `WITH n AS (INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		VALUES ('C-1', '330108', '100101', 'reserve', ST_Multi(ST_MakeEnvelope(120.25, 30.25, 120.2503, 30.2503, 4490)), 0) RETURNING id)
		UPDATE parcels SET status = 'completed' WHERE code = 'B-9'`)
	if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes"); n < 50 {
		t.Fatalf("only %d free rows: the statements above do not exercise the table", n)
	}
	exec("deleting every parcel", "DELETE FROM project_parcels; DELETE FROM parcels")
	if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes"); n != 0 {
		t.Fatalf("%d rows left with no parcel", n)
	}
	// Replacing the world (the seed's --replace) truncates parcels.
	exec("a new free parcel", `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		VALUES ('D-1', '330108', '100101', 'reserve', ST_Multi(ST_MakeEnvelope(120.25, 30.25, 120.2503, 30.2503, 4490)), 0)`)
	exec("a truncate", "SELECT set_config('landquota.replace_world', 'on', false); TRUNCATE parcels CASCADE")
	if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes"); n != 0 {
		t.Fatalf("%d rows left after TRUNCATE", n)
	}
}

// TestSearchFreeRadiusAnswersAsMeasured runs radius searches over free
// land, which read free_parcel_boxes, over a grid of small parcels and
// compares each whole answer (totals and every match, in order) with the
// parcels measured one by one: within the radius in EPSG:4549, of the
// statuses asked, in no project when "available". The circles cross the
// grid, so parcels whose box crosses the circle are among the matches and
// among those left out, and some lie just beyond it.
func TestSearchFreeRadiusAnswersAsMeasured(t *testing.T) {
	ctx := context.Background()
	w := newTileWorld(t)
	s := w.store
	// Rectangles 0.6 to 5.5 m wide and right triangles (half a 5 m square, either
	// way) every 7 m over 420 m, 3,600 parcels, a quarter of each free status and a
	// quarter supplied; every fifth free one in a project. A triangle's box
	// has a corner the triangle does not reach.
	gx, gy := -3000.0, 1000.0
	if _, err := s.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		SELECT 'G-' || i || '-' || j, '330108', '100101', (array['approved', 'expropriated', 'reserve', 'supplied'])[1 + (i + j) % 4],
		       ST_Multi(ST_Transform(CASE (i * 7 + j) % 3
		         WHEN 0 THEN ST_MakeEnvelope(x, y, x + (array[0.6, 3, 5.5])[1 + i % 3], y + (array[0.6, 0.6, 5])[1 + j % 3], 4549)
		         WHEN 1 THEN ST_SetSRID(ST_MakePolygon(ST_MakeLine(array[ST_MakePoint(x, y), ST_MakePoint(x + 5, y), ST_MakePoint(x, y + 5), ST_MakePoint(x, y)])), 4549)
		         ELSE ST_SetSRID(ST_MakePolygon(ST_MakeLine(array[ST_MakePoint(x + 5, y), ST_MakePoint(x + 5, y + 5), ST_MakePoint(x, y + 5), ST_MakePoint(x + 5, y)])), 4549)
		       END, 4490)), 0
		  FROM generate_series(0, 59) i, generate_series(0, 59) j, LATERAL (SELECT $1 + i * 7 AS x, $2 + j * 7 AS y) o`, tileMiddle[0]+gx, tileMiddle[1]+gy); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO projects (code, name, category, district_adcode) VALUES ('P-1', 'P-1', 'general', '330108');
		INSERT INTO project_parcels (project_id, parcel_id) SELECT (SELECT id FROM projects), id FROM parcels
		 WHERE status IN ('approved', 'expropriated', 'reserve') AND id % 5 = 0`); err != nil {
		t.Fatal(err)
	}
	var points [][2]float64
	for _, d := range [][2]float64{{210, 210}, {3.3, 17.9}, {150.2, 400.1}} {
		p := geo.From4549(orb.Point{tileMiddle[0] + gx + d[0], tileMiddle[1] + gy + d[1]})
		points = append(points, [2]float64{p[0], p[1]})
	}
	minArea := 27.0
	cases := []struct {
		name      string
		statuses  []planning.Status
		available bool
		min       *float64
		order     planner.Order
		want      string // the SQL condition over t
	}{
		{"available", nil, true, nil, planner.OrderAreaDesc,
			"t.status IN ('approved', 'expropriated', 'reserve') AND t.id NOT IN (SELECT parcel_id FROM project_parcels)"},
		{"reserve, by id", []planning.Status{planning.StatusReserve}, false, nil, planner.OrderID, "t.status = 'reserve'"},
		{"approved or available, ≥ 27 m², smallest first", []planning.Status{planning.StatusApproved}, true, &minArea, planner.OrderAreaAsc,
			"(t.status = 'approved' OR t.status IN ('expropriated', 'reserve') AND t.id NOT IN (SELECT parcel_id FROM project_parcels)) AND t.area_m2 >= 27"},
	}
	order := map[planner.Order]string{planner.OrderAreaDesc: "t.area_m2 DESC, t.id", planner.OrderAreaAsc: "t.area_m2, t.id", planner.OrderID: "t.id"}
	var inRing, outRing int64
	for _, c := range cases {
		for _, p := range points {
			for _, r := range []float64{12.5, 100.3, 187.77} {
				q := planner.Search{Point: &orb.Point{p[0], p[1]}, Near: &orb.Point{p[0], p[1]}, DistanceM: r, Statuses: c.statuses, Available: c.available,
					MinAreaM2: c.min, Order: c.order, Limit: planner.MaxSearchLimit, Precision: 7, NoGeometry: true, Tolerance: planning.DefaultLineTolerance}
				if !freeRadius(&q) {
					t.Fatalf("%s: the search does not read free_parcel_boxes", c.name)
				}
				var got []int64
				res, err := s.SearchParcels(ctx, q, func(b []byte) error {
					var f struct {
						ID int64 `json:"id"`
					}
					err := json.Unmarshal(b, &f)
					got = append(got, f.ID)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				within := fmt.Sprintf("ST_DWithin(ST_Transform(t.geom, 4549), ST_Transform(ST_SetSRID(ST_MakePoint(%v, %v), 4490), 4549), %v)", p[0], p[1], r)
				var n int64
				var m2 float64
				var ids []int64
				if err := s.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(t.area_m2), 0), coalesce(array_agg(t.id ORDER BY `+order[c.order]+`), '{}')
					FROM parcels t WHERE `+c.want+` AND `+within).Scan(&n, &m2, &ids); err != nil {
					t.Fatal(err)
				}
				if res.Totals.Count != n || res.Totals.Area != planner.AreaOf(m2) || !slices.Equal(got, ids) {
					t.Errorf("%s within %v m of %v: %d parcels, %.2f m², %d features; measured %d, %.2f m²", c.name, r, p, res.Totals.Count, res.Totals.Area.M2, len(got), n, m2)
				}
				// The ring: free parcels whose box crosses the circle.
				var in, out int64
				if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE `+within+`), count(*) FILTER (WHERE NOT `+within+`)
					FROM free_parcel_boxes f JOIN parcels t ON t.id = f.id, ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4549) c
					WHERE ST_Intersects(ST_MakeEnvelope((f.box_4549[1])[0], (f.box_4549[1])[1], (f.box_4549[0])[0], (f.box_4549[0])[1], 4549), ST_ExteriorRing(ST_Buffer(c, $3, 64)))`, p[0], p[1], r).Scan(&in, &out); err != nil {
					t.Fatal(err)
				}
				inRing += in
				outRing += out
			}
		}
	}
	if inRing == 0 || outRing == 0 {
		t.Errorf("parcels whose box crosses the circle: %d within the radius, %d beyond; the test needs both", inRing, outRing)
	}
}

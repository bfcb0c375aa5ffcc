package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/paulmach/orb"
)

// freeBoxesDiffer counts the rows in which free_parcel_boxes and the rows
// made afresh from the parcels and their conflict figures differ, either
// way round.
func freeBoxesDiffer(t *testing.T, s *Store) int64 {
	t.Helper()
	return queryInt(t, s, `
		WITH fresh AS (SELECT p.id, p.status, p.area_m2, box(ST_Transform(p.geom, 4549))::text AS b, p.land_use_code, p.park_code,
		                      coalesce(greatest(c.farmland_m2, c.red_line_m2, c.outside_boundary_m2), 'Infinity') AS m2
		               FROM parcels p LEFT JOIN parcel_conflicts c ON c.parcel_id = p.id
		               WHERE p.status IN ('approved', 'expropriated', 'reserve')),
		kept AS (SELECT id, status, area_m2, box_4549::text AS b, land_use_code, park_code, max_conflict_m2 FROM free_parcel_boxes)
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
	exec("a park and a planned use changed", "UPDATE parcels SET park_code = NULL, land_use_code = '0802' WHERE code IN ('T-5', 'T-6')")
	exec("a park given", "UPDATE parcels SET park_code = 'HZ_HITECH' WHERE code = 'T-5'")
	if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes"); n < 50 {
		t.Fatalf("only %d free rows: the statements above do not exercise the table", n)
	}
	// The conflict figures follow the zones (lq_zone_conflicts_remeasure)
	// and the parcels' outlines; the rows must follow the figures.
	// met: some free parcels are partly on a line (with no boundary zone,
	// every parcel is wholly outside it).
	met := func(what string, want bool) {
		t.Helper()
		if n := queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes WHERE max_conflict_m2 > 0 AND max_conflict_m2 < area_m2 - 1"); (n > 0) != want {
			t.Fatalf("after %s: %d free parcels partly on a line, want some: %v", what, n, want)
		}
	}
	exec("a boundary around every parcel", `INSERT INTO protected_zones (kind, name, geom, area_m2)
		SELECT 'urban_development_boundary', 'b', ST_Multi(ST_Expand(ST_Extent(geom)::geometry, 0.01)), 0 FROM parcels`)
	met("a boundary around every parcel", false)
	exec("a zone moved over free parcels", `UPDATE protected_zones SET geom = (SELECT ST_Multi(ST_Envelope(ST_Collect(ST_Centroid(geom)))) FROM parcels WHERE code IN ('T-7', 'T-13'))
		WHERE id = $1`, w.zone)
	met("a zone moved over free parcels", true)
	exec("a red line over them", `INSERT INTO protected_zones (kind, name, geom, area_m2)
		SELECT 'ecological_red_line', 'r', ST_Multi(ST_Envelope(ST_Collect(ST_Centroid(geom)))), 0 FROM parcels WHERE code IN ('T-13', 'T-19')`)
	exec("a parcel moved onto the zone", `UPDATE parcels SET geom = ST_Multi(ST_Translate(geom, 0.0001, 0)) WHERE code = 'T-8'`)
	// Figures deleted and written again by a plain INSERT (landquota
	// does neither: a parcel's figures are written before its row here, or
	// updated) leave the row "not known", which a search looks up; the
	// next update of them sets it again.
	unknown := func() int64 {
		return queryInt(t, w.store, "SELECT count(*) FROM free_parcel_boxes f JOIN parcels p USING (id) WHERE p.code = 'T-12' AND f.max_conflict_m2 = 'Infinity'")
	}
	if _, err := w.store.pool.Exec(context.Background(), `DELETE FROM parcel_conflicts WHERE parcel_id = (SELECT id FROM parcels WHERE code = 'T-12');
		INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2, farmland_width_m, red_line_width_m, outside_boundary_width_m)
		SELECT p.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2, k.farmland_width_m, k.red_line_width_m, k.outside_boundary_width_m
		FROM parcels p CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k WHERE p.code = 'T-12'`); err != nil || unknown() != 1 {
		t.Fatalf("a parcel's figures deleted and inserted again: %v, %d rows not known, want 1", err, unknown())
	}
	exec("the parcel's figures updated", "UPDATE parcel_conflicts SET farmland_m2 = farmland_m2 WHERE parcel_id = (SELECT id FROM parcels WHERE code = 'T-12')")
	exec("the zones deleted", "DELETE FROM protected_zones")
	met("the zones deleted", false)
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
				if !freeSearch(&q) {
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

// pagesOf runs the search body page by page (at most pages pages) and
// returns every page's totals, features and whether a next page was
// offered, as text, and the search checked from the first page.
func pagesOf(t *testing.T, s *Store, body string, pages int) (string, planner.Search) {
	t.Helper()
	var out []byte
	var first planner.Search
	cursor := ""
	for page := 0; page < pages; page++ {
		b := body
		if cursor != "" {
			b = strings.TrimSuffix(body, "}") + `,"cursor":"` + cursor + `"}`
		}
		var req planner.SearchRequest
		if err := planning.DecodeJSON(strings.NewReader(b), 1<<20, planning.Textf("the request body"), &req); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		q, err := req.Check()
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if page == 0 {
			first = q
		}
		res, err := s.SearchParcels(context.Background(), q, func(f []byte) error {
			out = append(append(out, f...), '\n')
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		totals, _ := json.Marshal(res.Totals)
		out = fmt.Appendf(out, "page %d: %s, %d returned, more: %v\n", page, totals, res.Returned, res.Next != "")
		if cursor = res.Next; cursor == "" {
			break
		}
	}
	return string(out), first
}

// TestSearchFreeInParkAnswersAsBefore runs searches over free land in a
// park, which read free_parcel_boxes, and the same searches with the
// district named as well (every parcel here is in it), which read parcels
// as before, and compares the whole answers page by page: totals, every
// feature's text, the cursors' presence. The park holds a grid of small
// rectangles and triangles of several uses and statuses, some in
// projects, some outside the park, cut by farmland, a red line and the
// boundary's edge so that their conflict areas range from nothing through
// slivers under the tolerance to whole parcels, some with an exception;
// nearest first from inside, beside and far from the grid, at page sizes
// that put ties and near-ties of the box bounds on page edges; and around
// a point, with and without the park.
func TestSearchFreeInParkAnswersAsBefore(t *testing.T) {
	ctx := context.Background()
	w := newTileWorld(t)
	s := w.store
	// The grid: x from -950 to -545 m, y from 200 to 605 m of the tile's
	// middle; the farmland zone of the world is [-800, -500] × [300, 600].
	if _, err := s.pool.Exec(ctx, `INSERT INTO protected_zones (kind, name, geom, area_m2) VALUES
		('urban_development_boundary', 'b', ST_Multi(ST_Transform(ST_MakeEnvelope($1 - 1000, $2 - 1000, $1 + 1000, $2 + 580, 4549), 4490)), 0),
		('ecological_red_line', 'r', ST_Multi(ST_Transform(ST_SetSRID(ST_MakePolygon(ST_MakeLine(array[ST_MakePoint($1 - 700, $2 + 150),
		   ST_MakePoint($1 - 561.3, $2 + 150), ST_MakePoint($1 - 700, $2 + 452.7), ST_MakePoint($1 - 700, $2 + 150)])), 4549), 4490)), 0)`,
		tileMiddle[0], tileMiddle[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, park_code, land_use_code, status, geom, area_m2, line_exception, line_exception_document)
		SELECT 'G-' || i || '-' || j, '330108', CASE WHEN (i + 2 * j) % 9 <> 0 THEN 'HZ_HITECH' END,
		       (array['100101', '100102', '0802'])[1 + (i * 3 + j * 2) % 3], (array['approved', 'expropriated', 'reserve', 'supplied'])[1 + (i + j) % 4],
		       ST_Multi(ST_Transform(CASE (i * 7 + j) % 3
		         WHEN 0 THEN ST_MakeEnvelope(x, y, x + (array[0.6, 3, 8])[1 + i % 3], y + (array[0.6, 2, 8])[1 + j % 3], 4549)
		         WHEN 1 THEN ST_SetSRID(ST_MakePolygon(ST_MakeLine(array[ST_MakePoint(x, y), ST_MakePoint(x + 7, y), ST_MakePoint(x, y + 7), ST_MakePoint(x, y)])), 4549)
		         ELSE ST_SetSRID(ST_MakePolygon(ST_MakeLine(array[ST_MakePoint(x + 7, y), ST_MakePoint(x + 7, y + 7), ST_MakePoint(x, y + 7), ST_MakePoint(x + 7, y)])), 4549)
		       END, 4490)), 0,
		       CASE WHEN (i + j * 5) % 13 = 0 THEN 'state_council_major_project' WHEN (i * 2 + j) % 17 = 0 THEN 'single_site_infrastructure' END,
		       CASE WHEN (i + j * 5) % 13 = 0 OR (i * 2 + j) % 17 = 0 THEN '国函〔2026〕1号' END
		  FROM generate_series(0, 44) i, generate_series(0, 44) j, LATERAL (SELECT $1 - 950 + i * 9 AS x, $2 + 200 + j * 9 AS y) o`, tileMiddle[0], tileMiddle[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO projects (code, name, category, district_adcode) VALUES ('P-1', 'P-1', 'general', '330108');
		INSERT INTO project_parcels (project_id, parcel_id) SELECT (SELECT id FROM projects), id FROM parcels
		 WHERE status IN ('approved', 'expropriated', 'reserve') AND id % 5 = 0`); err != nil {
		t.Fatal(err)
	}
	// The grid must hold free parcels in the park known eligible from
	// their row, with some overlap all the same, and others to look up
	// that turn out eligible and not.
	var sure, sureOverlap, lookedUp, lookedUpEligible int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE f.max_conflict_m2 <= 1), count(*) FILTER (WHERE f.max_conflict_m2 <= 1 AND f.max_conflict_m2 > 0),
			count(*) FILTER (WHERE f.max_conflict_m2 > 1), count(*) FILTER (WHERE f.max_conflict_m2 > 1 AND `+eligibleSQL("e", "1", "0.5")+`)
		FROM free_parcel_boxes f JOIN parcel_conflicts e ON e.parcel_id = f.id JOIN parcels t ON t.id = f.id WHERE f.park_code = 'HZ_HITECH'`).
		Scan(&sure, &sureOverlap, &lookedUp, &lookedUpEligible); err != nil {
		t.Fatal(err)
	}
	if sureOverlap < 3 || lookedUpEligible < 10 || lookedUp-lookedUpEligible < 10 {
		t.Fatalf("free parcels in the park: %d known eligible (%d of them with some overlap), %d looked up, %d of those eligible: the grid should make more of each",
			sure, sureOverlap, lookedUp, lookedUpEligible)
	}
	from := func(x, y float64) string {
		p := geo.From4549(orb.Point{tileMiddle[0] + x, tileMiddle[1] + y})
		return fmt.Sprintf("[%.9f,%.9f]", p[0], p[1])
	}
	whats := []string{
		`{"status":["available"]}`,
		`{"land_use":["1001"],"status":["available"],"eligible":true}`,
		`{"status":["reserve","approved"],"eligible":false}`,
		`{"land_use":["0802","100102"],"status":["expropriated","available"],"area":{"min":5,"max":40,"unit":"m2"}}`,
	}
	type order struct{ order, near string }
	orders := []order{{"distance", from(-700.3, 401.1)}, {"distance", from(-949, 607)}, {"distance", from(-300, -400)}, {"area_desc", ""}, {"id", from(-600, 300)}}
	compared := 0
	run := func(where, what string, o order, limit, pages int) {
		t.Helper()
		body := fmt.Sprintf(`{"where":{%s},"what":%s,"order":%q,"limit":%d,"geometry":false`, where, what, o.order, limit)
		if o.near != "" {
			body += `,"near":` + o.near
		}
		body += "}"
		got, q := pagesOf(t, s, body, pages)
		if !freeSearch(&q) {
			t.Fatalf("%s: does not read free_parcel_boxes", body)
		}
		old := strings.Replace(body, `"where":{`, `"where":{"district":"330108",`, 1)
		want, q := pagesOf(t, s, old, pages)
		if freeSearch(&q) {
			t.Fatalf("%s: reads free_parcel_boxes", old)
		}
		if got != want {
			t.Fatalf("%s: the answers differ from those read from parcels:\n%s\nwant\n%s", body, got, want)
		}
		compared += strings.Count(got, "\n")
	}
	for _, what := range whats {
		for _, o := range orders {
			run(`"park":"HZ_HITECH"`, what, o, 97, 100)
			if o.order == "distance" {
				run(`"park":"HZ_HITECH"`, what, o, 1, 12)
				run(`"park":"HZ_HITECH"`, what, o, 4, 8)
			}
		}
		// Around a point as well: a radius that crosses the grid.
		run(`"park":"HZ_HITECH","point":`+from(-700, 400)+`,"distance_m":120.5`, what, order{"distance", from(-650, 380)}, 13, 100)
		run(`"park":"HZ_HITECH","point":`+from(-700, 400)+`,"distance_m":120.5`, what, order{"area_asc", ""}, 50, 100)
		run(`"point":`+from(-700, 400)+`,"distance_m":120.5`, what, order{"area_desc", from(-650, 380)}, 50, 100)
	}
	// Another tolerance: more parcels known eligible from their row.
	if _, err := s.pool.Exec(ctx, "UPDATE eligibility_policy SET tolerance_m2 = 6, sliver_width_m = 0"); err != nil {
		t.Fatal(err)
	}
	for _, what := range whats[1:3] {
		run(`"park":"HZ_HITECH"`, what, orders[0], 9, 100)
	}
	t.Logf("%d lines of answers compared", compared)
}

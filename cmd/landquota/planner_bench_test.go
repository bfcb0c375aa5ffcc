package main

// The planners' questions (issue 5) against the 1,000,000-parcel seed, 8
// clients: the example searches and the eligibility check at p95, and the
// full yearly report. Each is measured beside its reference in the same
// run: the bare SQL for the same question (features and totals, or the
// same figures) on the pool, without the server.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/paulmach/orb"
)

// plannerInputs are the places the planner benchmarks ask about, sampled
// once from the seed.
type plannerInputs struct {
	binxiao  [][2]float64 // points inside Binxiao
	centres  [][2]float64 // parcel centroids anywhere
	zoneNear [][2]float64 // centroids of parcels touching farmland or red line
	parcels  []int64      // parcel ids
}

var (
	plannerOnce sync.Once
	plannerIn   *plannerInputs
	plannerErr  error
)

func plannerSample(b *testing.B, e *benchEnv) *plannerInputs {
	plannerOnce.Do(func() {
		ctx := context.Background()
		in := &plannerInputs{}
		points := func(sql string) ([][2]float64, error) {
			rows, err := e.pool.Query(ctx, sql)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out [][2]float64
			for rows.Next() {
				var p [2]float64
				if err := rows.Scan(&p[0], &p[1]); err != nil {
					return nil, err
				}
				out = append(out, p)
			}
			return out, rows.Err()
		}
		if in.binxiao, plannerErr = points(`SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM parcels
			WHERE park_code = 'BINXIAO' ORDER BY hashint8(id) LIMIT 40) s`); plannerErr != nil {
			return
		}
		if in.centres, plannerErr = points(`SELECT ST_X(ST_Centroid(s.geom)), ST_Y(ST_Centroid(s.geom)) FROM ` + sampledParcels(11) + ` s`); plannerErr != nil {
			return
		}
		if in.zoneNear, plannerErr = points(`SELECT ST_X(c), ST_Y(c) FROM (SELECT DISTINCT ON (z.id) ST_Centroid(p.geom) c FROM protected_zones z
			JOIN parcels p ON p.geom && z.geom AND ST_Intersects(p.geom, ST_Boundary(z.geom))
			WHERE z.kind <> 'urban_development_boundary' ORDER BY z.id, p.id) s`); plannerErr != nil {
			return
		}
		rows, err := e.pool.Query(ctx, "SELECT s.id FROM "+sampledParcels(13)+" s")
		if err != nil {
			plannerErr = err
			return
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			in.parcels = append(in.parcels, id)
		}
		rows.Close()
		if len(in.binxiao) == 0 || len(in.centres) == 0 || len(in.parcels) == 0 {
			plannerErr = fmt.Errorf("no Binxiao parcels sampled: is the benchmark database seeded?")
		}
		plannerIn = in
	})
	if plannerErr != nil {
		b.Fatal(plannerErr)
	}
	return plannerIn
}

// square is a lon/lat polygon of side metres (EPSG:4549) around a point,
// as GeoJSON.
func squareAround(p [2]float64, w, h float64) string {
	c := geo.To4549(orb.Point{p[0], p[1]})
	var ring [][]float64
	for _, d := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}, {-1, -1}} {
		q := geo.From4549(orb.Point{c[0] + d[0]*w/2, c[1] + d[1]*h/2})
		ring = append(ring, []float64{q[0], q[1]})
	}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}})
	return string(b)
}

// timed runs op from the 8 clients and reports its p95 (and p50) in ms.
func timed(b *testing.B, op func(i int) error) {
	elapsed, lat := timedClients(b, op)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	}
}

// postJSON posts a body and reads the whole answer, as a client would.
func postJSON(u, body string) (int, error) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := benchTransport.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(res.Body)
	if res.StatusCode != 200 {
		return int(n), fmt.Errorf("POST %s: %s %s", u, res.Status, buf.Bytes())
	}
	return int(n), err
}

// refRows runs the reference SQL and reads every column of every row.
func refRows(e *benchEnv, sql string, args ...any) error {
	rows, err := e.pool.Query(context.Background(), sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		_ = rows.RawValues()
	}
	return rows.Err()
}

// refPage is the bare SQL's way to give features and totals: the matches
// m (id, geom, area_m2, status, v = the sort value), counted and summed
// per status, and the first 200 in order as one GeoJSON text.
const refPage = `
	SELECT (SELECT json_agg(s) FROM (SELECT status, count(*), sum(area_m2) FROM m GROUP BY status) s),
	       (SELECT '{"type":"FeatureCollection","features":[' || coalesce(string_agg(f, ',' ORDER BY o), '') || ']}' FROM (
	         SELECT row_number() OVER (ORDER BY %s) o, '{"type":"Feature","id":' || id || ',"geometry":' || ST_AsGeoJSON(geom, 7) ||
	                ',"properties":' || json_build_object('status', status, 'area_m2', round(area_m2::numeric, 2), 'v', round(v::numeric, 2), %s)::text || '}' f
	         FROM (SELECT * FROM m ORDER BY %s LIMIT 200) x) y)`

// BenchmarkPlannerSearch: the example searches. "server" goes
// through POST /api/parcels/search; "postgres" runs the bare SQL for the
// same question (same filters, the schema's parcel_conflicts for the
// protected lines, totals per status and the first page as GeoJSON).
func BenchmarkPlannerSearch(b *testing.B) {
	e := startBench(b)
	in := plannerSample(b, e)
	ll := func(p [2]float64) string { return fmt.Sprintf("[%.7f,%.7f]", p[0], p[1]) }
	type question struct {
		name string
		body func(i int) string
		sql  string
		args func(i int) []any
	}
	binxiaoSQL := `WITH m AS (SELECT t.id, t.geom, t.area_m2, t.status,
			ST_Distance(ST_Transform(t.geom, 4549), ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4549)) AS v
		FROM parcels t WHERE t.park_code = 'BINXIAO' AND t.land_use_code LIKE '1001%' AND t.status IN ('reserve', 'approved', 'expropriated')
		  AND NOT EXISTS (SELECT 1 FROM project_parcels pp WHERE pp.parcel_id = t.id) AND t.area_m2 >= $3
		  AND EXISTS (SELECT 1 FROM parcel_conflicts e WHERE e.parcel_id = t.id AND e.farmland_m2 <= 1 AND e.red_line_m2 <= 1 AND e.outside_boundary_m2 <= 1))` +
		fmt.Sprintf(refPage, "v, id", "'eligible', true", "v, id")
	// The nearest industrial plots in Binxiao of at least mu mu.
	nearestInBinxiao := func(mu int) question {
		return question{name: fmt.Sprintf("binxiao-industrial-%dmu-nearest", mu),
			body: func(i int) string {
				return fmt.Sprintf(`{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available"],"area":{"min":%d,"unit":"mu"},"eligible":true},"near":`, mu) +
					ll(in.binxiao[i%len(in.binxiao)]) + `,"order":"distance"}`
			},
			sql: binxiaoSQL,
			args: func(i int) []any {
				p := in.binxiao[i%len(in.binxiao)]
				return []any{p[0], p[1], float64(mu) * 10000.0 / 15}
			}}
	}
	questions := []question{
		nearestInBinxiao(50),
		nearestInBinxiao(3),
		// Any size: on 10M the demo's Binxiao parcels are all under 3 亩
		// (docs/SCALING.md), so the two above match nothing there; this one
		// matches thousands at every seed size and pages them nearest first.
		nearestInBinxiao(0),
		{name: "drawn-polygon-by-status",
			body: func(i int) string {
				return `{"where":{"polygon":` + squareAround(in.centres[i%len(in.centres)], 600, 600) + `},"group_by":"status"}`
			},
			sql: `WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g),
				m AS (SELECT t.id, t.geom, t.area_m2, t.status, t.area_m2 AS v, ST_Area(ST_Transform(ST_Intersection(t.geom, g.g), 4549)) AS overlap
				      FROM parcels t, g WHERE ST_Intersects(t.geom, g.g) AND NOT ST_Touches(t.geom, g.g))` +
				fmt.Sprintf(refPage, "v DESC, id", "'overlap_m2', round(overlap::numeric, 2)", "v DESC, id"),
			args: func(i int) []any { return []any{squareAround(in.centres[i%len(in.centres)], 600, 600)} }},
		{name: "radius-1km-available-largest",
			body: func(i int) string {
				return `{"where":{"point":` + ll(in.centres[i%len(in.centres)]) + `,"distance_m":1000},"what":{"status":["available"]},"order":"area_desc"}`
			},
			sql: `WITH c AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4549) p),
				m AS (SELECT t.id, t.geom, t.area_m2, t.status, t.area_m2 AS v FROM parcels t, c
				      WHERE t.geom && ST_Transform(ST_Expand(c.p, 1010), 4490) AND ST_DWithin(ST_Transform(t.geom, 4549), c.p, 1000)
				        AND t.status IN ('reserve', 'approved', 'expropriated') AND NOT EXISTS (SELECT 1 FROM project_parcels pp WHERE pp.parcel_id = t.id))` +
				fmt.Sprintf(refPage, "v DESC, id", "'distance_m', round(ST_Distance(ST_Transform(geom, 4549), (SELECT p FROM c))::numeric, 2)", "v DESC, id"),
			args: func(i int) []any { p := in.centres[i%len(in.centres)]; return []any{p[0], p[1]} }},
	}
	for _, q := range questions {
		b.Run(q.name+"/server", func(b *testing.B) {
			timed(b, func(i int) error {
				_, err := postJSON(e.base+"/api/parcels/search", q.body(i))
				return err
			})
		})
		b.Run(q.name+"/postgres", func(b *testing.B) {
			timed(b, func(i int) error { return refRows(e, q.sql, q.args(i)...) })
		})
	}
}

// BenchmarkPlannerEligibility: POST /api/eligibility for drawn shapes (a
// 150 m × 100 m plot, half of them on the edge of farmland or red line)
// and for parcel ids; the reference measures the same overlaps with the
// schema's lq_planner_conflicts and the covered parcels in bare SQL.
func BenchmarkPlannerEligibility(b *testing.B) {
	e := startBench(b)
	in := plannerSample(b, e)
	shape := func(i int) string {
		pts := in.centres
		if i%2 == 1 && len(in.zoneNear) > 0 {
			pts = in.zoneNear
		}
		return squareAround(pts[(i/2)%len(pts)], 150, 100)
	}
	b.Run("drawn/server", func(b *testing.B) {
		timed(b, func(i int) error {
			_, err := postJSON(e.base+"/api/eligibility", `{"geometry":`+shape(i)+`}`)
			return err
		})
	})
	ref := `WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
		SELECT c.farmland_m2, c.red_line_m2, c.outside_boundary_m2, ST_Area(ST_Transform(g.g, 4549)),
		       (SELECT coalesce(sum(ST_Area(ST_Transform(ST_Intersection(p.geom, g.g), 4549))) FILTER (WHERE p.construction_land), 0)
		        FROM parcels p WHERE p.geom && g.g AND ST_Intersects(p.geom, g.g) AND coalesce(p.elevation_top > 0, true)),
		       (SELECT coalesce(sum(ST_Area(ST_Transform(ST_Intersection(p.geom, g.g), 4549))) FILTER (WHERE NOT p.construction_land), 0)
		        FROM parcels p WHERE p.geom && g.g AND ST_Intersects(p.geom, g.g) AND coalesce(p.elevation_top > 0, true))
		FROM g CROSS JOIN LATERAL lq_planner_conflicts(g.g, 1) c`
	b.Run("drawn/postgres", func(b *testing.B) {
		timed(b, func(i int) error { return refRows(e, ref, shape(i)) })
	})
	b.Run("parcel/server", func(b *testing.B) {
		timed(b, func(i int) error {
			_, err := postJSON(e.base+"/api/eligibility", fmt.Sprintf(`{"parcel_id":%d}`, in.parcels[i%len(in.parcels)]))
			return err
		})
	})
	b.Run("parcel/postgres", func(b *testing.B) {
		timed(b, func(i int) error {
			return refRows(e, `SELECT t.construction_land, ST_Area(ST_Transform(t.geom, 4549)), c.* FROM parcels t
				CROSS JOIN LATERAL lq_planner_conflicts(t.geom, 1) c WHERE t.id = $1`, in.parcels[i%len(in.parcels)])
		})
	})
}

// BenchmarkPlannerYearReport: the full 2026 report (every table) from one
// client, as JSON and as .xlsx (ns/op is the mean, max-ms the slowest;
// the target is under 2 s); the reference is the bare SQL for the
// same figures: one pass of FILTER aggregates per district and park
// (supply by method, 批而未供 and 闲置 at the start and end of the year,
// their disposal, the five-year window, the low-efficiency kinds), one
// pass per land-use class, and the quota accounts.
func BenchmarkPlannerYearReport(b *testing.B) {
	e := startBench(b)
	for _, format := range []string{"json", "xlsx"} {
		b.Run(format+"/server", func(b *testing.B) {
			worst := time.Duration(0)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := fetch(e.base + "/api/reports/2026?asof=2026-06-30&format=" + format); err != nil {
					b.Fatal(err)
				}
				worst = max(worst, time.Since(t0))
			}
			b.ReportMetric(float64(worst.Milliseconds()), "max-ms")
		})
	}
	idle := func(d string) string {
		return `(NOT t.government_delay AND ((t.supplied_on <= ` + d + ` AND coalesce(t.actual_start_on > ` + d + `, t.status NOT IN ('under_construction', 'completed', 'in_production', 'low_efficiency', 'redevelopment'))
			AND coalesce(t.agreed_start_on, (t.supplied_on + interval '1 year')::date) + interval '1 year' <= ` + d + `)
			OR (t.actual_start_on <= ` + d + ` AND coalesce(t.completed_on > ` + d + `, true) AND t.halted_since + interval '1 year' <= ` + d + `
			    AND (t.developed_share < 1.0/3 OR t.invested_share < 0.25))))`
	}
	unsupplied := func(d string) string {
		return `(t.approved_on <= ` + d + ` AND (t.supplied_on IS NULL OR t.supplied_on > ` + d + `))`
	}
	sum := func(cond string) string {
		return fmt.Sprintf("count(*) FILTER (WHERE %[1]s), sum(t.area_m2) FILTER (WHERE %[1]s)", cond)
	}
	s0, s1 := "'2025-12-31'::date", "'2026-06-30'::date"
	groups := `SELECT t.district_adcode, t.park_code, count(*), sum(t.area_m2), ` + strings.Join([]string{
		sum("t.supplied_on BETWEEN '2026-01-01' AND " + s1 + " AND t.supply_method = 'sale'"),
		sum("t.supplied_on BETWEEN '2026-01-01' AND " + s1 + " AND t.supply_method = 'allocation'"),
		sum(unsupplied(s0)), sum(unsupplied(s1)), sum(unsupplied(s0) + " AND t.supplied_on <= " + s1),
		sum(idle(s0)), sum(idle(s1)), sum(idle(s0) + " AND NOT " + idle(s1)),
		sum("t.approved_on > '2021-06-30' AND t.approved_on <= " + s1),
		sum("t.approved_on > '2021-06-30' AND t.approved_on <= " + s1 + " AND t.supplied_on <= " + s1),
		sum("t.status = 'completed' AND t.completed_on + interval '1 year' <= " + s1),
		sum("t.status = 'low_efficiency'"),
	}, ", ") + ` FROM parcels t GROUP BY 1, 2`
	classes := `SELECT t.district_adcode, t.park_code, k.class, count(*), sum(t.area_m2),
			sum(t.area_m2) FILTER (WHERE t.supplied_on BETWEEN '2026-01-01' AND ` + s1 + `)
		FROM parcels t CROSS JOIN LATERAL (VALUES (left(t.land_use_code, 2)), (CASE WHEN t.land_use_code LIKE '1001%' THEN t.land_use_code END)) k(class)
		WHERE k.class IS NOT NULL GROUP BY 1, 2, 3`
	accounts := `SELECT a.code, a.kind, a.held, (SELECT coalesce(sum(amount_m2), 0) FROM ledger_entries l WHERE l.from_account = a.id AND l.kind = 'consume')
		FROM quota_accounts a JOIN plans p ON p.id = a.plan_id WHERE p.year = 2026`
	b.Run("postgres", func(b *testing.B) {
		worst := time.Duration(0)
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			for _, sql := range []string{groups, classes, accounts} {
				if err := refRows(e, sql); err != nil {
					b.Fatal(err)
				}
			}
			worst = max(worst, time.Since(t0))
		}
		b.ReportMetric(float64(worst.Milliseconds()), "max-ms")
	})
}

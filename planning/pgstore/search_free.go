package pgstore

import (
	"slices"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// freeSearch says whether a search's matches come from free_parcel_boxes
// (freeSQL) rather than parcels (searchWhere): of free statuses alone
// (available, or statuses among planner.AvailableStatuses, the ones the
// table holds), filtered on nothing but what its narrow rows hold (a
// radius, a park, planned use, area, eligibility), and found by one of its
// indexes: in a park (any order), or around a point in an order other than
// distance.
func freeSearch(q *planner.Search) bool {
	if q.Polygon != nil || q.District != "" || q.Name != "" || len(q.CurrentUse) > 0 || len(q.Stock) > 0 || q.Underground != nil ||
		(!q.Available && len(q.Statuses) == 0) {
		return false
	}
	if q.Park == "" && (q.DistanceM <= 0 || q.Point == nil || q.Order == planner.OrderDistance) {
		return false
	}
	for _, s := range q.Statuses {
		if !slices.Contains(planner.AvailableStatuses, s) {
			return false
		}
	}
	return true
}

// freeSQL renders the matches of a search freeSearch accepts: id, status,
// area_m2 and the columns cols (SQL expressions over alias f, each with
// its name, e.g. "f.area_m2 AS v"; names lists those names).
//
// A park, planned use and area are columns of the rows. A radius is
// measured in EPSG:4549 (ST_DWithin of the outline projected there, as
// searchWhere does), and the table keeps the bounding box of each free
// outline projected there: a parcel whose box lies within the circle (its
// farthest corner closer than the radius) is within it, one whose box lies
// wholly beyond it (its nearest point farther) is not, and only those
// whose box crosses the circle are measured, from parcels. The millimetre
// to spare covers rounding; the box is exact (the extent of the projected
// vertices, between which the projected outline runs straight).
// Eligibility is known from the row when the parcel's largest conflict
// area is within the tolerance (eligibleSureSQL); only the others are
// looked up in parcel_conflicts. The candidates come from an index-only
// scan (the box's GiST index, or the parks' index, which includes every
// column read here): on the 10,000,000-parcel seed a 1 km search read
// about 1,700 pages of parcels (one per free parcel) and now reads a few
// dozen index pages and the parcels of the ring; the Binxiao search read
// 2,273 pages of parcels and 2,085 rows of parcel_conflicts.
func freeSQL(q *planner.Search, pre *searchPre, cols string, names []string, args *sqlArgs) string {
	var status []string
	if len(q.Statuses) > 0 {
		status = append(status, "f.status = ANY("+args.add(statusTexts(q.Statuses))+"::text[])")
	}
	if q.Available {
		// Every row here has a free status: available is no project.
		status = append(status, "f.id NOT IN (SELECT pp0.parcel_id FROM project_parcels pp0)")
	}
	conds := []string{"(" + strings.Join(status, " OR ") + ")"}
	if q.Park != "" {
		conds = append(conds, "f.park_code = "+args.add(q.Park))
	}
	if len(q.LandUse) > 0 {
		conds = append(conds, "f.land_use_code LIKE ANY("+args.add(likePrefixes(q.LandUse))+"::text[])")
	}
	if q.MinAreaM2 != nil {
		conds = append(conds, "f.area_m2 >= "+args.add(*q.MinAreaM2))
	}
	if q.MaxAreaM2 != nil {
		conds = append(conds, "f.area_m2 <= "+args.add(*q.MaxAreaM2))
	}
	if q.Eligible != nil {
		area := args.add(q.Tolerance.AreaM2) + "::float8"
		conds = append(conds, "CASE WHEN "+eligibleSureSQL("f.max_conflict_m2", area)+" THEN true "+
			"ELSE (SELECT "+eligibleSQL("e", area, args.add(q.Tolerance.WidthM)+"::float8")+
			" FROM parcel_conflicts e JOIN parcels t ON t.id = e.parcel_id WHERE e.parcel_id = f.id) END = "+args.add(*q.Eligible))
	}
	if q.DistanceM <= 0 {
		return `SELECT f.id, f.status, f.area_m2, ` + cols + ` FROM free_parcel_boxes f WHERE ` + strings.Join(conds, " AND ")
	}
	cx, cy, r := args.add(*pre.centreX)+"::float8", args.add(*pre.centreY)+"::float8", args.add(q.DistanceM)+"::float8"
	conds = append(conds, "f.box_4549 && box(point("+cx+" - "+r+", "+cy+" - "+r+"), point("+cx+" + "+r+", "+cy+" + "+r+"))")
	// far: the box's farthest corner; near: its nearest point (0 inside).
	far := "greatest(" + cx + " - (f.box_4549[1])[0], (f.box_4549[0])[0] - " + cx + ") ^ 2 + greatest(" + cy + " - (f.box_4549[1])[1], (f.box_4549[0])[1] - " + cy + ") ^ 2"
	near := "greatest((f.box_4549[1])[0] - " + cx + ", " + cx + " - (f.box_4549[0])[0], 0) ^ 2 + greatest((f.box_4549[1])[1] - " + cy + ", " + cy + " - (f.box_4549[0])[1], 0) ^ 2"
	return `SELECT c.id, c.status, c.area_m2, c.` + strings.Join(names, ", c.") + ` FROM (
		SELECT f.id, f.status, f.area_m2, ` + cols + `,
		       ` + far + ` <= (` + r + ` - 0.001) ^ 2 AS inside, ` + near + ` > (` + r + ` + 0.001) ^ 2 AS beyond
		FROM free_parcel_boxes f WHERE ` + strings.Join(conds, " AND ") + ` OFFSET 0) c
		WHERE c.inside OR NOT c.beyond AND EXISTS (SELECT 1 FROM parcels t WHERE t.id = c.id
		  AND ST_DWithin(ST_Transform(t.geom, 4549), ST_SetSRID(ST_MakePoint(` + cx + `, ` + cy + `), 4549), ` + r + `))`
}

// freeNearestSQL renders the totals (tot) and the page (page: id, v) of a
// search freeSearch accepts, nearest first from pre's near point, measuring
// only about a page of parcels. Each match's box gives bounds on its
// distance (dist, over parcels t: the outline projected to EPSG:4549, the
// plane the box is in): lo, the box's nearest point, since the outline
// lies in the box; hi, the nearest of the four sides' farther ends, since
// the box is the extent of the outline's vertices, so each side holds one
// (a millimetre to spare on both). u, the limit+1'th smallest hi among the
// matches surely past the cursor (lo beyond it), bounds the page: that
// many matches lie within u, so a match whose lo exceeds u is not on it,
// and only the rest are measured and ordered by (distance, id), so paging
// stays exact. For parcels small beside their distance, hi is within a
// few metres of lo: on the 10,000,000-parcel seed the page's 101 come from
// about as many measured.
func freeNearestSQL(q *planner.Search, pre *searchPre, dist string, args *sqlArgs) string {
	px, py := args.add(*pre.nearX)+"::float8", args.add(*pre.nearY)+"::float8"
	// The point's offsets from the box's sides, once a row (each subscript
	// of the box makes a point: reading them once took a third off the
	// bounds' time). x0 > 0: the point is west of the box; x1 > 0: east.
	offsets := "(f.box_4549[1])[0] - " + px + " AS x0, " + px + " - (f.box_4549[0])[0] AS x1, " +
		"(f.box_4549[1])[1] - " + py + " AS y0, " + py + " - (f.box_4549[0])[1] AS y1"
	lo := "sqrt(greatest(g.x0, g.x1, 0) ^ 2 + greatest(g.y0, g.y1, 0) ^ 2) - 0.001"
	hi := "sqrt(least(least(g.x0 ^ 2, g.x1 ^ 2) + greatest(g.y0 ^ 2, g.y1 ^ 2), greatest(g.x0 ^ 2, g.x1 ^ 2) + least(g.y0 ^ 2, g.y1 ^ 2))) + 0.001"
	n := args.add(q.Limit+1) + "::bigint"
	past, maybe, keyset := "true", "true", "true"
	if q.After != nil {
		v := args.add(q.After.Value) + "::float8"
		past, maybe = "m.lo > "+v, "m.hi >= "+v
		keyset = "(x.v, x.id) > (" + v + ", " + args.add(q.After.ID) + "::bigint)"
	}
	return `m AS MATERIALIZED (SELECT g.id, g.status, g.area_m2, ` + lo + ` AS lo, ` + hi + ` AS hi
	        FROM (` + freeSQL(q, pre, offsets, []string{"x0", "x1", "y0", "y1"}, args) + ` OFFSET 0) g),
	tot AS (SELECT coalesce(json_agg(json_build_array(s.status, s.n, s.a))::text, '[]') AS j
	        FROM (SELECT status, count(*) AS n, sum(area_m2) AS a FROM m GROUP BY status) s),
	bound AS (SELECT coalesce((SELECT m.hi FROM m WHERE ` + past + ` ORDER BY m.hi OFFSET ` + n + ` - 1 LIMIT 1), 'Infinity') AS u),
	page AS (SELECT x.id, x.v FROM (SELECT m.id, ` + dist + ` AS v FROM m JOIN parcels t ON t.id = m.id
	        WHERE m.lo <= (SELECT b.u FROM bound b) AND ` + maybe + ` OFFSET 0) x
	        WHERE ` + keyset + ` ORDER BY x.v, x.id LIMIT ` + n + `)`
}

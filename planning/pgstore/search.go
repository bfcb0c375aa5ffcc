package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/jackc/pgx/v5"
)

// freeStatusesSQL is planner.AvailableStatuses as an SQL list, the
// statuses of free land (with or without a project): those the partial
// indexes of migration 011 and free_parcel_boxes (029) hold.
const freeStatusesSQL = `('approved', 'expropriated', 'reserve')`

// availableSQL is free land (planner.StatusAvailable): approved,
// expropriated or in reserve, with no project holding it. The status list
// is constant SQL so the partial indexes of migration 011 match it.
// The projects' parcels are few; NOT IN lets PostgreSQL hash them once
// rather than probe or scan project_parcels per candidate.
const availableSQL = `(t.status IN ` + freeStatusesSQL + ` AND t.id NOT IN (SELECT pp0.parcel_id FROM project_parcels pp0))`

// searchPre is what the database works out once per search before the
// real query: the points in EPSG:4549, and the radius's box and circle
// polygons in EPSG:4490.
type searchPre struct {
	poly             any       // the drawn polygon as a bound geometry, or nil
	nearX, nearY     *float64  // EPSG:4549
	centreX, centreY *float64  // EPSG:4549
	box              []float64 // EPSG:4490 minx, miny, maxx, maxy of the radius
	inner, outer     *string   // EPSG:4490 polygons (hex EWKB) inside and outside the circle
	innerSure        *string   // a box (hex EWKB) inside inner, see searchWhere
	shrunk           *string   // the drawn polygon 1 mm smaller (hex EWKB), see searchWhere
	sure             *string   // a box (hex EWKB) inside the shrunk polygon, see searchWhere
}

// searchPrecheck refuses codes that name nothing and an invalid drawn
// polygon (naming where it self-intersects), projects the points and reads
// the policy's eligibility tolerance into q, in one round trip. The
// radius's box and polygons are made only when circles is set: a search
// freeSQL answers needs none of them.
func searchPrecheck(ctx context.Context, db querier, q *planner.Search, circles bool) (*searchPre, error) {
	pre := &searchPre{}
	if q.Polygon != nil {
		g, err := geo.ToGeom(q.Polygon, geo.SRIDStore)
		if err != nil {
			return nil, planning.Errorf(planning.ErrInvalid, "where.polygon: %v", err).WithDetail("field", "where.polygon")
		}
		pre.poly = g
	}
	var nearLon, nearLat, cLon, cLat *float64
	if q.Near != nil {
		nearLon, nearLat = &q.Near[0], &q.Near[1]
	}
	if q.Point != nil {
		cLon, cLat = &q.Point[0], &q.Point[1]
	}
	var distance *float64 // NULL: no circle polygons (PostGIS's functions are strict)
	if circles {
		distance = &q.DistanceM
	}
	var badUse, badCurrent []string
	var parkOK, districtOK, valid bool
	var reason, location *string
	var box [4]*float64
	err := db.QueryRow(ctx, `
		SELECT array(SELECT u FROM unnest($1::text[]) u WHERE NOT EXISTS (SELECT 1 FROM land_use_classes WHERE code = u)),
		       array(SELECT u FROM unnest($10::text[]) u WHERE NOT EXISTS (SELECT 1 FROM land_use_classes WHERE code = u)),
		       $2::text = '' OR EXISTS (SELECT 1 FROM parks WHERE code = $2::text),
		       $3::text = '' OR EXISTS (SELECT 1 FROM districts WHERE adcode = $3::text),
		       coalesce(d.valid, true), d.reason, ST_AsGeoJSON(d.location, 7),
		       CASE WHEN d.valid THEN ST_AsHexEWKB(ST_Buffer(x.g, -1e-8)) END,
		       ST_X(x.n), ST_Y(x.n), ST_X(x.c), ST_Y(x.c), ST_XMin(y.b), ST_YMin(y.b), ST_XMax(y.b), ST_YMax(y.b),
		       ST_AsHexEWKB(y.i),
		       ST_AsHexEWKB(ST_Transform(ST_Buffer(x.c, ($9::float8 + 1) / cos(pi() / 64), 16), 4490)),
		       `+toleranceSQL+`, `+sliverWidthSQL+`,
		       CASE WHEN d.valid THEN `+boxInsideSQL("ST_Buffer(x.g, -1e-8)")+` END,
		       `+circleInsideSQL("y.i", "x.c", "$9::float8")+`
		FROM (SELECT $4::geometry AS g,
		             ST_Transform(ST_SetSRID(ST_MakePoint($5::float8, $6::float8), 4490), 4549) AS n,
		             ST_Transform(ST_SetSRID(ST_MakePoint($7::float8, $8::float8), 4490), 4549) AS c) x
		CROSS JOIN LATERAL (SELECT `+circleBoxSQL("x.c", "$9::float8")+` AS b,
		                           ST_Transform(ST_Buffer(x.c, greatest($9::float8 - 1, 0), 16), 4490) AS i OFFSET 0) y
		LEFT JOIN LATERAL ST_IsValidDetail(x.g) d ON true`,
		q.LandUse, q.Park, q.District, pre.poly, nearLon, nearLat, cLon, cLat, distance, q.CurrentUse).
		Scan(&badUse, &badCurrent, &parkOK, &districtOK, &valid, &reason, &location, &pre.shrunk, &pre.nearX, &pre.nearY, &pre.centreX, &pre.centreY,
			&box[0], &box[1], &box[2], &box[3], &pre.inner, &pre.outer, &q.Tolerance.AreaM2, &q.Tolerance.WidthM, &pre.sure, &pre.innerSure)
	if err != nil {
		return nil, domainError(err)
	}
	switch {
	case len(badUse) > 0:
		return nil, unknownField("what.land_use", "unknown land-use class %s", strings.Join(badUse, ", "))
	case len(badCurrent) > 0:
		return nil, unknownField("what.current_use", "unknown land-use class %s", strings.Join(badCurrent, ", "))
	case !parkOK:
		return nil, unknownField("where.park", "unknown park %q", q.Park)
	case !districtOK:
		return nil, unknownField("where.district", "unknown district %q", q.District)
	case !valid:
		return nil, invalidShape("where.polygon", reason, location)
	}
	if box[0] != nil {
		pre.box = []float64{*box[0], *box[1], *box[2], *box[3]}
	}
	return pre, nil
}

// invalidShape says why PostGIS finds a drawn polygon invalid and where.
func invalidShape(field string, reason, location *string) error {
	why := planning.Textf("%s: the polygon is not valid", field)
	if reason != nil {
		why = planning.Textf("%s: the polygon is not valid: %s", field, *reason)
	}
	var loc struct {
		Coordinates []float64 `json:"coordinates"`
	}
	if location != nil && json.Unmarshal([]byte(*location), &loc) == nil && len(loc.Coordinates) == 2 {
		why = planning.Textf("%s (at longitude %.7f, latitude %.7f)", why, loc.Coordinates[0], loc.Coordinates[1])
	}
	e := planning.Errorf(planning.ErrInvalid, "%s", why).WithDetail("field", field)
	if reason != nil {
		e.WithDetail("reason", *reason)
	}
	if location != nil {
		e.WithDetail("location", json.RawMessage(*location))
	}
	return e
}

// searchWhere renders the search's conditions over parcels t, all but
// eligibility (a lateral join over the candidates, see searchPage).
func searchWhere(q *planner.Search, pre *searchPre, args *sqlArgs) string {
	conds := []string{"true"}
	if q.Park != "" {
		conds = append(conds, "t.park_code = "+args.add(q.Park))
	}
	if q.District != "" {
		conds = append(conds, "t.district_adcode = "+args.add(q.District))
	}
	if pre.poly != nil {
		// Inside, or across the edge: touching it only is not inside. A
		// parcel meets the polygon shrunk by 1e-8° (about 1 mm) exactly when
		// it reaches more than a millimetre into it, and that test is one
		// prepared ST_Intersects against a constant (ST_Touches, which it
		// replaces, cannot be prepared: 0.9 -> 0.5 ms for 190 parcels).
		// A parcel whose bounding box lies within the box inside the
		// shrunk polygon (boxInsideSQL) is inside without that test: on the
		// 10,000,000-parcel seed the test (GEOS, about 1 µs a parcel) was
		// about a third of the statement's time for a 600 m square (backend
		// CPU 7.0 -> 5.0 ms). geometry_within is the operator @ called as a
		// function, which the planner keeps out of the index scan.
		sure := ""
		if pre.sure != nil {
			sure = "geometry_within(t.geom, " + args.add(*pre.sure) + "::geometry) OR "
		}
		conds = append(conds, fmt.Sprintf("t.geom && %s::geometry AND (%sST_Intersects(%s::geometry, t.geom))",
			args.add(pre.poly), sure, args.add(pre.shrunk)))
	}
	if q.DistanceM > 0 {
		// Within the radius, measured in EPSG:4549. The circle's polygons
		// (64 sides, 1 m inside and wholly outside it) settle every parcel
		// but those in the band between them with a prepared test in
		// EPSG:4490; only the band is projected and measured. The inner
		// polygon is tried first (a parcel that meets it meets the outer
		// one), and a parcel whose bounding box lies within the box inside
		// it (circleInsideSQL) needs neither test, as for a drawn polygon.
		sure := ""
		if pre.innerSure != nil {
			sure = "geometry_within(t.geom, " + args.add(*pre.innerSure) + "::geometry) OR "
		}
		conds = append(conds, fmt.Sprintf("t.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490) "+
			"AND (%sST_Intersects(t.geom, %s::geometry) OR ST_Intersects(t.geom, %s::geometry) AND ST_DWithin(ST_Transform(t.geom, 4549), ST_SetSRID(ST_MakePoint(%s, %s), 4549), %s))",
			args.add(pre.box[0]), args.add(pre.box[1]), args.add(pre.box[2]), args.add(pre.box[3]), sure, args.add(*pre.inner), args.add(*pre.outer),
			args.add(*pre.centreX), args.add(*pre.centreY), args.add(q.DistanceM)))
	}
	if len(q.LandUse) > 0 {
		conds = append(conds, "t.land_use_code LIKE ANY("+args.add(likePrefixes(q.LandUse))+"::text[])")
	}
	if q.Name != "" {
		conds = append(conds, textMatchSQL("t", args.add(q.Name)))
	}
	if len(q.CurrentUse) > 0 {
		conds = append(conds, "t.current_use_code LIKE ANY("+args.add(likePrefixes(q.CurrentUse))+"::text[])")
	}
	if len(q.Stock) > 0 {
		// The stock layer's own rules, as of today, for this parcel.
		var any []string
		for _, k := range q.Stock {
			any = append(any, stockFilters[k])
		}
		r := bindRules(args, planner.DefaultRules())
		today := time.Now().In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateOnly) // the officials' calendar day
		d := args.add(today) + "::date"
		// The latest extension granted: read once (OFFSET 0 keeps the
		// subquery from being copied into each use).
		ext := `(SELECT (SELECT e.extended_to FROM parcel_events e WHERE e.parcel_id = t.id AND e.kind = 'extension_granted' AND e.event_on <= ` + d + `
			ORDER BY e.event_on DESC, e.id DESC LIMIT 1) AS ext OFFSET 0) s_x`
		conds = append(conds, "EXISTS (SELECT 1 FROM "+ext+stockLateral(r, d, "s_x.ext", "s")+
			" WHERE "+strings.Join(any, " OR ")+")")
	}
	var status []string
	if len(q.Statuses) > 0 {
		status = append(status, "t.status = ANY("+args.add(statusTexts(q.Statuses))+"::text[])")
	}
	if q.Available {
		status = append(status, availableSQL)
	}
	if len(status) > 0 {
		conds = append(conds, "("+strings.Join(status, " OR ")+")")
	}
	if q.MinAreaM2 != nil {
		conds = append(conds, "t.area_m2 >= "+args.add(*q.MinAreaM2))
	}
	if q.MaxAreaM2 != nil {
		conds = append(conds, "t.area_m2 <= "+args.add(*q.MaxAreaM2))
	}
	if q.Underground != nil {
		not := ""
		if !*q.Underground {
			not = "NOT "
		}
		conds = append(conds, not+"coalesce(t.elevation_top <= 0, false)")
	}
	return strings.Join(conds, " AND ")
}

// SearchParcels answers a search: the totals of everything it matches,
// then one page of features, each built by PostgreSQL with the figures
// that say why it matched and handed to emit as its row arrives.
func (s *Store) SearchParcels(ctx context.Context, q planner.Search, emit func(feature []byte) error) (planner.SearchResult, error) {
	return searchPage(ctx, s.pool, q, emit)
}

// searchPage runs a search in one statement (after searchPrecheck, so in
// two round trips): the matches are collected once (each filter, the
// protected lines included, evaluated once per candidate), counted per
// status, and the page built from them. The first row carries the totals;
// with no feature on the page it is the only row.
func searchPage(ctx context.Context, db querier, q planner.Search, emit func(feature []byte) error) (planner.SearchResult, error) {
	var res planner.SearchResult
	free := freeSearch(&q)
	pre, err := searchPrecheck(ctx, db, &q, !free)
	if err != nil {
		return res, err
	}
	args := sqlArgs{}
	where := ""
	if !free {
		where = searchWhere(&q, pre, &args)
	}
	var dist, nearPt string
	if pre.nearX != nil {
		nearPt = fmt.Sprintf("ST_SetSRID(ST_MakePoint(%s, %s), 4549)", args.add(*pre.nearX), args.add(*pre.nearY))
		dist = "ST_Distance(ST_Transform(t.geom, 4549), " + nearPt + ")"
	}
	// v is the sort value over a table alias (%[1]s), as order is over the matches.
	v, order, keyset := "%[1]s.area_m2", "%[1]s.v, %[1]s.id", ""
	after := q.After
	switch q.Order {
	case planner.OrderAreaAsc:
		if after != nil {
			keyset = fmt.Sprintf("(m.v, m.id) > (%s::float8, %s::bigint)", args.add(after.Value), args.add(after.ID))
		}
	case planner.OrderAreaDesc:
		order = "%[1]s.v DESC, %[1]s.id"
		if after != nil {
			x := args.add(after.Value) + "::float8"
			keyset = fmt.Sprintf("(m.v < %[1]s OR m.v = %[1]s AND m.id > %[2]s::bigint)", x, args.add(after.ID))
		}
	case planner.OrderDistance:
		// nearestSQL pages by distance.
	default: // id
		v, order = "%[1]s.id::float8", "%[1]s.id"
		if after != nil {
			keyset = "m.id > " + args.add(after.ID) + "::bigint"
		}
	}
	if keyset == "" {
		keyset = "true"
	}

	// The page's facts come back as columns and Go writes each feature
	// (searchFeature): PostgreSQL's json_build_object and numeric rounding
	// cost about a quarter of the statement (9.3 -> 6.7 ms for a 100-parcel
	// page, measured on the 1,000,000-parcel seed).
	distance := "NULL::float8"
	if dist != "" {
		distance = dist
		if q.Order == planner.OrderDistance {
			distance = "p.v"
		}
	}
	overlap := "NULL::float8"
	if pre.poly != nil {
		g := args.add(pre.poly) + "::geometry"
		overlap = "CASE WHEN ST_ContainsProperly(" + g + ", t.geom) THEN t.area_m2 " +
			"ELSE ST_Area(ST_Transform(ST_Intersection(t.geom, " + g + "), 4549)) END"
	}
	useMatch := "NULL::text"
	if len(q.LandUse) > 0 {
		useMatch = "(SELECT u FROM unnest(" + args.add(q.LandUse) + "::text[]) u WHERE t.land_use_code LIKE u || '%' ORDER BY length(u) DESC LIMIT 1)"
	}
	geom := "NULL::text"
	if !q.NoGeometry {
		geom = "ST_AsGeoJSON(t.geom, " + args.add(q.Precision) + ")"
	}
	// The protected-line figures are kept per parcel (parcel_conflicts):
	// joined for every candidate when they filter, else for the page only.
	from := "parcels t"
	if q.Eligible != nil && !free {
		from = "parcels t JOIN parcel_conflicts e ON e.parcel_id = t.id"
		where += " AND " + eligibleSQL("e", args.add(q.Tolerance.AreaM2)+"::float8", args.add(q.Tolerance.WidthM)+"::float8") + " = " + args.add(*q.Eligible)
	}
	var ctes, serial string
	if q.Order == planner.OrderDistance {
		if free {
			ctes = freeNearestSQL(&q, pre, dist, &args)
		} else {
			ctes = nearestSQL(&q, from, where, dist, nearPt, &args)
		}
		// No parallel workers for nearest first: on the 10,000,000-parcel
		// seed the generic plan of the Binxiao search starts two for a scan
		// that finds nothing in 0.03 ms, and starting them took 74-137 ms a
		// search under load (0.1-0.4 ms without). PostgreSQL plans no
		// workers for a statement that calls a parallel-unsafe function
		// such as set_config; the call itself (local to the statement's own
		// transaction) changes nothing. That spares the read-only
		// transaction and SET LOCAL this took before (three round trips).
		// The other orders keep the workers: the 1 km radius search got
		// slower without (p95 66 -> 86 and 177 -> 290 ms on 10M under load).
		serial = `, set_config('max_parallel_workers_per_gather', '0', true) AS serial`
	} else {
		matches := `SELECT t.id, t.status, t.area_m2, ` + fmt.Sprintf(v, "t") + ` AS v FROM ` + from + ` WHERE ` + where
		if free {
			matches = freeSQL(&q, pre, fmt.Sprintf(v, "f")+" AS v", []string{"v"}, &args)
		}
		ctes = `m AS MATERIALIZED (` + matches + `),
	tot AS (SELECT coalesce(json_agg(json_build_array(s.status, s.n, s.a))::text, '[]') AS j
	        FROM (SELECT status, count(*) AS n, sum(area_m2) AS a FROM m GROUP BY status) s),
	page AS (SELECT m.id, m.v FROM m WHERE ` + keyset + ` ORDER BY ` + fmt.Sprintf(order, "m") + ` LIMIT ` + args.add(q.Limit+1) + `)`
	}
	sql := `WITH ` + ctes + `
	SELECT tot.j, f.* FROM (SELECT tot.j` + serial + ` FROM tot) tot LEFT JOIN LATERAL (
		SELECT p.id, p.v, ` + geom + ` AS geom, t.code, t.district_adcode, t.park_code, t.land_use_code, c.name_zh, t.status, st.name_zh,
			t.area_m2, coalesce(t.elevation_top <= 0, false), t.construction_land, t.approved_on, t.supplied_on, pp.project_id,
			k.farmland_m2, k.farmland_width_m, k.red_line_m2, k.red_line_width_m, k.outside_boundary_m2, k.outside_boundary_width_m, ` + distance + `, ` + overlap + `, ` + useMatch + `,
			t.current_use_code, cu.name_zh, coalesce(t.line_exception, '')
		FROM page p
		JOIN parcels t ON t.id = p.id
		JOIN land_use_classes c ON c.code = t.land_use_code
		JOIN parcel_statuses st ON st.code = t.status
		LEFT JOIN land_use_classes cu ON cu.code = t.current_use_code
		LEFT JOIN project_parcels pp ON pp.parcel_id = t.id
		JOIN parcel_conflicts k ON k.parcel_id = t.id
		ORDER BY ` + fmt.Sprintf(order, "p") + `) f ON true`
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return res, domainError(err)
	}
	defer rows.Close()
	var last planner.Cursor
	var f searchFeature
	buf := make([]byte, 0, 4096)
	first := true
	for rows.Next() {
		raw := rows.RawValues()
		if first {
			first = false
			if res.Totals, err = searchTotals(raw[0], q.GroupByStatus); err != nil {
				return res, err
			}
			if raw[1] == nil {
				break
			}
		}
		if res.Returned == q.Limit {
			last.Order, last.Hash = q.Order, q.Fingerprint()
			res.Next = last.Encode()
			return res, nil
		}
		f.geom = raw[3]
		if err := rows.Scan(nil, &last.ID, &last.Value, nil, &f.code, &f.district, &f.park, &f.landUse, &f.landUseZh, &f.status, &f.statusZh,
			&f.area, &f.underground, &f.constructionLand, &f.approvedOn, &f.suppliedOn, &f.projectID,
			&f.farmland.M2, &f.farmland.WidthM, &f.redLine.M2, &f.redLine.WidthM, &f.outside.M2, &f.outside.WidthM, &f.distance, &f.overlap, &f.useMatch, &f.currentUse, &f.currentUseZh, &f.lineException); err != nil {
			return res, domainError(err)
		}
		f.id = last.ID
		buf = f.appendJSON(buf[:0], q.Tolerance)
		res.Returned++
		if err := emit(buf); err != nil {
			return res, err
		}
	}
	return res, domainError(rows.Err())
}

// nearestSQL renders the totals (tot) and the page (page: id, v) of a
// search nearest first, in work that grows with the page rather than with
// the matches: the totals need no distances, and the page comes from a
// walk in order of distance in EPSG:4490 degrees (the GiST index's order,
// which is not the order in metres). Up to nearestShared matches are read
// once (m: for the totals and, sorted by degrees, for the walk); with more,
// the totals count them all again and the walk goes through the index.
// knn takes the next 2(limit+1) matches
// of that walk and measures them exactly in EPSG:4549; d, the (limit+1)th
// smallest of those distances, bounds the page. A degree anywhere near the
// point is at least kmin metres (walkCoversSQL), so every match within d
// is within (d+1)/kmin degrees: when the walk went beyond that, or took
// every match left, the page is knn's first limit+1 in exact order. Else
// (matches bunched on one side) ring measures every match within d, found
// through the index by a box that holds the circle. Either way paging by
// (distance, id) stays exact. With fewer than limit+1 matches in all,
// every match is measured.
func nearestSQL(q *planner.Search, from, where, dist, nearPt string, args *sqlArgs) string {
	keyset := ""
	if q.After != nil {
		keyset = fmt.Sprintf(" AND (x.v, x.id) > (%s::float8, %s::bigint)", args.add(q.After.Value), args.add(q.After.ID))
	}
	n := args.add(q.Limit+1) + "::bigint"
	lat := args.add(q.Near[1]) + "::float8"
	pt := fmt.Sprintf("ST_SetSRID(ST_MakePoint(%s::float8, %s), 4490)", args.add(q.Near[0]), lat)
	box := "(SELECT " + circleBoxSQL(nearPt, "b.d") + " FROM bound b)"
	// OFFSET 0 keeps each distance measured once per row; the gates stay
	// outside the subqueries so that a branch not taken does no work. With
	// no more matches than a page, all are measured (few): an index walk in
	// distance order would pass every parcel looking for more.
	shared := strconv.Itoa(nearestShared)
	return `m AS MATERIALIZED (SELECT t.id, t.status, t.area_m2, t.geom <-> ` + pt + ` AS dd FROM ` + from + ` WHERE ` + where + ` LIMIT ` + shared + ` + 1),
	shared AS (SELECT count(*) <= ` + shared + ` AS yes FROM m),
	counts AS MATERIALIZED (SELECT x.* FROM (SELECT m.status, count(*) AS n, sum(m.area_m2) AS a FROM m GROUP BY m.status) x WHERE (SELECT s.yes FROM shared s)
	        UNION ALL
	        SELECT x.* FROM (SELECT t.status, count(*) AS n, sum(t.area_m2) AS a FROM ` + from + ` WHERE ` + where + ` GROUP BY t.status) x WHERE NOT (SELECT s.yes FROM shared s)),
	tot AS (SELECT coalesce(json_agg(json_build_array(s.status, s.n, s.a))::text, '[]') AS j FROM counts s),
	few AS (SELECT coalesce(sum(s.n), 0) < ` + n + ` AS yes FROM counts s),
	knn AS MATERIALIZED ((SELECT x.id, x.dd, x.v FROM (SELECT m.id, m.dd FROM m ORDER BY m.dd) y
	        CROSS JOIN LATERAL (SELECT y.id, y.dd, ` + dist + ` AS v FROM parcels t WHERE t.id = y.id) x
	        WHERE (SELECT s.yes FROM shared s) AND NOT (SELECT f.yes FROM few f)` + keyset + ` LIMIT 2 * ` + n + `)
	        UNION ALL
	        (SELECT x.id, x.dd, x.v FROM (SELECT t.id, t.geom <-> ` + pt + ` AS dd, ` + dist + ` AS v FROM ` + from + ` WHERE ` + where + `
	        ORDER BY t.geom <-> ` + pt + `) x WHERE NOT (SELECT s.yes FROM shared s) AND NOT (SELECT f.yes FROM few f)` + keyset + ` LIMIT 2 * ` + n + `)),
	bound AS (SELECT c.n, c.dd, (SELECT k.v FROM knn k ORDER BY k.v LIMIT 1 OFFSET ` + n + ` - 1) AS d FROM (SELECT count(*) AS n, max(dd) AS dd FROM knn) c),
	covered AS (SELECT b.n < 2 * ` + n + ` OR ` + walkCoversSQL("b.dd", "b.d", lat) + ` AS yes FROM bound b),
	page AS (SELECT x.id, x.v FROM (SELECT t.id, ` + dist + ` AS v FROM ` + from + ` WHERE ` + where + ` OFFSET 0) x
	        WHERE (SELECT f.yes FROM few f)` + keyset + `
	        UNION ALL
	        SELECT knn.id, knn.v FROM knn WHERE (SELECT c.yes FROM covered c)
	        UNION ALL
	        SELECT x.id, x.v FROM (SELECT t.id, ` + dist + ` AS v FROM ` + from + ` WHERE ` + where + ` AND t.geom && ` + box + ` OFFSET 0) x
	        WHERE NOT (SELECT c.yes FROM covered c) AND x.v <= (SELECT b.d FROM bound b)` + keyset + `
	        ORDER BY 2, 1 LIMIT ` + n + `)`
}

// nearestShared is how many matches a nearest-first search reads once for
// both its totals and its walk. With more (a broad search), it stops there
// and reads them again by the index: the matches and their distances in
// degrees held up to this many are a few hundred kB.
var nearestShared = 10000

// walkCoversSQL says whether a walk in degrees that reached dd degrees
// from a point at latitude lat passed every parcel within d metres of it
// (SQL expressions all). A degree is at least 110,574 m × cos(latitude)
// in EPSG:4549 (a degree of latitude is 110,574 m at the equator and
// more elsewhere, one of longitude 111,319 m × cos(latitude), and the
// Gauss-Krüger scale is at least 1): kmin takes the highest latitude the
// walk reached and 1% off. The metre added covers edges straight in
// metres rather than in degrees, as in circleBoxSQL.
func walkCoversSQL(dd, d, lat string) string {
	return "(" + dd + " * 0.99 * 110574 * cos(radians(least(abs(" + lat + ") + " + dd + " + 0.1, 89))) > " + d + " + 1)"
}

// boxInsideSQL is a box inside the region g (an SQL expression in
// EPSG:4490) as hex EWKB, or NULL: g's bounding box shrunk about its
// centre as little as fits. It is kept only if g covers it grown by 3e-5°
// on every side: PostGIS compares bounding boxes stored in single
// precision, rounded outwards by up to 1.5e-5° at these longitudes, so a
// parcel found within it by that comparison lies in g.
func boxInsideSQL(g string) string {
	return `(SELECT ST_AsHexEWKB(k.b) FROM (SELECT (ST_XMin(r.g) + ST_XMax(r.g)) / 2 AS x, (ST_YMin(r.g) + ST_YMax(r.g)) / 2 AS y,
		(ST_XMax(r.g) - ST_XMin(r.g)) / 2 AS ax, (ST_YMax(r.g) - ST_YMin(r.g)) / 2 AS ay, r.g FROM (SELECT ` + g + ` AS g) r) c
		CROSS JOIN LATERAL (SELECT ST_MakeEnvelope(c.x - c.ax * f, c.y - c.ay * f, c.x + c.ax * f, c.y + c.ay * f, 4490) AS b, f
		FROM unnest(array[0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5]) f) k
		WHERE ST_Covers(c.g, ST_Expand(k.b, 3e-5)) ORDER BY k.f DESC LIMIT 1)`
}

// circleInsideSQL is a box inside the polygon inner (EPSG:4490), the
// circle of radius r - 1 metres around centre (EPSG:4549) with 64 sides,
// as hex EWKB, or NULL: inner's bounding box shrunk about its centre as
// little as fits (SQL expressions all). It is kept only if every point of
// it grown by 3e-5° (as in boxInsideSQL) lies, in EPSG:4549, at most the
// polygon's inradius less a metre from centre: the box's sides cut in
// four measure that (the projection bends a side by millimetres there,
// as it does the polygon's). boxInsideSQL's test, ST_Covers on the
// 64-sided polygon, cost about 1 ms a factor tried (the search's own
// statement is 4-8 ms on 10M); this one is four transformed points a side.
func circleInsideSQL(inner, centre, r string) string {
	return `(SELECT ST_AsHexEWKB(k.b) FROM (SELECT (ST_XMin(r.g) + ST_XMax(r.g)) / 2 AS x, (ST_YMin(r.g) + ST_YMax(r.g)) / 2 AS y,
		(ST_XMax(r.g) - ST_XMin(r.g)) / 2 AS ax, (ST_YMax(r.g) - ST_YMin(r.g)) / 2 AS ay FROM (SELECT ` + inner + ` AS g) r) c
		CROSS JOIN LATERAL (SELECT ST_MakeEnvelope(c.x - c.ax * f, c.y - c.ay * f, c.x + c.ax * f, c.y + c.ay * f, 4490) AS b, f
		FROM unnest(array[0.7, 0.65, 0.6, 0.5]) f) k
		WHERE ST_MaxDistance(ST_Transform(ST_Segmentize(ST_Expand(k.b, 3e-5), c.ax * k.f / 2), 4549), ` + centre + `)
		      <= greatest(` + r + ` - 1, 0) * cos(pi() / 64) - 1
		ORDER BY k.f DESC LIMIT 1)`
}

// circleBoxSQL is a box in EPSG:4490 that holds the circle of radius r
// metres around centre (an EPSG:4549 point; both SQL expressions): the
// square around the circle 1% larger, with a vertex every quarter side so
// that its projection still holds the circle.
func circleBoxSQL(centre, r string) string {
	return "ST_Transform(ST_Segmentize(ST_Expand(" + centre + ", " + r + " * 1.01 + 1), " + r + " / 4 + 1), 4490)"
}

// eligibleSQL is the eligibility rule (planning.Eligible) over the
// figures of parcel_conflicts under alias and the tolerance (SQL
// expressions for its area and sliver width).
func eligibleSQL(alias, area, width string) string {
	counts := func(line string) string {
		return fmt.Sprintf("(%[1]s.%[2]s_m2 > %[3]s AND %[1]s.%[2]s_width_m >= %[4]s)", alias, line, area, width)
	}
	return `((NOT ` + counts("outside_boundary") + ` OR t.line_exception IS NOT DISTINCT FROM 'single_site_infrastructure')
		AND (NOT ` + counts("farmland") + ` AND NOT ` + counts("red_line") + ` OR t.line_exception IS NOT DISTINCT FROM 'state_council_major_project'))`
}

// eligibleSureSQL says from a parcel's largest conflict area (an SQL
// expression: free_parcel_boxes.max_conflict_m2) that it is eligible under
// a tolerance of area m² (SQL), whatever its widths and exception:
// eligibleSQL counts a line only where its area exceeds the tolerance's.
func eligibleSureSQL(maxM2, area string) string {
	return "(" + maxM2 + " <= " + area + ")"
}

// toleranceSQL and sliverWidthSQL are the eligibility tolerance of the
// policy (migrations 020, 024).
const (
	toleranceSQL   = "(SELECT tolerance_m2 FROM eligibility_policy)"
	sliverWidthSQL = "(SELECT sliver_width_m FROM eligibility_policy)"
)

// SetLineTolerance replaces the eligibility tolerance of the policy; the
// kept widths need no re-measuring, the policy is applied when read.
func (s *RuleStore) SetLineTolerance(ctx context.Context, t planning.LineTolerance, note string) error {
	if err := t.Check(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `UPDATE eligibility_policy SET tolerance_m2 = $1, sliver_width_m = $2, note = $3, updated_at = now()`,
		t.AreaM2, t.WidthM, note)
	return domainError(err)
}

// TolerancePolicy reads the eligibility tolerance with who set it and when.
func (s *RuleStore) TolerancePolicy(ctx context.Context) (planner.TolerancePolicy, error) {
	var p planner.TolerancePolicy
	err := s.pool.QueryRow(ctx, `SELECT tolerance_m2, sliver_width_m, note, updated_by, updated_at FROM eligibility_policy`).
		Scan(&p.AreaToleranceM2, &p.SliverWidthM, &p.Note, &p.UpdatedBy, &p.UpdatedAt)
	return p, domainError(err)
}

// ChangeTolerancePolicy applies c (its nil figures stay) in one statement,
// so concurrent changes never mix (the last one wins whole), and returns
// the policy as it now stands. The parcels layer's version moves with it
// (migration 025): the layers' eligible filter reads the policy.
func (s *RuleStore) ChangeTolerancePolicy(ctx context.Context, c planner.ToleranceChange) (planner.TolerancePolicy, error) {
	var p planner.TolerancePolicy
	if err := c.Check(false); err != nil {
		return p, err
	}
	err := s.pool.QueryRow(ctx, `UPDATE eligibility_policy SET tolerance_m2 = coalesce($1, tolerance_m2),
		sliver_width_m = coalesce($2, sliver_width_m), note = coalesce($3, note), updated_by = $4, updated_at = now()
		RETURNING tolerance_m2, sliver_width_m, note, updated_by, updated_at`,
		c.AreaToleranceM2, c.SliverWidthM, c.Note, c.By).
		Scan(&p.AreaToleranceM2, &p.SliverWidthM, &p.Note, &p.UpdatedBy, &p.UpdatedAt)
	return p, domainError(err)
}

// searchTotals reads the totals per status ([[status, count, m²], ...]).
func searchTotals(text []byte, groupByStatus bool) (planner.Totals, error) {
	var t planner.Totals
	var groups [][3]any
	if err := json.Unmarshal(text, &groups); err != nil {
		return t, fmt.Errorf("search totals %q: %w", text, err)
	}
	byStatus := map[planning.Status]planner.StatusTotal{}
	var m2 float64
	for _, g := range groups {
		st, _ := g[0].(string)
		n, _ := g[1].(float64)
		a, _ := g[2].(float64)
		t.Count += int64(n)
		m2 += a
		byStatus[planning.Status(st)] = planner.StatusTotal{Status: planning.Status(st), Count: int64(n), Area: planner.AreaOf(a)}
	}
	t.Area = planner.AreaOf(m2)
	if groupByStatus {
		t.ByStatus = []planner.StatusTotal{}
		for _, info := range planning.Statuses {
			if st, ok := byStatus[info.Code]; ok {
				st.NameZh, st.NameEn = info.NameZh, info.NameEn
				t.ByStatus = append(t.ByStatus, st)
			}
		}
	}
	return t, nil
}

const parcelSubject = `SELECT t.id, t.code, t.land_use_code AS land_use, t.status, t.construction_land AS cl,
	coalesce(t.elevation_top <= 0, false) AS under, t.geom AS g, coalesce(t.line_exception, '') AS lx,
	coalesce(t.line_exception_document, '') AS lxd FROM parcels t WHERE `

// CheckEligibility measures a drawn shape or a parcel against the
// protected lines (EPSG:4549) and decides whether it needs new quota.
func (s *Store) CheckEligibility(ctx context.Context, q planner.EligibilityQuery) (planner.Eligibility, error) {
	e := planner.Eligibility{ToleranceM2: q.Tolerance.AreaM2, SliverWidthM: q.Tolerance.WidthM}
	var subject, field string
	args := sqlArgs{}
	// A drawn shape is checked for validity in the same statement; an
	// invalid one leaves s empty, so no overlay ever runs on it.
	check := "SELECT true AS ok, NULL::text AS reason, NULL::text AS loc"
	switch {
	case q.Geometry != nil:
		g, err := geo.ToGeom(q.Geometry, geo.SRIDStore)
		if err != nil {
			return e, planning.Errorf(planning.ErrInvalid, "geometry: %v", err).WithDetail("field", "geometry")
		}
		gp := args.add(g) + "::geometry"
		check = "SELECT d.valid AS ok, d.reason, ST_AsGeoJSON(d.location, 7) AS loc FROM ST_IsValidDetail(" + gp + ") d"
		subject = "SELECT NULL::bigint AS id, NULL::text AS code, NULL::text AS land_use, NULL::text AS status, NULL::boolean AS cl, false AS under, " +
			gp + " AS g, '' AS lx, '' AS lxd FROM v WHERE v.ok"
		e.Subject.Kind = "geometry"
	case q.ParcelID > 0:
		subject = parcelSubject + "t.id = " + args.add(q.ParcelID)
		field = fmt.Sprintf("parcel_id: no parcel with id %d", q.ParcelID)
		e.Subject.Kind = "parcel"
	default:
		subject = parcelSubject + "t.code = " + args.add(q.ParcelCode)
		field = fmt.Sprintf("parcel_code: no parcel with code %q", q.ParcelCode)
		e.Subject.Kind = "parcel"
	}
	prec := args.add(q.Precision)
	// The overlaps are cut once: each piece (farmland, red line, outside
	// the boundary) is measured in EPSG:4549, and the figures are their
	// sums, by the same rules as lq_planner_conflicts (an outline covered
	// by one boundary polygon is never differenced against their union);
	// the widths by lq_overlap_width (migration 026) of each kind's union.
	sql := `WITH v AS (` + check + `), s AS MATERIALIZED (` + subject + `),
	pieces AS MATERIALIZED (
		SELECT x.kind, x.id, x.name, x.piece, ST_Area(ST_Transform(x.piece, 4549)) AS m2 FROM (
		SELECT z.kind, z.id, z.name, ST_CollectionExtract(ST_Intersection(z.geom, s.g), 3) AS piece
		FROM protected_zones z, s
		WHERE z.kind IN ('permanent_basic_farmland', 'ecological_red_line') AND z.geom && s.g AND ST_Intersects(z.geom, s.g)
		UNION ALL
		SELECT 'outside_boundary', NULL, '', ST_CollectionExtract(ST_Difference(s.g, coalesce(
			(SELECT ST_Union(z.geom) FROM protected_zones z WHERE z.kind = 'urban_development_boundary' AND z.geom && s.g AND ST_Intersects(z.geom, s.g)),
			'SRID=4490;POLYGON EMPTY'::geometry)), 3)
		FROM s WHERE NOT EXISTS (SELECT 1 FROM protected_zones z WHERE z.kind = 'urban_development_boundary' AND z.geom && s.g AND ST_Covers(z.geom, s.g))) x),
	cover AS (
		SELECT coalesce(sum(x.a) FILTER (WHERE p.construction_land), 0) AS stock, coalesce(sum(x.a) FILTER (WHERE NOT p.construction_land), 0) AS new
		FROM s, parcels p
		CROSS JOIN LATERAL (SELECT CASE WHEN ST_ContainsProperly(s.g, p.geom) THEN p.area_m2
		                                ELSE ST_Area(ST_Transform(ST_Intersection(p.geom, s.g), 4549)) END AS a) x
		WHERE s.id IS NULL AND p.geom && s.g AND ST_Intersects(p.geom, s.g) AND coalesce(p.elevation_top > 0, true))
	SELECT v.ok, v.reason, v.loc, r.* FROM v LEFT JOIN (
	SELECT true AS found, s.id, s.code, s.land_use, s.status, s.cl, s.under, s.lx, s.lxd, ` + toleranceSQL + `, ` + sliverWidthSQL + `,
	       ST_Area(ST_Transform(s.g, 4549)),
	       coalesce((SELECT sum(m2) FROM pieces WHERE kind = 'permanent_basic_farmland'), 0),
	       coalesce((SELECT sum(m2) FROM pieces WHERE kind = 'ecological_red_line'), 0),
	       coalesce((SELECT sum(m2) FROM pieces WHERE kind = 'outside_boundary'), 0), cover.stock, cover.new,
	       coalesce((SELECT lq_overlap_width(ST_Transform(ST_Union(piece), 4549)) FROM pieces WHERE kind = 'permanent_basic_farmland'), 0),
	       coalesce((SELECT lq_overlap_width(ST_Transform(ST_Union(piece), 4549)) FROM pieces WHERE kind = 'ecological_red_line'), 0),
	       coalesce((SELECT lq_overlap_width(ST_Transform(ST_Union(piece), 4549)) FROM pieces WHERE kind = 'outside_boundary'), 0),
	       json_build_object('type', 'FeatureCollection', 'features', coalesce((
	         SELECT json_agg(json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(pieces.piece, ` + prec + `)::json,
	           'properties', json_build_object('kind', pieces.kind, 'zone_id', pieces.id, 'zone_name', pieces.name,
	             'area_m2', round(pieces.m2::numeric, 2), 'area_mu', round((pieces.m2 * 15 / 10000)::numeric, 2)))
	           ORDER BY pieces.kind, pieces.id)
	         FROM pieces WHERE NOT ST_IsEmpty(pieces.piece) AND pieces.m2 > 0), '[]'::json))::text
	FROM s CROSS JOIN cover) r ON true`
	var ok bool
	var found *bool
	var reason, location, code, use, status, overlaps *string
	var id *int64
	var cl *bool
	var under *bool
	var area, farm, red, outside, stock, newM2 *float64
	// One subject keeps the plan's cost far below jit_above_cost (about
	// 1,000 against 100,000): no transaction is needed to turn JIT off.
	var lx, lxd *string
	var tol, width, farmW, redW, outsideW *float64
	err := s.pool.QueryRow(ctx, sql, args...).Scan(&ok, &reason, &location, &found, &id, &code, &use, &status, &cl, &under,
		&lx, &lxd, &tol, &width, &area, &farm, &red, &outside, &stock, &newM2, &farmW, &redW, &outsideW, &overlaps)
	if err != nil {
		return e, domainError(err)
	}
	if !ok {
		return e, invalidShape("geometry", reason, location)
	}
	if found == nil {
		return e, planning.Errorf(planning.ErrNotFound, "%s", field)
	}
	e.Subject.Area = planner.AreaOf(*area)
	e.ToleranceM2, e.SliverWidthM = *tol, *width
	e.Subject.LineException, e.Subject.LineExceptionDocument = planning.LineException(*lx), *lxd
	e.Farmland, e.RedLine, e.OutsideBoundary = planner.AreaOf(*farm), planner.AreaOf(*red), planner.AreaOf(*outside)
	e.FarmlandWidthM, e.RedLineWidthM, e.OutsideBoundaryWidthM = *farmW, *redW, *outsideW
	e.Overlaps = json.RawMessage(*overlaps)
	newArea, stockArea := *newM2, *stock
	if id != nil {
		e.Subject.ParcelID, e.Subject.ParcelCode, e.Subject.LandUse = *id, *code, *use
		e.Subject.Status, e.Subject.ConstructionLand, e.Subject.Underground = planning.Status(*status), cl, *under
		e.NewQuota.Basis = planner.BasisParcel
		if *cl {
			stockArea = *area
		} else {
			newArea = *area
		}
	} else {
		e.NewQuota.Basis = planner.BasisCoveredParcels
		unknown := max(*area-stockArea-newArea, 0)
		if unknown >= *area-e.ToleranceM2 {
			e.NewQuota.Basis = planner.BasisUnknown
		}
		e.NewQuota.Unknown = planner.AreaOf(unknown)
	}
	e.NewQuota.New, e.NewQuota.Stock = planner.AreaOf(newArea), planner.AreaOf(stockArea)
	e.Decide()
	return e, nil
}

var _ planner.Store = (*Store)(nil)

// querier is what both the pool and a transaction offer for reads.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

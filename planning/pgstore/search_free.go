package pgstore

import (
	"slices"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// freeRadius says whether a search is a radius over free land alone:
// around a point, of free statuses (available, or statuses among
// planner.AvailableStatuses, the ones free_parcel_boxes holds), at most
// bounded by area, in an order other than distance.
// Its matches come from free_parcel_boxes (freeRadiusSQL); every other
// search reads parcels (searchWhere).
func freeRadius(q *planner.Search) bool {
	if q.DistanceM <= 0 || q.Point == nil || q.Order == planner.OrderDistance || q.Polygon != nil ||
		q.Park != "" || q.District != "" || len(q.LandUse) > 0 || q.Name != "" || len(q.CurrentUse) > 0 ||
		len(q.Stock) > 0 || q.Eligible != nil || q.Underground != nil || (!q.Available && len(q.Statuses) == 0) {
		return false
	}
	for _, s := range q.Statuses {
		if !slices.Contains(planner.AvailableStatuses, s) {
			return false
		}
	}
	return true
}

// freeRadiusSQL renders the matches (id, status, area_m2, v) of a search
// freeRadius accepts, v being the sort value (an SQL expression over alias
// f). The radius is measured in EPSG:4549 (ST_DWithin of the outline projected there, as
// searchWhere does), and free_parcel_boxes keeps the bounding box of each
// free outline projected there: a parcel whose box lies within the circle
// (its farthest corner closer than the radius) is within it, one whose box
// lies wholly beyond it (its nearest point farther) is not, and only those
// whose box crosses the circle are measured, from parcels. The millimetre
// to spare covers rounding; the box is exact (the extent of the projected
// vertices, between which the projected outline runs straight). The
// candidates, their status and area come from an index-only scan of the
// box index: on the 10,000,000-parcel seed a 1 km search read about 1,700
// pages of parcels (one per free parcel) and now reads a few dozen index
// pages and the parcels of the ring.
func freeRadiusSQL(q *planner.Search, pre *searchPre, v string, args *sqlArgs) string {
	cx, cy, r := args.add(*pre.centreX)+"::float8", args.add(*pre.centreY)+"::float8", args.add(q.DistanceM)+"::float8"
	var status []string
	if len(q.Statuses) > 0 {
		status = append(status, "f.status = ANY("+args.add(statusTexts(q.Statuses))+"::text[])")
	}
	if q.Available {
		// Every row here has a free status: available is no project.
		status = append(status, "f.id NOT IN (SELECT pp0.parcel_id FROM project_parcels pp0)")
	}
	conds := []string{"f.box_4549 && box(point(" + cx + " - " + r + ", " + cy + " - " + r + "), point(" + cx + " + " + r + ", " + cy + " + " + r + "))",
		"(" + strings.Join(status, " OR ") + ")"}
	if q.MinAreaM2 != nil {
		conds = append(conds, "f.area_m2 >= "+args.add(*q.MinAreaM2))
	}
	if q.MaxAreaM2 != nil {
		conds = append(conds, "f.area_m2 <= "+args.add(*q.MaxAreaM2))
	}
	// far: the box's farthest corner; near: its nearest point (0 inside).
	far := "greatest(" + cx + " - (f.box_4549[1])[0], (f.box_4549[0])[0] - " + cx + ") ^ 2 + greatest(" + cy + " - (f.box_4549[1])[1], (f.box_4549[0])[1] - " + cy + ") ^ 2"
	near := "greatest((f.box_4549[1])[0] - " + cx + ", " + cx + " - (f.box_4549[0])[0], 0) ^ 2 + greatest((f.box_4549[1])[1] - " + cy + ", " + cy + " - (f.box_4549[0])[1], 0) ^ 2"
	return `SELECT c.id, c.status, c.area_m2, c.v FROM (
		SELECT f.id, f.status, f.area_m2, ` + v + ` AS v,
		       ` + far + ` <= (` + r + ` - 0.001) ^ 2 AS inside, ` + near + ` > (` + r + ` + 0.001) ^ 2 AS beyond
		FROM free_parcel_boxes f WHERE ` + strings.Join(conds, " AND ") + ` OFFSET 0) c
		WHERE c.inside OR NOT c.beyond AND EXISTS (SELECT 1 FROM parcels t WHERE t.id = c.id
		  AND ST_DWithin(ST_Transform(t.geom, 4549), ST_SetSRID(ST_MakePoint(` + cx + `, ` + cy + `), 4549), ` + r + `))`
}

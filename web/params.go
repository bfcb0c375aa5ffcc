package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/paulmach/orb"
)

// The things a numeric path segment names, for pathID's answer.
var (
	aParcel      = planning.Textf("parcel")
	aProject     = planning.Textf("project")
	aScenario    = planning.Textf("scenario")
	aLedgerEntry = planning.Textf("ledger entry")
)

// pathID reads the numeric id in the path segment name. A segment that is
// not a positive whole number names no resource, so it is answered as an id
// that names nothing stored is: 404 "no <what> %q" (not 400).
func pathID(r *http.Request, name string, what planning.Text) (int64, error) {
	raw := chi.URLParam(r, name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, planning.Errorf(planning.ErrNotFound, "no %s %q", what, raw).WithDetail("parameter", name)
	}
	return id, nil
}

// pathIDBody reads a change to the thing the path's {id} names: the id
// first (pathID: a 404 before any body is read), then the body, strictly,
// into v.
func pathIDBody(r *http.Request, what planning.Text, v any) (int64, error) {
	id, err := pathID(r, "id", what)
	if err == nil {
		err = decodeStrictJSON(r, v)
	}
	return id, err
}

// CRS identifiers accepted in crs and bbox-crs, in OGC URI and short forms.
const (
	crsURIPrefix = "http://www.opengis.net/def/crs/EPSG/0/"
	crs84URI     = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// parseCRS reads a CRS identifier into an SRID: 4326 stands for CRS84
// (lon/lat), 4490 for CGCS2000 and 4549 for its Gauss-Krüger CM 120E grid.
func parseCRS(name, s string) (int, error) {
	switch strings.TrimSpace(s) {
	case crs84URI, "CRS84", "OGC:CRS84", "EPSG:4326", crsURIPrefix + "4326":
		return 4326, nil
	case crsURIPrefix + "4490", "EPSG:4490", "4490":
		return 4490, nil
	case crsURIPrefix + "4549", "EPSG:4549", "4549":
		return 4549, nil
	}
	return 0, invalidParam(name, "%q is not a supported CRS (%s4490, %s4549 or %s)", s, crsURIPrefix, crsURIPrefix, crs84URI)
}

// bboxTo4490 turns a bbox given in srid into a lon/lat bound for the index.
// With latLon the numbers come in the CRS's own axis order (OGC Part 2).
func bboxTo4490(b orb.Bound, srid int, latLon bool) orb.Bound {
	if latLon && srid != 4326 {
		b = orb.Bound{Min: orb.Point{b.Min[1], b.Min[0]}, Max: orb.Point{b.Max[1], b.Max[0]}}
	}
	if srid == 4549 {
		return geo.Transform(b, geo.From4549).(orb.Bound)
	}
	return b
}

// finiteBound reports whether every corner of b is a real number.
func finiteBound(b orb.Bound) bool {
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// parseBBox reads four numbers minx,miny,maxx,maxy; geographic ones must
// lie within ±180/±90.
func parseBBox(s string, geographic bool) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, invalidParam("bbox", "%q must be four numbers minLon,minLat,maxLon,maxLat", s)
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x != x || x > 1e15 || x < -1e15 {
			return orb.Bound{}, invalidParam("bbox", "%q is not a number", p)
		}
		f[i] = x
	}
	if geographic && (f[0] < -180 || f[2] > 180 || f[1] < -90 || f[3] > 90) {
		return orb.Bound{}, invalidParam("bbox", "%q lies outside longitude -180..180 / latitude -90..90 (for projected metres add bbox-crs=EPSG:4549)", s)
	}
	if f[0] > f[2] || f[1] > f[3] {
		return orb.Bound{}, invalidParam("bbox", "%q: a minimum is greater than its maximum (order is minx,miny,maxx,maxy)", s)
	}
	return orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}, nil
}

// list splits a comma-separated parameter, dropping empty items.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseParcelFilter reads the parcel filter parameters; nil when none given.
func parseParcelFilter(v url.Values) (*planning.ParcelFilter, error) {
	f := &planning.ParcelFilter{Parks: list(v.Get("park")), Districts: list(v.Get("district"))}
	var err error
	if f.Statuses, err = parseStatuses(v.Get("status")); err != nil {
		return nil, err
	}
	if f.LandUse, f.CurrentUse, err = parseLandUses(v); err != nil {
		return nil, err
	}
	if f.MinAreaM2, f.MaxAreaM2, err = parseAreaRange(v); err != nil {
		return nil, err
	}
	if s := v.Get("eligible"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, invalidParam("eligible", "%q is not true or false", s)
		}
		f.Eligible = &b
	}
	if f.UpdatedSince, err = parseUpdatedSince(v.Get("updated_since")); err != nil {
		return nil, err
	}
	for _, k := range []string{"name", "q"} {
		if s := strings.TrimSpace(v.Get(k)); s != "" {
			if len([]rune(s)) > 100 {
				return nil, invalidParam(k, "%q is longer than 100 characters", s)
			}
			f.Text = s
		}
	}
	if f.Empty() {
		return nil, nil
	}
	return f, nil
}

// parseStatuses reads a comma-separated list of lifecycle statuses.
func parseStatuses(s string) ([]planning.Status, error) {
	var out []planning.Status
	for _, x := range list(s) {
		st := planning.Status(x)
		if !st.Valid() {
			codes := make([]string, len(planning.Statuses))
			for i, c := range planning.Statuses {
				codes[i] = string(c.Code)
			}
			return nil, invalidParam("status", "unknown status %q (one of %s)", x, strings.Join(codes, ", "))
		}
		out = append(out, st)
	}
	return out, nil
}

// parseLandUses reads land_use (planned use) and current_use: land-use
// class codes or prefixes, comma-separated.
func parseLandUses(v url.Values) (landUse, currentUse []string, err error) {
	for _, s := range list(v.Get("land_use")) {
		if !planning.LandUseCodePattern.MatchString(s) {
			return nil, nil, invalidParam("land_use", "%q is not a land-use class code or prefix (2, 4 or 6 digits, e.g. 10 or 100101)", s)
		}
		landUse = append(landUse, s)
	}
	for _, s := range list(v.Get("current_use")) {
		if !planning.LandUseCodePattern.MatchString(s) {
			return nil, nil, invalidParam("current_use", "%q is not a land-use class code or prefix (2, 4 or 6 digits, e.g. 01 or 0101)", s)
		}
		currentUse = append(currentUse, s)
	}
	return landUse, currentUse, nil
}

// parseAreaRange reads min_area and max_area in unit (default m²) as m².
func parseAreaRange(v url.Values) (lo, hi *float64, err error) {
	unit := amount.M2
	if s := v.Get("unit"); s != "" {
		if unit, err = amount.ParseUnit(s); err != nil {
			return nil, nil, invalidParam("unit", "%v", err)
		}
	}
	area := func(name string) (*float64, error) {
		s := v.Get(name)
		if s == "" {
			return nil, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || x != x || x > 1e12 {
			return nil, invalidParam(name, "%q is not a non-negative area", s)
		}
		m2 := unit.ToM2(x)
		return &m2, nil
	}
	if lo, err = area("min_area"); err != nil {
		return nil, nil, err
	}
	if hi, err = area("max_area"); err != nil {
		return nil, nil, err
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, invalidParam("min_area", "min_area is greater than max_area")
	}
	return lo, hi, nil
}

// parseUpdatedSince reads updated_since: an RFC 3339 time or a date (the
// server's zone); nil when absent.
func parseUpdatedSince(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02", s, time.Local)
	}
	if err != nil {
		return nil, invalidParam("updated_since", "%q is not a date (2026-01-31) or timestamp (2026-01-31T08:00:00+08:00)", s)
	}
	return &t, nil
}

// countParam reads query parameter name (a limit, say) as a whole number
// from 1 to max; def when it is absent.
func countParam(v url.Values, name string, max, def int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return def, invalidParam(name, "%q is not a whole number between 1 and %d", s, max)
	}
	return n, nil
}

// decimalsParam reads the precision parameter: the decimals of the
// coordinates, 0 to 15; def when it is absent.
func decimalsParam(v url.Values, def int) (int, error) {
	s := v.Get("precision")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 15 {
		return def, invalidParam("precision", "%q is not a number of decimals between 0 and 15", s)
	}
	return n, nil
}

// parseCommon reads what every layer request shares: limit, precision,
// properties, paging and the parcel filter.
func parseCommon(layer string, v url.Values, maxLimit int) (planning.LayerQuery, error) {
	q := planning.LayerQuery{Layer: layer, Limit: defaultLimit, Precision: defaultPrecision, After: v.Get("after")}
	if _, ok := catalog.Find(layer); !ok {
		return q, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", layer, strings.Join(planning.LayerNames, ", "))
	}
	var err error
	if q.Limit, err = countParam(v, "limit", maxLimit, q.Limit); err != nil {
		return q, err
	}
	if q.Precision, err = decimalsParam(v, q.Precision); err != nil {
		return q, err
	}
	if v.Has("properties") {
		q.Properties = list(v.Get("properties"))
		if q.Properties == nil {
			q.Properties = []string{}
		}
	}
	f, err := parseParcelFilter(v)
	if err != nil {
		return q, err
	}
	if cat, _ := catalog.Find(layer); f != nil && len(cat.Filters) == 0 {
		return q, planning.Errorf(planning.ErrInvalid, "filters (%s) apply to the parcels layer only", strings.Join(catalog.ParcelFilters, ", "))
	}
	q.Filter = f
	return q, nil
}

// parseDatetime reads OGC API's datetime: an instant or an interval
// start/end, either end open ("..", or empty), each an RFC 3339 time or a
// date. A date stands for its whole day (in the server's zone), so
// datetime=2026-03-01 is that day and 2026-03-01/2026-03-31 all of March.
func parseDatetime(s string) (*planning.TimeRange, error) {
	bad := func() error {
		return invalidParam("datetime", "%q is not an instant or an interval (2026-03-01, 2026-03-01T08:00:00Z, 2026-03-01/2026-03-31, ../2026-03-31, 2026-03-01/..)", s)
	}
	start, end, interval := strings.Cut(strings.TrimSpace(s), "/")
	if !interval {
		t, err := instant(start, false)
		if err != nil {
			return nil, bad()
		}
		e, _ := instant(start, true)
		return &planning.TimeRange{Start: &t, End: &e}, nil
	}
	var r planning.TimeRange
	var err error
	if r.Start, err = intervalEnd(start, false); err != nil {
		return nil, bad()
	}
	if r.End, err = intervalEnd(end, true); err != nil {
		return nil, bad()
	}
	if r.Start == nil && r.End == nil {
		return nil, invalidParam("datetime", "%q: at least one end of the interval must be given", s)
	}
	if r.Start != nil && r.End != nil && r.End.Before(*r.Start) {
		return nil, invalidParam("datetime", "%q: the interval ends before it starts", s)
	}
	return &r, nil
}

// instant reads an RFC 3339 time, or a date (the server's zone) as its
// first moment, or with endOfDay its last (to the microsecond).
func instant(p string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, p); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", p, time.Local)
	if err == nil && endOfDay {
		t = t.AddDate(0, 0, 1).Add(-time.Microsecond)
	}
	return t, err
}

// intervalEnd reads one end of an interval: nil when open ("" or "..").
func intervalEnd(p string, endOfDay bool) (*time.Time, error) {
	if p == "" || p == ".." {
		return nil, nil
	}
	t, err := instant(p, endOfDay)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

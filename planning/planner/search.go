package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// SearchRequest is the body of POST /api/parcels/search, as sent. Check
// turns it into a Search or says which field is wrong.
type SearchRequest struct {
	Where     SearchWhere `json:"where"`
	What      SearchWhat  `json:"what"`
	Order     string      `json:"order"`     // area_asc, area_desc, distance, id
	Near      []float64   `json:"near"`      // [lon, lat]: measure distances from here
	Limit     int         `json:"limit"`     // features per page; 0: DefaultSearchLimit
	Cursor    string      `json:"cursor"`    // the "next" of the previous page
	GroupBy   string      `json:"group_by"`  // "status": totals per status as well
	Precision *int        `json:"precision"` // coordinate decimals (7)
	Geometry  *bool       `json:"geometry"`  // false: features without geometry
}

// SearchWhere says where to look; the conditions given are AND-ed.
type SearchWhere struct {
	Park      string          `json:"park"`       // park code
	District  string          `json:"district"`   // adcode
	Polygon   json.RawMessage `json:"polygon"`    // GeoJSON Polygon or MultiPolygon (or a Feature of one), lon/lat EPSG:4490
	Point     []float64       `json:"point"`      // [lon, lat], with distance_m
	DistanceM *float64        `json:"distance_m"` // metres, measured in EPSG:4549
	unknown   []string
}

// SearchWhat says what to look for.
type SearchWhat struct {
	LandUse     []string   `json:"land_use"`    // planned use (规划用途): class codes or prefixes: "1001" is every 1001xx
	CurrentUse  []string   `json:"current_use"` // current use (现状地类): class codes or prefixes
	Status      []string   `json:"status"`      // lifecycle codes and/or "available"
	Area        *AreaRange `json:"area"`        // parcel area
	Eligible    *bool      `json:"eligible"`    // may take new construction land (docs/DOMAIN.md §6)
	Underground *bool      `json:"underground"` // true: stratified underground rights only; false: surface only
	Name        string     `json:"name"`        // a part of the parcel's name, owner or code, in any case
	Stock       []string   `json:"stock"`       // stock kinds as of today (StockKinds: idle, unsupplied, ...): any of them
	unknown     []string
}

// AreaRange is an area range in one unit: m2, mu (亩) or ha (hm²).
type AreaRange struct {
	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Unit    string   `json:"unit"`
	unknown []string
}

// The request's nested objects remember the keys that name no field, so
// Check can name them with their path (what.area.foo): the strict decoder
// of the web layer only sees the top level.

// UnmarshalJSON implements json.Unmarshaler.
func (w *SearchWhere) UnmarshalJSON(b []byte) error {
	type plain SearchWhere
	u, err := decodeObject(b, (*plain)(w))
	w.unknown = u
	return err
}

// UnmarshalJSON implements json.Unmarshaler.
func (w *SearchWhat) UnmarshalJSON(b []byte) error {
	type plain SearchWhat
	u, err := decodeObject(b, (*plain)(w))
	w.unknown = u
	return err
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *AreaRange) UnmarshalJSON(b []byte) error {
	type plain AreaRange
	u, err := decodeObject(b, (*plain)(a))
	a.unknown = u
	return err
}

// decodeObject decodes b into the struct v points to and returns the keys
// of b that name none of its fields (sorted).
func decodeObject(b []byte, v any) ([]string, error) {
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) != nil {
		return nil, nil
	}
	fields := jsonFields(v)
	var unknown []string
	for k := range keys {
		if !slices.ContainsFunc(fields, func(f string) bool { return strings.EqualFold(f, k) }) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return unknown, nil
}

// jsonFields lists the JSON names of the fields of the struct v points to.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v).Elem()
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// unknownKey names the first unknown key of a nested object.
func unknownKey(path string, unknown []string, v any) error {
	if len(unknown) == 0 {
		return nil
	}
	return planning.FieldError(path+"."+unknown[0], "unknown field; the fields of %s are %s", path, strings.Join(jsonFields(v), ", "))
}

// Order is how search results are sorted; every order ends with the id.
type Order string

const (
	OrderAreaAsc  Order = "area_asc"
	OrderAreaDesc Order = "area_desc"
	OrderDistance Order = "distance" // nearest first to the point (where.point or near)
	OrderID       Order = "id"
)

// StatusAvailable is the pseudo-status of free land: conversion approved
// and not yet supplied (approved, expropriated, or held in reserve 储备),
// with no project holding it. Planned and filed land is not free: it has
// no approval yet.
const StatusAvailable = "available"

// AvailableStatuses are the lifecycle stages free land may be in.
var AvailableStatuses = []planning.Status{planning.StatusApproved, planning.StatusExpropriated, planning.StatusReserve}

// Search limits.
const (
	DefaultSearchLimit = 100
	MaxSearchLimit     = 5000
	MaxSearchDistanceM = 100_000
	MaxDrawnVertices   = 20_000
)

// Search is a checked search.
type Search struct {
	Park, District string
	Polygon        orb.Geometry // Polygon or MultiPolygon, EPSG:4490
	Point          *orb.Point   // centre of the radius
	DistanceM      float64      // radius; > 0 with Point
	Near           *orb.Point   // where distances are measured from: Point or Near
	LandUse        []string     // planned use
	CurrentUse     []string     // current use
	Statuses       []planning.Status
	Available      bool
	MinAreaM2      *float64
	MaxAreaM2      *float64
	Eligible       *bool
	Underground    *bool
	Name           string
	Stock          []string // StockKinds, any of them, as of today
	Order          Order
	Limit          int
	After          *Cursor
	GroupByStatus  bool
	Precision      int
	NoGeometry     bool
	Tolerance      planning.LineTolerance // the policy's: overlaps with a protected line still counted as clear
}

// Cursor is a keyset position: the sort value and id of the last feature
// sent, and the fingerprint of the search it belongs to.
type Cursor struct {
	Order Order   `json:"o"`
	Value float64 `json:"v"`
	ID    int64   `json:"id"`
	Hash  string  `json:"h"`
}

var (
	adcode = regexp.MustCompile(`^[0-9]{6}$`)
)

// Check validates the request and converts units; it needs no database.
// Codes that look right but name nothing are the store's to refuse. The
// parts are checked in order and the first problem is the answer.
func (r *SearchRequest) Check() (Search, error) {
	q := Search{Park: strings.TrimSpace(r.Where.Park), District: strings.TrimSpace(r.Where.District),
		Tolerance: planning.DefaultLineTolerance, Precision: 7, Limit: DefaultSearchLimit}
	for _, part := range []func(*SearchRequest, *Search) error{
		(*SearchRequest).checkKeys, (*SearchRequest).checkWhere, (*SearchRequest).checkCodes,
		(*SearchRequest).checkArea, (*SearchRequest).checkName, (*SearchRequest).checkOrder, (*SearchRequest).checkPage,
	} {
		if err := part(r, &q); err != nil {
			return q, err
		}
	}
	return q, nil
}

// checkKeys refuses members the request does not know.
func (r *SearchRequest) checkKeys(*Search) error {
	if err := unknownKey("where", r.Where.unknown, &SearchWhere{}); err != nil {
		return err
	}
	if err := unknownKey("what", r.What.unknown, &SearchWhat{}); err != nil {
		return err
	}
	if r.What.Area != nil {
		return unknownKey("what.area", r.What.Area.unknown, &AreaRange{})
	}
	return nil
}

// checkWhere reads where: district, polygon, point and radius, and near.
func (r *SearchRequest) checkWhere(q *Search) error {
	if r.Where.District != "" && !adcode.MatchString(q.District) {
		return planning.FieldError("where.district", "%q is not a 6-digit adcode", r.Where.District)
	}
	if len(r.Where.Polygon) > 0 && string(r.Where.Polygon) != "null" {
		g, err := DecodePolygon(r.Where.Polygon, "where.polygon")
		if err != nil {
			return err
		}
		q.Polygon = g
	}
	if r.Where.Point != nil {
		p, err := lonLat(r.Where.Point, "where.point")
		if err != nil {
			return err
		}
		q.Point = &p
		if r.Where.DistanceM == nil {
			return planning.FieldError("where.distance_m", "required with where.point (to order by distance without a radius, send near instead)")
		}
	}
	if r.Where.DistanceM != nil {
		d := *r.Where.DistanceM
		if q.Point == nil {
			return planning.FieldError("where.point", "where.distance_m needs a point [lon, lat] to measure from")
		}
		if !(d > 0) || d > MaxSearchDistanceM {
			return planning.FieldError("where.distance_m", "%v is not a distance between 0 and %d metres", d, MaxSearchDistanceM)
		}
		q.DistanceM = d
	}
	q.Near = q.Point
	if r.Near != nil {
		p, err := lonLat(r.Near, "near")
		if err != nil {
			return err
		}
		q.Near = &p
	}
	return nil
}

// checkCodes reads what's land uses, statuses and stock kinds.
func (r *SearchRequest) checkCodes(q *Search) error {
	for _, c := range r.What.LandUse {
		if !planning.LandUseCodePattern.MatchString(c) {
			return planning.FieldError("what.land_use", "%q is not a land-use class code or prefix (2, 4 or 6 digits, e.g. 10, 1001 or 100101)", c)
		}
		q.LandUse = append(q.LandUse, c)
	}
	for _, c := range r.What.CurrentUse {
		if !planning.LandUseCodePattern.MatchString(c) {
			return planning.FieldError("what.current_use", "%q is not a land-use class code or prefix (2, 4 or 6 digits, e.g. 01 or 0101)", c)
		}
		q.CurrentUse = append(q.CurrentUse, c)
	}
	for _, s := range r.What.Status {
		if s == StatusAvailable {
			q.Available = true
			continue
		}
		st := planning.Status(s)
		if !st.Valid() {
			codes := []string{StatusAvailable}
			for _, x := range planning.Statuses {
				codes = append(codes, string(x.Code))
			}
			return planning.FieldError("what.status", "unknown status %q (one of %s)", s, strings.Join(codes, ", "))
		}
		q.Statuses = append(q.Statuses, st)
	}
	for _, k := range r.What.Stock {
		if !slices.Contains(StockKinds, k) {
			return planning.FieldError("what.stock", "unknown stock kind %q (one of %s)", k, strings.Join(StockKinds, ", "))
		}
		q.Stock = append(q.Stock, k)
	}
	return nil
}

// checkArea reads what.area in its unit as m².
func (r *SearchRequest) checkArea(q *Search) error {
	a := r.What.Area
	if a == nil {
		return nil
	}
	if a.Unit == "" {
		return planning.FieldError("what.area.unit", "say which unit min and max are in: m2, mu (亩) or ha (hm²)")
	}
	u, err := amount.ParseUnit(a.Unit)
	if err != nil {
		return planning.FieldError("what.area.unit", "%v", err)
	}
	for _, b := range []struct {
		name string
		v    *float64
		dst  **float64
	}{{"what.area.min", a.Min, &q.MinAreaM2}, {"what.area.max", a.Max, &q.MaxAreaM2}} {
		if b.v == nil {
			continue
		}
		if *b.v < 0 || math.IsNaN(*b.v) || *b.v > 1e12 {
			return planning.FieldError(b.name, "%v is not a non-negative area", *b.v)
		}
		m2 := u.ToM2(*b.v)
		*b.dst = &m2
	}
	if q.MinAreaM2 != nil && q.MaxAreaM2 != nil && *q.MinAreaM2 > *q.MaxAreaM2 {
		return planning.FieldError("what.area.min", "min (%v) is greater than max (%v)", *a.Min, *a.Max)
	}
	return nil
}

// checkName reads what's flags and name.
func (r *SearchRequest) checkName(q *Search) error {
	q.Eligible, q.Underground = r.What.Eligible, r.What.Underground
	if q.Name = strings.TrimSpace(r.What.Name); utf8.RuneCountInString(q.Name) > 100 {
		return planning.FieldError("what.name", "%q is longer than 100 characters", q.Name)
	}
	return nil
}

// checkOrder reads the order; by distance needs a point.
func (r *SearchRequest) checkOrder(q *Search) error {
	switch Order(r.Order) {
	case "":
		q.Order = OrderAreaDesc
		if q.Near != nil {
			q.Order = OrderDistance
		}
	case OrderAreaAsc, OrderAreaDesc, OrderID:
		q.Order = Order(r.Order)
	case OrderDistance:
		if q.Near == nil {
			return planning.FieldError("order", "distance needs a point: where.point with where.distance_m, or near")
		}
		q.Order = OrderDistance
	default:
		return planning.FieldError("order", "unknown order %q (area_asc, area_desc, distance, id)", r.Order)
	}
	return nil
}

// checkPage reads the page's size, precision, geometry, grouping and cursor
// (last: the cursor must belong to this very search).
func (r *SearchRequest) checkPage(q *Search) error {
	if r.Limit != 0 {
		if r.Limit < 1 || r.Limit > MaxSearchLimit {
			return planning.FieldError("limit", "%d is not between 1 and %d", r.Limit, MaxSearchLimit)
		}
		q.Limit = r.Limit
	}
	if r.Precision != nil {
		if *r.Precision < 0 || *r.Precision > 15 {
			return planning.FieldError("precision", "%d is not a number of decimals between 0 and 15", *r.Precision)
		}
		q.Precision = *r.Precision
	}
	q.NoGeometry = r.Geometry != nil && !*r.Geometry
	switch r.GroupBy {
	case "":
	case "status":
		q.GroupByStatus = true
	default:
		return planning.FieldError("group_by", "unknown grouping %q (status)", r.GroupBy)
	}
	if r.Cursor != "" {
		c, err := DecodeCursor(r.Cursor)
		if err != nil || c.Order != q.Order || c.Hash != q.Fingerprint() {
			return planning.FieldError("cursor", "not the next cursor of this search (send the same where, what and order as the first page)")
		}
		q.After = &c
	}
	return nil
}

// lonLat reads [lon, lat] in EPSG:4490 degrees, inside China.
func lonLat(v []float64, field string) (orb.Point, error) {
	if len(v) != 2 {
		return orb.Point{}, planning.FieldError(field, "give [longitude, latitude], got %d numbers", len(v))
	}
	p := orb.Point{v[0], v[1]}
	inChina := func(lon, lat float64) bool { return lon >= 73 && lon <= 136 && lat >= 3 && lat <= 54 }
	switch {
	case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
		return p, planning.FieldError(field, "coordinates must be finite numbers")
	case inChina(p[0], p[1]):
		return p, nil
	case inChina(p[1], p[0]):
		return p, planning.FieldError(field, "[%v, %v] looks like [latitude, longitude]; give the longitude first", p[0], p[1])
	case math.Abs(p[0]) > 1000 || math.Abs(p[1]) > 1000:
		return p, planning.FieldError(field, "[%v, %v] looks like projected metres; give EPSG:4490 longitude and latitude in degrees", p[0], p[1])
	}
	return p, planning.FieldError(field, "[%v, %v] is outside China (longitude 73..136, latitude 3..54, EPSG:4490)", p[0], p[1])
}

// DecodePolygon reads a GeoJSON Polygon or MultiPolygon (or a Feature
// holding one) in lon/lat, and checks what can be checked without the
// database: its type, rings, coordinates and extent. Self-intersections
// are left to PostGIS, which says where they are.
func DecodePolygon(raw json.RawMessage, field string) (orb.Geometry, error) {
	var probe struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, planning.FieldError(field, "not a GeoJSON object: %v", err)
	}
	if probe.Type == "Feature" {
		if len(probe.Geometry) == 0 || bytes.Equal(probe.Geometry, []byte("null")) {
			return nil, planning.FieldError(field, "the Feature has no geometry")
		}
		raw = probe.Geometry
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, planning.FieldError(field, "not a GeoJSON geometry: %v", err)
		}
	}
	if probe.Type != "Polygon" && probe.Type != "MultiPolygon" {
		return nil, planning.FieldError(field, "expected a GeoJSON Polygon or MultiPolygon, got %q", probe.Type)
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, planning.FieldError(field, "not a valid GeoJSON %s: %v", probe.Type, err)
	}
	if err := geo.ValidatePolygonal(g.Coordinates, MaxDrawnVertices); err != nil {
		msg := err.Error()
		if ve, ok := err.(*geo.ValidationError); ok {
			msg = ve.Message
		}
		return nil, planning.FieldError(field, "%s", msg)
	}
	return g.Coordinates, nil
}

// Fingerprint names the question a search asks (everything but the page),
// so a cursor cannot be replayed against another search.
func (q *Search) Fingerprint() string {
	b, _ := json.Marshal([]any{q.Park, q.District, q.Polygon, q.Point, q.DistanceM, q.Near, q.LandUse, q.CurrentUse, q.Statuses,
		q.Available, q.MinAreaM2, q.MaxAreaM2, q.Eligible, q.Underground, q.Order, q.Name, q.Stock})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// Encode makes the opaque text of a cursor.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by Encode.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	err = planning.DecodeJSON(bytes.NewReader(b), 0, planning.Textf("the cursor"), &c)
	return c, err
}

// Totals sum what a search matched (all pages).
type Totals struct {
	Count int64 `json:"count"`
	Area
	ByStatus []StatusTotal `json:"by_status,omitempty"`
}

// StatusTotal is the part of the totals in one lifecycle status.
type StatusTotal struct {
	Status planning.Status `json:"status"`
	NameZh string          `json:"name_zh"`
	NameEn string          `json:"name_en"`
	Count  int64           `json:"count"`
	Area
}

// SearchResult is what a finished search reports besides its features.
type SearchResult struct {
	Totals   Totals
	Returned int
	Next     string // cursor of the next page; "" at the end
}

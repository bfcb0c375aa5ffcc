package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/paulmach/orb"
)

// OGC API - Features, Part 1 (Core) and Part 2 (CRS by reference), over the
// same layers and the same streaming as /api/layers.

const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	mediaSchema  = "application/schema+json"

	ogcRelQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	ogcRelSchema     = "http://www.opengis.net/def/rel/ogc/1.0/schema"
)

var ogcConformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

// ogcCRS lists the CRSs offered, storage CRS first after CRS84 (the default).
// ogcMaxLimit caps an OGC page: larger than the map's, for downloads.
// Memory does not grow with it, since features stream.
const ogcMaxLimit = 100_000

// ogcPrecision is the default coordinate decimals of OGC downloads.
const ogcPrecision = 9

var ogcCRS = []string{crs84URI, crsURIPrefix + "4490", crsURIPrefix + "4549"}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// baseURL is the absolute URL of this server as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) mountOGC(r chi.Router) {
	// HEAD is routed explicitly: the UI's catch-all would take it otherwise.
	for path, h := range map[string]handlerFunc{
		"/ogc": s.ogcLanding, "/ogc/": s.ogcLanding, "/ogc/conformance": s.ogcConformance, "/ogc/api": s.ogcAPI,
		"/ogc/collections": s.ogcCollections, "/ogc/collections/{id}": s.ogcCollection,
		"/ogc/collections/{id}/items": s.ogcItems, "/ogc/collections/{id}/items/{fid}": s.ogcItem,
		"/ogc/collections/{id}/queryables": s.ogcQueryables, "/ogc/collections/{id}/schema": s.ogcSchema,
	} {
		r.Get(path, s.handle(h))
		r.Head(path, s.handle(h))
	}
}

func (s *Server) ogcLanding(w http.ResponseWriter, r *http.Request) error {
	b := baseURL(r) + "/ogc"
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "landquota",
		"description": "Parcels, parks, districts and protected lines of the Hangzhou High-tech Zone and its cooperation parks (CGCS2000).",
		"links": []link{
			{b, "self", mediaJSON, "this document"},
			{b + "/api", "service-desc", mediaOpenAPI, "the API definition"},
			{b + "/conformance", "conformance", mediaJSON, "conformance classes"},
			{b + "/collections", "data", mediaJSON, "the collections"},
		},
	})
	return nil
}

func (s *Server) ogcConformance(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"conformsTo": ogcConformance})
	return nil
}

// collectionDoc describes one collection.
func (s *Server) collectionDoc(r *http.Request, id string, bbox [4]float64) map[string]any {
	b := baseURL(r) + "/ogc/collections/" + id
	cat, _ := catalog.Find(id)
	title := cat.TitleEn + " " + cat.TitleZh
	return map[string]any{
		"id": id, "title": title, "description": cat.Description, "itemType": "feature",
		"extent":     map[string]any{"spatial": map[string]any{"bbox": [][4]float64{bbox}, "crs": crs84URI}},
		"crs":        ogcCRS,
		"storageCrs": crsURIPrefix + "4490",
		"links": []link{
			{b, "self", mediaJSON, title},
			{b + "/items", "items", mediaGeoJSON, title + " as GeoJSON"},
			{b + "/queryables", ogcRelQueryables, mediaSchema, "the properties the items can be filtered by"},
			{b + "/schema", ogcRelSchema, mediaSchema, "the properties of the items"},
		},
	}
}

func (s *Server) extentBox(r *http.Request) ([4]float64, error) {
	e, err := s.geo.Extent(r.Context())
	return [4]float64{e.Min[0], e.Min[1], e.Max[0], e.Max[1]}, err
}

func (s *Server) ogcCollections(w http.ResponseWriter, r *http.Request) error {
	box, err := s.extentBox(r)
	if err != nil {
		return err
	}
	var cols []map[string]any
	for _, id := range planning.LayerNames {
		cols = append(cols, s.collectionDoc(r, id, box))
	}
	b := baseURL(r) + "/ogc/collections"
	writeJSON(w, http.StatusOK, map[string]any{
		"links":       []link{{Href: b, Rel: "self", Type: mediaJSON}},
		"collections": cols,
		"crs":         ogcCRS,
	})
	return nil
}

func (s *Server) ogcCollection(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, ok := catalog.Find(id); !ok {
		return unknownCollection(id)
	}
	box, err := s.extentBox(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.collectionDoc(r, id, box))
	return nil
}

func unknownCollection(id string) error {
	return planning.Errorf(planning.ErrNotFound, "no collection %q (collections: %s)", id, strings.Join(planning.LayerNames, ", "))
}

// ogcQuery reads an items request: the common layer parameters plus crs and
// bbox-crs, whose coordinates follow the CRS's own axis order.
func ogcQuery(id string, v url.Values) (planning.LayerQuery, string, error) {
	q, err := parseCommon(id, v, ogcMaxLimit)
	if err != nil {
		return q, "", err
	}
	if !v.Has("precision") {
		// Downloads keep 0.1 mm so areas survive the trip; the map's
		// /api/layers default of 7 decimals (1 cm) would move totals.
		q.Precision = ogcPrecision
	}
	crs := crs84URI
	q.SRID = 4326
	if c := v.Get("crs"); c != "" {
		if q.SRID, err = parseCRS("crs", c); err != nil {
			return q, "", err
		}
		crs = canonicalCRS(q.SRID)
	}
	q.LatLon = q.SRID != 4326
	if q.SRID == 4549 && !v.Has("precision") {
		q.Precision = 4 // metres: 0.1 mm, as for degrees
	}
	srid := 4326
	if c := v.Get("bbox-crs"); c != "" { // checked without a bbox too: a wrong value is refused, not ignored
		if srid, err = parseCRS("bbox-crs", c); err != nil {
			return q, "", err
		}
	}
	if q.BBox, err = ogcBBox(v.Get("bbox"), srid); err != nil {
		return q, "", err
	}
	if s := v.Get("datetime"); s != "" {
		if q.Updated, err = parseDatetime(s); err != nil {
			return q, "", err
		}
	}
	return q, crs, nil
}

// ogcBBox reads an items request's bbox, in the axis order of srid (its
// bbox-crs), as lon/lat in EPSG:4490; nil when s is empty.
func ogcBBox(s string, srid int) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	b, err := parseBBox(s, srid == 4326)
	if err != nil {
		return nil, err
	}
	// EPSG:4490 orders its axes latitude first (OGC Part 2): a
	// longitude where a latitude belongs is refused, not searched.
	if srid == 4490 && (b.Min[0] < -90 || b.Max[0] > 90 || b.Min[1] < -180 || b.Max[1] > 180) {
		return nil, invalidParam("bbox", "%q: EPSG:4490 orders latitude first (minLat,minLon,maxLat,maxLon); for longitude first give bbox-crs CRS84 or leave it out", s)
	}
	b = bboxTo4490(b, srid, true)
	if !finiteBound(b) {
		return nil, invalidParam("bbox", "%q lies outside the CRS's area: it does not convert to longitude/latitude", s)
	}
	return &b, nil
}

func canonicalCRS(srid int) string {
	if srid == 4326 {
		return crs84URI
	}
	return crsURIPrefix + strconv.Itoa(srid)
}

func (s *Server) ogcItems(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, ok := catalog.Find(id); !ok {
		return unknownCollection(id)
	}
	if f := r.URL.Query().Get("f"); f != "" && f != "json" && f != "geojson" {
		return invalidParam("f", "%q is not offered (json or geojson)", f)
	}
	q, crs, err := ogcQuery(id, r.URL.Query())
	if err != nil {
		return err
	}
	// Counting is cheap for the small layers; for parcels it is done once,
	// on the first page, which is where clients read it.
	q.Count = id != "parcels" || q.After == ""
	w.Header().Set("Content-Crs", "<"+crs+">")
	self := baseURL(r) + r.URL.RequestURI()
	return s.streamFeatures(w, r, q, func(res planning.LayerResult, n int) string {
		var b strings.Builder
		b.WriteString(`,"numberReturned":` + strconv.Itoa(n))
		if res.Matched >= 0 {
			b.WriteString(`,"numberMatched":` + strconv.FormatInt(res.Matched, 10))
		}
		b.WriteString(`,"links":[{"href":` + strconv.Quote(self) + `,"rel":"self","type":"` + mediaGeoJSON + `"}`)
		if res.Next != "" {
			b.WriteString(`,{"href":` + strconv.Quote(baseURL(r)+withParam(r.URL, "after", res.Next)) + `,"rel":"next","type":"` + mediaGeoJSON + `"}`)
		}
		b.WriteString("]")
		return b.String()
	})
}

func (s *Server) ogcItem(w http.ResponseWriter, r *http.Request) error {
	id, fid := chi.URLParam(r, "id"), chi.URLParam(r, "fid")
	if _, ok := catalog.Find(id); !ok {
		return unknownCollection(id)
	}
	// Only crs and precision apply to one feature; the defaults are the
	// collection's, so a feature reads the same either way.
	v, one := r.URL.Query(), url.Values{}
	for _, k := range []string{"crs", "precision"} {
		if v.Has(k) {
			one[k] = v[k]
		}
	}
	q, crs, err := ogcQuery(id, one)
	if err != nil {
		return err
	}
	q.Key = fid
	q.Limit = 1
	var feature []byte
	if _, err := s.geo.StreamLayer(r.Context(), q, func(f []byte) error { feature = append(feature[:0], f...); return nil }); err != nil {
		return err
	}
	if feature == nil {
		return planning.Errorf(planning.ErrNotFound, "collection %s has no feature %q", id, fid)
	}
	col := baseURL(r) + "/ogc/collections/" + id
	w.Header().Set("Content-Type", mediaGeoJSON)
	w.Header().Set("Content-Crs", "<"+crs+">")
	// Splice the links into the feature object PostgreSQL encoded.
	links := `,"links":[{"href":` + strconv.Quote(col+"/items/"+url.PathEscape(fid)) + `,"rel":"self","type":"` + mediaGeoJSON +
		`"},{"href":` + strconv.Quote(col) + `,"rel":"collection","type":"` + mediaJSON + `"}]}`
	w.Write(feature[:len(feature)-1])
	w.Write([]byte(links))
	return nil
}

// ogcSchema serves the JSON Schema of a collection's features (OGC API -
// Features Part 5), from the catalog: every property with its type and
// labels, the id and the geometry marked by their roles.
func (s *Server) ogcSchema(w http.ResponseWriter, r *http.Request) error {
	return s.writeSchema(w, r, "schema", func(l catalog.Layer) []catalog.Column { return l.ColumnsIn(catalog.Feature) })
}

// ogcQueryables serves the properties a collection's items can be selected
// by with a query parameter of the same name (Part 3's queryables).
func (s *Server) ogcQueryables(w http.ResponseWriter, r *http.Request) error {
	return s.writeSchema(w, r, "queryables", func(l catalog.Layer) []catalog.Column {
		var out []catalog.Column
		for _, c := range l.ColumnsIn(catalog.Feature) {
			if slices.Contains(l.Filters, c.Name) {
				out = append(out, c)
			}
		}
		return out
	})
}

func (s *Server) writeSchema(w http.ResponseWriter, r *http.Request, kind string, columns func(catalog.Layer) []catalog.Column) error {
	id := chi.URLParam(r, "id")
	l, ok := catalog.Find(id)
	if !ok {
		return unknownCollection(id)
	}
	props := map[string]any{"geometry": map[string]any{"x-ogc-role": "primary-geometry", "format": "geometry-" + strings.ToLower(l.Geometry)}}
	cols := columns(l)
	if kind == "schema" && !slices.Contains(l.Names(catalog.Feature), l.ID) {
		c, _ := l.Column(l.ID) // the feature's id member, not a property
		cols = append([]catalog.Column{c}, cols...)
	}
	for _, c := range cols {
		p := map[string]any{"title": c.Zh + " " + c.En, "type": jsonType(c.Type)}
		if c.Type == catalog.Date || c.Type == catalog.DateTime {
			p["format"] = string(c.Type)
		}
		if kind == "schema" && c.Name == l.ID {
			p["x-ogc-role"] = "id"
		}
		props[c.Name] = p
	}
	w.Header().Set("Content-Type", mediaSchema)
	writeJSONBody(w, http.StatusOK, map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     baseURL(r) + "/ogc/collections/" + id + "/" + kind,
		"type":    "object", "title": l.TitleEn + " " + l.TitleZh, "properties": props,
	})
	return nil
}

// jsonType is the JSON Schema type of a catalog type (dates are strings).
func jsonType(t catalog.Type) string {
	if t == catalog.Date || t == catalog.DateTime {
		return "string"
	}
	return string(t)
}

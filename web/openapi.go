package web

import (
	"net/http"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning"
)

// ogcAPI serves the OpenAPI 3.0 definition of the /ogc endpoints. It is
// checked by an OpenAPI validator in make test (web/ui/tests/openapi.mjs).
func (s *Server) ogcAPI(w http.ResponseWriter, r *http.Request) error {
	str := map[string]any{"type": "string"}
	// Query parameters are form-style; path parameters simple (OpenAPI 3.0 §4.7.12.4).
	query := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "query", "description": desc, "required": false, "schema": schema, "style": "form", "explode": false}
	}
	path := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "path", "description": desc, "required": true, "schema": schema, "style": "simple"}
	}
	collectionID := path("collectionId", "collection", map[string]any{"type": "string", "enum": planning.LayerNames})
	crs := query("crs", "CRS of the returned coordinates, in the CRS's own axis order (EPSG:4490 latitude first, EPSG:4549 northing first)",
		map[string]any{"type": "string", "format": "uri", "enum": ogcCRS, "default": crs84URI})
	precision := query("precision", "coordinate decimals; the default keeps 0.1 mm ("+strconv.Itoa(ogcPrecision)+
		" decimals of a degree, 4 of a metre in EPSG:4549)", map[string]any{"type": "integer", "minimum": 0, "maximum": 15, "default": ogcPrecision})
	items := []any{
		collectionID,
		query("bbox", "minx,miny,maxx,maxy in bbox-crs, in its axis order (CRS84: lon,lat; EPSG:4490: lat,lon; EPSG:4549: northing,easting)",
			map[string]any{"type": "array", "minItems": 4, "maxItems": 4, "items": map[string]any{"type": "number"}}),
		query("bbox-crs", "CRS of bbox", map[string]any{"type": "string", "format": "uri", "enum": ogcCRS, "default": crs84URI}),
		query("datetime", "updated_at: an instant or an interval (RFC 3339 times or dates; '..' or empty for an open end), e.g. 2026-03-01/..", str),
		crs,
		query("limit", "features per page", map[string]any{"type": "integer", "minimum": 1, "maximum": ogcMaxLimit, "default": defaultLimit}),
		query("after", "continue after this feature id (follow the next link)", str),
		query("properties", "comma-separated property names to return", str),
		precision,
		query("status", "parcels: lifecycle statuses, comma-separated", str),
		query("land_use", "parcels: planned use (规划用途), land-use class codes or prefixes (2023 classification), comma-separated", str),
		query("current_use", "parcels: current use (现状地类), land-use class codes or prefixes (2023 classification), comma-separated", str),
		query("park", "parcels: park codes, comma-separated", str),
		query("district", "parcels: district adcodes, comma-separated", str),
		query("min_area", "parcels: smallest area in unit", map[string]any{"type": "number", "minimum": 0}),
		query("max_area", "parcels: largest area in unit", map[string]any{"type": "number", "minimum": 0}),
		query("unit", "area unit of min_area and max_area", map[string]any{"type": "string", "enum": []string{"m2", "m²", "平方米", "mu", "亩", "ha", "hm2", "hm²", "公顷"}, "default": "m2"}),
		query("eligible", "parcels: eligible for new construction land", map[string]any{"type": "boolean"}),
		query("updated_since", "parcels: changed at or after (date or RFC 3339 time)", str),
		query("name", "parcels: a part of the name, owner or code, in any case", map[string]any{"type": "string", "maxLength": 100}),
		query("q", "parcels: the same as name", map[string]any{"type": "string", "maxLength": 100}),
	}
	errorBody := map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object",
		"properties": map[string]any{"code": str, "message": str, "lang": map[string]any{"type": "string", "enum": []string{"zh", "en"}},
			"details": map[string]any{"type": "object"}}}}}
	responses := func(desc, media string) map[string]any {
		return map[string]any{
			"200":     map[string]any{"description": desc, "content": map[string]any{media: map[string]any{"schema": map[string]any{"type": "object"}}}},
			"default": map[string]any{"description": "an error, named", "content": map[string]any{mediaJSON: map[string]any{"schema": errorBody}}},
		}
	}
	get := func(summary, opID, media string, params ...any) map[string]any {
		op := map[string]any{"summary": summary, "operationId": opID, "responses": responses(summary, media)}
		if len(params) > 0 {
			op["parameters"] = params
		}
		return map[string]any{"get": op}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "landquota OGC API - Features", "version": s.cfg.Version,
			"description": "Parcels, parks, districts and protected lines of the Hangzhou High-tech Zone and its cooperation parks (CGCS2000)."},
		"servers": []any{map[string]any{"url": baseURL(r) + "/ogc"}},
		"paths": map[string]any{
			"/":                                 get("landing page", "getLandingPage", mediaJSON),
			"/conformance":                      get("conformance classes", "getConformance", mediaJSON),
			"/api":                              get("this API definition", "getAPI", mediaOpenAPI),
			"/collections":                      get("the collections", "getCollections", mediaJSON),
			"/collections/{collectionId}":       get("one collection", "describeCollection", mediaJSON, collectionID),
			"/collections/{collectionId}/items": get("features, paged", "getFeatures", mediaGeoJSON, items...),
			"/collections/{collectionId}/items/{featureId}": get("one feature", "getFeature", mediaGeoJSON, collectionID,
				path("featureId", "feature id", str), crs, precision),
			"/collections/{collectionId}/queryables": get("the properties the items can be filtered by, as JSON Schema", "getQueryables", mediaSchema, collectionID),
			"/collections/{collectionId}/schema":     get("the properties of the items, as JSON Schema", "getSchema", mediaSchema, collectionID),
		},
	}
	w.Header().Set("Content-Type", mediaOpenAPI)
	writeJSONBody(w, http.StatusOK, doc)
	return nil
}

package web

import (
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
)

// ogcAPI serves the OpenAPI 3.0 definition of the /ogc endpoints.
func (s *Server) ogcAPI(w http.ResponseWriter, r *http.Request) {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	param := func(name, in, desc string, schema map[string]any, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "required": required, "schema": schema, "style": "form", "explode": false}
	}
	collectionID := param("collectionId", "path", "collection", map[string]any{"type": "string", "enum": planning.LayerNames}, true)
	items := []any{
		collectionID,
		param("bbox", "query", "minx,miny,maxx,maxy in bbox-crs (default CRS84 lon/lat)", map[string]any{"type": "array", "minItems": 4, "maxItems": 4, "items": map[string]any{"type": "number"}}, false),
		param("bbox-crs", "query", "CRS of bbox", map[string]any{"type": "string", "enum": ogcCRS}, false),
		param("crs", "query", "CRS of the returned coordinates (in its axis order)", map[string]any{"type": "string", "enum": ogcCRS}, false),
		param("limit", "query", "features per page", map[string]any{"type": "integer", "minimum": 1, "maximum": ogcMaxLimit, "default": defaultLimit}, false),
		param("after", "query", "continue after this feature id (use the next link)", str(""), false),
		param("properties", "query", "comma-separated property names to return", str(""), false),
		param("precision", "query", "coordinate decimals", map[string]any{"type": "integer", "minimum": 0, "maximum": 15, "default": defaultPrecision}, false),
		param("status", "query", "parcels: lifecycle statuses, comma-separated", str(""), false),
		param("land_use", "query", "parcels: planned use (规划用途), land-use class codes or prefixes (2023 classification), comma-separated", str(""), false),
		param("current_use", "query", "parcels: current use (现状地类), land-use class codes or prefixes (2023 classification), comma-separated", str(""), false),
		param("park", "query", "parcels: park codes", str(""), false),
		param("district", "query", "parcels: district adcodes", str(""), false),
		param("min_area", "query", "parcels: smallest area in unit", map[string]any{"type": "number"}, false),
		param("max_area", "query", "parcels: largest area in unit", map[string]any{"type": "number"}, false),
		param("unit", "query", "area unit", map[string]any{"type": "string", "enum": []string{"m2", "m²", "平方米", "mu", "亩", "ha", "hm2", "hm²", "公顷"}, "default": "m2"}, false),
		param("eligible", "query", "parcels: eligible for new construction land", map[string]any{"type": "boolean"}, false),
		param("updated_since", "query", "parcels: changed at or after (date or RFC 3339 time)", str(""), false),
	}
	jsonBody := func(desc, media string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{media: map[string]any{"schema": map[string]any{"type": "object"}}}},
			"default": map[string]any{"description": "error: {\"error\":{\"code\",\"message\",\"details\"}}"}}
	}
	get := func(summary, opID, media string, params []any) map[string]any {
		return map[string]any{"get": map[string]any{"summary": summary, "operationId": opID, "parameters": params, "responses": jsonBody(summary, media)}}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "landquota OGC API - Features", "version": s.cfg.Version},
		"servers": []any{map[string]any{"url": baseURL(r) + "/ogc"}},
		"paths": map[string]any{
			"/":                                 get("landing page", "getLandingPage", mediaJSON, nil),
			"/conformance":                      get("conformance classes", "getConformance", mediaJSON, nil),
			"/api":                              get("this API definition", "getAPI", mediaOpenAPI, nil),
			"/collections":                      get("the collections", "getCollections", mediaJSON, nil),
			"/collections/{collectionId}":       get("one collection", "describeCollection", mediaJSON, []any{collectionID}),
			"/collections/{collectionId}/items": get("features, paged", "getFeatures", mediaGeoJSON, items),
			"/collections/{collectionId}/items/{featureId}": get("one feature", "getFeature", mediaGeoJSON, []any{collectionID,
				param("featureId", "path", "feature id", str(""), true), items[3]}),
		},
	}
	w.Header().Set("Content-Type", mediaOpenAPI)
	writeJSONBody(w, http.StatusOK, doc)
}

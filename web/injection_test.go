package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/tools/demo"
)

// The SQL-injection sweep (issue 8): every path parameter of every route,
// every filter of the GET endpoints and every field of the JSON bodies gets
// the classic injection strings. Each must be answered quickly (no
// pg_sleep ran), below 500 (a JSON 4xx, or a 2xx where the value is free
// text that is legitimately matched or stored verbatim), and afterwards the
// database must hold what it held before: the same tables, parcels, ledger,
// accounts and project parcels.

// injections are the strings tried in every place.
var injections = []struct{ name, value string }{
	{"or-true", `' OR '1'='1`},
	{"drop", `1; DROP TABLE parcels; --`},
	{"union", `1) UNION SELECT NULL--`},
	{"sleep", `'; SELECT pg_sleep(5)--`},
	{"sleep-expr", `0 OR pg_sleep(5) IS NULL`},
	{"percent-27", `%27`},
	{"nul", "\x00"},
	{"nul-inside", "330108\x00' OR 1=1--"},
	{"long", strings.Repeat("' OR 1=1 -- ", 6000)},
	{"placeholder", `$1`},
	{"cast", `::text`},
	{"dollar-quote", `$$; DROP TABLE parcels; $$`},
	{"backslash", `\'; DROP TABLE parcels; --`},
	{"unicode-quotes", "’; DROP TABLE parcels;-- ʼ OR ʼ1ʼ=ʼ1 ＇ OR 1=1"},
	{"bad-utf8", "\xff\xfe'"},
	{"json-break", `"}]},{"x":"`},
}

// quick is the most an answer may take: far below the 5 s of pg_sleep,
// generous for a busy machine.
const quick = 3 * time.Second

// sweepRoute says how to call one route and where to inject.
type sweepRoute struct {
	path   map[string]string // base values of the path parameters
	suffix map[string]string // appended to an injected path parameter (".mvt")
	query  []string          // query parameters to inject
	fixed  url.Values        // sent with every call (an injected one replaces its own)
	base   map[string]string // the valid value of a query parameter, for the value+injection variant
	fields []string          // JSON body fields to inject ("where.park"; an array field gets a one-element array)
	body   func(field string, seq int) map[string]any
	raw    func() (io.Reader, string) // a non-JSON body and its Content-Type
	// free lists the places where a 2xx answer is right: free text that
	// is matched (and then matches nothing) or stored verbatim.
	free map[string]bool
	// empty checks a 2xx answer of a free filter: it must hold no rows.
	empty func(body map[string]any) bool
	// echo says where a 2xx answer shows a free field it stored: the value
	// must come back as sent (trimmed at most).
	echo map[string][]string
}

// queryBases are valid values of the query parameters, for the variant
// that appends the injection to a good value (a lax parser that reads a
// prefix would let the tail through).
var queryBases = map[string]string{
	"bbox": "120.1,30.1,120.3,30.3", "bbox-crs": "EPSG:4490", "crs": "EPSG:4490", "limit": "5", "after": "1",
	"status": "approved", "land_use": "10", "park": "HTZ", "district": "330108", "min_area": "1", "max_area": "100000",
	"unit": "m2", "eligible": "true", "updated_since": "2020-01-01", "properties": "code", "precision": "6",
	"f": "json", "asof": "2026-06-30", "format": "json", "table": "quota", "version": "1", "input": "true",
	"srid": "4490", "encoding": "UTF-8", "account": "330108",
}

var layerFilters = []string{"bbox", "bbox-crs", "limit", "after", "status", "land_use", "current_use", "park", "district", "min_area",
	"max_area", "unit", "eligible", "updated_since", "properties", "precision"}

// sweepWorld is a demo world of 300 parcels with the 2026 plan, its
// policy, projects and one draft scenario, served with an admin's token.
type sweepWorld struct {
	*authEnv
	auth                string
	parcelID, projectID int64
	entryID, scenarioID int64
	parcelCode          string
	projectsBefore      int64
	seq                 int
}

func newSweepWorld(t *testing.T) *sweepWorld {
	t.Helper()
	e := newAuthEnv(t)
	ctx := context.Background()
	ds, err := demo.Generate(demo.Options{Parcels: 300, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Load(ctx, pgstore.Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels}, false, nil); err != nil {
		t.Fatal(err)
	}
	pol, _ := json.Marshal(allocation.DefaultPolicy(2026))
	if _, err := e.store.SeedQuota(ctx, 2026, pol, 5); err != nil {
		t.Fatal(err)
	}
	w := &sweepWorld{authEnv: e, auth: "Bearer " + e.token(e.user("root", planning.RoleAdmin))}
	e.user("target", planning.RoleViewer)
	pool := e.store.Pool()
	for _, q := range []struct {
		sql string
		dst any
	}{
		{"SELECT min(id) FROM parcels", &w.parcelID},
		{"SELECT code FROM parcels ORDER BY id LIMIT 1", &w.parcelCode},
		{"SELECT min(id) FROM projects", &w.projectID},
		{"SELECT max(id) FROM projects", &w.projectsBefore},
		{"SELECT min(id) FROM ledger_entries", &w.entryID},
	} {
		if err := pool.QueryRow(ctx, q.sql).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	r := e.call("POST", "/api/plans/2026/scenarios", map[string]any{"method": "priority", "name": "sweep base"}, nil, "Authorization", w.auth)
	if r.StatusCode != 201 {
		t.Fatalf("base scenario: %d %s", r.StatusCode, r.raw)
	}
	w.scenarioID = int64(r.body["id"].(float64))
	return w
}

// snapshot is what the sweep must leave as it found it.
func (w *sweepWorld) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, sql := range map[string]string{
		"tables":          "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
		"parcels":         "SELECT count(*) || ' ' || md5(string_agg(p::text, ',' ORDER BY id)) FROM parcels p",
		"ledger":          "SELECT count(*) || ' ' || coalesce(sum(amount_m2), 0) || ' ' || md5(coalesce(string_agg(l::text, ',' ORDER BY id), '')) FROM ledger_entries l",
		"accounts":        "SELECT count(*) || ' ' || md5(string_agg(a::text, ',' ORDER BY id)) FROM quota_accounts a",
		"project parcels": "SELECT count(*) || ' ' || md5(string_agg(pp::text, ',' ORDER BY project_id, parcel_id)) FROM project_parcels pp",
		"projects":        fmt.Sprintf("SELECT count(*) || ' ' || md5(string_agg(p::text, ',' ORDER BY id)) FROM projects p WHERE id <= %d", w.projectsBefore),
		"geography":       "SELECT (SELECT count(*) FROM districts) || ' ' || (SELECT count(*) FROM parks) || ' ' || (SELECT count(*) FROM protected_zones)",
		"approved":        "SELECT count(*) FROM scenarios WHERE status = 'approved'",
		// A plan's name is free text an admin may change (POST /api/plans).
		"plans":    "SELECT md5(string_agg(concat_ws('|', id, year, kind, state, doc_number, doc_date, doc_issuer, closed_at), ',' ORDER BY id)) FROM plans p",
		"land use": "SELECT count(*) FROM land_use_classes",
		// The tolerances, not the note (free text an admin may change).
		"eligibility policy": "SELECT tolerance_m2 || ' ' || sliver_width_m FROM eligibility_policy",
	} {
		var s string
		if err := w.store.Pool().QueryRow(context.Background(), sql).Scan(&s); err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// sweepReply is one answer of the sweep.
type sweepReply struct {
	status  int
	ctype   string
	raw     []byte
	body    map[string]any
	elapsed time.Duration
}

var sweepClient = &http.Client{Timeout: 15 * time.Second}

// do sends a request as the admin; headers (name, value pairs) replace
// the defaults, and an empty value removes one.
func (w *sweepWorld) do(t *testing.T, method, path string, body io.Reader, ctype string, headers ...string) sweepReply {
	t.Helper()
	req, err := http.NewRequest(method, w.url+path, body)
	if err != nil {
		t.Fatalf("%s %.200s: %v", method, path, err)
	}
	req.Header.Set("Authorization", w.auth)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	start := time.Now()
	res, err := sweepClient.Do(req)
	if err != nil {
		t.Fatalf("%s %.200s: %v (a hang?)", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := sweepReply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), raw: raw, elapsed: time.Since(start)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// asJSONString is s as it arrives through JSON (bad UTF-8 becomes U+FFFD).
func asJSONString(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}

// setField sets a dotted path in a JSON object; an array there becomes a
// one-element array of v.
func setField(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	last := keys[len(keys)-1]
	if _, isArray := m[last].([]any); isArray {
		v = []any{v}
	}
	m[last] = v
}

// sweepRoutes describes every route of the server; the sweep fails on a
// route it does not know, so a new route must be added here.
func (w *sweepWorld) sweepRoutes() map[string]sweepRoute {
	year := map[string]string{"year": "2026"}
	none := sweepRoute{}
	layerQ := url.Values{"limit": {"5"}}
	noRows := func(key string) func(map[string]any) bool {
		return func(b map[string]any) bool { a, ok := b[key].([]any); return ok && len(a) == 0 }
	}
	stockQ := append([]string{"asof", "kind"}, "bbox", "bbox-crs", "district", "park", "limit", "precision", "after")
	exportQ := []string{"format", "srid", "crs", "precision", "encoding", "bbox", "bbox-crs", "status", "land_use", "current_use", "park",
		"district", "min_area", "max_area", "unit", "eligible", "updated_since"}
	parcelCode := w.parcelCode
	return map[string]sweepRoute{
		"GET /healthz": none, "GET /readyz": none, "GET /metrics": none,
		"GET /api/meta": none, "GET /api/me": none, "GET /api/users/": none, "GET /api/tiles/stats": none,
		"GET /api/imports/": none, "POST /api/logout": none,
		"GET /ogc": none, "GET /ogc/": none, "GET /ogc/conformance": none, "GET /ogc/api": none, "GET /ogc/collections": none,
		"GET /*":            {path: map[string]string{"*": "index.html"}, free: map[string]bool{"*": true}},
		"GET /api/basemaps": none, "GET /api/qgis/landquota.qgs": none,
		"GET /basemap/{z}/{x}/{y}": {path: map[string]string{"z": "11", "x": "1707", "y": "844"}},

		"GET /api/layers/{layer}": {path: map[string]string{"layer": "parcels"}, query: append([]string{"name", "q"}, layerFilters...), fixed: layerQ,
			free: map[string]bool{"name": true, "q": true}, empty: noRows("features")},
		"GET /ogc/collections/{id}":            {path: map[string]string{"id": "parcels"}},
		"GET /ogc/collections/{id}/queryables": {path: map[string]string{"id": "parcels"}},
		"GET /ogc/collections/{id}/schema":     {path: map[string]string{"id": "parcels"}},
		"GET /ogc/collections/{id}/items": {path: map[string]string{"id": "parcels"}, fixed: layerQ,
			query: append([]string{"crs", "f", "datetime", "name"}, layerFilters...), free: map[string]bool{"name": true}, empty: noRows("features")},
		"GET /ogc/collections/{id}/items/{fid}": {path: map[string]string{"id": "parcels", "fid": fmt.Sprint(w.parcelID)},
			query: []string{"crs", "precision"}},
		"GET /tiles/{layers}": {path: map[string]string{"layers": "parcels"}, suffix: map[string]string{"layers": ".json"},
			query: []string{"limit"}},
		"GET /tiles/{layers}/{z}/{x}/{y}": {path: map[string]string{"layers": "parcels", "z": "14", "x": "13700", "y": "6740"},
			suffix: map[string]string{"y": ".mvt"}, query: []string{"limit"}},
		"GET /api/exports/{layer}": {path: map[string]string{"layer": "parcels"}, query: exportQ,
			fixed: url.Values{"format": {"geojson"}, "bbox": {"120.2,30.2,120.2001,30.2001"}}},
		"GET /api/stock":          {query: stockQ, fixed: url.Values{"limit": {"5"}}, base: map[string]string{"kind": "idle"}},
		"GET /api/stock/summary":  {query: []string{"asof"}},
		"GET /api/reports/{year}": {path: year, query: []string{"format", "table", "asof"}},

		"GET /api/plans":              none,
		"GET /api/plans/{year}":       {path: year, query: []string{"kind", "format"}, base: map[string]string{"kind": "new_construction"}},
		"GET /api/plans/{year}/close": {path: year, query: []string{"kind"}, base: map[string]string{"kind": "new_construction"}},
		// A year without a plan: nothing the sweep sends may close one.
		"POST /api/plans/{year}/close": {path: map[string]string{"year": "2099"}, query: []string{"kind"}, base: map[string]string{"kind": "new_construction"},
			fields: []string{"idempotency_key"}, free: map[string]bool{"idempotency_key": true},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"idempotency_key": fmt.Sprintf("sweep-c-%d", seq)}
			}},
		"POST /api/plans": {fields: []string{"year", "kind", "name", "document.number", "document.date"},
			free: map[string]bool{"name": true, "document.number": true}, echo: map[string][]string{"name": {"plan", "name"}},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"year": 2026, "kind": "new_construction", "name": "sweep", "document": map[string]any{"number": "x", "date": "2026-01-01"}}
			}},
		// An unknown parcel: the sweep must not approve land.
		"POST /api/parcels/{id}/status": {path: map[string]string{"id": "99999999"}, fields: []string{"status", "approved_on", "supplied_on", "reason"},
			free: map[string]bool{"reason": true},
			body: func(string, int) map[string]any { return map[string]any{"status": "approved", "reason": "sweep"} }},
		"GET /api/plans/{year}/accounts": {path: year, query: []string{"kind", "format"}, base: map[string]string{"kind": "new_construction"}},
		"GET /api/plans/{year}/ledger": {path: year, query: []string{"kind", "limit", "after", "account", "format"},
			base: map[string]string{"kind": "new_construction"}, free: map[string]bool{"account": true}, empty: noRows("entries")},
		"GET /api/plans/{year}/scenarios": {path: year, query: []string{"kind"}, base: map[string]string{"kind": "new_construction"}},
		"GET /api/projects":               {query: []string{"district"}, free: map[string]bool{"district": true}, empty: noRows("projects")},
		"GET /api/projects/{id}":          {path: map[string]string{"id": fmt.Sprint(w.projectID)}},
		"GET /api/policies/{year}":        {path: year, query: []string{"version"}},
		"GET /api/scenarios/{id}": {path: map[string]string{"id": fmt.Sprint(w.scenarioID)}, query: []string{"input", "format"},
			free: map[string]bool{"input": true}},
		"GET /api/scenarios/{a}/compare/{b}": {path: map[string]string{"a": fmt.Sprint(w.scenarioID), "b": fmt.Sprint(w.scenarioID)}, query: []string{"format"}},
		"GET /api/imports/{id}":              {path: map[string]string{"id": "20260101T000000-000000000000"}},

		"POST /api/login": {fields: []string{"username", "password"}, body: func(string, int) map[string]any {
			return map[string]any{"username": "target", "password": "not the password"}
		}},
		"POST /api/users/": {fields: []string{"username", "display_name", "role", "password"},
			free: map[string]bool{"display_name": true, "password": true}, echo: map[string][]string{"display_name": {"user", "display_name"}},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"username": fmt.Sprintf("sweep%d", seq), "display_name": "x", "role": "viewer", "password": authPassword}
			}},
		"PATCH /api/users/{username}": {path: map[string]string{"username": "target"}, fields: []string{"role", "password"},
			free: map[string]bool{"password": true},
			body: func(string, int) map[string]any { return map[string]any{"role": "viewer"} }},
		"POST /api/plans/{year}/ledger": {path: year, query: []string{"kind"}, base: map[string]string{"kind": "new_construction"},
			fields: []string{"entry", "from", "to", "amount_m2", "reason", "idempotency_key"},
			body: func(_ string, seq int) map[string]any {
				// More than the city holds: refused by the ledger, whatever else.
				return map[string]any{"entry": "allocate", "from": "330100", "to": "330108", "amount_m2": 9e11,
					"reason": "sweep", "idempotency_key": fmt.Sprintf("sweep-%d", seq)}
			}},
		"POST /api/plans/{year}/ledger/{id}/reverse": {path: map[string]string{"year": "2026", "id": "99999999"},
			query: []string{"kind"}, base: map[string]string{"kind": "new_construction"},
			fields: []string{"reason", "idempotency_key"},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"reason": "sweep", "idempotency_key": fmt.Sprintf("sweep-r-%d", seq)}
			}},
		"POST /api/grants": {fields: []string{"kind", "project_id", "action", "amount_m2", "reason", "idempotency_key"},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"year": 2026, "project_id": w.projectID, "action": "grant", "amount_m2": 9e11,
					"reason": "sweep", "idempotency_key": fmt.Sprintf("sweep-g-%d", seq)}
			}},
		"POST /api/projects": {fields: []string{"code", "name", "category", "district", "park", "parcel_ids"},
			free: map[string]bool{"code": true, "name": true}, echo: map[string][]string{"code": {"code"}, "name": {"name"}},
			body: func(_ string, seq int) map[string]any {
				return map[string]any{"code": fmt.Sprintf("SWEEP-%d", seq), "name": "sweep", "category": "general",
					"district": "330108", "parcel_ids": []any{}}
			}},
		"PUT /api/projects/{id}/parcels": {path: map[string]string{"id": fmt.Sprint(w.projectID)}, fields: []string{"parcel_ids"},
			body: func(string, int) map[string]any { return map[string]any{"parcel_ids": []any{}} }},
		"PUT /api/policies/{year}": {path: year, fields: []string{"policy", "note"}, free: map[string]bool{"note": true},
			echo: map[string][]string{"note": {"note"}},
			body: func(string, int) map[string]any {
				var p map[string]any
				b, _ := json.Marshal(allocation.DefaultPolicy(2026))
				json.Unmarshal(b, &p)
				return map[string]any{"policy": p, "note": "sweep"}
			}},
		"POST /api/plans/{year}/scenarios": {path: year, query: []string{"kind"}, base: map[string]string{"kind": "new_construction"},
			fields: []string{"method", "policy_version", "name"}, free: map[string]bool{"name": true},
			echo: map[string][]string{"name": {"name"}},
			body: func(string, int) map[string]any { return map[string]any{"method": "priority", "name": "sweep"} }},
		"POST /api/scenarios/{id}/approve": {path: map[string]string{"id": fmt.Sprint(w.scenarioID)}},
		"POST /api/imports/": {query: []string{"layer", "mode", "dry_run", "repair", "srid", "encoding", "source_layer", "swap_axes",
			"land_use_scheme", "field_map", "field", "default", "crosswalk", "filename", "wait", "max_issues"},
			fixed: url.Values{"layer": {"parcels"}, "dry_run": {"true"}, "wait": {"true"}, "filename": {"sweep.geojson"}},
			base: map[string]string{"layer": "parcels", "mode": "insert", "dry_run": "true", "repair": "false", "srid": "4490",
				"swap_axes": "false", "land_use_scheme": "gbt21010", "field": "code=code", "default": "status=reserve",
				"filename": "sweep.geojson", "wait": "true", "max_issues": "10", "field_map": `{"code":"code"}`},
			free: map[string]bool{"filename": true, "source_layer": true, "encoding": true},
			raw: func() (io.Reader, string) {
				return strings.NewReader(fc(parcelFeature("SWEEP-1", "100101", square(0, 0, 50)))), "application/geo+json"
			}},

		"POST /api/parcels/search": {fields: []string{"where.park", "where.district", "where.polygon", "where.point", "where.distance_m",
			"what.land_use", "what.current_use", "what.status", "what.area.unit", "what.area.min", "what.eligible", "what.underground",
			"order", "near", "limit", "cursor", "group_by", "precision", "geometry"},
			body: func(string, int) map[string]any {
				return map[string]any{"where": map[string]any{"district": "330108"},
					"what": map[string]any{"land_use": []any{"10"}, "status": []any{"approved"}}, "limit": 5}
			}},
		"GET /api/parcels/{id}/events":       {path: map[string]string{"id": fmt.Sprint(w.parcelID)}},
		"GET /api/land-use-classes/local":    none,
		"GET /api/enclaves":                  none,
		"GET /api/affordable-housing/{year}": {path: year},
		"PUT /api/affordable-housing/{year}": {path: year, fields: []string{"target", "unit", "city_adcode", "document"},
			free: map[string]bool{"document": true},
			body: func(string, int) map[string]any {
				return map[string]any{"target": 12.5, "unit": "公顷", "document": "sweep"}
			}},
		// SWEEP exists after the first success, so each variant is refused
		// or stores free text only.
		"POST /api/enclaves": {fields: []string{"code", "name_zh", "name_en", "home_park", "city", "country", "location", "site",
			"floor_area_m2", "lease_start_on", "lease_end_on"},
			free: map[string]bool{"name_zh": true, "name_en": true, "city": true},
			body: func(string, int) map[string]any {
				return map[string]any{"code": "SWEEP", "name_zh": "x", "city": "上海", "location": []any{121.6, 31.2}, "floor_area_m2": 100}
			}},
		"POST /api/parcels/{id}/events": {path: map[string]string{"id": fmt.Sprint(w.parcelID)},
			fields: []string{"kind", "event_on", "document", "cause", "extended_to", "amount_wan", "note"},
			free:   map[string]bool{"document": true, "note": true}, echo: map[string][]string{"document": {"document"}, "note": {"note"}},
			body: func(string, int) map[string]any {
				return map[string]any{"kind": "idle_determination", "event_on": "2024-06-10", "document": "sweep", "cause": "enterprise"}
			}},
		// 100101 exists: every variant is refused, so the classes never change.
		"POST /api/land-use-classes": {fields: []string{"code", "parent_code", "name_zh", "name_en", "construction", "source", "aliases"},
			free: map[string]bool{"name_zh": true, "name_en": true, "source": true},
			body: func(string, int) map[string]any {
				return map[string]any{"code": "100101", "name_zh": "sweep", "construction": true, "source": "sweep"}
			}},
		"GET /api/eligibility/policy": none,
		// The sweep sets the tolerances to what they are (1 m², 0.5 m): only
		// the note, free text, may change.
		"PUT /api/eligibility/policy": {fields: []string{"area_tolerance_m2", "sliver_width_m", "note"},
			free: map[string]bool{"note": true}, echo: map[string][]string{"note": {"note"}},
			body: func(string, int) map[string]any {
				return map[string]any{"area_tolerance_m2": 1, "sliver_width_m": 0.5, "note": "sweep"}
			}},
		"POST /api/eligibility": {fields: []string{"geometry", "parcel_id", "parcel_code", "precision"},
			body: func(field string, _ int) map[string]any {
				switch field {
				case "geometry", "parcel_id", "parcel_code":
					return map[string]any{}
				}
				return map[string]any{"parcel_code": parcelCode}
			}},
	}
}

// judge checks what every answer of the sweep must be: quick, below 500,
// a JSON error when it is a 4xx (jsonErrors), and a 2xx only where free
// text is welcome, then with a well-formed body. It reports whether the
// answer was a 2xx that passed.
func judge(t *testing.T, what string, r sweepReply, free, jsonErrors bool) bool {
	t.Helper()
	if r.elapsed > quick {
		t.Errorf("%s: took %s (an injected pg_sleep?)", what, r.elapsed.Round(time.Millisecond))
	}
	switch {
	case r.status >= 500:
		t.Errorf("%s: %d %.300s", what, r.status, r.raw)
	case r.status >= 400:
		if jsonErrors && str(r.body, "error", "code") == "" {
			t.Errorf("%s: %d without a JSON error: %s %.200s", what, r.status, r.ctype, r.raw)
		}
	case !free:
		t.Errorf("%s: %d, want a 4xx: the value was taken: %.300s", what, r.status, r.raw)
	case strings.Contains(r.ctype, "json") && !json.Valid(r.raw):
		t.Errorf("%s: %d with a broken JSON body: %.300s", what, r.status, r.raw)
	default:
		return true
	}
	return false
}

// TestInjectionSweep tries the injection strings in every parameter of
// every route, as an admin, so that no role check hides the parsing.
func TestInjectionSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep sends a few thousand requests")
	}
	w := newSweepWorld(t)
	before := w.snapshot(t)
	routes := w.sweepRoutes()
	param := regexp.MustCompile(`\{[^}]*\}|\*$`)
	type found struct{ method, route string }
	var all []found
	err := chi.Walk(w.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
			if route == "/*" && method != "GET" {
				return nil // the UI answers every method the same way
			}
			all = append(all, found{method, route})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].route+all[i].method < all[j].route+all[j].method })
	seen := map[string]bool{}
	requests := 0
	start := time.Now()
	for _, f := range all {
		key := f.method + " " + f.route
		seen[key] = true
		spec, ok := routes[key]
		if !ok {
			t.Errorf("%s: a route the injection sweep does not know; describe its parameters in sweepRoutes", key)
			continue
		}
		// Every path parameter of the route must have a base value.
		for _, p := range param.FindAllString(f.route, -1) {
			name := strings.Trim(p, "{}")
			if _, ok := spec.path[name]; !ok {
				t.Errorf("%s: no base value for path parameter %s", key, p)
			}
		}
		build := func(pathParam, pathValue string, q url.Values) string {
			path := param.ReplaceAllStringFunc(f.route, func(p string) string {
				name := strings.Trim(p, "{}")
				if name == pathParam {
					return url.PathEscape(pathValue + spec.suffix[name])
				}
				return url.PathEscape(spec.path[name] + spec.suffix[name])
			})
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			return path
		}
		query := func(name, value string) url.Values {
			q := url.Values{}
			for k, v := range spec.fixed {
				q[k] = v
			}
			if name != "" {
				q.Set(name, value)
			}
			return q
		}
		// send makes one call with value in one place; the rest of the
		// request is the route's valid base.
		send := func(where, name, value string) sweepReply {
			t.Helper()
			requests++
			var body io.Reader
			ctype := ""
			switch {
			case spec.body != nil:
				w.seq++
				m := spec.body(name, w.seq)
				if where == "body" {
					setField(m, name, value)
				}
				b, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				body, ctype = strings.NewReader(string(b)), "application/json"
			case spec.raw != nil:
				body, ctype = spec.raw()
			}
			pathParam, pathValue, q := "", "", query("", "")
			switch where {
			case "path":
				pathParam, pathValue = name, value
			case "query":
				q = query(name, value)
			}
			return w.do(t, f.method, build(pathParam, pathValue, q), body, ctype)
		}
		type place struct{ where, name string }
		var places []place
		for _, p := range param.FindAllString(f.route, -1) {
			places = append(places, place{"path", strings.Trim(p, "{}")})
		}
		for _, q := range spec.query {
			places = append(places, place{"query", q})
		}
		for _, b := range spec.fields {
			places = append(places, place{"body", b})
		}
		for _, pl := range places {
			t.Run(key+" "+pl.where+"="+pl.name, func(t *testing.T) {
				base := ""
				switch pl.where {
				case "path":
					base = spec.path[pl.name]
				case "query":
					base = queryBases[pl.name]
					if b, ok := spec.base[pl.name]; ok {
						base = b
					}
				}
				type attempt struct{ name, value string }
				var tries []attempt
				for _, inj := range injections {
					tries = append(tries, attempt{inj.name, inj.value})
				}
				if base != "" {
					tries = append(tries, attempt{"valid+or-true", base + `' OR '1'='1`}, attempt{"valid+drop", base + `;DROP TABLE parcels;--`})
				}
				for _, try := range tries {
					r := send(pl.where, pl.name, try.value)
					what := fmt.Sprintf("%s %s %s %s, %s", f.method, f.route, pl.where, pl.name, try.name)
					if !judge(t, what, r, spec.free[pl.name], f.route != "/*") {
						continue
					}
					switch {
					case spec.empty != nil && !spec.empty(r.body):
						t.Errorf("%s: %d with rows; the free-text filter must match nothing: %.300s", what, r.status, r.raw)
					case spec.echo[pl.name] != nil:
						want := asJSONString(try.value)
						if got := str(r.body, spec.echo[pl.name]...); got != want && got != strings.TrimSpace(want) {
							t.Errorf("%s: stored %.80q, sent %.80q", what, got, want)
						}
					}
				}
			})
		}
	}
	// The credentials and the idempotency key travel in headers.
	t.Run("headers", func(t *testing.T) {
		ledger := `{"entry":"allocate","from":"330100","to":"330108","amount_m2":9e11,"reason":"sweep"}`
		for _, inj := range injections {
			if strings.ContainsFunc(inj.value, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				continue // no client can send it in a header
			}
			requests += 3
			r := w.do(t, "GET", "/api/me", nil, "", "Authorization", "Bearer "+inj.value)
			if judge(t, "Authorization: Bearer "+inj.name, r, false, true) && r.status != 401 {
				t.Errorf("Authorization: Bearer %s: %d, want 401", inj.name, r.status)
			}
			r = w.do(t, "GET", "/api/me", nil, "", "Authorization", "", "Cookie", "lq_session="+inj.value)
			if judge(t, "Cookie: lq_session="+inj.name, r, false, true) && r.status != 401 {
				t.Errorf("Cookie: lq_session=%s: %d, want 401", inj.name, r.status)
			}
			r = w.do(t, "POST", "/api/plans/2026/ledger", strings.NewReader(ledger), "application/json", "Idempotency-Key", inj.value)
			judge(t, "Idempotency-Key: "+inj.name, r, false, true)
		}
	})
	for key := range routes {
		if !seen[key] {
			t.Errorf("sweepRoutes describes %s, which the router does not have", key)
		}
	}
	t.Logf("%d routes, %d requests in %s", len(all), requests, time.Since(start).Round(time.Millisecond))

	after := w.snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("the sweep changed %s:\n before %s\n after  %s", k, v, after[k])
		}
	}
	if n := w.parcelCount(); n != 300 {
		t.Errorf("%d parcels after the sweep, want 300", n)
	}
}

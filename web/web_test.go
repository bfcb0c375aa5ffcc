package web_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/paulmach/orb"
)

// square is a lon/lat square of side metres at metre offset (x, y) from a
// point in Binjiang.
func square(x, y, side float64) orb.MultiPolygon {
	return orb.MultiPolygon{{geotest.Square(x, y, side)}}
}

// newServer serves a database with one district and a row of 25 parcels.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := newWorld(t)
	return srv
}

// newWorld is newServer that also hands out the store behind it.
func newWorld(t *testing.T) (*httptest.Server, *pgstore.Store) {
	t.Helper()
	ctx := context.Background()
	store := openStore(t)
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", Outline: square(-5000, -5000, 10000)}); err != nil {
		t.Fatal(err)
	}
	// Parcels P00..P24 in a row, 80 m squares 100 m apart: the first ten
	// industrial and approved, the rest research and supplied.
	for i := 0; i < 25; i++ {
		p := planning.Parcel{Code: fmt.Sprintf("P%02d", i), District: "330108", LandUse: "100101",
			Status: planning.StatusApproved, Outline: square(float64(i)*100, 0, 80), Elevation: planning.Surface()}
		if i >= 10 {
			p.LandUse, p.Status = "0802", planning.StatusSupplied
		}
		if _, err := store.InsertParcel(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// The development boundary covers the first 20; farmland cuts into P05.
	if _, err := store.InsertZone(ctx, planning.ProtectedZone{Kind: planning.ZoneDevBoundary, Name: "UDB", Outline: square(-10, -10, 2000)}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.InsertZone(ctx, planning.ProtectedZone{Kind: planning.ZoneFarmland, Name: "farm", Outline: square(540, 40, 30)}); err != nil {
		t.Fatal(err)
	}
	return serve(t, web.Config{Version: "test"}, store), store
}

func get(t *testing.T, url string, into any) *http.Response {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", url, err)
	}
	return res
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		ID         any            `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	NumberReturned int `json:"numberReturned"`
	Links          []struct {
		Rel, Href string
	} `json:"links"`
}

func TestLayerPagesThroughAllParcels(t *testing.T) {
	srv := newServer(t)
	seen := map[string]bool{}
	next := srv.URL + "/api/layers/parcels?limit=10"
	pages := 0
	for next != "" {
		var fc featureCollection
		res := get(t, next, &fc)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geo+json" || fc.Type != "FeatureCollection" {
			t.Fatalf("GET %s: %d %s %q", next, res.StatusCode, res.Header.Get("Content-Type"), fc.Type)
		}
		if fc.NumberReturned != len(fc.Features) {
			t.Fatalf("numberReturned %d, features %d", fc.NumberReturned, len(fc.Features))
		}
		for _, f := range fc.Features {
			code := f.Properties["code"].(string)
			if seen[code] {
				t.Fatalf("parcel %s returned twice", code)
			}
			seen[code] = true
			if f.Properties["status_zh"] == nil || f.Properties["land_use_zh"] == nil || f.Geometry["type"] != "MultiPolygon" {
				t.Fatalf("feature properties: %v %v", f.Properties, f.Geometry["type"])
			}
			if mu := f.Properties["area_mu"].(float64); mu < 9.59 || mu > 9.61 { // 6400 m² = 9.6 亩
				t.Fatalf("area_mu = %v, want 9.6", mu)
			}
		}
		next = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = srv.URL + l.Href
			}
		}
		pages++
	}
	if len(seen) != 25 || pages != 3 {
		t.Fatalf("saw %d parcels in %d pages, want 25 in 3", len(seen), pages)
	}
}

func TestLayerBBoxSelectsParcels(t *testing.T) {
	srv := newServer(t)
	// A box around the first three parcels only (x 0..280 m).
	a, b := geotest.At(-10, -10), geotest.At(250, 90)
	var fc featureCollection
	u := srv.URL + "/api/layers/parcels?bbox=" + strings.Join([]string{ftoa(a[0]), ftoa(a[1]), ftoa(b[0]), ftoa(b[1])}, ",")
	get(t, u, &fc)
	if len(fc.Features) != 3 {
		t.Fatalf("bbox returned %d parcels, want 3", len(fc.Features))
	}
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestBadRequestsGetJSONErrors(t *testing.T) {
	srv := newServer(t)
	checkRefusals(t, func(path string) (*http.Response, []byte) { return fetchRaw(t, srv.URL+path) }, []badRequest{
		{"/api/layers/roads", 404, "", "roads"},
		{"/api/layers/parcels?bbox=1,2,3", 400, "bbox", "bbox"},
		{"/api/layers/parcels?bbox=120.3,30,120.2,30.1", 400, "bbox", "bbox"},
		{"/api/layers/parcels?bbox=520000,3341000,521000,3342000", 400, "bbox", "bbox"},
		{"/api/layers/parcels?bbox=a,b,c,d", 400, "bbox", "bbox"},
		{"/api/layers/parcels?limit=0", 400, "limit", "limit"},
		{"/api/layers/parcels?limit=10001", 400, "limit", "limit"},
		{"/api/layers/parcels?after=" + url.QueryEscape("x';DROP TABLE parcels;--"), 400, "after", "after"},
		{"/api/nothing", 404, "", "/api/nothing"},
	})
	// The injection attempt changed nothing.
	var fc featureCollection
	get(t, srv.URL+"/api/layers/parcels", &fc)
	if len(fc.Features) != 25 {
		t.Fatalf("%d parcels after the bad requests, want 25", len(fc.Features))
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv := newServer(t)
	var body map[string]any
	if res := get(t, srv.URL+"/healthz", &body); res.StatusCode != 200 {
		t.Fatalf("healthz %d", res.StatusCode)
	}
	if res := get(t, srv.URL+"/readyz", &body); res.StatusCode != 200 || body["status"] != "ready" {
		t.Fatalf("readyz %d %v", res.StatusCode, body)
	}
	var meta struct {
		Bounds   []float64
		Statuses []planning.StatusInfo
	}
	get(t, srv.URL+"/api/meta", &meta)
	if len(meta.Bounds) != 4 || meta.Bounds[0] > 120.21 || meta.Bounds[2] < 120.21 || len(meta.Statuses) != len(planning.Statuses) {
		t.Fatalf("meta: %+v", meta)
	}

	// A database without the schema: process healthy, not ready.
	srv2 := serve(t, web.Config{}, openStoreAt(t, pgtest.EmptyURL(t), pgstore.Options{}))
	if res := get(t, srv2.URL+"/healthz", &body); res.StatusCode != 200 {
		t.Fatalf("healthz without schema %d", res.StatusCode)
	}
	var e apiError
	if res := get(t, srv2.URL+"/readyz", &e); res.StatusCode != 503 || !strings.Contains(e.Error.Message, "migrate") {
		t.Fatalf("readyz without schema: %d %+v", res.StatusCode, e)
	}
}

// codes lists the parcel codes of a layer request, failing on non-200.
func codes(t *testing.T, u string) []string {
	t.Helper()
	var fc featureCollection
	if res := get(t, u, &fc); res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	var out []string
	for _, f := range fc.Features {
		out = append(out, f.Properties["code"].(string))
	}
	return out
}

func TestParcelFilters(t *testing.T) {
	srv := newServer(t)
	base := srv.URL + "/api/layers/parcels?limit=100&"
	cases := []struct {
		query string
		want  int
	}{
		{"status=approved", 10},
		{"status=approved,supplied", 25},
		{"land_use=10", 10},
		{"land_use=1001", 10},
		{"land_use=100101,0802", 25},
		{"land_use=08&status=approved", 0},
		{"district=330108", 25},
		{"min_area=9.59&unit=mu", 25},
		{"min_area=9.61&unit=mu", 0},
		{"max_area=0.641&unit=ha", 25},
		{"max_area=6399&unit=m2", 0},
		{"eligible=true", 19},
		{"eligible=false", 6},
		{"updated_since=2000-01-01", 25},
		{"updated_since=2999-01-01T00:00:00Z", 0},
	}
	for _, c := range cases {
		if got := codes(t, base+c.query); len(got) != c.want {
			t.Errorf("%s: %d parcels, want %d", c.query, len(got), c.want)
		}
	}
	if got := codes(t, base+"eligible=false&status=approved"); len(got) != 1 || got[0] != "P05" {
		t.Errorf("ineligible approved parcels: %v, want [P05]", got)
	}
	var bad apiError
	for q, param := range map[string]string{
		"status=sold": "status", "land_use=999999": "land_use", "land_use=1x": "land_use", "park=NOPE": "park",
		"district=123456": "district", "unit=acre&min_area=1": "unit", "min_area=-1": "min_area", "eligible=maybe": "eligible",
		"updated_since=yesterday": "updated_since", "properties=code,secret": "properties", "bbox-crs=EPSG:3857&bbox=1,2,3,4": "bbox-crs",
	} {
		res := get(t, base+q, &bad)
		if res.StatusCode != 400 || !strings.Contains(bad.Error.Message, param) {
			t.Errorf("%s: %d %q; want 400 naming %s", q, res.StatusCode, bad.Error.Message, param)
		}
	}
	if res := get(t, srv.URL+"/api/layers/districts?status=approved", &bad); res.StatusCode != 400 {
		t.Errorf("filter on districts: %d", res.StatusCode)
	}
}

func TestPropertiesPrecisionAndProjectedBBox(t *testing.T) {
	srv := newServer(t)
	var fc featureCollection
	get(t, srv.URL+"/api/layers/parcels?limit=1&properties=code,area_mu&precision=3", &fc)
	f := fc.Features[0]
	if len(f.Properties) != 2 || f.Properties["code"] != "P00" || f.Properties["area_mu"] != 9.6 {
		t.Fatalf("properties: %v", f.Properties)
	}
	pt := f.Geometry["coordinates"].([]any)[0].([]any)[0].([]any)[0].([]any)
	if x := pt[0].(float64); x*1000 != float64(int64(x*1000)) {
		t.Fatalf("precision=3 gave %v", x)
	}
	// The same three-parcel box as TestLayerBBoxSelectsParcels, in metres.
	o := geo.To4549(geotest.Origin)
	u := fmt.Sprintf("%s/api/layers/parcels?bbox-crs=EPSG:4549&bbox=%f,%f,%f,%f", srv.URL, o[0]-10, o[1]-10, o[0]+250, o[1]+90)
	if got := codes(t, u); len(got) != 3 {
		t.Fatalf("bbox in EPSG:4549: %v", got)
	}
}

func TestETagGzipAndCaching(t *testing.T) {
	srv := newServer(t)
	u := srv.URL + "/api/layers/parcels?limit=5"
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	tag := res.Header.Get("ETag")
	if tag == "" || res.Header.Get("Cache-Control") == "" {
		t.Fatalf("no ETag/Cache-Control: %v", res.Header)
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("If-None-Match", tag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("matching If-None-Match: %d, want 304", res.StatusCode)
	}
	// Another query has another tag.
	res2, _ := http.Get(u + "&status=approved")
	res2.Body.Close()
	if res2.Header.Get("ETag") == tag {
		t.Fatal("different query, same ETag")
	}
	// gzip when asked (the transport would decompress silently if it asked itself).
	req, _ = http.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var fc featureCollection
	if err := json.NewDecoder(zr).Decode(&fc); err != nil || len(fc.Features) != 5 {
		t.Fatalf("gzipped body: %v, %d features", err, len(fc.Features))
	}
}

func TestETagChangesWhenDataChanges(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	srv := serve(t, web.Config{}, store)
	tagOf := func() string {
		res, err := http.Get(srv.URL + "/api/layers/districts")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("ETag")
	}
	before := tagOf()
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330109", NameZh: "萧山区", Outline: square(0, 0, 1000)}); err != nil {
		t.Fatal(err)
	}
	if tagOf() == before {
		t.Fatal("ETag unchanged after a district was added")
	}
}

func TestProjectedBBoxOutsideTheZoneIsRefused(t *testing.T) {
	srv := newServer(t)
	var body apiError
	res := get(t, srv.URL+"/api/layers/parcels?bbox-crs=EPSG:4549&bbox=-9e14,-9e14,9e14,9e14", &body)
	if res.StatusCode != 400 || !strings.Contains(body.Error.Message, "bbox") {
		t.Fatalf("far metres: %d %+v", res.StatusCode, body)
	}
}

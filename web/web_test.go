package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/paulmach/orb"
)

// square is a lon/lat square of side metres at metre offset (x, y) from a
// point in Binjiang.
func square(x, y, side float64) orb.MultiPolygon {
	o := geo.To4549(orb.Point{120.21, 30.19})
	var ring orb.Ring
	for _, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
		ring = append(ring, geo.From4549(orb.Point{o[0] + x + d[0], o[1] + y + d[1]}))
	}
	return orb.MultiPolygon{{ring}}
}

// newServer serves a database with one district and a row of 25 parcels.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	store, err := pgstore.Open(ctx, pgtest.URL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", Outline: square(-5000, -5000, 10000)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25; i++ {
		p := planning.Parcel{Code: "P" + string(rune('A'+i)), District: "330108", LandUse: "100101",
			Status: planning.StatusApproved, Outline: square(float64(i)*100, 0, 80), Elevation: planning.Surface()}
		if _, err := store.InsertParcel(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(web.New(web.Config{Version: "test"}, store, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return srv
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
			if f.Properties["status_zh"] != "已批未征" || f.Properties["land_use_zh"] != "一类工业用地" || f.Geometry["type"] != "MultiPolygon" {
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
	o := geo.To4549(orb.Point{120.21, 30.19})
	a := geo.From4549(orb.Point{o[0] - 10, o[1] - 10})
	b := geo.From4549(orb.Point{o[0] + 250, o[1] + 90})
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
	cases := []struct {
		path   string
		status int
		code   string
		names  string
	}{
		{"/api/layers/roads", 404, "not_found", "roads"},
		{"/api/layers/parcels?bbox=1,2,3", 400, "invalid", "bbox"},
		{"/api/layers/parcels?bbox=120.3,30,120.2,30.1", 400, "invalid", "bbox"},
		{"/api/layers/parcels?bbox=520000,3341000,521000,3342000", 400, "invalid", "bbox"},
		{"/api/layers/parcels?bbox=a,b,c,d", 400, "invalid", "bbox"},
		{"/api/layers/parcels?limit=0", 400, "invalid", "limit"},
		{"/api/layers/parcels?limit=10001", 400, "invalid", "limit"},
		{"/api/layers/parcels?after=" + url.QueryEscape("x';DROP TABLE parcels;--"), 400, "invalid", "after"},
		{"/api/nothing", 404, "not_found", "/api/nothing"},
	}
	for _, c := range cases {
		var body struct {
			Error struct {
				Code, Message string
			}
		}
		res := get(t, srv.URL+c.path, &body)
		if res.StatusCode != c.status || body.Error.Code != c.code || !strings.Contains(body.Error.Message, c.names) {
			t.Errorf("GET %s: %d %+v; want %d %s naming %q", c.path, res.StatusCode, body.Error, c.status, c.code, c.names)
		}
	}
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
	ctx := context.Background()
	empty, err := pgstore.Open(ctx, pgtest.EmptyURL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	srv2 := httptest.NewServer(web.New(web.Config{}, empty, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv2.Close()
	if res := get(t, srv2.URL+"/healthz", &body); res.StatusCode != 200 {
		t.Fatalf("healthz without schema %d", res.StatusCode)
	}
	var e struct{ Error struct{ Code, Message string } }
	if res := get(t, srv2.URL+"/readyz", &e); res.StatusCode != 503 || !strings.Contains(e.Error.Message, "migrate") {
		t.Fatalf("readyz without schema: %d %+v", res.StatusCode, e)
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/paulmach/orb"
)

// plannerServer serves a small world: Binjiang with the core zone HTZ
// (x < 0) and Xiaoshan with Binxiao (x >= 0), metres east of the origin
// of square; the development boundary up to x = 4000 and a farmland patch
// at 2500..2700. Parcels: A (100101 reserve, 200 m, in Binxiao), B
// (100101 approved 2024, 200 m), C (0802, sold 2024-05-01 with the start
// agreed for 2024-09-01 and never started: idle), F (100101 reserve on the
// farmland), H (0902 in production under the core zone); a 2026 plan
// with 100 hm² issued and 20 passed to Xiaoshan.
func plannerServer(t *testing.T) (*httptest.Server, *pgstore.Store) {
	t.Helper()
	ctx := context.Background()
	store := openStore(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang", Outline: square(-5000, -5000, 5000)}))
	must(store.InsertDistrict(ctx, planning.District{Adcode: "330109", NameZh: "萧山区", NameEn: "Xiaoshan", Outline: square(0, -5000, 5000)}))
	must(store.InsertPark(ctx, planning.Park{Code: "HTZ", NameZh: "杭州高新区", Kind: planning.ParkCoreZone, HostDistrict: "330108", Outline: square(-5000, -5000, 5000)}))
	must(store.InsertPark(ctx, planning.Park{Code: "BINXIAO", NameZh: "滨萧特别合作园", Kind: planning.ParkSpecialCooperationPark, HostDistrict: "330109", Outline: square(0, -2000, 4000)}))
	for _, z := range []planning.ProtectedZone{
		{Kind: planning.ZoneDevBoundary, Name: "UDB", Outline: square(-5000, -5000, 9000)},
		{Kind: planning.ZoneFarmland, Name: "farm", Outline: square(2500, 0, 200)},
	} {
		_, err := store.InsertZone(ctx, z)
		must(err)
	}
	sale := planning.SupplySale
	for _, p := range []planning.Parcel{
		{Code: "A", District: "330109", Park: "BINXIAO", LandUse: "100101", Status: planning.StatusReserve, Outline: square(0, 0, 200)},
		{Code: "B", District: "330109", Park: "BINXIAO", LandUse: "100101", Status: planning.StatusApproved, Outline: square(300, 0, 200), ApprovedOn: pgtest.Day("2024-01-01")},
		{Code: "C", District: "330109", Park: "BINXIAO", LandUse: "0802", Status: planning.StatusSupplied, Outline: square(600, 0, 100),
			ApprovedOn: pgtest.Day("2023-06-01"), SuppliedOn: pgtest.Day("2024-05-01"), AgreedStartOn: pgtest.Day("2024-09-01"), SupplyMethod: sale, ConstructionLand: true},
		{Code: "F", District: "330109", Park: "BINXIAO", LandUse: "100101", Status: planning.StatusReserve, Outline: square(2500, 0, 100)},
		{Code: "H", District: "330108", Park: "HTZ", LandUse: "0902", Status: planning.StatusInProduction, Outline: square(-1000, 0, 100),
			ApprovedOn: pgtest.Day("2025-01-01"), SuppliedOn: pgtest.Day("2026-02-01"), ActualStartOn: pgtest.Day("2026-03-01"), SupplyMethod: sale, ConstructionLand: true},
	} {
		p.Elevation = planning.Surface()
		_, err := store.InsertParcel(ctx, p)
		must(err)
	}
	_, err := store.EnsurePlan(ctx, 2026, quota.KindNewConstruction, "")
	must(err)
	for i, b := range []quota.Booking{
		{Entry: quota.EntryIssue, To: "330100", AmountM2: 1_000_000 * amount.PerM2},
		{Entry: quota.EntryAllocate, From: "330100", To: "330109", AmountM2: 200_000 * amount.PerM2},
	} {
		b.Year, b.Kind, b.Reason, b.By, b.IdempotencyKey = 2026, quota.KindNewConstruction, "test", "tester", string(rune('a'+i))
		_, err := store.Book(ctx, b)
		must(err)
	}
	return serve(t, web.Config{Version: "test"}, store), store
}

// metres gives lon/lat of a metre offset as JSON [lon, lat].
func metres(x, y float64) string {
	o := geo.To4549(orb.Point{120.21, 30.19})
	p := geo.From4549(orb.Point{o[0] + x, o[1] + y})
	b, _ := json.Marshal([]float64{p[0], p[1]})
	return string(b)
}

type httpReply struct {
	status int
	header http.Header
	body   []byte
}

func (r httpReply) json(t *testing.T, into any) {
	t.Helper()
	if err := json.Unmarshal(r.body, into); err != nil {
		t.Fatalf("not JSON (%d): %v\n%s", r.status, err, r.body)
	}
}

func post(t *testing.T, url, body string, headers ...string) httpReply {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	res, b := do(t, http.DefaultClient, req, append([]string{"Content-Type", "application/json"}, headers...)...)
	if res.Header.Get("Content-Encoding") == "gzip" {
		b = gunzip(t, b)
	}
	return httpReply{res.StatusCode, res.Header, b}
}

type searchAnswer struct {
	Type     string `json:"type"`
	Features []struct {
		ID         int64 `json:"id"`
		Geometry   map[string]any
		Properties map[string]any
	} `json:"features"`
	NumberReturned int `json:"numberReturned"`
	Totals         struct {
		Count    int64   `json:"count"`
		AreaHm2  float64 `json:"area_hm2"`
		AreaMu   float64 `json:"area_mu"`
		ByStatus []struct {
			Status string `json:"status"`
			Count  int64  `json:"count"`
		} `json:"by_status"`
	} `json:"totals"`
	Next  *string `json:"next"`
	Order string  `json:"order"`
}

func TestSearchOverHTTP(t *testing.T) {
	srv, _ := plannerServer(t)
	url := srv.URL + "/api/parcels/search"
	r := post(t, url, `{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available"],"area":{"min":10,"unit":"mu"},"eligible":true},
		"near":`+metres(0, -500)+`}`, "Accept-Encoding", "gzip")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" || r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("search: %d %v %s", r.status, r.header, r.body)
	}
	var a searchAnswer
	r.json(t, &a)
	// A and B are free 60 亩 industrial parcels; F lies on farmland.
	if a.Type != "FeatureCollection" || a.NumberReturned != 2 || a.Totals.Count != 2 || a.Order != "distance" || a.Next != nil {
		t.Fatalf("answer %+v", a)
	}
	if a.Features[0].Properties["code"] != "A" || a.Features[1].Properties["code"] != "B" {
		t.Fatalf("order: %v, %v", a.Features[0].Properties["code"], a.Features[1].Properties["code"])
	}
	why := a.Features[0].Properties["why"].(map[string]any)
	if d := why["distance_m"].(float64); math.Abs(d-500) > 0.5 || why["eligibility"].(map[string]any)["eligible"] != true {
		t.Errorf("why: %v", why)
	}
	if math.Abs(a.Totals.AreaHm2-8) > 0.011 || math.Abs(a.Totals.AreaMu-120) > 0.1 {
		t.Errorf("totals %+v", a.Totals)
	}

	// Grouped by status inside a drawn polygon, one per page.
	poly := `{"type":"Polygon","coordinates":[[` + metres(-50, -50) + `,` + metres(800, -50) + `,` + metres(800, 300) + `,` + metres(-50, 300) + `,` + metres(-50, -50) + `]]}`
	r = post(t, url, `{"where":{"polygon":`+poly+`},"group_by":"status","limit":1,"order":"id"}`)
	r.json(t, &a)
	if r.status != 200 || a.Totals.Count != 3 || len(a.Totals.ByStatus) != 3 || a.Next == nil || a.NumberReturned != 1 {
		t.Fatalf("polygon: %d %s", r.status, r.body)
	}
	codes := []string{a.Features[0].Properties["code"].(string)}
	for a.Next != nil {
		r = post(t, url, `{"where":{"polygon":`+poly+`},"group_by":"status","limit":1,"order":"id","cursor":"`+*a.Next+`"}`)
		a = searchAnswer{}
		r.json(t, &a)
		for _, f := range a.Features {
			codes = append(codes, f.Properties["code"].(string))
		}
	}
	if strings.Join(codes, ",") != "A,B,C" {
		t.Errorf("paged codes %v", codes)
	}
}

func TestSearchBadInputNamesTheField(t *testing.T) {
	srv, _ := plannerServer(t)
	url := srv.URL + "/api/parcels/search"
	bow := `{"type":"Polygon","coordinates":[[` + metres(0, 0) + `,` + metres(100, 100) + `,` + metres(100, 0) + `,` + metres(0, 100) + `,` + metres(0, 0) + `]]}`
	cases := []struct{ body, field, say string }{
		{`{"what":{"land_use":["9999"]}}`, "what.land_use", "9999"},
		{`{"what":{"land_use":["1001x"]}}`, "what.land_use", "1001x"},
		{`{"what":{"status":["free"]}}`, "what.status", "free"},
		{`{"what":{"area":{"min":5,"unit":"acre"}}}`, "what.area.unit", "acre"},
		{`{"where":{"park":"BINFOO"}}`, "where.park", "BINFOO"},
		{`{"where":{"district":"330199"}}`, "where.district", "330199"},
		{`{"where":{"polygon":{"type":"LineString","coordinates":[[120.2,30.1],[120.3,30.2]]}}}`, "where.polygon", "Polygon"},
		{`{"where":{"polygon":` + bow + `}}`, "where.polygon", "Self-intersection"},
		{`{"where":{"point":[120.2,30.1],"distance_m":-1}}`, "where.distance_m", "-1"},
		{`{"what":{"area":{"min":"ten","unit":"mu"}}}`, "what.area.min", "number"},
		{`{"what":{"eligble":true}}`, "what.eligble", "unknown field"},
		{`{"order":"cheapest"}`, "order", "cheapest"},
	}
	for _, c := range cases {
		r := post(t, url, c.body)
		var e apiError
		r.json(t, &e)
		if r.status != 400 || e.Error.Details["field"] != c.field || !strings.Contains(e.Error.Message, c.say) {
			t.Errorf("%s: %d %s", c.body, r.status, r.body)
		}
		if c.say == "Self-intersection" && e.Error.Details["location"] == nil {
			t.Errorf("self-intersection without its location: %s", r.body)
		}
	}
	if r := post(t, url, `{"where":`); r.status != 400 {
		t.Errorf("broken JSON: %d", r.status)
	}
}

func TestEligibilityOverHTTP(t *testing.T) {
	srv, _ := plannerServer(t)
	url := srv.URL + "/api/eligibility"
	shape := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[` + metres(2550, 50) + `,` + metres(2750, 50) + `,` +
		metres(2750, 150) + `,` + metres(2550, 150) + `,` + metres(2550, 50) + `]]}}`
	r := post(t, url, `{"geometry":`+shape+`}`)
	var e struct {
		Eligible        bool `json:"eligible"`
		FarmlandOverlap struct {
			M2 float64 `json:"area_m2"`
			Mu float64 `json:"area_mu"`
		} `json:"farmland_overlap"`
		NewQuota struct {
			Consumes bool   `json:"consumes"`
			Basis    string `json:"basis"`
		} `json:"new_quota"`
		Verdict  struct{ Zh, En string } `json:"verdict"`
		Overlaps struct {
			Type     string `json:"type"`
			Features []any  `json:"features"`
		} `json:"overlaps"`
	}
	r.json(t, &e)
	// 150 m × 100 m over the farmland patch (2500..2700), F (100 m) under half of it.
	if r.status != 200 || e.Eligible || math.Abs(e.FarmlandOverlap.M2-15000) > 5 || !e.NewQuota.Consumes ||
		e.NewQuota.Basis != "covered_parcels" || len(e.Overlaps.Features) != 1 || !strings.Contains(e.Verdict.Zh, "永久基本农田") {
		t.Fatalf("eligibility: %d %s", r.status, r.body)
	}
	r = post(t, url, `{"parcel_code":"C"}`)
	r.json(t, &e)
	if r.status != 200 || !e.Eligible || e.NewQuota.Consumes || !strings.Contains(e.Verdict.En, "already construction land") {
		t.Fatalf("C: %d %s", r.status, r.body)
	}
	if r := post(t, url, `{"parcel_code":"NOPE"}`); r.status != 404 {
		t.Errorf("unknown parcel: %d %s", r.status, r.body)
	}
	bow := `{"type":"Polygon","coordinates":[[` + metres(0, 0) + `,` + metres(100, 100) + `,` + metres(100, 0) + `,` + metres(0, 100) + `,` + metres(0, 0) + `]]}`
	if r := post(t, url, `{"geometry":`+bow+`}`); r.status != 400 || !bytes.Contains(r.body, []byte(`"field":"geometry"`)) ||
		!bytes.Contains(r.body, []byte("Self-intersection")) || !bytes.Contains(r.body, []byte(`"location":{"type":"Point"`)) {
		t.Errorf("bow-tie: %d %s", r.status, r.body)
	}
	if r := post(t, url, `{}`); r.status != 400 || !bytes.Contains(r.body, []byte(`"field":"geometry"`)) {
		t.Errorf("nothing to check: %d %s", r.status, r.body)
	}
}

func TestStockOverHTTP(t *testing.T) {
	srv, _ := plannerServer(t)
	var fc struct {
		Type     string `json:"type"`
		AsOf     string `json:"as_of"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
		Links []struct{ Rel, Href string } `json:"links"`
	}
	res := get(t, srv.URL+"/api/stock?asof=2026-06-30&kind=idle", &fc)
	if res.StatusCode != 200 || fc.AsOf != "2026-06-30" || len(fc.Features) != 1 || res.Header.Get("ETag") == "" {
		t.Fatalf("stock idle: %d %+v", res.StatusCode, fc)
	}
	p := fc.Features[0].Properties
	// C: agreed start 2024-09-01, not started: idle since, one full year by 2026-06-30.
	if p["code"] != "C" || p["idle"] != true || p["idle_kind"] != "not_started" || p["idle_years"] != 1.0 || p["recovery_due"] != false ||
		p["fee_due"] != true || p["idle_from"] != "2024-09-01" {
		t.Fatalf("C: %v", p)
	}
	get(t, srv.URL+"/api/stock?asof=2026-09-01&kind=recovery_due", &fc)
	if len(fc.Features) != 1 || fc.Features[0].Properties["idle_years"] != 2.0 {
		t.Fatalf("recovery after two years: %+v", fc)
	}
	// 批而未供: B (approved 2024-01-01), with its years.
	get(t, srv.URL+"/api/stock?asof=2026-06-30&kind=unsupplied&limit=1", &fc)
	if len(fc.Features) != 1 || fc.Features[0].Properties["code"] != "B" || fc.Features[0].Properties["unsupplied_years"] != 2.0 {
		t.Fatalf("unsupplied: %+v", fc)
	}
	var e map[string]any
	for _, q := range []string{"asof=2026-13-01", "kind=lazy", "limit=0", "park=NOPE"} {
		if res := get(t, srv.URL+"/api/stock?"+q, &e); res.StatusCode != 400 {
			t.Errorf("%s: %d %v", q, res.StatusCode, e)
		}
	}
	var sum struct {
		AsOf  string `json:"as_of"`
		Units []struct {
			Section    string                `json:"section"`
			Code       string                `json:"code"`
			Level      string                `json:"level"`
			Idle       struct{ Count int64 } `json:"idle"`
			Unsupplied struct {
				Count int64   `json:"count"`
				Mu    float64 `json:"area_mu"`
			} `json:"unsupplied"`
			SupplyRate struct {
				Rate       *float64 `json:"rate"`
				BelowFloor bool     `json:"below_floor"`
			} `json:"supply_rate"`
			DoubleCounted bool `json:"double_counted"`
		} `json:"units"`
	}
	if res := get(t, srv.URL+"/api/stock/summary?asof=2026-06-30", &sum); res.StatusCode != 200 || sum.AsOf != "2026-06-30" {
		t.Fatalf("summary: %d", res.StatusCode)
	}
	found := 0
	for _, u := range sum.Units {
		if u.Section == "district" && u.Code == "330109" {
			found++
			// B unsupplied (60 亩); C idle; approved since mid-2021: B and C, of which C (a fifth of the area) supplied.
			if u.Unsupplied.Count != 1 || math.Abs(u.Unsupplied.Mu-60) > 0.05 || u.Idle.Count != 1 || u.SupplyRate.Rate == nil || !u.SupplyRate.BelowFloor {
				t.Errorf("Xiaoshan: %+v", u)
			}
		}
		if u.Section == "high_tech_zone" && u.Code == "BINXIAO" && u.DoubleCounted {
			found++
		}
	}
	if found != 2 {
		t.Errorf("summary units: %+v", sum.Units)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// TestWholeYearOnImportedData runs a planning year as a bureau would on its
// own data, with no demo seed: import the real district outlines, the
// parks and a parcel file; add users; open 2027 with its document and
// issue; run and approve a scenario; approve land (consumption booked by
// the system, one approval refused for lack of quota); close 2027 into
// 2028. Then every balance equals its ledger sum, the dashboard equals the
// report for every account, and nothing is lost across the year boundary.
func TestWholeYearOnImportedData(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "data", "hangzhou")
	if _, err := os.Stat(filepath.Join(shared, "districts.geojson")); err != nil {
		t.Skip("../shared/data/hangzhou not present")
	}
	db := pgtest.URL(t)
	ctx := context.Background()
	must(t, db, "import", "districts", filepath.Join(shared, "districts.geojson"))
	must(t, db, "import", "parks", filepath.Join(shared, "parks_demo.geojson"))
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)

	// Parcels: 100 m squares well inside Binfu and Binxiao (around the
	// centre of each park's largest inscribed circle), farmland today.
	dir := t.TempDir()
	var feats []string
	for _, park := range []string{"BINFU", "BINXIAO"} {
		var x, y float64
		if err := c.QueryRow(ctx, `SELECT ST_X(center), ST_Y(center) FROM (SELECT (ST_MaximumInscribedCircle(ST_Transform(geom, 4549))).center
			FROM parks WHERE code = $1) k`, park).Scan(&x, &y); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			x0, y0 := x+float64(i%2)*150-150, y+float64(i/2)*150-150
			var ring []string
			for _, d := range [][2]float64{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}} {
				p := geo.From4549(orb.Point{x0 + d[0], y0 + d[1]})
				ring = append(ring, fmt.Sprintf("[%.9f,%.9f]", p[0], p[1]))
			}
			feats = append(feats, fmt.Sprintf(`{"type":"Feature","properties":{"code":"%s-%d","land_use":"1001","status":"filed"},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`,
				park, i+1, strings.Join(ring, ",")))
		}
	}
	// The urban development boundary around both parks' land.
	var zones []string
	for _, park := range []string{"BINFU", "BINXIAO"} {
		var x, y float64
		c.QueryRow(ctx, `SELECT ST_X(center), ST_Y(center) FROM (SELECT (ST_MaximumInscribedCircle(ST_Transform(geom, 4549))).center
			FROM parks WHERE code = $1) k`, park).Scan(&x, &y)
		var ring []string
		for _, d := range [][2]float64{{-400, -400}, {400, -400}, {400, 400}, {-400, 400}, {-400, -400}} {
			p := geo.From4549(orb.Point{x + d[0], y + d[1]})
			ring = append(ring, fmt.Sprintf("[%.9f,%.9f]", p[0], p[1]))
		}
		zones = append(zones, fmt.Sprintf(`{"type":"Feature","properties":{"kind":"urban_development_boundary","name":"%s 城镇开发边界"},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`,
			park, strings.Join(ring, ",")))
	}
	zoneFile := filepath.Join(dir, "zones.geojson")
	if err := os.WriteFile(zoneFile, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(zones, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, db, "import", "protected-zones", zoneFile)
	parcels := filepath.Join(dir, "parcels.geojson")
	if err := os.WriteFile(parcels, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, db, "import", "parcels", parcels)

	token := "Bearer " + adminToken(t, db, "chief", "chief's long passphrase")
	base, _ := serveBase(t, db)
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		res, m := request(t, method, base+path, string(b), "Authorization", token)
		return res.StatusCode, m
	}
	mustCall := func(want int, method, path string, body any) map[string]any {
		t.Helper()
		code, m := call(method, path, body)
		if code != want {
			t.Fatalf("%s %s: %d, want %d: %v", method, path, code, want, m)
		}
		return m
	}

	// Open 2027 with its document and 200 hm² issued.
	mustCall(201, "POST", "/api/plans", map[string]any{"year": 2027, "name": "2027年度新增建设用地计划",
		"document":   map[string]any{"number": "浙自然资〔2027〕1号", "date": "2027-02-01", "issuer": "浙江省自然资源厅"},
		"amount_hm2": 200, "idempotency_key": "open-2027"})
	pol, _ := json.Marshal(allocation.DefaultPolicy(2027))
	var policy map[string]any
	json.Unmarshal(pol, &policy)
	policy["carry_over"] = map[string]any{"share": 0.5, "document": "浙自然资函〔2027〕88号"}
	mustCall(201, "PUT", "/api/policies/2027", map[string]any{"policy": policy, "note": "2027"})

	// Projects from the imported land: one per park with three parcels, and
	// a fourth parcel each left for a project made after the allocation.
	ids := map[string]float64{}
	for _, f := range mustCall(200, "GET", "/api/layers/parcels?properties=code", nil)["features"].([]any) {
		m := f.(map[string]any)
		ids[m["properties"].(map[string]any)["code"].(string)] = m["id"].(float64)
	}
	projects := map[string]any{}
	for park, district := range map[string]string{"BINFU": "330111", "BINXIAO": "330109"} {
		p := mustCall(201, "POST", "/api/projects", map[string]any{"code": park + "-A", "name": park + " 智造园", "category": "important_manufacturing",
			"district": district, "park": park, "parcel_ids": []float64{ids[park+"-1"], ids[park+"-2"], ids[park+"-3"]}, "readiness": 1, "tax_per_mu_wan": 60})
		projects[park] = p["id"]
	}
	sc := mustCall(201, "POST", "/api/plans/2027/scenarios", map[string]any{"method": "optimal", "name": "年度方案"})
	res := sc["result"].(map[string]any)
	if res["granted"].(float64) <= 0 {
		t.Fatalf("the scenario granted nothing: %v", res)
	}
	mustCall(200, "POST", fmt.Sprintf("/api/scenarios/%v/approve", sc["id"]), nil)

	// Approve the land: granted projects' parcels consume their quota.
	consumed := 0
	for _, park := range []string{"BINFU", "BINXIAO"} {
		for i := 1; i <= 3; i++ {
			code, body := call("POST", fmt.Sprintf("/api/parcels/%v/status", ids[fmt.Sprintf("%s-%d", park, i)]),
				map[string]any{"status": "approved", "approved_on": "2027-06-30", "reason": "省政府农转用批复"})
			switch code {
			case 200:
				for _, e := range body["entries"].([]any) {
					if e.(map[string]any)["kind"] == "consume" {
						consumed++
					}
				}
			case 409: // a project the scenario could not serve
			default:
				t.Fatalf("approve %s-%d: %d %v", park, i, code, body)
			}
		}
	}
	if consumed == 0 {
		t.Fatal("no approval consumed quota")
	}
	late := mustCall(201, "POST", "/api/projects", map[string]any{"code": "BINFU-LATE", "name": "滨富后续项目", "category": "general",
		"district": "330111", "park": "BINFU", "parcel_ids": []float64{ids["BINFU-4"]}})
	_ = late
	if code, body := call("POST", fmt.Sprintf("/api/parcels/%v/status", ids["BINFU-4"]), map[string]any{"status": "approved", "approved_on": "2027-07-01"}); code != 409 {
		t.Fatalf("approval without quota: %d %v", code, body)
	}

	// Year end.
	var held27 float64
	c.QueryRow(ctx, "SELECT sum(held)::float8 FROM quota_accounts a JOIN plans p ON p.id = a.plan_id WHERE p.year = 2027").Scan(&held27)
	closing := mustCall(200, "POST", "/api/plans/2027/close", map[string]any{"idempotency_key": "close-2027"})
	totals := closing["totals"].(map[string]any)
	if math.Abs(totals["carry_m2"].(float64)+totals["lapse_m2"].(float64)-held27) > 0.005 {
		t.Fatalf("carried + lapsed ≠ held at year end: %v vs %.2f", totals, held27)
	}

	// Every balance equals its ledger sum, in both years.
	var bad int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM quota_accounts a WHERE a.held <>
		coalesce((SELECT sum(CASE WHEN e.to_account = a.id THEN e.amount_m2 ELSE -e.amount_m2 END) FROM ledger_entries e
		          WHERE a.id IN (e.from_account, e.to_account)), 0)`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d accounts whose balance is not their ledger sum (%v)", bad, err)
	}
	// Nothing lost across the year boundary.
	var out27, in28 float64
	c.QueryRow(ctx, `SELECT coalesce(sum(amount_m2) FILTER (WHERE kind = 'carry_over'), 0)::float8 FROM ledger_entries`).Scan(&out27)
	c.QueryRow(ctx, `SELECT coalesce(sum(amount_m2) FILTER (WHERE kind = 'carry_in'), 0)::float8 FROM ledger_entries`).Scan(&in28)
	if out27 != in28 || out27 != totals["carry_m2"].(float64) {
		t.Fatalf("carried out %.2f, received %.2f, preview said %v", out27, in28, totals["carry_m2"])
	}
	// The dashboard and the report agree on every account they both show.
	for _, year := range []int{2027, 2028} {
		dash := map[string]float64{}
		for _, a := range mustCall(200, "GET", fmt.Sprintf("/api/plans/%d", year), nil)["accounts"].([]any) {
			m := a.(map[string]any)
			sub := m["subtree"].(map[string]any)
			dash[m["code"].(string)] = sub["remaining_hm2"].(float64)
		}
		rep := mustCall(200, "GET", fmt.Sprintf("/api/reports/%d?table=quota", year), nil)
		compared := 0
		for _, row := range rep["tables"].([]any)[0].(map[string]any)["rows"].([]any) {
			r := row.(map[string]any)
			if r["level"] != "单位" || r["section"] != "按行政区" {
				continue
			}
			code := r["code"].(string)
			if want, ok := dash[code]; ok {
				compared++
				if math.Abs(r["remaining_hm2"].(float64)-want) > 0.005 {
					t.Errorf("%d %s: dashboard %.2f hm², report %.2f hm²", year, code, want, r["remaining_hm2"])
				}
			}
		}
		if compared < 3 {
			t.Errorf("%d: only %d accounts compared", year, compared)
		}
	}
	if code, _ := call("POST", "/api/plans/2027/ledger", map[string]any{"entry": "issue", "to": "330100", "amount_hm2": 1, "reason": "late",
		"document": map[string]any{"number": "x"}, "idempotency_key": "late"}); code != 409 {
		t.Fatalf("booking into the closed year: %d", code)
	}
}

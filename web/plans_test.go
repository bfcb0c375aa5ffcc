package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

// TestPlanningYearOverHTTP opens a year, issues, grants, approves land with
// automatic consumption, reverses by role, downloads, and closes the year.
func TestPlanningYearOverHTTP(t *testing.T) {
	e, tok := quotaEnv(t)
	as := func(who string) []string { return []string{"Authorization", tok[who]} }
	open := map[string]any{"year": 2027, "kind": "new_construction", "name": "2027年度计划",
		"document":   map[string]any{"number": "浙自然资〔2027〕1号", "date": "2027-02-01", "issuer": "浙江省自然资源厅"},
		"amount_hm2": 50, "idempotency_key": "open-2027"}
	if r := e.call("POST", "/api/plans", open, nil, as("alloc1")...); r.StatusCode != 403 {
		t.Fatalf("an allocator opened a plan: %d", r.StatusCode)
	}
	r := e.call("POST", "/api/plans", open, nil, as("admin1")...)
	if r.StatusCode != 201 || str(r.body, "plan", "state") != "open" || r.body["entry"] == nil {
		t.Fatalf("open: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/plans", map[string]any{"year": 2027}, nil, as("admin1")...); r.StatusCode != 200 {
		t.Fatalf("re-open (account sync): %d %s", r.StatusCode, r.raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"year": 1850}, "year"},
		{map[string]any{"year": 2028, "kind": "gold"}, "kind"},
		{map[string]any{"year": 2028, "amount_hm2": 5, "idempotency_key": "x"}, "document"},
		{map[string]any{"year": 2028, "document": map[string]any{"number": ""}}, "document.number"},
		{map[string]any{"year": 2028, "document": map[string]any{"number": "x", "date": "soon"}}, "document.date"},
		{map[string]any{"year": 2028, "document": map[string]any{"number": "x"}, "amount_hm2": 1e9, "idempotency_key": "x"}, "amount"},
		{map[string]any{"year": 2028, "document": map[string]any{"number": "x"}, "amount_m2": 0.004, "idempotency_key": "x"}, "amount"},
	} {
		if r := e.call("POST", "/api/plans", bad.body, nil, as("admin1")...); r.StatusCode != 400 || r.errorField() != bad.field {
			t.Errorf("%v: %d field %q, want 400 naming %s (%s)", bad.body, r.StatusCode, r.errorField(), bad.field, r.raw)
		}
	}
	r = e.call("GET", "/api/plans", nil, nil)
	plans := r.body["plans"].([]any)
	if len(plans) != 2 { // 2026 from the environment, 2027 opened here
		t.Fatalf("plans: %s", r.raw)
	}
	p27 := plans[0].(map[string]any)
	if p27["year"] != 2027.0 || p27["issued_m2"] != 500000.0 || p27["held_m2"] != 500000.0 || str(p27, "document", "number") != "浙自然资〔2027〕1号" {
		t.Fatalf("the 2027 plan in the list: %v", p27)
	}

	// A further issue carries its document; an allocator may not reverse it.
	r = e.call("POST", "/api/plans/2027/ledger", map[string]any{"entry": "issue", "to": "330100", "amount_hm2": 10, "reason": "追加下达",
		"document": map[string]any{"number": "浙自然资〔2027〕7号"}, "idempotency_key": "extra"}, nil, as("admin1")...)
	if r.StatusCode != 201 || str(r.body, "document", "number") != "浙自然资〔2027〕7号" {
		t.Fatalf("further issue: %d %s", r.StatusCode, r.raw)
	}
	extra := r.body["id"]
	rev := map[string]any{"reason": "错误下达", "idempotency_key": "rev-extra"}
	if r := e.call("POST", fmt.Sprintf("/api/plans/2027/ledger/%v/reverse", extra), rev, nil, as("alloc1")...); r.StatusCode != 403 {
		t.Fatalf("an allocator reversed a province-level issue: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", fmt.Sprintf("/api/plans/2027/ledger/%v/reverse", extra), rev, nil, as("admin1")...); r.StatusCode != 201 {
		t.Fatalf("an admin's reversal: %d %s", r.StatusCode, r.raw)
	}

	// Land: a project on the farmland parcel, quota down to it, approval consumes.
	e.call("POST", "/api/plans/2027/ledger", map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_hm2": 5, "reason": "富阳", "idempotency_key": "d"}, nil, as("alloc1")...)
	e.call("POST", "/api/plans/2027/ledger", map[string]any{"entry": "allocate", "from": "330111", "to": "330111/BINFU", "amount_hm2": 2, "reason": "滨富", "idempotency_key": "p"}, nil, as("alloc1")...)
	r = e.call("POST", "/api/projects", map[string]any{"code": "BF-9", "name": "光电", "category": "major_industrial",
		"district": "330111", "park": "BINFU", "parcel_ids": []int{1}}, nil, as("alloc1")...)
	if r.StatusCode != 201 {
		t.Fatalf("project: %s", r.raw)
	}
	pid := r.body["id"]
	approve := map[string]any{"status": "approved", "approved_on": "2027-04-01", "reason": "省政府批复"}
	r = e.call("POST", "/api/parcels/1/status", approve, nil, as("alloc1")...)
	if r.StatusCode != 409 || r.body["error"].(map[string]any)["details"].(map[string]any)["shortfall_hm2"] == nil {
		t.Fatalf("approval without quota: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/parcels/1/status", approve, nil, as("viewer1")...); r.StatusCode != 403 {
		t.Fatalf("a viewer approved land: %d", r.StatusCode)
	}
	if r := e.call("POST", "/api/grants", map[string]any{"year": 2027, "project_id": pid, "action": "grant", "reason": "按需", "idempotency_key": "g"}, nil, as("alloc1")...); r.StatusCode != 201 {
		t.Fatalf("grant: %d %s", r.StatusCode, r.raw)
	}
	r = e.call("POST", "/api/parcels/1/status", approve, nil, as("alloc1")...)
	entries, _ := r.body["entries"].([]any)
	if r.StatusCode != 200 || len(entries) != 1 || str(entries[0].(map[string]any), "kind") != "consume" {
		t.Fatalf("approval: %d %s", r.StatusCode, r.raw)
	}
	consume := entries[0].(map[string]any)["id"]
	if r := e.call("POST", fmt.Sprintf("/api/plans/2027/ledger/%v/reverse", consume), map[string]any{"reason": "x", "idempotency_key": "rc"}, nil, as("admin1")...); r.StatusCode != 400 {
		t.Fatalf("hand reversal of a consumption: %d %s", r.StatusCode, r.raw)
	}
	for _, bad := range []struct {
		path string
		body map[string]any
		code int
	}{
		{"/api/parcels/1/status", map[string]any{"status": "flying"}, 400},
		{"/api/parcels/1/status", map[string]any{"status": "approved", "approved_on": "yesterday"}, 400},
		{"/api/parcels/999/status", map[string]any{"status": "approved"}, 404},
		{"/api/parcels/x/status", map[string]any{"status": "approved"}, 404},
	} {
		if r := e.call("POST", bad.path, bad.body, nil, as("alloc1")...); r.StatusCode != bad.code {
			t.Errorf("%s %v: %d, want %d (%s)", bad.path, bad.body, r.StatusCode, bad.code, r.raw)
		}
	}

	// One meaning for every figure: the dashboard's remaining equals the report's.
	dash := map[string]float64{}
	for _, a := range e.call("GET", "/api/plans/2027", nil, nil).body["accounts"].([]any) {
		m := a.(map[string]any)
		dash[m["code"].(string)] = m["subtree"].(map[string]any)["remaining_hm2"].(float64)
	}
	rep := e.call("GET", "/api/reports/2027?table=quota", nil, nil)
	checked := 0
	for _, row := range rep.body["tables"].([]any)[0].(map[string]any)["rows"].([]any) {
		m := row.(map[string]any)
		code, _ := m["code"].(string)
		if m["level"] != "单位" || m["section"] != "按行政区" {
			continue
		}
		if want, ok := dash[code]; ok {
			checked++
			if got := m["remaining_hm2"].(float64); math.Abs(got-want) > 0.005 {
				t.Errorf("%s: dashboard remaining %.2f, report %.2f", code, want, got)
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no account compared: %s", rep.raw)
	}

	// Downloads: the account tree and the ledger as xlsx with a title row.
	for _, path := range []string{"/api/plans/2027/accounts?format=xlsx", "/api/plans/2027/ledger?format=xlsx"} {
		r := e.call("GET", path, nil, nil)
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%s: %d %s", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if !xlsxHas(t, []byte(r.raw), "2027 年度新增建设用地计划指标") {
			t.Errorf("%s: no title row", path)
		}
	}

	// Year end: a preview that books nothing, then the close (admins only).
	pre := e.call("GET", "/api/plans/2027/close", nil, nil)
	if pre.StatusCode != 200 || pre.body["next_year"] != 2028.0 || pre.body["closed"] != false {
		t.Fatalf("preview: %d %s", pre.StatusCode, pre.raw)
	}
	if r := e.call("POST", "/api/plans/2027/close", map[string]any{"idempotency_key": "close"}, nil, as("alloc1")...); r.StatusCode != 403 {
		t.Fatalf("an allocator closed the year: %d", r.StatusCode)
	}
	if r := e.call("POST", "/api/plans/2027/close", map[string]any{"idempotency_key": "close"}, nil, as("admin1")...); r.StatusCode != 200 || r.body["closed"] != true {
		t.Fatalf("close: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/plans/2027/close", map[string]any{"idempotency_key": "close"}, nil, as("admin1")...); r.StatusCode != 409 {
		t.Fatalf("closing twice: %d", r.StatusCode)
	}
	r = e.call("POST", "/api/plans/2027/ledger", map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_m2": 1, "reason": "late", "idempotency_key": "late"}, nil, as("alloc1")...)
	if r.StatusCode != 409 || !strings.Contains(r.errorMessage(), "closed") {
		t.Fatalf("booking into a closed year: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/plans", nil, nil); !strings.Contains(r.raw, `"state":"closed"`) || !strings.Contains(r.raw, `"year":2028`) {
		t.Fatalf("after close the list shows 2027 closed and 2028: %s", r.raw)
	}
}

// xlsxHas reports whether a shared string of the workbook contains s.
func xlsxHas(t *testing.T, body []byte, s string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/sharedStrings.xml" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		return strings.Contains(string(b), s)
	}
	return false
}

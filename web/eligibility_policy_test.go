package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestEligibilityPolicyAPI: anyone reads the protected-line tolerance, only
// an admin changes it; bad bodies are refused naming the field and change
// nothing; a change moves the parcels layer's ETag (its eligible filter
// reads the policy); concurrent changes never mix.
func TestEligibilityPolicyAPI(t *testing.T) {
	e, tok := importEnv(t)
	const path = "/api/eligibility/policy"
	policy := func() (area, width float64, by string) {
		t.Helper()
		r := e.call("GET", path, nil, nil)
		if r.StatusCode != 200 {
			t.Fatalf("GET: %d %s", r.StatusCode, r.raw)
		}
		area, _ = r.body["area_tolerance_m2"].(float64)
		width, _ = r.body["sliver_width_m"].(float64)
		return area, width, str(r.body, "updated_by")
	}
	if a, w, by := policy(); a != 1 || w != 0.5 || by != "" {
		t.Fatalf("the policy as migrated: %v m², %v m, by %q", a, w, by)
	}
	good := map[string]any{"area_tolerance_m2": 2.5, "sliver_width_m": 0.3, "note": "survey of 2026"}

	// Who may: nobody but an admin.
	if r := e.call("PUT", path, good, nil); r.StatusCode != 401 || r.errorCode() != "unauthenticated" {
		t.Errorf("anonymous: %d %s", r.StatusCode, r.raw)
	}
	for _, who := range []string{"viewer1", "alloc1"} {
		if r := e.call("PUT", path, good, nil, "Authorization", tok[who]); r.StatusCode != 403 {
			t.Errorf("%s: %d %s", who, r.StatusCode, r.raw)
		}
	}

	// Hostile bodies: 400 naming the field (or 413), nothing written.
	for name, c := range map[string]struct {
		body  string
		field string
	}{
		"negative area":    {`{"area_tolerance_m2":-1,"sliver_width_m":0.5}`, "area_tolerance_m2"},
		"negative width":   {`{"area_tolerance_m2":1,"sliver_width_m":-0.5}`, "sliver_width_m"},
		"1e308 area":       {`{"area_tolerance_m2":1e308,"sliver_width_m":0.5}`, "area_tolerance_m2"},
		"1e308 width":      {`{"area_tolerance_m2":3,"sliver_width_m":1e308}`, "sliver_width_m"},
		"1e999 area":       {`{"area_tolerance_m2":1e999,"sliver_width_m":0.5}`, "area_tolerance_m2"},
		"NaN as text":      {`{"area_tolerance_m2":"NaN","sliver_width_m":0.5}`, "area_tolerance_m2"},
		"string width":     {`{"area_tolerance_m2":1,"sliver_width_m":"0.5"}`, "sliver_width_m"},
		"missing width":    {`{"area_tolerance_m2":7}`, "sliver_width_m"},
		"null area":        {`{"area_tolerance_m2":null,"sliver_width_m":0.5}`, "area_tolerance_m2"},
		"width over 10":    {`{"area_tolerance_m2":1,"sliver_width_m":10.5}`, "sliver_width_m"},
		"area over 10000":  {`{"area_tolerance_m2":10000.01,"sliver_width_m":1}`, "area_tolerance_m2"},
		"note not text":    {`{"area_tolerance_m2":1,"sliver_width_m":1,"note":5}`, "note"},
		"raw NaN":          {`{"area_tolerance_m2":NaN,"sliver_width_m":0.5}`, ""},
		"unknown member":   {`{"area_tolerance_m2":1,"sliver_width_m":1,"tolerance_m2":3}`, ""},
		"two objects":      {`{"area_tolerance_m2":1,"sliver_width_m":1}{}`, ""},
		"an array":         {`[1, 0.5]`, ""},
		"empty":            {``, ""},
		"huge note (413)":  {`{"area_tolerance_m2":1,"sliver_width_m":1,"note":"` + strings.Repeat("地", 20000) + `"}`, "413"},
		"huge blank (413)": {strings.Repeat(" ", 1<<20) + `{"area_tolerance_m2":1,"sliver_width_m":1}`, "413"},
	} {
		r := e.call("PUT", path, c.body, nil, "Authorization", tok["admin1"])
		switch {
		case c.field == "413":
			if r.StatusCode != 413 || r.errorCode() != "too_large" {
				t.Errorf("%s: %d %s", name, r.StatusCode, r.raw)
			}
		case r.StatusCode != 400 || r.errorCode() != "invalid":
			t.Errorf("%s: %d %.300s", name, r.StatusCode, r.raw)
		case c.field != "" && (r.errorField() != c.field || !strings.Contains(r.errorMessage(), c.field)):
			t.Errorf("%s: the error names %q: %s", name, r.errorField(), r.raw)
		}
	}
	if a, w, by := policy(); a != 1 || w != 0.5 || by != "" {
		t.Fatalf("after the refused bodies: %v m², %v m, by %q", a, w, by)
	}
	// In the reader's language.
	r := e.call("PUT", path+"?lang=zh", `{"area_tolerance_m2":1,"sliver_width_m":-1}`, nil, "Authorization", tok["admin1"])
	if r.StatusCode != 400 || !strings.Contains(r.errorMessage(), "不在 0 至 10 米之间") {
		t.Errorf("Chinese: %d %s", r.StatusCode, r.raw)
	}

	// A change: answered with the policy as stored, and the layer's ETag moves.
	etag := func() string {
		t.Helper()
		r := e.call("GET", "/api/layers/parcels?eligible=true", nil, nil)
		if r.StatusCode != 200 || r.Header.Get("ETag") == "" {
			t.Fatalf("layer: %d %s", r.StatusCode, r.raw)
		}
		return r.Header.Get("ETag")
	}
	before := etag()
	r = e.call("PUT", path, good, nil, "Authorization", tok["admin1"])
	if r.StatusCode != 200 || r.body["area_tolerance_m2"] != 2.5 || r.body["sliver_width_m"] != 0.3 ||
		str(r.body, "updated_by") != "admin1" || str(r.body, "note") != "survey of 2026" || str(r.body, "updated_at") == "" {
		t.Fatalf("PUT: %d %s", r.StatusCode, r.raw)
	}
	if a, w, by := policy(); a != 2.5 || w != 0.3 || by != "admin1" {
		t.Errorf("after the PUT: %v m², %v m, by %q", a, w, by)
	}
	if after := etag(); after == before {
		t.Errorf("the parcels layer kept its ETag %s across a change of the tolerance", after)
	}
	// 0 switches the width off; 0 m² is allowed too.
	if r := e.call("PUT", path, map[string]any{"area_tolerance_m2": 0, "sliver_width_m": 0}, nil, "Authorization", tok["admin1"]); r.StatusCode != 200 {
		t.Errorf("zeros: %d %s", r.StatusCode, r.raw)
	}

	// Concurrent changes: each is whole, the last one wins whole.
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"area_tolerance_m2":%d,"sliver_width_m":%g}`, 100+i, float64(i)/10)
			req, _ := http.NewRequest("PUT", e.url+path, strings.NewReader(body))
			req.Header.Set("Authorization", tok["admin1"])
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				statuses[i] = res.StatusCode
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("concurrent PUT %d: %d", i, s)
		}
	}
	a, w, _ := policy()
	if i := int(a) - 100; i < 0 || i >= len(statuses) || w != float64(i)/10 {
		t.Errorf("after concurrent PUTs the policy is %v m², %v m: figures of two changes mixed", a, w)
	}
	if r := e.call("PUT", path, good, nil, "Authorization", tok["admin1"]); r.StatusCode != 200 {
		t.Fatalf("last PUT: %d", r.StatusCode)
	}
	if a, w, _ := policy(); a != 2.5 || w != 0.3 {
		t.Errorf("the last PUT did not win: %v m², %v m", a, w)
	}
}

package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// quotaEnv: Fuyang with Binfu, two parcels (one already construction land),
// a 2026 plan, and an admin, an allocator and a viewer.
func quotaEnv(t *testing.T) (*authEnv, map[string]string) {
	t.Helper()
	e := newAuthEnv(t)
	ctx := context.Background()
	s := e.store
	if err := s.InsertDistrict(ctx, planning.District{Adcode: "330111", NameZh: "富阳区", Outline: square(-5000, -5000, 10000)}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertPark(ctx, planning.Park{Code: "BINFU", NameZh: "滨富", Kind: planning.ParkSpecialCooperationZone, HostDistrict: "330111", Outline: square(-1000, -1000, 3000)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertZone(ctx, planning.ProtectedZone{Kind: planning.ZoneDevBoundary, Name: "富阳城镇开发边界", Outline: square(-4000, -4000, 8000)}); err != nil {
		t.Fatal(err)
	}
	for i, stock := range []bool{false, true} {
		p := planning.Parcel{Code: fmt.Sprintf("F%d", i), District: "330111", Park: "BINFU", LandUse: "100101", Status: planning.StatusFiled,
			Outline: square(float64(i)*200, 0, 100), Elevation: planning.Surface(), ConstructionLand: stock}
		if _, err := s.InsertParcel(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EnsurePlan(ctx, 2026, quota.KindNewConstruction, ""); err != nil {
		t.Fatal(err)
	}
	e.user("admin1", planning.RoleAdmin)
	e.user("alloc1", planning.RoleAllocator)
	e.user("viewer1", planning.RoleViewer)
	tokens := map[string]string{}
	for _, name := range []string{"admin1", "alloc1", "viewer1"} {
		u, _ := s.GetUser(ctx, name)
		tokens[name] = "Bearer " + e.token(u)
	}
	return e, tokens
}

func TestQuotaFlowOverHTTP(t *testing.T) {
	e, tok := quotaEnv(t)
	issue := map[string]any{"entry": "issue", "to": "330100", "amount_hm2": 100, "reason": "省下达", "idempotency_key": "iss-1"}
	if r := e.call("POST", "/api/plans/2026/ledger", issue, nil, "Authorization", tok["alloc1"]); r.StatusCode != 403 {
		t.Fatalf("an allocator issued province quota: %d %s", r.StatusCode, r.raw)
	}
	r := e.call("POST", "/api/plans/2026/ledger", issue, nil, "Authorization", tok["admin1"])
	if r.StatusCode != 201 || r.body["amount_m2"] != 1e6 || r.body["created_by"] != "admin1" {
		t.Fatalf("issue: %d %s", r.StatusCode, r.raw)
	}
	first := r.body["id"]
	if r := e.call("POST", "/api/plans/2026/ledger", issue, nil, "Authorization", tok["admin1"]); r.body["id"] != first {
		t.Fatalf("a retried issue booked again: %s", r.raw)
	}

	// An allocator, logged in with a cookie, passes quota down (with CSRF).
	cookie, csrf := e.login("alloc1", authPassword)
	down := map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_mu": 150, "reason": "富阳区", "idempotency_key": "a-1"}
	if r := e.call("POST", "/api/plans/2026/ledger", down, cookie); r.StatusCode != 403 {
		t.Fatalf("no CSRF token: %d", r.StatusCode)
	}
	if r := e.call("POST", "/api/plans/2026/ledger", down, cookie, "X-CSRF-Token", csrf); r.StatusCode != 201 || r.body["amount_m2"] != 100000.0 {
		t.Fatalf("allocate 150 亩: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/plans/2026/ledger", map[string]any{"entry": "allocate", "from": "330111", "to": "330111/BINFU",
		"amount_m2": 8000, "reason": "滨富专项", "idempotency_key": "a-2"}, nil, "Authorization", tok["viewer1"]); r.StatusCode != 403 {
		t.Fatalf("a viewer allocated: %d", r.StatusCode)
	}
	e.call("POST", "/api/plans/2026/ledger", map[string]any{"entry": "allocate", "from": "330111", "to": "330111/BINFU",
		"amount_m2": 8000, "reason": "滨富专项", "idempotency_key": "a-2"}, nil, "Authorization", tok["alloc1"])

	// A project on both parcels needs only the one that is not yet construction land.
	r = e.call("POST", "/api/projects", map[string]any{"code": "BF-1", "name": "激光产业园", "category": "major_industrial",
		"district": "330111", "park": "BINFU", "parcel_ids": []int{1, 2}, "tax_per_mu_wan": 80, "readiness": 0.9}, nil, "Authorization", tok["alloc1"])
	if r.StatusCode != 201 {
		t.Fatalf("create project: %d %s", r.StatusCode, r.raw)
	}
	need := r.body["need"].(map[string]any)
	if math.Abs(need["new_m2"].(float64)-10000) > 1 || math.Abs(need["stock_m2"].(float64)-10000) > 1 {
		t.Fatalf("need: %v", need)
	}
	pid := r.body["id"]

	// The park earmark holds 8,000 m²: a grant of the whole need is short by 2,000.
	grant := map[string]any{"year": 2026, "project_id": pid, "action": "grant", "reason": "手工核定", "idempotency_key": "g-1"}
	r = e.call("POST", "/api/grants", grant, nil, "Authorization", tok["alloc1"])
	if r.StatusCode != 409 || math.Abs(r.body["error"].(map[string]any)["details"].(map[string]any)["shortfall_m2"].(float64)-2000) > 1 {
		t.Fatalf("short grant: %d %s", r.StatusCode, r.raw)
	}
	e.call("POST", "/api/plans/2026/ledger", map[string]any{"entry": "allocate", "from": "330111", "to": "330111/BINFU",
		"amount_m2": 2000, "reason": "补足", "idempotency_key": "a-3"}, nil, "Authorization", tok["alloc1"])
	grant["idempotency_key"] = "g-2"
	if r := e.call("POST", "/api/grants", grant, nil, "Authorization", tok["alloc1"]); r.StatusCode != 201 || r.body["to"] != fmt.Sprintf("P%v", pid) {
		t.Fatalf("grant: %d %s", r.StatusCode, r.raw)
	}
	r = e.call("GET", "/api/plans/2026", nil, nil)
	held := map[string]float64{}
	for _, a := range r.body["accounts"].([]any) {
		m := a.(map[string]any)
		held[m["code"].(string)] = m["held_m2"].(float64)
	}
	if math.Abs(held["330100"]-900000) > 0.01 || held["330111"] != 90000 || held["330111/BINFU"] != 0 || math.Abs(held[fmt.Sprintf("P%v", pid)]-10000) > 1 {
		t.Fatalf("balances: %v", held)
	}
	// Releasing hands it back to the earmark; the ledger lists it all.
	release := map[string]any{"year": 2026, "project_id": pid, "action": "release", "reason": "项目调整", "idempotency_key": "rel-1"}
	if r := e.call("POST", "/api/grants", release, nil, "Authorization", tok["alloc1"]); r.StatusCode != 201 {
		t.Fatalf("release: %d %s", r.StatusCode, r.raw)
	}
	r = e.call("GET", "/api/plans/2026/ledger?account=330111/BINFU", nil, nil)
	if n := len(r.body["entries"].([]any)); n != 4 {
		t.Fatalf("%d ledger entries touch the Binfu earmark, want 4: %s", n, r.raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_m2": 1, "amount_mu": 1, "reason": "x", "idempotency_key": "b1"}, "amount"},
		{map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_m2": 1, "reason": " ", "idempotency_key": "b2"}, "reason"},
		{map[string]any{"entry": "allocate", "from": "330100", "to": "330111", "amount_m2": 1, "reason": "x"}, "idempotency_key"},
		{map[string]any{"entry": "steal", "from": "330100", "to": "330111", "amount_m2": 1, "reason": "x", "idempotency_key": "b3"}, "entry"},
		{map[string]any{"entry": "allocate", "amount_m2": "lots", "reason": "x", "idempotency_key": "b4"}, "amount_m2"},
		{map[string]any{"entry": "allocate", "colour": "red"}, "colour"},
	} {
		if r := e.call("POST", "/api/plans/2026/ledger", bad.body, nil, "Authorization", tok["alloc1"]); r.StatusCode != 400 || r.errorField() != bad.field {
			t.Errorf("%v: %d field %q, want 400 naming %s (%s)", bad.body, r.StatusCode, r.errorField(), bad.field, r.raw)
		}
	}
	if r := e.call("GET", "/api/plans/2031", nil, nil); r.StatusCode != 404 {
		t.Errorf("missing plan: %d", r.StatusCode)
	}
}

func TestScenarioRunCompareApprove(t *testing.T) {
	e, tok := quotaEnv(t)
	as := func(who string) []string { return []string{"Authorization", tok[who]} }
	e.call("POST", "/api/plans/2026/ledger", map[string]any{"entry": "issue", "to": "330100", "amount_m2": 50000, "reason": "省下达", "idempotency_key": "i"}, nil, as("admin1")...)
	r := e.call("POST", "/api/projects", map[string]any{"code": "BF-1", "name": "激光产业园", "category": "major_industrial",
		"district": "330111", "park": "BINFU", "parcel_ids": []int{1}, "tax_per_mu_wan": 80, "readiness": 0.9}, nil, as("alloc1")...)
	if r.StatusCode != 201 {
		t.Fatalf("project: %s", r.raw)
	}
	// No policy stored yet: the default is shown, and running says what to do.
	if r := e.call("GET", "/api/policies/2026", nil, nil); r.body["stored"] != false || r.body["policy"] == nil {
		t.Fatalf("default policy: %s", r.raw)
	}
	if r := e.call("POST", "/api/plans/2026/scenarios", map[string]any{"method": "priority"}, nil, as("alloc1")...); r.StatusCode != 404 || !strings.Contains(r.errorMessage(), "PUT /api/policies/2026") {
		t.Fatalf("run without a policy: %d %s", r.StatusCode, r.raw)
	}
	pol := e.call("GET", "/api/policies/2026", nil, nil).body["policy"]
	if r := e.call("PUT", "/api/policies/2026", map[string]any{"policy": pol, "note": "默认"}, nil, as("alloc1")...); r.StatusCode != 403 {
		t.Fatalf("an allocator edited the policy: %d", r.StatusCode)
	}
	bad := map[string]any{}
	for k, v := range pol.(map[string]any) {
		bad[k] = v
	}
	bad["reserve_share"] = 1.5
	if r := e.call("PUT", "/api/policies/2026", map[string]any{"policy": bad}, nil, as("admin1")...); r.StatusCode != 400 || !strings.Contains(r.errorMessage(), "reserve_share") {
		t.Fatalf("invalid policy: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("PUT", "/api/policies/2026", map[string]any{"policy": pol, "note": "默认"}, nil, as("admin1")...); r.StatusCode != 201 || r.body["version"] != 1.0 {
		t.Fatalf("store policy: %d %s", r.StatusCode, r.raw)
	}

	run := func(method string) map[string]any {
		r := e.call("POST", "/api/plans/2026/scenarios", map[string]any{"method": method, "name": method}, nil, as("alloc1")...)
		if r.StatusCode != 201 {
			t.Fatalf("run %s: %d %s", method, r.StatusCode, r.raw)
		}
		return r.body
	}
	a, b := run("priority"), run("optimal")
	dec := a["result"].(map[string]any)["decisions"].([]any)[0].(map[string]any)
	if dec["outcome"] != "granted" || math.Abs(dec["granted"].(float64)-10000) > 1 || dec["explanation_zh"] == "" {
		t.Fatalf("decision: %v", dec)
	}
	if r := e.call("POST", "/api/plans/2026/scenarios", map[string]any{"method": "priority"}, nil, as("viewer1")...); r.StatusCode != 403 {
		t.Fatalf("a viewer ran the allocation: %d", r.StatusCode)
	}
	cmp := e.call("GET", fmt.Sprintf("/api/scenarios/%v/compare/%v", a["id"], b["id"]), nil, nil)
	if cmp.StatusCode != 200 || cmp.body["districts"] == nil {
		t.Fatalf("compare: %s", cmp.raw)
	}
	// Approving books the grants down the tree, all at once.
	r = e.call("POST", fmt.Sprintf("/api/scenarios/%v/approve", b["id"]), nil, nil, as("alloc1")...)
	if r.StatusCode != 200 || r.body["status"] != "approved" {
		t.Fatalf("approve: %d %s", r.StatusCode, r.raw)
	}
	held := map[string]float64{}
	for _, acc := range e.call("GET", "/api/plans/2026", nil, nil).body["accounts"].([]any) {
		m := acc.(map[string]any)
		held[m["code"].(string)] = m["held_m2"].(float64)
	}
	// The city reserve shows what the scenario reserved (10% of 5 hm², less
	// the cooperation-park earmark taken from it).
	reserved := b["result"].(map[string]any)["reserve"].(float64)
	if reserved != 2500 || math.Abs(held["P1"]-10000) > 1 || held["330100/RESERVE"] != reserved || math.Abs(held["330100"]-(50000-10000-reserved)) > 1 {
		t.Fatalf("after approval: %v (the scenario reserved %.2f)", held, reserved)
	}
	// The other scenario ran before the ledger moved: stale.
	r = e.call("POST", fmt.Sprintf("/api/scenarios/%v/approve", a["id"]), nil, nil, as("alloc1")...)
	if r.StatusCode != 409 || !strings.Contains(r.errorMessage(), "stale") {
		t.Fatalf("stale approval: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", fmt.Sprintf("/api/scenarios/%v/approve", b["id"]), nil, nil, as("alloc1")...); r.StatusCode != 409 {
		t.Fatalf("approving twice: %d", r.StatusCode)
	}
}

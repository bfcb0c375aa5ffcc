package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// exact reads a JSON reply keeping numbers as their text, so a test sees
// exactly what a client gets.
func exact(t *testing.T, raw string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return m
}

// accountNumbers is a plan's accounts' figure (e.g. held_m2) by code, as text.
func accountNumbers(t *testing.T, e *authEnv, field string) map[string]string {
	t.Helper()
	r := e.call("GET", "/api/plans/2026", nil, nil)
	out := map[string]string{}
	for _, a := range exact(t, r.raw)["accounts"].([]any) {
		m := a.(map[string]any)
		out[m["code"].(string)] = m[field].(json.Number).String()
	}
	return out
}

// Amounts that floats get wrong go through the HTTP API into the ledger and
// back exactly, and the never-overspent law holds at the hundredth.
func TestExactAmountsOverHTTP(t *testing.T) {
	e, tok := quotaEnv(t)
	admin, alloc := []string{"Authorization", tok["admin1"]}, []string{"Authorization", tok["alloc1"]}
	book := func(body string, as []string) authReply {
		t.Helper()
		return e.call("POST", "/api/plans/2026/ledger", body, nil, as...)
	}
	// 0.1 hm² + 0.2 hm² is exactly 0.3 hm² (in float64 it is 0.30000000000000004).
	for i, hm2 := range []string{"0.1", "0.2"} {
		r := book(fmt.Sprintf(`{"entry":"issue","to":"330100","amount_hm2":%s,"reason":"省下达","idempotency_key":"i%d"}`, hm2, i), admin)
		if r.StatusCode != 201 {
			t.Fatalf("issue %s hm²: %d %s", hm2, r.StatusCode, r.raw)
		}
	}
	if h := accountNumbers(t, e, "held_m2")["330100"]; h != "3000.00" {
		t.Fatalf("0.1 + 0.2 hm² held as %s m², want 3000.00", h)
	}
	if h := accountNumbers(t, e, "held_hm2")["330100"]; h != "0.3" {
		t.Fatalf("0.1 + 0.2 hm² shown as %s hm², want 0.3", h)
	}

	// 亩 rounds once, half away from zero, to the hundredth of a m²: 1 亩 is
	// 666.67 m² (666.666…), about 1/3 亩 is 222.22 m² (222.222…).
	for i, c := range []struct{ mu, m2, back string }{{"1", "666.67", "1"}, {"0.3333333333", "222.22", "0.33"}} {
		r := book(fmt.Sprintf(`{"entry":"allocate","from":"330100","to":"330111","amount_mu":%s,"reason":"富阳","idempotency_key":"m%d"}`, c.mu, i), alloc)
		m := exact(t, r.raw)
		if r.StatusCode != 201 || m["amount_m2"].(json.Number).String() != c.m2 || m["amount_mu"].(json.Number).String() != c.back {
			t.Fatalf("%s 亩: %d %s, want %s m² shown as %s 亩", c.mu, r.StatusCode, r.raw, c.m2, c.back)
		}
	}
	if h := accountNumbers(t, e, "held_m2"); h["330111"] != "888.89" || h["330100"] != "2111.11" {
		t.Fatalf("balances after the 亩 allocations: %v", h)
	}

	// Never overspent, at the exact edge: one hundredth more than Fuyang
	// holds is refused naming the shortfall; exactly what it holds passes.
	r := book(`{"entry":"allocate","from":"330111","to":"330111/BINFU","amount_m2":888.90,"reason":"滨富","idempotency_key":"edge-1"}`, alloc)
	if r.StatusCode != 409 || !strings.Contains(r.errorMessage(), "0.01 m²") ||
		exact(t, r.raw)["error"].(map[string]any)["details"].(map[string]any)["shortfall_m2"].(json.Number).String() != "0.01" {
		t.Fatalf("one hundredth too much: %d %s", r.StatusCode, r.raw)
	}
	if r := book(`{"entry":"allocate","from":"330111","to":"330111/BINFU","amount_m2":888.89,"reason":"滨富","idempotency_key":"edge-2"}`, alloc); r.StatusCode != 201 {
		t.Fatalf("exactly the balance: %d %s", r.StatusCode, r.raw)
	}
	if h := accountNumbers(t, e, "held_m2"); h["330111"] != "0.00" || h["330111/BINFU"] != "888.89" {
		t.Fatalf("balances at the edge: %v", h)
	}

	// A grant of the project's need (10 000 m²) from an earmark holding
	// 888.89 m² names the exact shortfall; a grant of exactly what the
	// earmark holds passes and leaves it at zero.
	r = e.call("POST", "/api/projects", map[string]any{"code": "BF-X", "name": "精确", "category": "general", "district": "330111",
		"park": "BINFU", "parcel_ids": []int{1}}, nil, alloc...)
	if r.StatusCode != 201 {
		t.Fatalf("project: %d %s", r.StatusCode, r.raw)
	}
	pid := exact(t, r.raw)["id"].(json.Number).String()
	r = e.call("POST", "/api/grants", fmt.Sprintf(`{"year":2026,"project_id":%s,"action":"grant","reason":"r","idempotency_key":"g1"}`, pid), nil, alloc...)
	if r.StatusCode != 409 || exact(t, r.raw)["error"].(map[string]any)["details"].(map[string]any)["shortfall_m2"].(json.Number).String() != "9111.11" {
		t.Fatalf("grant of the need: %d %s", r.StatusCode, r.raw)
	}
	r = e.call("POST", "/api/grants", fmt.Sprintf(`{"year":2026,"project_id":%s,"action":"grant","amount_hm2":0.088889,"reason":"r","idempotency_key":"g2"}`, pid), nil, alloc...)
	if r.StatusCode != 201 || exact(t, r.raw)["amount_m2"].(json.Number).String() != "888.89" {
		t.Fatalf("grant of exactly the earmark: %d %s", r.StatusCode, r.raw)
	}
	if h := accountNumbers(t, e, "held_m2"); h["330111/BINFU"] != "0.00" || h["P"+pid] != "888.89" {
		t.Fatalf("balances after the grant: %v", h)
	}

	// A 1e12 m² sum: an account holds at most 1e9 m², so the province
	// issues 999 997 888.89 m² (filling the city, which holds 2111.11, to
	// exactly that limit) and withdraws it again, 1000 times. The plan's
	// issued total and the city's received and withdrawn figures add up
	// exactly, where a float64 running sum of the same 1000 amounts is
	// 999 997 888 890.0126.
	if _, err := e.store.Pool().Exec(context.Background(), `INSERT INTO ledger_entries (plan_id, kind, from_account, to_account, amount_m2, reason, created_by, idempotency_key)
		SELECT a.plan_id, k.kind, CASE k.kind WHEN 'withdraw' THEN a.id END, CASE k.kind WHEN 'issue' THEN a.id END,
		       999997888.89, 'bulk', 'admin1', format('bulk-%s-%s', n, k.kind)
		FROM quota_accounts a, generate_series(1, 1000) n, (VALUES (1, 'issue'), (2, 'withdraw')) k(i, kind)
		WHERE a.code = '330100' AND a.plan_id = (SELECT id FROM plans WHERE year = 2026)
		ORDER BY n, k.i`); err != nil {
		t.Fatal(err)
	}
	r = e.call("GET", "/api/plans", nil, nil)
	var issued string
	for _, p := range exact(t, r.raw)["plans"].([]any) {
		if p := p.(map[string]any); p["year"].(json.Number).String() == "2026" {
			issued = p["issued_m2"].(json.Number).String()
		}
	}
	if issued != "999997891890.00" { // the bulk and the 3000 m² issued first
		t.Fatalf("issued %s m², want 999997891890.00", issued)
	}
	received, withdrawn, held := accountNumbers(t, e, "received_m2"), accountNumbers(t, e, "withdrawn_m2"), accountNumbers(t, e, "held_m2")
	if received["330100"] != "999997891890.00" || withdrawn["330100"] != "999997888890.00" || held["330100"] != "2111.11" {
		t.Fatalf("the city received %s, withdrew %s, holds %s m²", received["330100"], withdrawn["330100"], held["330100"])
	}
}

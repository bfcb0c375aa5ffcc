package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

func TestParcelEventsAPI(t *testing.T) {
	e, tok := importEnv(t)
	p := planning.Parcel{Code: "IDLE-1", District: "330108", LandUse: "100101", Status: planning.StatusSupplied,
		ApprovedOn: pgtest.Day("2022-01-10"), SuppliedOn: pgtest.Day("2022-06-01"), AgreedStartOn: pgtest.Day("2023-03-01"),
		Outline: square(0, 0, 100), Elevation: planning.Surface()}
	id, err := e.store.InsertParcel(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/parcels/%d/events", id)
	det := map[string]any{"kind": "idle_determination", "event_on": "2024-06-10", "document": "杭高新闲认〔2024〕3号", "cause": "government"}
	// Only an admin writes; anyone reads.
	for _, who := range []string{"", tok["viewer1"], tok["alloc1"]} {
		r := e.call("POST", path, det, nil, "Authorization", who)
		if r.StatusCode != 401 && r.StatusCode != 403 {
			t.Fatalf("POST as %q: %d %s", who, r.StatusCode, r.raw)
		}
	}
	// Bad input: 400 naming the field, nothing stored.
	for field, body := range map[string]any{
		"cause":    map[string]any{"kind": "idle_determination", "event_on": "2024-06-10", "document": "d"},
		"kind":     map[string]any{"kind": "recovered", "event_on": "2024-06-10", "document": "d"},
		"document": map[string]any{"kind": "idle_determination", "event_on": "2024-06-10", "cause": "enterprise"},
		"unknown":  `{"kind":"idle_determination","event_on":"2024-06-10","document":"d","cause":"enterprise","extra":1}`,
	} {
		r := e.call("POST", path, body, nil, "Authorization", tok["admin1"])
		if r.StatusCode != 400 || r.errorCode() != "invalid" || (field != "unknown" && r.errorField() != field) {
			t.Errorf("%s: %d %s", field, r.StatusCode, r.raw)
		}
	}
	if r := e.call("POST", "/api/parcels/999999/events", det, nil, "Authorization", tok["admin1"]); r.StatusCode != 404 {
		t.Errorf("missing parcel: %d %s", r.StatusCode, r.raw)
	}
	r := e.call("POST", path, det, nil, "Authorization", tok["admin1"])
	if r.StatusCode != 201 || str(r.body, "recorded_by") != "admin1" || str(r.body, "cause") != "government" || str(r.body, "event_on") != "2024-06-10" {
		t.Fatalf("record: %d %s", r.StatusCode, r.raw)
	}
	r = e.call("GET", path, nil, nil)
	if r.StatusCode != 200 || !strings.Contains(r.raw, `"document":"杭高新闲认〔2024〕3号"`) || !strings.Contains(r.raw, "闲置土地认定书") {
		t.Fatalf("history: %d %s", r.StatusCode, r.raw)
	}
}

func TestLocalClassesAPI(t *testing.T) {
	e, tok := importEnv(t)
	m0 := map[string]any{"code": "100104", "name_zh": "创新型产业用地", "name_en": "Innovative industrial land", "construction": true,
		"source": "浙江省", "aliases": []string{"M0"}}
	if r := e.call("POST", "/api/land-use-classes", m0, nil, "Authorization", tok["alloc1"]); r.StatusCode != 403 {
		t.Fatalf("allocator: %d", r.StatusCode)
	}
	noFlag := map[string]any{"code": "100105", "name_zh": "x", "source": "s"}
	if r := e.call("POST", "/api/land-use-classes", noFlag, nil, "Authorization", tok["admin1"]); r.StatusCode != 400 || r.errorField() != "construction" {
		t.Fatalf("no construction flag: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/land-use-classes", m0, nil, "Authorization", tok["admin1"]); r.StatusCode != 201 || str(r.body, "parent_code") != "1001" {
		t.Fatalf("add M0: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/land-use-classes", m0, nil, "Authorization", tok["admin1"]); r.StatusCode != 409 {
		t.Fatalf("again: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/land-use-classes/local", nil, nil); r.StatusCode != 200 || !strings.Contains(r.raw, `"aliases":["M0"]`) {
		t.Fatalf("list: %d %s", r.StatusCode, r.raw)
	}
}

func TestAffordableTargetAPI(t *testing.T) {
	e, tok := importEnv(t)
	body := map[string]any{"target": 12.5, "unit": "公顷", "document": "杭政办函〔2026〕7号"}
	if r := e.call("PUT", "/api/affordable-housing/2026", body, nil, "Authorization", tok["viewer1"]); r.StatusCode != 403 {
		t.Fatalf("viewer: %d", r.StatusCode)
	}
	if r := e.call("PUT", "/api/affordable-housing/2026", map[string]any{"target": 1, "unit": "acre", "document": "d"}, nil,
		"Authorization", tok["admin1"]); r.StatusCode != 400 || r.errorField() != "unit" {
		t.Fatalf("unknown unit: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("PUT", "/api/affordable-housing/2026", body, nil, "Authorization", tok["admin1"]); r.StatusCode != 200 {
		t.Fatalf("set: %d %s", r.StatusCode, r.raw)
	}
	r := e.call("GET", "/api/affordable-housing/2026", nil, nil)
	if r.StatusCode != 200 || !strings.Contains(r.raw, `"target_m2":125000`) {
		t.Fatalf("get: %d %s", r.StatusCode, r.raw)
	}
}

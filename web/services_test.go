package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"github.com/hangzhou-hitech/landquota/planning/service/servicetest"
	"github.com/hangzhou-hitech/landquota/web"
)

// memStore answers the use cases' ports from memory; any other store call
// would panic on the nil web.Store (the handlers tested here make none).
type memStore struct {
	web.Store
	m *servicetest.Memory
}

func (s memStore) Policy(ctx context.Context, year, version int) (quota.PolicyVersion, error) {
	return s.m.Policy(ctx, year, version)
}
func (s memStore) Plan(ctx context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	return s.m.Plan(ctx, year, kind)
}
func (s memStore) GrantTx(ctx context.Context, g quota.Grant, decide func(quota.Holding) (quota.Booking, error)) (quota.Entry, error) {
	return s.m.GrantTx(ctx, g, decide)
}
func (s memStore) AllocationRows(ctx context.Context, year int, kind quota.Kind) (service.AllocationRows, error) {
	return s.m.AllocationRows(ctx, year, kind)
}
func (s memStore) SaveScenario(ctx context.Context, sc quota.Scenario) (quota.Scenario, error) {
	return s.m.SaveScenario(ctx, sc)
}
func (s memStore) Scenario(ctx context.Context, id int64, withInput bool) (quota.Scenario, error) {
	return s.m.Scenario(ctx, id, withInput)
}
func (s memStore) ApproveTx(ctx context.Context, sc quota.Scenario, by string, decide func(quota.ScenarioLock) ([]quota.Booking, error)) error {
	return s.m.ApproveTx(ctx, sc, by, decide)
}
func (s memStore) DistrictStock(ctx context.Context, year int) ([]quota.DistrictStock, error) {
	return s.m.DistrictStock(ctx, year)
}
func (s memStore) CloseTx(ctx context.Context, year int, kind quota.Kind, by string, decide func(quota.Plan, []quota.Account) (quota.Closing, error)) (quota.Closing, error) {
	return s.m.CloseTx(ctx, year, kind, by, decide)
}

// tokenUsers knows one user per bearer token.
type tokenUsers struct {
	planning.UserStore
	byToken map[string]planning.User
}

func (u tokenUsers) TokenUser(_ context.Context, token string) (planning.User, error) {
	if usr, ok := u.byToken[token]; ok {
		return usr, nil
	}
	return planning.User{}, planning.Errorf(planning.ErrUnauthenticated, "log in first")
}

// memServer is the HTTP face over a Memory: a 2027 plan whose city holds
// 100 hm², district 330108 20 hm², and project 1 needing 10 hm².
func memServer(t *testing.T) (http.Handler, *servicetest.Memory) {
	t.Helper()
	m := servicetest.New(100, 20, 10)
	p := allocation.DefaultPolicy(2027)
	m.StoredPolicy = &p
	users := tokenUsers{byToken: map[string]planning.User{
		"lqt_viewer": {ID: 1, Username: "viewer", Role: planning.RoleViewer},
		"lqt_alloc":  {ID: 2, Username: "allocator", Role: planning.RoleAllocator},
		"lqt_admin":  {ID: 3, Username: "admin", Role: planning.RoleAdmin},
	}}
	return web.New(web.Config{Users: users}, memStore{m: m}, quietLog()), m
}

type answer struct {
	status int
	body   map[string]any
}

func call(t *testing.T, h http.Handler, method, path, token, body string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
		t.Fatalf("%s %s: %d %q is not a JSON object: %v", method, path, rec.Code, rec.Body.String(), err)
	}
	return a
}

func (a answer) errorCode() string {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestScenarioHandlersCallTheUseCases(t *testing.T) {
	h, m := memServer(t)
	if a := call(t, h, "POST", "/api/plans/2027/scenarios", "lqt_viewer", `{}`); a.status != http.StatusForbidden {
		t.Fatalf("a viewer runs the engine: %d %v", a.status, a.body)
	}
	if a := call(t, h, "POST", "/api/plans/2027/scenarios", "lqt_alloc", `{"method":"greedy"}`); a.status != http.StatusBadRequest ||
		a.body["error"].(map[string]any)["details"].(map[string]any)["field"] != "method" {
		t.Fatalf("an unknown method: %d %v", a.status, a.body)
	}
	a := call(t, h, "POST", "/api/plans/2027/scenarios", "lqt_alloc", `{"name":"试算"}`)
	if a.status != http.StatusCreated || a.body["id"] != float64(1) || a.body["created_by"] != "allocator" || a.body["input"] != nil {
		t.Fatalf("run: %d %v", a.status, a.body)
	}
	if len(m.Runs) != 1 || m.Runs[0].Input == nil || m.Runs[0].Result.Decisions[0].Granted <= 0 {
		t.Fatalf("saved runs: %+v", m.Runs)
	}
	// The ledger moves: the scenario is stale, in the reader's language.
	if _, err := m.Book([]quota.Booking{{Entry: quota.EntryAllocate, From: quota.CityAccount, To: "330108", AmountM2: servicetest.Hm2(1), IdempotencyKey: "k"}}, 0); err != nil {
		t.Fatal(err)
	}
	a = call(t, h, "POST", "/api/scenarios/1/approve?lang=zh", "lqt_alloc", ``)
	msg, _ := a.body["error"].(map[string]any)["message"].(string)
	if a.status != http.StatusConflict || a.errorCode() != "conflict" || !strings.Contains(msg, "已过期") {
		t.Fatalf("stale approval: %d %v", a.status, a.body)
	}
	if m.Runs[0].Status != "draft" || len(m.Ledger) != 1 {
		t.Fatal("a refused approval changed something")
	}
	// Run again on the ledger as it stands: approved, all of it.
	if a := call(t, h, "POST", "/api/plans/2027/scenarios", "lqt_alloc", `{}`); a.status != http.StatusCreated {
		t.Fatalf("second run: %d %v", a.status, a.body)
	}
	a = call(t, h, "POST", "/api/scenarios/2/approve", "lqt_alloc", ``)
	if a.status != http.StatusOK || a.body["status"] != "approved" || a.body["approved_by"] != "allocator" {
		t.Fatalf("approval: %d %v", a.status, a.body)
	}
	if m.Held()["P1"] != m.Runs[1].Result.Decisions[0].Granted {
		t.Fatalf("the project holds %v after approval", m.Held()["P1"])
	}
	if a := call(t, h, "POST", "/api/scenarios/x/approve", "lqt_alloc", ``); a.status != http.StatusNotFound {
		t.Fatalf("no such scenario: %d %v", a.status, a.body)
	}
}

func TestGrantHandlerRefusesMoreThanTheBalance(t *testing.T) {
	h, m := memServer(t)
	// The district holds 20 hm²; an admin's override of 30 hm² passes the
	// rule of the need but not the ledger's law.
	a := call(t, h, "POST", "/api/grants", "lqt_admin",
		`{"year":2027,"project_id":1,"action":"grant","amount_hm2":30,"override_reason":"省重大项目","reason":"r","idempotency_key":"g1"}`)
	if a.status != http.StatusConflict || len(m.Ledger) != 0 {
		t.Fatalf("a grant beyond the balance: %d %v", a.status, a.body)
	}
	a = call(t, h, "POST", "/api/grants", "lqt_alloc", `{"year":2027,"project_id":1,"action":"grant","amount_hm2":11,"reason":"r","idempotency_key":"g2"}`)
	if a.status != http.StatusConflict || len(m.Ledger) != 0 {
		t.Fatalf("a grant beyond the need: %d %v", a.status, a.body)
	}
	a = call(t, h, "POST", "/api/grants", "lqt_alloc", `{"year":2027,"project_id":1,"action":"grant","reason":"r","idempotency_key":"g3"}`)
	if a.status != http.StatusCreated || a.body["to"] != "P1" || a.body["amount_m2"] != servicetest.Hm2(10).M2() {
		t.Fatalf("the outstanding need: %d %v", a.status, a.body)
	}
	if a := call(t, h, "POST", "/api/grants", "lqt_alloc", `{"year":2027,"project_id":1,"action":"give"}`); a.status != http.StatusBadRequest {
		t.Fatalf("an unknown action: %d %v", a.status, a.body)
	}
}

func TestCloseHandlersPreviewAndClose(t *testing.T) {
	h, m := memServer(t)
	a := call(t, h, "GET", "/api/plans/2027/close", "", ``)
	if a.status != http.StatusOK || a.body["closed"] != false || a.body["next_year"] != float64(2028) {
		t.Fatalf("preview: %d %v", a.status, a.body)
	}
	if a := call(t, h, "POST", "/api/plans/2027/close", "lqt_alloc", `{}`); a.status != http.StatusForbidden || m.Current.State != quota.PlanOpen {
		t.Fatalf("an allocator closes the year: %d %v", a.status, a.body)
	}
	if a := call(t, h, "POST", "/api/plans/2027/close", "lqt_admin", `{}`); a.status != http.StatusOK || a.body["closed"] != true {
		t.Fatalf("close: %d %v", a.status, a.body)
	}
	if a := call(t, h, "POST", "/api/plans/2027/close", "lqt_admin", `{}`); a.status != http.StatusConflict {
		t.Fatalf("a second close: %d %v", a.status, a.body)
	}
	if a := call(t, h, "GET", "/api/plans/1999/close", "", ``); a.status != http.StatusBadRequest {
		t.Fatalf("a year out of range: %d %v", a.status, a.body)
	}
}

// TestPathIDsThatNameNothingAreNotFound: a path segment that is not a
// positive whole number names no resource, on every route with a numeric
// id: 404 naming the thing and the segment, in the reader's language, before
// any body is read or anything is looked up.
func TestPathIDsThatNameNothingAreNotFound(t *testing.T) {
	h, m := memServer(t)
	for _, c := range []struct {
		method, path, token, body string
		en, zh                    string // the message, for the segment "abc"
	}{
		{"GET", "/api/parcels/{}/events", "", "", `no parcel "abc"`, `没有地块 "abc"`},
		{"POST", "/api/parcels/{}/events", "lqt_admin", `{}`, `no parcel "abc"`, `没有地块 "abc"`},
		{"POST", "/api/parcels/{}/status", "lqt_alloc", `{"status":"approved"}`, `no parcel "abc"`, `没有地块 "abc"`},
		{"POST", "/api/plans/2027/ledger/{}/reverse", "lqt_admin", `{"reason":"r","idempotency_key":"k"}`, `no ledger entry "abc"`, `没有台账记录 "abc"`},
		{"GET", "/api/projects/{}", "", "", `no project "abc"`, `没有项目 "abc"`},
		{"PUT", "/api/projects/{}/parcels", "lqt_alloc", `{"parcel_ids":[1]}`, `no project "abc"`, `没有项目 "abc"`},
		{"GET", "/api/scenarios/{}", "", "", `no scenario "abc"`, `没有分配方案 "abc"`},
		{"GET", "/api/scenarios/{}/compare/1", "", "", `no scenario "abc"`, `没有分配方案 "abc"`},
		{"GET", "/api/scenarios/1/compare/{}", "", "", `no scenario "abc"`, `没有分配方案 "abc"`},
		{"POST", "/api/scenarios/{}/approve", "lqt_alloc", "", `no scenario "abc"`, `没有分配方案 "abc"`},
	} {
		for _, seg := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
			path := strings.Replace(c.path, "{}", seg, 1)
			a := call(t, h, c.method, path, c.token, c.body)
			e, _ := a.body["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if a.status != http.StatusNotFound || a.errorCode() != "not_found" || !strings.Contains(msg, `"`+seg+`"`) {
				t.Errorf("%s %s: %d %v, want 404 naming %q", c.method, path, a.status, a.body, seg)
			}
		}
		path := strings.Replace(c.path, "{}", "abc", 1)
		for lang, want := range map[string]string{"en": c.en, "zh": c.zh} {
			a := call(t, h, c.method, path+"?lang="+lang, c.token, c.body)
			if e, _ := a.body["error"].(map[string]any); e["message"] != want {
				t.Errorf("%s %s in %s: %v, want %q", c.method, path, lang, a.body, want)
			}
		}
	}
	if len(m.Runs) != 0 || len(m.Ledger) != 0 {
		t.Error("a request whose path names nothing changed the store")
	}
}

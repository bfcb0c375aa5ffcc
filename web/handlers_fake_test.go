package web

// Handlers run through the adapter over a fake of the parts of storage
// they use: their checks of input, and what reaches the store, without a
// database.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// fakeStore keeps what the enclave, local-class and affordable-housing
// handlers store; any other method panics on the nil Store.
type fakeStore struct {
	Store
	enclaves []planning.Enclave
	classes  []planning.LandUseClass
	target   *planner.AffordableTarget
	by       string
}

func (f *fakeStore) InsertEnclave(_ context.Context, e planning.Enclave) (planning.Enclave, error) {
	f.enclaves = append(f.enclaves, e)
	return e, nil
}
func (f *fakeStore) Enclaves(context.Context) ([]planning.Enclave, error) { return f.enclaves, nil }
func (f *fakeStore) AddLandUseClass(_ context.Context, c planning.LandUseClass) (planning.LandUseClass, error) {
	f.classes = append(f.classes, c)
	return c, nil
}
func (f *fakeStore) LocalLandUseClasses(context.Context) ([]planning.LandUseClass, error) {
	return f.classes, nil
}
func (f *fakeStore) SetAffordableTarget(_ context.Context, t planner.AffordableTarget, by string) error {
	f.target, f.by = &t, by
	return nil
}
func (f *fakeStore) AffordableTarget(context.Context, int) (*planner.AffordableTarget, error) {
	return f.target, nil
}

// asAdmin is a request by the admin "chen" with a JSON body.
func asAdmin(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	p := &planning.Principal{User: planning.User{Username: "chen", Role: planning.RoleAdmin}, Via: planning.ViaToken}
	return req.WithContext(planning.WithPrincipal(req.Context(), p))
}

// withURLParam gives req the route parameter key, as chi would.
func withURLParam(req *http.Request, key, value string) *http.Request {
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add(key, value)
	return req.WithContext(context.WithValue(req.Context(), chi.RouteCtxKey, rctx))
}

func TestAddEnclaveChecksEachFieldBeforeStoring(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"code":"SH1","location":[121.5]}`, "location"},
		{`{"code":"SH1","location":[121.5,31.2],"site":{"type":"Polygon","coordinates":"x"}}`, "site"},
		{`{"code":"SH1","location":[121.5,31.2],"lease_end_on":"2030-13-01"}`, "lease_end_on"},
		{`{"code":"SH1","location":[121.5,31.2],"colour":"red"}`, ""},
	} {
		s, _ := logged()
		f := &fakeStore{}
		s.store = f
		rec := answer(s, enclaves.post(s), asAdmin("POST", "/api/enclaves", c.body))
		got := decodeError(t, rec)
		if rec.Code != 400 || got.Code != planning.ErrInvalid || (c.field != "" && got.Details["field"] != c.field) {
			t.Errorf("%s: %d %+v, want 400 naming %q", c.body, rec.Code, got, c.field)
		}
		if len(f.enclaves) != 0 {
			t.Errorf("%s: stored %+v", c.body, f.enclaves)
		}
	}
	s, _ := logged()
	f := &fakeStore{}
	s.store = f
	rec := answer(s, enclaves.post(s), asAdmin("POST", "/api/enclaves", `{"code":"SH1","name_zh":"上海飞地","location":[121.5,31.2],"lease_start_on":"2024-01-01"}`))
	if rec.Code != 201 || len(f.enclaves) != 1 || f.enclaves[0].Location != [2]float64{121.5, 31.2} ||
		f.enclaves[0].LeaseStartOn == nil || !f.enclaves[0].LeaseStartOn.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%d %s; stored %+v", rec.Code, rec.Body, f.enclaves)
	}
	rec = answer(s, enclaves.get(s), httptest.NewRequest("GET", "/api/enclaves", nil))
	var list struct{ Enclaves []planning.Enclave }
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 || len(list.Enclaves) != 1 || list.Enclaves[0].Code != "SH1" {
		t.Errorf("list: %d %s (%v)", rec.Code, rec.Body, err)
	}
}

func TestAddLocalClassNeedsConstruction(t *testing.T) {
	s, _ := logged()
	f := &fakeStore{}
	s.store = f
	rec := answer(s, localClasses.post(s), asAdmin("POST", "/api/land-use-classes", `{"code":"0801z1","parent_code":"0801","name_zh":"孵化用地"}`))
	if got := decodeError(t, rec); rec.Code != 400 || got.Details["field"] != "construction" || len(f.classes) != 0 {
		t.Errorf("%d %+v, stored %v", rec.Code, got, f.classes)
	}
	rec = answer(s, localClasses.post(s), asAdmin("POST", "/api/land-use-classes", `{"code":"0801z1","parent_code":"0801","name_zh":"孵化用地","construction":true}`))
	if rec.Code != 201 || len(f.classes) != 1 || !f.classes[0].Construction {
		t.Errorf("%d %s, stored %v", rec.Code, rec.Body, f.classes)
	}
}

func TestSetAffordableTargetConvertsItsUnit(t *testing.T) {
	s, _ := logged()
	f := &fakeStore{}
	s.store = f
	for _, c := range []struct {
		target, body string
		status       int
		field        string
	}{
		{"/api/affordable-housing/1900", `{"target":1}`, 400, "year"},
		{"/api/affordable-housing/2026", `{"target":1,"unit":"里"}`, 400, "unit"},
		{"/api/affordable-housing/2026", `{"target":1,"years":2}`, 400, ""},
	} {
		req := withURLParam(asAdmin("PUT", c.target, c.body), "year", strings.TrimPrefix(c.target, "/api/affordable-housing/"))
		rec := answer(s, s.withAffordable(setAffordableTarget), req)
		got := decodeError(t, rec)
		if rec.Code != c.status || (c.field != "" && got.Details["field"] != c.field && got.Details["parameter"] != c.field) {
			t.Errorf("%s %s: %d %+v", c.target, c.body, rec.Code, got)
		}
	}
	if f.target != nil {
		t.Fatalf("a refused target was stored: %+v", f.target)
	}
	req := withURLParam(asAdmin("PUT", "/api/affordable-housing/2026", `{"target":12.5,"unit":"公顷","document":"杭政办〔2026〕1号"}`), "year", "2026")
	rec := answer(s, s.withAffordable(setAffordableTarget), req)
	if rec.Code != 200 || f.target == nil || f.target.Year != 2026 || f.target.TargetM2 != 125000 || f.by != "chen" {
		t.Errorf("%d %s; stored %+v by %q", rec.Code, rec.Body, f.target, f.by)
	}
}

// policyStore is a store that has the eligibility policy (fakeStore has not).
type policyStore struct {
	fakeStore
	change *planner.ToleranceChange
}

func (f *policyStore) TolerancePolicy(context.Context) (planner.TolerancePolicy, error) {
	return planner.TolerancePolicy{AreaToleranceM2: 1}, nil
}
func (f *policyStore) ChangeTolerancePolicy(_ context.Context, c planner.ToleranceChange) (planner.TolerancePolicy, error) {
	f.change = &c
	return planner.TolerancePolicy{AreaToleranceM2: *c.AreaToleranceM2, SliverWidthM: *c.SliverWidthM, UpdatedBy: c.By}, nil
}

// A store without the policy answers 503 before the body is read; one with
// it gets only a whole, checked change, by the caller.
func TestSetTolerancePolicyThroughItsPart(t *testing.T) {
	s, _ := logged()
	s.store = &fakeStore{}
	put := func(body string) *http.Request { return asAdmin("PUT", "/api/eligibility/policy", body) }
	if rec := answer(s, s.withTolerancePolicy(setTolerancePolicy), put(`not json`)); rec.Code != 503 || decodeError(t, rec).Code != planning.ErrUnavailable {
		t.Errorf("without the part: %d %s", rec.Code, rec.Body)
	}
	f := &policyStore{}
	s.store = f
	rec := answer(s, s.withTolerancePolicy(setTolerancePolicy), put(`{"area_tolerance_m2":2}`))
	if got := decodeError(t, rec); rec.Code != 400 || got.Details["field"] != "sliver_width_m" || f.change != nil {
		t.Errorf("half a policy: %d %+v, stored %+v", rec.Code, got, f.change)
	}
	rec = answer(s, s.withTolerancePolicy(setTolerancePolicy), put(`{"area_tolerance_m2":2,"sliver_width_m":0.5}`))
	if rec.Code != 200 || f.change == nil || f.change.By != "chen" || *f.change.SliverWidthM != 0.5 {
		t.Errorf("%d %s, stored %+v", rec.Code, rec.Body, f.change)
	}
}

package web

import (
	"net/http/httptest"
	"testing"
)

func TestReadRoute(t *testing.T) {
	for _, c := range []struct {
		method, path string
		ok, cached   bool
	}{
		{"GET", "/api/layers/parcels", true, false},
		{"HEAD", "/ogc/collections/parcels/items", true, false},
		{"GET", "/tiles/parcels/14/13700/6700.mvt", true, true},
		{"POST", "/api/parcels/search", true, false},
		{"POST", "/api/eligibility", true, false},
		{"GET", "/api/reports/2026", true, false},
		{"POST", "/api/grants", false, false},
		{"POST", "/api/parcels/7/status", false, false},
		{"PUT", "/api/projects/3/parcels", false, false},
		{"PATCH", "/api/users/wang", false, false},
		{"POST", "/api/login", false, false},
		{"GET", "/readyz", false, false},
	} {
		rt, ok := readRoute(httptest.NewRequest(c.method, c.path, nil))
		if ok != c.ok || rt.Cached != c.cached {
			t.Errorf("%s %s: read-only %v cached %v, want %v %v", c.method, c.path, ok, rt.Cached, c.ok, c.cached)
		}
	}
}

package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsAndSecurityHeaders(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/api/layers/parcels?limit=3", "/api/layers/parcels?limit=3", "/api/layers/nope", "/"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: security headers missing: %v", p, res.Header)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s: CORS is on", p)
		}
	}
	_, b := fetchRaw(t, srv.URL+"/metrics")
	body := string(b)
	for _, want := range []string{
		`landquota_http_requests_total{route="/api/layers/{layer}",method="GET",code="200"} 2`,
		`landquota_http_requests_total{route="/api/layers/{layer}",method="GET",code="404"} 1`,
		`landquota_http_request_duration_seconds_count{route="/api/layers/{layer}",method="GET"} 3`,
		"landquota_db_pool_max ", "landquota_tile_cache_hits_total ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

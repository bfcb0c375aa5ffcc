package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// Every route that reads a JSON body answers a body beyond its bound the
// same way: 413 with code too_large, the bound in details.limit and the
// message in both languages, and nothing is stored. The routes are the
// server's own (chi.Walk) that the injection sweep describes with a JSON
// body, so a new body route is covered as soon as the sweep knows it.
func TestOversizeBodyOnEveryJSONRoute(t *testing.T) {
	w := newSweepWorld(t)
	before := w.snapshot(t)
	routes := w.sweepRoutes()
	param := regexp.MustCompile(`\{[^}]*\}`)
	limits := map[string]int{}
	err := chi.Walk(w.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		spec, ok := routes[key]
		if !ok || spec.body == nil {
			return nil // no JSON body
		}
		path := param.ReplaceAllStringFunc(route, func(p string) string {
			name := strings.Trim(p, "{}")
			return url.PathEscape(spec.path[name] + spec.suffix[name])
		})
		valid, err := json.Marshal(spec.body("", 0))
		if err != nil {
			return err
		}
		// A valid body padded with blanks to n bytes: only its size is wrong.
		padded := func(n int) *strings.Reader {
			return strings.NewReader(string(valid) + strings.Repeat(" ", n-len(valid)))
		}
		// Far beyond any bound: the answer names the route's own.
		r := w.do(t, method, path, padded(4<<20), "application/json")
		limit, _ := r.body["error"].(map[string]any)["details"].(map[string]any)["limit"].(float64)
		if r.status != 413 || str(r.body, "error", "code") != "too_large" || limit < 1 ||
			str(r.body, "error", "message") != fmt.Sprintf("the request body is larger than %d bytes", int(limit)) {
			t.Errorf("%s with 4 MiB: %d %.300s; want 413 too_large naming the limit", key, r.status, r.raw)
			return nil
		}
		limits[key] = int(limit)
		// One byte beyond the bound, asked in Chinese.
		r = w.do(t, method, path, padded(int(limit)+1), "application/json", "Accept-Language", "zh-CN")
		if r.status != 413 || str(r.body, "error", "message") != fmt.Sprintf("请求正文超过 %d 字节", int(limit)) {
			t.Errorf("%s with limit+1 bytes: %d %.300s; want 413 in Chinese", key, r.status, r.raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d JSON routes: %v", len(limits), limits)
	if len(limits) < 20 {
		t.Errorf("only %d JSON routes found: %v", len(limits), limits)
	}
	// Bounds are per route: the tolerance policy is two numbers and a note.
	if limits["PUT /api/eligibility/policy"] != 16<<10 || limits["POST /api/plans"] != 1<<20 {
		t.Errorf("limits %v; want 16 KiB for the policy, 1 MiB for a plan", limits)
	}
	after := w.snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed: %s -> %s", k, v, after[k])
		}
	}
}

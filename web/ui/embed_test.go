package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestMissingBundleAnswers503(t *testing.T) {
	h := handlerFor(fstest.MapFS{".gitkeep": {Data: nil}})
	rec := get(t, h, "/")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET / without bundle: status %d, want 503", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if body := rec.Body.String(); !strings.Contains(body, "UI bundle not built") || !strings.Contains(body, "make ui") {
		t.Errorf("body does not explain how to build the UI:\n%s", body)
	}
	if rec := get(t, h, "/.gitkeep"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /.gitkeep: status %d, want 404", rec.Code)
	}
}

func TestServesBuiltBundle(t *testing.T) {
	h := handlerFor(fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>landquota</title>")},
		"main.js":    {Data: []byte("console.log('hi')")},
		".gitkeep":   {Data: nil},
	})

	rec := get(t, h, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>landquota</title>") {
		t.Fatalf("GET /: status %d body %q, want index.html", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET /: Cache-Control %q, want no-cache", cc)
	}

	rec = get(t, h, "/main.js")
	if rec.Code != http.StatusOK || rec.Body.String() != "console.log('hi')" {
		t.Fatalf("GET /main.js: status %d body %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("GET /main.js: Content-Type %q, want javascript", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET /main.js: Cache-Control %q, want no-cache", cc)
	}

	if rec := get(t, h, "/missing.js"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /missing.js: status %d, want 404", rec.Code)
	}
	if rec := get(t, h, "/.gitkeep"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /.gitkeep: status %d, want 404", rec.Code)
	}
}

// The embedded bundle is either built (index.html served) or not (503 page); both are valid
// states of a checkout, anything else is a bug.
func TestHandlerEmbedded(t *testing.T) {
	rec := get(t, Handler(), "/")
	switch rec.Code {
	case http.StatusOK:
		if !strings.Contains(rec.Body.String(), `id="map"`) {
			t.Errorf("GET / served something that is not the map page:\n%.300s", rec.Body.String())
		}
	case http.StatusServiceUnavailable:
		if !strings.Contains(rec.Body.String(), "UI bundle not built") {
			t.Errorf("503 without explanation:\n%s", rec.Body.String())
		}
	default:
		t.Fatalf("GET /: status %d, want 200 or 503", rec.Code)
	}
}

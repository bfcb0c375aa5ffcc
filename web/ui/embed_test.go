package ui

import (
	"bytes"
	"compress/gzip"
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
	js := []byte("console.log('hi')")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	h := handlerFor(fstest.MapFS{
		"index.html":            {Data: []byte(`<!doctype html><title>landquota</title><script src="main-AB12CD34.js"></script>`)},
		"main-AB12CD34.js":      {Data: js},
		"main-AB12CD34.js.gz":   {Data: gz.Bytes()},
		"main-AB12CD34.js.map":  {Data: []byte(`{"version":3}`)},
		"main-AB12CD34.css.map": {Data: []byte(`{"version":3}`)},
		".gitkeep":              {Data: nil},
	})

	rec := get(t, h, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>landquota</title>") {
		t.Fatalf("GET /: status %d body %q, want index.html", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET /: Cache-Control %q, want no-cache", cc)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("GET /: no ETag")
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET / with If-None-Match %s: status %d, want 304", etag, rec.Code)
	}

	rec = get(t, h, "/main-AB12CD34.js")
	if rec.Code != http.StatusOK || rec.Body.String() != string(js) {
		t.Fatalf("GET /main-AB12CD34.js: status %d body %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("GET /main-AB12CD34.js: Content-Type %q, want javascript", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("GET /main-AB12CD34.js: Cache-Control %q, want a year, immutable", cc)
	}
	if ce := rec.Header().Get("Content-Encoding"); ce != "" {
		t.Errorf("GET without Accept-Encoding: Content-Encoding %q, want none", ce)
	}

	req = httptest.NewRequest(http.MethodGet, "/main-AB12CD34.js", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(rec.Body.Bytes(), gz.Bytes()) {
		t.Errorf("GET with gzip: Content-Encoding %q, %d bytes, want the precompressed %d bytes",
			rec.Header().Get("Content-Encoding"), rec.Body.Len(), gz.Len())
	}
	if v := rec.Header().Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("Vary %q, want Accept-Encoding", v)
	}
	if rec.Header().Get("ETag") == etag || rec.Header().Get("ETag") == "" {
		t.Errorf("gzip variant ETag %q must differ from the others", rec.Header().Get("ETag"))
	}

	// The static files ask the same checker as tiles and GeoJSON: x-gzip is
	// gzip, * covers it, q=0 refuses it.
	for ae, want := range map[string]string{"x-gzip": "gzip", "*": "gzip", "*, gzip;q=0": "", "gzip;q=0.0": "", "GZIP;Q=0.5": "gzip"} {
		req = httptest.NewRequest(http.MethodGet, "/main-AB12CD34.js", nil)
		req.Header.Set("Accept-Encoding", ae)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if ce := rec.Header().Get("Content-Encoding"); ce != want {
			t.Errorf("GET with Accept-Encoding %q: Content-Encoding %q, want %q", ae, ce, want)
		}
	}

	for _, p := range []string{"/missing.js", "/.gitkeep", "/main-AB12CD34.js.map", "/main-AB12CD34.css.map", "/main-AB12CD34.js.gz"} {
		if rec := get(t, h, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, rec.Code)
		}
	}
}

func TestHashedNames(t *testing.T) {
	for name, want := range map[string]bool{
		"main-GBSV34C6.js": true, "main-LEIPEUZR.css": true, "index.html": false, "main.js": false, "my-file.js": false,
	} {
		if got := hashed(name); got != want {
			t.Errorf("hashed(%q) = %v, want %v", name, got, want)
		}
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

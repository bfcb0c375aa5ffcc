package web

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
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

func TestLSNText(t *testing.T) {
	for _, v := range []uint64{0, 1, 0x1_0000_0200, 0x16_B374D848, math.MaxUint64} {
		got, ok := parseLSN(formatLSN(v))
		if !ok || got != v {
			t.Errorf("%d: %q read back as %d %v", v, formatLSN(v), got, ok)
		}
	}
	if s := formatLSN(0x16_B374D848); s != "16/B374D848" {
		t.Errorf("formatLSN: %q, want PostgreSQL's 16/B374D848", s)
	}
	for _, bad := range []string{"", "/", "1", "1/", "/1", "1/2/3", "-1/0", "+1/0", " 1/0", "1/0 ", "0x1/0", "1/0x0",
		"123456789/0", "0/123456789", "G/0", "1\x00/0", "１/0"} {
		if v, ok := parseLSN(bad); ok {
			t.Errorf("parseLSN(%q) = %d, want refused", bad, v)
		}
	}
}

type fakeLSN struct {
	lsn uint64
	err error
	n   int
}

func (f *fakeLSN) WriteLSN(context.Context) (uint64, error) { f.n++; return f.lsn, f.err }

// The answer to a change carries the position in lq_wal; a refusal and a
// read carry none; a position that cannot be read keeps the caller on the
// primary (the largest position). A read's route takes the cookie's.
func TestWALCookie(t *testing.T) {
	src := &fakeLSN{lsn: 0x2_0000_0010}
	s := &Server{cfg: Config{Replica: src}, writes: newUserWrites(src, 5*time.Second)}
	var after uint64
	h := s.routeReads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, _ := planning.ReadRouteFrom(r.Context())
		after = rt.After
		switch r.URL.Path {
		case "/refused":
			w.WriteHeader(http.StatusConflict)
		case "/failed":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte("ok"))
		}
	}))
	cookie := func(method, path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		for _, c := range rec.Result().Cookies() {
			if c.Name == walCookieName {
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 8 || c.Path != "/" {
					t.Errorf("%s %s: cookie %+v", method, path, c)
				}
				return c.Value
			}
		}
		return ""
	}
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/api/grants", "2/10"},
		{"POST", "/failed", "2/10"},
		{"POST", "/refused", ""},
		{"GET", "/api/layers/parcels", ""},
		{"POST", "/api/parcels/search", ""},
		{"GET", "/readyz", ""},
	} {
		if got := cookie(c.method, c.path); got != c.want {
			t.Errorf("%s %s: lq_wal %q, want %q", c.method, c.path, got, c.want)
		}
	}
	if src.n != 2 {
		t.Errorf("the position was read %d times, want once per change answered", src.n)
	}
	src.err = context.DeadlineExceeded
	if got := cookie("DELETE", "/api/x"); got != "FFFFFFFF/FFFFFFFF" {
		t.Errorf("with the position unknown: lq_wal %q", got)
	}
	r := httptest.NewRequest("GET", "/tiles/parcels/1/2/3.mvt", nil)
	r.AddCookie(&http.Cookie{Name: walCookieName, Value: "2/10"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	if after != 0x2_0000_0010 {
		t.Errorf("a read with lq_wal 2/10 waits for %X", after)
	}
}

// Whatever a client puts in lq_wal, parsing neither panics nor accepts
// anything formatLSN would not write (up to the case of the digits and
// leading zeros).
func FuzzParseLSN(f *testing.F) {
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/2/3", "-1/0", "", "/", "0x1/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseLSN(s)
		if !ok {
			return
		}
		if len(s) > 17 {
			t.Fatalf("%q (%d bytes) accepted", s, len(s))
		}
		if back, ok := parseLSN(formatLSN(v)); !ok || back != v {
			t.Fatalf("%q read as %d, which does not read back", s, v)
		}
	})
}

// A write's position is read from the primary once: the reading the
// answer's cookie made serves the per-user memory too.
func TestWritePositionReadOnce(t *testing.T) {
	src := &fakeLSN{lsn: 0x3_0000_0001}
	s := &Server{cfg: Config{Replica: src}, writes: newUserWrites(src, 5*time.Second)}
	h := s.routeReads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, done := s.withCaller(r.Context(), 7)
		defer done()
		w.WriteHeader(http.StatusCreated)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/grants", nil))
	if src.n != 1 {
		t.Fatalf("the primary's position was read %d times for one write, want once", src.n)
	}
	if got := s.writes.after(7); got != src.lsn {
		t.Fatalf("the user's reads wait for %x, want the write's %x", got, src.lsn)
	}
}

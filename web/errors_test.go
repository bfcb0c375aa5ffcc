package web

// Unit tests of the one adapter from a handler's returned error to its
// answer (Server.handle, writeError, afterStart), and of routes that
// answer from their input alone, through the whole router over a nil
// store: none needs a database.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// logged is a Server whose log is kept for the test to read.
func logged() (*Server, *bytes.Buffer) {
	var buf bytes.Buffer
	return &Server{log: slog.New(slog.NewTextHandler(&buf, nil))}, &buf
}

// answer runs h through the adapter for one request.
func answer(s *Server, h handlerFunc, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.handleJSON(maxJSONBody, h)(rec, req) // as routes.go declares a body route
	return rec
}

// decodeError reads an error answer's body.
func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorPayload {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return body.Error
}

func TestHandleMapsEachCode(t *testing.T) {
	for code, status := range map[planning.ErrorCode]int{
		planning.ErrInvalid: 400, planning.ErrNotFound: 404, planning.ErrConflict: 409, planning.ErrForbidden: 403,
		planning.ErrUnauthenticated: 401, planning.ErrUnavailable: 503, planning.ErrTooMany: 429,
	} {
		s, log := logged()
		req := httptest.NewRequest("GET", "/x", nil)
		rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
			return planning.Errorf(code, "no API endpoint %s %s", r.Method, r.URL.Path).WithDetail("k", "v")
		}, req)
		if rec.Code != status {
			t.Errorf("%s: status %d, want %d", code, rec.Code, status)
		}
		got := decodeError(t, rec)
		if got.Code != code || got.Message != "no API endpoint GET /x" || got.Lang != planning.LangEn || got.Details["k"] != "v" {
			t.Errorf("%s: body %+v", code, got)
		}
		if rec.Header().Get("Vary") != "Accept-Language" {
			t.Errorf("%s: Vary %q", code, rec.Header().Get("Vary"))
		}
		if ra := rec.Header().Get("Retry-After"); (ra == "2") != (status == 503) {
			t.Errorf("%s: Retry-After %q", code, ra)
		}
		level := "level=INFO"
		if status == 503 {
			level = "level=WARN"
		}
		if !strings.Contains(log.String(), level) || !strings.Contains(log.String(), "status="+strconv.Itoa(status)) {
			t.Errorf("%s: log %q, want %s", code, log, level)
		}
	}
}

func TestHandleAnswersInTheCallersLanguage(t *testing.T) {
	s, _ := logged()
	h := func(w http.ResponseWriter, r *http.Request) error {
		return planning.Errorf(planning.ErrNotFound, "no API endpoint %s %s", r.Method, "/x")
	}
	for _, c := range []struct {
		url, accept string
		lang        planning.Lang
		message     string
	}{
		{"/x", "zh-CN,zh;q=0.9,en;q=0.8", planning.LangZh, "没有 API 接口 GET /x"},
		{"/x", "en;q=0.5, zh;q=0.9", planning.LangZh, "没有 API 接口 GET /x"},
		{"/x", "en-GB", planning.LangEn, "no API endpoint GET /x"},
		{"/x?lang=en", "zh-CN", planning.LangEn, "no API endpoint GET /x"},
		{"/x?lang=zh", "", planning.LangZh, "没有 API 接口 GET /x"},
	} {
		req := httptest.NewRequest("GET", c.url, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		got := decodeError(t, answer(s, h, req))
		if got.Lang != c.lang || got.Message != c.message {
			t.Errorf("%s, Accept-Language %q: %s %q, want %s %q", c.url, c.accept, got.Lang, got.Message, c.lang, c.message)
		}
	}
}

func TestHandleHidesInternalErrors(t *testing.T) {
	for name, err := range map[string]error{
		"plain":    errors.New("pq: relation parcels_secret does not exist"),
		"internal": planning.Errorf(planning.ErrInternal, "internal error; the server log has the details").WithCause(errors.New("parcels_secret")),
	} {
		s, log := logged()
		req := httptest.NewRequest("GET", "/x", nil)
		req.Header.Set("Accept-Language", "zh")
		rec := answer(s, func(http.ResponseWriter, *http.Request) error { return err }, req)
		if rec.Code != 500 {
			t.Errorf("%s: status %d", name, rec.Code)
		}
		got := decodeError(t, rec)
		if got.Code != planning.ErrInternal || got.Message != "服务器内部错误；详情见服务器日志" || strings.Contains(rec.Body.String(), "parcels_secret") {
			t.Errorf("%s: shown %q", name, rec.Body)
		}
		if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "parcels_secret") {
			t.Errorf("%s: the log lacks the cause: %q", name, log)
		}
	}
}

// brokenLink is a network error, as a driver passes on a dropped connection.
type brokenLink struct{}

func (brokenLink) Error() string   { return "read tcp: connection reset by peer" }
func (brokenLink) Timeout() bool   { return false }
func (brokenLink) Temporary() bool { return false }

func TestHandleLostDatabaseIsUnavailableWithUnknownOutcome(t *testing.T) {
	s, _ := logged()
	rec := answer(s, func(http.ResponseWriter, *http.Request) error {
		return errors.Join(errors.New("booking the grant"), brokenLink{})
	}, httptest.NewRequest("POST", "/api/grants", nil))
	got := decodeError(t, rec)
	if rec.Code != 503 || got.Code != planning.ErrUnavailable || got.Details["outcome"] != "unknown" || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("status %d, Retry-After %q, body %+v", rec.Code, rec.Header().Get("Retry-After"), got)
	}
}

func TestHandleKeepsARetryAfterTheHandlerSet(t *testing.T) {
	s, _ := logged()
	rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Retry-After", "5")
		return planning.Errorf(planning.ErrUnavailable, "too many large anonymous reads at once; try again in a few seconds or sign in")
	}, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "5" {
		t.Errorf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestHandleWritesNothingOnSuccess(t *testing.T) {
	s, log := logged()
	rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 204 || rec.Body.Len() != 0 || rec.Header().Get("Vary") != "" || log.Len() != 0 {
		t.Errorf("status %d, body %q, Vary %q, log %q", rec.Code, rec.Body, rec.Header().Get("Vary"), log)
	}
}

// A stream cut short after its first byte keeps its status and is logged
// once; before its first byte it is an ordinary error answer.
func TestAfterStartDecidesByTheFirstByte(t *testing.T) {
	cut := errors.New("row 1001: connection reset")
	s, log := logged()
	rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"type":"FeatureCollection","features":[`)
		return s.afterStart(true, cut, slog.LevelError, "feature stream failed", slog.String("path", r.URL.Path))
	}, httptest.NewRequest("GET", "/api/layers/parcels", nil))
	if rec.Code != 200 || rec.Body.String() != `{"type":"FeatureCollection","features":[` {
		t.Errorf("started: status %d, body %q", rec.Code, rec.Body)
	}
	if l := log.String(); strings.Count(l, "level=") != 1 || !strings.Contains(l, `msg="feature stream failed" path=/api/layers/parcels err="row 1001: connection reset"`) {
		t.Errorf("started: log %q", l)
	}

	s, log = logged()
	rec = answer(s, func(w http.ResponseWriter, r *http.Request) error {
		return s.afterStart(false, planning.Errorf(planning.ErrUnavailable, "exports are not available on this server"), slog.LevelError, "export stream failed")
	}, httptest.NewRequest("GET", "/api/exports/parcels", nil))
	if rec.Code != 503 || decodeError(t, rec).Message != "exports are not available on this server" || strings.Contains(log.String(), "export stream failed") {
		t.Errorf("not started: status %d, body %q, log %q", rec.Code, rec.Body, log)
	}
	if err := s.afterStart(true, nil, slog.LevelError, "never"); err != nil {
		t.Errorf("no error: %v", err)
	}
}

// TestRoutesAnswerBadInputWithoutADatabase drives the whole router over a
// nil store: every answer here comes from the input (or the store's
// absence) alone, through the adapter.
func TestRoutesAnswerBadInputWithoutADatabase(t *testing.T) {
	srv := httptest.NewServer(New(Config{Version: "test"}, nil, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	for _, c := range []struct {
		method, path, body string
		status             int
		code               planning.ErrorCode
		field              string // the parameter or field the error names
		header             [2]string
	}{
		{"GET", "/api/nowhere", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/tiles/parcels/1/2/3.png", "", 404, planning.ErrNotFound, "y", [2]string{}},
		{"GET", "/tiles/roads/1/1/1.mvt", "", 404, planning.ErrNotFound, "layers", [2]string{}},
		{"GET", "/tiles/parcels/23/0/0.mvt", "", 400, planning.ErrInvalid, "z", [2]string{}},
		{"GET", "/tiles/parcels/1/2/3/4", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/tiles/parcels", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/api/layers/roads", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/api/layers/parcels?limit=0", "", 400, planning.ErrInvalid, "limit", [2]string{}},
		{"GET", "/ogc/collections/roads", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/ogc/collections/parcels/items?f=html", "", 400, planning.ErrInvalid, "f", [2]string{}},
		{"GET", "/ogc/collections/roads/schema", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/api/stock?kind=gold", "", 400, planning.ErrInvalid, "kind", [2]string{}},
		{"GET", "/api/stock/summary?asof=yesterday", "", 400, planning.ErrInvalid, "asof", [2]string{}},
		{"GET", "/api/reports/1800", "", 400, planning.ErrInvalid, "year", [2]string{}},
		{"GET", "/api/parcels/abc/events", "", 404, planning.ErrNotFound, "id", [2]string{}},
		{"POST", "/api/eligibility", `{"geometry":1,"surplus":2}`, 400, planning.ErrInvalid, "", [2]string{}},
		{"POST", "/api/parcels/search", `[]`, 400, planning.ErrInvalid, "", [2]string{}},
		{"GET", "/basemap/1/0/0.png", "", 404, planning.ErrNotFound, "", [2]string{}},
		{"GET", "/api/affordable-housing/2026", "", 503, planning.ErrUnavailable, "", [2]string{"Retry-After", "2"}},
		{"GET", "/api/enclaves", "", 503, planning.ErrUnavailable, "", [2]string{"Retry-After", "2"}},
		{"GET", "/api/land-use-classes/local", "", 503, planning.ErrUnavailable, "", [2]string{"Retry-After", "2"}},
		{"POST", "/api/login", `{"username":"a","password":"b"}`, 503, planning.ErrUnavailable, "", [2]string{}},
		{"GET", "/api/me", "", 401, planning.ErrUnauthenticated, "", [2]string{}},
		{"POST", "/api/enclaves", `{}`, 401, planning.ErrUnauthenticated, "", [2]string{"WWW-Authenticate", `Bearer realm="landquota"`}},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body errorBody
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		name := c.method + " " + c.path
		if err != nil || res.StatusCode != c.status || body.Error.Code != c.code || body.Error.Message == "" {
			t.Errorf("%s: %d %+v (%v), want %d %s", name, res.StatusCode, body.Error, err, c.status, c.code)
			continue
		}
		if c.field != "" && body.Error.Details["parameter"] != c.field && body.Error.Details["field"] != c.field {
			t.Errorf("%s: details %v do not name %s", name, body.Error.Details, c.field)
		}
		if c.header[0] != "" && res.Header.Get(c.header[0]) != c.header[1] {
			t.Errorf("%s: %s %q, want %q", name, c.header[0], res.Header.Get(c.header[0]), c.header[1])
		}
	}
}

// TestStreamTaggedAnswers follows a streamed FeatureCollection through
// each way it can end, with a fake stream in place of the store.
func TestStreamTaggedAnswers(t *testing.T) {
	feature := []byte(`{"type":"Feature","id":1,"geometry":null,"properties":{}}`)
	cut := errors.New("row 2: connection reset")
	for _, c := range []struct {
		name        string
		ifNoneMatch string
		features    int
		err         error
		status      int
		body        string // the whole body, or for an error answer its code
		etag        bool
		logged      bool
	}{
		{"whole", "", 1, nil, 200, `{"type":"FeatureCollection","features":[` + string(feature) + `],"numberReturned":1}` + "\n", true, false},
		{"empty", "", 0, nil, 200, `{"type":"FeatureCollection","features":[],"numberReturned":0}` + "\n", true, false},
		{"not modified", `"v1"`, 1, nil, 304, "", true, false},
		{"failed before the first feature", "", 0, planning.Errorf(planning.ErrUnavailable, "exports are not available on this server"), 503, "unavailable", false, false},
		{"cut short", "", 1, cut, 200, `{"type":"FeatureCollection","features":[` + string(feature), true, true},
	} {
		s, log := logged()
		s.limits = newLimits(Config{})
		req := httptest.NewRequest("GET", "/api/layers/parcels", nil)
		if c.ifNoneMatch != "" {
			req.Header.Set("If-None-Match", c.ifNoneMatch)
		}
		rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
			return s.streamTagged(w, r, `"v1"`, func(fw *featureWriter) (func() string, error) {
				for range c.features {
					if err := fw.emit(feature); err != nil {
						return nil, err
					}
				}
				return func() string { return `,"numberReturned":` + strconv.Itoa(fw.n) }, c.err
			})
		}, req)
		got := rec.Body.String()
		if rec.Code >= 400 {
			got = string(decodeError(t, rec).Code)
		}
		if rec.Code != c.status || got != c.body {
			t.Errorf("%s: %d %q, want %d %q", c.name, rec.Code, got, c.status, c.body)
		}
		if (rec.Header().Get("ETag") == `"v1"`) != c.etag {
			t.Errorf("%s: ETag %q", c.name, rec.Header().Get("ETag"))
		}
		if strings.Contains(log.String(), "feature stream failed") != c.logged {
			t.Errorf("%s: log %q", c.name, log)
		}
	}
}

// An anonymous heavy read that finds no free slot is refused with 503 and
// Retry-After 5, and is not streamed.
func TestHeavySlotRefusesWithRetryAfter(t *testing.T) {
	s, _ := logged()
	s.limits = newLimits(Config{HeavySlots: 1})
	s.limits.heavy <- struct{}{} // the one slot is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // and the caller gives up at once rather than queue for heavyWait
	streamed := false
	rec := answer(s, func(w http.ResponseWriter, r *http.Request) error {
		return s.streamTagged(w, r, `"v1"`, func(*featureWriter) (func() string, error) {
			streamed = true
			return func() string { return "" }, nil
		})
	}, httptest.NewRequest("GET", "/api/layers/parcels", nil).WithContext(ctx))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "5" || streamed || decodeError(t, rec).Code != planning.ErrUnavailable {
		t.Errorf("status %d, Retry-After %q, streamed %v", rec.Code, rec.Header().Get("Retry-After"), streamed)
	}
}

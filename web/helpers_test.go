package web_test

// The set-up every HTTP test needs, written once: a store over a fresh
// database, a server over a store, and a request whose answer is read whole.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
)

// openStore opens a store over a fresh migrated database.
func openStore(t testing.TB) *pgstore.Store {
	t.Helper()
	return openStoreAt(t, pgtest.URL(t), pgstore.Options{})
}

// openStoreAt opens a store over url with opts; it is closed when the test
// ends.
func openStoreAt(t testing.TB, url string, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	store, err := pgstore.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return store
}

// quietLog drops the server's log lines: tests read answers, not logs.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serve starts the server over store; it is closed when the test ends (its
// handler is srv.Config.Handler).
func serve(t testing.TB, cfg web.Config, store web.Store) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(web.New(cfg, store, quietLog()))
	t.Cleanup(srv.Close)
	return srv
}

// serveEnv serves store with cfg as an authEnv.
func serveEnv(t *testing.T, cfg web.Config, store *pgstore.Store) *authEnv {
	t.Helper()
	srv := serve(t, cfg, store)
	return &authEnv{t: t, url: srv.URL, handler: srv.Config.Handler, store: store}
}

// do sends req through c with headers (name, value pairs) set, and returns
// the answer with its whole body read.
func do(t testing.TB, c *http.Client, req *http.Request, headers ...string) (*http.Response, []byte) {
	t.Helper()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// fetchRaw GETs u and returns the answer with its whole body.
func fetchRaw(t testing.TB, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.DefaultClient, req)
}

// apiError is the envelope of every JSON error answer as a client reads it
// (the server writes it in errors.go).
type apiError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// badRequest is a GET the server must refuse with a JSON error.
type badRequest struct {
	path   string
	status int    // 400 (code invalid) or 404 (code not_found)
	param  string // the parameter the details name; "" when none is named
	names  string // words the message must contain
}

// checkRefusals GETs each request through get and checks its answer: a JSON
// error with the status, the code that goes with it, the parameter and the
// words.
func checkRefusals(t *testing.T, get func(path string) (*http.Response, []byte), cases []badRequest) {
	t.Helper()
	codes := map[int]string{http.StatusBadRequest: "invalid", http.StatusNotFound: "not_found"}
	for _, c := range cases {
		var body apiError
		res, b := get(c.path)
		if err := json.Unmarshal(b, &body); err != nil || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("GET %s: %d, not a JSON error: %s", c.path, res.StatusCode, b)
			continue
		}
		e := body.Error
		if res.StatusCode != c.status || e.Code != codes[c.status] || !strings.Contains(e.Message, c.names) ||
			(c.param != "" && e.Details["parameter"] != c.param) {
			t.Errorf("GET %s: %d %+v; want %d %s naming parameter %q and %q", c.path, res.StatusCode, e, c.status, codes[c.status], c.param, c.names)
		}
	}
}

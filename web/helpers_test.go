package web_test

// The set-up every HTTP test needs, written once: a store over a fresh
// database, a server over a store, and a request whose answer is read whole.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

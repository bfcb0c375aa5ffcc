// Package web is landquota's HTTP face: routing, input checks, and output.
package web

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
	"github.com/hangzhou-hitech/landquota/web/ui"
)

// Config is what the HTTP face needs from main.
type Config struct {
	Version string
	Tiles   *tilecache.Cache // vector tile cache, fed by a change listener; nil: tiles are not cached

	Users       planning.UserStore // accounts, sessions, tokens, audit log; nil: the store's, if it keeps them
	SessionTTL  time.Duration      // how long a browser login lasts; 0: 12h
	SessionIdle time.Duration      // how long a browser login may go unused; 0: 30m
}

// Store is everything the HTTP face needs from storage.
type Store interface {
	planning.GeoStore
	quota.Store
	planner.Store
}

// Server holds the handlers' dependencies; no package globals.
type Server struct {
	cfg     Config
	geo     planning.GeoStore
	store   Store
	log     *slog.Logger
	start   time.Time
	gzips   sync.Pool // *gzip.Writer, reused across responses
	tiles   *tileServer
	auth    authState // users and sessions (auth.go)
	metrics metrics   // request counts and latency for /metrics (observe.go)
}

// New builds the router.
func New(cfg Config, store Store, log *slog.Logger) http.Handler {
	geo := planning.GeoStore(store)
	s := &Server{cfg: cfg, geo: geo, store: store, log: log, start: time.Now(), tiles: newTileServer(cfg.Tiles)}
	s.auth = newAuthState(cfg, store)
	if cfg.Tiles != nil {
		cfg.Tiles.OnInvalidate(func(dropped []tilecache.Key) { s.tiles.warm(geo, dropped) })
	}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.observe, middleware.Recoverer)
	r.Get("/healthz", s.healthz)
	r.Get("/metrics", s.serveMetrics)
	r.Get("/readyz", s.readyz)
	r.Route("/api", func(r chi.Router) {
		r.Use(s.authenticate) // who is calling (auth.go); routes that change things add s.requireRole
		s.mountAuth(r)
		r.Get("/meta", s.meta)
		r.Get("/layers/{layer}", s.layer)
		s.mountQuota(r)
		s.mountPlanner(r) // search, eligibility, stock land, reports (search.go)
		r.Get("/tiles/stats", s.tileStats)
		s.mountImports(r) // imports.go, exports.go
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, s.log, planning.Errorf(planning.ErrNotFound, "no API endpoint %s %s", r.Method, r.URL.Path))
		})
	})
	s.mountOGC(r)
	s.mountTiles(r)
	r.Handle("/*", ui.Handler())
	return r
}

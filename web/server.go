// Package web is landquota's HTTP face: routing, input checks, and output.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
	"github.com/hangzhou-hitech/landquota/web/ui"
)

// Config is what the HTTP face needs from main.
type Config struct {
	Version string
	Tiles   *tilecache.Cache // vector tile cache, fed by a change listener; nil: tiles are not cached
	// WarmTiles renders the parcels' low-zoom tiles into Tiles in the
	// background at start (tiles.go, warmStart).
	WarmTiles bool

	Users       planning.UserStore // accounts, sessions, tokens, audit log; nil: the store's, if it keeps them
	SessionTTL  time.Duration      // how long a browser login lasts; 0: 12h
	SessionIdle time.Duration      // how long a browser login may go unused; 0: 30m

	// Bounds against slow or heavy clients and a frozen database (limits.go).
	TrustedProxies     []netip.Prefix              // proxies whose X-Forwarded-For/-Proto are believed
	RequestTimeout     time.Duration               // a request's deadline until its answer starts; 0: 35s
	InteractiveTimeout time.Duration               // deadline of searches and eligibility checks; 0: 10s
	WriteIdle          time.Duration               // longest a streamed answer may stall; 0: 30s
	HeavySlots         int                         // anonymous heavy reads at once; 0: 2
	Ready              func(context.Context) error // readiness on a connection of its own; nil: the store's pool
	MetricsElsewhere   bool                        // /metrics is served by MetricsHandler only

	Basemaps    []Basemap // remote background tiles (basemap.go); their hosts join the CSP
	BasemapFile *MBTiles  // a local tile package served at /basemap/{z}/{x}/{y}; nil: none

	// Replica, when the store reads from a replica, marks read-only
	// requests and gives the WAL position after each write (replica.go).
	Replica       WriteLSN
	ReplicaMaxLag time.Duration // how far the replica may lag; 0: 5s
}

// Store is everything the HTTP face needs from storage.
type Store interface {
	planning.GeoStore
	quota.Store
	planner.Store
	service.Store
}

// Server holds the handlers' dependencies; no package globals.
type Server struct {
	cfg     Config
	geo     planning.GeoStore
	store   Store
	uc      service.Services // the use cases: grant, run and approve scenarios, close a year
	log     *slog.Logger
	start   time.Time
	gzips   sync.Pool // *gzip.Writer, reused across responses
	tiles   *tileServer
	auth    authState   // users and sessions (auth.go)
	metrics metrics     // request counts and latency for /metrics (observe.go)
	limits  limits      // request bounds (limits.go)
	writes  *userWrites // each user's last write, with a replica (replica.go)
}

// New builds the router.
func New(cfg Config, store Store, log *slog.Logger) http.Handler {
	h, _ := NewWithMetrics(cfg, store, log)
	return h
}

// NewWithMetrics builds the router and, apart, the /metrics handler (for
// its own address when Config.MetricsElsewhere is set).
func NewWithMetrics(cfg Config, store Store, log *slog.Logger) (app, metrics http.Handler) {
	geo := planning.GeoStore(store)
	s := &Server{cfg: cfg, geo: geo, store: store, uc: service.New(store), log: log, start: time.Now(), tiles: newTileServer(cfg.Tiles), limits: newLimits(cfg)}
	s.auth = newAuthState(cfg, store)
	if cfg.Replica != nil {
		s.writes = newUserWrites(cfg.Replica, cfg.ReplicaMaxLag)
	}
	if cfg.Tiles != nil {
		cfg.Tiles.OnInvalidate(func(dropped []tilecache.Key) { s.tiles.warm(geo, dropped) })
		// A cache that stores nothing (--tile-cache-mb 0) would render the
		// warmed tiles for nothing.
		if cfg.WarmTiles && cfg.Tiles.Stats().MaxBytes > 0 {
			go s.tiles.warmStart(geo, log)
		}
	}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.observe, s.proxyHeaders, s.bound, middleware.Recoverer, s.routeReads)
	r.Use(middleware.GetHead) // HEAD answers wherever GET does (OGC API clients probe with it)
	r.Use(s.basemapCSP)       // the configured basemap hosts may serve tiles to the page
	r.Get("/healthz", s.handle(s.healthz))
	if !cfg.MetricsElsewhere {
		r.Get("/metrics", s.serveMetrics)
	}
	r.Get("/readyz", s.handle(s.readyz))
	r.Route("/api", func(r chi.Router) {
		r.Use(s.authenticate) // who is calling (auth.go); routes that change things add s.requireRole
		s.mountAuth(r)
		s.mountRoutes(r, s.apiRoutes()) // routes.go
		s.mountImports(r)               // imports.go, exports.go
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return planning.Errorf(planning.ErrNotFound, "no API endpoint %s %s", r.Method, r.URL.Path)
		}))
	})
	s.mountOGC(r)
	s.mountTiles(r)
	s.mountQGIS(r)    // the QGIS project (qgis.go)
	s.mountBasemap(r) // basemap list and the local tile package (basemap.go)
	r.Handle("/*", ui.Handler())
	return r, http.HandlerFunc(s.serveMetrics)
}

// storePart is the part of storage a feature needs. A store without it (a
// partial store, a fake in tests) makes the feature answer 503 with
// unavailable, the sentence that names it, instead of failing.
func storePart[T any](s *Server, unavailable planning.Text) (T, error) {
	part, ok := s.store.(T)
	if !ok {
		return part, planning.Errorf(planning.ErrUnavailable, "%s", unavailable)
	}
	return part, nil
}

// withPart is h behind storePart: the handler gets the part it needs, and
// a store without it answers 503 before h reads anything.
func withPart[T any](s *Server, unavailable planning.Text, h func(T, http.ResponseWriter, *http.Request) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		part, err := storePart[T](s, unavailable)
		if err != nil {
			return err
		}
		return h(part, w, r)
	}
}

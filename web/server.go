// Package web is landquota's HTTP face: routing, input checks, and output.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web/ui"
)

// Config is what the HTTP face needs from main.
type Config struct {
	Version string
}

// Server holds the handlers' dependencies; no package globals.
type Server struct {
	cfg   Config
	geo   planning.GeoStore
	log   *slog.Logger
	start time.Time
}

// New builds the router.
func New(cfg Config, geo planning.GeoStore, log *slog.Logger) http.Handler {
	s := &Server{cfg: cfg, geo: geo, log: log, start: time.Now()}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, s.logRequests, middleware.Recoverer)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Route("/api", func(r chi.Router) {
		r.Get("/meta", s.meta)
		r.Get("/layers/{layer}", s.layer)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, s.log, planning.Errorf(planning.ErrNotFound, "no API endpoint %s %s", r.Method, r.URL.Path))
		})
	})
	r.Handle("/*", ui.Handler())
	return r
}

// logRequests writes one structured line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		t0 := time.Now()
		next.ServeHTTP(ww, r)
		s.log.Info("http", "request_id", middleware.GetReqID(r.Context()), "method", r.Method,
			"path", r.URL.Path, "status", ww.Status(), "bytes", ww.BytesWritten(), "duration_ms", time.Since(t0).Milliseconds())
	})
}

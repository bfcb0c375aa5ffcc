package web

import (
	"context"
	"net/http"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// healthz answers as long as the process runs.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.cfg.Version,
		"uptime_s": int(time.Since(s.start).Seconds())})
	return nil
}

// readyz answers 200 only when the database is reachable and migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	ready := s.geo.Ready
	if s.cfg.Ready != nil {
		ready = s.cfg.Ready // its own connection: user queries filling the pool do not make it fail
	}
	if err := ready(ctx); err != nil {
		if planning.CodeOf(err) != planning.ErrUnavailable {
			err = &planning.Error{Code: planning.ErrUnavailable, Message: "database not ready", Err: err}
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
	return nil
}

package web

import (
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
)

// meta tells the map what it needs at start: where to look, the layers, and
// the lifecycle statuses with their names in both languages.
func (s *Server) meta(w http.ResponseWriter, r *http.Request) {
	b, err := s.geo.Extent(r.Context())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"version":  s.cfg.Version,
		"bounds":   [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		"layers":   planning.LayerNames,
		"statuses": planning.Statuses,
	})
}

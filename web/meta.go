package web

import (
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
)

// meta tells the map what it needs at start: where to look, the layers, the
// lifecycle statuses with their names in both languages and their colours,
// the colours of the protected lines, parks and districts, and the layer
// catalog (columns, types, labels).
func (s *Server) meta(w http.ResponseWriter, r *http.Request) error {
	b, err := s.geo.Extent(r.Context())
	if err != nil {
		return err
	}
	type status struct {
		planning.StatusInfo
		Color string `json:"color"`
	}
	statuses := make([]status, len(planning.Statuses))
	for i, st := range planning.Statuses {
		statuses[i] = status{st, catalog.StatusColors[string(st.Code)]}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"version":  s.cfg.Version,
		"bounds":   [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		"layers":   planning.LayerNames,
		"statuses": statuses,
		"colors":   map[string]any{"zones": catalog.ZoneColors, "park": catalog.ParkColor, "district": catalog.DistrictColor},
		"catalog":  catalogDoc(),
	})
	return nil
}

// catalogDoc is the layer catalog as JSON: per layer its titles, id, zooms,
// filters and columns, each with where it appears.
func catalogDoc() []map[string]any {
	uses := []struct {
		use  catalog.Use
		name string
	}{{catalog.Feature, "feature"}, {catalog.Tile, "tile"}, {catalog.Export, "export"}}
	var out []map[string]any
	for _, l := range catalog.Layers {
		var cols []map[string]any
		for _, c := range l.Columns {
			in := []string{}
			for _, u := range uses {
				if c.Has(u.use) {
					in = append(in, u.name)
				}
			}
			col := map[string]any{"name": c.Name, "type": string(c.Type), "label_zh": c.Zh, "label_en": c.En, "in": in}
			if c.Shp != "" {
				col["shapefile"] = c.Shp
			}
			cols = append(cols, col)
		}
		filters := l.Filters
		if filters == nil {
			filters = []string{}
		}
		out = append(out, map[string]any{"name": l.Name, "title_zh": l.TitleZh, "title_en": l.TitleEn, "description": l.Description,
			"id": l.ID, "geometry": l.Geometry, "min_zoom": l.MinZoom, "max_zoom": l.MaxZoom, "filters": filters, "columns": cols})
	}
	return out
}

package web

import (
	"bufio"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

const (
	defaultLimit     = 1000
	maxLimit         = 10000
	defaultPrecision = 7
)

// layer streams GET /api/layers/{layer} as a GeoJSON FeatureCollection: the
// header goes out first, then each feature as its row arrives.
func (s *Server) layer(w http.ResponseWriter, r *http.Request) {
	q, err := parseLayerQuery(chi.URLParam(r, "layer"), r.URL.Query())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	started := false
	n := 0
	next, err := s.geo.StreamLayer(r.Context(), q, func(f []byte) error {
		if !started {
			w.Header().Set("Content-Type", "application/geo+json")
			bw.WriteString(`{"type":"FeatureCollection","features":[`)
			started = true
		} else {
			bw.WriteByte(',')
		}
		n++
		_, err := bw.Write(f)
		return err
	})
	if err != nil {
		if !started {
			writeError(w, r, s.log, err)
			return
		}
		// Headers are gone: end the body so the client sees a broken
		// document rather than a silently short one, and log it.
		s.log.Error("layer stream failed", "layer", q.Layer, "err", err)
		bw.WriteString(`]`)
		bw.Flush()
		return
	}
	if !started {
		w.Header().Set("Content-Type", "application/geo+json")
		bw.WriteString(`{"type":"FeatureCollection","features":[`)
	}
	bw.WriteString(`],"numberReturned":` + strconv.Itoa(n) + `,"links":[`)
	if next != "" {
		u := *r.URL
		v := u.Query()
		v.Set("after", next)
		u.RawQuery = v.Encode()
		bw.WriteString(`{"rel":"next","type":"application/geo+json","href":` + strconv.Quote(u.RequestURI()) + `}`)
	}
	bw.WriteString("]}\n")
	bw.Flush()
}

func parseLayerQuery(layer string, v url.Values) (planning.LayerQuery, error) {
	q := planning.LayerQuery{Layer: layer, Limit: defaultLimit, Precision: defaultPrecision, After: v.Get("after")}
	known := false
	for _, l := range planning.LayerNames {
		known = known || l == layer
	}
	if !known {
		return q, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", layer, strings.Join(planning.LayerNames, ", "))
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return q, invalidParam("limit", "%q is not a whole number between 1 and %d", s, maxLimit)
		}
		q.Limit = n
	}
	if s := v.Get("precision"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 15 {
			return q, invalidParam("precision", "%q is not a number of decimals between 0 and 15", s)
		}
		q.Precision = n
	}
	if s := v.Get("bbox"); s != "" {
		b, err := parseBBox(s)
		if err != nil {
			return q, err
		}
		q.BBox = &b
	}
	return q, nil
}

// parseBBox reads minLon,minLat,maxLon,maxLat.
func parseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, invalidParam("bbox", "%q must be four numbers minLon,minLat,maxLon,maxLat", s)
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x != x || x > 1e300 || x < -1e300 {
			return orb.Bound{}, invalidParam("bbox", "%q is not a number", p)
		}
		f[i] = x
	}
	if f[0] < -180 || f[2] > 180 || f[1] < -90 || f[3] > 90 {
		return orb.Bound{}, invalidParam("bbox", "%q lies outside longitude -180..180 / latitude -90..90 (projected metres need bbox-crs)", s)
	}
	if f[0] > f[2] || f[1] > f[3] {
		return orb.Bound{}, invalidParam("bbox", "%q: minimum is greater than maximum (order is minLon,minLat,maxLon,maxLat)", s)
	}
	return orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}, nil
}

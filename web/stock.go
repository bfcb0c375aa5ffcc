package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// chinaTime is UTC+8: "today" is the officials' calendar day.
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// today is the current calendar day in China, as a UTC midnight (the way
// dates come from the database).
func today() time.Time {
	y, m, d := time.Now().In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDay reads a YYYY-MM-DD parameter; def when absent.
func parseDay(v url.Values, name string, def time.Time) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return t, invalidParam(name, "%q is not a day between 1990 and 2100 (YYYY-MM-DD, e.g. 2026-06-30)", s)
	}
	return t, nil
}

const maxStockLimit = 10000

// stockLayer serves GET /api/stock: the parcels that are stock land as of
// a day (asof, default today), with their derived flags, as a streamed
// GeoJSON FeatureCollection in id order with a next link. Filters: bbox,
// district, park, kind (comma-separated planner.StockKinds; default any).
func (s *Server) stockLayer(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, err := parseStockQuery(v)
	if err != nil {
		return err
	}
	version, err := s.geo.LayerVersion(r.Context())
	if err != nil {
		return err
	}
	// The answer depends on the day as well as the data.
	keyed := url.Values{}
	for k, x := range v {
		keyed[k] = x
	}
	keyed.Set("asof", q.AsOf.Format(time.DateOnly))
	return s.streamTagged(w, r, etag(version, r.URL.Path, keyed), func(fw *featureWriter) (func() string, error) {
		next, err := s.store.StreamStock(r.Context(), q, fw.emit)
		return func() string {
			var b strings.Builder
			b.WriteString(`,"numberReturned":` + strconv.Itoa(fw.n) + `,"as_of":"` + q.AsOf.Format(time.DateOnly) + `","links":[`)
			if next > 0 {
				b.WriteString(`{"rel":"next","type":"application/geo+json","href":` + strconv.Quote(withParam(r.URL, "after", strconv.FormatInt(next, 10))) + `}`)
			}
			b.WriteString("]")
			return b.String()
		}, err
	})
}

// parseStockQuery reads the parameters of GET /api/stock.
func parseStockQuery(v url.Values) (planner.StockQuery, error) {
	q := planner.StockQuery{Rules: planner.DefaultRules(), Limit: defaultLimit, Precision: defaultPrecision,
		District: v.Get("district"), Park: v.Get("park")}
	var err error
	if q.AsOf, err = parseDay(v, "asof", today()); err != nil {
		return q, err
	}
	if b, err := layerBBox(v); err != nil {
		return q, err
	} else if b != nil {
		q.BBox = &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	if q.Kinds, err = stockKinds(v.Get("kind")); err != nil {
		return q, err
	}
	err = stockPage(v, &q) // apart from the return: q must be read after stockPage fills it
	return q, err
}

// stockPage reads a stock page's limit, precision and after into q.
func stockPage(v url.Values, q *planner.StockQuery) error {
	var err error
	if q.Limit, err = countParam(v, "limit", maxStockLimit, q.Limit); err != nil {
		return err
	}
	if q.Precision, err = decimalsParam(v, q.Precision); err != nil {
		return err
	}
	if x := v.Get("after"); x != "" {
		if q.After, err = strconv.ParseInt(x, 10, 64); err != nil || q.After < 0 {
			return invalidParam("after", "%q is not a parcel id", x)
		}
	}
	return nil
}

// stockKinds reads a comma-separated list of planner.StockKinds.
func stockKinds(s string) ([]string, error) {
	kinds := list(s)
	for _, k := range kinds {
		if !slices.Contains(planner.StockKinds, k) {
			return nil, invalidParam("kind", "unknown stock kind %q (one of %s)", k, strings.Join(planner.StockKinds, ", "))
		}
	}
	return kinds, nil
}

// stockSummary serves GET /api/stock/summary: stock land per district and
// park as of a day, with the five-year supply rate.
func (s *Server) stockSummary(w http.ResponseWriter, r *http.Request) error {
	asof, err := parseDay(r.URL.Query(), "asof", today())
	if err != nil {
		return err
	}
	sum, err := s.store.StockSummary(r.Context(), asof, planner.DefaultRules())
	return respond(w, http.StatusOK, sum, err)
}

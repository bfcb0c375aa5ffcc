package web

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web/negotiate"
	"github.com/paulmach/orb"
)

const (
	defaultLimit     = 1000
	maxLimit         = 10000
	defaultPrecision = 7
)

// layer serves GET /api/layers/{layer} as a GeoJSON FeatureCollection.
func (s *Server) layer(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, err := parseCommon(chi.URLParam(r, "layer"), v, maxLimit)
	if err == nil {
		q.BBox, err = layerBBox(v)
	}
	if err != nil {
		return err
	}
	return s.streamFeatures(w, r, q, func(res planning.LayerResult, n int) string {
		var b strings.Builder
		b.WriteString(`,"numberReturned":` + strconv.Itoa(n) + `,"links":[`)
		if res.Next != "" {
			b.WriteString(`{"rel":"next","type":"application/geo+json","href":` + strconv.Quote(withParam(r.URL, "after", res.Next)) + `}`)
		}
		b.WriteString("]")
		return b.String()
	})
}

// layerBBox reads bbox (lon/lat) or, with bbox-crs, in EPSG:4549 metres.
func layerBBox(v url.Values) (*orb.Bound, error) {
	s := v.Get("bbox")
	if s == "" {
		if v.Get("bbox-crs") != "" {
			return nil, invalidParam("bbox-crs", "given without a bbox")
		}
		return nil, nil
	}
	srid := 4490
	if c := v.Get("bbox-crs"); c != "" {
		var err error
		if srid, err = parseCRS("bbox-crs", c); err != nil {
			return nil, err
		}
	}
	b, err := parseBBox(s, srid != 4549)
	if err != nil {
		return nil, err
	}
	b = bboxTo4490(b, srid, false)
	if !finiteBound(b) {
		return nil, invalidParam("bbox", "%q lies outside the EPSG:%d zone: it does not convert to longitude/latitude", s, srid)
	}
	return &b, nil
}

// withParam returns u's path and query with one parameter replaced.
func withParam(u *url.URL, key, value string) string {
	c := *u
	q := c.Query()
	q.Set(key, value)
	c.RawQuery = q.Encode()
	return c.RequestURI()
}

// etag names one answer: the data version plus the request's parameters
// in a canonical order.
func etag(version, path string, v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	io.WriteString(h, version+"\n"+path+"\n")
	for _, k := range keys {
		io.WriteString(h, k+"="+strings.Join(v[k], ",")+"\n")
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// streamFeatures writes a FeatureCollection as the store produces it: the
// header first, then each feature as its row arrives, then the members
// that tail(result, count) returns. Memory does not grow with the answer.
func (s *Server) streamFeatures(w http.ResponseWriter, r *http.Request, q planning.LayerQuery, tail func(planning.LayerResult, int) string) error {
	version, err := s.geo.LayerVersion(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Vary", "Accept-Encoding")
	return s.streamTagged(w, r, etag(version, r.URL.Path, r.URL.Query()), func(fw *featureWriter) (func() string, error) {
		res, err := s.geo.StreamLayer(r.Context(), q, fw.emit)
		return func() string { return tail(res, fw.n) }, err
	})
}

// streamTagged answers a streamed FeatureCollection whose data tag names
// (etag): 304 when the client holds it already, else, once a heavy-read
// slot is free, what stream writes through its feature writer, closed by
// the members its tail returns.
func (s *Server) streamTagged(w http.ResponseWriter, r *http.Request, tag string, stream func(*featureWriter) (tail func() string, err error)) error {
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "no-cache")
	if negotiate.NoneMatch(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	release, err := s.heavySlot(w, r)
	if err != nil {
		return err
	}
	defer release()
	fw := s.newFeatureWriter(w, r)
	tail, err := stream(fw)
	if err != nil && !fw.started {
		h.Del("ETag") // the error answer is not the tagged collection
	}
	return fw.finish(err, tail)
}

func (s *Server) gzipWriter(w io.Writer) *gzip.Writer {
	if gz, ok := s.gzips.Get().(*gzip.Writer); ok {
		gz.Reset(w)
		return gz
	}
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	return gz
}

func (s *Server) finishGzip(gz *gzip.Writer) {
	if gz != nil {
		gz.Close()
		s.gzips.Put(gz)
	}
}

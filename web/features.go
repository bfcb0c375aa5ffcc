package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/web/negotiate"
)

// The HTTP side of streamed GeoJSON (geo.FeatureCollection writes the
// collection itself): the map's layers, OGC API items, the parcel search
// and the stock layer all write through it.

// featureWriter writes a FeatureCollection whose features arrive one by
// one: nothing is written until the first feature (or the end), so an
// error before then can still be a clean JSON error.
type featureWriter struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	bw      *bufio.Writer
	fc      *geo.FeatureCollection
	gz      *gzip.Writer
	started bool
	n       int
}

func (s *Server) newFeatureWriter(w http.ResponseWriter, r *http.Request) *featureWriter {
	return &featureWriter{s: s, w: w, r: r}
}

func (fw *featureWriter) begin() {
	fw.started = true
	h := fw.w.Header()
	h.Set("Content-Type", "application/geo+json")
	h.Set("Vary", "Accept-Encoding")
	var out io.Writer = fw.w
	if negotiate.AcceptsGzip(fw.r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		fw.gz = fw.s.gzipWriter(fw.w)
		out = fw.gz
	}
	fw.bw = bufio.NewWriterSize(out, 64<<10)
	fw.fc = geo.StartFeatureCollection(fw.bw, false)
}

// emit writes one feature (its GeoJSON text).
func (fw *featureWriter) emit(f []byte) error {
	if !fw.started {
		fw.begin()
	}
	fw.n++
	return fw.fc.Feature(f)
}

// finish closes the collection with the members in tail (each starting
// with a comma), or, when err is set, hands it to afterStart: returned as
// a JSON error if nothing was sent yet, else logged, and the document left
// unterminated so the client sees a broken answer rather than a silently
// short one.
func (fw *featureWriter) finish(err error, tail func() string) error {
	if err != nil {
		if err = fw.s.afterStart(fw.started, err, slog.LevelError, "feature stream failed", slog.String("path", fw.r.URL.Path)); err == nil {
			fw.bw.Flush()
			fw.s.finishGzip(fw.gz)
		}
		return err
	}
	if !fw.started {
		fw.begin()
	}
	fw.fc.End(tail())
	fw.s.finishGzip(fw.gz)
	return nil
}

package web

import (
	"bufio"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// Downloads of whole layers:
//
//	GET /api/exports/{layer}?format=geojson|csv|xlsx|shp|gpkg
//
// with bbox, bbox-crs and the parcels' filters (catalog.ParcelFilters) and srid
// (4490, 4326, 4549, 4528), precision (coordinate decimals) and encoding
// (Shapefile text: UTF-8, GB18030, or GBK refused where a value is outside
// GBK). GeoJSON and CSV stream as the rows
// arrive; XLSX, Shapefile (a .zip) and GeoPackage are built in a temporary
// file first and sent with their length. Unknown parameters are refused, so
// a mistyped filter cannot quietly export everything.

// exportParams are the parameters an export takes: its own, the catalog's
// filters and lang (the language of an error, see writeError).
var exportParams = func() map[string]bool {
	out := map[string]bool{"format": true, "srid": true, "crs": true, "precision": true, "encoding": true, "bbox": true, "bbox-crs": true, "lang": true}
	for _, f := range catalog.ParcelFilters {
		out[f] = true
	}
	return out
}()

// ParseExportQuery reads an export's parameters, as the endpoint takes them
// (landquota export builds the same values from its flags).
func ParseExportQuery(layer string, v url.Values) (imports.ExportQuery, error) {
	var q imports.ExportQuery
	if err := checkExportParams(v); err != nil {
		return q, err
	}
	l, err := imports.ParseLayer(layer)
	if err != nil {
		return q, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", layer, strings.Join(planning.LayerNames, ", "))
	}
	q.Layer, q.Precision = l, -1
	if s := v.Get("format"); s != "" {
		if q.Format, err = imports.ParseFormat(s); err != nil {
			return q, err
		}
	}
	if q.SRID, err = exportSRID(v); err != nil {
		return q, err
	}
	if s := v.Get("precision"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 15 {
			return q, invalidParam("precision", "%q is not a number of decimals between 0 and 15", s)
		}
		q.Precision = n
	}
	q.Encoding = v.Get("encoding")
	if q.BBox, err = layerBBox(v); err != nil {
		return q, err
	}
	if b := q.BBox; b != nil && !finite(b.Min[0], b.Min[1], b.Max[0], b.Max[1]) {
		return q, invalidParam("bbox", "%q has no place in longitude and latitude (metres outside the Gauss-Krüger zone?)", v.Get("bbox"))
	}
	if q.Filter, err = parseParcelFilter(v); err != nil {
		return q, err
	}
	if err := q.Normalize(); err != nil {
		return q, err
	}
	return q, nil
}

// checkExportParams refuses a parameter an export does not take (naming
// the first, in order, with the list of those it takes) or one given twice.
func checkExportParams(v url.Values) error {
	var unknown []string
	for k, vals := range v {
		if !exportParams[k] {
			unknown = append(unknown, k)
		}
		if len(vals) > 1 {
			return invalidParam(k, "given %d times; give it once (lists are comma-separated)", len(vals))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	names := make([]string, 0, len(exportParams))
	for k := range exportParams {
		names = append(names, k)
	}
	sort.Strings(names)
	return invalidParam(unknown[0], "unknown parameter %q (an export takes %s)", unknown[0], strings.Join(names, ", "))
}

// exportSRID reads srid, or crs its synonym (not both); 0 when neither.
func exportSRID(v url.Values) (int, error) {
	srid := v.Get("srid")
	if c := v.Get("crs"); c != "" {
		if srid != "" {
			return 0, invalidParam("crs", "give srid or crs, not both")
		}
		srid = c
	}
	if srid == "" {
		return 0, nil
	}
	n, err := importer.ParseSRID(srid)
	if err != nil {
		return 0, invalidParam("srid", "%q is not EPSG:4490, 4326, 4549 or 4528", srid)
	}
	return n, nil
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// exportSlots bounds the exports built at once (each may hold a database
// connection for minutes and fill a temporary file).
const exportSlots = 2

// exportTimeout bounds one export's query.
const exportTimeout = 15 * time.Minute

type exporter struct {
	s     *Server
	slots chan struct{}
}

func (e *exporter) export(w http.ResponseWriter, r *http.Request) error {
	s := e.s
	store, err := storePart[imports.ExportStore](s, planning.Textf("exports are not available on this server"))
	if err != nil {
		return err
	}
	q, err := ParseExportQuery(chi.URLParam(r, "layer"), r.URL.Query())
	if err != nil {
		return err
	}
	q.StatementTimeout = exportTimeout
	release, err := s.heavySlot(w, r)
	if err != nil {
		return err
	}
	defer release()
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-time.After(30 * time.Second):
		return planning.Errorf(planning.ErrUnavailable, "too many exports at once; try again in a minute")
	case <-r.Context().Done():
		return nil
	}
	disposition := `attachment; filename="` + q.FileName() + `"`
	if q.Streams() {
		// The header goes out with the first row; an error before it is
		// still a JSON error, one after it cuts the download short.
		sw := &startWriter{w: w, start: func() {
			h := w.Header()
			h.Set("Content-Type", q.ContentType())
			h.Set("Content-Disposition", disposition)
			w.WriteHeader(http.StatusOK)
		}}
		bw := bufio.NewWriterSize(sw, 64<<10)
		_, err := importer.Export(r.Context(), store, q, bw)
		if err == nil {
			err = bw.Flush()
		}
		return s.afterStart(sw.started, err, slog.LevelError, "export stream failed", slog.Any("layer", q.Layer), slog.Any("format", q.Format))
	}
	f, err := os.CreateTemp("", "landquota-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := importer.Export(r.Context(), store, q, f); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", q.ContentType())
	h.Set("Content-Disposition", disposition)
	http.ServeContent(w, r, q.FileName(), time.Now(), f)
	return nil
}

// startWriter calls start before the first byte goes out.
type startWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.start()
	}
	return s.w.Write(p)
}

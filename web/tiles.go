package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/web/negotiate"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
)

// Vector tiles:
//
//	GET /tiles/{layers}/{z}/{x}/{y}.mvt[?limit=N]
//	GET /tiles/{layers}.json                      TileJSON 3.0.0
//	GET /api/tiles/stats                          the tile cache's counters
//
// {layers} is one layer or several, comma-separated, of districts, parks,
// protected-zones and parcels. A tile holds the named layers that are
// visible at its zoom, in drawing order whatever the order asked (so the
// same set shares one cache entry); a layer outside its zoom range is
// simply absent. limit caps the features per layer (default per layer, up
// to maxTileLimit). A tile with no feature is answered 204 No Content, with
// no body, so that clients and proxies need not fetch or store empty tiles.
//
// Tiles come from the tile cache. A fresh tile goes out as rendered, even
// to a client that accepts gzip: compressing it costs the server about
// 2 ms of CPU under load, a tenth of what the whole tile costs on a
// two-core machine, and most fresh tiles are asked for once. A tile asked
// for again is gzipped then (at the fastest level: on a 110 KB zoom-14
// parcels tile, 32% of the size) and the cache keeps the gzipped form, so
// every later hit writes stored bytes as they are; a client that does not
// accept gzip gets them inflated on the way out. The ETag hashes the
// rendered tile ("-gz" marks the gzipped representation); If-None-Match
// answers 304 for either.
const (
	tileContentType  = "application/vnd.mapbox-vector-tile"
	tileCacheControl = "public, max-age=60"
	maxTileZoom      = 22
	maxTileLimit     = 100_000 // the store's cap too
)

// Header values every tile answer sends, built once and shared by all the
// answers (fixedHeader): a cached tile is answered without allocating them.
var (
	tileCacheControlHeader = fixedHeader(tileCacheControl)
	tileContentTypeHeader  = fixedHeader(tileContentType)
	varyEncodingHeader     = fixedHeader("Accept-Encoding")
	gzipEncodingHeader     = fixedHeader("gzip")
	tileOutcomeHeaders     = [...][]string{
		tilecache.Miss: fixedHeader(tilecache.Miss.String()), tilecache.Hit: fixedHeader(tilecache.Hit.String()),
		tilecache.Shared: fixedHeader(tilecache.Shared.String()),
	}
)

// A change drops the cached tiles it touches. The low-zoom ones among them
// (below zoom warmBelowZoom: the parcels' aggregate cells, districts,
// parks) are each shared by everyone who looks at a large area, so they are
// rendered again in the background, one at a time (one database connection
// at most), warmDelay after the first change of a burst so that a burst is
// rendered once. At most maxWarmQueue tiles wait; the rest are rendered by
// the next request as before.
const (
	warmBelowZoom = 14
	warmDelay     = 200 * time.Millisecond
	warmTimeout   = 30 * time.Second
	maxWarmQueue  = 4096
)

// tileServer is the tile face's state: the cache, a pool of gzip writers,
// and the tiles waiting to be warmed.
type tileServer struct {
	cache *tilecache.Cache
	gz    sync.Pool // *gzip.Writer at BestSpeed

	warmMu  sync.Mutex
	warmSet map[tilecache.Key]struct{}
	warming bool // a warmLoop runs
}

// newTileServer uses c, or without one caches nothing (concurrent requests
// for one tile still share a render): a cache that no change listener
// invalidates would serve old tiles.
func newTileServer(c *tilecache.Cache) *tileServer {
	if c == nil {
		c = tilecache.New(tilecache.Options{})
	}
	return &tileServer{cache: c, warmSet: map[tilecache.Key]struct{}{}}
}

// warm queues the low-zoom tiles among dropped and starts the background
// renderer if none runs.
func (ts *tileServer) warm(geo planning.GeoStore, dropped []tilecache.Key) {
	ts.warmMu.Lock()
	defer ts.warmMu.Unlock()
	for _, k := range dropped {
		if k.Z < warmBelowZoom && len(ts.warmSet) < maxWarmQueue {
			ts.warmSet[k] = struct{}{}
		}
	}
	if ts.warming || len(ts.warmSet) == 0 {
		return
	}
	ts.warming = true
	go ts.warmLoop(geo)
}

// Start-up warming: a restarted server's cache is empty, and the first
// view of the map (the districts and parks, zooms 10 to 13) would wait for
// every aggregate tile to be rendered; on 1,000,000 parcels that first view
// took 17.7 s. So at start the parcels' tiles of zooms warmStartMinZoom to
// warmBelowZoom-1 over the districts' extent (about 200 tiles, the UI asks
// for nothing else below the detail zoom) are queued for the background
// renderer, lowest zoom first, on one database connection. The detailed
// zoom-14 tiles are not: on 1,000,000 parcels there are ~700 of them at
// ~130 KB, half the default cache and a minute of database time.
const warmStartMinZoom = 10

// warmStart queues the parcels' low-zoom tiles over the districts' extent.
func (ts *tileServer) warmStart(geo planning.GeoStore, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
	defer cancel()
	b, err := geo.Extent(ctx)
	if err != nil {
		log.Warn("tiles not warmed at start: the districts' extent is unknown", "err", err)
		return
	}
	var keys []tilecache.Key
	for z := warmStartMinZoom; z < warmBelowZoom; z++ {
		x0, y0, x1, y1 := tilecache.Covering(b, z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				keys = append(keys, tilecache.Key{Layers: "parcels", Z: z, X: x, Y: y})
			}
		}
	}
	ts.warm(geo, keys)
}

// warmLoop renders queued tiles into the cache until none is left. A tile
// someone asks for meanwhile shares the render (the cache's flights); a
// render that fails is left to the next request.
func (ts *tileServer) warmLoop(geo planning.GeoStore) {
	time.Sleep(warmDelay)
	for {
		ts.warmMu.Lock()
		// The lowest zoom first: its tiles are shared by the most views.
		var k tilecache.Key
		found := false
		for c := range ts.warmSet {
			if !found || c.Z < k.Z {
				k, found = c, true
			}
		}
		if !found {
			ts.warming = false
			ts.warmMu.Unlock()
			return
		}
		delete(ts.warmSet, k)
		ts.warmMu.Unlock()
		q := planning.TileQuery{Layers: strings.Split(k.Layers, ","), Z: k.Z, X: k.X, Y: k.Y, Limit: k.Limit}
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		ts.cache.Get(ctx, k, func(ctx context.Context) (tilecache.Tile, error) { return ts.render(ctx, geo, q) })
		cancel()
	}
}

// mountTiles adds the /tiles routes.
func (s *Server) mountTiles(r chi.Router) {
	r.Route("/tiles", func(r chi.Router) {
		r.Get("/{layers}", s.handle(s.tileJSON))
		r.Get("/{layers}/{z}/{x}/{y}", s.handle(s.tile))
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return planning.Errorf(planning.ErrNotFound,
				"no tile endpoint %s %s (tiles are /tiles/{layers}/{z}/{x}/{y}.mvt, TileJSON /tiles/{layers}.json)", r.Method, r.URL.Path)
		}))
	})
}

// tile serves GET /tiles/{layers}/{z}/{x}/{y}.mvt.
func (s *Server) tile(w http.ResponseWriter, r *http.Request) error {
	var v url.Values // most tile requests have no query: nothing to parse
	if r.URL.RawQuery != "" {
		v = r.URL.Query()
	}
	q, err := parseTileRequest(chi.URLParam(r, "layers"), chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y"), v)
	if err != nil {
		return err
	}
	key := tilecache.Key{Layers: strings.Join(q.Layers, ","), Z: q.Z, X: q.X, Y: q.Y, Limit: q.Limit}
	t, outcome, err := s.tiles.cache.Get(r.Context(), key, func(ctx context.Context) (tilecache.Tile, error) {
		return s.tiles.render(ctx, s.geo, q)
	})
	if err != nil {
		if r.Context().Err() != nil {
			return nil // the client went away; its share of the render was cancelled
		}
		return err
	}
	w.Header()["X-Tile-Cache"] = tileOutcomeHeaders[outcome]
	return s.writeTile(w, r, key, t, outcome)
}

// writeTile answers with tile t (204 when empty, 304 when the client has
// it), gzipped if the client accepts it; a tile asked for again is
// gzipped now and the cache keeps that form (see the comment on the
// constants above). The header values sent as they are come prebuilt with
// the tile (tilecache.Tile) or are fixed (fixedHeader), so that a hit
// costs no allocation for them; the keys are written canonical, as Set
// would.
func (s *Server) writeTile(w http.ResponseWriter, r *http.Request, key tilecache.Key, t tilecache.Tile, outcome tilecache.Outcome) error {
	h := w.Header()
	h["Cache-Control"] = tileCacheControlHeader
	if t.Size == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h["Vary"] = varyEncodingHeader
	gz := negotiate.AcceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz && !t.Gzipped && outcome == tilecache.Hit {
		if z, err := s.tiles.compress(t); err == nil {
			s.tiles.cache.Replace(key, t, z)
			t = z
		}
	}
	inflate := t.Gzipped && !gz
	if inflate {
		h.Set("ETag", `"`+t.ETag+`"`) // the tile as rendered, inflated below
	} else {
		h["Etag"] = t.ETagHeader
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && negotiate.NoneMatch(inm, `"`+t.ETag+`"`, `"`+t.ETag+`-gz"`) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h["Content-Type"] = tileContentTypeHeader
	if !inflate {
		if t.Gzipped {
			h["Content-Encoding"] = gzipEncodingHeader
		}
		h["Content-Length"] = t.LengthHeader
		w.WriteHeader(http.StatusOK)
		w.Write(t.Body)
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(t.Body))
	if err != nil {
		return err
	}
	h.Set("Content-Length", strconv.Itoa(t.Size))
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, zr)
	return s.afterStart(true, err, slog.LevelWarn, "tile write failed", slog.String("tile", key.String()))
}

// render asks the store for the tile and hashes it for its ETag.
func (ts *tileServer) render(ctx context.Context, geo planning.GeoStore, q planning.TileQuery) (tilecache.Tile, error) {
	b, err := geo.Tile(ctx, q)
	if err != nil || len(b) == 0 {
		return tilecache.Tile{}, err
	}
	sum := sha256.Sum256(b)
	return withHeaders(tilecache.Tile{Body: b, ETag: hex.EncodeToString(sum[:12]), Size: len(b)}), nil
}

// withHeaders fills in the header values an answer with t sends as they are.
func withHeaders(t tilecache.Tile) tilecache.Tile {
	tag := `"` + t.ETag + `"`
	if t.Gzipped {
		tag = `"` + t.ETag + `-gz"`
	}
	t.ETagHeader, t.LengthHeader = fixedHeader(tag), fixedHeader(strconv.Itoa(len(t.Body)))
	return t
}

// compress returns the gzipped form of a tile as rendered.
func (ts *tileServer) compress(t tilecache.Tile) (tilecache.Tile, error) {
	var buf bytes.Buffer
	buf.Grow(len(t.Body)/2 + 64)
	zw, _ := ts.gz.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		zw.Reset(&buf)
	}
	zw.Write(t.Body)
	if err := zw.Close(); err != nil {
		return t, err
	}
	ts.gz.Put(zw)
	// The buffer was sized for the common case; keep only what is used.
	body := bytes.Clone(buf.Bytes())
	return withHeaders(tilecache.Tile{Body: body, Gzipped: true, ETag: t.ETag, Size: t.Size}), nil
}

// parseTileRequest checks the path and the query of a tile request.
func parseTileRequest(layers, z, x, y string, v url.Values) (planning.TileQuery, error) {
	var q planning.TileQuery
	y, ok := strings.CutSuffix(y, ".mvt")
	if !ok {
		return q, planning.Errorf(planning.ErrNotFound, "tiles end in .mvt: /tiles/%s/%s/%s/%s.mvt", layers, z, x, y).WithDetail("parameter", "y")
	}
	var err error
	if q.Layers, err = parseTileLayers(layers); err != nil {
		return q, err
	}
	if q.Z, err = tileNumber("z", z, maxTileZoom); err != nil {
		return q, err
	}
	last := 1<<q.Z - 1
	if q.X, err = tileNumber("x", x, last); err != nil {
		return q, err
	}
	if q.Y, err = tileNumber("y", y, last); err != nil {
		return q, err
	}
	if q.Limit, err = countParam(v, "limit", maxTileLimit, q.Limit); err != nil {
		return q, err
	}
	return q, nil
}

// tileNumber reads a z, x or y: a whole number in 0..last, digits only.
func tileNumber(name, s string, last int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > last || strings.TrimLeft(s, "0123456789") != "" {
		if name == "z" {
			return 0, invalidParam(name, "%q is not a zoom level between 0 and %d", s, last)
		}
		return 0, invalidParam(name, "%q is not a whole number between 0 and %d (2^z-1)", s, last)
	}
	return n, nil
}

// parseTileLayers reads a comma-separated list of layers and returns it in
// drawing order (planning.LayerNames).
func parseTileLayers(s string) ([]string, error) {
	if s == "" {
		return nil, invalidParam("layers", "name at least one of %s", strings.Join(planning.LayerNames, ", "))
	}
	asked := strings.Split(s, ",")
	for i, name := range asked {
		if !slices.Contains(planning.LayerNames, name) {
			return nil, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", name, strings.Join(planning.LayerNames, ", ")).WithDetail("parameter", "layers")
		}
		if slices.Contains(asked[:i], name) {
			return nil, invalidParam("layers", "%q is named twice", name)
		}
	}
	var out []string
	for _, name := range planning.LayerNames {
		if slices.Contains(asked, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// tileJSON serves GET /tiles/{layers}.json: TileJSON 3.0.0 for the layers.
func (s *Server) tileJSON(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutSuffix(chi.URLParam(r, "layers"), ".json")
	if !ok {
		return planning.Errorf(planning.ErrNotFound, "no tile endpoint %s (TileJSON is /tiles/{layers}.json)", r.URL.Path)
	}
	names, err := parseTileLayers(name)
	if err != nil {
		return err
	}
	query := ""
	if l := r.URL.Query().Get("limit"); l != "" {
		if _, err := parseTileRequest(name, "0", "0", "0.mvt", r.URL.Query()); err != nil {
			return err
		}
		query = "?limit=" + url.QueryEscape(l)
	}
	type vectorLayer struct {
		ID          string            `json:"id"`
		Description string            `json:"description,omitempty"`
		Fields      map[string]string `json:"fields"`
		MinZoom     int               `json:"minzoom"`
		MaxZoom     int               `json:"maxzoom"`
	}
	var layers []vectorLayer
	minZoom, maxZoom := maxTileZoom, 0
	var bounds [4]float64
	for i, n := range names {
		tl, err := s.geo.TileLayer(r.Context(), n)
		if err != nil {
			return err
		}
		cat, _ := catalog.Find(n)
		layers = append(layers, vectorLayer{ID: n, Description: cat.TitleZh + " " + cat.TitleEn, Fields: tl.Fields, MinZoom: tl.MinZoom, MaxZoom: tl.MaxZoom})
		minZoom, maxZoom = min(minZoom, tl.MinZoom), max(maxZoom, tl.MaxZoom)
		b := [4]float64{tl.Bounds.Min[0], tl.Bounds.Min[1], tl.Bounds.Max[0], tl.Bounds.Max[1]}
		if i == 0 {
			bounds = b
		} else {
			bounds = [4]float64{min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])}
		}
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	path := "/tiles/" + strings.Join(names, ",") + "/{z}/{x}/{y}.mvt" + query
	w.Header().Set("Cache-Control", tileCacheControl)
	writeJSON(w, http.StatusOK, map[string]any{
		"tilejson":      "3.0.0",
		"name":          "landquota " + strings.Join(names, ", "),
		"description":   "construction-land parcels of Hangzhou and the geography around them",
		"scheme":        "xyz",
		"tiles":         []string{scheme + "://" + r.Host + path},
		"minzoom":       minZoom,
		"maxzoom":       maxZoom,
		"bounds":        bounds,
		"center":        []float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, float64(max(minZoom, 10))},
		"vector_layers": layers,
	})
	return nil
}

// tileStats serves GET /api/tiles/stats.
func (s *Server) tileStats(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.tiles.cache.Stats())
	return nil
}

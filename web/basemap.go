package web

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"

	// MBTiles are SQLite files. modernc.org/sqlite is SQLite translated to
	// Go: no cgo, so the binary still builds and cross-compiles with Go
	// alone (mattn/go-sqlite3 would need a C compiler on every build host).
	_ "modernc.org/sqlite"
)

// Basemap is one background tile layer of the map (底图): a street map
// (vector), imagery (影像), or the place names drawn over one of them
// (annotation, 注记).
type Basemap struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`           // vector, imagery or annotation
	Over        string   `json:"over,omitempty"` // annotation: the kind it labels (vector or imagery); "" both
	URL         string   `json:"url"`            // XYZ template: {z} {x} {y} {s}
	Subdomains  []string `json:"subdomains,omitempty"`
	Attribution string   `json:"attribution"`
	MinZoom     int      `json:"min_zoom"`
	MaxZoom     int      `json:"max_zoom"`
	CRS         string   `json:"crs"`    // EPSG:3857 (Web Mercator) or EPSG:4490 (lon/lat tiles, level z+1, as Tianditu's "_c")
	Format      string   `json:"format"` // png, jpg, webp or pbf (vector tiles)
}

var basemapKinds = map[string]bool{"vector": true, "imagery": true, "annotation": true}

// wmtsPlaceholders are WMTS template names and the XYZ ones they mean.
var wmtsPlaceholders = strings.NewReplacer("{TileMatrix}", "{z}", "{TileRow}", "{y}", "{TileCol}", "{x}")

// tianditu lists 天地图's layers: vec/cva (streets and their names) and
// img/cia (imagery and its names), in Web Mercator ("_w") or CGCS2000
// lon/lat ("_c"); every request carries the key tk.
func tianditu(matrix, key string) []Basemap {
	var out []Basemap
	for _, l := range []struct{ layer, kind, over, name string }{
		{"vec", "vector", "", "天地图矢量"}, {"cva", "annotation", "vector", "天地图矢量注记"},
		{"img", "imagery", "", "天地图影像"}, {"cia", "annotation", "imagery", "天地图影像注记"},
	} {
		crs := "EPSG:3857"
		if matrix == "c" {
			crs = "EPSG:4490"
		}
		out = append(out, Basemap{Name: l.name, Kind: l.kind, Over: l.over,
			URL: "https://t{s}.tianditu.gov.cn/" + l.layer + "_" + matrix + "/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + l.layer +
				"&STYLE=default&TILEMATRIXSET=" + matrix + "&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + url.QueryEscape(key),
			Subdomains: strings.Split("01234567", ""), Attribution: "© 天地图 国家地理信息公共服务平台 (GS(2024)0568号)",
			MinZoom: 1, MaxZoom: 18, CRS: crs, Format: "png"})
	}
	return out
}

// ParseBasemap reads one --basemap value: "tianditu" (Web Mercator) or
// "tianditu-cgcs2000", which need the key tk, or a JSON object of a
// Basemap, e.g.
//
//	{"kind":"imagery","url":"https://tiles.example.cn/img/{z}/{x}/{y}.jpg","attribution":"© 某测绘院","max_zoom":19}
func ParseBasemap(spec, tiandituKey string) ([]Basemap, error) {
	spec = strings.TrimSpace(spec)
	switch spec {
	case "tianditu", "tianditu-cgcs2000":
		if tiandituKey == "" {
			return nil, fmt.Errorf("--basemap %s needs the 天地图 key: give --tianditu-key (or LANDQUOTA_TIANDITU_KEY); get one at https://console.tianditu.gov.cn", spec)
		}
		if spec == "tianditu" {
			return tianditu("w", tiandituKey), nil
		}
		return tianditu("c", tiandituKey), nil
	}
	var b Basemap
	if err := planning.DecodeJSON(strings.NewReader(spec), 0, planning.Textf("the spec"), &b); err != nil {
		return nil, fmt.Errorf("--basemap %q is not tianditu, tianditu-cgcs2000 or a JSON object of name, kind, over, url, subdomains, attribution, min_zoom, max_zoom, crs, format: %v", spec, err)
	}
	b.URL = wmtsPlaceholders.Replace(strings.ReplaceAll(b.URL, "{tk}", url.QueryEscape(tiandituKey)))
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("--basemap %s", err)
	}
	return []Basemap{b}, nil
}

func (b *Basemap) check() error {
	if !basemapKinds[b.Kind] {
		return fmt.Errorf("kind %q must be vector, imagery or annotation", b.Kind)
	}
	if b.Over != "" && (b.Kind != "annotation" || (b.Over != "vector" && b.Over != "imagery")) {
		return fmt.Errorf("over %q: only an annotation lies over a vector or imagery basemap", b.Over)
	}
	if err := b.checkURL(); err != nil {
		return err
	}
	return b.checkTiles()
}

// checkTiles checks the zooms, CRS and tile format, filling in the
// defaults (zooms 0..18, EPSG:3857, png; the kind as the name).
func (b *Basemap) checkTiles() error {
	if b.MaxZoom == 0 {
		b.MaxZoom = 18
	}
	if b.MinZoom < 0 || b.MaxZoom > 24 || b.MinZoom > b.MaxZoom {
		return fmt.Errorf("zooms %d..%d must lie within 0..24", b.MinZoom, b.MaxZoom)
	}
	switch b.CRS {
	case "":
		b.CRS = "EPSG:3857"
	case "EPSG:3857", "EPSG:4490":
	default:
		return fmt.Errorf("crs %q must be EPSG:3857 or EPSG:4490", b.CRS)
	}
	switch b.Format {
	case "":
		b.Format = "png"
	case "png", "jpg", "webp", "pbf":
	default:
		return fmt.Errorf("format %q must be png, jpg, webp or pbf", b.Format)
	}
	if b.Name == "" {
		b.Name = b.Kind
	}
	return nil
}

// checkURL checks the tile template: http(s), with {z}, {x}, {y} (or
// {-y}), and subdomains for an {s}.
func (b *Basemap) checkURL() error {
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a", "{-y}", "0").Replace(b.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("url %q must be an http(s) tile template with {z}, {x} and {y}", b.URL)
	}
	for _, p := range []string{"{z}", "{x}"} {
		if !strings.Contains(b.URL, p) {
			return fmt.Errorf("url %q has no %s (XYZ: {z}/{x}/{y}; WMTS: {TileMatrix}, {TileCol}, {TileRow})", b.URL, p)
		}
	}
	if !strings.Contains(b.URL, "{y}") && !strings.Contains(b.URL, "{-y}") {
		return fmt.Errorf("url %q has no {y}", b.URL)
	}
	if strings.Contains(b.URL, "{s}") && len(b.Subdomains) == 0 {
		return fmt.Errorf("url %q has {s} but no subdomains", b.URL)
	}
	return nil
}

// hosts lists the origins a basemap's tiles come from, for the CSP.
func (b *Basemap) hosts() []string {
	const sub = "lq-subdomain"
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{-y}", "0", "{s}", sub).Replace(b.URL))
	if err != nil || u.Host == "" {
		return nil
	}
	if !strings.Contains(u.Host, sub) {
		return []string{u.Scheme + "://" + u.Host}
	}
	var out []string
	for _, s := range b.Subdomains {
		out = append(out, u.Scheme+"://"+strings.ReplaceAll(u.Host, sub, s))
	}
	return out
}

// MBTiles is a local tile package (an MBTiles file: SQLite) served by
// landquota itself, for offices without the internet.
type MBTiles struct {
	db   *sql.DB
	Meta Basemap
}

// OpenMBTiles opens path read-only and reads its metadata. kind ""
// derives it from the tile format: jpg/webp imagery, png and pbf vector.
func OpenMBTiles(path, kind string) (*MBTiles, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--basemap-file: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("--basemap-file %s: %v", path, err)
	}
	db.SetMaxOpenConns(4)
	m := &MBTiles{db: db, Meta: Basemap{Name: "local", URL: "/basemap/{z}/{x}/{y}", CRS: "EPSG:3857", MinZoom: 0, MaxZoom: 18}}
	rows, err := db.Query("SELECT name, value FROM metadata")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--basemap-file %s is not an MBTiles file (no metadata table): %v", path, err)
	}
	defer rows.Close()
	meta := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err == nil {
			meta[k] = v
		}
	}
	if meta["name"] != "" {
		m.Meta.Name = meta["name"]
	}
	m.Meta.Attribution = meta["attribution"]
	m.Meta.Format = strings.ToLower(meta["format"])
	if m.Meta.Format == "jpeg" {
		m.Meta.Format = "jpg"
	}
	// The zooms the file holds, from its tiles when the metadata is silent.
	var lo, hi sql.NullInt64
	if err := db.QueryRow("SELECT min(zoom_level), max(zoom_level) FROM tiles").Scan(&lo, &hi); err != nil {
		db.Close()
		return nil, fmt.Errorf("--basemap-file %s has no tiles table: %v", path, err)
	}
	if !hi.Valid {
		db.Close()
		return nil, fmt.Errorf("--basemap-file %s holds no tiles", path)
	}
	m.Meta.MinZoom, m.Meta.MaxZoom = int(lo.Int64), int(hi.Int64)
	if m.Meta.Format == "" {
		var head []byte
		db.QueryRow("SELECT tile_data FROM tiles LIMIT 1").Scan(&head)
		m.Meta.Format = sniffTile(head)
	}
	m.Meta.Kind = kind
	if kind == "" {
		m.Meta.Kind = "vector"
		if m.Meta.Format == "jpg" || m.Meta.Format == "webp" {
			m.Meta.Kind = "imagery"
		}
	}
	if err := m.Meta.checkLocal(); err != nil {
		db.Close()
		return nil, fmt.Errorf("--basemap-file %s: %v", path, err)
	}
	return m, nil
}

func (b *Basemap) checkLocal() error {
	if !basemapKinds[b.Kind] {
		return fmt.Errorf("kind %q must be vector, imagery or annotation", b.Kind)
	}
	switch b.Format {
	case "png", "jpg", "webp", "pbf":
		return nil
	}
	return fmt.Errorf("tile format %q is not png, jpg, webp or pbf", b.Format)
}

func sniffTile(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return "png"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8}):
		return "jpg"
	case len(b) > 12 && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return "pbf"
}

// Close closes the file.
func (m *MBTiles) Close() error { return m.db.Close() }

// Tile reads one tile (XYZ numbering; MBTiles rows count from the south).
func (m *MBTiles) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	var b []byte
	err := m.db.QueryRowContext(ctx, "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", z, x, (1<<z)-1-y).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

var tileTypes = map[string]string{"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "pbf": "application/vnd.mapbox-vector-tile"}

func (s *Server) mountBasemap(r chi.Router) {
	r.Get("/api/basemaps", s.handle(s.basemaps))
	r.Get("/basemap/{z}/{x}/{y}", s.handle(s.basemapTile))
	r.Head("/basemap/{z}/{x}/{y}", s.handle(s.basemapTile))
}

// basemaps lists the configured basemaps, the local package first.
func (s *Server) basemaps(w http.ResponseWriter, r *http.Request) error {
	out := []Basemap{}
	if s.cfg.BasemapFile != nil {
		out = append(out, s.cfg.BasemapFile.Meta)
	}
	out = append(out, s.cfg.Basemaps...)
	writeJSON(w, http.StatusOK, map[string]any{"basemaps": out})
	return nil
}

// basemapTile serves GET /basemap/{z}/{x}/{y} from the local package; a
// tile the package lacks is 204 No Content (the map stays blank there).
func (s *Server) basemapTile(w http.ResponseWriter, r *http.Request) error {
	m := s.cfg.BasemapFile
	if m == nil {
		return planning.Errorf(planning.ErrNotFound, "no local basemap: start landquota serve with --basemap-file FILE.mbtiles")
	}
	num := func(name string, max int) (int, error) {
		v := strings.TrimSuffix(chi.URLParam(r, name), "."+m.Meta.Format)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > max {
			return 0, invalidParam(name, "%q is not a tile %s (0..%d)", v, name, max)
		}
		return n, nil
	}
	z, err := num("z", 24)
	if err != nil {
		return err
	}
	x, err := num("x", (1<<z)-1)
	if err != nil {
		return err
	}
	y, err := num("y", (1<<z)-1)
	if err != nil {
		return err
	}
	b, err := m.Tile(r.Context(), z, x, y)
	if err != nil {
		return planning.Errorf(planning.ErrUnavailable, "the basemap file cannot be read: %v", err)
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	if len(b) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.Header().Set("Content-Type", tileTypes[m.Meta.Format])
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		w.Header().Set("Content-Encoding", "gzip") // vector tiles are stored gzipped
	}
	w.Write(b)
	return nil
}

// basemapCSP lets the page load tiles from the configured basemap hosts:
// the policy observe sets allows this origin only.
func (s *Server) basemapCSP(next http.Handler) http.Handler {
	var hosts []string
	seen := map[string]bool{}
	for _, b := range s.cfg.Basemaps {
		for _, h := range b.hosts() {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	if len(hosts) == 0 {
		return next
	}
	extra := " " + strings.Join(hosts, " ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if csp := w.Header().Get("Content-Security-Policy"); csp != "" {
			var parts []string
			for _, d := range strings.Split(csp, ";") {
				d = strings.TrimSpace(d)
				if strings.HasPrefix(d, "img-src ") || strings.HasPrefix(d, "connect-src ") {
					d += extra
				}
				parts = append(parts, d)
			}
			w.Header().Set("Content-Security-Policy", strings.Join(parts, "; "))
		}
		next.ServeHTTP(w, r)
	})
}

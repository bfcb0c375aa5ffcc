package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// tileXY is the XYZ tile holding lon/lat at zoom z.
func tileXY(p orb.Point, z int) (x, y int) {
	n := float64(int(1) << z)
	s := math.Sin(p[1] * math.Pi / 180)
	return int((p[0] + 180) / 360 * n), int((0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n)
}

// tileOrigin is the middle of the zoom-14 tile holding a point in Binjiang,
// in EPSG:4549 metres: the tile tests' parcels are laid out around it.
var tileOrigin = func() orb.Point {
	x, y := tileXY(orb.Point{120.21, 30.19}, 14)
	n := float64(int(1) << 14)
	lon := (float64(x)+0.5)/n*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*(float64(y)+0.5)/n))) * 180 / math.Pi
	return geo.To4549(orb.Point{lon, lat})
}()

// at is the lon/lat at metre offset (x, y) from tileOrigin.
func at(x, y float64) orb.Point {
	return geo.From4549(orb.Point{tileOrigin[0] + x, tileOrigin[1] + y})
}

// tileSquare is a lon/lat square of side metres at offset (x, y) from
// tileOrigin.
func tileSquare(x, y, side float64) orb.MultiPolygon {
	var ring orb.Ring
	for _, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
		ring = append(ring, at(x+d[0], y+d[1]))
	}
	return orb.MultiPolygon{{ring}}
}

func tilePath(layers string, z int, p orb.Point) string {
	x, y := tileXY(p, z)
	return "/tiles/" + layers + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y) + ".mvt"
}

type tileEnv struct {
	srv     *httptest.Server
	store   *pgstore.Store
	cache   *tilecache.Cache
	parcels []int64 // the 5×5 grid near the origin
	far     int64   // one parcel 4 km away, in another zoom-14 tile
	client  *http.Client
}

// newTileEnv serves one district, a 5×5 grid of 60 m parcels at the origin
// and one parcel 4 km away, with the change listener feeding the cache.
func newTileEnv(t *testing.T) *tileEnv {
	t.Helper()
	ctx := context.Background()
	store := openStore(t)
	e := &tileEnv{store: store, cache: tilecache.New(tilecache.Options{MaxBytes: 1 << 20}),
		client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", Outline: tileSquare(-6000, -6000, 12000)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25; i++ {
		id, err := store.InsertParcel(ctx, planning.Parcel{Code: "G" + strconv.Itoa(i), District: "330108", LandUse: "100101",
			Status: planning.StatusApproved, Outline: tileSquare(float64(i%5)*100, float64(i/5)*100, 60), Elevation: planning.Surface()})
		if err != nil {
			t.Fatal(err)
		}
		e.parcels = append(e.parcels, id)
	}
	var err error
	if e.far, err = store.InsertParcel(ctx, planning.Parcel{Code: "FAR", District: "330108", LandUse: "100101",
		Status: planning.StatusReserve, Outline: tileSquare(4000, 4000, 60), Elevation: planning.Surface()}); err != nil {
		t.Fatal(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	listening := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		store.ListenChangesWith(lctx, pgstore.ListenOptions{OnListen: func() { listening <- struct{}{} }}, e.cache.Invalidate)
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the change listener did not start")
	}
	e.srv = serve(t, web.Config{Version: "test", Tiles: e.cache}, store)
	return e
}

// get fetches path with the given request headers (name, value, ...).
func (e *tileEnv) get(t *testing.T, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, e.client, req, headers...)
}

// tileBytes is a tile response's body as rendered: gunzipped when the
// server sent it gzipped.
func tileBytes(t *testing.T, res *http.Response, b []byte) []byte {
	t.Helper()
	if res.Header.Get("Content-Encoding") == "gzip" {
		return gunzip(t, b)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("body is not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decode(t *testing.T, b []byte) []mvtread.Layer {
	t.Helper()
	l, err := mvtread.Decode(b)
	if err != nil {
		t.Fatalf("not a valid vector tile: %v", err)
	}
	return l
}

func ids(l *mvtread.Layer) []uint64 {
	var out []uint64
	if l != nil {
		for _, f := range l.Features {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

func TestTileIsValidMVTWithHeaders(t *testing.T) {
	e := newTileEnv(t)
	path := tilePath("parcels,districts", 14, at(10, 10))
	// A fresh tile goes out as rendered, even to a client that takes gzip.
	res0, raw := e.get(t, path, "Accept-Encoding", "gzip, deflate, br")
	if h := res0.Header; res0.StatusCode != 200 || h.Get("Content-Encoding") != "" || h.Get("X-Tile-Cache") != "miss" ||
		strings.HasSuffix(h.Get("ETag"), `-gz"`) || h.Get("Content-Length") != strconv.Itoa(len(raw)) {
		t.Fatalf("first GET %s: %d %v", path, res0.StatusCode, h)
	}
	// Asked again, it is gzipped (and kept so).
	res, body := e.get(t, path, "Accept-Encoding", "gzip, deflate, br")
	h := res.Header
	if res.StatusCode != 200 || h.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || h.Get("Content-Encoding") != "gzip" ||
		h.Get("Cache-Control") != "public, max-age=60" || !strings.HasSuffix(h.Get("ETag"), `-gz"`) || h.Get("Vary") != "Accept-Encoding" ||
		h.Get("Content-Length") != strconv.Itoa(len(body)) || len(body) >= len(raw) {
		t.Fatalf("second GET %s: %d %v (%d bytes, %d as rendered)", path, res.StatusCode, h, len(body), len(raw))
	}
	if !bytes.Equal(gunzip(t, body), raw) {
		t.Fatal("the gzipped tile is not the tile first sent")
	}
	if want := strings.TrimSuffix(h.Get("ETag"), `-gz"`) + `"`; res0.Header.Get("ETag") != want {
		t.Fatalf("fresh ETag %s, gzipped %s", res0.Header.Get("ETag"), h.Get("ETag"))
	}
	layers := decode(t, raw)
	// Drawing order, whatever the order asked.
	if got := mvtread.Names(layers); !slices.Equal(got, []string{"districts", "parcels"}) {
		t.Fatalf("layers %v", got)
	}
	var want []uint64
	for _, id := range e.parcels {
		want = append(want, uint64(id))
	}
	if got := ids(mvtread.Find(layers, "parcels")); !slices.Equal(got, want) {
		t.Fatalf("parcel ids %v, want %v", got, want)
	}
	if got := ids(mvtread.Find(layers, "districts")); !slices.Equal(got, []uint64{330108}) {
		t.Fatalf("district ids %v", got)
	}
	p := mvtread.Find(layers, "parcels").Features[0].Properties
	// Only what the map draws by (planning/catalog; underground only when true); the rest is
	// fetched on a click.
	for _, k := range []string{"land_use", "status", "kind"} {
		if _, ok := p[k]; !ok {
			t.Errorf("parcel property %s missing: %v", k, p)
		}
	}
	if p["status"] != "approved" || p["land_use"] != "100101" || len(p) != 3 {
		t.Errorf("parcel properties %v", p)
	}

	// Without gzip: the same tile, uncompressed, under its own ETag.
	res2, body2 := e.get(t, path, "Accept-Encoding", "gzip;q=0, identity")
	if res2.StatusCode != 200 || res2.Header.Get("Content-Encoding") != "" || !bytes.Equal(body2, raw) {
		t.Fatalf("identity: %d %v, %d bytes (gzip inflated: %d)", res2.StatusCode, res2.Header, len(body2), len(raw))
	}
	if want := strings.TrimSuffix(h.Get("ETag"), `-gz"`) + `"`; res2.Header.Get("ETag") != want {
		t.Fatalf("identity ETag %s, want %s", res2.Header.Get("ETag"), want)
	}
	if res2.Header.Get("X-Tile-Cache") != "hit" {
		t.Fatalf("second request of a tile: X-Tile-Cache %q", res2.Header.Get("X-Tile-Cache"))
	}
}

func TestTileETagAnswers304(t *testing.T) {
	e := newTileEnv(t)
	path := tilePath("parcels", 14, at(10, 10))
	res, _ := e.get(t, path, "Accept-Encoding", "gzip")
	fresh := res.Header.Get("ETag")
	res, _ = e.get(t, path, "Accept-Encoding", "gzip")
	tag := res.Header.Get("ETag")
	if strings.TrimSuffix(fresh, `"`)+`-gz"` != tag {
		t.Fatalf("ETags %s then %s: want the gzipped form of the same tag", fresh, tag)
	}
	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*", strings.Replace(tag, "-gz", "", 1)} {
		res, body := e.get(t, path, "Accept-Encoding", "gzip", "If-None-Match", inm)
		if res.StatusCode != 304 || len(body) != 0 || res.Header.Get("ETag") != tag {
			t.Errorf("If-None-Match %s: %d, %d bytes, ETag %s", inm, res.StatusCode, len(body), res.Header.Get("ETag"))
		}
	}
	if res, _ := e.get(t, path, "Accept-Encoding", "gzip", "If-None-Match", `"stale"`); res.StatusCode != 200 {
		t.Errorf("a stale ETag: %d", res.StatusCode)
	}
}

func TestEmptyTilesAnswer204(t *testing.T) {
	e := newTileEnv(t)
	for _, path := range []string{
		tilePath("parcels", 14, orb.Point{100, 10}), // far from any data
		tilePath("parcels", 9, at(10, 10)),          // below the parcels' zoom
		tilePath("protected-zones", 14, at(10, 10)), // no zone loaded
		tilePath("parcels", 22, at(3000, 3000)) + "?limit=5",
	} {
		res, body := e.get(t, path, "Accept-Encoding", "gzip")
		if res.StatusCode != 204 || len(body) != 0 || res.Header.Get("Cache-Control") == "" {
			t.Errorf("GET %s: %d, %d bytes", path, res.StatusCode, len(body))
		}
	}
}

func TestTileLimit(t *testing.T) {
	e := newTileEnv(t)
	_, body := e.get(t, tilePath("parcels", 14, at(10, 10))+"?limit=7", "Accept-Encoding", "identity")
	if n := len(mvtread.Find(decode(t, body), "parcels").Features); n != 7 {
		t.Fatalf("limit 7: %d parcels", n)
	}
}

func TestTileBadRequests(t *testing.T) {
	e := newTileEnv(t)
	checkRefusals(t, func(path string) (*http.Response, []byte) { return e.get(t, path) }, []badRequest{
		{"/tiles/parcels/23/0/0.mvt", 400, "z", "23"},
		{"/tiles/parcels/-1/0/0.mvt", 400, "z", "-1"},
		{"/tiles/parcels/1.5/0/0.mvt", 400, "z", "1.5"},
		{"/tiles/parcels/a/0/0.mvt", 400, "z", "a"},
		{"/tiles/parcels/2/4/0.mvt", 400, "x", "4"},
		{"/tiles/parcels/2/x/0.mvt", 400, "x", "x"},
		{"/tiles/parcels/2/+1/0.mvt", 400, "x", "+1"},
		{"/tiles/parcels/2/0/-1.mvt", 400, "y", "-1"},
		{"/tiles/parcels/2/0/4.mvt", 400, "y", "4"},
		{"/tiles/parcels/2/0/1.5.mvt", 400, "y", "1.5"},
		{"/tiles/parcels/14/0/99999999999999999999.mvt", 400, "y", "99999999999999999999"},
		{"/tiles/parcels/2/0/0.png", 404, "y", ".mvt"},
		{"/tiles/roads/2/0/0.mvt", 404, "layers", "roads"},
		{"/tiles/parcels,roads/2/0/0.mvt", 404, "layers", "roads"},
		{"/tiles/parcels,parcels/2/0/0.mvt", 400, "layers", "twice"},
		{"/tiles/parcels%3BDROP%20TABLE%20parcels/2/0/0.mvt", 404, "layers", "DROP"},
		{"/tiles/parcels/14/0/0.mvt?limit=0", 400, "limit", "0"},
		{"/tiles/parcels/14/0/0.mvt?limit=100001", 400, "limit", "100001"},
		{"/tiles/parcels/14/0/0.mvt?limit=x", 400, "limit", "x"},
		{"/tiles/roads.json", 404, "layers", "roads"},
	})
	// Other paths under /tiles: a JSON 404, not the map's page.
	res, b := e.get(t, "/tiles/parcels/1/2")
	if res.StatusCode != 404 || !strings.Contains(string(b), `"not_found"`) {
		t.Errorf("/tiles/parcels/1/2: %d %s", res.StatusCode, b)
	}
	// The injection attempt changed nothing.
	if n, _ := e.store.Count(context.Background()); n.Parcels != 26 {
		t.Fatalf("%d parcels after the bad requests", n.Parcels)
	}
}

// tileStats reads GET /api/tiles/stats.
func (e *tileEnv) tileStats(t *testing.T) tilecache.Stats {
	t.Helper()
	res, b := e.get(t, "/api/tiles/stats")
	var s tilecache.Stats
	if err := json.Unmarshal(b, &s); err != nil || res.StatusCode != 200 {
		t.Fatalf("stats: %d %s %v", res.StatusCode, b, err)
	}
	return s
}

func TestTileCacheHitsAndChangesInvalidate(t *testing.T) {
	e := newTileEnv(t)
	ctx := context.Background()
	here := tilePath("parcels", 14, at(10, 10))
	far := tilePath("parcels", 14, at(4010, 4010))
	if here == far {
		t.Fatal("test layout: the two tiles are one")
	}
	parcelsIn := func(path string) (cache string, got []uint64) {
		t.Helper()
		res, body := e.get(t, path, "Accept-Encoding", "gzip")
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return res.Header.Get("X-Tile-Cache"), ids(mvtread.Find(decode(t, tileBytes(t, res, body)), "parcels"))
	}
	if c, got := parcelsIn(here); c != "miss" || len(got) != 25 {
		t.Fatalf("first request: %s, %d parcels", c, len(got))
	}
	if c, _ := parcelsIn(here); c != "hit" {
		t.Fatalf("second request: %s", c)
	}
	if c, got := parcelsIn(far); c != "miss" || !slices.Equal(got, []uint64{uint64(e.far)}) {
		t.Fatalf("far tile: %s %v", c, got)
	}
	before := e.tileStats(t)
	if before.Hits != 1 || before.Misses != 2 || before.Entries != 2 || before.Bytes <= 0 || before.MaxBytes != 1<<20 {
		t.Fatalf("stats %+v", before)
	}

	// A new parcel inside the first tile, written straight to the
	// database: the notification drops that tile and only that one.
	id, err := e.store.InsertParcel(ctx, planning.Parcel{Code: "NEW", District: "330108", LandUse: "100101",
		Status: planning.StatusReserve, Outline: tileSquare(-300, 0, 50), Elevation: planning.Surface()})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.tileStats(t).Invalidated == before.Invalidated {
		if time.Now().After(deadline) {
			t.Fatal("the insert did not reach the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, got := parcelsIn(here)
	if c != "miss" || len(got) != 26 || !slices.Contains(got, uint64(id)) {
		t.Fatalf("after the insert: %s, %d parcels, new %d present: %v", c, len(got), id, slices.Contains(got, uint64(id)))
	}
	if c, _ := parcelsIn(far); c != "hit" {
		t.Fatalf("the far tile was dropped by a change elsewhere: %s", c)
	}
	after := e.tileStats(t)
	if after.Hits != before.Hits+1 || after.Invalidated != before.Invalidated+1 || after.Changes <= before.Changes {
		t.Fatalf("stats before %+v after %+v", before, after)
	}

	// Deleting the far parcel empties its tile.
	if _, err := e.store.Pool().Exec(ctx, "DELETE FROM parcels WHERE id = $1", e.far); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		res, _ := e.get(t, far, "Accept-Encoding", "gzip")
		if res.StatusCode == 204 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deleted parcel is still served")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTileJSON(t *testing.T) {
	e := newTileEnv(t)
	var tj struct {
		TileJSON     string    `json:"tilejson"`
		Name         string    `json:"name"`
		Tiles        []string  `json:"tiles"`
		MinZoom      int       `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		Bounds       []float64 `json:"bounds"`
		Center       []float64 `json:"center"`
		VectorLayers []struct {
			ID      string            `json:"id"`
			Fields  map[string]string `json:"fields"`
			MinZoom int               `json:"minzoom"`
			MaxZoom int               `json:"maxzoom"`
		} `json:"vector_layers"`
	}
	res, b := e.get(t, "/tiles/parcels.json", "Host", "maps.example.org")
	if err := json.Unmarshal(b, &tj); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	host := strings.TrimPrefix(e.srv.URL, "http://")
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != "http://"+host+"/tiles/parcels/{z}/{x}/{y}.mvt" ||
		tj.MinZoom != 10 || tj.MaxZoom != 22 || len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "parcels" ||
		tj.VectorLayers[0].Fields["status"] != "String" || tj.VectorLayers[0].Fields["parcels"] != "Number" || len(tj.Center) != 3 {
		t.Fatalf("TileJSON %+v", tj)
	}
	o := at(0, 0)
	if len(tj.Bounds) != 4 || tj.Bounds[0] > o[0] || tj.Bounds[2] < o[0] || tj.Bounds[1] > o[1] || tj.Bounds[3] < o[1] {
		t.Fatalf("bounds %v do not hold the data", tj.Bounds)
	}
	// Several layers, a limit, and the host the client used behind a TLS proxy.
	req, _ := http.NewRequest("GET", e.srv.URL+"/tiles/parcels,districts.json?limit=50", nil)
	req.Host = "maps.example.org"
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&tj); err != nil {
		t.Fatal(err)
	}
	if tj.Tiles[0] != "https://maps.example.org/tiles/districts,parcels/{z}/{x}/{y}.mvt?limit=50" || tj.MinZoom != 0 || len(tj.VectorLayers) != 2 {
		t.Fatalf("TileJSON for two layers: %+v", tj)
	}
	// And the URL it gives works.
	u := strings.NewReplacer("https://maps.example.org", "", "{z}", "14", "{x}", "", "{y}", "").Replace(tj.Tiles[0])
	if !strings.HasPrefix(u, "/tiles/districts,parcels/14//") {
		t.Fatalf("template %s", u)
	}
	if res, _ := e.get(t, tilePath("districts,parcels", 14, at(10, 10))+"?limit=50"); res.StatusCode != 200 {
		t.Fatalf("tile from the TileJSON template: %d", res.StatusCode)
	}
	if res, _ := e.get(t, "/tiles/parcels.json?limit=0"); res.StatusCode != 400 {
		t.Fatalf("TileJSON with limit=0: %d", res.StatusCode)
	}
}

// ---------------------------------------------------------------------------
// Benchmarks. A grid of 50,176 parcels (40 m squares, 10 m apart, 224 × 224)
// around 120.2E 30.2N, loaded with COPY; the zoom-14 tiles wholly inside it
// (about 1,500 parcels each) are requested round-robin by 8 goroutines.

type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

func loadBenchGrid(b *testing.B, store *pgstore.Store) (tiles [][3]int) {
	b.Helper()
	ctx := context.Background()
	centre := geo.To4549(orb.Point{120.2, 30.2})
	const side, step, n = 40.0, 50.0, 224
	sw := orb.Point{centre[0] - n*step/2, centre[1] - n*step/2}
	var district orb.Ring
	for _, d := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}, {-1, -1}} {
		district = append(district, geo.From4549(orb.Point{centre[0] + d[0]*8000, centre[1] + d[1]*8000}))
	}
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330106", NameZh: "西湖区", Outline: orb.MultiPolygon{{district}}}); err != nil {
		b.Fatal(err)
	}
	statuses := []string{"reserve", "approved", "supplied", "under_construction", "completed"}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n*n {
			return nil, nil
		}
		x, y := sw[0]+float64(i%n)*step, sw[1]+float64(i/n)*step
		var ring orb.Ring
		for _, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
			ring = append(ring, geo.From4549(orb.Point{x + d[0], y + d[1]}))
		}
		g, err := geo.ToMultiPolygonGeom(orb.MultiPolygon{{ring}}, geo.SRIDStore)
		row := []any{"BENCH-" + strconv.Itoa(i), "330106", "100101", statuses[i%len(statuses)], g}
		i++
		return row, err
	})
	// The grid cannot overlap itself: skip the per-row overlap search to load
	// in seconds. The outline check (which measures the area) still runs.
	if _, err := store.Pool().Exec(ctx, "ALTER TABLE parcels DISABLE TRIGGER parcels_b_no_overlap"); err != nil {
		b.Fatal(err)
	}
	if _, err := store.Pool().CopyFrom(ctx, pgx.Identifier{"parcels"}, []string{"code", "district_adcode", "land_use_code", "status", "geom"}, src); err != nil {
		b.Fatal(err)
	}
	if _, err := store.Pool().Exec(ctx, "ALTER TABLE parcels ENABLE TRIGGER parcels_b_no_overlap; ANALYZE parcels"); err != nil {
		b.Fatal(err)
	}
	lo := geo.From4549(sw)
	hi := geo.From4549(orb.Point{sw[0] + n*step, sw[1] + n*step})
	x0, y1 := tileXY(lo, 14)
	x1, y0 := tileXY(hi, 14)
	for x := x0 + 1; x < x1; x++ {
		for y := y0 + 1; y < y1; y++ {
			tiles = append(tiles, [3]int{14, x, y})
		}
	}
	return tiles
}

// BenchmarkTile compares, at 8 concurrent goroutines, the raw ST_AsMVT
// statement run on the pool (exactly what the store runs) with the HTTP
// handler without a cache (render, hash, write) and with a warm cache.
func BenchmarkTile(b *testing.B) {
	ctx := context.Background()
	store := openStoreAt(b, pgtest.URL(b), pgstore.Options{MaxConns: 8})
	tiles := loadBenchGrid(b, store)
	parallelism := (8 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)
	query := func(t [3]int) planning.TileQuery {
		return planning.TileQuery{Layers: []string{"parcels"}, Z: t[0], X: t[1], Y: t[2]}
	}
	nsPerOp := map[string]float64{}
	var tileBytes atomic.Int64
	for _, t := range tiles { // warm the database's buffers for every contender alike
		if _, err := store.Tile(ctx, query(t)); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("raw-st_asmvt", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sql, args, err := pgstore.TileSQL(query(tiles[next.Add(1)%int64(len(tiles))]))
				if err != nil {
					b.Fatal(err)
				}
				var mvt []byte
				if err := store.Pool().QueryRow(ctx, sql, args...).Scan(&mvt); err != nil || len(mvt) == 0 {
					b.Fatal(len(mvt), err)
				}
				tileBytes.Store(int64(len(mvt)))
			}
		})
		nsPerOp["raw"] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(float64(tileBytes.Load()), "tile-bytes")
	})

	handlerBench := func(name string, cache *tilecache.Cache, warm bool) {
		h := web.New(web.Config{Version: "bench", Tiles: cache}, store, quietLog())
		serve := func(t [3]int) {
			req := httptest.NewRequest("GET", "/tiles/parcels/"+strconv.Itoa(t[0])+"/"+strconv.Itoa(t[1])+"/"+strconv.Itoa(t[2])+".mvt", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req)
			if w.status != 200 || w.n == 0 {
				b.Fatalf("%v: %d, %d bytes", t, w.status, w.n)
			}
		}
		if warm {
			for _, t := range tiles {
				serve(t)
			}
		}
		b.Run(name, func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serve(tiles[next.Add(1)%int64(len(tiles))])
				}
			})
			nsPerOp[name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if raw := nsPerOp["raw"]; raw > 0 {
				b.ReportMetric(raw/nsPerOp[name], "x-raw-throughput")
			}
		})
	}
	uncached := tilecache.New(tilecache.Options{MaxBytes: 0})
	handlerBench("handler-uncached", uncached, false)
	cached := tilecache.New(tilecache.Options{MaxBytes: tilecache.DefaultMaxBytes})
	handlerBench("handler-cached", cached, true)
	b.Logf("%d zoom-14 tiles, %d goroutines; ns/op raw %.0f, handler uncached %.0f (%.2f× raw throughput), cached %.0f (%.1f×); uncached run shared %d renders of %d; cache %+v",
		len(tiles), parallelism*runtime.GOMAXPROCS(0), nsPerOp["raw"], nsPerOp["handler-uncached"], nsPerOp["raw"]/nsPerOp["handler-uncached"],
		nsPerOp["handler-cached"], nsPerOp["raw"]/nsPerOp["handler-cached"], uncached.Stats().Shared, uncached.Stats().Misses, cached.Stats())
}

// A change under a cached low-zoom tile drops it, and the server renders it
// again in the background: the next request is a hit that already counts
// the new parcel. A detailed (zoom-14) tile is left to the next request.
func TestLowZoomTilesAreWarmedAfterChanges(t *testing.T) {
	e := newTileEnv(t)
	ctx := context.Background()
	low := tilePath("parcels", 12, at(10, 10))
	high := tilePath("parcels", 14, at(10, 10))
	count := func(path, wantCache string) float64 {
		t.Helper()
		res, body := e.get(t, path, "Accept-Encoding", "gzip")
		if res.StatusCode != 200 || res.Header.Get("X-Tile-Cache") != wantCache {
			t.Fatalf("GET %s: %d %s, want 200 %s", path, res.StatusCode, res.Header.Get("X-Tile-Cache"), wantCache)
		}
		var n float64
		for _, f := range mvtread.Find(decode(t, tileBytes(t, res, body)), "parcels").Features {
			switch f.Properties["kind"] {
			case "aggregate":
				v, _ := f.Properties["parcels"].(uint64)
				n += float64(v)
			case "parcel":
				n++
			}
		}
		return n
	}
	if n := count(low, "miss"); n != 25 {
		t.Fatalf("zoom 12 counts %v parcels, want 25", n)
	}
	count(high, "miss")
	before := e.tileStats(t)
	if _, err := e.store.InsertParcel(ctx, planning.Parcel{Code: "NEW", District: "330108", LandUse: "100101",
		Status: planning.StatusReserve, Outline: tileSquare(-300, 0, 50), Elevation: planning.Surface()}); err != nil {
		t.Fatal(err)
	}
	// Both tiles are dropped; the low one comes back without a request.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := e.tileStats(t)
		if s.Invalidated == before.Invalidated+2 && s.Entries == before.Entries-1 && s.InFlight == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the low-zoom tile was not warmed: before %+v now %+v", before, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(low, "hit"); n != 26 {
		t.Fatalf("warmed zoom-12 tile counts %v parcels, want 26", n)
	}
	if n := count(high, "miss"); n != 26 {
		t.Fatalf("zoom-14 tile holds %v parcels, want 26", n)
	}
}

// A server started with WarmTiles renders the parcels' tiles of zooms 10 to
// 13 over the districts' extent in the background, so that the first view
// after a restart is drawn from the cache; the detailed zoom-14 tiles are
// left to the requests.
func TestLowZoomTilesAreWarmedAtStart(t *testing.T) {
	e := newTileEnv(t)
	ext, err := e.store.Extent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := int64(0)
	for z := 10; z <= 13; z++ {
		x0, y0, x1, y1 := tilecache.Covering(ext, z)
		want += int64((x1 - x0 + 1) * (y1 - y0 + 1))
	}
	if want < 4 {
		t.Fatalf("the district covers %d tiles of zooms 10-13; the test needs a district over several", want)
	}
	w := *e
	w.cache = tilecache.New(tilecache.Options{MaxBytes: 1 << 20})
	w.srv = serve(t, web.Config{Version: "test", Tiles: w.cache, WarmTiles: true}, e.store)
	// A cache that stores nothing (--tile-cache-mb 0) is not warmed: the renders would be thrown away.
	none := tilecache.New(tilecache.Options{})
	serve(t, web.Config{Version: "test", Tiles: none, WarmTiles: true}, e.store)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := w.cache.Stats()
		if s.Misses == want && s.InFlight == 0 {
			break
		}
		if s.Misses > want || time.Now().After(deadline) {
			t.Fatalf("warming at start rendered %d tiles (%d in flight), want the %d of zooms 10-13 over the districts", s.Misses, s.InFlight, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, z := range []int{10, 12, 13} {
		if res, _ := w.get(t, tilePath("parcels", z, at(10, 10))); res.StatusCode != 200 || res.Header.Get("X-Tile-Cache") != "hit" {
			t.Fatalf("zoom %d after warming: %d %s, want 200 hit", z, res.StatusCode, res.Header.Get("X-Tile-Cache"))
		}
	}
	if res, _ := w.get(t, tilePath("parcels", 14, at(10, 10))); res.Header.Get("X-Tile-Cache") != "miss" {
		t.Fatalf("zoom 14 after warming: %s, want miss (detailed tiles are not warmed)", res.Header.Get("X-Tile-Cache"))
	}
	// The server that was not asked to warm rendered nothing by itself, nor
	// did the one whose cache stores nothing (started before the warming
	// above ended).
	if s := e.cache.Stats(); s.Misses != 0 || s.Entries != 0 {
		t.Fatalf("a server without WarmTiles rendered %d tiles by itself", s.Misses)
	}
	if s := none.Stats(); s.Misses != 0 {
		t.Fatalf("a server whose cache stores nothing warmed %d tiles", s.Misses)
	}
}

package web_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/web"
)

// makeMBTiles makes a small raster MBTiles over Binjiang with GDAL: one
// magenta image, at zooms 10 and 11.
func makeMBTiles(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gdal_translate"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
	dir := t.TempDir()
	tif, mb := filepath.Join(dir, "m.tif"), filepath.Join(dir, "binjiang.mbtiles")
	for _, c := range [][]string{
		{"gdal_create", "-of", "GTiff", "-outsize", "256", "256", "-bands", "3", "-ot", "Byte", "-burn", "255", "-burn", "0", "-burn", "255",
			"-a_srs", "EPSG:3857", "-a_ullr", "13369000", "3530000", "13390000", "3509000", tif},
		{"gdal_translate", "-q", "-of", "MBTILES", tif, mb},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", c, err, out)
		}
	}
	return mb
}

func TestBasemapConfigFileAndCSP(t *testing.T) {
	if _, err := web.ParseBasemap("tianditu", ""); err == nil || !strings.Contains(err.Error(), "--tianditu-key") {
		t.Errorf("tianditu without a key: %v", err)
	}
	tdt, err := web.ParseBasemap("tianditu", "k3y")
	if err != nil || len(tdt) != 4 || tdt[1].Kind != "annotation" || tdt[1].Over != "vector" || !strings.Contains(tdt[0].URL, "vec_w/wmts") ||
		!strings.Contains(tdt[0].URL, "tk=k3y") || !strings.Contains(tdt[0].URL, "TILEMATRIX={z}") {
		t.Errorf("tianditu: %v %+v", err, tdt)
	}
	if c, _ := web.ParseBasemap("tianditu-cgcs2000", "k"); c[2].CRS != "EPSG:4490" || !strings.Contains(c[2].URL, "img_c") {
		t.Errorf("tianditu-cgcs2000: %+v", c)
	}
	wmts, err := web.ParseBasemap(`{"kind":"imagery","url":"https://img.example.cn/wmts/{TileMatrix}/{TileRow}/{TileCol}.jpg","attribution":"© 某测绘院","format":"jpg"}`, "")
	if err != nil || wmts[0].URL != "https://img.example.cn/wmts/{z}/{y}/{x}.jpg" {
		t.Errorf("WMTS template: %v %+v", err, wmts)
	}
	for spec, want := range map[string]string{
		`{"kind":"sky","url":"https://a/{z}/{x}/{y}"}`:                      "kind",
		`{"kind":"vector","url":"ftp://a/{z}/{x}/{y}"}`:                     "http(s)",
		`{"kind":"vector","url":"https://a/{z}/{x}"}`:                       "{y}",
		`{"kind":"vector","url":"https://{s}.a/{z}/{x}/{y}"}`:               "subdomains",
		`{"kind":"vector","url":"https://a/{z}/{x}/{y}","x":1}`:             "unknown field",
		`{"kind":"vector","url":"https://a/{z}/{x}/{y}","crs":"EPSG:2000"}`: "crs",
	} {
		if _, err := web.ParseBasemap(spec, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}

	file, err := web.OpenMBTiles(makeMBTiles(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if file.Meta.Format != "png" || file.Meta.Kind != "vector" || file.Meta.MaxZoom != 11 {
		t.Errorf("MBTiles meta %+v", file.Meta)
	}
	store := openStore(t)
	srv := serve(t, web.Config{Version: "test", Basemaps: append(tdt, wmts...), BasemapFile: file}, store)

	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	for _, h := range []string{"https://t0.tianditu.gov.cn", "https://t7.tianditu.gov.cn", "https://img.example.cn"} {
		if !strings.Contains(csp, "img-src 'self' data: blob: ") || !strings.Contains(csp[strings.Index(csp, "img-src"):], h) {
			t.Errorf("CSP lacks %s: %s", h, csp)
		}
	}
	var list struct{ Basemaps []web.Basemap }
	get(t, srv.URL+"/api/basemaps", &list)
	if len(list.Basemaps) != 6 || list.Basemaps[0].URL != "/basemap/{z}/{x}/{y}" {
		t.Errorf("basemaps: %+v", list.Basemaps)
	}
	// Tile 11/1707/844 is mostly the image: magenta; far away: no content.
	res, b := fetchRaw(t, srv.URL+"/basemap/11/1707/844")
	img, err := png.Decode(bytes.NewReader(b))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || err != nil {
		t.Fatalf("tile: %d %v %v", res.StatusCode, res.Header, err)
	}
	if r, g, bl, _ := img.At(200, 50).RGBA(); r>>8 != 255 || g>>8 != 0 || bl>>8 != 255 {
		t.Errorf("tile pixel %d,%d,%d", r>>8, g>>8, bl>>8)
	}
	for path, want := range map[string]int{"/basemap/11/0/0": 204, "/basemap/99/0/0": 400, "/basemap/3/9/0": 400} {
		if res, _ := http.Get(srv.URL + path); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestVectorMBTiles: a vector tile package (GDAL's MVT driver) counts as a
// street map and its gzipped tiles go out as such.
func TestVectorMBTiles(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
	dir := t.TempDir()
	src, mb := filepath.Join(dir, "p.geojson"), filepath.Join(dir, "v.mbtiles")
	os.WriteFile(src, []byte(fc(parcelFeature("V-1", "100101", square(0, 0, 500)))), 0o644)
	if out, err := exec.Command("ogr2ogr", "-f", "MVT", mb, src, "-dsco", "FORMAT=MBTILES", "-dsco", "MINZOOM=12", "-dsco", "MAXZOOM=12").CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v %s", err, out)
	}
	file, err := web.OpenMBTiles(mb, "")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if file.Meta.Format != "pbf" || file.Meta.Kind != "vector" || file.Meta.MinZoom != 12 {
		t.Fatalf("meta %+v", file.Meta)
	}
	// The tile of 120.21°E 30.19°N at zoom 12.
	b, err := file.Tile(context.Background(), 12, 3415, 1687)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("tile: %v %x", err, b[:min(len(b), 4)])
	}
}

package importer

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// needGDAL skips a test when ogr2ogr is not installed.
func needGDAL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
}

// ogr runs ogr2ogr.
func ogr(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ogr2ogr", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
	}
}

// parcelsGeoJSON writes n parcels in a row with Chinese text and old codes.
func parcelsGeoJSON(t *testing.T, dir string) string {
	t.Helper()
	var fs []string
	for i, c := range []struct{ code, dlbm, dlmc string }{{"工业用地-1", "0601", "工业用地"}, {"仓储-2", "0508", "物流仓储用地"}, {"村道-3", "1006", "农村道路"}} {
		fs = append(fs, feature(geotest.Square(float64(i)*100, 0, 50), map[string]any{"DKBH": c.code, "DLBM": c.dlbm, "DLMC": c.dlmc, "ZT": "储备"}))
	}
	p := filepath.Join(dir, "src.geojson")
	if err := os.WriteFile(p, []byte(collection(fs...)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFile(t *testing.T, path string, open OpenOptions) (*imports.Report, *captureStore) {
	t.Helper()
	src, err := Open(context.Background(), path, open)
	if err != nil {
		t.Fatal(err)
	}
	st := &captureStore{}
	rep, err := Import(context.Background(), st, src, Request{Request: imports.Request{Layer: imports.Parcels, DryRun: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep, st
}

func codes(st *captureStore) string {
	var out []string
	for _, r := range st.rows {
		out = append(out, r.Key+"="+r.Values[imports.FieldIndex(imports.Parcels, "land_use")].(string))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

const wantCodes = "仓储-2=1101,工业用地-1=1001,村道-3=0601"

func TestGBKShapefile(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	src := parcelsGeoJSON(t, dir)
	shp := filepath.Join(dir, "gbk.shp")
	// An ArcGIS-style Shapefile: GBK text (with its .cpg), Gauss-Krüger metres.
	ogr(t, "-f", "ESRI Shapefile", shp, src, "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4549")
	if b, _ := os.ReadFile(filepath.Join(dir, "gbk.cpg")); strings.TrimSpace(string(b)) != "GBK" {
		t.Fatalf(".cpg holds %q", b)
	}
	rep, st := importFile(t, shp, OpenOptions{})
	if codes(st) != wantCodes {
		t.Errorf("with .cpg: %s", codes(st))
	}
	if rep.Source.SRID != 4549 || rep.Source.SRIDFrom != ".prj" || rep.Source.Encoding != "GBK (read as GB18030, its superset)" || rep.Source.EncodingFrom != ".cpg" ||
		rep.Source.LandUseScheme != "gbt21010" {
		t.Errorf("source %+v", rep.Source)
	}
	p := st.rows[0].Geom[0][0][0]
	if p[0] < 120.2 || p[0] > 120.22 || p[1] < 30.18 || p[1] > 30.2 {
		t.Errorf("not transformed back to lon/lat: %v", p)
	}
	// Without the .cpg GDAL passes the bytes through: detected as GB18030 (a superset of GBK).
	os.Remove(filepath.Join(dir, "gbk.cpg"))
	rep, st = importFile(t, shp, OpenOptions{})
	if codes(st) != wantCodes || len(rep.IssuesOf(imports.KindEncoding)) != 1 {
		t.Errorf("without .cpg: %s %+v", codes(st), rep.Issues)
	}
	// --encoding tells GDAL.
	rep, st = importFile(t, shp, OpenOptions{Encoding: "GBK"})
	if codes(st) != wantCodes || len(rep.IssuesOf(imports.KindEncoding)) != 0 || rep.Source.EncodingFrom != "--encoding" {
		t.Errorf("--encoding: %s %+v %+v", codes(st), rep.Issues, rep.Source)
	}
	// In a zip, and in a folder.
	zp := filepath.Join(t.TempDir(), "parcels.zip")
	zipDir(t, dir, zp, ".shp", ".shx", ".dbf", ".prj")
	if _, st = importFile(t, zp, OpenOptions{Encoding: "GB18030"}); codes(st) != wantCodes {
		t.Errorf("zip: %s", codes(st))
	}
	if _, st = importFile(t, dir, OpenOptions{Encoding: "GBK"}); codes(st) != wantCodes {
		t.Errorf("folder: %s", codes(st))
	}
	// A missing part is named.
	os.Remove(filepath.Join(dir, "gbk.dbf"))
	if _, err := Open(context.Background(), shp, OpenOptions{}); err == nil || !strings.Contains(err.Error(), ".dbf") {
		t.Errorf("missing .dbf: %v", err)
	}
	// Without a .prj and in metres: the fix is named.
	os.Remove(filepath.Join(dir, "gbk.prj"))
	ogr(t, "-f", "ESRI Shapefile", filepath.Join(dir, "noprj.shp"), src, "-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:4549")
	os.Remove(filepath.Join(dir, "noprj.prj"))
	rep, _ = importFile(t, filepath.Join(dir, "noprj.shp"), OpenOptions{})
	if is := rep.IssuesOf(imports.KindCoordinates); len(is) != 3 || !strings.Contains(is[0].Message, "give it with --srid 4549") {
		t.Errorf("no .prj: %+v", rep.Issues)
	}
	if _, st = importFile(t, filepath.Join(dir, "noprj.shp"), OpenOptions{SRID: 4549}); codes(st) != wantCodes {
		t.Errorf("--srid: %s", codes(st))
	}
}

func zipDir(t *testing.T, dir, out string, exts ...string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, x := range exts {
			if strings.HasSuffix(e.Name(), x) {
				w, _ := zw.Create("data/" + e.Name())
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				w.Write(b)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOtherFormats(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	src := parcelsGeoJSON(t, dir)
	// A GeoPackage with two layers needs --source-layer.
	gpkg := filepath.Join(dir, "two.gpkg")
	ogr(t, "-f", "GPKG", gpkg, src, "-nln", "first")
	ogr(t, "-update", "-f", "GPKG", gpkg, src, "-nln", "second", "-t_srs", "EPSG:4528")
	if _, err := Open(context.Background(), gpkg, OpenOptions{}); err == nil || !strings.Contains(err.Error(), "first, second") {
		t.Errorf("two layers: %v", err)
	}
	rep, st := importFile(t, gpkg, OpenOptions{SourceLayer: "second"})
	if codes(st) != wantCodes || rep.Source.SRID != 4528 || rep.Source.SourceLayer != "second" {
		t.Errorf("gpkg: %s %+v", codes(st), rep.Source)
	}
	// A CSV with a WKT column, as landquota exports it, but in GBK (Excel on a Chinese Windows).
	csv := "\xef\xbb\xbfDKBH,DLBM,ZT,wkt\n"
	for i, c := range []struct{ code, dlbm string }{{"工业用地-1", "0601"}, {"仓储-2", "0508"}, {"村道-3", "1006"}} {
		r := geotest.Square(float64(i)*100, 0, 50)
		csv += c.code + "," + c.dlbm + ",储备,\"POLYGON((" + ringWKT(r) + "))\"\n"
	}
	gbk, _ := encodeGBK(csv[3:])
	os.WriteFile(filepath.Join(dir, "gbk.csv"), []byte(gbk), 0o644)
	rep, st = importFile(t, filepath.Join(dir, "gbk.csv"), OpenOptions{})
	if codes(st) != wantCodes {
		t.Errorf("GBK csv: %s %+v", codes(st), rep.Issues)
	}
	// A Beijing 1954 file is transformed by GDAL, with a warning.
	ogr(t, "-f", "GPKG", filepath.Join(dir, "bj54.gpkg"), src, "-t_srs", "EPSG:2436")
	rep, st = importFile(t, filepath.Join(dir, "bj54.gpkg"), OpenOptions{})
	if len(st.rows) != 3 || len(rep.IssuesOf(imports.KindTransform)) != 1 || rep.Source.TransformedBy != "GDAL" {
		t.Errorf("Beijing 1954: %d rows, %+v %+v", len(st.rows), rep.Issues, rep.Source)
	}
}

func ringWKT(r orb.Ring) string {
	var parts []string
	for _, p := range r {
		parts = append(parts, strconv.FormatFloat(p[0], 'f', -1, 64)+" "+strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	return strings.Join(parts, ",")
}

func encodeGBK(s string) (string, error) { return simplifiedchinese.GBK.NewEncoder().String(s) }

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	cases := map[string]string{
		write("a.xlsx", "PK\x03\x04"):         "spreadsheet",
		write("a.txt", "hello"):               "not a format",
		write("a.zip", "PK\x03\x04broken"):    "not a readable .zip",
		write("b.shp", "x"):                   ".dbf",
		filepath.Join(dir, "missing.geojson"): "cannot open",
		write("c.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`): "EPSG:3857",
		write("d.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"local"}},"features":[]}`):     "does not know",
		write("e.geojson", `{"type":"FeatureCollection","features":[NaN]}`):                                                      "NaN",
	}
	for path, want := range cases {
		_, err := Open(context.Background(), path, OpenOptions{})
		if err == nil || !strings.Contains(err.Error(), want) || planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("Open(%s): %v; want an invalid error with %q", filepath.Base(path), err, want)
		}
	}
	if _, err := Open(context.Background(), t.TempDir(), OpenOptions{}); err == nil || !strings.Contains(err.Error(), "no Shapefile") {
		t.Errorf("empty folder: %v", err)
	}
	// A zip of GeoJSON is read without GDAL.
	zp := filepath.Join(t.TempDir(), "g.zip")
	f, _ := os.Create(zp)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("parcels.geojson")
	w.Write([]byte(collection(feature(geotest.Square(0, 0, 50), map[string]any{"code": "A", "land_use": "1001", "status": "reserve"}))))
	zw.Close()
	f.Close()
	if _, st := importFile(t, zp, OpenOptions{}); len(st.rows) != 1 {
		t.Errorf("zipped GeoJSON: %d rows", len(st.rows))
	}
}

func TestNoGDAL(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	shp := filepath.Join(dir, "a.shp")
	for _, ext := range []string{".shp", ".shx", ".dbf"} {
		os.WriteFile(strings.TrimSuffix(shp, ".shp")+ext, []byte("x"), 0o644)
	}
	_, err := Open(context.Background(), shp, OpenOptions{})
	if err == nil || !strings.Contains(err.Error(), "gdal-bin") || !strings.Contains(err.Error(), "apt-get install gdal-bin") {
		t.Errorf("without GDAL: %v", err)
	}
	var pe *planning.Error
	if !errors.As(err, &pe) || pe.Details["package"] != "gdal-bin" {
		t.Errorf("details: %v", err)
	}
}

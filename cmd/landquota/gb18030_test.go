package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// rare is text GBK cannot hold: 㙟 (U+365F, CJK Extension A) and 𠀀
// (U+20000, four bytes in GB18030).
const rare = "㙟村-𠀀1"

// owner is a 权属单位名称 with both.
const owner = "㙟村经济合作社𠀀"

// TestGB18030BothWays: text outside GBK survives a Shapefile export and
// import in GB18030, a GBK export refuses it naming the field and value, and
// files labelled GBK (a .cpg of 936, --encoding GBK) are read as GB18030.
func TestGB18030BothWays(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
	db := pgtest.URL(t)
	dir := t.TempDir()
	districts, _ := writeWorld(t, dir, 1)
	must(t, db, "import", "districts", districts)
	parcels := filepath.Join(dir, "rare.geojson")
	// Besides the modelled fields: name, owner and remarks, and attributes
	// landquota has no column for (text, a number, a long field name).
	os.WriteFile(parcels, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"DKBH":"`+rare+`","DLBM":"0601","ZT":"储备",`+
		`"XMMC":"滨江智造园一期","QSDWMC":"`+owner+`","BZ":"南侧待拆迁","DLMC":"工业用地","ZLDWMC":"浦沿街道","Shape_Leng":60.25,"TDSYQLXMC_LONG":"国有建设用地使用权"},`+
		`"geometry":{"type":"Polygon","coordinates":`+squareJSON(0, 0, 15)+`}}]}`), 0o644)
	if out := must(t, db, "import", "parcels", parcels); !strings.Contains(out, "kept as attributes: DLMC, Shape_Leng, TDSYQLXMC_LONG, ZLDWMC") {
		t.Errorf("import: %s", out)
	}
	if got := queryOne[string](t, db, `SELECT name || '|' || owner || '|' || remarks || '|' || attributes::text FROM parcels`); got !=
		`滨江智造园一期|`+owner+`|南侧待拆迁|{"DLMC": "工业用地", "ZLDWMC": "浦沿街道", "Shape_Leng": 60.25, "TDSYQLXMC_LONG": "国有建设用地使用权"}` {
		t.Errorf("stored %s", got)
	}
	before := parcelSum(t, db)
	// Every format gives them back, the attributes as columns of their own.
	gj, _ := landquota(t, db, "export", "parcels", "--format", "geojson", "-o", "-")
	csv, _ := landquota(t, db, "export", "parcels", "--format", "csv", "-o", "-")
	for _, want := range []string{`"owner":"` + owner + `"`, `"DLMC":"工业用地"`, `"Shape_Leng":60.25`, `"TDSYQLXMC_LONG":"国有建设用地使用权"`} {
		if !strings.Contains(gj, want) {
			t.Errorf("GeoJSON export lacks %s:\n%s", want, gj)
		}
	}
	if !strings.Contains(csv, "updated_at,name,owner,remarks,DLMC,Shape_Leng,TDSYQLXMC_LONG,ZLDWMC,wkt") || !strings.Contains(csv, owner) {
		t.Errorf("CSV export:\n%s", csv)
	}
	gpkg := filepath.Join(dir, "p.gpkg")
	must(t, db, "export", "parcels", "-o", gpkg)
	if info, _ := exec.Command("ogrinfo", "-al", "-q", gpkg).CombinedOutput(); !strings.Contains(string(info), "TDSYQLXMC_LONG (String) = 国有建设用地使用权") ||
		!strings.Contains(string(info), "Shape_Leng (Real) = 60.25") {
		t.Errorf("GeoPackage:\n%s", info)
	}
	if out := must(t, db, "import", "parcels", gpkg, "--mode", "upsert"); !strings.Contains(out, "0 inserted") || parcelSum(t, db) != before {
		t.Errorf("GeoPackage re-import: %s", out)
	}

	out, err := landquota(t, db, "export", "parcels", "-o", filepath.Join(dir, "gbk.shp"), "--encoding", "GBK")
	if err == nil || !strings.Contains(out, "CODE") || !strings.Contains(out, rare) || !strings.Contains(out, "GB18030") {
		t.Errorf("GBK export of %s: %v %s", rare, err, out)
	}

	shp := filepath.Join(dir, "g", "parcels.shp")
	os.Mkdir(filepath.Dir(shp), 0o755)
	must(t, db, "export", "parcels", "-o", shp, "--encoding", "GB18030")
	cpg := strings.TrimSuffix(shp, ".shp") + ".cpg"
	if b, _ := os.ReadFile(cpg); strings.TrimSpace(string(b)) != "GB18030" {
		t.Errorf(".cpg holds %q", b)
	}
	if info, _ := exec.Command("ogrinfo", "-al", "-q", shp).CombinedOutput(); !strings.Contains(string(info), "CODE (String) = "+rare) ||
		!strings.Contains(string(info), "OWNER (String) = "+owner) || !strings.Contains(string(info), "TDSYQLXM_3 (String) = 国有建设用地使用权") {
		t.Errorf("ogrinfo reads:\n%s", info)
	}
	// A DBF field name holds 10 bytes: the long one comes back cut and
	// numbered, everything else as it was.
	if out := must(t, db, "import", "parcels", shp, "--mode", "upsert"); !strings.Contains(out, "0 inserted, 1 updated") {
		t.Errorf("re-import: %s", out)
	}
	if got := queryOne[string](t, db, `SELECT code || '|' || name || '|' || owner || '|' || remarks || '|' || attributes::text FROM parcels`); got !=
		rare+`|滨江智造园一期|`+owner+`|南侧待拆迁|{"DLMC": "工业用地", "ZLDWMC": "浦沿街道", "Shape_Leng": 60.25, "TDSYQLXM_3": "国有建设用地使用权"}` {
		t.Errorf("after the Shapefile: %s", got)
	}
	before = parcelSum(t, db)
	// The .cpg our older exports wrote (936), and --encoding GBK: read as GB18030.
	os.WriteFile(cpg, []byte("936"), 0o644)
	if out := must(t, db, "import", "parcels", shp, "--mode", "upsert"); strings.Contains(out, "01村") || parcelSum(t, db) != before {
		t.Errorf("re-import with .cpg 936: %s", out)
	}
	os.Remove(cpg)
	if out := must(t, db, "import", "parcels", shp, "--mode", "upsert", "--encoding", "GBK"); parcelSum(t, db) != before {
		t.Errorf("re-import with --encoding GBK: %s", out)
	}
}

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
	os.WriteFile(parcels, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"DKBH":"`+rare+`","DLBM":"0601","ZT":"储备"},"geometry":{"type":"Polygon","coordinates":`+squareJSON(0, 0, 15)+`}}]}`), 0o644)
	must(t, db, "import", "parcels", parcels)
	before := parcelSum(t, db)

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
	if info, _ := exec.Command("ogrinfo", "-al", "-q", shp).CombinedOutput(); !strings.Contains(string(info), "CODE (String) = "+rare) {
		t.Errorf("ogrinfo reads:\n%s", info)
	}
	if out := must(t, db, "import", "parcels", shp, "--mode", "upsert"); !strings.Contains(out, "0 inserted") || parcelSum(t, db) != before {
		t.Errorf("re-import: %s", out)
	}
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

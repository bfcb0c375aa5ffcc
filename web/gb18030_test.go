package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestGB18030OverHTTP: a code with 㙟 and 𠀀 (outside GBK) comes back from
// a GB18030 Shapefile download, a GBK download is refused naming the field
// and value, and the zip uploaded again with a .cpg of 936 changes nothing.
func TestGB18030OverHTTP(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
	const rare = "㙟村-𠀀1"
	e, tok := importEnv(t)
	if r := e.send("POST", "/api/imports?layer=parcels&wait=true", strings.NewReader(fc(parcelFeature(rare, "100101", square(0, 0, 50)))), "Authorization", tok["admin1"]); r.StatusCode != 201 {
		t.Fatalf("import: %d %s", r.StatusCode, r.raw)
	}
	r := e.send("GET", "/api/exports/parcels?format=shp&encoding=GBK", nil)
	if r.StatusCode != 400 || str(r.body, "error", "details", "field") != "CODE" || str(r.body, "error", "details", "value") != rare {
		t.Errorf("GBK download: %d %s", r.StatusCode, r.raw)
	}
	res, b := fetchRaw(t, e.url+"/api/exports/parcels?format=shp&encoding=GB18030")
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("GB18030 download: %d %v", res.StatusCode, err)
	}
	// The same files with the .cpg older software writes for GBK.
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if strings.HasSuffix(f.Name, ".cpg") {
			rc, _ := f.Open()
			cpg, _ := io.ReadAll(rc)
			rc.Close()
			if string(cpg) != "GB18030" {
				t.Errorf(".cpg holds %q", cpg)
			}
			w.Write([]byte("936"))
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	rd, ct := multipartBody(t, "parcels.zip", out.Bytes(), "layer", "parcels", "mode", "upsert", "wait", "true")
	r = e.send("POST", "/api/imports", rd, "Authorization", tok["admin1"], "Content-Type", ct)
	counts, _ := r.body["counts"].(map[string]any)
	if r.StatusCode != 201 || counts["unchanged"] != 1.0 {
		t.Errorf("upload with .cpg 936: %d %s", r.StatusCode, r.raw)
	}
	var code string
	if err := e.store.Pool().QueryRow(context.Background(), "SELECT string_agg(code, ',') FROM parcels").Scan(&code); err != nil || code != rare {
		t.Errorf("stored codes %q %v", code, err)
	}
}

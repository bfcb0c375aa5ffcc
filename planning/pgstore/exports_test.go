package pgstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
)

// richWorld is a small geography with every kind of value a parcel has.
func richWorld(t *testing.T) *pgstore.Store {
	t.Helper()
	s := worldStore(t)
	ctx := context.Background()
	if err := s.InsertPark(ctx, planning.Park{Code: "BINFU", NameZh: "杭州高新区(滨江)富阳特别合作区", NameEn: "Binfu", Kind: planning.ParkSpecialCooperationZone,
		HostDistrict: "330108", Outline: rect(-2000, -2000, 2000, 2000)}); err != nil {
		t.Fatal(err)
	}
	for _, z := range []planning.ProtectedZone{
		{ID: 3, Kind: planning.ZoneDevBoundary, Name: "城镇开发边界", Outline: rect(-4000, -4000, 4000, 4000)},
		{ID: 9, Kind: planning.ZoneFarmland, Name: "永久基本农田\"甲\"", Outline: rect(3000, 3000, 3500, 3500)},
	} {
		if _, err := s.InsertZone(ctx, z); err != nil {
			t.Fatal(err)
		}
	}
	// A parcel with a hole, one of two parts, and an underground right.
	holed := rect(0, 0, 100, 100)
	holed[0] = append(holed[0], rect(20, 20, 40, 40)[0][0].Clone())
	holed[0][1].Reverse()
	twoParts := append(rect(300, 0, 350, 50), rect(400, 0, 450, 50)...)
	parcels := []planning.Parcel{
		{Code: "滨江-工业-001", District: "330108", Park: "BINFU", LandUse: "100101", Status: planning.StatusSupplied, Outline: holed,
			PlotRatio: ptr(2.5), BuildingDensity: ptr(0.45), GreenRatio: ptr(0.2), SupplyMethod: planning.SupplySale,
			ApprovalKind: planning.ApprovalCityBatch, ApprovedOn: pgtest.Day("2023-01-05"), SuppliedOn: pgtest.Day("2023-06-30"),
			AgreedStartOn: pgtest.Day("2023-12-01"), ActualStartOn: pgtest.Day("2024-02-01"), Elevation: planning.Surface(), ConstructionLand: true},
		{Code: "R-2", District: "330108", LandUse: "070102", Status: planning.StatusReserve, Outline: rect(200, 0, 280, 80),
			Affordable: true, Elevation: planning.Surface(), GovernmentDelay: true},
		{Code: "M-3", District: "330108", LandUse: "0802", Status: planning.StatusCompleted, Outline: twoParts,
			ActualStartOn: pgtest.Day("2020-01-01"), CompletedOn: pgtest.Day("2021-03-04"), Elevation: planning.Surface()},
		{Code: "地下-4", District: "330108", Park: "BINFU", LandUse: "1207", Status: planning.StatusApproved, Outline: rect(0, 0, 100, 100),
			Elevation: planning.Elevation{Bottom: ptr(-30.5), Top: ptr(-5.0)}},
		{Code: "W,5 \"quoted\"", District: "330108", LandUse: "110102", Status: planning.StatusInProduction, Outline: rect(600, 600, 700, 690),
			PlotRatio: ptr(1.0), Elevation: planning.Surface(), SupplyMethod: planning.SupplyAllocation, ApprovalKind: planning.ApprovalSingleSite},
	}
	for _, p := range parcels {
		mustInsertParcel(t, s, p)
	}
	// The facts a later migration added, where it is applied.
	s.Pool().Exec(ctx, "UPDATE parcels SET developed_share = 0.25, invested_share = 0.1, halted_since = '2024-06-01', land_price_wan = 1234.5 WHERE code = '滨江-工业-001'")
	return s
}

// parcelRows reads every parcel by code: its values (not ids or clocks)
// and its outline as text.
func parcelRows(t *testing.T, s *pgstore.Store) map[string]map[string]any {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), `SELECT code, to_jsonb(p) - 'id' - 'created_at' - 'updated_at' - 'geom' - 'area_m2',
		ST_AsText(geom), area_m2 FROM parcels p ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]any{}
	for rows.Next() {
		var code, wkt string
		var vals map[string]any
		var area float64
		if err := rows.Scan(&code, &vals, &wkt, &area); err != nil {
			t.Fatal(err)
		}
		vals["wkt"], vals["area_m2"] = wkt, area
		out[code] = vals
	}
	return out
}

// sameParcels compares two databases' parcels: values exactly, outlines
// and areas exactly (lossless formats) or within tol degrees and m².
func sameParcels(t *testing.T, what string, a, b map[string]map[string]any, tol float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d parcels, want %d", what, len(b), len(a))
	}
	for code, va := range a {
		vb, ok := b[code]
		if !ok {
			t.Errorf("%s: parcel %q is missing", what, code)
			continue
		}
		for k, x := range va {
			y := vb[k]
			switch k {
			case "wkt":
				if !sameWKT(x.(string), y.(string), tol) {
					t.Errorf("%s: %s outline\n%s\nwant\n%s", what, code, y, x)
				}
			case "area_m2":
				if math.Abs(x.(float64)-y.(float64)) > tol*1e6+1e-9 {
					t.Errorf("%s: %s area %v, want %v", what, code, y, x)
				}
			default:
				if fmt.Sprint(x) != fmt.Sprint(y) {
					t.Errorf("%s: %s %s = %v, want %v", what, code, k, y, x)
				}
			}
		}
	}
}

func sameWKT(a, b string, tol float64) bool {
	if tol == 0 {
		return a == b
	}
	na, nb := numbers(a), numbers(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		if math.Abs(na[i]-nb[i]) > tol {
			return false
		}
	}
	return true
}

func numbers(s string) []float64 {
	var out []float64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '(' || r == ')' || (r >= 'A' && r <= 'Z') }) {
		var x float64
		fmt.Sscan(f, &x)
		out = append(out, x)
	}
	return out
}

// export writes one layer to a file in dir and returns its path.
func export(t *testing.T, s *pgstore.Store, layer imports.Layer, format imports.Format, srid int, dir string) string {
	t.Helper()
	q := imports.ExportQuery{Layer: layer, Format: format, SRID: srid, Precision: -1}
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, q.FileName())
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Export(context.Background(), s, q, f); err != nil {
		t.Fatalf("export %s as %s: %v", layer, format, err)
	}
	return p
}

func TestExportImportRoundTrip(t *testing.T) {
	src := richWorld(t)
	want := parcelRows(t, src)
	hasGDAL := true
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		hasGDAL = false
	}
	cases := []struct {
		format imports.Format
		srid   int
		tol    float64 // degrees; 0: identical
	}{
		{imports.FormatGeoJSON, 4490, 0},
		{imports.FormatGeoJSON, 4549, 1e-9},
		{imports.FormatShp, 4490, 0},
		{imports.FormatShp, 4528, 1e-9},
		{imports.FormatGPKG, 4490, 0},
		{imports.FormatCSV, 4490, 0},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s-%d", c.format, c.srid)
		t.Run(name, func(t *testing.T) {
			if c.format != imports.FormatGeoJSON && !hasGDAL {
				t.Skip("GDAL (gdal-bin) is not installed")
			}
			dir := t.TempDir()
			dst := openStore(t)
			for _, l := range imports.Layers {
				p := export(t, src, l, c.format, c.srid, dir)
				rep := runImport(t, dst, l, p, importer.OpenOptions{}, importer.Request{})
				if rep.Outcome != imports.OutcomeCommitted || rep.Counts.Warnings > 0 {
					t.Fatalf("%s: %s %+v", l, rep.Message, rep.Issues)
				}
			}
			sameParcels(t, name, want, parcelRows(t, dst), c.tol)
			var zones string
			dst.Pool().QueryRow(context.Background(), "SELECT string_agg(id || ':' || kind || ':' || name, ',' ORDER BY id) FROM protected_zones").Scan(&zones)
			if zones != `3:urban_development_boundary:城镇开发边界,9:permanent_basic_farmland:永久基本农田"甲"` {
				t.Errorf("zones %s", zones)
			}
			var park string
			dst.Pool().QueryRow(context.Background(), "SELECT code || ':' || name_zh || ':' || kind || ':' || host_district FROM parks").Scan(&park)
			if park != "BINFU:杭州高新区(滨江)富阳特别合作区:special_cooperation_zone:330108" {
				t.Errorf("park %s", park)
			}
			// Importing the export again (upsert) changes nothing.
			before := tableSum(t, dst)
			rep := runImport(t, dst, imports.Parcels, export(t, src, imports.Parcels, c.format, c.srid, t.TempDir()), importer.OpenOptions{}, importer.Request{Request: imports.Request{Mode: imports.ModeUpsert}})
			if c.tol == 0 && (rep.Counts.Unchanged != int64(len(want)) || tableSum(t, dst) != before) {
				t.Errorf("re-import: %+v", rep.Counts)
			}
		})
	}
}

func TestExportFormats(t *testing.T) {
	s := richWorld(t)
	ctx := context.Background()
	dir := t.TempDir()
	// GeoJSON: CGCS2000 named, ids, all properties.
	b, _ := os.ReadFile(export(t, s, imports.Parcels, imports.FormatGeoJSON, 4490, dir))
	var fc struct {
		CRS      struct{ Properties struct{ Name string } }
		Features []struct {
			ID         int64
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) != 5 || fc.CRS.Properties.Name != "urn:ogc:def:crs:EPSG::4490" {
		t.Fatalf("geojson: %v %d %q", err, len(fc.Features), fc.CRS.Properties.Name)
	}
	p := fc.Features[0].Properties
	if p["code"] != "滨江-工业-001" || p["land_use_zh"] != "一类工业用地" || p["area_hm2"] != 0.96 || p["approved_on"] != "2023-01-05" || p["construction_land"] != true {
		t.Errorf("properties %v", p)
	}
	// CSV: a byte-order mark for Excel, a header, WKT last.
	b, _ = os.ReadFile(export(t, s, imports.Parcels, imports.FormatCSV, 4490, dir))
	lines := strings.Split(string(b), "\n")
	if !strings.HasPrefix(lines[0], "\ufeffid,code,district,") || !strings.HasSuffix(lines[0], ",wkt") || !strings.Contains(string(b), `"W,5 ""quoted"""`) {
		t.Errorf("csv header %q", lines[0])
	}
	// XLSX: Chinese titles, numbers as numbers, the attributes only.
	f, err := excelize.OpenFile(export(t, s, imports.Parcels, imports.FormatXLSX, 4490, dir))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("地块")
	if len(rows) != 6 || rows[0][1] != "地块编号" || !slices.Contains(rows[0], "面积(亩)") || rows[1][1] != "滨江-工业-001" {
		t.Errorf("xlsx rows %v", rows)
	}
	areaCell, _ := excelize.CoordinatesToCellName(slices.Index(rows[0], "面积(平方米)")+1, 2)
	if typ, _ := f.GetCellType("地块", areaCell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("area cell type %v", typ)
	}
	// Filters are the layers' filters.
	q := imports.ExportQuery{Layer: imports.Parcels, Format: imports.FormatGeoJSON, Filter: &planning.ParcelFilter{Statuses: []planning.Status{planning.StatusReserve}}}
	var sb strings.Builder
	if n, err := importer.Export(ctx, s, q, &sb); err != nil || n != 1 || !strings.Contains(sb.String(), `"R-2"`) {
		t.Errorf("filtered export: %d %v", n, err)
	}
	bb := orb.Bound{Min: geo.From4549(orb.Point{origin[0] + 550, origin[1] + 550}), Max: geo.From4549(orb.Point{origin[0] + 800, origin[1] + 800})}
	q = imports.ExportQuery{Layer: imports.Parcels, Format: imports.FormatCSV, BBox: &bb}
	if n, err := importer.Export(ctx, s, q, &sb); err != nil || n != 1 {
		t.Errorf("bbox export: %d %v", n, err)
	}
	q = imports.ExportQuery{Layer: imports.Parcels, Filter: &planning.ParcelFilter{LandUse: []string{"99"}}}
	if _, err := importer.Export(ctx, s, q, &sb); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("unknown class: %v", err)
	}
	for _, bad := range []imports.ExportQuery{
		{Layer: "roads"}, {Layer: imports.Parcels, SRID: 3857}, {Layer: imports.Parcels, Precision: 16},
		{Layer: imports.Parcels, Encoding: "latin1", Format: imports.FormatShp}, {Layer: imports.Parcels, Encoding: "GBK"},
		{Layer: imports.Parks, Filter: &planning.ParcelFilter{Statuses: []planning.Status{planning.StatusReserve}}},
	} {
		if _, err := importer.Export(ctx, s, bad, &sb); err == nil || planning.CodeOf(err) == planning.ErrInternal {
			t.Errorf("export %+v: %v", bad, err)
		}
	}
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		return
	}
	// A Shapefile for ArcGIS: short field names, a .prj of the CRS asked for, a .cpg.
	for _, enc := range []string{"UTF-8", "GBK"} {
		q := imports.ExportQuery{Layer: imports.Parcels, Format: imports.FormatShp, SRID: 4549, Encoding: enc}
		sub := t.TempDir()
		n, files, err := importer.ExportFiles(ctx, s, q, sub)
		if err != nil || n != 5 || len(files) != 5 {
			t.Fatalf("shp %s: %d %v %v", enc, n, files, err)
		}
		cpg, _ := os.ReadFile(filepath.Join(sub, "parcels.cpg"))
		prj, _ := os.ReadFile(filepath.Join(sub, "parcels.prj"))
		want := map[string]string{"UTF-8": "UTF-8", "GBK": "936"}[enc]
		if strings.TrimSpace(string(cpg)) != want || !strings.Contains(string(prj), "CGCS2000_3_Degree_GK_CM_120E") {
			t.Errorf("%s: .cpg %q, .prj %s", enc, cpg, prj)
		}
		out, _ := exec.Command("ogrinfo", "-ro", "-al", "-q", filepath.Join(sub, "parcels.shp")).Output()
		if !strings.Contains(string(out), "LU_NAME (String) = 一类工业用地") || !strings.Contains(string(out), "BLD_DENS (Real) = 0.45") {
			t.Errorf("%s: ogrinfo reads\n%s", enc, firstN(string(out), 40))
		}
	}
}

func firstN(s string, n int) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var out []string
	for sc.Scan() && len(out) < n {
		out = append(out, sc.Text())
	}
	return strings.Join(out, "\n")
}

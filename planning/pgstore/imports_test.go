package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/paulmach/orb"
)

// gjFeature writes a GeoJSON Feature of a MultiPolygon with properties.
func gjFeature(mp orb.MultiPolygon, props map[string]any) string {
	coords := make([][][][2]float64, len(mp))
	for i, pg := range mp {
		for _, r := range pg {
			var ring [][2]float64
			for _, p := range r {
				ring = append(ring, [2]float64{p[0], p[1]})
			}
			coords[i] = append(coords[i], ring)
		}
	}
	c, _ := json.Marshal(coords)
	p, _ := json.Marshal(props)
	return fmt.Sprintf(`{"type":"Feature","properties":%s,"geometry":{"type":"MultiPolygon","coordinates":%s}}`, p, c)
}

// gjFile writes a FeatureCollection to a temporary file.
func gjFile(t *testing.T, features ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.geojson")
	if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(features, ",\n")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var importSeq int

// runImport imports a file; the import must reach a verdict.
func runImport(t *testing.T, s *pgstore.Store, layer imports.Layer, path string, open importer.OpenOptions, req importer.Request) *imports.Report {
	t.Helper()
	src, err := importer.Open(context.Background(), path, open)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	req.Layer = layer
	if req.ID == "" {
		importSeq++
		req.ID = fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), importSeq)
	}
	rep, err := importer.Import(context.Background(), s, src, req, nil)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return rep
}

// tableSum fingerprints the parcels table (every column but the clocks).
func tableSum(t *testing.T, s *pgstore.Store) string {
	t.Helper()
	var sum string
	err := s.Pool().QueryRow(context.Background(), `SELECT count(*) || ':' || coalesce(md5(string_agg(
		(to_jsonb(p) - 'created_at' - 'updated_at')::text, ',' ORDER BY id)), '') FROM parcels p`).Scan(&sum)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func props(code, landUse string, more ...any) map[string]any {
	m := map[string]any{"code": code, "land_use": landUse, "status": "reserve"}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i].(string)] = more[i+1]
	}
	return m
}

func TestCrosswalkTargetsAreClasses(t *testing.T) {
	s := openStore(t)
	var codes []string
	for c := range importer.CrosswalkTargets() {
		codes = append(codes, c)
	}
	var missing []string
	err := s.Pool().QueryRow(context.Background(), `SELECT coalesce(array_agg(c), '{}') FROM unnest($1::text[]) c
		WHERE NOT EXISTS (SELECT 1 FROM land_use_classes WHERE code = c)`, codes).Scan(&missing)
	if err != nil || len(missing) > 0 {
		t.Errorf("crosswalk targets that are not 2023 classes: %v %v", missing, err)
	}
}

// triggersEnabled reports whether every trigger of parcels is on.
func triggersEnabled(t *testing.T, s *pgstore.Store) bool {
	t.Helper()
	var off int
	if err := s.Pool().QueryRow(context.Background(), "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND tgenabled = 'D'").Scan(&off); err != nil {
		t.Fatal(err)
	}
	var staging int
	s.Pool().QueryRow(context.Background(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'lq\\_stage\\_%' OR relname LIKE 'lq\\_where\\_%'").Scan(&staging)
	if staging > 0 {
		t.Errorf("%d staging tables left behind", staging)
	}
	return off == 0
}

func TestImportParcels(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	path := gjFile(t,
		gjFeature(rect(0, 0, 100, 100), map[string]any{"DKBH": "DK-1", "DLBM": "0601", "ZT": "已供地", "RJL": 2.5, "GDRQ": "2024/5/1", "PZRQ": "2023-01-02"}),
		gjFeature(rect(100, 0, 200, 100), map[string]any{"DKBH": "DK-2", "DLBM": "0508", "ZT": "储备"}),
		// An underground right under DK-1 may share its footprint.
		gjFeature(rect(0, 0, 100, 100), map[string]any{"DKBH": "DK-1-地下", "DLBM": "1004", "ZT": "储备", "ELEV_BOT": -30, "ELEV_TOP": -5}),
	)
	rep := runImport(t, s, imports.Parcels, path, importer.OpenOptions{}, importer.Request{Request: imports.Request{CreatedBy: "tester"}})
	if rep.Outcome != imports.OutcomeCommitted || rep.Counts.Inserted != 3 || rep.Counts.Errors != 0 {
		t.Fatalf("%s: %+v", rep.Message, rep.Issues)
	}
	var area float64
	var use, status, district string
	var plot *float64
	if err := s.Pool().QueryRow(ctx, "SELECT area_m2, land_use_code, status, district_adcode, plot_ratio FROM parcels WHERE code = 'DK-1'").
		Scan(&area, &use, &status, &district, &plot); err != nil {
		t.Fatal(err)
	}
	if math.Abs(area-10000) > 1 || use != "1001" || status != "supplied" || district != "330108" || plot == nil || *plot != 2.5 {
		t.Errorf("DK-1: %v %s %s %s %v", area, use, status, district, plot)
	}
	if !triggersEnabled(t, s) {
		t.Fatal("triggers left disabled")
	}
	// The rules still hold for later writers.
	if _, err := s.InsertParcel(ctx, parcel("LATER", rect(50, 50, 150, 150))); planning.CodeOf(err) != planning.ErrConflict {
		t.Errorf("overlap after an import: %v", err)
	}
	// The import is in the log, with its report.
	body, err := s.ImportLog(ctx, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	var logged imports.Report
	if err := json.Unmarshal(body, &logged); err != nil || logged.Counts.Inserted != 3 || logged.Source.FieldMap["code"] != "DKBH" {
		t.Errorf("logged report: %v %+v", err, logged.Counts)
	}
	logs, err := s.ImportLogs(ctx, 10)
	if err != nil || len(logs) != 1 || logs[0].CreatedBy != "tester" {
		t.Errorf("logs %+v %v", logs, err)
	}
}

func TestImportRefusesWithTheReasons(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	stored, err := s.InsertParcel(ctx, parcel("P0", rect(0, 0, 100, 100)))
	if err != nil {
		t.Fatal(err)
	}
	before := tableSum(t, s)
	r := rect(3000, 0, 3100, 100)[0][0]
	bowtie := orb.MultiPolygon{{orb.Ring{r[0], r[2], r[1], r[3], r[0]}}}
	path := gjFile(t,
		gjFeature(rect(50, 50, 150, 150), props("A", "100101")),                                                  // 1: overlaps stored P0 by 2500 m²
		gjFeature(rect(1000, 0, 1100, 100), props("B", "100101")),                                                // 2
		gjFeature(rect(1050, 0, 1150, 100), props("C", "100101")),                                                // 3: overlaps B by 5000 m²
		gjFeature(bowtie, props("D", "100101")),                                                                  // 4: self-intersection
		gjFeature(rect(20000, 20000, 20100, 20100), props("E", "100101")),                                        // 5: outside the district
		gjFeature(rect(2000, 0, 2100, 100), props("F", "100101")),                                                // 6
		gjFeature(rect(2200, 0, 2300, 100), props("F", "100101")),                                                // 7: duplicate code
		gjFeature(rect(2400, 0, 2500, 100), props("G", "109999")),                                                // 8: no such class
		gjFeature(rect(2600, 0, 2700, 100), props("P0", "100101")),                                               // 9: exists
		gjFeature(rect(1000, 0, 1100, 100), props("B-地下", "1207", "elevation_bottom", -20, "elevation_top", -2)), // 10: under B: fine
		gjFeature(rect(2800, 0, 2900, 100), props("H", "100101", "park", "NOPARK")),                              // 11: unknown park
	)
	rep := runImport(t, s, imports.Parcels, path, importer.OpenOptions{}, importer.Request{})
	if rep.Outcome != imports.OutcomeRefused || tableSum(t, s) != before {
		t.Fatalf("outcome %s, or the table changed", rep.Outcome)
	}
	check := func(kind string, n int, test func(imports.Issue) bool) {
		t.Helper()
		got := rep.IssuesOf(kind)
		if len(got) != n {
			t.Errorf("%s: %d issues, want %d: %+v", kind, len(got), n, got)
			return
		}
		for _, is := range got {
			if !test(is) {
				t.Errorf("%s: %+v", kind, is)
			}
		}
	}
	check(imports.KindOverlap, 2, func(is imports.Issue) bool {
		switch is.Feature {
		case 1:
			return is.Other.ParcelID == stored && is.Other.Code == "P0" && math.Abs(*is.AreaM2-2500) < 1 && len(is.Location) == 2
		case 2:
			return is.Other.Feature == 3 && is.Other.Code == "C" && math.Abs(*is.AreaM2-5000) < 1
		}
		return false
	})
	check(imports.KindInvalidGeometry, 1, func(is imports.Issue) bool {
		return is.Feature == 4 && strings.Contains(is.Message, "Self-intersection") && len(is.Location) == 2 && is.Location[0] > 120
	})
	check(imports.KindOutsideDistricts, 1, func(is imports.Issue) bool { return is.Feature == 5 && is.Code == "E" })
	check(imports.KindDuplicateCode, 1, func(is imports.Issue) bool { return is.Feature == 6 && is.Other.Feature == 7 })
	check(imports.KindUnknownCode, 1, func(is imports.Issue) bool { return is.Feature == 8 && is.Value == "109999" })
	check(imports.KindExists, 1, func(is imports.Issue) bool { return is.Feature == 9 && is.Other.ParcelID == stored })
	check(imports.KindUnknownReference, 1, func(is imports.Issue) bool { return is.Feature == 11 && is.Field == "park" })
	if rep.Counts.Errors != 8 || !strings.Contains(rep.Message, "nothing was written") {
		t.Errorf("%d errors: %s", rep.Counts.Errors, rep.Message)
	}
	// A dry run says the same and writes nothing either.
	dry := runImport(t, s, imports.Parcels, path, importer.OpenOptions{}, importer.Request{Request: imports.Request{DryRun: true}})
	if dry.Outcome != imports.OutcomeDryRun || dry.Counts.Errors != 8 || tableSum(t, s) != before {
		t.Errorf("dry run: %s %d", dry.Outcome, dry.Counts.Errors)
	}
	if !triggersEnabled(t, s) {
		t.Error("triggers left disabled")
	}
}

func TestImportRepairs(t *testing.T) {
	s := worldStore(t)
	r := rect(0, 0, 100, 100)[0][0]
	bowtie := orb.MultiPolygon{{orb.Ring{r[0], r[2], r[1], r[3], r[0]}}}
	path := gjFile(t, gjFeature(bowtie, props("BOW", "100101")), gjFeature(rect(500, 0, 600, 100), props("OK", "100101")))
	rep := runImport(t, s, imports.Parcels, path, importer.OpenOptions{}, importer.Request{Request: imports.Request{Repair: true}})
	if rep.Outcome != imports.OutcomeCommitted || rep.Counts.Repaired != 1 || rep.Counts.Inserted != 2 {
		t.Fatalf("%s %+v", rep.Message, rep.Issues)
	}
	is := rep.IssuesOf(imports.KindRepaired)
	if len(is) != 1 || is[0].Feature != 1 || is[0].AreaM2 == nil || math.Abs(*is[0].AreaM2-5000) > 1 || len(is[0].Location) != 2 {
		t.Errorf("repair issue %+v", is)
	}
	var valid bool
	var area float64
	if err := s.Pool().QueryRow(context.Background(), "SELECT ST_IsValid(geom), area_m2 FROM parcels WHERE code = 'BOW'").Scan(&valid, &area); err != nil || !valid || math.Abs(area-5000) > 1 {
		t.Errorf("repaired parcel: %v %v %v", valid, area, err)
	}
}

// pentagram is a five-pointed star drawn in one ring (invalid: it crosses
// itself; every turn goes the same way, so the client's pre-filter takes it
// for convex), radius 100 m around (x, y), a point upwards.
func pentagram(x, y float64) orb.MultiPolygon {
	var ring orb.Ring
	for k := range 6 {
		a := (90 + 144*float64(k%5)) * math.Pi / 180
		ring = append(ring, geotest.At(x+100*math.Cos(a), y+100*math.Sin(a)))
	}
	return orb.MultiPolygon{{ring}}
}

// TestImportRepairedOverlaps: an outline repaired in the database is
// checked for overlaps in its repaired shape, by the SQL self-join: the
// outlines the client kept (and its pre-filter, which drops this pair)
// are not what is staged any more.
func TestImportRepairedOverlaps(t *testing.T) {
	s := worldStore(t)
	path := gjFile(t, gjFeature(pentagram(0, 0), props("STAR", "100101")),
		gjFeature(rect(-5, 80, 5, 90), props("TIP", "100101")), // inside the star's upper point
		gjFeature(rect(500, 0, 600, 100), props("OK", "100101")))
	rep := runImport(t, s, imports.Parcels, path, importer.OpenOptions{}, importer.Request{Request: imports.Request{Repair: true}})
	if rep.Outcome != imports.OutcomeRefused || rep.Counts.Repaired != 1 {
		t.Fatalf("%s %s %+v", rep.Outcome, rep.Message, rep.Issues)
	}
	is := rep.IssuesOf(imports.KindOverlap)
	if len(is) != 1 || is[0].Feature != 1 || is[0].Other == nil || is[0].Other.Feature != 2 || is[0].AreaM2 == nil || *is[0].AreaM2 < 50 {
		t.Errorf("overlap issues %+v", is)
	}
}

func TestUpsertUpdatesByCode(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	first := gjFile(t,
		gjFeature(rect(0, 0, 100, 100), props("U1", "100101", "plot_ratio", 1.5)),
		gjFeature(rect(200, 0, 300, 100), props("U2", "100101", "plot_ratio", 2.0)),
		gjFeature(rect(400, 0, 500, 100), props("U3", "100101", "plot_ratio", 3.0)))
	if rep := runImport(t, s, imports.Parcels, first, importer.OpenOptions{}, importer.Request{}); rep.Counts.Inserted != 3 {
		t.Fatal(rep.Message)
	}
	before := tableSum(t, s)
	// The same file again: insert mode refuses, upsert changes nothing.
	if rep := runImport(t, s, imports.Parcels, first, importer.OpenOptions{}, importer.Request{}); rep.Outcome != imports.OutcomeRefused || len(rep.IssuesOf(imports.KindExists)) != 3 {
		t.Errorf("insert again: %s", rep.Message)
	}
	rep := runImport(t, s, imports.Parcels, first, importer.OpenOptions{}, importer.Request{Request: imports.Request{Mode: imports.ModeUpsert}})
	if rep.Outcome != imports.OutcomeCommitted || rep.Counts.Unchanged != 3 || rep.Counts.Updated != 0 || rep.Counts.Inserted != 0 || tableSum(t, s) != before {
		t.Errorf("upsert of the same file: %+v", rep.Counts)
	}
	// A second file without plot_ratio: U1 moves into U2's old place while U2 moves away, U3 changes status, U4 is new.
	second := gjFile(t,
		gjFeature(rect(200, 0, 300, 100), map[string]any{"code": "U1", "land_use": "100101", "status": "reserve"}),
		gjFeature(rect(600, 0, 700, 100), map[string]any{"code": "U2", "land_use": "100101", "status": "reserve"}),
		gjFeature(rect(400, 0, 500, 100), map[string]any{"code": "U3", "land_use": "100101", "status": "supplied"}),
		gjFeature(rect(800, 0, 900, 100), map[string]any{"code": "U4", "land_use": "0802", "status": "reserve"}))
	rep = runImport(t, s, imports.Parcels, second, importer.OpenOptions{}, importer.Request{Request: imports.Request{Mode: imports.ModeUpsert}})
	if rep.Outcome != imports.OutcomeCommitted || rep.Counts.Updated != 3 || rep.Counts.Inserted != 1 {
		t.Fatalf("%s %+v %+v", rep.Message, rep.Counts, rep.Issues)
	}
	var n int
	var plot float64
	var status string
	s.Pool().QueryRow(ctx, "SELECT count(*) FROM parcels").Scan(&n)
	s.Pool().QueryRow(ctx, "SELECT plot_ratio, status FROM parcels WHERE code = 'U3'").Scan(&plot, &status)
	if n != 4 || plot != 3.0 || status != "supplied" {
		t.Errorf("after upsert: %d parcels; U3 plot ratio %v (kept?), status %s", n, plot, status)
	}
	if !triggersEnabled(t, s) {
		t.Error("triggers left disabled")
	}
}

func TestImportOtherLayers(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	d := gjFile(t, gjFeature(rect(-5000, -5000, 5000, 5000), map[string]any{"adcode": 330108, "name": "滨江区", "name_en": "Binjiang", "parent_adcode": 330100}))
	if rep := runImport(t, s, imports.Districts, d, importer.OpenOptions{}, importer.Request{}); rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("districts: %s %+v", rep.Message, rep.Issues)
	}
	p := gjFile(t,
		gjFeature(rect(-1000, -1000, 1000, 1000), map[string]any{"code": "binfu", "name_zh": "滨富", "kind": "特别合作区", "host_district_adcode": "330108"}),
		gjFeature(rect(2000, 2000, 3000, 3000), map[string]any{"code": "X1", "name_zh": "某园", "kind": "functional_park", "host_district_adcode": "330199"}))
	rep := runImport(t, s, imports.Parks, p, importer.OpenOptions{}, importer.Request{})
	if rep.Outcome != imports.OutcomeRefused || len(rep.IssuesOf(imports.KindUnknownReference)) != 1 {
		t.Errorf("parks with an unknown host: %s %+v", rep.Message, rep.Issues)
	}
	p = gjFile(t, gjFeature(rect(-1000, -1000, 1000, 1000), map[string]any{"code": "binfu", "name_zh": "滨富", "kind": "特别合作区", "host_district_adcode": "330108"}))
	if rep := runImport(t, s, imports.Parks, p, importer.OpenOptions{}, importer.Request{}); rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("parks: %s %+v", rep.Message, rep.Issues)
	}
	z := gjFile(t,
		gjFeature(rect(-4000, -4000, 4000, 4000), map[string]any{"id": 7, "kind": "城镇开发边界", "name": "开发边界"}),
		gjFeature(rect(3000, 3000, 3500, 3500), map[string]any{"kind": "永久基本农田", "name": "农田一"}))
	if rep := runImport(t, s, imports.Zones, z, importer.OpenOptions{}, importer.Request{}); rep.Outcome != imports.OutcomeCommitted || rep.Counts.Inserted != 2 {
		t.Fatalf("zones: %s %+v", rep.Message, rep.Issues)
	}
	z = gjFile(t, gjFeature(rect(-4000, -4000, 4000, 4000), map[string]any{"id": 7, "kind": "urban_development_boundary", "name": "开发边界(修订)"}))
	if rep := runImport(t, s, imports.Zones, z, importer.OpenOptions{}, importer.Request{Request: imports.Request{Mode: imports.ModeUpsert}}); rep.Counts.Updated != 1 {
		t.Errorf("zone upsert: %+v", rep.Counts)
	}
	var name, park string
	s.Pool().QueryRow(ctx, "SELECT name FROM protected_zones WHERE id = 7").Scan(&name)
	if name != "开发边界(修订)" {
		t.Errorf("zone 7 is %q", name)
	}
	// A parcel file without district and park: both come from the outlines.
	pc := gjFile(t, gjFeature(rect(0, 0, 100, 100), map[string]any{"code": "IN-PARK", "land_use": "100101", "status": "reserve"}),
		gjFeature(rect(4000, 0, 4100, 100), map[string]any{"code": "OUT-PARK", "land_use": "100101", "status": "reserve", "district": "330109"}))
	rep = runImport(t, s, imports.Parcels, pc, importer.OpenOptions{}, importer.Request{})
	// 330109 is not in the database: refused, and its district does not match its place.
	if rep.Outcome != imports.OutcomeRefused || len(rep.IssuesOf(imports.KindUnknownReference)) != 1 || len(rep.IssuesOf(imports.KindDistrictMismatch)) != 1 {
		t.Errorf("unknown district: %s %+v", rep.Message, rep.Issues)
	}
	pc = gjFile(t, gjFeature(rect(0, 0, 100, 100), map[string]any{"code": "IN-PARK", "land_use": "100101", "status": "reserve"}))
	if rep := runImport(t, s, imports.Parcels, pc, importer.OpenOptions{}, importer.Request{}); rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("%s %+v", rep.Message, rep.Issues)
	}
	var district string
	s.Pool().QueryRow(ctx, "SELECT district_adcode, coalesce(park_code, '') FROM parcels WHERE code = 'IN-PARK'").Scan(&district, &park)
	if district != "330108" || park != "BINFU" {
		t.Errorf("derived district %q park %q", district, park)
	}
}

func TestGBKShapefileImport(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("GDAL (gdal-bin) is not installed")
	}
	s := worldStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := gjFile(t,
		gjFeature(rect(0, 0, 100, 100), map[string]any{"DKBH": "工业用地-01", "DLBM": "0601", "DLMC": "工业用地", "ZT": "储备"}),
		gjFeature(rect(200, 0, 300, 100), map[string]any{"DKBH": "宅基地-02", "DLBM": "0702", "DLMC": "农村宅基地", "ZT": "已批未征"}))
	shp := filepath.Join(dir, "sandiao.shp")
	// As ArcGIS writes them: GBK text, and Gauss-Krüger metres with the zone number.
	out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", shp, src, "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4528").CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr: %v %s", err, out)
	}
	rep := runImport(t, s, imports.Parcels, shp, importer.OpenOptions{}, importer.Request{})
	if rep.Outcome != imports.OutcomeCommitted || rep.Source.Encoding != "GBK (read as GB18030, its superset)" || rep.Source.SRID != 4528 {
		t.Fatalf("%s %+v %+v", rep.Message, rep.Source, rep.Issues)
	}
	var code, className string
	var area float64
	err = s.Pool().QueryRow(ctx, `SELECT p.code, c.name_zh, p.area_m2 FROM parcels p JOIN land_use_classes c ON c.code = p.land_use_code
		WHERE p.land_use_code = '1001'`).Scan(&code, &className, &area)
	if err != nil || code != "工业用地-01" || className != "工业用地" || math.Abs(area-10000) > 0.5 {
		t.Errorf("read back %q %q %v: %v", code, className, area, err)
	}
}

// TestParcelCodeCheckKeepsTheRule compares the code check of parcels
// (028, without a regular expression) with 001's regular expression over
// every short string of letters and spaces and long ones around 64.
func TestParcelCodeCheckKeepsTheRule(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	var def string
	if err := s.Pool().QueryRow(ctx, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'parcels'::regclass AND conname = 'parcels_code_check'").Scan(&def); err != nil {
		t.Fatal(err)
	}
	alphabet := []string{"a", " ", "\n", "\t", "地", "\u3000", "\u00a0"}
	words := []string{""}
	for range 3 {
		for _, w := range words {
			for _, c := range alphabet {
				words = append(words, w+c)
			}
		}
	}
	for _, n := range []int{62, 63, 64, 65} {
		for _, a := range alphabet {
			for _, b := range alphabet {
				words = append(words, a+strings.Repeat("x", n-2)+b, a+strings.Repeat("\n", n-2)+b)
			}
		}
	}
	var differ []string
	var accepted, refused int
	err := s.Pool().QueryRow(ctx, `SELECT coalesce(array_agg(format('%L', code)) FILTER (WHERE old IS DISTINCT FROM new), '{}'),
		count(*) FILTER (WHERE new), count(*) FILTER (WHERE NOT new)
		FROM (SELECT code, code ~ '^\S(.{0,62}\S)?$' AS old, `+strings.TrimPrefix(def, "CHECK ")+` AS new FROM unnest($1::text[]) code) x`, words).Scan(&differ, &accepted, &refused)
	if err != nil {
		t.Fatal(err)
	}
	if len(differ) > 0 {
		t.Errorf("%s and the old regular expression disagree on %d codes: %v", def, len(differ), differ)
	}
	if accepted == 0 || refused == 0 {
		t.Errorf("%d codes accepted, %d refused: the test does not exercise the rule", accepted, refused)
	}
}

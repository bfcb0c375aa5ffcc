package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// gridPoint is a lon/lat point at metre offsets from a point in Binjiang.
func gridPoint(x, y float64) orb.Point {
	return geotest.At(x, y)
}

// squareJSON is the coordinates of a square polygon.
func squareJSON(x, y, side float64) string {
	var b strings.Builder
	b.WriteString("[[")
	for i, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
		if i > 0 {
			b.WriteByte(',')
		}
		p := gridPoint(x+d[0], y+d[1])
		fmt.Fprintf(&b, "[%s,%s]", strconv.FormatFloat(p[0], 'f', -1, 64), strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	b.WriteString("]]")
	return b.String()
}

// writeWorld writes a district file and a parcel file of n parcels (15 m
// squares on a 20 m grid, old-style attribute names) into dir.
func writeWorld(t *testing.T, dir string, n int) (districts, parcels string) {
	t.Helper()
	districts = filepath.Join(dir, "districts.geojson")
	d := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":330108,"name":"滨江区"},"geometry":{"type":"Polygon","coordinates":` +
		squareJSON(-6000, -6000, 12000) + `}}]}`
	if err := os.WriteFile(districts, []byte(d), 0o644); err != nil {
		t.Fatal(err)
	}
	parcels = filepath.Join(dir, "parcels.geojson")
	f, err := os.Create(parcels)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	side := 1
	for side*side < n {
		side++
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		x, y := float64(i%side)*20-5000, float64(i/side)*20-5000
		fmt.Fprintf(w, `{"type":"Feature","properties":{"DKBH":"G-%07d","DLBM":"0601","ZT":"储备","RJL":%d.5},"geometry":{"type":"Polygon","coordinates":%s}}`,
			i, i%4, squareJSON(x, y, 15))
	}
	w.WriteString("\n]}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return districts, parcels
}

// parcelSum fingerprints the parcels table: every column but the clocks.
func parcelSum(t *testing.T, db string) string {
	t.Helper()
	return queryOne[string](t, db, `SELECT count(*) || ':' || coalesce(md5(string_agg((to_jsonb(p) - 'created_at' - 'updated_at')::text, ',' ORDER BY id)), '')
		FROM parcels p`)
}

// queryOne returns the single value sql selects.
func queryOne[T any](t *testing.T, db, sql string) T {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var v T
	if err := c.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestImportAndExportCommands(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	districts, parcels := writeWorld(t, dir, 50)
	if out := must(t, db, "import", "districts", districts); !strings.Contains(out, "1 inserted") {
		t.Fatalf("districts: %s", out)
	}
	report := filepath.Join(dir, "report.json")
	out := must(t, db, "import", "parcels", parcels, "--report", report, "--progress", "none", "--timings")
	if !strings.Contains(out, "fields: code←DKBH, land_use←DLBM, plot_ratio←RJL, status←ZT") || !strings.Contains(out, "50 inserted") {
		t.Fatalf("parcels: %s", out)
	}
	// --timings: every step, the write named in words, and their sum.
	for _, step := range []string{"import: timings (", "  read and COPY ", "  check overlap ", "  write: insert into parcels "} {
		if !strings.Contains(out, step) {
			t.Errorf("--timings lacks %q:\n%s", step, out)
		}
	}
	var rep struct {
		Outcome string
		Counts  struct{ Inserted int }
		Source  struct {
			LandUseScheme string `json:"land_use_scheme"`
		}
	}
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &rep); err != nil || rep.Outcome != "committed" || rep.Counts.Inserted != 50 || rep.Source.LandUseScheme != "gbt21010" {
		t.Errorf("report file: %v %s", err, b)
	}
	// Shapefile out and back in: nothing changes.
	before := parcelSum(t, db)
	shp := filepath.Join(dir, "out", "parcels.shp")
	os.Mkdir(filepath.Dir(shp), 0o755)
	if out := must(t, db, "export", "parcels", "-o", shp, "--srid", "4549"); !strings.Contains(out, "exported 50 parcels") {
		t.Fatalf("export: %s", out)
	}
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		if _, err := os.Stat(strings.TrimSuffix(shp, ".shp") + ext); err != nil {
			t.Errorf("export made no %s", ext)
		}
	}
	if out := must(t, db, "import", "parcels", shp, "--mode", "upsert"); !strings.Contains(out, "0 inserted") || parcelSum(t, db) != before {
		t.Errorf("re-import: %s", out)
	}
	// CSV to standard output, filtered.
	out, err := landquota(t, db, "export", "parcels", "--format", "csv", "-o", "-", "--land-use", "1001", "--status", "reserve")
	if err != nil || strings.Count(out, "\n") != 52 || !strings.Contains(out, "G-0000049") {
		t.Errorf("csv: %v %d lines", err, strings.Count(out, "\n"))
	}
	// Every format by its extension.
	for _, name := range []string{"p.geojson", "p.csv", "p.xlsx", "p.zip", "p.gpkg"} {
		if out, err := landquota(t, db, "export", "parcels", "-o", filepath.Join(dir, name)); err != nil || !strings.Contains(out, "exported 50") {
			t.Errorf("export %s: %v %s", name, err, out)
		}
	}
	// A refused file says why, writes nothing, and fails the command.
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"DKBH":"G-0000001","DLBM":"0906","ZT":"储备"},"geometry":{"type":"Polygon","coordinates":`+squareJSON(-5000, -5000, 15)+`}}]}`), 0o644)
	out, err = landquota(t, db, "import", "parcels", bad)
	if err == nil || !strings.Contains(out, "unknown_code") || !strings.Contains(out, "exists") || !strings.Contains(out, "overlap") || !strings.Contains(out, "nothing was written") || parcelSum(t, db) != before {
		t.Errorf("refused import: %v\n%s", err, out)
	}
	if out, err := landquota(t, db, "import", "parcels", bad, "--dry-run"); err == nil || !strings.Contains(out, "dry run") {
		t.Errorf("dry run: %v %s", err, out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "takes a layer and a file"},
		{[]string{"import", "parcels", parcels, parcels}, "takes a layer and a file, got 3 arguments"},
		{[]string{"import", "parcel-events"}, "import parcel-events: give one file, got 0 arguments"},
		{[]string{"import", "roads", parcels}, "unknown layer"},
		{[]string{"import", "parcels", filepath.Join(dir, "nope.geojson")}, "cannot open"},
		{[]string{"import", "parcels", parcels, "--srid", "banana"}, "not a coordinate system"},
		{[]string{"import", "parcels", parcels, "--mode", "merge"}, "not insert or upsert"},
		{[]string{"import", "parcels", parcels, "--progress", "fancy"}, "--progress"},
		{[]string{"import", "parcels", parcels, "--field", "kode=DKBH"}, `no field "kode"`},
		{[]string{"import", "parcels", parcels, "--field-map", districts}, "field map"},
		{[]string{"import", "parcels", parcels, "--encoding", "klingon"}, "unknown text encoding"},
		{[]string{"import", "parcels", parcels, "--land-use-scheme", "gb1"}, "unknown land-use scheme"},
		{[]string{"export"}, "takes one layer"},
		{[]string{"export", "parcels", "parks"}, "export takes one layer, got 2 arguments"},
		{[]string{"export", "roads"}, "unknown layer"},
		{[]string{"export", "parcels", "--format", "pdf"}, "not one of"},
		{[]string{"export", "parcels", "-o", "x.txt"}, "cannot tell the format"},
		{[]string{"export", "parcels", "--status", "sold"}, "unknown status"},
		{[]string{"export", "parcels", "--srid", "3857"}, "EPSG:3857"},
		{[]string{"export", "parks", "--status", "reserve"}, "parcels layer only"},
		{[]string{"export", "parcels", "--land-use", "99"}, "unknown land-use class"},
	}
	for _, c := range cases {
		out, err := landquota(t, db, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("landquota %v: %v\n%s\nwant %q", c.args, err, out, c.want)
		}
	}
}

// TestKilledImportLeavesNoTrace kills the import of a large file at half
// way through reading it, and again while it writes: the parcels table is
// exactly as before (count and checksum), and nothing else is left behind.
func TestKilledImportLeavesNoTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("a large file")
	}
	db := pgtest.URL(t)
	dir := t.TempDir()
	const n = 200_000
	districts, parcels := writeWorld(t, dir, n)
	must(t, db, "import", "districts", districts)
	// Some parcels are there already (far from the grid).
	first := filepath.Join(dir, "first.geojson")
	os.WriteFile(first, []byte(`{"type":"FeatureCollection","features":[`+
		`{"type":"Feature","properties":{"code":"OLD-1","land_use":"0802","status":"supplied"},"geometry":{"type":"Polygon","coordinates":`+squareJSON(5500, 5500, 100)+`}},`+
		`{"type":"Feature","properties":{"code":"OLD-2","land_use":"0701","status":"reserve"},"geometry":{"type":"Polygon","coordinates":`+squareJSON(5700, 5500, 100)+`}}]}`), 0o644)
	must(t, db, "import", "parcels", first)
	count := func() int64 { return queryOne[int64](t, db, "SELECT count(*) FROM parcels") }
	wantCount, wantSum := count(), parcelSum(t, db)
	progress := regexp.MustCompile(`^(reading|checking|writing)\s+([0-9,]+)`)
	for _, killAt := range []string{"half", "writing"} {
		cmd := exec.Command(binary, "import", "parcels", parcels, "--progress", "lines")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		killed := ""
		for sc.Scan() {
			m := progress.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			done, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
			if (killAt == "half" && (m[1] != "reading" || done >= n/2)) || (killAt == "writing" && m[1] == "writing") {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = sc.Text()
				break
			}
		}
		go io.Copy(io.Discard, stderr)
		err := cmd.Wait()
		if killed == "" {
			t.Fatalf("kill at %s: the import ended first (%v)", killAt, err)
		}
		t.Logf("killed at %q", killed)
		// The server notices the lost client within seconds and rolls back.
		deadline := time.Now().Add(60 * time.Second)
		for queryOne[int64](t, db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'landquota' AND pid <> pg_backend_pid()") > 0 {
			if time.Now().After(deadline) {
				t.Fatal("the killed import's transaction is still open after 60 s")
			}
			time.Sleep(200 * time.Millisecond)
		}
		if got := count(); got != wantCount {
			t.Fatalf("killed at %s: %d parcels, want %d", killAt, got, wantCount)
		}
		if parcelSum(t, db) != wantSum {
			t.Fatalf("killed at %s: the parcels changed", killAt)
		}
		if left := queryOne[int64](t, db, `SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'lq\_stage\_%' OR relname LIKE 'lq\_where\_%')
			+ (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND tgenabled = 'D')
			+ (SELECT count(*) FROM import_log WHERE layer = 'parcels' AND features > 2)`); left != 0 {
			t.Fatalf("killed at %s: %d staging tables, disabled triggers or log rows left", killAt, left)
		}
	}
	// The same file imports in full afterwards.
	if out := must(t, db, "import", "parcels", parcels, "--progress", "none"); !strings.Contains(out, fmt.Sprintf("%d inserted", n)) {
		t.Fatalf("full import: %s", out)
	}
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// binary is the landquota binary built once for these end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "landquota-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "landquota")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building landquota: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	stopBench()
	os.RemoveAll(dir)
	os.Exit(code)
}

// landquota runs the binary with DATABASE_URL=db and returns its output.
func landquota(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func must(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, err := landquota(t, db, args...)
	if err != nil {
		t.Fatalf("landquota %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestConfigurationErrorsAreClear(t *testing.T) {
	cases := []struct {
		db   string
		args []string
		want string
	}{
		{"", []string{"migrate"}, "DATABASE_URL is not set"},
		{"mysql://x", []string{"serve"}, "not a postgres:// URL"},
		{"postgres://127.0.0.1:1/x", []string{"serve", "--addr", "nonsense"}, "--addr"},
		{"postgres://127.0.0.1:1/x", []string{"seed", "--parcels", "-5"}, "--parcels"},
		{"postgres://127.0.0.1:1/x", []string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		out, err := landquota(t, c.db, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("landquota %v with DATABASE_URL=%q: err=%v, output %q; want a failure mentioning %q", c.args, c.db, err, out, c.want)
		}
	}
	if out := must(t, "", "version"); !strings.HasPrefix(out, "landquota ") {
		t.Errorf("version: %q", out)
	}
}

// checksum fingerprints the whole geography of a database.
func checksum(t *testing.T, db string) string {
	t.Helper()
	return queryOne[string](t, db, `SELECT md5(
		(SELECT string_agg(concat_ws('|', code, district_adcode, park_code, land_use_code, status, ST_AsText(geom),
			plot_ratio, building_density, green_ratio, affordable_housing, supply_method, approval_kind, approved_on,
			supplied_on, agreed_start_on, actual_start_on, completed_on, elevation_bottom, elevation_top,
			construction_land, government_delay), E'\n' ORDER BY code) FROM parcels) ||
		(SELECT string_agg(concat_ws('|', code, kind, host_district, ST_AsText(geom)), E'\n' ORDER BY code) FROM parks) ||
		(SELECT string_agg(concat_ws('|', id, kind, name, ST_AsText(geom)), E'\n' ORDER BY id) FROM protected_zones))`)
}

func TestMigrateIsIdempotentAndSeedDeterministic(t *testing.T) {
	a, b, c := pgtest.EmptyURL(t), pgtest.EmptyURL(t), pgtest.EmptyURL(t)
	for _, db := range []string{a, b, c} {
		must(t, db, "migrate")
	}
	if out := must(t, a, "migrate"); !strings.Contains(out, "current") {
		t.Fatalf("second migrate: %q", out)
	}
	must(t, a, "seed", "--parcels", "3000", "--seed", "42")
	must(t, b, "seed", "--parcels", "3000", "--seed", "42")
	// --timings lists every step, each index build apart, and sums them up.
	if out := must(t, c, "seed", "--parcels", "3000", "--seed", "43", "--timings"); !strings.Contains(out, "seed: index parcels_geom_idx ") ||
		!strings.Contains(out, "seed: timings (") || !strings.Contains(out, "  overlaps ") {
		t.Fatalf("seed --timings: %q", out)
	}
	if checksum(t, a) != checksum(t, b) {
		t.Fatal("the same seed gave different data")
	}
	if checksum(t, a) == checksum(t, c) {
		t.Fatal("different seeds gave the same data")
	}
	// A second seed refuses to mix worlds, --if-empty is a no-op, --replace swaps.
	if out, err := landquota(t, a, "seed", "--parcels", "10"); err == nil || !strings.Contains(out, "--replace") {
		t.Fatalf("seeding a seeded database: %v %q", err, out)
	}
	if out := must(t, a, "seed", "--if-empty"); !strings.Contains(out, "not seeding") {
		t.Fatalf("--if-empty: %q", out)
	}
	must(t, a, "seed", "--replace", "--parcels", "3000", "--seed", "43")
	if checksum(t, a) != checksum(t, c) {
		t.Fatal("--replace did not give the same data as a fresh seed")
	}
}

func TestSeedWithRealOutlines(t *testing.T) {
	districts := filepath.Join("..", "..", "..", "shared", "data", "hangzhou", "districts.geojson")
	parks := filepath.Join("..", "..", "..", "shared", "data", "hangzhou", "parks_demo.geojson")
	if _, err := os.Stat(districts); err != nil {
		t.Skip("../shared/data/hangzhou not present")
	}
	db := pgtest.URL(t)
	must(t, db, "seed", "--parcels", "5000", "--districts", districts, "--parks", parks)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var parcels, outside, parksOutside int
	var binfu, binxiao float64
	err = c.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM parcels),
		(SELECT count(*) FROM parcels p JOIN districts d ON d.adcode = p.district_adcode WHERE NOT ST_CoveredBy(p.geom, d.geom)),
		(SELECT count(*) FROM parks k JOIN districts d ON d.adcode = k.host_district WHERE NOT ST_CoveredBy(k.geom, ST_Buffer(d.geom, 0.0001))),
		(SELECT area_m2 FROM parks WHERE code = 'BINFU'), (SELECT area_m2 FROM parks WHERE code = 'BINXIAO')`).
		Scan(&parcels, &outside, &parksOutside, &binfu, &binxiao)
	if err != nil {
		t.Fatal(err)
	}
	if parcels != 5000 || outside != 0 || parksOutside != 0 {
		t.Fatalf("%d parcels, %d outside their district, %d parks outside their host", parcels, outside, parksOutside)
	}
	t.Logf("Binfu %.2f km², Binxiao %.2f km²", binfu/1e6, binxiao/1e6)
}

func TestServeAnswersAndStopsCleanly(t *testing.T) {
	db := pgtest.URL(t)
	must(t, db, "seed", "--parcels", "800", "--seed", "3")
	cmd, addr, logs := startServe(t, db)
	base := "http://" + addr

	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(base + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	res, err := http.Get(base + "/api/layers/parcels?limit=10000")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct{ Features []json.RawMessage }
	if err := json.NewDecoder(res.Body).Decode(&fc); err != nil || len(fc.Features) != 800 {
		t.Fatalf("parcels layer: %d features, %v", len(fc.Features), err)
	}
	res.Body.Close()
	res, err = http.Get(base + "/")
	if err != nil || (res.StatusCode != 200 && res.StatusCode != 503) {
		t.Fatalf("GET /: %v %v", res, err)
	}
	res.Body.Close()

	if _, err := terminate(t, cmd, 15*time.Second, logs); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM; log:\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Fatalf("no clean stop in the log:\n%s", logs.String())
	}
}

package pgstore_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// origin is a point in Binjiang; test shapes are laid out in EPSG:4549
// metres around it and converted to lon/lat, so their true area is known.
var origin = geo.To4549(geotest.Origin)

// rect builds a lon/lat rectangle from metre offsets (x0,y0)-(x1,y1).
func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{geotest.Rect(x0, y0, x1, y1)}}
}

func openStore(t *testing.T) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// worldStore has one district covering 10 km around origin.
func worldStore(t *testing.T) *pgstore.Store {
	t.Helper()
	s := openStore(t)
	err := s.InsertDistrict(context.Background(), planning.District{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang",
		ParentAdcode: "330100", Outline: rect(-5000, -5000, 5000, 5000)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parcel(code string, outline orb.MultiPolygon) planning.Parcel {
	return planning.Parcel{Code: code, District: "330108", LandUse: "100101", Status: planning.StatusReserve,
		Outline: outline, Elevation: planning.Surface()}
}

// mustInsertParcel stores p, failing the test when the store refuses it.
func mustInsertParcel(t *testing.T, s *pgstore.Store, p planning.Parcel) int64 {
	t.Helper()
	id, err := s.InsertParcel(context.Background(), p)
	if err != nil {
		t.Fatalf("parcel %s: %v", p.Code, err)
	}
	return id
}

func countParcels(t *testing.T, s *pgstore.Store) int64 {
	t.Helper()
	c, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Parcels
}

func TestMigrationsApplyTwice(t *testing.T) {
	ctx := context.Background()
	url := pgtest.EmptyURL(t)
	for i := 0; i < 2; i++ {
		from, to, err := pgstore.Migrate(ctx, url)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if to != migrations.Latest() {
			t.Fatalf("run %d: at version %d, want %d", i+1, to, migrations.Latest())
		}
		if i == 1 && from != to {
			t.Fatalf("second run migrated again: %d -> %d", from, to)
		}
	}
	s, err := pgstore.Open(ctx, url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("not ready after migrating: %v", err)
	}
}

func TestReadyRefusesUnmigratedDatabase(t *testing.T) {
	ctx := context.Background()
	s, err := pgstore.Open(ctx, pgtest.EmptyURL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Ready(ctx)
	if planning.CodeOf(err) != planning.ErrUnavailable || !strings.Contains(err.Error(), "landquota migrate") {
		t.Fatalf("Ready on an empty database = %v, want unavailable naming `landquota migrate`", err)
	}
}

func TestReferenceTablesMatchDomain(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	rows, err := s.Pool().Query(ctx, "SELECT code, name_zh, name_en FROM parcel_statuses ORDER BY ordinal")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[planning.StatusInfo])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(planning.Statuses) {
		t.Fatalf("%d statuses in the database, %d in planning.Statuses", len(got), len(planning.Statuses))
	}
	for i := range got {
		if got[i] != planning.Statuses[i] {
			t.Errorf("status %d: database %+v, planning %+v", i, got[i], planning.Statuses[i])
		}
	}
	// Every first-level class of the 2023 guide, the second-level children
	// named in docs/DOMAIN.md, and parents for all.
	var orphans, first int
	err = s.Pool().QueryRow(ctx, `SELECT
		(SELECT count(*) FROM land_use_classes c WHERE level > 1 AND NOT EXISTS
			(SELECT 1 FROM land_use_classes p WHERE p.code = c.parent_code AND p.level = c.level - 1)),
		(SELECT count(*) FROM land_use_classes WHERE level = 1 AND code IN
			('01','02','03','04','05','06','07','08','09','10','11','12','13','14','15','16','17','23'))`).Scan(&orphans, &first)
	if err != nil {
		t.Fatal(err)
	}
	if orphans != 0 || first != 18 {
		t.Fatalf("land-use classes: %d without a parent one level up, %d of 18 first-level classes", orphans, first)
	}
	for _, code := range []string{"070101", "0802", "0902", "100101", "100102", "100103", "1101", "1207", "1401", "16"} {
		var zh string
		if err := s.Pool().QueryRow(ctx, "SELECT name_zh FROM land_use_classes WHERE code = $1", code).Scan(&zh); err != nil {
			t.Errorf("class %s: %v", code, err)
		}
	}
}

func TestAreaMeasuredInEPSG4549(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	// An L-shape drawn in 4549 metres: 120×80 minus 50×30 = 8100 m² exactly.
	l := []orb.Point{{0, 0}, {120, 0}, {120, 50}, {70, 50}, {70, 80}, {0, 80}, {0, 0}}
	ring := make(orb.Ring, len(l))
	for i, p := range l {
		ring[i] = geo.From4549(orb.Point{origin[0] + 1000 + p[0], origin[1] + 1000 + p[1]})
	}
	cases := []struct {
		name    string
		outline orb.MultiPolygon
		want    float64
	}{
		{"rectangle", rect(0, 0, 100, 200), 20000},
		{"l-shape", orb.MultiPolygon{{ring}}, 8100},
	}
	for _, c := range cases {
		id := mustInsertParcel(t, s, parcel("AREA-"+c.name, c.outline))
		p, err := s.GetParcel(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.AreaM2-c.want) > 0.1 {
			t.Errorf("%s: database area %.4f m², hand-computed %.1f m²", c.name, p.AreaM2, c.want)
		}
		if math.Abs(p.AreaMu()-c.want*15/10000) > 0.001 {
			t.Errorf("%s: %.4f 亩", c.name, p.AreaMu())
		}
	}
}

func TestInvalidParcelsAreRefusedAndNothingChanges(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	mustInsertParcel(t, s, parcel("KEEP-1", rect(0, 0, 50, 50)))
	before := countParcels(t, s)

	// A bow-tie: the database names the self-intersection and where it is.
	bow := rect(100, 100, 200, 200)
	bow[0][0][2], bow[0][0][3] = bow[0][0][3], bow[0][0][2]
	_, err := s.InsertParcel(ctx, parcel("BOWTIE", bow))
	var de *planning.Error
	if !errors.As(err, &de) || de.Code != planning.ErrInvalid || !strings.Contains(de.Message, "Self-intersection") || de.Details["location"] == nil {
		t.Fatalf("bow-tie: got %v (%+v), want invalid naming the self-intersection and its location", err, de)
	}

	// Metres where degrees belong: refused before it reaches the database.
	metres := orb.MultiPolygon{{{{520000, 3341000}, {520100, 3341000}, {520100, 3341100}, {520000, 3341000}}}}
	if _, err := s.InsertParcel(ctx, parcel("METRES", metres)); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "metres") {
		t.Fatalf("metre coordinates: got %v", err)
	}

	// Straight SQL with the wrong SRID or type is refused by the column.
	for name, sql := range map[string]string{
		"srid 4326": `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
			VALUES ('SRID', '330108', '100101', 'reserve', ST_GeomFromText('MULTIPOLYGON(((120.2 30.2,120.201 30.2,120.201 30.201,120.2 30.2)))', 4326), 0)`,
		"point": `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
			VALUES ('POINT', '330108', '100101', 'reserve', ST_GeomFromText('POINT(120.2 30.2)', 4490), 0)`,
		"empty": `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
			VALUES ('EMPTY', '330108', '100101', 'reserve', ST_GeomFromText('MULTIPOLYGON EMPTY', 4490), 0)`,
		"unknown class": `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
			VALUES ('CLASS', '330108', '999999', 'reserve', ST_GeomFromText('MULTIPOLYGON(((120.2 30.2,120.201 30.2,120.201 30.201,120.2 30.2)))', 4490), 0)`,
	} {
		if _, err := s.Pool().Exec(ctx, sql); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A caller-supplied area is ignored: the database measures.
	var area float64
	err = s.Pool().QueryRow(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		VALUES ('LIE', '330108', '100101', 'reserve', ST_Multi(ST_Transform(ST_MakeEnvelope($1::float8, $2::float8, $1::float8 + 10, $2::float8 + 10, 4549), 4490)), 1e9)
		RETURNING area_m2`, origin[0]+3000, origin[1]+3000).Scan(&area)
	if err != nil || math.Abs(area-100) > 0.01 {
		t.Fatalf("area from input: got %v, %v; want the measured 100 m²", area, err)
	}
	if _, err := s.Pool().Exec(ctx, "DELETE FROM parcels WHERE code = 'LIE'"); err != nil {
		t.Fatal(err)
	}
	if after := countParcels(t, s); after != before {
		t.Fatalf("parcel count changed from %d to %d", before, after)
	}
}

func TestOverlappingParcelsAreRefused(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	a := mustInsertParcel(t, s, parcel("A", rect(0, 0, 100, 100)))
	// Sharing an edge is fine; so is an overlap far below 0.01 m².
	if _, err := s.InsertParcel(ctx, parcel("B-TOUCHES", rect(100, 0, 200, 100))); err != nil {
		t.Fatalf("neighbour sharing an edge refused: %v", err)
	}
	if _, err := s.InsertParcel(ctx, parcel("C-SLIVER", rect(-50, 0, 0.00005, 100))); err != nil {
		t.Fatalf("0.005 m² sliver refused: %v", err)
	}
	before := countParcels(t, s)

	_, err := s.InsertParcel(ctx, parcel("D-OVERLAPS", rect(50, 50, 150, 150)))
	var de *planning.Error
	if !errors.As(err, &de) || de.Code != planning.ErrConflict {
		t.Fatalf("overlap: got %v, want a conflict", err)
	}
	if de.Details["overlaps_id"] != float64(a) || de.Details["parcel_id"] == nil || !strings.Contains(de.Message, "(id ") {
		t.Fatalf("overlap error should name both ids: %q %v", de.Message, de.Details)
	}
	if got := de.Details["overlap_m2"].(float64); math.Abs(got-2500) > 0.1 {
		t.Fatalf("overlap area %v, want 2500 m²", got)
	}
	if after := countParcels(t, s); after != before {
		t.Fatalf("parcel count changed from %d to %d", before, after)
	}

	// A stratified underground right may share the footprint…
	under := parcel("A-UNDER", rect(0, 0, 100, 100))
	bottom, top := -30.0, -5.0
	under.Elevation = planning.Elevation{Bottom: &bottom, Top: &top}
	if _, err := s.InsertParcel(ctx, under); err != nil {
		t.Fatalf("underground right under a surface parcel refused: %v", err)
	}
	// …but two with overlapping ranges may not.
	under2 := parcel("A-UNDER-2", rect(10, 10, 60, 60))
	b2, t2 := -10.0, 0.0
	under2.Elevation = planning.Elevation{Bottom: &b2, Top: &t2}
	if _, err := s.InsertParcel(ctx, under2); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("overlapping underground rights: got %v, want conflict", err)
	}
	// Moving a parcel onto another by UPDATE is refused too.
	if _, err := s.Pool().Exec(ctx, "UPDATE parcels SET geom = (SELECT geom FROM parcels WHERE code = 'A') WHERE code = 'B-TOUCHES'"); err == nil {
		t.Fatal("update moving a parcel onto another was accepted")
	}
	// The code is unique.
	if _, err := s.InsertParcel(ctx, parcel("A", rect(500, 500, 600, 600))); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("duplicate code: got %v, want conflict", err)
	}
}

func asError(err error, target **planning.Error) bool { return errors.As(err, target) }

// TestWarmPoolOpensReadyConnections: a warm pool opens MaxConns connections
// by itself, each with JIT off and prepared statements planned once.
func TestWarmPoolOpensReadyConnections(t *testing.T) {
	ctx := context.Background()
	s, err := pgstore.Open(ctx, pgtest.URL(t), pgstore.Options{MaxConns: 2, Warm: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	deadline := time.Now().Add(30 * time.Second)
	for s.Pool().Stat().IdleConns() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("a warm pool of 2 has %d idle connections after 30 s", s.Pool().Stat().IdleConns())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var jit string
	if err := s.Pool().QueryRow(ctx, "SHOW jit").Scan(&jit); err != nil || jit != "off" {
		t.Fatalf("jit %q %v, want off", jit, err)
	}
	var plans string
	if err := s.Pool().QueryRow(ctx, "SHOW plan_cache_mode").Scan(&plans); err != nil || plans != "force_generic_plan" {
		t.Fatalf("plan_cache_mode %q %v, want force_generic_plan", plans, err)
	}
	// The warm-up's effect on timing is measured by the benchmarks, not
	// here (timings in unit tests are noise on a shared machine); this
	// checks the connections are open in the database without a request.
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'landquota'`).Scan(&n); err != nil || n < 2 {
		t.Fatalf("%d landquota sessions (%v), want the pool's 2", n, err)
	}
}

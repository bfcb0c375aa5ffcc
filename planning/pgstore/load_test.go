package pgstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/tools/demo"
	"github.com/paulmach/orb"
)

// loadWorld is one district and n x n parcels of 30 m every 40 m, plus
// extra parcels at the end.
func loadWorld(n int, extra ...planning.Parcel) Dataset {
	return Dataset{
		Districts: []planning.District{{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang", Outline: tileSquare(-3000, -3000, 6000)}},
		Parcels: func(yield func(planning.Parcel) bool) {
			for i := 0; i < n*n; i++ {
				p := planning.Parcel{Code: "L-" + strconv.Itoa(i), District: "330108", LandUse: "100101", Status: planning.StatusReserve,
					Outline: tileSquare(float64(i%n)*40, float64(i/n)*40, 30), Elevation: planning.Surface()}
				if !yield(p) {
					return
				}
			}
			for _, p := range extra {
				if !yield(p) {
					return
				}
			}
		},
	}
}

// conflictsDiffer counts the parcels whose kept protected-line figures
// (areas and widths) are not lq_planner_conflicts's, as the row trigger
// keeps them.
func conflictsDiffer(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM parcels p LEFT JOIN parcel_conflicts c ON c.parcel_id = p.id
		CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k
		WHERE (c.farmland_m2, c.red_line_m2, c.outside_boundary_m2, c.farmland_width_m, c.red_line_width_m, c.outside_boundary_width_m)
		      IS DISTINCT FROM (k.farmland_m2, k.red_line_m2, k.outside_boundary_m2, k.farmland_width_m, k.red_line_width_m, k.outside_boundary_width_m)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadChecksSetBasedAsTheTriggersDo(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	count := func(table string) int64 { return queryInt(t, s, "SELECT count(*) FROM "+table) }
	// A bow-tie outline is refused, naming the parcel; nothing is stored.
	bowtie := planning.Parcel{Code: "BOWTIE", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
		Outline: orb.MultiPolygon{{{tileSquare(0, -500, 30)[0][0][0], tileSquare(30, -470, 1)[0][0][0], tileSquare(30, -500, 1)[0][0][0], tileSquare(0, -470, 1)[0][0][0], tileSquare(0, -500, 30)[0][0][0]}}}}
	_, err := s.Load(ctx, loadWorld(10, bowtie), false, nil)
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "BOWTIE") || !strings.Contains(err.Error(), "not a valid polygon") {
		t.Fatalf("invalid outline: %v", err)
	}
	mustHoldNothing(t, s)
	// An overlap at the same elevation is refused, naming both parcels.
	over := planning.Parcel{Code: "OVER", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
		Outline: tileSquare(20, 20, 30)} // over L-0 and its neighbours
	_, err = s.Load(ctx, loadWorld(10, over), false, nil)
	if planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "parcel OVER overlaps parcel L-0") {
		t.Fatalf("overlap: %v", err)
	}
	mustHoldNothing(t, s)
	// A stratified right below ground over L-0 is no overlap; the load
	// measures areas, conflicts and cells as the triggers would.
	top := 0.0
	bottom := -20.0
	below := planning.Parcel{Code: "BELOW", District: "330108", LandUse: "100101", Status: planning.StatusSupplied,
		Elevation: planning.Elevation{Bottom: &bottom, Top: &top}, Outline: tileSquare(0, 0, 30)}
	rep, err := s.Load(ctx, loadWorld(10, below), false, nil)
	if err != nil || rep.Parcels != 101 || count("parcels") != 101 || count("parcel_conflicts") != 101 {
		t.Fatalf("load: %+v %v; %d parcels, %d conflict rows", rep, err, count("parcels"), count("parcel_conflicts"))
	}
	if off := queryInt(t, s, "SELECT count(*) FROM parcels WHERE abs(area_m2 - ST_Area(ST_Transform(geom, 4549))) > 1e-6 OR abs(area_m2 - 900) > 1"); off != 0 {
		t.Fatalf("%d parcels with a wrong area", off)
	}
	if n := cellsDiffer(t, s); n != 0 {
		t.Fatalf("%d cell rows differ after the load", n)
	}
	// The row triggers are on again: an overlapping insert is refused.
	if _, err := s.InsertParcel(ctx, over); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("insert after the load: %v", err)
	}
	var ids []int64
	rows, _ := s.pool.Query(ctx, "SELECT id FROM parcels ORDER BY id LIMIT 2")
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("ids %v: parcels keep their order", ids)
	}
}

// TestLoadDemoAsTheTriggersWouldHave loads the demo world (zones, parks,
// current uses) in bulk and checks every row the triggers it turns off
// would have written, and that the schema it takes apart is whole again.
func TestLoadDemoAsTheTriggersWouldHave(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	one := func(sql string) int64 { t.Helper(); return queryInt(t, s, sql) }
	schema := func() string {
		t.Helper()
		var v string
		if err := s.pool.QueryRow(ctx, `SELECT string_agg(d, E'\n' ORDER BY d) FROM (
			SELECT pg_get_indexdef(indexrelid) d FROM pg_index WHERE indrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass, 'parcel_cells'::regclass)
			UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint
			 WHERE conrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass) OR confrelid = 'parcels'::regclass
			UNION ALL SELECT tgname || ' ' || tgenabled::text FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND NOT tgisinternal
			UNION ALL SELECT 'internal triggers ' || count(*) FROM pg_trigger WHERE tgrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass) AND tgisinternal) x`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before, version := schema(), one("SELECT version FROM layer_versions WHERE layer = 'parcels'")

	ds, err := demo.Generate(demo.Options{Parcels: 4000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	rep, err := s.Load(ctx, Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels,
		Phase: func(step string, _ time.Duration) { steps = append(steps, step) }}, false, nil)
	if err != nil || rep.Parcels != 4000 {
		t.Fatalf("load: %+v %v", rep, err)
	}
	if after := schema(); after != before {
		t.Fatalf("the load left the schema changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	if v := one("SELECT version FROM layer_versions WHERE layer = 'parcels'"); v <= version {
		t.Fatalf("layer version %d after the load, %d before", v, version)
	}
	if len(steps) < 5 || !slices.Contains(steps, "copy") || !slices.Contains(steps, "index parcels_geom_idx") || steps[len(steps)-1] != "constraints" {
		t.Fatalf("phases reported: %v", steps)
	}
	if n := one("SELECT count(*) FROM parcels WHERE id BETWEEN 1 AND 4000"); n != 4000 {
		t.Fatalf("%d parcels with ids 1..4000", n)
	}
	if n := one("SELECT nextval(pg_get_serial_sequence('parcels', 'id'))"); n != 4001 {
		t.Fatalf("the id sequence goes on at %d", n)
	}
	// The protected-line figures are lq_planner_conflicts's, for parcels
	// of each kind the load tells apart without measuring.
	if n := conflictsDiffer(t, s); n != 0 {
		t.Fatalf("%d parcels whose conflict figures (areas and widths) differ from lq_planner_conflicts", n)
	}
	// The kept 2D areas of underground rights are what the triggers keep:
	// measured again from scratch, nothing changes.
	footprints := one(`SELECT count(*) FROM parcel_footprints`)
	if _, err := s.pool.Exec(ctx, `CREATE TEMP TABLE kept AS SELECT * FROM parcel_footprints;
		SELECT lq_parcel_footprints_remeasure(array(SELECT id FROM parcels WHERE elevation_top <= 0))`); err != nil {
		t.Fatal(err)
	}
	if n := one(`SELECT count(*) FROM ((SELECT * FROM kept EXCEPT SELECT * FROM parcel_footprints)
		UNION ALL (SELECT * FROM parcel_footprints EXCEPT SELECT * FROM kept)) d`); n != 0 || footprints != one(`SELECT count(*) FROM parcels WHERE elevation_top <= 0`) {
		t.Fatalf("%d kept footprints differ from a fresh measure; %d kept", n, footprints)
	}
	for what, sql := range map[string]string{
		"covered, no lines":  "SELECT count(*) FROM parcel_conflicts WHERE farmland_m2 = 0 AND red_line_m2 = 0 AND outside_boundary_m2 = 0",
		"touching a line":    "SELECT count(*) FROM parcel_conflicts WHERE farmland_m2 > 0 OR red_line_m2 > 0",
		"outside every zone": "SELECT count(*) FROM parcels p JOIN parcel_conflicts c ON c.parcel_id = p.id WHERE c.outside_boundary_m2 = p.area_m2 AND NOT EXISTS (SELECT 1 FROM protected_zones z WHERE ST_Intersects(z.geom, p.geom))",
		"partly in boundary": "SELECT count(*) FROM parcel_conflicts c JOIN parcels p ON p.id = c.parcel_id WHERE c.outside_boundary_m2 > 0 AND c.outside_boundary_m2 < p.area_m2",
	} {
		mustCover(t, s, what, sql)
	}
	if n := cellsDiffer(t, s); n != 0 {
		t.Fatalf("%d cell rows differ after the load", n)
	}
	if n := freeBoxesDiffer(t, s); n != 0 || one("SELECT count(*) FROM free_parcel_boxes") == 0 {
		t.Fatalf("%d rows of free_parcel_boxes differ after the load (%d kept)", n, one("SELECT count(*) FROM free_parcel_boxes"))
	}
	// construction_land is what lq_parcel_construction() makes of each row:
	// a no-op update runs that trigger again.
	if one("SELECT count(*) FROM parcels WHERE current_use_code IS NOT NULL") == 0 {
		t.Fatal("no parcel with a current use: construction_land is not exercised")
	}
	if _, err := s.pool.Exec(ctx, `CREATE TEMP TABLE loaded AS SELECT id, construction_land FROM parcels;
		UPDATE parcels SET construction_land = construction_land`); err != nil {
		t.Fatal(err)
	}
	if n := one("SELECT count(*) FROM parcels p JOIN loaded l USING (id) WHERE p.construction_land <> l.construction_land"); n != 0 {
		t.Fatalf("%d parcels whose construction_land the trigger changes", n)
	}
}

func TestLoadRefusesAnUnknownTrigger(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	if _, err := s.pool.Exec(ctx, `CREATE TRIGGER parcels_z_new AFTER INSERT ON parcels FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels')`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, loadWorld(3), false, nil); err == nil || !strings.Contains(err.Error(), "parcels_z_new") {
		t.Fatalf("a load with a trigger it cannot stand in for: %v", err)
	}
	// A trigger that is off does no work to stand in for, and stays off.
	if _, err := s.pool.Exec(ctx, "ALTER TABLE parcels DISABLE TRIGGER parcels_z_new"); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Load(ctx, loadWorld(3), false, nil); err != nil || rep.Parcels != 9 {
		t.Fatalf("load with the unknown trigger off: %+v %v", rep, err)
	}
	var states string
	if err := s.pool.QueryRow(ctx, `SELECT string_agg(DISTINCT tgenabled::text, '' ORDER BY tgenabled::text) || '/' ||
		(SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND tgname = 'parcels_z_new')
		FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND NOT tgisinternal AND tgname <> 'parcels_z_new'`).Scan(&states); err != nil || states != "O/D" {
		t.Fatalf("trigger states after the load %q (want the others on, O, and the new one off, D): %v", states, err)
	}
}

// A parcel the loader refuses before COPY (here an unknown status), after
// more than one batch of good ones, ends the load with its error and
// nothing stored.
func TestLoadRefusesABadParcelMidStream(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	bad := planning.Parcel{Code: "ODD", District: "330108", LandUse: "100101", Status: "sold", Elevation: planning.Surface(), Outline: tileSquare(0, -500, 30)}
	_, err := s.Load(ctx, loadWorld(30, bad), false, nil) // 900 good parcels first
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "parcel ODD: unknown status") {
		t.Fatalf("bad parcel: %v", err)
	}
	mustHoldNothing(t, s)
}

// The load refuses the first bad parcel of the stream, whichever side finds
// it: an outline the load trigger refuses before a status the Go side
// refuses, and the other way round.
func TestLoadRefusesTheFirstBadParcel(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	bowtie := planning.Parcel{Code: "BOWTIE", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
		Outline: orb.MultiPolygon{{{tileSquare(0, -500, 30)[0][0][0], tileSquare(30, -470, 1)[0][0][0], tileSquare(30, -500, 1)[0][0][0], tileSquare(0, -470, 1)[0][0][0], tileSquare(0, -500, 30)[0][0][0]}}}}
	odd := planning.Parcel{Code: "ODD", District: "330108", LandUse: "100101", Status: "sold", Elevation: planning.Surface(), Outline: tileSquare(0, -600, 30)}
	world := func(first, second planning.Parcel) Dataset {
		ds := loadWorld(0)
		ds.Parcels = func(yield func(planning.Parcel) bool) {
			for i := range 2000 { // four batches, so the Go side runs ahead of COPY
				p := planning.Parcel{Code: "L-" + strconv.Itoa(i), District: "330108", LandUse: "100101", Status: planning.StatusReserve,
					Outline: tileSquare(float64(i%50)*40, float64(i/50)*40, 30), Elevation: planning.Surface()}
				if i == 700 {
					p = first
				} else if i == 1500 {
					p = second
				}
				if !yield(p) {
					return
				}
			}
		}
		return ds
	}
	_, err := s.Load(ctx, world(bowtie, odd), false, nil)
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.HasPrefix(err.Error(), "parcel BOWTIE: outline is not a valid polygon") {
		t.Fatalf("bad outline first: %v", err)
	}
	_, err = s.Load(ctx, world(odd, bowtie), false, nil)
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "parcel ODD: unknown status") {
		t.Fatalf("bad status first: %v", err)
	}
	mustHoldNothing(t, s)
}

// loadValues derives construction_land as lq_parcel_construction() does:
// the override, else the current use's class (NULL for an unknown class),
// else the flag as given; and puts the id first.
func TestLoadValuesDeriveConstruction(t *testing.T) {
	classes := map[string]bool{"0701": true, "0101": false}
	yes, no := true, false
	for _, c := range []struct {
		current  string
		flag     bool
		override *bool
		want     any
	}{
		{"", true, nil, true}, {"", false, nil, false},
		{"0701", false, nil, true}, {"0101", true, nil, false},
		{"0701", false, &no, false}, {"0101", false, &yes, true}, {"", false, &yes, true},
		{"9999", true, nil, nil},
	} {
		p := planning.Parcel{Code: "C", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
			Outline: tileSquare(0, 0, 30), CurrentUse: c.current, ConstructionLand: c.flag, ConstructionOverride: c.override}
		if c.override != nil {
			p.ConstructionOverrideReason = "test"
		}
		row, err := loadValues(&p, 42, classes)
		if err != nil {
			t.Fatal(err)
		}
		if len(row) != len(parcelColumns)+1 || row[0] != int64(42) || row[1] != "C" {
			t.Fatalf("row starts %v (%d values)", row[:2], len(row))
		}
		if got := row[1+constructionColumn]; got != c.want {
			t.Errorf("current %q, flag %v, override %v: construction_land %v, want %v", c.current, c.flag, c.override, got, c.want)
		}
	}
}

// TestLoadConflictsAtZoneEdges loads a grid of parcels under zones laid so
// that every way the load tells parcels apart occurs, among them a parcel
// two boundary zones cover together but neither alone, and checks every
// figure against lq_planner_conflicts, which the row trigger applies.
func TestLoadConflictsAtZoneEdges(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	// rect is x0..x1, y0..y1 in metres from the grid's origin.
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		var ring orb.Ring
		for _, p := range [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}} {
			ring = append(ring, geo.From4549(orb.Point{tileMiddle[0] + p[0], tileMiddle[1] + p[1]}))
		}
		return orb.MultiPolygon{{ring}}
	}
	// The grid: parcels of 30 m every 40 m, x and y from 0 to 390.
	ds := loadWorld(10)
	ds.Zones = []planning.ProtectedZone{
		{Kind: planning.ZoneDevBoundary, Name: "west", Outline: rect(-100, -100, 215, 500)},
		{Kind: planning.ZoneDevBoundary, Name: "east", Outline: rect(215, -100, 300, 500)}, // the seam cuts the parcels at x 200..230
		{Kind: planning.ZoneFarmland, Name: "strip", Outline: rect(50, -100, 75, 500)},     // through the parcels at x 40..70
		{Kind: planning.ZoneRedLine, Name: "square", Outline: rect(110, 110, 160, 160)},    // over the parcel at 120, 120
	}
	if _, err := s.Load(ctx, ds, false, nil); err != nil {
		t.Fatal(err)
	}
	one := func(sql string) int64 { t.Helper(); return queryInt(t, s, sql) }
	if n := conflictsDiffer(t, s); n != 0 {
		t.Fatalf("%d parcels whose conflict figures differ from lq_planner_conflicts", n)
	}
	for what, want := range map[string]int64{
		// x 320..390: no zone at all, all of the parcel outside.
		"SELECT count(*) FROM parcel_conflicts c JOIN parcels p ON p.id = c.parcel_id WHERE c.outside_boundary_m2 = p.area_m2 AND c.outside_boundary_width_m = 10": 20,
		// x 280..310: partly past the east zone.
		"SELECT count(*) FROM parcel_conflicts c JOIN parcels p ON p.id = c.parcel_id WHERE c.outside_boundary_m2 > 0 AND c.outside_boundary_m2 < p.area_m2": 10,
		// x 40..70 in the strip, 20 m of each.
		"SELECT count(*) FROM parcel_conflicts WHERE abs(farmland_m2 - 600) < 0.01 AND outside_boundary_m2 = 0": 10,
		"SELECT count(*) FROM parcel_conflicts WHERE abs(red_line_m2 - 900) < 0.01":                             1,
		// Inside the boundary, no line (the red line's neighbours meet it
		// along an edge, by a few mm² of rounding at most): x 0..30 and
		// 80..270 but the red line's parcel; those at 200..230 are
		// covered by the two boundary zones together, neither alone.
		"SELECT count(*) FROM parcel_conflicts WHERE farmland_m2 = 0 AND red_line_m2 < 0.01 AND outside_boundary_m2 = 0": 59,
	} {
		if n := one(what); n != want {
			t.Errorf("%d parcels, want %d: %s", n, want, what)
		}
	}
}

// mustCover fails the test when no parcel is in the case sql counts: a
// comparison over the data says nothing of a case the data does not hold.
func mustCover(t *testing.T, s *Store, what, sql string) {
	t.Helper()
	if queryInt(t, s, sql) == 0 {
		t.Errorf("no parcel %s: the test does not cover that case", what)
	}
}

// mustHoldNothing fails the test when a refused load left districts or
// parcels behind: a load is all or nothing.
func mustHoldNothing(t *testing.T, s *Store) {
	t.Helper()
	if n := queryInt(t, s, "SELECT (SELECT count(*) FROM parcels) + (SELECT count(*) FROM districts)"); n != 0 {
		t.Fatalf("a refused load left %d rows behind", n)
	}
}

// queryInt runs a query of one integer and fails the test on an error.
func queryInt(t *testing.T, s *Store, sql string) (v int64) {
	t.Helper()
	if err := s.pool.QueryRow(context.Background(), sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/planning/tools/demo"
	"github.com/jackc/pgx/v5"
)

// parcelsSchema fingerprints what the bulk paths take apart and put back:
// the indexes and constraints of parcels and parcel_conflicts, and whether
// each trigger of parcels is on.
func parcelsSchema(t *testing.T, s *Store) string {
	t.Helper()
	var v string
	if err := s.pool.QueryRow(context.Background(), `SELECT string_agg(d, E'\n' ORDER BY d) FROM (
		SELECT pg_get_indexdef(indexrelid) d FROM pg_index WHERE indrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass, 'parcel_cells'::regclass)
		UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint
		 WHERE conrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass) OR confrelid = 'parcels'::regclass
		UNION ALL SELECT tgname || ' ' || tgenabled::text FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND NOT tgisinternal
		UNION ALL SELECT 'internal triggers ' || count(*) || ' ' || count(*) FILTER (WHERE tgenabled = 'D') FROM pg_trigger
		 WHERE tgrelid IN ('parcels'::regclass, 'parcel_conflicts'::regclass) AND tgisinternal) x`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// derivedRows fingerprints the parcels (all but the clocks) and every row
// the triggers derive from them.
func derivedRows(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, sql := range map[string]string{
		"parcels":           `SELECT count(*) || ':' || md5(string_agg((to_jsonb(p) - 'created_at' - 'updated_at')::text, ',' ORDER BY id)) FROM parcels p`,
		"parcel_conflicts":  `SELECT count(*) || ':' || md5(string_agg(to_jsonb(c)::text, ',' ORDER BY parcel_id)) FROM parcel_conflicts c`,
		"parcel_cells":      `SELECT count(*) || ':' || md5(string_agg(to_jsonb(c)::text, ',' ORDER BY level, x, y, status)) FROM parcel_cells c`,
		"parcel_footprints": `SELECT count(*) || ':' || md5(string_agg(to_jsonb(f)::text, ',' ORDER BY parcel_id)) FROM parcel_footprints f`,
		"free_parcel_boxes": `SELECT count(*) || ':' || md5(string_agg(to_jsonb(f)::text, ',' ORDER BY id)) FROM free_parcel_boxes f`,
	} {
		var v *string
		if err := s.pool.QueryRow(context.Background(), sql).Scan(&v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v == nil {
			v = new(string)
		}
		out[name] = *v
	}
	return out
}

// splitGeoJSON writes the features of a FeatureCollection to n files, in
// turn, keeping the collection's other members (its crs), with the
// construction flag of each parcel with a current use flipped.
func splitGeoJSON(t *testing.T, path string, n int) []string {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc map[string]json.RawMessage
	var features []json.RawMessage
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fc["features"], &features); err != nil {
		t.Fatal(err)
	}
	// A file's construction flag may disagree with the current use's
	// class: the class decides (lq_parcel_construction). Flip the flag of
	// every parcel with a current use, so that rule is exercised.
	for i, raw := range features {
		var f map[string]any
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		p, _ := f["properties"].(map[string]any)
		if use, _ := p["current_use"].(string); use != "" {
			c, _ := p["construction_land"].(bool)
			p["construction_land"] = !c
			features[i], _ = json.Marshal(f)
		}
	}
	var out []string
	for i := range n {
		var part []json.RawMessage
		for j := i; j < len(features); j += n {
			part = append(part, features[j])
		}
		fc["features"], _ = json.Marshal(part)
		b, _ := json.Marshal(fc)
		p := filepath.Join(t.TempDir(), fmt.Sprintf("part%d.geojson", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func importFile(t *testing.T, s *Store, path string) (*imports.Report, error) {
	t.Helper()
	src, err := importer.Open(context.Background(), path, importer.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return importer.Import(context.Background(), s, src, importer.Request{Request: imports.Request{Layer: imports.Parcels, ID: fmt.Sprintf("bulk-%d", time.Now().UnixNano()), CreatedBy: "tester"}}, nil)
}

func stepNames(rep *imports.Report) []string {
	var names []string
	for _, st := range rep.Steps {
		names = append(names, st.Name)
	}
	return names
}

// TestImportBulkAsRowByRow imports the demo's parcels in three files, the
// first into an empty table (indexes dropped and built again) and the
// second beside it (indexes kept), with the triggers off and their rows
// made set-based, the third row by row (a trigger the bulk path does not
// know is on); then deletes them and inserts them again one statement
// a row with every trigger on, and checks the parcels and every derived
// row are the same. A write that fails after the indexes were dropped
// leaves the database as it was.
func TestImportBulkAsRowByRow(t *testing.T) {
	ctx := context.Background()
	open := func() (*Store, string) {
		url := pgtest.URL(t) // a fresh database
		s, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s, url
	}
	ds, err := demo.Generate(demo.Options{Parcels: 1200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	// The file: the demo world loaded and exported.
	src, _ := open()
	if _, err := src.Load(ctx, Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels}, false, nil); err != nil {
		t.Fatal(err)
	}
	q := imports.ExportQuery{Layer: imports.Parcels, Format: imports.FormatGeoJSON, Precision: -1}
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "parcels.geojson")
	f, err := os.Create(whole)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Export(ctx, src, q, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	parts := splitGeoJSON(t, whole, 3)

	s, url := open()
	if _, err := s.Load(ctx, Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: func(func(planning.Parcel) bool) {}}, false, nil); err != nil {
		t.Fatal(err)
	}
	one := func(sql string) int64 { t.Helper(); return queryInt(t, s, sql) }
	schema := parcelsSchema(t, s)

	// A write that fails after the drop (the cells step, refused here by
	// a constraint) rolls everything back: no parcel, no derived row, the
	// indexes, constraints and triggers as they were.
	if _, err := s.pool.Exec(ctx, "ALTER TABLE parcel_cells ADD CONSTRAINT lq_test_refuse CHECK (x < 0)"); err != nil {
		t.Fatal(err)
	}
	rep, err := importFile(t, s, parts[0])
	if err == nil && rep.Outcome == imports.OutcomeCommitted {
		t.Fatal("the import committed although its cells were refused")
	}
	if _, err := s.pool.Exec(ctx, "ALTER TABLE parcel_cells DROP CONSTRAINT lq_test_refuse"); err != nil {
		t.Fatal(err)
	}
	if n := one("SELECT (SELECT count(*) FROM parcels) + (SELECT count(*) FROM parcel_conflicts) + (SELECT count(*) FROM parcel_cells) + (SELECT count(*) FROM parcel_footprints)"); n != 0 {
		t.Fatalf("a failed import left %d rows", n)
	}
	if after := parcelsSchema(t, s); after != schema {
		t.Fatalf("a failed import left the schema changed:\nbefore\n%s\nafter\n%s", schema, after)
	}

	version := one("SELECT version FROM layer_versions WHERE layer = 'parcels'")
	rep, err = importFile(t, s, parts[0])
	if err != nil || rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("first part: %v %s %+v", err, rep.Message, rep.Issues)
	}
	if steps := stepNames(rep); !slices.Contains(steps, "write: index parcels_geom_idx") || !slices.Contains(steps, "write: cells") {
		t.Fatalf("into an empty table the import did not take the bulk path with the indexes dropped: %v", steps)
	}
	if after := parcelsSchema(t, s); after != schema {
		t.Fatalf("the import left the schema changed:\nbefore\n%s\nafter\n%s", schema, after)
	}

	// The second part, beside stored parcels: the notification carries
	// the new parcels' box, and the version moves once.
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Close(ctx)
	if _, err := listen.Exec(ctx, "LISTEN landquota_changes"); err != nil {
		t.Fatal(err)
	}
	between := one("SELECT version FROM layer_versions WHERE layer = 'parcels'")
	if between != version+1 {
		t.Fatalf("layer version %d after the first import, %d before", between, version)
	}
	rep, err = importFile(t, s, parts[1])
	if err != nil || rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("second part: %v %s %+v", err, rep.Message, rep.Issues)
	}
	if steps := stepNames(rep); slices.Contains(steps, "write: index parcels_geom_idx") || !slices.Contains(steps, "write: conflicts") {
		t.Fatalf("beside stored parcels the import did not take the bulk path with the indexes kept: %v", steps)
	}
	if v := one("SELECT version FROM layer_versions WHERE layer = 'parcels'"); v != between+1 {
		t.Fatalf("layer version %d after the second import, %d before", v, between)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	note, err := listen.WaitForNotification(wctx)
	if err != nil {
		t.Fatal(err)
	}
	var change struct {
		Layer, Op string
		BBox      []float64
	}
	if err := json.Unmarshal([]byte(note.Payload), &change); err != nil || change.Layer != "parcels" || change.Op != "insert" || len(change.BBox) != 4 {
		t.Fatalf("notification %s: %v", note.Payload, err)
	}
	var box [4]float64
	if err := s.pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM parcels
		WHERE id > (SELECT max(id) FROM parcels) - $1) x`, rep.Counts.Inserted).Scan(&box[0], &box[1], &box[2], &box[3]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(change.BBox, box[:]) {
		t.Fatalf("notified box %v, the new parcels' %v", change.BBox, box)
	}
	// A trigger whose work the bulk path does not know: the import writes
	// row by row, with it on.
	if _, err := s.pool.Exec(ctx, `CREATE TRIGGER parcels_z_new AFTER INSERT ON parcels FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels')`); err != nil {
		t.Fatal(err)
	}
	before := one("SELECT version FROM layer_versions WHERE layer = 'parcels'")
	rep, err = importFile(t, s, parts[2])
	if err != nil || rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("third part: %v %s %+v", err, rep.Message, rep.Issues)
	}
	if steps := stepNames(rep); slices.Contains(steps, "write: conflicts") {
		t.Fatalf("with an unknown trigger the import took the bulk path: %v", steps)
	}
	if v := one("SELECT version FROM layer_versions WHERE layer = 'parcels'"); v != before+2 {
		t.Fatalf("layer version %d after the third import, %d before: the unknown trigger did not run", v, before)
	}
	if _, err := s.pool.Exec(ctx, "DROP TRIGGER parcels_z_new ON parcels"); err != nil {
		t.Fatal(err)
	}
	if n := one("SELECT count(*) FROM parcels"); n != 1200 {
		t.Fatalf("%d parcels imported", n)
	}
	for what, sql := range map[string]string{
		"touching a line":                 "SELECT count(*) FROM parcel_conflicts WHERE farmland_m2 > 0 OR red_line_m2 > 0",
		"covered, no lines":               "SELECT count(*) FROM parcel_conflicts WHERE farmland_m2 = 0 AND red_line_m2 = 0 AND outside_boundary_m2 = 0",
		"underground":                     "SELECT count(*) FROM parcel_footprints",
		"with a current use":              "SELECT count(*) FROM parcels WHERE current_use_code IS NOT NULL",
		"on construction land by its use": "SELECT count(*) FROM parcels p JOIN land_use_classes c ON c.code = p.current_use_code WHERE c.construction",
	} {
		mustCover(t, s, what, sql)
	}
	bulk := derivedRows(t, s)

	// The same parcels, one INSERT each, every trigger on. (The demo's
	// parcels here all meet a zone: the untouched branch of deriveLoaded's
	// conflicts is compared with lq_planner_conflicts by the load's test.)
	if _, err := s.pool.Exec(ctx, "CREATE TABLE lq_test_saved AS SELECT * FROM parcels; DELETE FROM parcels"); err != nil {
		t.Fatal(err)
	}
	if n := one("SELECT (SELECT count(*) FROM parcel_conflicts) + (SELECT count(*) FROM parcel_cells) + (SELECT count(*) FROM parcel_footprints)"); n != 0 {
		t.Fatalf("%d derived rows left after deleting every parcel", n)
	}
	var ids []int64
	rows, _ := s.pool.Query(ctx, "SELECT id FROM lq_test_saved ORDER BY id")
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := s.pool.Exec(ctx, "INSERT INTO parcels SELECT * FROM lq_test_saved WHERE id = $1", id); err != nil {
			t.Fatalf("parcel %d row by row: %v", id, err)
		}
	}
	rowByRow := derivedRows(t, s)
	for _, name := range []string{"parcels", "parcel_conflicts", "parcel_cells", "parcel_footprints"} {
		if bulk[name] != rowByRow[name] {
			t.Errorf("%s: %s imported in bulk, %s inserted row by row", name, bulk[name], rowByRow[name])
		}
	}
	if t.Failed() {
		// Name the first rows that differ.
		var diff string
		s.pool.QueryRow(ctx, `SELECT coalesce(string_agg(x::text, E'\n'), '') FROM (SELECT (to_jsonb(s) - 'created_at' - 'updated_at' - 'geom') x FROM lq_test_saved s
			EXCEPT SELECT to_jsonb(p) - 'created_at' - 'updated_at' - 'geom' FROM parcels p LIMIT 3) d`).Scan(&diff)
		t.Log(strings.TrimSpace(diff))
	}
}

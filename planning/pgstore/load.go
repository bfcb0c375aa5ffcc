package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// loadTriggers are the user triggers on parcels whose work loadParcels
// does itself, once and set-based, while they are off. A trigger not in
// this list makes the load refuse: its work would be skipped silently.
var loadTriggers = map[string]bool{
	"parcels_0_construction":   true, // construction_land, on the Go side from the (locked) classes
	"parcels_a_outline":        true, // validity and area, by the load's own lean row trigger during the COPY
	"parcels_b_no_overlap":     true, // one self-join over the rebuilt GiST index
	"parcels_c_updated":        true, // UPDATE only
	"parcels_conflicts_insert": true, "parcels_conflicts_update": true,
	"parcels_footprints_insert": true, "parcels_footprints_update": true, "parcels_footprints_delete": true,
	"parcels_cells_insert": true, "parcels_cells_update": true, "parcels_cells_delete": true, "parcels_cells_truncate": true,
	"parcels_free_boxes_insert": true, "parcels_free_boxes_update": true, "parcels_free_boxes_delete": true, "parcels_free_boxes_truncate": true,
	"parcels_notify_insert": true, "parcels_notify_update": true, "parcels_notify_delete": true, "parcels_notify_truncate": true,
	"parcels_version": true,
	"parcels_consume": true, // UPDATE only
}

// loadParcels moves parcels into the (empty) parcels table in bulk. Row by
// row, the triggers, foreign keys and eleven secondary indexes cost 182 µs
// of database CPU a parcel (100k seeded; docs/SCALING.md); here every check
// and every derived row is made once, set-based, in the same transaction,
// so a refusal still leaves nothing behind:
//
//  1. with the user triggers off and the foreign keys, the code's unique
//     constraint and the secondary indexes dropped, COPY straight into
//     parcels: ids follow the load order from where the sequence stands,
//     construction_land is derived on the Go side from the classes (locked
//     until commit) as lq_parcel_construction() does, and one lean row
//     trigger of the load's own refuses the first empty or invalid outline
//     (LQ001's message) and measures the area. The database checks and
//     measures while the generator makes the next batch, on the other core;
//  2. build the indexes and constraints again from their saved definitions
//     (sorted builds instead of 10M single inserts; adding a foreign key
//     checks every row in one join);
//  3. refuse the first overlap at the same elevation (LQ002's message),
//     one self-join over the rebuilt GiST index;
//  4. the protected-line figures and the aggregate cells as the statement
//     triggers compute them (each measured by a query that may use
//     parallel workers, then inserted in key order), one notification and
//     one layer version bump.
//
// Dropping and disabling takes the table's exclusive lock until commit,
// which a load into an empty table holds anyway in effect. phase, if set,
// is told each step's time (the seed's --timings).
func loadParcels(ctx context.Context, tx pgx.Tx, src *parcelSource, phase func(string, time.Duration)) (int64, error) {
	defer src.stop()
	t := time.Now()
	step := func(name string) {
		if phase != nil {
			phase(name, time.Since(t))
		}
		t = time.Now()
	}
	exec := func(sqls ...string) error {
		for _, sql := range sqls {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return domainError(err)
			}
		}
		return nil
	}
	triggers, err := checkLoadTriggers(ctx, tx)
	if err != nil {
		return 0, err
	}
	// The cells' aggregates spill to disk at the server's 32 MB; one
	// statement runs at a time here, so this bounds the load's memory.
	// JIT compiles each big statement again in every parallel worker
	// (0.5-1 s apiece, seen in EXPLAIN) for statements whose time is
	// spent in PostGIS functions: off for the load. The trigram GIN
	// index build flushes its pending entries each time they fill
	// maintenance_work_mem: with 2 GB instead of the cluster's 512 MB it
	// took 0.51-0.81 of the time at 3M (docs/SCALING.md).
	if err := exec("SET LOCAL work_mem = '256MB'", "SET LOCAL maintenance_work_mem = '2GB'", "SET LOCAL jit = off",
		"LOCK TABLE land_use_classes IN SHARE MODE"); err != nil {
		return 0, err
	}
	if src.classes, err = constructionClasses(ctx, tx); err != nil {
		return 0, err
	}
	// ids follow the load order from where the sequence stands.
	if err := tx.QueryRow(ctx, "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('parcels', 'id')::regclass), 0)").Scan(&src.off); err != nil {
		return 0, domainError(err)
	}
	off := src.off
	rebuild, err := dropForLoad(ctx, tx, false)
	if err != nil {
		return 0, err
	}
	if err := exec(triggers("DISABLE"), loadOutlineFunction,
		"CREATE TRIGGER lq_load_outline BEFORE INSERT ON parcels FOR EACH ROW EXECUTE FUNCTION pg_temp.lq_load_outline()"); err != nil {
		return 0, err
	}
	step("prepare")
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"parcels"}, append([]string{"id"}, parcelColumns...), src)
	if err := src.firstError(err); err != nil {
		return 0, err
	}
	if err := exec("DROP TRIGGER lq_load_outline ON parcels", "DROP FUNCTION pg_temp.lq_load_outline()"); err != nil {
		return 0, err
	}
	step("copy")

	for _, sql := range rebuild.indexes {
		if err := exec(sql); err != nil {
			return 0, err
		}
		step("index " + indexName(sql))
	}
	if err := exec("ANALYZE parcels"); err != nil {
		return 0, err
	}
	step("analyze")

	// a.id + 0: a range on the primary key beside the GiST probe made the
	// planner AND both per row, scanning half the key each time.
	// ST_Intersects before ST_Relate: half the pairs whose boxes meet do
	// not touch, and it costs less than the full DE-9IM matrix.
	var code, other string
	var overlap float64
	err = tx.QueryRow(ctx, `SELECT a.code, b.code, round(ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4549))::numeric, 2)::float8
		FROM parcels a JOIN parcels b ON a.geom && b.geom AND a.id + 0 < b.id
		WHERE numrange(a.elevation_bottom::numeric, a.elevation_top::numeric) && numrange(b.elevation_bottom::numeric, b.elevation_top::numeric)
		  AND ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********')
		  AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4549)) > 0.01
		ORDER BY b.id, a.id LIMIT 1`).Scan(&other, &code, &overlap)
	if err == nil {
		return 0, planning.Errorf(planning.ErrConflict, "parcel %s overlaps parcel %s by %v m² at the same elevation", code, other, overlap).
			WithDetail("parcel_code", code).WithDetail("overlaps_code", other).WithDetail("overlap_m2", overlap)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return 0, domainError(err)
	}
	step("overlaps")

	if err := deriveLoaded(ctx, tx, off, step); err != nil {
		return 0, err
	}

	if err := exec(rebuild.constraints...); err != nil {
		return 0, err
	}
	// Last: a sequence does not roll back, and a refused load should not
	// move it.
	if err := exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('parcels', 'id'), %d, %t)", max(off+n, 1), off+n > 0),
		triggers("ENABLE"),
		"ANALYZE parcel_conflicts, parcel_cells, parcel_footprints, free_parcel_boxes"); err != nil {
		return 0, err
	}
	// The whole layer is new: no box.
	if err := announceLoaded(ctx, tx, off, false); err != nil {
		return 0, err
	}
	step("constraints")
	return n, nil
}

// deriveLoaded makes, once and set-based, the rows the statement triggers
// on parcels make for an INSERT (conflict measures, underground
// footprints, aggregate cells) for the parcels whose id is above off: the
// rows just written with those triggers off, by the seed's load (the whole
// table) or by an import (parcels_conflicts_insert,
// parcels_footprints_insert and parcels_cells_insert have one set-based
// form here, which both use). done, if set, is told each step's end.
func deriveLoaded(ctx context.Context, tx pgx.Tx, off int64, done func(string)) error {
	if done == nil {
		done = func(string) {}
	}
	exec := func(sqls ...string) error {
		for _, sql := range sqls {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return domainError(err)
			}
		}
		return nil
	}
	o := strconv.FormatInt(off, 10)
	// lq_parcel_conflicts_measure(): lq_planner_conflicts for each parcel.
	// Its answer is known without measuring for a parcel no zone touches
	// (nothing inside lines, all of it outside the boundary, which is its
	// area: the same expression, and the parcel's own width outside,
	// lq_overlap_width of 026) and for one a boundary zone covers that no
	// farmland or red line touches (all zeros); only the rest (0.3% of the
	// demo's at 1M) are measured. One pass over parcels finds each one's
	// zones (a row per parcel and zone met, one row for a parcel that meets
	// none) and works out in that row what the known answers need: a plain
	// join, which parallel workers run, so both cores work on it. Only the
	// narrow rows are then grouped by parcel. (The touched parcels used to
	// be joined zone by zone in one backend and sorted by parcel with both
	// outlines, 1.8 kB a row, 258 MB at 1M; at 10M the step took 37 times
	// its 1M time: docs/SCALING.md.) A subquery or LATERAL aggregate per parcel, or
	// lq_planner_conflicts inlined (correlated subqueries), would keep the
	// plan from parallel workers: the function measures the rest after.
	// lq_overlap_width has a fast exit for a parcel 10 m wide or more (0.4%
	// of the demo's at 1M are narrower, 99.6% at 10M, where parcels are
	// 1/35 the area); a narrower convex one is measured exactly by
	// arithmetic in 026 (024 bisected GEOS inward buffers, about 11 a call,
	// hence the step's super-linear growth: docs/SCALING.md).
	if err := exec(`CREATE TEMP TABLE lq_load_hits ON COMMIT DROP AS
		SELECT p.id AS parcel_id, z.kind IS NOT NULL AS touched,
		       z.kind IN ('permanent_basic_farmland', 'ecological_red_line') AS line,
		       CASE WHEN z.kind = 'urban_development_boundary' THEN ST_Covers(z.geom, p.geom) END AS covered,
		       CASE WHEN z.kind IS NULL THEN p.area_m2 END AS outside_boundary_m2,
		       CASE WHEN z.kind IS NULL THEN lq_overlap_width(ST_Transform(p.geom, 4549)) END AS outside_boundary_width_m
		FROM parcels p LEFT JOIN protected_zones z ON z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
		WHERE p.id > `+o,
		`INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2,
			farmland_width_m, red_line_width_m, outside_boundary_width_m)
		SELECT parcel_id, 0, 0, outside_boundary_m2, 0, 0, outside_boundary_width_m FROM lq_load_hits WHERE NOT touched
		UNION ALL
		SELECT h.parcel_id, k.* FROM (
			SELECT parcel_id, bool_or(line) AS lines, coalesce(bool_or(covered), false) AS covered
			FROM lq_load_hits WHERE touched GROUP BY parcel_id) h
		CROSS JOIN LATERAL (
			SELECT 0::float8, 0::float8, 0::float8, 0::float8, 0::float8, 0::float8 WHERE h.covered AND NOT h.lines
			UNION ALL
			SELECT m.farmland_m2, m.red_line_m2, m.outside_boundary_m2, m.farmland_width_m, m.red_line_width_m, m.outside_boundary_width_m
			FROM parcels p CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) m
			WHERE (h.lines OR NOT h.covered) AND p.id = h.parcel_id) k
		ORDER BY 1`,
		"DROP TABLE lq_load_hits"); err != nil {
		return err
	}
	done("conflicts")

	// lq_parcel_footprints_follow(): the kept 2D area of the underground
	// rights (the few the partial index holds) among the new rows, and of
	// those stored before whose box a new row meets.
	if err := exec(`SELECT lq_parcel_footprints_remeasure(array(
		SELECT id FROM parcels WHERE elevation_top <= 0 AND id > ` + o + `
		UNION
		SELECT s.id FROM parcels s WHERE s.elevation_top <= 0 AND s.id <= ` + o + `
		   AND EXISTS (SELECT 1 FROM parcels n WHERE n.geom && s.geom AND n.id > ` + o + `)))`); err != nil {
		return err
	}
	done("footprints")

	// lq_parcel_cells_count(): the cells of the finest level (measured
	// into a temporary table by a query that may use parallel workers),
	// then the coarser ones by halving (floor(v * 2^l) = floor(floor(v *
	// 2^(l+1)) / 2), exact in floating point since the factors are powers
	// of two), inserted in key order.
	var cellsEmpty bool
	if err := tx.QueryRow(ctx, "SELECT NOT EXISTS (SELECT 1 FROM parcel_cells)").Scan(&cellsEmpty); err != nil {
		return domainError(err)
	}
	upsert := ` ON CONFLICT (level, x, y, status) DO UPDATE
		SET parcels = c.parcels + EXCLUDED.parcels, area_m2 = c.area_m2 + EXCLUDED.area_m2`
	if cellsEmpty {
		upsert = "" // the common case (a replaced world): half the work per row
	}
	if err := exec(`CREATE TEMP TABLE lq_load_cells ON COMMIT DROP AS
			SELECT k.x, k.y, p.status, count(*) AS parcels, sum(p.area_m2::numeric) AS area_m2
			FROM parcels p CROSS JOIN LATERAL lq_parcel_cells_of(p.geom) k WHERE k.level = 18 AND p.id > `+o+`
			GROUP BY 1, 2, 3`,
		`INSERT INTO parcel_cells AS c (level, x, y, status, parcels, area_m2)
		SELECT * FROM (
			SELECT 18, x, y, status, parcels, area_m2 FROM lq_load_cells
			UNION ALL
			SELECT l, x >> (18 - l), y >> (18 - l), status, sum(parcels), sum(area_m2)
			FROM lq_load_cells CROSS JOIN generate_series(15, 17) l GROUP BY 1, 2, 3, 4) k
		ORDER BY 1, 2, 3, 4`+upsert,
		"DROP TABLE lq_load_cells",
		"DELETE FROM parcel_cells WHERE parcels = 0"); err != nil {
		return err
	}
	done("cells")

	// lq_free_parcel_boxes_follow(): the free parcels' boxes with their
	// largest conflict area, made above (migrations 029, 030).
	if err := exec(`INSERT INTO free_parcel_boxes (id, area_m2, max_conflict_m2, box_4549, status, land_use_code, park_code)
		SELECT p.id, p.area_m2, coalesce(greatest(c.farmland_m2, c.red_line_m2, c.outside_boundary_m2), 'Infinity'),
		       box(ST_Transform(p.geom, 4549)), p.status, p.land_use_code, p.park_code
		FROM parcels p LEFT JOIN parcel_conflicts c ON c.parcel_id = p.id
		WHERE p.status IN ` + freeStatusesSQL + ` AND p.id > ` + o + ` ORDER BY p.id`); err != nil {
		return err
	}
	done("free boxes")

	return nil
}

// announceLoaded does, once, what lq_notify_change() and
// lq_bump_layer_version() do for an INSERT into parcels: one notification
// (with the box of the parcels above off when withBox, else none: the
// whole layer) and one version bump.
func announceLoaded(ctx context.Context, tx pgx.Tx, off int64, withBox bool) error {
	notify := `SELECT pg_notify('landquota_changes', json_build_object('layer', 'parcels', 'op', 'insert', 'bbox', NULL)::text)`
	if withBox {
		notify = `SELECT pg_notify('landquota_changes', json_build_object('layer', 'parcels', 'op', 'insert',
			'bbox', json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)))::text)
			FROM (SELECT ST_Extent(geom) AS e FROM parcels WHERE id > ` + strconv.FormatInt(off, 10) + `) x WHERE e IS NOT NULL`
	}
	for _, sql := range []string{notify, "UPDATE layer_versions SET version = version + 1, changed_at = now() WHERE layer = 'parcels'"} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return domainError(err)
		}
	}
	return nil
}

// loadOutlineFunction is the load's own row trigger: lq_outline_checked()
// for parcels without its per-row to_jsonb of the whole row (the key is the
// code), raising SQLSTATE LQL01 with the reason, the code and the id for
// loadParcels to word as LQ001 does. It lives in the session's temporary
// schema and is dropped right after the COPY.
const loadOutlineFunction = `CREATE OR REPLACE FUNCTION pg_temp.lq_load_outline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF ST_IsEmpty(NEW.geom) THEN
    RAISE EXCEPTION USING ERRCODE = 'LQL01', MESSAGE = 'outline is empty', DETAIL = NEW.code, HINT = NEW.id::text;
  END IF;
  IF NOT ST_IsValid(NEW.geom) THEN
    RAISE EXCEPTION USING ERRCODE = 'LQL01', MESSAGE = 'outline is not a valid polygon: ' || ST_IsValidReason(NEW.geom),
      DETAIL = NEW.code, HINT = NEW.id::text;
  END IF;
  NEW.area_m2 := ST_Area(ST_Transform(NEW.geom, 4549));
  RETURN NEW;
END $$`

// constructionClasses reads each land-use class's construction flag, for
// the Go side's lq_parcel_construction().
func constructionClasses(ctx context.Context, tx pgx.Tx) (map[string]bool, error) {
	rows, err := tx.Query(ctx, "SELECT code, construction FROM land_use_classes")
	if err != nil {
		return nil, domainError(err)
	}
	m := map[string]bool{}
	var code string
	var c bool
	if _, err := pgx.ForEachRow(rows, []any{&code, &c}, func() error { m[code] = c; return nil }); err != nil {
		return nil, domainError(err)
	}
	return m, nil
}

// indexName is the name in a CREATE INDEX statement.
func indexName(sql string) string {
	f := strings.Fields(sql)
	for i, w := range f {
		if w == "INDEX" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return "?"
}

// checkLoadTriggers refuses a load when parcels has an enabled trigger
// whose work loadParcels does not know how to do. It returns the ALTER
// TABLE statement that turns the enabled ones off or on again (only those:
// a trigger off before the load stays off).
func checkLoadTriggers(ctx context.Context, tx pgx.Tx) (func(verb string) string, error) {
	rows, err := tx.Query(ctx, "SELECT quote_ident(tgname) FROM pg_trigger WHERE tgrelid = 'parcels'::regclass AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname")
	if err != nil {
		return nil, domainError(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, domainError(err)
	}
	for _, name := range names {
		if !loadTriggers[name] {
			return nil, unknownTriggerError(name)
		}
	}
	return func(verb string) string {
		if len(names) == 0 {
			return "SELECT 1" // none enabled: nothing to turn
		}
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = verb + " TRIGGER " + n
		}
		return "ALTER TABLE parcels " + strings.Join(parts, ", ")
	}, nil
}

// unknownTriggerError is checkLoadTriggers's refusal: the load stops on
// it; an import writes row by row instead, the trigger on.
type unknownTriggerError string

func (name unknownTriggerError) Error() string {
	return fmt.Sprintf("bulk load: trigger %s on parcels is not known to loadParcels, which turns the triggers off; teach it that trigger's work", string(name))
}

// loadRebuild holds what dropForLoad dropped, as statements that make it again.
type loadRebuild struct {
	indexes, constraints []string
}

// dropForLoad drops the secondary indexes of parcels, its unique
// constraints, and the foreign keys of parcels and of parcel_conflicts
// (unless keepFKs: the caller turns their checks off and makes sure of
// them), returning their definitions as the catalog has them. The primary
// key stays: other tables' foreign keys hang on it.
func dropForLoad(ctx context.Context, tx pgx.Tx, keepFKs bool) (loadRebuild, error) {
	var r loadRebuild
	var drops []string
	parcelKinds, conflictKinds := "'f', 'u'", "'f'"
	if keepFKs {
		parcelKinds, conflictKinds = "'u'", "''"
	}
	rows, err := tx.Query(ctx, `SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = 'parcels'::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
		UNION ALL
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE (c.conrelid = 'parcels'::regclass AND c.contype IN (`+parcelKinds+`))
		   OR (c.conrelid = 'parcel_conflicts'::regclass AND c.contype IN (`+conflictKinds+`))`)
	if err != nil {
		return r, domainError(err)
	}
	for rows.Next() {
		var drop, create string
		if err := rows.Scan(&drop, &create); err != nil {
			rows.Close()
			return r, domainError(err)
		}
		drops = append(drops, drop)
		if strings.HasPrefix(drop, "DROP INDEX") {
			r.indexes = append(r.indexes, create)
		} else {
			r.constraints = append(r.constraints, create)
		}
	}
	if err := rows.Err(); err != nil {
		return r, domainError(err)
	}
	for _, sql := range drops {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return r, domainError(err)
		}
	}
	return r, nil
}

// parcelSource feeds a parcel iterator to COPY without holding it in
// memory. A goroutine generates the parcels and encodes their values (the
// id first, from off on, and construction_land derived from classes) a
// batch ahead, so generating and sending the COPY stream use two cores;
// at most loadBatches batches wait at a time.
type parcelSource struct {
	next     iter.Seq[planning.Parcel]
	progress func(int64)
	off      int64           // the last id before the load
	classes  map[string]bool // land-use class: construction land
	batches  chan loadBatch
	done     chan struct{}
	cur      [][]any
	vals     []any
	err      error
	n        int64
}

type loadBatch struct {
	rows [][]any
	err  error
}

const (
	loadBatchRows = 512
	loadBatches   = 4
)

func (s *parcelSource) start() {
	s.batches, s.done = make(chan loadBatch, loadBatches), make(chan struct{})
	go func() {
		defer close(s.batches)
		b := loadBatch{rows: make([][]any, 0, loadBatchRows)}
		send := func() bool {
			select {
			case s.batches <- b:
				b = loadBatch{rows: make([][]any, 0, loadBatchRows)}
				return true
			case <-s.done:
				return false
			}
		}
		id := s.off
		for p := range s.next {
			id++
			vals, err := loadValues(&p, id, s.classes)
			if err != nil {
				if len(b.rows) > 0 && !send() {
					return
				}
				b.err = err
				send()
				return
			}
			b.rows = append(b.rows, vals)
			if len(b.rows) == loadBatchRows && !send() {
				return
			}
		}
		if len(b.rows) > 0 {
			send()
		}
	}()
}

// stop ends the generating goroutine when COPY stopped early.
func (s *parcelSource) stop() {
	if s.done != nil {
		close(s.done)
		for range s.batches {
		}
	}
}

func (s *parcelSource) Next() bool {
	if s.batches == nil {
		s.start()
	}
	for len(s.cur) == 0 {
		b, ok := <-s.batches
		if !ok {
			return false
		}
		if b.err != nil {
			s.err = b.err
			return false
		}
		s.cur = b.rows
	}
	s.vals, s.cur = s.cur[0], s.cur[1:]
	s.n++
	if s.progress != nil && s.n%10000 == 0 {
		s.progress(s.n)
	}
	return true
}

func (s *parcelSource) Values() ([]any, error) { return s.vals, nil }
func (s *parcelSource) Err() error             { return s.err }

// constructionColumn is construction_land's place in parcelColumns.
var constructionColumn = slices.Index(parcelColumns, "construction_land")

// loadValues lists p's values in COPY order: the id, then parcelColumns'.
// construction_land is what lq_parcel_construction() makes of the row: the
// override when set, else the current-use class's flag (NULL for an
// unknown class, which NOT NULL refuses as the trigger's lookup would
// leave it), else the flag as given.
func loadValues(p *planning.Parcel, id int64, classes map[string]bool) ([]any, error) {
	vals, err := parcelValues(p)
	if err != nil {
		return nil, err
	}
	row := make([]any, 1, len(vals)+1)
	row[0] = id
	row = append(row, vals...)
	var construction any = p.ConstructionLand
	switch {
	case p.ConstructionOverride != nil:
		construction = *p.ConstructionOverride
	case p.CurrentUse != "":
		if c, ok := classes[p.CurrentUse]; ok {
			construction = c
		} else {
			construction = nil
		}
	}
	row[1+constructionColumn] = construction
	return row, nil
}

// firstError is the load's error after COPY, if any: the load trigger's
// refusal of an outline (always earlier in the stream than a parcel the Go
// side refused, since nothing after that one is sent), else the Go side's,
// else COPY's.
func (s *parcelSource) firstError(copyErr error) error {
	var pe *pgconn.PgError
	if errors.As(copyErr, &pe) && pe.Code == "LQL01" {
		return planning.Errorf(planning.ErrInvalid, "parcel %s: %s", pe.Detail, pe.Message).WithDetail("field", "geometry")
	}
	if s.err != nil {
		return s.err
	}
	return domainError(copyErr)
}

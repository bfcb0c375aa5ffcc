package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Imports are atomic: one transaction COPYs the rows into a temporary
// staging table, checks them there with set-based SQL (validity, duplicate
// and existing keys, references, districts, overlaps), adds what it finds
// to the report, and only when nothing is wrong moves them into the layer's
// table. A refused, failed or interrupted import (even a killed process:
// PostgreSQL rolls back a transaction whose client is gone) leaves the
// database exactly as it was.

// importTable describes how one layer's fields land in its table.
type importTable struct {
	table string
	key   string            // the column the key field fills
	cols  map[string]string // field name -> column
}

// importTables are derived from the layers (importTablesOf, layers.go).
var importTables = importTablesOf(layers)

func sqlType(k imports.Kind) string {
	switch k {
	case imports.Float:
		return "double precision"
	case imports.Int:
		return "bigint"
	case imports.Bool:
		return "boolean"
	case imports.Date:
		return "date"
	}
	return "text"
}

// stageCol is one column of the staging table filled from a field.
type stageCol struct {
	field  int // index in imports.Fields(layer)
	name   string
	mapped bool
}

// importRun is the state of one import inside its transaction.
type importRun struct {
	tx    pgx.Tx
	names *strings.Replacer // lq_stage and lq_where -> this import's tables
	req   imports.Request
	m     *imports.Mapping
	rep   *imports.Report
	t     importTable
	cols  []stageCol
	attrs bool // the rows' other attributes go to the table's attributes column
	max   int
	// analyzed: the write analyzed the table after its last row (the bulk
	// write into an empty parcels table), so no ANALYZE after the commit.
	analyzed bool
	// pairs: the in-file pairs of parcels whose outlines may share
	// interior, worked out from the outlines COPY sent while the checks
	// before the overlaps run (geo.Outlines); reshaped: a staged
	// outline was changed since (repaired), so those pairs do not hold.
	pairs    chan overlapPairs
	reshaped bool
	gist     bool // the staging table's GiST index is built
}

type overlapPairs struct {
	pairs [][2]int64
	ok    bool
	took  time.Duration
}

// columnsOf lists a table's columns.
func columnsOf(ctx context.Context, q execer, table string) (map[string]bool, error) {
	var names []string
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(column_name::text), '{}') FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table).Scan(&names)
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, err
}

// ImportRows implements imports.Store.
func (s *Store) ImportRows(ctx context.Context, req imports.Request, m *imports.Mapping, rows imports.Rows, rep *imports.Report, prog *imports.Progress) (imports.Outcome, error) {
	t, ok := importTables[req.Layer]
	if !ok {
		return "", planning.Errorf(planning.ErrInvalid, "cannot import layer %q", req.Layer)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return "", domainError(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", domainError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	timeout := "0"
	if req.StatementTimeout > 0 {
		timeout = strconv.FormatInt(req.StatementTimeout.Milliseconds(), 10)
	}
	// A killed client is noticed within seconds, not at the end of a long
	// statement; the checks may use up to four processes. jit compiles
	// each big statement again in every parallel worker (1-5 s of the
	// overlap check, seen in EXPLAIN) for statements whose time is in
	// PostGIS functions, as in the load: off from the start.
	if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true),"+
		" set_config('work_mem', '256MB', true), set_config('maintenance_work_mem', '512MB', true),"+
		" set_config('max_parallel_workers_per_gather', '4', true), set_config('jit', 'off', true)", timeout); err != nil {
		return "", domainError(err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('client_connection_check_interval', '2000', true) WHERE current_setting('server_version_num')::int >= 140000"); err != nil {
		return "", domainError(err)
	}
	have, err := columnsOf(ctx, tx, t.table)
	if err != nil {
		return "", domainError(err)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	suffix := hex.EncodeToString(rnd[:])
	run := &importRun{tx: tx, req: req, m: m, rep: rep, t: t, max: imports.DefaultMaxIssues,
		names: strings.NewReplacer("lq_stage", "lq_stage_"+suffix, "lq_where", "lq_where_"+suffix, "lq_pairs", "lq_pairs_"+suffix)}
	if req.MaxIssues > 0 {
		run.max = req.MaxIssues
	}
	run.attrs = req.Layer == imports.Parcels && have["attributes"]
	fields := imports.Fields(req.Layer)
	for i, f := range fields {
		col, stored := t.cols[f.Name]
		if !stored {
			continue // checked on the way in, not stored (main_share)
		}
		if !have[col] {
			if m.Source[i] != "" {
				return "", planning.Errorf(planning.ErrUnavailable, "the database has no column %s.%s for field %s: run `landquota migrate`", t.table, col, f.Name)
			}
			continue
		}
		run.cols = append(run.cols, stageCol{field: i, name: col, mapped: m.Mapped(i)})
	}
	if err := run.stage(ctx, rows); err != nil {
		return "", err
	}
	prog.SetPhase("checking")
	if err := run.check(ctx); err != nil {
		return "", err
	}
	if req.DryRun {
		return imports.OutcomeDryRun, nil
	}
	if rep.Errors() > 0 {
		return imports.OutcomeRefused, nil
	}
	prog.SetPhase("writing")
	if err := run.move(ctx); err != nil {
		return "", err
	}
	if err := run.log(ctx); err != nil {
		return "", err
	}
	if _, err := run.exec(ctx, "DROP TABLE IF EXISTS lq_stage, lq_where, lq_pairs"); err != nil {
		return "", err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", domainError(err)
	}
	if rep.Counts.Inserted+rep.Counts.Updated > 10000 && !run.analyzed {
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), "ANALYZE "+t.table)
	}
	return imports.OutcomeCommitted, nil
}

// stage creates the staging table and COPYs the rows into it.
func (r *importRun) stage(ctx context.Context, rows imports.Rows) error {
	fields := imports.Fields(r.req.Layer)
	var b strings.Builder
	// An unlogged table, not a temporary one: the checks below can then use
	// parallel workers. Created inside the transaction, it vanishes with
	// a rollback and is dropped before the commit.
	b.WriteString("CREATE UNLOGGED TABLE lq_stage (feature bigint NOT NULL")
	names := []string{"feature"}
	for _, c := range r.cols {
		fmt.Fprintf(&b, ", %s %s", c.name, sqlType(fields[c.field].Kind))
		names = append(names, c.name)
	}
	b.WriteString(", geom geometry(MultiPolygon, 4490), src_land_use text, bad boolean NOT NULL, valid boolean NOT NULL, derived_district boolean NOT NULL DEFAULT false")
	if r.req.Layer == imports.Parcels {
		b.WriteString(", lvl numrange GENERATED ALWAYS AS (numrange(elevation_bottom::numeric, elevation_top::numeric)) STORED")
	}
	names = append(names, "geom", "src_land_use", "bad", "valid")
	if r.attrs {
		b.WriteString(", attributes jsonb")
		names = append(names, "attributes")
	}
	b.WriteString(")")
	if _, err := r.exec(ctx, b.String()); err != nil {
		return domainError(err)
	}
	src := &copyRows{rows: rows, cols: r.cols, attrs: r.attrs, vals: make([]any, len(names))}
	if r.req.Layer == imports.Parcels {
		src.outlines = geo.NewOutlines()
	}
	t0 := time.Now()
	n, err := r.tx.CopyFrom(ctx, pgx.Identifier{r.names.Replace("lq_stage")}, names, src)
	r.rep.Time("read and COPY", t0)
	if src.err != nil {
		return src.err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err != nil {
		return domainError(err)
	}
	r.rep.Counts.Staged = n
	if o := src.outlines; o != nil {
		// On the client's cores while the database indexes and checks.
		r.pairs = make(chan overlapPairs, 1)
		go func() {
			t0 := time.Now()
			pairs, ok := o.PairsToCheck()
			r.pairs <- overlapPairs{pairs, ok, time.Since(t0)}
		}()
	} else if err := r.stageGist(ctx); err != nil {
		return err
	}
	for _, q := range []string{
		"CREATE INDEX ON lq_stage (" + r.t.key + ")",
		"CREATE UNIQUE INDEX ON lq_stage (feature)",
		"ANALYZE lq_stage",
	} {
		if _, err := r.exec(ctx, q); err != nil {
			return domainError(err)
		}
	}
	return nil
}

// stageGist builds the staging table's GiST index, once.
func (r *importRun) stageGist(ctx context.Context) error {
	if r.gist {
		return nil
	}
	r.gist = true
	_, err := r.exec(ctx, "CREATE INDEX ON lq_stage USING gist (geom)")
	return err
}

// copyRows feeds the pipeline's rows to COPY.
type copyRows struct {
	rows     imports.Rows
	cols     []stageCol
	attrs    bool
	vals     []any
	err      error
	outlines *geo.Outlines // the outlines sent, kept for the overlap check (parcels)
}

func (c *copyRows) Next() bool {
	if !c.rows.Next() {
		return false
	}
	row := c.rows.Row()
	var g any
	if row.Geom != nil {
		mp, err := geo.ToMultiPolygonGeom(row.Geom, geo.SRIDStore)
		if err != nil {
			c.err = err
			return false
		}
		g = mp
		if c.outlines != nil {
			c.outlines.Add(row.Feature, row.Geom)
		}
	}
	c.vals[0] = row.Feature
	for i, col := range c.cols {
		c.vals[i+1] = row.Values[col.field]
	}
	k := len(c.cols) + 1
	c.vals[k] = g
	c.vals[k+1] = nullString(row.SourceLandUse)
	c.vals[k+2] = row.Bad
	c.vals[k+3] = row.Geom != nil
	if c.attrs {
		c.vals[k+4] = row.Attributes
		if row.Attributes == nil {
			c.vals[k+4] = map[string]any{}
		}
	}
	return true
}

func (c *copyRows) Values() ([]any, error) { return c.vals, nil }
func (c *copyRows) Err() error             { return c.err }

// exec runs one statement and times it in the report's steps.
func (r *importRun) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	t0 := time.Now()
	tag, err := r.tx.Exec(ctx, r.names.Replace(sql), args...)
	r.rep.Time(stepName(sql), t0)
	return tag, domainError(err)
}

// stepName names a statement for the timings: the write into a layer's
// table in words, any other statement by its first words.
func stepName(sql string) string {
	w := strings.Fields(sql)
	switch {
	case len(w) > 2 && w[0] == "INSERT" && w[1] == "INTO" && !strings.HasPrefix(w[2], "lq_"):
		return "write: insert into " + w[2]
	case len(w) > 1 && w[0] == "UPDATE" && !strings.HasPrefix(w[1], "lq_"):
		return "write: update " + w[1]
	}
	if len(w) > 6 {
		w = w[:6]
	}
	return strings.Join(w, " ")
}

// keyText is the staging key as text, for reports.
func (r *importRun) keyText(alias string) string {
	return "coalesce(" + alias + "." + r.t.key + "::text, '')"
}

// issues runs a query whose rows become issues: the listed ones are added,
// the rest counted. The query's last column must be count(*) OVER ().
func (r *importRun) issues(ctx context.Context, sev imports.Severity, kind, sql string, scan func(row pgx.Rows, total *int64) (imports.Issue, error), args ...any) (int64, error) {
	t0 := time.Now()
	defer r.rep.Time("check "+kind, t0)
	rows, err := r.tx.Query(ctx, r.names.Replace(sql), append(args, r.max)...)
	if err != nil {
		return 0, domainError(err)
	}
	defer rows.Close()
	var total, listed int64
	for rows.Next() {
		is, err := scan(rows, &total)
		if err != nil {
			return 0, domainError(err)
		}
		if is.Kind == "" {
			is.Kind = kind
		}
		is.Severity = sev
		r.rep.Add(is)
		listed++
	}
	if err := rows.Err(); err != nil {
		return 0, domainError(err)
	}
	r.rep.AddCounted(sev, kind, total-listed)
	return total, nil
}

func loc(x, y *float64) []float64 {
	if x == nil || y == nil {
		return nil
	}
	return []float64{*x, *y}
}

// check runs every validation; findings go to the report.
func (r *importRun) check(ctx context.Context) error {
	key := r.t.key
	layer := r.req.Layer
	if err := r.lockTable(ctx); err != nil {
		return err
	}
	// Rows that replace stored ones take the stored values of the fields
	// the file does not give, so the checks below see the final rows.
	if r.req.Mode == imports.ModeUpsert {
		var set []string
		for _, c := range r.cols {
			if !c.mapped && c.name != key {
				set = append(set, c.name+" = t."+c.name)
			}
		}
		if len(set) > 0 {
			if _, err := r.exec(ctx, "UPDATE lq_stage s SET "+strings.Join(set, ", ")+" FROM "+r.t.table+" t WHERE t."+key+" = s."+key); err != nil {
				return domainError(err)
			}
		}
	}
	if err := r.checkValidity(ctx); err != nil {
		return err
	}
	// Duplicate keys within the file.
	_, err := r.issues(ctx, imports.SevError, imports.KindDuplicateCode, `
		SELECT k, features, count(*) OVER () FROM (
		  SELECT `+key+`::text AS k, array_agg(feature ORDER BY feature) AS features FROM lq_stage WHERE `+key+` IS NOT NULL
		  GROUP BY `+key+` HAVING count(*) > 1) d ORDER BY features[1] LIMIT $1`,
		func(row pgx.Rows, total *int64) (imports.Issue, error) {
			var k string
			var fs []int64
			if err := row.Scan(&k, &fs, total); err != nil {
				return imports.Issue{}, err
			}
			rest := make([]string, 0, len(fs)-1)
			for _, f := range fs[1:] {
				rest = append(rest, strconv.FormatInt(f, 10))
			}
			name := imports.KeyField(layer).Name
			return imports.Issue{Feature: fs[0], Code: k, Field: name, Value: k, Other: &imports.Ref{Feature: fs[1], Code: k}}.
				Say(planning.Textf("%s %s is used by %d features: this one and feature %s", name, k, len(fs), strings.Join(rest, ", "))), nil
		})
	if err != nil {
		return err
	}
	if r.req.Mode == imports.ModeInsert {
		idCol := "0::bigint"
		if layer == imports.Parcels {
			idCol = "t.id"
		}
		_, err := r.issues(ctx, imports.SevError, imports.KindExists, `
			SELECT s.feature, `+r.keyText("s")+`, `+idCol+`, count(*) OVER () FROM lq_stage s JOIN `+r.t.table+` t ON t.`+key+` = s.`+key+`
			ORDER BY s.feature LIMIT $1`,
			func(row pgx.Rows, total *int64) (imports.Issue, error) {
				var is imports.Issue
				var id, n int64
				err := row.Scan(&is.Feature, &is.Code, &id, &n)
				is = is.Say(planning.Textf("%s %s is already in the database: import with --mode upsert to update it", imports.KeyField(layer).Name, is.Code))
				if id > 0 {
					is.Other = &imports.Ref{ParcelID: id, Code: is.Code}
				}
				return is, err
			})
		if err != nil {
			return err
		}
	}
	if err := r.checkReferences(ctx); err != nil {
		return err
	}
	if layer != imports.Parcels {
		return nil
	}
	if err := r.checkDistricts(ctx); err != nil {
		return err
	}
	return r.checkOverlaps(ctx)
}

// checkValidity finds outlines PostGIS calls invalid, with the place;
// with --repair it applies ST_MakeValid and reports each repair.
func (r *importRun) checkValidity(ctx context.Context) error {
	sev, kind := imports.SevError, imports.KindInvalidGeometry
	after := "NULL::float8"
	if r.req.Repair {
		sev, kind = imports.SevRepair, imports.KindRepaired
		after = "ST_Area(ST_Transform(ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)), 4549))"
	}
	n, err := r.issues(ctx, sev, kind, `
		SELECT feature, k, (d).reason, ST_X((d).location), ST_Y((d).location), a, count(*) OVER () FROM (
		  SELECT feature, `+r.keyText("lq_stage")+` AS k, ST_IsValidDetail(geom) AS d, `+after+` AS a FROM lq_stage WHERE valid AND NOT ST_IsValid(geom)) x
		ORDER BY feature LIMIT $1`,
		func(row pgx.Rows, total *int64) (imports.Issue, error) {
			var is imports.Issue
			var reason *string
			var x, y, a *float64
			err := row.Scan(&is.Feature, &is.Code, &reason, &x, &y, &a, total)
			is.Location = loc(x, y)
			why := planning.Textf("not a valid polygon")
			if reason != nil {
				why = planning.Textf("%s", *reason) // PostGIS's own words
			}
			switch {
			case !r.req.Repair:
				is = is.Say(planning.Textf("the outline is not valid: %s (import with --repair to apply ST_MakeValid)", why))
			case a != nil:
				is.AreaM2 = a
				is = is.Say(planning.Textf("the outline was not valid (%s): repaired with ST_MakeValid; its area is now %.2f m²", why, *a))
			default:
				is = is.Say(planning.Textf("the outline was not valid (%s): repaired with ST_MakeValid", why))
			}
			return is, err
		})
	if err != nil || n == 0 {
		return err
	}
	if r.req.Repair {
		if _, err := r.exec(ctx, "UPDATE lq_stage SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) WHERE valid AND NOT ST_IsValid(geom)"); err != nil {
			return domainError(err)
		}
		r.reshaped = true // the outlines kept on the client are not all the staged ones now
		_, err := r.issues(ctx, imports.SevError, imports.KindInvalidGeometry, `
			SELECT feature, `+r.keyText("lq_stage")+`, count(*) OVER () FROM lq_stage WHERE valid AND (ST_IsEmpty(geom) OR NOT ST_IsValid(geom)) ORDER BY feature LIMIT $1`,
			func(row pgx.Rows, total *int64) (imports.Issue, error) {
				var is imports.Issue
				err := row.Scan(&is.Feature, &is.Code, total)
				is = is.Say(planning.Textf("the outline could not be repaired: ST_MakeValid left no polygon"))
				return is, err
			})
		if err != nil {
			return err
		}
	}
	_, err = r.exec(ctx, "UPDATE lq_stage SET valid = false WHERE valid AND (ST_IsEmpty(geom) OR NOT ST_IsValid(geom))")
	return domainError(err)
}

// checkReferences reports codes that name nothing in the database.
func (r *importRun) checkReferences(ctx context.Context) error {
	type ref struct {
		col, field, table, tcol, kind string
		what                          func(value string) planning.Text
	}
	var refs []ref
	switch r.req.Layer {
	case imports.Parcels:
		refs = []ref{
			{"land_use_code", "land_use", "land_use_classes", "code", imports.KindUnknownCode, func(v string) planning.Text {
				return planning.Textf("land-use class %s does not exist in the 2023 classification", v)
			}},
			{"compatible_use_code", "compatible_use", "land_use_classes", "code", imports.KindUnknownCode, func(v string) planning.Text {
				return planning.Textf("compatible land-use class %s does not exist in the 2023 classification", v)
			}},
			{"current_use_code", "current_use", "land_use_classes", "code", imports.KindUnknownCode, func(v string) planning.Text {
				return planning.Textf("current-use class %s does not exist in the 2023 classification", v)
			}},
			{"district_adcode", "district", "districts", "adcode", imports.KindUnknownReference, unknownDistrict},
			{"park_code", "park", "parks", "code", imports.KindUnknownReference, func(v string) planning.Text {
				return planning.Textf("park %s is not in the database: import the parks first", v)
			}},
		}
	case imports.Parks:
		refs = []ref{{"host_district", "host_district", "districts", "adcode", imports.KindUnknownReference, unknownDistrict}}
	}
	for _, f := range refs {
		src := "NULL::text"
		if f.col == "land_use_code" {
			src = "s.src_land_use"
		}
		_, err := r.issues(ctx, imports.SevError, f.kind, `
			SELECT s.feature, `+r.keyText("s")+`, s.`+f.col+`, `+src+`, count(*) OVER () FROM lq_stage s
			WHERE s.`+f.col+` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `+f.table+` x WHERE x.`+f.tcol+` = s.`+f.col+`)
			ORDER BY s.feature LIMIT $1`,
			func(row pgx.Rows, total *int64) (imports.Issue, error) {
				var is imports.Issue
				var from *string
				err := row.Scan(&is.Feature, &is.Code, &is.Value, &from, total)
				is.Field = f.field
				if from != nil && *from != is.Value {
					is = is.Say(planning.Textf("%s (crosswalked from %s)", f.what(is.Value), *from))
				} else {
					is = is.Say(f.what(is.Value))
				}
				return is, err
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkDistricts makes sure every parcel lies in its district. A parcel
// whose stated district its outline touches is fine as it is; the others,
// and those without a district, are located by a point of their outline:
// the district (and, when the file has no park field, the park) holding
// it is filled in where the file gives none, and parcels outside every
// district are reported.
func (r *importRun) checkDistricts(ctx context.Context) error {
	derivePark := !r.m.Mapped(imports.FieldIndex(imports.Parcels, "park"))
	park, needPark := "NULL::text", "false"
	if derivePark {
		park = "(SELECT p.code FROM parks p WHERE ST_Intersects(p.geom, s.pt) ORDER BY p.code LIMIT 1)"
		needPark = "s.park_code IS NULL"
	}
	if _, err := r.exec(ctx, `CREATE UNLOGGED TABLE lq_where AS
		SELECT s.feature, (SELECT d.adcode FROM districts d WHERE ST_Intersects(d.geom, s.pt) ORDER BY d.adcode LIMIT 1) AS located, `+park+` AS park, s.pt
		FROM (SELECT s.feature, s.park_code, ST_PointOnSurface(s.geom) AS pt FROM lq_stage s
		      WHERE s.valid AND (s.district_adcode IS NULL OR `+needPark+` OR NOT EXISTS (
		        SELECT 1 FROM districts d WHERE d.adcode = s.district_adcode AND ST_Intersects(d.geom, s.geom)))) s`); err != nil {
		return err
	}
	if _, err := r.exec(ctx, `UPDATE lq_stage s SET district_adcode = w.located, derived_district = true FROM lq_where w
		WHERE w.feature = s.feature AND s.district_adcode IS NULL AND w.located IS NOT NULL`); err != nil {
		return err
	}
	if derivePark {
		if _, err := r.exec(ctx, `UPDATE lq_stage s SET park_code = w.park FROM lq_where w
			WHERE w.feature = s.feature AND s.park_code IS NULL AND w.park IS NOT NULL`); err != nil {
			return err
		}
	}
	_, err := r.issues(ctx, imports.SevError, imports.KindOutsideDistricts, `
		SELECT s.feature, s.code, ST_X(w.pt), ST_Y(w.pt), s.district_adcode, count(*) OVER () FROM lq_stage s JOIN lq_where w USING (feature)
		WHERE w.located IS NULL AND (s.district_adcode IS NULL OR NOT EXISTS (SELECT 1 FROM districts d WHERE ST_Intersects(d.geom, s.geom)))
		ORDER BY s.feature LIMIT $1`,
		func(row pgx.Rows, total *int64) (imports.Issue, error) {
			var is imports.Issue
			var x, y *float64
			var stated *string
			err := row.Scan(&is.Feature, &is.Code, &x, &y, &stated, total)
			is.Location = loc(x, y)
			is = is.Say(planning.Textf("the parcel lies outside every district in the database (check its coordinates, or import the district first)"))
			if stated == nil {
				is = is.Say(planning.Textf("the parcel's district cannot be told: its outline is not inside any district (give its district in the file)"))
			}
			return is, err
		})
	if err != nil {
		return err
	}
	_, err = r.issues(ctx, imports.SevWarning, imports.KindDistrictMismatch, `
		SELECT s.feature, s.code, s.district_adcode, w.located, ST_X(w.pt), ST_Y(w.pt), count(*) OVER () FROM lq_stage s JOIN lq_where w USING (feature)
		WHERE NOT s.derived_district AND s.district_adcode IS NOT NULL AND w.located IS DISTINCT FROM s.district_adcode
		  AND EXISTS (SELECT 1 FROM districts d WHERE ST_Intersects(d.geom, s.geom))
		ORDER BY s.feature LIMIT $1`,
		func(row pgx.Rows, total *int64) (imports.Issue, error) {
			var is imports.Issue
			var located *string
			var x, y *float64
			err := row.Scan(&is.Feature, &is.Code, &is.Value, &located, &x, &y, total)
			is.Field, is.Location = "district", loc(x, y)
			where := planning.Textf("another district")
			if located != nil {
				where = planning.Textf("district %s", *located)
			}
			is = is.Say(planning.Textf("the file says district %s, but the outline does not touch it: it lies in %s (the parcel keeps %s: its quota is drawn from it)", is.Value, where, is.Value))
			return is, err
		})
	return err
}

func unknownDistrict(v string) planning.Text {
	return planning.Textf("district %s is not in the database: import the districts first", v)
}

// overlapScan reads one overlap row.
func overlapScan(withParcel bool) func(row pgx.Rows, total *int64) (imports.Issue, error) {
	return func(row pgx.Rows, total *int64) (imports.Issue, error) {
		var is imports.Issue
		var other imports.Ref
		var m2 float64
		var x, y *float64
		var err error
		if withParcel {
			err = row.Scan(&is.Feature, &is.Code, &other.ParcelID, &other.Code, &m2, &x, &y, total)
			is = is.Say(planning.Textf("overlaps stored parcel %s (id %d) by %.2f m² at the same elevation", other.Code, other.ParcelID, m2))
		} else {
			err = row.Scan(&is.Feature, &is.Code, &other.Feature, &other.Code, &m2, &x, &y, total)
			is = is.Say(planning.Textf("overlaps feature %d (%s) of the file by %.2f m² at the same elevation", other.Feature, other.Code, m2))
		}
		is.Other, is.AreaM2, is.Location = &other, &m2, loc(x, y)
		return is, err
	}
}

// sameLevel is the elevation test of lq_parcel_no_overlap: half-open
// ranges, NULL unbounded.
const sameLevel = "a.lvl && numrange(b.elevation_bottom::numeric, b.elevation_top::numeric)"

// checkOverlaps applies the rule of lq_parcel_no_overlap set-based: no two
// parcels may overlap by more than 0.01 m² (EPSG:4549) at the same
// elevation, within the file or with stored parcels (those the file
// replaces excepted).
// ST_Intersects before ST_Relate stays although it is not settled that it
// pays: about half the pairs whose boxes meet do not touch (1M bench), and
// without it the bare self-join ran in 0.76 of the time, but the whole
// import's check got slower (docs/SCALING.md, session 10).
func (r *importRun) checkOverlaps(ctx context.Context) error {
	replaced := "true"
	if r.req.Mode == imports.ModeUpsert {
		// Stored parcels the file replaces are checked in their new shape, as staged.
		replaced = "NOT EXISTS (SELECT 1 FROM lq_stage x WHERE x.code = b.code)"
	}
	// The pairs to look at: those the client could not prove apart
	// (geo.Outlines), else every pair whose boxes meet, by the
	// staging table's GiST index.
	pairs := "lq_stage a JOIN lq_stage b ON a.geom && b.geom AND a.feature < b.feature"
	var found overlapPairs
	if r.pairs != nil {
		t0 := time.Now()
		found = <-r.pairs
		// The client's own time, and how long the database waited for it.
		r.rep.Time("check overlap: outlines paired on the client", time.Now().Add(-found.took))
		r.rep.Time("check overlap: waited for the pairs", t0)
	}
	if found.ok && !r.reshaped {
		if _, err := r.exec(ctx, "CREATE UNLOGGED TABLE lq_pairs (af bigint NOT NULL, bf bigint NOT NULL)"); err != nil {
			return err
		}
		t0 := time.Now()
		if _, err := r.tx.CopyFrom(ctx, pgx.Identifier{r.names.Replace("lq_pairs")}, []string{"af", "bf"},
			pgx.CopyFromSlice(len(found.pairs), func(i int) ([]any, error) { return []any{found.pairs[i][0], found.pairs[i][1]}, nil })); err != nil {
			return domainError(err)
		}
		r.rep.Time("check overlap: pairs to the database", t0)
		// Each pair's rows by the feature index: joined plainly, the
		// planner hashed the whole staging table for the few pairs (costs
		// of GEOS calls in a join filter do not steer it), 7 s at 1M.
		pairs = `lq_pairs q CROSS JOIN LATERAL (SELECT * FROM lq_stage x WHERE x.feature = q.af OFFSET 0) a
		      CROSS JOIN LATERAL (SELECT * FROM lq_stage x WHERE x.feature = q.bf AND x.geom && a.geom OFFSET 0) b`
	} else if err := r.stageGist(ctx); err != nil {
		return err
	}
	_, err := r.issues(ctx, imports.SevError, imports.KindOverlap, `
		SELECT p.af, a.code, p.bf, b.code, p.m2, ST_X(p.pt), ST_Y(p.pt), count(*) OVER () FROM (
		  SELECT af, bf, ST_Area(ST_Transform(g, 4549)) AS m2, ST_PointOnSurface(g) AS pt FROM (
		    SELECT a.feature AS af, b.feature AS bf, ST_Intersection(a.geom, b.geom) AS g
		    FROM `+pairs+`
		    WHERE a.valid AND b.valid AND a.lvl && b.lvl AND ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********') OFFSET 0) i) p
		JOIN lq_stage a ON a.feature = p.af JOIN lq_stage b ON b.feature = p.bf
		WHERE p.m2 > 0.01 ORDER BY p.af, p.bf LIMIT $1`, overlapScan(false))
	if err != nil {
		return err
	}
	// With no parcel stored (locked since the checks began) there is
	// nothing to meet: without the staging GiST index the join below
	// would probe the empty table's index once a staged row (4.7 s at 1M).
	var stored bool
	if err := r.tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM parcels)").Scan(&stored); err != nil || !stored {
		return domainError(err)
	}
	_, err = r.issues(ctx, imports.SevError, imports.KindOverlap, `
		SELECT p.af, a.code, p.bid, b.code, p.m2, ST_X(p.pt), ST_Y(p.pt), count(*) OVER () FROM (
		  SELECT af, bid, ST_Area(ST_Transform(g, 4549)) AS m2, ST_PointOnSurface(g) AS pt FROM (
		    SELECT a.feature AS af, b.id AS bid, ST_Intersection(a.geom, b.geom) AS g
		    FROM lq_stage a JOIN parcels b ON b.geom && a.geom
		    WHERE a.valid AND `+replaced+`
		      AND `+sameLevel+` AND ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********') OFFSET 0) i) p
		JOIN lq_stage a ON a.feature = p.af JOIN parcels b ON b.id = p.bid
		WHERE p.m2 > 0.01 ORDER BY p.af, p.bid LIMIT $1`, overlapScan(true))
	return err
}

// move writes the staged rows into the layer's table.
func (r *importRun) move(ctx context.Context) error {
	t := r.t
	var cols []string
	for _, c := range r.cols {
		if r.req.Layer == imports.Zones && c.name == "id" {
			continue
		}
		cols = append(cols, c.name)
	}
	if r.attrs {
		cols = append(cols, "attributes")
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "s." + c
		switch c {
		case "name_en", "name":
			sel[i] = "coalesce(s." + c + ", '')"
			if r.req.Layer == imports.Parcels && c == "name" {
				sel[i] = "nullif(s.name, '')" // an export writes none as empty text
			}
		case "affordable_housing", "construction_land", "government_delay":
			sel[i] = "coalesce(s." + c + ", false)"
		case "owner", "remarks":
			sel[i] = "nullif(s." + c + ", '')" // an export writes none as empty text
		}
	}
	var disabled []string
	if r.req.Layer == imports.Parcels {
		var err error
		if disabled, err = r.skipRowTriggers(ctx); err != nil {
			return err
		}
	}
	area := "ST_Area(ST_Transform(s.geom, 4549))"
	keyMatch := "t." + t.key + " = s." + t.key
	// Update the rows the file replaces (upsert), where anything differs.
	if r.req.Mode == imports.ModeUpsert {
		set := make([]string, 0, len(cols)+2)
		for i, c := range cols {
			set = append(set, c+" = "+sel[i])
		}
		// An outline within 1e-9 degrees (0.1 mm) of the stored one, vertex
		// for vertex, is the same outline: a round trip through Gauss-Krüger
		// metres moves the last digits. It is kept as stored.
		moved := "(t.geom IS DISTINCT FROM s.geom AND NOT (ST_NPoints(t.geom) = ST_NPoints(s.geom) AND ST_HausdorffDistance(t.geom, s.geom) < 1e-9))"
		set = append(set, "geom = CASE WHEN "+moved+" THEN s.geom ELSE t.geom END",
			"area_m2 = CASE WHEN "+moved+" THEN "+area+" ELSE t.area_m2 END")
		var mine, theirs []string
		for i, c := range cols {
			mine = append(mine, "t."+c)
			theirs = append(theirs, sel[i])
		}
		tag, err := r.exec(ctx, "UPDATE "+t.table+" t SET "+strings.Join(set, ", ")+" FROM lq_stage s WHERE "+keyMatch+
			" AND ("+moved+" OR ("+strings.Join(mine, ", ")+") IS DISTINCT FROM ("+strings.Join(theirs, ", ")+"))")
		if err != nil {
			return domainError(err)
		}
		r.rep.Counts.Updated = tag.RowsAffected()
		var matched int64
		if err := r.tx.QueryRow(ctx, r.names.Replace("SELECT count(*) FROM lq_stage s JOIN "+t.table+" t ON "+keyMatch)).Scan(&matched); err != nil {
			return domainError(err)
		}
		r.rep.Counts.Unchanged = matched - r.rep.Counts.Updated
	}
	insCols, insSel := append([]string{}, cols...), append([]string{}, sel...)
	if r.req.Layer == imports.Zones {
		// Zones keep the id the file gives; without one they get a new id.
		insCols, insSel = append(insCols, "id"), append(insSel, "coalesce(s.id, nextval(pg_get_serial_sequence('protected_zones', 'id')))")
	}
	// In insert mode no key is stored yet (checked above); in upsert mode
	// the rows whose key is stored were updated.
	only := ""
	if r.req.Mode == imports.ModeUpsert {
		only = " WHERE s." + t.key + " IS NULL OR NOT EXISTS (SELECT 1 FROM " + t.table + " t WHERE " + keyMatch + ")"
	}
	bulk := false
	if r.req.Layer == imports.Parcels {
		// Foreign keys whose checks skipRowTriggers turned off (having
		// checked them set-based) stay through a bulk write: adding them
		// again would check every row once more.
		riOff := slices.ContainsFunc(disabled, func(t string) bool { return strings.HasPrefix(t, `"RI_`) })
		n, ok, dropped, err := r.insertParcelsBulk(ctx, insCols, insSel, only, riOff)
		if err != nil {
			return err
		}
		bulk, r.rep.Counts.Inserted, r.analyzed = ok, n, dropped
	}
	if !bulk {
		tag, err := r.exec(ctx, "INSERT INTO "+t.table+" ("+strings.Join(insCols, ", ")+", geom, area_m2) SELECT "+strings.Join(insSel, ", ")+
			", s.geom, "+area+" FROM lq_stage s"+only)
		if err != nil {
			return domainError(err)
		}
		r.rep.Counts.Inserted = tag.RowsAffected()
	}
	if r.req.Layer == imports.Zones {
		if _, err := r.exec(ctx, "SELECT setval(pg_get_serial_sequence('protected_zones', 'id'), greatest((SELECT max(id) FROM protected_zones), 1))"); err != nil {
			return domainError(err)
		}
	}
	if len(disabled) > 0 {
		enable := make([]string, len(disabled))
		for i, t := range disabled {
			enable[i] = "ENABLE TRIGGER " + t
		}
		if _, err := r.exec(ctx, "ALTER TABLE parcels "+strings.Join(enable, ", ")); err != nil {
			return err
		}
	}
	return nil
}

// insertParcelsBulk writes the new parcels the way the seed's load does:
// with every user trigger of parcels off, one INSERT whose rows carry
// construction_land as lq_parcel_construction() derives it, then the
// statement triggers' conflict measures, footprints and cells once and
// set-based for the new rows (deriveLoaded, shared with the load), one
// notification with their box and one version bump. Per row, the
// construction trigger and the statement triggers over a transition table
// of every new row took most of a large import's write (docs/SCALING.md).
// The indexes stay (dropping them would lock the layer's readers out until
// the commit), and so do the locks: the table's from the checks on (no
// other writer, so the sequence is ours and the new rows are the ids above
// the one it stood at), the classes' in share mode from here on. It
// reports false, having changed nothing, when it cannot take this path (no
// right to switch triggers, a trigger loadTriggers does not know, a stored
// id above the sequence, nothing to insert): the INSERT then runs with the
// triggers.
func (r *importRun) insertParcelsBulk(ctx context.Context, cols, sel []string, only string, keepFKs bool) (n int64, ok, dropped bool, err error) {
	var off, maxID int64
	var todo bool
	if err := r.tx.QueryRow(ctx, r.names.Replace(`SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('parcels', 'id')::regclass), 0),
		coalesce((SELECT max(id) FROM parcels), 0), EXISTS (SELECT 1 FROM lq_stage s`+only+`)`)).Scan(&off, &maxID, &todo); err != nil {
		return 0, false, false, domainError(err)
	}
	if maxID > off || !todo {
		return 0, false, false, nil
	}
	// construction_land as the row trigger derives it (lq_construction_of,
	// 027, with no override: the import sets none; a schema without either
	// column keeps the trigger): the current-use class's flag, else the
	// flag as given. By a join with the classes (their code is the key),
	// not by calling the function: its lookup is a sub-SELECT, so it is
	// not inlined and ran the executor once a row (85 µs a row under
	// load, four times the area's ST_Transform; docs/SCALING.md).
	if !slices.Contains(cols, "construction_land") || !slices.Contains(cols, "current_use_code") {
		return 0, false, false, nil
	}
	sel = append([]string{}, sel...)
	for i, c := range cols {
		if c == "construction_land" {
			sel[i] = "CASE WHEN s.current_use_code IS NOT NULL THEN lq_class.construction ELSE " + sel[i] + " END"
		}
	}
	triggers, err := checkLoadTriggers(ctx, r.tx)
	if unknown := unknownTriggerError(""); errors.As(err, &unknown) {
		return 0, false, false, nil // a trigger of unknown work: let it run
	} else if err != nil {
		return 0, false, false, err
	}
	if _, err := r.exec(ctx, "SAVEPOINT lq_bulk_insert"); err != nil {
		return 0, false, false, err
	}
	if _, err := r.exec(ctx, triggers("DISABLE")); err != nil {
		_, rerr := r.exec(ctx, "ROLLBACK TO SAVEPOINT lq_bulk_insert")
		return 0, false, false, rerr // not the table's owner
	}
	// jit compiles each big statement again in every parallel worker, for
	// statements whose time is in PostGIS functions (as in the load).
	if _, err := r.exec(ctx, "SELECT set_config('jit', 'off', true)"); err != nil {
		return 0, false, false, err
	}
	if _, err := r.exec(ctx, "LOCK TABLE land_use_classes IN SHARE MODE"); err != nil {
		return 0, false, false, err
	}
	// Into an empty table, the indexes and constraints are built again
	// after the INSERT as the load builds them (sorted builds instead of a
	// million single inserts into each of thirteen indexes). DROP INDEX
	// locks the table's readers out until the commit: only an empty layer
	// is read in the meantime, so only then.
	var rebuild loadRebuild
	if err := r.tx.QueryRow(ctx, "SELECT NOT EXISTS (SELECT 1 FROM parcels)").Scan(&dropped); err != nil {
		return 0, false, false, domainError(err)
	}
	if dropped {
		// The trigram GIN index builds in 0.51-0.81 of the time with 2 GB (load.go).
		if _, err := r.exec(ctx, "SELECT set_config('maintenance_work_mem', '2GB', true)"); err != nil {
			return 0, false, false, err
		}
		if rebuild, err = dropForLoad(ctx, r.tx, keepFKs); err != nil {
			return 0, false, false, err
		}
	}
	tag, err := r.exec(ctx, "INSERT INTO parcels ("+strings.Join(cols, ", ")+", geom, area_m2) SELECT "+strings.Join(sel, ", ")+
		", s.geom, ST_Area(ST_Transform(s.geom, 4549)) FROM lq_stage s LEFT JOIN land_use_classes lq_class ON lq_class.code = s.current_use_code"+only)
	if err != nil {
		return 0, false, false, err
	}
	if _, err := r.exec(ctx, triggers("ENABLE")); err != nil {
		return 0, false, false, err
	}
	if _, err := r.exec(ctx, "RELEASE SAVEPOINT lq_bulk_insert"); err != nil {
		return 0, false, false, err
	}
	t0 := time.Now()
	for _, sql := range rebuild.indexes {
		if _, err := r.tx.Exec(ctx, sql); err != nil {
			return 0, false, false, domainError(err)
		}
		r.rep.Time("write: index "+indexName(sql), t0)
		t0 = time.Now()
	}
	if dropped {
		if _, err := r.exec(ctx, "ANALYZE parcels"); err != nil {
			return 0, false, false, err
		}
	}
	// The conflict rows are made from the new parcels' ids: with the
	// parcels' keys kept (a superuser), the check of their key is skipped
	// rather than run per row or by adding it again.
	var riConflicts []string
	if keepFKs {
		if err := r.tx.QueryRow(ctx, `SELECT coalesce(array_agg(quote_ident(tgname)), '{}') FROM pg_trigger
			WHERE tgrelid = 'parcel_conflicts'::regclass AND tgisinternal AND tgenabled <> 'D'
			  AND tgfoid IN ('"RI_FKey_check_ins"'::regproc, '"RI_FKey_check_upd"'::regproc)`).Scan(&riConflicts); err != nil {
			return 0, false, false, domainError(err)
		}
	}
	turn := func(verb string) string {
		parts := make([]string, len(riConflicts))
		for i, t := range riConflicts {
			parts[i] = verb + " TRIGGER " + t
		}
		return "ALTER TABLE parcel_conflicts " + strings.Join(parts, ", ")
	}
	if len(riConflicts) > 0 {
		if _, err := r.exec(ctx, turn("DISABLE")); err != nil {
			return 0, false, false, err
		}
	}
	t0 = time.Now()
	if err := deriveLoaded(ctx, r.tx, off, func(name string) { r.rep.Time("write: "+name, t0); t0 = time.Now() }); err != nil {
		return 0, false, false, err
	}
	if len(riConflicts) > 0 {
		if _, err := r.exec(ctx, turn("ENABLE")); err != nil {
			return 0, false, false, err
		}
	}
	if err := announceLoaded(ctx, r.tx, off, true); err != nil {
		return 0, false, false, err
	}
	for _, sql := range rebuild.constraints {
		if _, err := r.exec(ctx, sql); err != nil {
			return 0, false, false, err
		}
	}
	return tag.RowsAffected(), true, dropped, nil
}

// skipRowTriggers switches off, for this transaction only, the row
// triggers whose rules the checks above have already applied to every
// staged row at once, under the lock that keeps other writers out:
// lq_outline_checked (validity, area) and lq_parcel_no_overlap. Run per
// row they cost more than the rest of a large import. A superuser also
// skips the foreign-key checks (PostgreSQL's own triggers): the keys were
// checked above, and the rows they point at are locked here set-based,
// FOR KEY SHARE, as the per-row checks would lock them. Without the right
// to do either, the triggers simply run. The switch is transactional:
// ENABLE at the end, and a rollback undoes it anyway.
func (r *importRun) skipRowTriggers(ctx context.Context) ([]string, error) {
	if _, err := r.exec(ctx, "SAVEPOINT lq_bulk"); err != nil {
		return nil, err
	}
	user := []string{"parcels_a_outline", "parcels_b_no_overlap"}
	if _, err := r.exec(ctx, "ALTER TABLE parcels DISABLE TRIGGER parcels_a_outline, DISABLE TRIGGER parcels_b_no_overlap"); err != nil {
		_, rerr := r.exec(ctx, "ROLLBACK TO SAVEPOINT lq_bulk")
		return nil, rerr
	}
	var super bool
	if err := r.tx.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || !super {
		return user, domainError(err)
	}
	// The foreign keys of parcels: single columns, all staged.
	rows, err := r.tx.Query(ctx, `SELECT a.attname::text, c.confrelid::regclass::text, f.attname::text
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
		WHERE c.conrelid = 'parcels'::regclass AND c.contype = 'f' AND cardinality(c.conkey) = 1`)
	if err != nil {
		return user, domainError(err)
	}
	type fk struct{ col, table, ref string }
	var fks []fk
	for rows.Next() {
		var k fk
		if err := rows.Scan(&k.col, &k.table, &k.ref); err != nil {
			rows.Close()
			return user, domainError(err)
		}
		fks = append(fks, k)
	}
	rows.Close()
	var nfk int
	if err := r.tx.QueryRow(ctx, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'parcels'::regclass AND contype = 'f'").Scan(&nfk); err != nil {
		return user, domainError(err)
	}
	staged := map[string]bool{}
	for _, c := range r.cols {
		staged[c.name] = true
	}
	for _, k := range fks {
		if !staged[k.col] {
			nfk = -1
		}
	}
	if nfk != len(fks) {
		return user, nil // a key this code does not know how to check: let PostgreSQL do it
	}
	var ri []string
	if err := r.tx.QueryRow(ctx, `SELECT coalesce(array_agg(quote_ident(tgname)), '{}') FROM pg_trigger
		WHERE tgrelid = 'parcels'::regclass AND tgisinternal AND tgenabled <> 'D'
		  AND tgfoid IN ('"RI_FKey_check_ins"'::regproc, '"RI_FKey_check_upd"'::regproc)`).Scan(&ri); err != nil {
		return user, domainError(err)
	}
	if len(ri) == 0 {
		return user, nil
	}
	for _, k := range fks {
		// Lock what the rows point at, and make sure it all exists.
		var missing int64
		err := r.tx.QueryRow(ctx, r.names.Replace(`WITH used AS (SELECT DISTINCT `+quoteIdent(k.col)+` AS v FROM lq_stage WHERE `+quoteIdent(k.col)+` IS NOT NULL),
			locked AS (SELECT x.`+quoteIdent(k.ref)+` AS v FROM `+k.table+` x WHERE x.`+quoteIdent(k.ref)+` IN (SELECT v FROM used) FOR KEY SHARE OF x)
			SELECT count(*) FROM used WHERE v NOT IN (SELECT v FROM locked)`)).Scan(&missing)
		if err != nil {
			return user, domainError(err)
		}
		if missing > 0 {
			return user, planning.Errorf(planning.ErrInvalid, "%d values of %s name nothing in %s", missing, k.col, k.table)
		}
	}
	dis := make([]string, len(ri))
	for i, t := range ri {
		dis[i] = "DISABLE TRIGGER " + t
	}
	if _, err := r.exec(ctx, "ALTER TABLE parcels "+strings.Join(dis, ", ")); err != nil {
		return user, err
	}
	return append(user, ri...), nil
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// lockTable keeps other writers out of the layer's table from the checks
// against stored rows to the commit; readers are not blocked.
func (r *importRun) lockTable(ctx context.Context) error {
	_, err := r.exec(ctx, "LOCK TABLE "+r.t.table+" IN SHARE ROW EXCLUSIVE MODE")
	return domainError(err)
}

// log records a committed import in import_log, in its transaction.
func (r *importRun) log(ctx context.Context) error {
	var exists bool
	if err := r.tx.QueryRow(ctx, "SELECT to_regclass('import_log') IS NOT NULL").Scan(&exists); err != nil || !exists {
		return domainError(err)
	}
	rep := r.rep
	rep.Finish(imports.OutcomeCommitted, "")
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, `INSERT INTO import_log (id, layer, source, format, mode, repair, features, inserted, updated, warnings, repaired, report, created_by, started_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.req.ID, string(r.req.Layer), rep.Source.Name, rep.Source.Format, string(rep.Mode), r.req.Repair, rep.Counts.Features,
		rep.Counts.Inserted, rep.Counts.Updated, rep.Counts.Warnings, rep.Counts.Repaired, body, r.req.CreatedBy, rep.StartedAt)
	return domainError(err)
}

// ImportLog returns the report of a committed import, or not_found.
func (s *Store) ImportLog(ctx context.Context, id string) (json.RawMessage, error) {
	var body json.RawMessage
	err := s.pool.QueryRow(ctx, "SELECT report FROM import_log WHERE id = $1", id).Scan(&body)
	if isNoRows(err) {
		return nil, planning.Errorf(planning.ErrNotFound, "no import %q", id)
	}
	return body, domainError(err)
}

// ImportLogs lists the latest committed imports, newest first.
func (s *Store) ImportLogs(ctx context.Context, limit int) ([]imports.LogEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, layer, source, mode, features, inserted, updated, created_by, finished_at
		FROM import_log ORDER BY finished_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[imports.LogEntry])
	return out, domainError(err)
}

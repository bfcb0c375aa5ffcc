package pgstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/jackc/pgx/v5"
)

// ExportRows implements imports.ExportStore: one query in a read-only
// snapshot, rows handed on as they arrive.
func (s *Store) ExportRows(ctx context.Context, q imports.ExportQuery, geomFormat imports.GeomFormat,
	begin func([]imports.ExportField) error, emit func(geom []byte, vals []any) error) (int64, error) {
	l, ok := layers[string(q.Layer)]
	if !ok {
		return 0, planning.Errorf(planning.ErrNotFound, "unknown layer %q", q.Layer)
	}
	if err := s.checkFilterCodes(ctx, q.Filter); err != nil {
		return 0, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, domainError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	timeout := "0"
	if q.StatementTimeout > 0 {
		timeout = strconv.FormatInt(q.StatementTimeout.Milliseconds(), 10)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true)", timeout); err != nil {
		return 0, domainError(err)
	}
	args := sqlArgs{}
	where, err := whereSQL(planning.LayerQuery{Layer: string(q.Layer), BBox: q.BBox, Filter: q.Filter}, &args)
	if err != nil {
		return 0, err
	}
	fields, sel, err := exportColumns(ctx, tx, q, l, where, &args)
	if err != nil {
		return 0, err
	}
	g := exportGeomSQL(q, geomFormat, &args)
	sql := "SELECT " + g + ", " + strings.Join(sel, ", ") + " FROM " + l.from + " WHERE " + where + " ORDER BY " + l.key
	if err := begin(fields); err != nil {
		return 0, err
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return 0, domainError(err)
	}
	defer rows.Close()
	var n int64
	vals := make([]any, len(fields))
	for rows.Next() {
		raw := rows.RawValues()
		all, err := rows.Values()
		if err != nil {
			return n, domainError(err)
		}
		copy(vals, all[1:])
		if err := emit(raw[0], vals); err != nil {
			return n, err
		}
		n++
	}
	return n, domainError(rows.Err())
}

// exportColumns are the fields of an export of layer l and the SQL of
// each: the layer's export fields that its table has, then (for parcels)
// their other attributes among the rows where selects.
func exportColumns(ctx context.Context, tx pgx.Tx, q imports.ExportQuery, l layer, where string, args *sqlArgs) ([]imports.ExportField, []string, error) {
	have, err := columnsOf(ctx, tx, l.table)
	if err != nil {
		return nil, nil, domainError(err)
	}
	cat, _ := catalog.Find(string(q.Layer))
	var fields []imports.ExportField
	var sel []string
	for _, f := range imports.ExportFields(q.Layer) {
		// An optional column is named as in its table.
		if f.Optional && !have[f.Name] {
			continue
		}
		c, _ := cat.Column(f.Name)
		fields = append(fields, f)
		sel = append(sel, l.colSQL(c))
	}
	if q.Layer == imports.Parcels && have["attributes"] {
		return attributeColumns(ctx, tx, l.from, where, args, q.Encoding, fields, sel)
	}
	return fields, sel, nil
}

// attributeColumns adds to fields and sel the other attributes of the
// parcels from and where select, each its own column. Numbers and booleans
// keep their type where every value has it.
func attributeColumns(ctx context.Context, tx pgx.Tx, from, where string, args *sqlArgs, enc string,
	fields []imports.ExportField, sel []string) ([]imports.ExportField, []string, error) {
	rows, err := tx.Query(ctx, "SELECT e.k, bool_and(jsonb_typeof(e.v) = 'number'), bool_and(jsonb_typeof(e.v) = 'boolean') FROM "+
		from+", jsonb_each(t.attributes) e(k, v) WHERE "+where+" GROUP BY e.k ORDER BY e.k", *args...)
	if err != nil {
		return nil, nil, domainError(err)
	}
	var keys []imports.Attribute
	for rows.Next() {
		var a imports.Attribute
		var num, boolean bool
		if err := rows.Scan(&a.Name, &num, &boolean); err != nil {
			return nil, nil, domainError(err)
		}
		switch {
		case num:
			a.Kind = imports.Float
		case boolean:
			a.Kind = imports.Bool
		}
		keys = append(keys, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, domainError(err)
	}
	for _, f := range imports.AttributeFields(keys, fields, enc) {
		fields = append(fields, f)
		expr := "t.attributes ->> " + args.add(f.Attribute)
		switch f.Kind {
		case imports.Float:
			expr = "(" + expr + ")::float8"
		case imports.Bool:
			expr = "(" + expr + ")::boolean"
		}
		sel = append(sel, expr)
	}
	return fields, sel, nil
}

// exportGeomSQL is the geometry column of an export: in the SRID and
// format asked for, at the precision asked for (15 digits by default).
func exportGeomSQL(q imports.ExportQuery, format imports.GeomFormat, args *sqlArgs) string {
	g := "t.geom"
	if q.SRID == geo.SRIDMeasure || q.SRID == geo.SRIDSurvey {
		g = "ST_Transform(t.geom, " + strconv.Itoa(q.SRID) + ")"
	}
	prec := q.Precision
	if prec < 0 {
		prec = 15
	}
	switch format {
	case imports.GeomGeoJSON:
		return "ST_AsGeoJSON(" + g + ", " + args.add(prec) + ", 0)"
	case imports.GeomWKT:
		return "ST_AsText(" + g + ", " + args.add(prec) + ")"
	}
	return "NULL::text"
}

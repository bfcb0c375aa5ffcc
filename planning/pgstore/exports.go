package pgstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/importer"
	"github.com/jackc/pgx/v5"
)

// exportLayer says how one layer's export columns are read. Everything is
// fixed in code; request values reach SQL only as bound parameters.
type exportLayer struct {
	table string
	from  string
	key   string
	cols  map[string]string // export field -> SQL over t and the joins
}

const (
	exportArea = "round(t.area_m2::numeric, 2)::float8"
	exportHm2  = "round((t.area_m2 / 10000)::numeric, 2)::float8"
	exportMu   = "round((t.area_m2 * 15 / 10000)::numeric, 2)::float8"
)

var exportLayers = map[importer.Layer]exportLayer{
	importer.Districts: {table: "districts", from: "districts t", key: "t.adcode", cols: map[string]string{
		"adcode": "t.adcode", "name_zh": "t.name_zh", "name_en": "t.name_en", "parent_adcode": "t.parent_adcode",
		"area_m2": exportArea, "area_hm2": exportHm2, "area_mu": exportMu}},
	importer.Parks: {table: "parks", from: "parks t", key: "t.code", cols: map[string]string{
		"code": "t.code", "name_zh": "t.name_zh", "name_en": "t.name_en", "kind": "t.kind", "host_district": "t.host_district",
		"area_m2": exportArea, "area_hm2": exportHm2, "area_mu": exportMu}},
	importer.Zones: {table: "protected_zones", from: "protected_zones t", key: "t.id", cols: map[string]string{
		"id": "t.id", "kind": "t.kind", "name": "t.name",
		"kind_zh": "CASE t.kind WHEN 'permanent_basic_farmland' THEN '永久基本农田' WHEN 'ecological_red_line' THEN '生态保护红线' WHEN 'urban_development_boundary' THEN '城镇开发边界' END",
		"area_m2": exportArea, "area_hm2": exportHm2, "area_mu": exportMu}},
	importer.Parcels: {table: "parcels", key: "t.id",
		from: "parcels t JOIN land_use_classes c ON c.code = t.land_use_code JOIN parcel_statuses st ON st.code = t.status LEFT JOIN districts d ON d.adcode = t.district_adcode LEFT JOIN land_use_classes cu ON cu.code = t.current_use_code",
		cols: map[string]string{
			"id": "t.id", "code": "t.code", "district": "t.district_adcode", "district_zh": "d.name_zh", "park": "t.park_code",
			"land_use": "t.land_use_code", "land_use_zh": "c.name_zh", "status": "t.status", "status_zh": "st.name_zh",
			"current_use": "t.current_use_code", "current_use_zh": "cu.name_zh",
			"construction_override_reason": "t.construction_override_reason",
			"compatible_use":               "t.compatible_use_code", "compatible_share": "t.compatible_share::float8",
			"line_exception": "t.line_exception", "line_exception_document": "t.line_exception_document",
			"survey_area_m2": "t.survey_area_m2", "survey_deduction_m2": "t.survey_deduction_m2",
			"approved_area_m2": "t.approved_area_m2", "contract_area_m2": "t.contract_area_m2",
			"area_m2": exportArea, "area_hm2": exportHm2, "area_mu": exportMu,
			"plot_ratio": "t.plot_ratio", "building_density": "t.building_density", "green_ratio": "t.green_ratio",
			"affordable_housing": "t.affordable_housing", "supply_method": "t.supply_method", "approval_kind": "t.approval_kind",
			"approved_on": "t.approved_on", "supplied_on": "t.supplied_on", "handed_over_on": "t.handed_over_on", "agreed_start_on": "t.agreed_start_on",
			"actual_start_on": "t.actual_start_on", "completed_on": "t.completed_on",
			"elevation_bottom": "t.elevation_bottom", "elevation_top": "t.elevation_top",
			"construction_land": "t.construction_land", "government_delay": "t.government_delay",
			"developed_share": "t.developed_share", "invested_share": "t.invested_share", "halted_since": "t.halted_since",
			"land_price_wan": "t.land_price_wan::float8", "name": "t.name", "owner": "t.owner", "remarks": "t.remarks",
			"updated_at": "t.updated_at"}},
}

// ExportRows implements importer.ExportStore: one query in a read-only
// snapshot, rows handed on as they arrive.
func (s *Store) ExportRows(ctx context.Context, q importer.ExportQuery, geomFormat importer.GeomFormat,
	begin func([]importer.ExportField) error, emit func(geom []byte, vals []any) error) (int64, error) {
	l, ok := exportLayers[q.Layer]
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
	have, err := columnsOf(ctx, tx, l.table)
	if err != nil {
		return 0, domainError(err)
	}
	var fields []importer.ExportField
	var sel []string
	for _, f := range importer.ExportFields(q.Layer) {
		expr, ok := l.cols[f.Name]
		if !ok {
			return 0, planning.Errorf(planning.ErrInternal, "export: no SQL for field %s of %s", f.Name, q.Layer)
		}
		if f.Optional && !have[strings.TrimSuffix(strings.TrimPrefix(expr, "t."), "::float8")] {
			continue
		}
		fields = append(fields, f)
		sel = append(sel, expr)
	}
	args := sqlArgs{}
	where, err := whereSQL(planning.LayerQuery{Layer: string(q.Layer), BBox: q.BBox, Filter: q.Filter}, &args)
	if err != nil {
		return 0, err
	}
	if q.Layer == importer.Parcels && have["attributes"] {
		// The other attributes of the exported parcels, each its own column.
		// Numbers and booleans keep their type where every value has it.
		rows, err := tx.Query(ctx, "SELECT e.k, bool_and(jsonb_typeof(e.v) = 'number'), bool_and(jsonb_typeof(e.v) = 'boolean') FROM "+
			l.from+", jsonb_each(t.attributes) e(k, v) WHERE "+where+" GROUP BY e.k ORDER BY e.k", args...)
		if err != nil {
			return 0, domainError(err)
		}
		var keys []importer.Attribute
		for rows.Next() {
			var a importer.Attribute
			var num, boolean bool
			if err := rows.Scan(&a.Name, &num, &boolean); err != nil {
				return 0, domainError(err)
			}
			switch {
			case num:
				a.Kind = importer.Float
			case boolean:
				a.Kind = importer.Bool
			}
			keys = append(keys, a)
		}
		if err := rows.Err(); err != nil {
			return 0, domainError(err)
		}
		for _, f := range importer.AttributeFields(keys, fields, q.Encoding) {
			fields = append(fields, f)
			expr := "t.attributes ->> " + args.add(f.Attribute)
			switch f.Kind {
			case importer.Float:
				expr = "(" + expr + ")::float8"
			case importer.Bool:
				expr = "(" + expr + ")::boolean"
			}
			sel = append(sel, expr)
		}
	}
	g := "t.geom"
	if q.SRID == geo.SRIDMeasure || q.SRID == geo.SRIDSurvey {
		g = "ST_Transform(t.geom, " + strconv.Itoa(q.SRID) + ")"
	}
	prec := q.Precision
	if prec < 0 {
		prec = 15
	}
	switch geomFormat {
	case importer.GeomGeoJSON:
		g = "ST_AsGeoJSON(" + g + ", " + args.add(prec) + ", 0)"
	case importer.GeomWKT:
		g = "ST_AsText(" + g + ", " + args.add(prec) + ")"
	default:
		g = "NULL::text"
	}
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

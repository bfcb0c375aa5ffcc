package pgstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/jackc/pgx/v5"
)

// layer is how one table becomes GeoJSON features, vector tiles and
// exports: the SQL of each column of its catalog entry, and how it is read.
// A catalog column is the table's column of the same name unless renamed
// or computed here, so adding a plain column is one catalog entry plus a
// migration. Everything here is fixed in code: request text only ever
// reaches SQL as a bound parameter.
type layer struct {
	table  string // the layer's table, aliased t in from
	from   string // table and joins
	key    string // unique, ordered key for keyset paging and export order
	intKey bool   // the key is a bigint
	// renamed maps a catalog column to its table column where the names
	// differ (parcels' district is district_adcode).
	renamed map[string]string
	// computed is the SQL over t and the joins of the catalog columns that
	// are not one table column as it is; numbers are cast to float8 where
	// a tile or an export needs a double.
	computed map[string]string
	// cols is the SQL of every catalog column (withCols derives it).
	cols map[string]string
	tile tileLayer
}

const (
	areaSQL = "round(t.area_m2::numeric, 2)"
	hm2SQL  = "round((t.area_m2 / 10000)::numeric, 2)"
	muSQL   = "round((t.area_m2 * 15 / 10000)::numeric, 2)"
)

func withAreas(cols map[string]string) map[string]string {
	cols["area_m2"], cols["area_hm2"], cols["area_mu"] = areaSQL, hm2SQL, muSQL
	return cols
}

// column is the table column that holds a catalog column.
func (l layer) column(name string) string {
	if c, ok := l.renamed[name]; ok {
		return c
	}
	return name
}

// withCols gives each layer the SQL of every column its catalog entry has:
// its computed SQL, else its table column.
func withCols(ls map[string]layer) map[string]layer {
	for name, l := range ls {
		cat, _ := catalog.Find(name)
		l.cols = map[string]string{}
		for _, c := range cat.Columns {
			if sql, ok := l.computed[c.Name]; ok {
				l.cols[c.Name] = sql
			} else {
				l.cols[c.Name] = "t." + l.column(c.Name)
			}
		}
		ls[name] = l
	}
	return ls
}

var layers = withCols(map[string]layer{
	"districts": {
		table: "districts", from: "districts t", key: "t.adcode",
		computed: withAreas(map[string]string{}),
		tile:     tileLayer{id: "t.adcode::bigint", order: "t.area_m2 DESC, t.adcode", simplifyBelow: 12, defaultLimit: 1000},
	},
	"parks": {
		table: "parks", from: "parks t", key: "t.code",
		computed: withAreas(map[string]string{}),
		tile: tileLayer{id: "('x' || substr(md5(t.code), 1, 13))::bit(52)::bigint", order: "t.area_m2 DESC, t.code",
			simplifyBelow: 12, defaultLimit: 5000},
	},
	"protected-zones": {
		table: "protected_zones", from: "protected_zones t", key: "t.id", intKey: true,
		computed: withAreas(map[string]string{
			"kind_zh": "CASE t.kind WHEN 'permanent_basic_farmland' THEN '永久基本农田' WHEN 'ecological_red_line' THEN '生态保护红线' WHEN 'urban_development_boundary' THEN '城镇开发边界' END"}),
		tile: tileLayer{id: "t.id", order: "t.area_m2 DESC, t.id", simplifyBelow: 12, defaultLimit: 10000},
	},
	"parcels": {
		table: "parcels", key: "t.id", intKey: true,
		// PostgreSQL drops the join to districts where no column of it is
		// read (a LEFT JOIN on its key): only exports pay for it.
		from: "parcels t JOIN land_use_classes c ON c.code = t.land_use_code JOIN parcel_statuses s ON s.code = t.status LEFT JOIN land_use_classes cu ON cu.code = t.current_use_code LEFT JOIN districts d ON d.adcode = t.district_adcode",
		renamed: map[string]string{"district": "district_adcode", "park": "park_code", "land_use": "land_use_code",
			"current_use": "current_use_code", "compatible_use": "compatible_use_code"},
		computed: withAreas(map[string]string{
			"district_zh": "d.name_zh", "land_use_zh": "c.name_zh", "status_zh": "s.name_zh", "current_use_zh": "cu.name_zh",
			"compatible_share": "t.compatible_share::float8", "land_price_wan": "t.land_price_wan::float8",
			"underground": "coalesce(t.elevation_top <= 0, false)", "kind": "'parcel'"}),
		// The tile's columns are all the parcel's own, and the foreign keys
		// on land use and status (NOT NULL) mean the inner joins drop no row:
		// the tile reads the table alone (TestGoParcelTilesEqualPostGIS
		// compares it with TileSQL's joined statement).
		tile: tileLayer{id: "t.id", order: "t.area_m2 DESC, t.id", defaultLimit: 20000, boundsFromDistricts: true,
			aggregateBelow: ParcelDetailZoom, from: "parcels t"},
	},
})

// importTablesOf says where each layer's import fields land: in the table
// column of the catalog column of the same name. A field the catalog does
// not show (parcels' main_share) is checked on the way in, not stored.
func importTablesOf(ls map[string]layer) map[imports.Layer]importTable {
	out := map[imports.Layer]importTable{}
	for _, il := range imports.Layers {
		l := ls[string(il)]
		cat, _ := catalog.Find(string(il))
		t := importTable{table: l.table, key: l.column(imports.KeyField(il).Name), cols: map[string]string{}}
		for _, f := range imports.Fields(il) {
			if _, shown := cat.Column(f.Name); shown {
				t.cols[f.Name] = l.column(f.Name)
			}
		}
		out[il] = t
	}
	return out
}

// colSQL is the SQL of a catalog column as a tile or an export reads it:
// numbers as double precision (a numeric would be text in a tile).
func (l layer) colSQL(c catalog.Column) string {
	if c.Type == catalog.Number {
		return "(" + l.cols[c.Name] + ")::float8"
	}
	return l.cols[c.Name]
}

// keyValue converts a key from a URL into the key column's type.
func (l layer) keyValue(s string) (any, error) {
	if l.intKey {
		return strconv.ParseInt(s, 10, 64)
	}
	return s, nil
}

// propsSQL builds the json_build_object for the chosen properties, in the
// catalog's order.
func propsSQL(name string, l layer, only []string) (string, error) {
	cat, _ := catalog.Find(name)
	fields := cat.Names(catalog.Feature)
	if only != nil {
		for _, p := range only {
			if !slices.Contains(fields, p) {
				return "", planning.Errorf(planning.ErrInvalid, "properties: layer %s has no property %q (it has %s)",
					name, p, strings.Join(fields, ", ")).WithDetail("parameter", "properties")
			}
		}
		fields = only
	}
	var b strings.Builder
	b.WriteString("json_build_object(")
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s', %s", f, l.cols[f])
	}
	b.WriteString(")")
	return b.String(), nil
}

// sqlArgs collects bound parameters and hands out their $n placeholders.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// whereSQL renders the bbox and filter conditions of q.
func whereSQL(q planning.LayerQuery, args *sqlArgs) (string, error) {
	conds := []string{"true"}
	if q.BBox != nil {
		conds = append(conds, fmt.Sprintf("t.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490)",
			args.add(q.BBox.Min[0]), args.add(q.BBox.Min[1]), args.add(q.BBox.Max[0]), args.add(q.BBox.Max[1])))
	}
	if u := q.Updated; u != nil {
		if u.Start != nil {
			conds = append(conds, "t.updated_at >= "+args.add(*u.Start))
		}
		if u.End != nil {
			conds = append(conds, "t.updated_at <= "+args.add(*u.End))
		}
	}
	if f := q.Filter; !f.Empty() {
		if cat, _ := catalog.Find(q.Layer); len(cat.Filters) == 0 {
			return "", planning.Errorf(planning.ErrInvalid, "filters apply to the parcels layer only, not %s", q.Layer)
		}
		conds = append(conds, filterConds(f, args)...)
	}
	return strings.Join(conds, " AND "), nil
}

// filterConds are the conditions of a parcels filter, one per criterion set.
func filterConds(f *planning.ParcelFilter, args *sqlArgs) []string {
	var conds []string
	if len(f.Statuses) > 0 {
		conds = append(conds, "t.status = ANY("+args.add(statusTexts(f.Statuses))+"::text[])")
	}
	if len(f.LandUse) > 0 {
		conds = append(conds, "t.land_use_code LIKE ANY("+args.add(likePrefixes(f.LandUse))+"::text[])")
	}
	if len(f.CurrentUse) > 0 {
		conds = append(conds, "t.current_use_code LIKE ANY("+args.add(likePrefixes(f.CurrentUse))+"::text[])")
	}
	if len(f.Parks) > 0 {
		conds = append(conds, "t.park_code = ANY("+args.add(f.Parks)+"::text[])")
	}
	if len(f.Districts) > 0 {
		conds = append(conds, "t.district_adcode = ANY("+args.add(f.Districts)+"::text[])")
	}
	if f.MinAreaM2 != nil {
		conds = append(conds, "t.area_m2 >= "+args.add(*f.MinAreaM2))
	}
	if f.MaxAreaM2 != nil {
		conds = append(conds, "t.area_m2 <= "+args.add(*f.MaxAreaM2))
	}
	if f.UpdatedSince != nil {
		conds = append(conds, "t.updated_at >= "+args.add(*f.UpdatedSince))
	}
	if f.Text != "" {
		conds = append(conds, textMatchSQL("t", args.add(f.Text)))
	}
	if f.Eligible != nil {
		not := ""
		if !*f.Eligible {
			not = "NOT "
		}
		conds = append(conds, not+"EXISTS (SELECT 1 FROM parcel_conflicts e WHERE e.parcel_id = t.id AND "+
			eligibleSQL("e", toleranceSQL, sliverWidthSQL)+")")
	}
	return conds
}

// statusTexts are statuses as the text[] parameter a query compares
// parcels.status with.
func statusTexts(sts []planning.Status) []string {
	s := make([]string, len(sts))
	for i, v := range sts {
		s[i] = string(v)
	}
	return s
}

// textMatchSQL is the condition that a parcel (alias t) has param (text)
// in its name, owner or code, in any case; it uses the trigram index of
// migration 011.
func textMatchSQL(t, param string) string {
	return "lq_parcel_text(" + t + ".name, " + t + ".owner, " + t + ".code) ILIKE '%' || replace(replace(replace(" + param + "::text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
}

// likePrefixes turns class codes into LIKE patterns; codes are digits only
// (checked by the caller), so there is nothing to escape.
func likePrefixes(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c + "%"
	}
	return out
}

// StreamLayer runs q and hands each feature, already encoded as GeoJSON by
// PostgreSQL, to emit as its row arrives: nothing is buffered.
func (s *Store) StreamLayer(ctx context.Context, q planning.LayerQuery, emit func(feature []byte) error) (planning.LayerResult, error) {
	res := planning.LayerResult{Matched: -1}
	l, ok := layers[q.Layer]
	if !ok {
		return res, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", q.Layer, strings.Join(planning.LayerNames, ", "))
	}
	props, err := propsSQL(q.Layer, l, q.Properties)
	if err != nil {
		return res, err
	}
	if err := s.checkFilterCodes(ctx, q.Filter); err != nil {
		return res, err
	}
	args := sqlArgs{}
	where, err := whereSQL(q, &args)
	if err != nil {
		return res, err
	}
	if q.Count {
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+l.from+" WHERE "+where, args...).Scan(&res.Matched); err != nil {
			return res, domainError(err)
		}
	}
	if q.After != "" {
		after, err := l.keyValue(q.After)
		if err != nil {
			return res, planning.Errorf(planning.ErrInvalid, "after: %q is not a feature id of layer %s", q.After, q.Layer).WithDetail("parameter", "after")
		}
		where += " AND " + l.key + " > " + args.add(after)
	}
	if q.Key != "" {
		key, err := l.keyValue(q.Key)
		if err != nil {
			return res, planning.Errorf(planning.ErrNotFound, "layer %s has no feature %q", q.Layer, q.Key)
		}
		where += " AND " + l.key + " = " + args.add(key)
	}
	geom, opts, err := geoJSONGeomSQL(q.SRID, q.LatLon)
	if err != nil {
		return res, err
	}
	sql := "SELECT " + l.key + "::text, '{\"type\":\"Feature\",\"id\":' || to_json(" + l.key + ")::text || " +
		"',\"geometry\":' || ST_AsGeoJSON(" + geom + ", " + args.add(q.Precision) + ", " + opts + ") || ',\"properties\":' || " + props + "::text || '}' " +
		"FROM " + l.from + " WHERE " + where + " ORDER BY " + l.key + " LIMIT " + args.add(q.Limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return res, domainError(err)
	}
	defer rows.Close()
	res.Next, err = emitRows(rows, q.Limit, emit)
	return res, err
}

// geoJSONGeomSQL is the geometry expression of a feature in the asked CRS
// and axis order, and ST_AsGeoJSON's options: CRS84 (RFC 7946) has no crs
// member; otherwise PostGIS names the SRID.
func geoJSONGeomSQL(srid int, latLon bool) (geom, opts string, err error) {
	geom, opts = "t.geom", "8"
	switch srid {
	case 0, 4490:
	case 4326:
		opts = "0"
	case 4549:
		geom = "ST_Transform(t.geom, 4549)"
	default:
		return "", "", planning.Errorf(planning.ErrInvalid, "crs: EPSG:%d is not offered (EPSG:4490, EPSG:4549 or CRS84)", srid)
	}
	if latLon {
		geom = "ST_FlipCoordinates(" + geom + ")"
	}
	return geom, opts, nil
}

// emitRows hands each row's feature (key, feature) to emit, up to limit,
// and returns the key to continue after when one more row exists. Raw
// column bytes go straight to emit: no copy, no allocation per row. Only
// the key of the last row is kept, for the next link.
func emitRows(rows pgx.Rows, limit int, emit func(feature []byte) error) (next string, err error) {
	var key []byte
	n := 0
	for rows.Next() {
		n++
		if n > limit {
			return string(key), nil // one more exists: continue after the last emitted
		}
		raw := rows.RawValues()
		key = append(key[:0], raw[0]...)
		if err := emit(raw[1]); err != nil {
			return "", err
		}
	}
	return "", domainError(rows.Err())
}

// LayerVersion is a token that changes whenever any geography table
// changes. It is read before the data, so a response is never older than
// its token.
func (s *Store) LayerVersion(ctx context.Context) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, "SELECT coalesce(string_agg(layer || ':' || version, ',' ORDER BY layer), '') FROM layer_versions").Scan(&v)
	return v, domainError(err)
}

// checkFilterCodes refuses codes that name nothing, so a typo gets a 400
// rather than an empty map.
func (s *Store) checkFilterCodes(ctx context.Context, f *planning.ParcelFilter) error {
	if f.Empty() || len(f.LandUse)+len(f.CurrentUse)+len(f.Parks)+len(f.Districts) == 0 {
		return nil
	}
	var badUse, badCurrent, badParks, badDistricts []string
	err := s.pool.QueryRow(ctx, `SELECT
		array(SELECT u FROM unnest($1::text[]) u WHERE NOT EXISTS (SELECT 1 FROM land_use_classes WHERE code = u)),
		array(SELECT u FROM unnest($2::text[]) u WHERE NOT EXISTS (SELECT 1 FROM parks WHERE code = u)),
		array(SELECT u FROM unnest($3::text[]) u WHERE NOT EXISTS (SELECT 1 FROM districts WHERE adcode = u)),
		array(SELECT u FROM unnest($4::text[]) u WHERE NOT EXISTS (SELECT 1 FROM land_use_classes WHERE code = u))`,
		f.LandUse, f.Parks, f.Districts, f.CurrentUse).Scan(&badUse, &badParks, &badDistricts, &badCurrent)
	if err != nil {
		return domainError(err)
	}
	switch {
	case len(badUse) > 0:
		return planning.Errorf(planning.ErrInvalid, "land_use: unknown land-use class %s", strings.Join(badUse, ", ")).WithDetail("parameter", "land_use")
	case len(badCurrent) > 0:
		return planning.Errorf(planning.ErrInvalid, "current_use: unknown land-use class %s", strings.Join(badCurrent, ", ")).WithDetail("parameter", "current_use")
	case len(badParks) > 0:
		return planning.Errorf(planning.ErrInvalid, "park: unknown park %s", strings.Join(badParks, ", ")).WithDetail("parameter", "park")
	case len(badDistricts) > 0:
		return planning.Errorf(planning.ErrInvalid, "district: unknown district %s", strings.Join(badDistricts, ", ")).WithDetail("parameter", "district")
	}
	return nil
}

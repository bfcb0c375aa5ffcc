package pgstore

import (
	"context"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// layer describes how one table becomes GeoJSON features. Everything here is
// fixed in code: request text only ever reaches SQL as a bound parameter.
type layer struct {
	from   string // table and joins; the layer's table is aliased t
	key    string // unique, ordered key for keyset paging
	intKey bool
	props  string // json_build_object(...) over t and the joins
}

var layers = map[string]layer{
	"districts": {
		from:  "districts t",
		key:   "t.adcode",
		props: "json_build_object('adcode', t.adcode, 'name_zh', t.name_zh, 'name_en', t.name_en, 'area_m2', round(t.area_m2::numeric, 2))",
	},
	"parks": {
		from: "parks t",
		key:  "t.code",
		props: "json_build_object('code', t.code, 'name_zh', t.name_zh, 'name_en', t.name_en, 'kind', t.kind, " +
			"'host_district', t.host_district, 'area_m2', round(t.area_m2::numeric, 2))",
	},
	"protected-zones": {
		from:   "protected_zones t",
		key:    "t.id",
		intKey: true,
		props:  "json_build_object('id', t.id, 'kind', t.kind, 'name', t.name, 'area_m2', round(t.area_m2::numeric, 2))",
	},
	"parcels": {
		from:   "parcels t JOIN land_use_classes c ON c.code = t.land_use_code JOIN parcel_statuses s ON s.code = t.status",
		key:    "t.id",
		intKey: true,
		props: "json_build_object('code', t.code, 'district', t.district_adcode, 'park', t.park_code, " +
			"'land_use', t.land_use_code, 'land_use_zh', c.name_zh, 'status', t.status, 'status_zh', s.name_zh, " +
			"'area_m2', round(t.area_m2::numeric, 2), 'area_mu', round((t.area_m2 * 15 / 10000)::numeric, 2), " +
			"'underground', coalesce(t.elevation_top <= 0, false))",
	},
}

// StreamLayer runs q and hands each feature, already encoded as GeoJSON by
// PostgreSQL, to emit as its row arrives: nothing is buffered. It returns
// the key to continue from when more features follow, or "".
func (s *Store) StreamLayer(ctx context.Context, q planning.LayerQuery, emit func(feature []byte) error) (next string, err error) {
	l, ok := layers[q.Layer]
	if !ok {
		return "", planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %v)", q.Layer, planning.LayerNames)
	}
	args := []any{q.Precision, q.Limit + 1}
	where := "true"
	if q.BBox != nil {
		args = append(args, q.BBox.Min[0], q.BBox.Min[1], q.BBox.Max[0], q.BBox.Max[1])
		where += " AND t.geom && ST_MakeEnvelope($3, $4, $5, $6, 4490)"
	}
	if q.After != "" {
		if l.intKey {
			after, err := strconv.ParseInt(q.After, 10, 64)
			if err != nil {
				return "", planning.Errorf(planning.ErrInvalid, "after: %q is not a feature id of layer %s", q.After, q.Layer).WithDetail("field", "after")
			}
			args = append(args, after)
		} else {
			args = append(args, q.After)
		}
		where += " AND " + l.key + " > $" + strconv.Itoa(len(args))
	}
	sql := "SELECT " + l.key + "::text, '{\"type\":\"Feature\",\"id\":' || to_json(" + l.key + ")::text || " +
		"',\"geometry\":' || ST_AsGeoJSON(t.geom, $1) || ',\"properties\":' || " + l.props + "::text || '}' " +
		"FROM " + l.from + " WHERE " + where + " ORDER BY " + l.key + " LIMIT $2"
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return "", domainError(err)
	}
	defer rows.Close()
	var key string
	var feature []byte
	n := 0
	for rows.Next() {
		n++
		if n > q.Limit {
			return key, nil // one more exists: continue after the last emitted
		}
		if err := rows.Scan(&key, &feature); err != nil {
			return "", domainError(err)
		}
		if err := emit(feature); err != nil {
			return "", err
		}
	}
	return "", domainError(rows.Err())
}

// Extent is the bounding box of all districts, for fitting a map; a box
// around Hangzhou when no district is loaded yet.
func (s *Store) Extent(ctx context.Context) (orb.Bound, error) {
	var minx, miny, maxx, maxy *float64
	err := s.pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom) AS e FROM districts) x`).Scan(&minx, &miny, &maxx, &maxy)
	if err != nil {
		return orb.Bound{}, domainError(err)
	}
	if minx == nil {
		return orb.Bound{Min: orb.Point{119.7, 29.9}, Max: orb.Point{120.5, 30.4}}, nil
	}
	return orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}, nil
}

// Counts reports how many rows each geography table holds.
type Counts struct {
	Districts, Parks, Zones, Parcels int64
}

// Count counts the geography.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM districts), (SELECT count(*) FROM parks),
		(SELECT count(*) FROM protected_zones), (SELECT count(*) FROM parcels)`).Scan(&c.Districts, &c.Parks, &c.Zones, &c.Parcels)
	return c, domainError(err)
}

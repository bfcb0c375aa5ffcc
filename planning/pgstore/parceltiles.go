package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo/mvt"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// The parcels layer of a tile is encoded here, in Go, not by ST_AsMVT: on
// 1,000,000 parcels EXPLAIN ANALYZE put most of a tile's database time in
// ST_AsMVTGeom and ST_Transform, and a parallel worker paid PROJ's first
// 4490→3857 look-up (about 155 ms) on every tile, since each worker is a
// fresh backend. The database now only finds the rows (and sums the cells);
// the same features come out (TestGoParcelTilesEqualPostGIS compares them with TileSQL's).

// goLayerTile is the layer's part of tile q when it is encoded in Go, and
// whether it is (false: the layer is rendered by ST_AsMVT).
func (s *Store) goLayerTile(ctx context.Context, name string, q planning.TileQuery, limit int) ([]byte, bool, error) {
	l := layers[name].tile
	if l.aggregateBelow == 0 {
		return nil, false, nil
	}
	var b []byte
	var err error
	if q.Z < l.aggregateBelow {
		b, err = s.cellTile(ctx, name, q, limit)
	} else {
		b, err = s.rowTile(ctx, name, q, limit)
	}
	return b, true, err
}

// cellTile is the layer of aggregate cells for tile q (see aggregateSQL for
// what a cell holds). The database groups the rows of parcel_cells under
// the tile (found by the key's range) into one row per cell, with the sums
// and orders the exact numeric areas need, and sends only integers and
// text; a cell's outline follows from its index: the square of side units
// at its place.
func (s *Store) cellTile(ctx context.Context, name string, q planning.TileQuery, limit int) ([]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT x, y, sum(parcels)::bigint, round(sum(area_m2))::bigint,
		array_agg(status ORDER BY area_m2 DESC, status), array_agg(parcels ORDER BY area_m2 DESC, status)
		FROM parcel_cells WHERE level = $1 AND x BETWEEN $2 AND $3 AND y BETWEEN $4 AND $5
		GROUP BY x, y ORDER BY sum(area_m2) DESC, x, y LIMIT $6`,
		q.Z+cellLevels, q.X*cellsPerTile, q.X*cellsPerTile+cellsPerTile-1, q.Y*cellsPerTile, q.Y*cellsPerTile+cellsPerTile-1, limit)
	if err != nil {
		return nil, domainError(err)
	}
	defer rows.Close()
	const side = TileExtent / cellsPerTile
	layer := mvt.NewLayer(name, TileExtent)
	var x, y int32
	var parcels, area int64
	var statuses []string
	var counts []int32
	for rows.Next() {
		if err := rows.Scan(&x, &y, &parcels, &area, &statuses, &counts); err != nil {
			return nil, domainError(err)
		}
		layer.Property("kind", "aggregate")
		layer.Property("parcels", parcels)
		layer.Property("area_m2", area)
		// The status holding most area names the cell (a tie: the first by name).
		layer.Property("status", statuses[0])
		for i, st := range statuses {
			layer.Property("n_"+st, int64(counts[i]))
		}
		i, j := int64(x)-int64(q.X)*cellsPerTile, int64(y)-int64(q.Y)*cellsPerTile
		x0, y0, x1, y1 := i*side, j*side, (i+1)*side, (j+1)*side
		// The vertices in the order ST_AsMVTGeom(ST_TileEnvelope(...)) gave them.
		layer.Ring([][2]int64{{x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}})
		layer.EndPolygon(uint64(x)<<24 | uint64(y))
	}
	if err := rows.Err(); err != nil {
		return nil, domainError(err)
	}
	return layer.Tile(), nil
}

// rowTile is the layer of single rows for tile q: the rows whose outline
// meets the tile and its margin, the largest first up to limit, each with
// the catalog's tile columns, drawn on the tile's grid by geo/mvt as
// ST_AsMVTGeom would.
func (s *Store) rowTile(ctx context.Context, name string, q planning.TileQuery, limit int) ([]byte, error) {
	sl, l := layers[name], layers[name].tile
	cat, _ := catalog.Find(name)
	cols := cat.ColumnsIn(catalog.Tile)
	var b strings.Builder
	b.WriteString("SELECT " + l.id + ", ST_AsBinary(t.geom)")
	for _, c := range cols {
		b.WriteString(", " + sl.colSQL(c))
	}
	b.WriteString(" FROM " + sl.from + " WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => " + tileMargin + "), 4490)")
	b.WriteString(" ORDER BY " + l.order + " LIMIT $4")
	rows, err := s.pool.Query(ctx, b.String(), q.Z, q.X, q.Y, limit)
	if err != nil {
		return nil, domainError(err)
	}
	defer rows.Close()
	grid := mvt.NewGrid(q.Z, q.X, q.Y, TileExtent, TileBuffer)
	layer := mvt.NewLayer(name, TileExtent)
	var id int64
	values := make([]tileValue, len(cols))
	dest := []any{&id, nil}
	for i, c := range cols {
		values[i] = newTileValue(c.Type)
		dest = append(dest, values[i])
	}
	for rows.Next() {
		// The outline is read in place (valid until the next row); the
		// other columns are scanned.
		raw := rows.RawValues()
		if err := rows.Scan(dest...); err != nil {
			return nil, domainError(err)
		}
		g, err := wkb.Unmarshal(raw[1])
		if err != nil {
			return nil, fmt.Errorf("tile of %s: outline of %d: %w", name, id, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if p, isPolygon := g.(orb.Polygon); isPolygon {
			mp, ok = orb.MultiPolygon{p}, true
		}
		if !ok || id < 0 {
			return nil, fmt.Errorf("tile of %s: feature %d is a %s, not a polygon with an id of 0 or more", name, id, g.GeoJSONType())
		}
		for i, c := range cols {
			layer.Property(c.Name, values[i].value())
		}
		// A feature whose outline collapses on the grid is left out, as
		// ST_AsMVTGeom gives NULL for it.
		grid.AddMultiPolygon(layer, mp)
		layer.EndPolygon(uint64(id))
	}
	if err := rows.Err(); err != nil {
		return nil, domainError(err)
	}
	return layer.Tile(), nil
}

// tileValue scans a column as a tile property: text, double, bigint or
// boolean, as ST_AsMVT encodes them; value is nil for NULL (left out).
type tileValue interface{ value() any }

func newTileValue(t catalog.Type) tileValue {
	switch t {
	case catalog.Number:
		return &float8Value{}
	case catalog.Integer:
		return &int8Value{}
	case catalog.Boolean:
		return &boolValue{}
	}
	return &textValue{}
}

type textValue struct{ pgtype.Text }
type float8Value struct{ pgtype.Float8 }
type int8Value struct{ pgtype.Int8 }
type boolValue struct{ pgtype.Bool }

func (v *textValue) value() any   { return nullable(v.Valid, v.String) }
func (v *float8Value) value() any { return nullable(v.Valid, v.Float64) }
func (v *int8Value) value() any   { return nullable(v.Valid, v.Int64) }
func (v *boolValue) value() any   { return nullable(v.Valid, v.Bool.Bool) }

func nullable[T any](valid bool, v T) any {
	if !valid {
		return nil
	}
	return v
}

package pgstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo/mvt"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/jackc/pgx/v5"
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
	cells := q.Z < l.aggregateBelow
	if !cells && q.Z <= generaliseMaxZoom {
		if err := s.pool.QueryRow(ctx, "SELECT "+denseSQL("$4"), q.Z, q.X, q.Y, detailMinArea(q.Z, q.Y)).Scan(&cells); err != nil {
			return nil, true, domainError(err)
		}
	}
	var b []byte
	var err error
	if cells {
		b, err = s.cellTile(ctx, name, q, limit)
	} else {
		b, err = s.rowTile(ctx, name, q, limit)
	}
	return b, true, err
}

// cellTile is the layer of aggregate cells for tile q (cellGrid; see aggregateSQL for
// what a cell holds). The database groups the rows of parcel_cells under
// the tile (found by the key's range) into one row per cell, with the sums
// and orders the exact numeric areas need, and sends only integers and
// one text: the cell's statuses by area with their counts,
// "status:count,..." (one ordered string_agg sorts a cell's rows once;
// two ordered array_aggs sorted them twice and cost 15% more of the
// database's CPU). A cell's outline follows from its index: the square of
// side units at its place. Every column is read in place, in binary.
func (s *Store) cellTile(ctx context.Context, name string, q planning.TileQuery, limit int) ([]byte, error) {
	level, per := cellGrid(q.Z)
	rows, err := s.pool.Query(ctx, `SELECT x, y, sum(parcels)::bigint, round(sum(area_m2))::bigint,
		string_agg(status || ':' || parcels, ',' ORDER BY area_m2 DESC, status)
		FROM parcel_cells WHERE level = $1 AND x BETWEEN $2 AND $3 AND y BETWEEN $4 AND $5
		GROUP BY x, y ORDER BY sum(area_m2) DESC, x, y LIMIT $6`,
		pgx.QueryResultFormats{pgx.BinaryFormatCode},
		level, q.X*per, q.X*per+per-1, q.Y*per, q.Y*per+per-1, limit)
	if err != nil {
		return nil, domainError(err)
	}
	defer rows.Close()
	side := int64(TileExtent / per)
	layer := mvt.NewLayer(name, TileExtent)
	defer layer.Release()
	kKind, kParcels, kArea, kStatus := layer.Key("kind"), layer.Key("parcels"), layer.Key("area_m2"), layer.Key("status")
	countKeys := map[string]uint32{} // status → the key of its count, n_<status>
	for rows.Next() {
		raw := rows.RawValues()
		if len(raw) != 5 || len(raw[0]) != 4 || len(raw[1]) != 4 || len(raw[2]) != 8 || len(raw[3]) != 8 || len(raw[4]) == 0 {
			return nil, fmt.Errorf("tile of %s: a cell row of unexpected shape", name)
		}
		x, y := int32(binary.BigEndian.Uint32(raw[0])), int32(binary.BigEndian.Uint32(raw[1]))
		layer.String(kKind, "aggregate")
		layer.Int(kParcels, int64(binary.BigEndian.Uint64(raw[2])))
		layer.Int(kArea, int64(binary.BigEndian.Uint64(raw[3])))
		// The status holding most area names the cell (a tie: the first by name).
		first := true
		for item := range bytes.SplitSeq(raw[4], []byte{','}) {
			i := bytes.LastIndexByte(item, ':')
			n, err := strconv.ParseInt(string(item[i+1:]), 10, 64)
			if i <= 0 || err != nil {
				return nil, fmt.Errorf("tile of %s: cell count %q", name, item)
			}
			st := item[:i]
			if first {
				layer.StringBytes(kStatus, st)
				first = false
			}
			k, ok := countKeys[string(st)]
			if !ok {
				k = layer.Key("n_" + string(st))
				countKeys[string(st)] = k
			}
			layer.Int(k, n)
		}
		i, j := int64(x)-int64(q.X)*int64(per), int64(y)-int64(q.Y)*int64(per)
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
// ST_AsMVTGeom would. Every column is read in place, in binary (pgx's Scan
// and a decoded outline per row were a third of the server's CPU for a
// zoom-14 tile).
func (s *Store) rowTile(ctx context.Context, name string, q planning.TileQuery, limit int) ([]byte, error) {
	sl := layers[name]
	cat, _ := catalog.Find(name)
	cols := cat.ColumnsIn(catalog.Tile)
	rows, err := s.pool.Query(ctx, rowTileSQL(sl, cols), pgx.QueryResultFormats{pgx.BinaryFormatCode}, q.Z, q.X, q.Y, limit)
	if err != nil {
		return nil, domainError(err)
	}
	defer rows.Close()
	grid := mvt.NewGrid(q.Z, q.X, q.Y, TileExtent, TileBuffer)
	layer := mvt.NewLayer(name, TileExtent)
	defer layer.Release()
	keys := make([]uint32, len(cols))
	for i, c := range cols {
		keys[i] = layer.Key(c.Name)
	}
	for rows.Next() {
		raw := rows.RawValues()
		if len(raw) != 2+len(cols) {
			return nil, fmt.Errorf("tile of %s: %d columns, want %d", name, len(raw), 2+len(cols))
		}
		id, ok := binaryInt(raw[0])
		if !ok || id < 0 {
			return nil, fmt.Errorf("tile of %s: a feature without an id of 0 or more", name)
		}
		if err := addTileAttrs(layer, keys, cols, raw[2:]); err != nil {
			return nil, fmt.Errorf("tile of %s: %w", name, err)
		}
		// A feature whose outline collapses on the grid is left out, as
		// ST_AsMVTGeom gives NULL for it.
		if _, err := grid.AddWKB(layer, raw[1]); err != nil {
			return nil, fmt.Errorf("tile of %s: outline of %d: %w", name, id, err)
		}
		layer.EndPolygon(uint64(id))
	}
	if err := rows.Err(); err != nil {
		return nil, domainError(err)
	}
	return layer.Tile(), nil
}

// rowTileSQL selects the id, the outline (WKB) and the tile columns of the
// rows of layer sl that meet tile $1/$2/$3 and its margin, in the tile's
// order, at most $4.
func rowTileSQL(sl layer, cols []catalog.Column) string {
	l := sl.tile
	var b strings.Builder
	b.WriteString("SELECT " + l.id + ", ST_AsBinary(t.geom)")
	for _, c := range cols {
		b.WriteString(", " + tileColSQL(sl, c))
	}
	from := sl.from
	if l.from != "" {
		from = l.from
	}
	b.WriteString(" FROM " + from + " WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => " + tileMargin + "), 4490)")
	b.WriteString(" ORDER BY " + l.order + " LIMIT $4")
	return b.String()
}

// addTileAttrs adds a row's tile columns (binary values, in cols' order)
// to the feature being written; a NULL is left out, as ST_AsMVT does.
func addTileAttrs(layer *mvt.Layer, keys []uint32, cols []catalog.Column, vals [][]byte) error {
	for i, c := range cols {
		v := vals[i]
		if v == nil {
			continue
		}
		switch c.Type {
		case catalog.Number:
			if len(v) != 8 {
				return fmt.Errorf("%s is not a double", c.Name)
			}
			layer.Float(keys[i], math.Float64frombits(binary.BigEndian.Uint64(v)))
		case catalog.Integer:
			n, ok := binaryInt(v)
			if !ok {
				return fmt.Errorf("%s is not an integer", c.Name)
			}
			layer.Int(keys[i], n)
		case catalog.Boolean:
			if len(v) != 1 {
				return fmt.Errorf("%s is not a boolean", c.Name)
			}
			if v[0] != 0 { // false is left out (tileColSQL)
				layer.Bool(keys[i], true)
			}
		default:
			layer.StringBytes(keys[i], v)
		}
	}
	return nil
}

// binaryInt reads a smallint, integer or bigint in PostgreSQL's binary form.
func binaryInt(v []byte) (int64, bool) {
	switch len(v) {
	case 2:
		return int64(int16(binary.BigEndian.Uint16(v))), true
	case 4:
		return int64(int32(binary.BigEndian.Uint32(v))), true
	case 8:
		return int64(binary.BigEndian.Uint64(v)), true
	}
	return 0, false
}

package pgstore

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/paulmach/orb"
)

// Vector tiles are made whole by PostGIS: ST_AsMVTGeom clips and quantises
// each outline (transformed to EPSG:3857) to the tile's 4096-unit grid, and
// ST_AsMVT encodes a layer. Rows are found with the table's GiST index: the
// tile's envelope is transformed to the table's SRID (4490), never the
// column to the tile's. A tile of several layers is the concatenation of the
// layers' ST_AsMVT outputs, which is itself a valid tile (a tile is a
// repeated field of layers).
const (
	// TileMaxZoom is the deepest zoom served.
	TileMaxZoom = catalog.MaxZoom
	// TileExtent is the size of a tile's integer grid.
	TileExtent = 4096
	// TileBuffer is the margin, in grid units, kept around a tile so that
	// outlines crossing its edge join up seamlessly with the next tile.
	TileBuffer = 64
	// TileMaxLimit is the largest number of features per layer a caller
	// may ask for in one tile.
	TileMaxLimit = 100_000
)

// ParcelDetailZoom is the first zoom at which the parcels layer may hold single
// parcels. Below it a parcel of the demo seed's median size (110 m across)
// is at most 6 screen pixels (a pixel of a 256-pixel tile is 16.5 m of
// ground at zoom 13 in Hangzhou), and a zoom-13 tile of single parcels is
// over 500 KB on the 1,000,000-parcel seed; so zooms 10-13 show aggregate
// cells instead (aggregateSQL). At zooms ParcelDetailZoom to
// generaliseMaxZoom a tile shows cells too where its parcels are small
// (denseSQL).
const ParcelDetailZoom = 14

// cellsPerTile is how many aggregate cells a tile below ParcelDetailZoom
// holds along each side: 2^cellLevels, so a cell is the tile of zoom
// z+cellLevels (migration 013 keeps levels 15-18, for tile zooms 10-13) and
// 8 pixels of a 256-pixel tile: at zoom 13 about 130 m, about one median
// parcel. A tile then holds at most 1,024 cells however many parcels lie
// under it: 68,612 bytes when every cell holds all ten statuses (measured,
// docs/SCALING.md).
const (
	cellLevels   = 5
	cellsPerTile = 1 << cellLevels
	maxCellLevel = 18 // the finest level parcel_cells keeps
)

// cellGrid is the level of the cells a tile of zoom z shows and how many
// lie along its side: 8-pixel cells below ParcelDetailZoom, and beyond it
// the finest level's (16 pixels at zoom 14).
func cellGrid(z int) (level, per int) {
	level = min(z+cellLevels, maxCellLevel)
	return level, 1 << (level - z)
}

// A tile of zoom ParcelDetailZoom to generaliseMaxZoom is drawn as cells
// when its parcels are on average less than detailMinPixels screen pixels
// across (mean area under detailMinPixels² pixels): there single parcels
// are specks that cost megabytes (a zoom-14 tile of the 10,000,000-parcel
// seed, 46 m² a parcel, 0.8 px: 1.1 MB), while a tile of larger parcels
// (the 1,000,000-parcel seed, 460 m², 2.6 px) keeps them. Beyond zoom 14
// the finest cells would be 32 pixels or more, coarser than the parcels.
const (
	generaliseMaxZoom = 14
	detailMinPixels   = 2
)

// denseSQL is true when the parcels of tile ($1, $2, $3) are on average
// smaller than the area areaParam (m²): summed from the four cells of level
// $1+1 that make up the tile (a parcel counts where its point on surface
// lies), so the test reads at most 4 x 10 rows.
func denseSQL(areaParam string) string {
	return "(SELECT coalesce(sum(c.area_m2) < sum(c.parcels) * " + areaParam + "::numeric, false) FROM parcel_cells c " +
		"WHERE c.level = $1 + 1 AND c.x BETWEEN $2 * 2 AND $2 * 2 + 1 AND c.y BETWEEN $3 * 2 AND $3 * 2 + 1)"
}

// detailMinArea is the mean parcel area (m²) under which tile (z, ·, y) is
// drawn as cells: detailMinPixels² pixels of a 256-pixel tile, in ground
// metres at the tile's middle latitude (Web Mercator's pixel shrinks by
// cos(lat) on the ground).
func detailMinArea(z, y int) float64 {
	n := float64(int(1) << z)
	lat := math.Atan(math.Sinh(math.Pi * (1 - 2*(float64(y)+0.5)/n)))
	px := 40075016.685578488 * math.Cos(lat) / n / 256
	return detailMinPixels * detailMinPixels * px * px
}

// tileMargin is TileBuffer as a fraction of the tile, for ST_TileEnvelope.
const tileMargin = "0.015625" // 64 / 4096

// tileLayer says how one layer's table becomes a layer of vector tiles;
// its attributes and zooms are the catalog's.
type tileLayer struct {
	// id is the feature id, a non-negative integer. Parcels and protected
	// zones use their bigint primary key. A district's id is its adcode read
	// as a number (330108). A park's id is the first 52 bits of md5(code):
	// stable across databases and PostgreSQL versions (unlike hashtext), and
	// below 2^53 so JavaScript holds it exactly; a collision needs ~10^7 parks.
	id    string
	order string // which features to keep when the limit cuts a tile: the largest first
	// simplifyBelow: at zooms below this the outline is first simplified
	// (ST_SimplifyPreserveTopology, in EPSG:4490) with a tolerance of about
	// one pixel of the tile, which shrinks both the work and the tile. From
	// this zoom on, ST_AsMVTGeom's own snapping to the grid is enough.
	simplifyBelow int
	defaultLimit  int
	// boundsFromDistricts: the layer's TileJSON bounds are the districts'
	// extent (parcels lie in districts, and an exact ST_Extent over millions
	// of parcels costs a full scan per request).
	boundsFromDistricts bool
	// aggregateBelow: at zooms below this the layer's features are the
	// cells of parcel_cells (migration 013), not single rows, and up to
	// generaliseMaxZoom they are where the tile's parcels are small
	// (denseSQL); 0: never.
	aggregateBelow int
	// from, if set, is what the Go-encoded tile (rowTile) reads instead of
	// the layer's from: the joins its tile columns need, no more.
	from string
}

// tileColSQL is column c of a tile: as elsewhere, but a false flag is left
// out (NULL), absent reading as false. A flag that is false for nearly every
// parcel (underground) cost 4% of a zoom-14 tile and a property per feature
// to decode in the browser.
func tileColSQL(sl layer, c catalog.Column) string {
	if c.Type == catalog.Boolean {
		return "nullif(" + sl.colSQL(c) + ", false)"
	}
	return sl.colSQL(c)
}

// tileType is the TileJSON type of a catalog column.
func tileType(t catalog.Type) string {
	switch t {
	case catalog.Number, catalog.Integer:
		return "Number"
	case catalog.Boolean:
		return "Boolean"
	}
	return "String"
}

// Tile renders one Mapbox Vector Tile holding the requested layers that are
// visible at q.Z, in the order asked. It returns an empty slice when no
// feature falls in the tile (or no layer is visible at that zoom). The
// parcels layer is encoded in Go (parceltiles.go), the others by one
// ST_AsMVT statement (TileSQL); the parts are concatenated in order.
func (s *Store) Tile(ctx context.Context, q planning.TileQuery) ([]byte, error) {
	if err := checkTile(q); err != nil {
		return nil, err
	}
	var out []byte
	var sqlLayers []string // the run of layers waiting for one statement
	flush := func() error {
		if len(sqlLayers) == 0 {
			return nil
		}
		sq := q
		sq.Layers, sqlLayers = sqlLayers, nil
		sql, args, err := TileSQL(sq)
		if err != nil || sql == "" {
			return err
		}
		var b []byte
		if err := s.pool.QueryRow(ctx, sql, args...).Scan(&b); err != nil {
			return domainError(err)
		}
		out = append(out, b...)
		return nil
	}
	for _, name := range q.Layers {
		cat, _ := catalog.Find(name)
		if q.Z < cat.MinZoom || q.Z > cat.MaxZoom {
			continue
		}
		b, ok, err := s.goLayerTile(ctx, name, q, tileLimit(name, q))
		if err != nil {
			return nil, err
		}
		if !ok {
			sqlLayers = append(sqlLayers, name)
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// tileLimit is how many features of a layer tile q may hold.
func tileLimit(name string, q planning.TileQuery) int {
	if q.Limit > 0 {
		return q.Limit
	}
	return layers[name].tile.defaultLimit
}

// TileSQL is the tile as PostGIS alone renders it, one ST_AsMVT statement
// with its arguments (the parcels' aggregate cells included); sql is "" when
// no requested layer is visible at q.Z. Tile runs it for the layers it does
// not encode in Go; benchmarks and tests run it whole as the reference the
// Go encoding is measured and checked against.
func TileSQL(q planning.TileQuery) (sql string, args []any, err error) {
	return tileSQL(q, true, true)
}

// DetailedTileSQL is TileSQL with single parcels at every zoom, as the
// server rendered them before aggregate cells: the reference the low-zoom
// benchmarks and tests measure the cells against.
func DetailedTileSQL(q planning.TileQuery) (sql string, args []any, err error) {
	return tileSQL(q, true, false)
}

// checkTile validates a tile request against the allow-list and the tile
// pyramid.
func checkTile(q planning.TileQuery) error {
	if len(q.Layers) == 0 {
		return planning.Errorf(planning.ErrInvalid, "layers: name at least one of %s", strings.Join(planning.LayerNames, ", ")).WithDetail("parameter", "layers")
	}
	seen := map[string]bool{}
	for _, name := range q.Layers {
		if _, ok := layers[name]; !ok {
			return planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", name, strings.Join(planning.LayerNames, ", ")).WithDetail("parameter", "layers")
		}
		if seen[name] {
			return planning.Errorf(planning.ErrInvalid, "layers: %q is named twice", name).WithDetail("parameter", "layers")
		}
		seen[name] = true
	}
	if q.Z < 0 || q.Z > TileMaxZoom {
		return planning.Errorf(planning.ErrInvalid, "z: %d is not a zoom between 0 and %d", q.Z, TileMaxZoom).WithDetail("parameter", "z")
	}
	n := 1 << q.Z
	if q.X < 0 || q.X >= n {
		return planning.Errorf(planning.ErrInvalid, "x: %d is outside 0..%d at zoom %d", q.X, n-1, q.Z).WithDetail("parameter", "x")
	}
	if q.Y < 0 || q.Y >= n {
		return planning.Errorf(planning.ErrInvalid, "y: %d is outside 0..%d at zoom %d", q.Y, n-1, q.Z).WithDetail("parameter", "y")
	}
	if q.Limit < 0 || q.Limit > TileMaxLimit {
		return planning.Errorf(planning.ErrInvalid, "limit: %d is not between 1 and %d", q.Limit, TileMaxLimit).WithDetail("parameter", "limit")
	}
	return nil
}

// tileSQL builds the statement; simplify=false leaves out the low-zoom
// simplification (for tests that measure what it saves), aggregate=false
// the aggregate cells.
func tileSQL(q planning.TileQuery, simplify, aggregate bool) (string, []any, error) {
	if err := checkTile(q); err != nil {
		return "", nil, err
	}
	args := []any{q.Z, q.X, q.Y}
	var parts []string
	for _, name := range q.Layers {
		sl, l := layers[name], layers[name].tile
		cat, _ := catalog.Find(name)
		if q.Z < cat.MinZoom || q.Z > cat.MaxZoom {
			continue
		}
		args = append(args, tileLimit(name, q))
		limitParam := "$" + strconv.Itoa(len(args))
		agg := ""
		if aggregate && l.aggregateBelow > 0 && q.Z <= generaliseMaxZoom {
			agg = aggregateSQL(name, limitParam, q.Z)
			if q.Z < l.aggregateBelow {
				parts = append(parts, agg)
				continue
			}
			args = append(args, detailMinArea(q.Z, q.Y))
		}
		geom := "t.geom"
		if simplify && q.Z < l.simplifyBelow {
			args = append(args, pixelDegrees(q.Z, q.Y))
			geom = "ST_SimplifyPreserveTopology(t.geom, $" + strconv.Itoa(len(args)) + ")"
		}
		var b strings.Builder
		b.WriteString("(SELECT ST_AsMVT(f, '")
		b.WriteString(name) // from the allow-list
		b.WriteString("', " + strconv.Itoa(TileExtent) + ", 'geom', 'id') FROM (SELECT ")
		b.WriteString(l.id)
		b.WriteString(" AS id")
		for _, c := range cat.ColumnsIn(catalog.Tile) {
			b.WriteString(", ")
			b.WriteString(tileColSQL(sl, c))
			b.WriteString(" AS ")
			b.WriteString(c.Name)
		}
		b.WriteString(", ST_AsMVTGeom(ST_Transform(" + geom + ", 3857), ST_TileEnvelope($1, $2, $3), " +
			strconv.Itoa(TileExtent) + ", " + strconv.Itoa(TileBuffer) + ", true) AS geom FROM ")
		b.WriteString(sl.from)
		b.WriteString(" WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => " + tileMargin + "), 4490)")
		b.WriteString(" ORDER BY " + l.order + " LIMIT " + limitParam)
		b.WriteString(") f WHERE f.geom IS NOT NULL)")
		if agg != "" {
			parts = append(parts, "(SELECT CASE WHEN "+denseSQL("$"+strconv.Itoa(len(args)))+" THEN "+agg+" ELSE "+b.String()+" END)")
			continue
		}
		parts = append(parts, b.String())
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	return "SELECT " + strings.Join(parts, " || "), args, nil
}

// aggregateSQL is the layer of tile ($1, $2, $3) of zoom z made of its
// parcel_cells (cellGrid): each cell a square feature with kind
// "aggregate", its parcels' count and area (whole m²), the status holding
// most of that area, and per status s the count n_s (a status with no
// parcel in the cell is absent). Cells are found by the key's range, so a
// tile reads at most 32 x 32 cells times the statuses present. The id is
// the cell's x and y at its level (unique within a tile's zoom).
func aggregateSQL(name, limitParam string, z int) string {
	level, n := cellGrid(z)
	per := strconv.Itoa(n)
	last := strconv.Itoa(n - 1)
	lv := strconv.Itoa(level - z)
	return "(SELECT ST_AsMVT(f, '" + name + "', " + strconv.Itoa(TileExtent) + ", 'geom', 'id') FROM (" +
		"SELECT g.x::bigint << 24 | g.y AS id, 'aggregate' AS kind, g.parcels, round(g.area_m2)::bigint AS area_m2, g.status, g.counts, " +
		"ST_AsMVTGeom(ST_TileEnvelope($1 + " + lv + ", g.x, g.y), ST_TileEnvelope($1, $2, $3), " +
		strconv.Itoa(TileExtent) + ", " + strconv.Itoa(TileBuffer) + ", true) AS geom " +
		"FROM (SELECT c.x, c.y, sum(c.parcels)::bigint AS parcels, sum(c.area_m2) AS area_m2, " +
		"(array_agg(c.status ORDER BY c.area_m2 DESC, c.status))[1] AS status, " +
		"jsonb_object_agg('n_' || c.status, c.parcels) AS counts " +
		"FROM parcel_cells c WHERE c.level = $1 + " + lv +
		" AND c.x BETWEEN $2 * " + per + " AND $2 * " + per + " + " + last +
		" AND c.y BETWEEN $3 * " + per + " AND $3 * " + per + " + " + last +
		" GROUP BY c.x, c.y ORDER BY 4 DESC, c.x, c.y LIMIT " + limitParam + ") g) f)"
}

// pixelDegrees is about one pixel of tile (z, ·, y) in degrees: the tile's
// width in longitude over its grid, shrunk by the cosine of its middle
// latitude because Web Mercator stretches north-south distances by 1/cos.
func pixelDegrees(z, y int) float64 {
	n := float64(int(1) << z)
	lat := math.Atan(math.Sinh(math.Pi * (1 - 2*(float64(y)+0.5)/n)))
	return 360 / n / TileExtent * math.Cos(lat)
}

// TileLayer describes one layer of the vector tiles for TileJSON, with the
// lon/lat bounds of its data.
func (s *Store) TileLayer(ctx context.Context, name string) (planning.TileLayer, error) {
	sl, ok := layers[name]
	cat, _ := catalog.Find(name)
	if !ok {
		return planning.TileLayer{}, planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: %s)", name, strings.Join(planning.LayerNames, ", ")).WithDetail("parameter", "layers")
	}
	l := sl.tile
	tl := planning.TileLayer{Name: name, MinZoom: cat.MinZoom, MaxZoom: cat.MaxZoom, Fields: map[string]string{}}
	for _, c := range cat.ColumnsIn(catalog.Tile) {
		tl.Fields[c.Name] = tileType(c.Type)
	}
	if l.aggregateBelow > 0 {
		// The aggregate cells' own fields (their n_<status> counts vary).
		tl.Fields["parcels"] = "Number"
	}
	if !l.boundsFromDistricts {
		var minx, miny, maxx, maxy *float64
		err := s.pool.QueryRow(ctx, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM "+
			sl.table+") x").Scan(&minx, &miny, &maxx, &maxy)
		if err != nil {
			return tl, domainError(err)
		}
		if minx != nil {
			tl.Bounds = orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}
			return tl, nil
		}
	}
	b, err := s.Extent(ctx)
	tl.Bounds = b
	return tl, err
}

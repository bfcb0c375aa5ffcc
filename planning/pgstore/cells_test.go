package pgstore

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
)

// cellsDiffer counts the rows in which parcel_cells and the cells computed
// afresh from the parcels differ (either way round), and checks that each
// level's totals per status equal the parcels table's.
func cellsDiffer(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	err := s.pool.QueryRow(context.Background(), `
		WITH fresh AS (
		  SELECT k.level, k.x, k.y, p.status, count(*)::integer AS parcels, sum(p.area_m2::numeric) AS area_m2
		    FROM parcels p CROSS JOIN LATERAL lq_parcel_cells_of(p.geom) k GROUP BY 1, 2, 3, 4),
		kept AS (SELECT level, x, y, status, parcels, area_m2 FROM parcel_cells)
		SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept) a)
		     + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh) b)
		     + (SELECT count(*) FROM (
		         SELECT l.level, p.status, count(*)::bigint, sum(p.area_m2::numeric) FROM parcels p, generate_series(15, 18) l(level) GROUP BY 1, 2
		         EXCEPT SELECT level, status, sum(parcels)::bigint, sum(area_m2) FROM parcel_cells GROUP BY 1, 2) c)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParcelCellsEqualTheirParcels(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	exec := followedBy(t, w.store, "cell rows", cellsDiffer)
	var cells int
	w.store.pool.QueryRow(ctx, "SELECT count(*) FROM parcel_cells").Scan(&cells)
	if cells == 0 || cellsDiffer(t, w.store) != 0 {
		t.Fatalf("after the inserts: %d cells, differing %d", cells, cellsDiffer(t, w.store))
	}
	// A batch of parcels in one statement, spread over several cells.
	exec("a bulk insert", bulkParcelsSQL)
	exec("a status change of some", "UPDATE parcels SET status = 'approved' WHERE code LIKE 'B-1%'")
	exec("an update that changes nothing counted", "UPDATE parcels SET plot_ratio = 2 WHERE code LIKE 'B-2%'")
	exec("moving a parcel far away", `UPDATE parcels SET geom = ST_Multi(ST_Translate(ST_MakeEnvelope(120.20, 30.18, 120.2003, 30.1803, 4490), 0.05, 0.05))
		WHERE code = 'B-0'`)
	exec("deleting some", "DELETE FROM parcels WHERE code LIKE 'B-5%' OR code = 'T-3'")
	exec("an insert and an update in one transaction", `WITH n AS (INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		VALUES ('C-1', '330108', '100101', 'filed', ST_Multi(ST_MakeEnvelope(120.25, 30.25, 120.2503, 30.2503, 4490)), 0) RETURNING id)
		UPDATE parcels SET status = 'completed' WHERE code = 'B-7'`)
	var n int
	w.store.pool.QueryRow(ctx, "SELECT count(*) FROM parcel_cells WHERE parcels = 0").Scan(&n)
	if n != 0 {
		t.Fatalf("%d empty cells kept", n)
	}
	exec("deleting every parcel", "DELETE FROM project_parcels; DELETE FROM parcels")
	w.store.pool.QueryRow(ctx, "SELECT count(*) FROM parcel_cells").Scan(&n)
	if n != 0 {
		t.Fatalf("%d cells left with no parcel", n)
	}
}

func TestLowZoomTileHoldsAggregates(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	for z := 10; z <= 15; z++ {
		x, y := tileOf(120.21, 30.19, z)
		b, err := w.store.Tile(ctx, planning.TileQuery{Layers: []string{"parcels"}, Z: z, X: x, Y: y})
		if err != nil {
			t.Fatal(err)
		}
		l := mvtread.Find(decodeTile(t, b), "parcels")
		if l == nil {
			t.Fatalf("zoom %d: no parcels layer", z)
		}
		if z >= ParcelDetailZoom {
			for _, f := range l.Features {
				if f.Properties["kind"] != "parcel" {
					t.Fatalf("zoom %d: feature %v is not a parcel", z, f.Properties)
				}
			}
			continue
		}
		// All 25 test parcels are approved and lie in this tile.
		var parcels, approved float64
		for _, f := range l.Features {
			p := f.Properties
			if p["kind"] != "aggregate" || p["code"] != nil || p["status"] != "approved" || number(p["area_m2"]) <= 0 {
				t.Fatalf("zoom %d: feature %v is not an aggregate cell", z, p)
			}
			side := int64(TileExtent / cellsPerTile)
			if f.Max[0]-f.Min[0] != side || f.Max[1]-f.Min[1] != side {
				t.Errorf("zoom %d: cell %v-%v is not a %v-unit square", z, f.Min, f.Max, side)
			}
			parcels += number(p["parcels"])
			approved += number(p["n_approved"])
		}
		if parcels != 25 || approved != 25 {
			t.Fatalf("zoom %d: cells count %v parcels, %v approved; want 25", z, parcels, approved)
		}
	}
}

// TestLowZoomTileSizeIsBounded: 1,800 small parcels packed into the test
// tile's zoom-13 parent. The detailed tile grows with the parcels; the
// aggregate tile holds at most 32 x 32 cells whatever their number.
func TestLowZoomTileSizeIsBounded(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	// 30 x 60 parcels of 20 m every 30 m, west of the test parcels.
	if _, err := w.store.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		SELECT 'S-' || i || '-' || j, '330108', '100101', (ARRAY['reserve','supplied','completed'])[1 + (i + j) % 3],
		       ST_Transform(ST_Multi(ST_MakeEnvelope($1 + i * 30, $2 + j * 30, $1 + i * 30 + 20, $2 + j * 30 + 20, 4549)), 4490), 0
		  FROM generate_series(0, 29) i, generate_series(0, 59) j`, tileMiddle[0]-1000, tileMiddle[1]-1000); err != nil {
		t.Fatal(err)
	}
	for z := 10; z < ParcelDetailZoom; z++ {
		x, y := tileOf(120.21, 30.19, z)
		q := planning.TileQuery{Layers: []string{"parcels"}, Z: z, X: x, Y: y}
		agg, err := w.store.Tile(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		sql, args, _ := DetailedTileSQL(q)
		var detailed []byte
		if err := w.store.pool.QueryRow(ctx, sql, args...).Scan(&detailed); err != nil {
			t.Fatal(err)
		}
		features := len(mvtread.Find(decodeTile(t, agg), "parcels").Features)
		t.Logf("zoom %d: %d cells in %d bytes; detailed %d bytes", z, features, len(agg), len(detailed))
		if features > cellsPerTile*cellsPerTile || len(agg) > 500<<10 {
			t.Errorf("zoom %d: %d features, %d bytes", z, features, len(agg))
		}
		if len(agg) >= len(detailed) {
			t.Errorf("zoom %d: the aggregate tile (%d bytes) is not smaller than the detailed one (%d bytes)", z, len(agg), len(detailed))
		}
		if n := len(mvtread.Find(decodeTile(t, detailed), "parcels").Features); n < 1800 {
			t.Errorf("zoom %d: detailed tile has %d parcels", z, n)
		}
	}
}

// number reads a tile's numeric property, however it was encoded.
func number(v any) float64 {
	switch n := v.(type) {
	case uint64:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return -1
}

// followedBy runs a statement on parcels and fails unless the table that
// follows them (kept by triggers) still equals what differ makes afresh.
func followedBy(t *testing.T, s *Store, rows string, differ func(*testing.T, *Store) int64) func(what, sql string, args ...any) {
	return func(what, sql string, args ...any) {
		t.Helper()
		if _, err := s.pool.Exec(context.Background(), sql, args...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n := differ(t, s); n != 0 {
			t.Fatalf("after %s: %d %s differ from the parcels", what, n, rows)
		}
	}
}

// bulkParcelsSQL inserts 200 parcels in one statement, a third of them in
// reserve, in a 20 × 10 grid over several cells.
const bulkParcelsSQL = `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
	SELECT 'B-' || i, '330108', '100101', CASE WHEN i % 3 = 0 THEN 'reserve' ELSE 'supplied' END,
	       ST_Multi(ST_Translate(ST_MakeEnvelope(120.20, 30.18, 120.2003, 30.1803, 4490), (i % 20) * 0.0005, (i / 20) * 0.0005)), 0
	  FROM generate_series(0, 199) i`

package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
)

// tileDiff describes how two tiles' features differ ("" when they are the
// same: layers, ids, properties with their types, geometry commands). With
// nearly, a ring may start at another vertex and a vertex be one grid unit
// off (where PostGIS's float steps and ours round a half differently, or a
// clip cuts an edge); rings and their direction must be the same.
// goAndSQLTile renders q twice: by the store (the tile the server sends) and
// by TileSQL alone in PostGIS (the reference the tests compare it with).
func goAndSQLTile(ctx context.Context, t *testing.T, s *Store, q planning.TileQuery) (got, want []byte) {
	t.Helper()
	got, err := s.Tile(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	sql, args, err := TileSQL(q)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&want); err != nil {
		t.Fatal(err)
	}
	return got, want
}

func tileDiff(t *testing.T, got, want []byte, nearly bool) string {
	g, w := decodeTile(t, got), decodeTile(t, want)
	if len(g) != len(w) {
		return fmt.Sprintf("%d layers, want %d", len(g), len(w))
	}
	for i := range g {
		gl, wl := g[i], w[i]
		if gl.Name != wl.Name || gl.Extent != wl.Extent || gl.Version != wl.Version || len(gl.Features) != len(wl.Features) {
			return fmt.Sprintf("layer %s/%d/v%d with %d features, want %s/%d/v%d with %d", gl.Name, gl.Extent, gl.Version, len(gl.Features),
				wl.Name, wl.Extent, wl.Version, len(wl.Features))
		}
		for j := range gl.Features {
			gf, wf := gl.Features[j], wl.Features[j]
			if nearly && sameRings(gf.Geometry, wf.Geometry) {
				gf.Geometry, gf.Min, gf.Max, wf.Geometry, wf.Min, wf.Max = nil, [2]int64{}, [2]int64{}, nil, [2]int64{}, [2]int64{}
			}
			if !reflect.DeepEqual(gf, wf) {
				return fmt.Sprintf("layer %s feature %d:\n got %+v\nwant %+v", gl.Name, j, gf, wf)
			}
		}
	}
	return ""
}

// TestGoParcelTilesEqualPostGIS: the parcels layer encoded in Go holds the
// same features as PostGIS's ST_AsMVT gave (TileSQL), at every zoom from the
// aggregate cells to single parcels, for tiles that cut parcels at their
// edges, with several statuses in a cell, with the layer alone and with
// the others.
func TestGoParcelTilesEqualPostGIS(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	// Parcels of three statuses every 30 m over 1.2 km, straddling the edges of
	// the test tile's zoom-16 and zoom-17 children; a parcel with a hole; a
	// parcel of 0.3 m that collapses on the grid below zoom 19.
	if _, err := w.store.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		SELECT 'E-' || i || '-' || j, '330108', '100101', (ARRAY['reserve','supplied','completed'])[1 + (i * 7 + j) % 3],
		       ST_Transform(ST_Multi(ST_MakeEnvelope($1 + i * 30, $2 + j * 30, $1 + i * 30 + 20 + (i % 4), $2 + j * 30 + 20 + (j % 3), 4549)), 4490), 0
		  FROM generate_series(0, 39) i, generate_series(0, 39) j`, tileMiddle[0]-1800, tileMiddle[1]-600); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		SELECT 'H-1', '330108', '100101', 'approved', ST_Transform(ST_Multi(ST_Difference(ST_MakeEnvelope($1 - 400, $2 - 400, $1 - 200, $2 - 200, 4549),
		       ST_MakeEnvelope($1 - 350, $2 - 350, $1 - 250, $2 - 250, 4549))), 4490), 0
		UNION ALL SELECT 'M-1', '330108', '100101', 'filed', ST_Transform(ST_Multi(ST_MakeEnvelope($1 - 100, $2 - 100, $1 - 99.7, $2 - 99.7, 4549)), 4490), 0`, tileMiddle[0]-1800, tileMiddle[1]-600); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for z := 10; z <= 18; z++ {
		x0, y0 := tileOf(120.21, 30.19, z)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, ls := range [][]string{{"parcels"}, {"districts", "parks", "protected-zones", "parcels"}} {
					q := planning.TileQuery{Layers: ls, Z: z, X: x0 + dx, Y: y0 + dy}
					got, want := goAndSQLTile(ctx, t, w.store, q)
					if len(want) == 0 {
						if len(got) != 0 {
							t.Errorf("%v: %d bytes, PostGIS gave an empty tile", q, len(got))
						}
						continue
					}
					// The same tile twice is the same bytes: its ETag holds.
					if again, err := w.store.Tile(ctx, q); err != nil || !bytes.Equal(again, got) {
						t.Fatalf("%v rendered again: %d bytes, %v; first %d bytes", q, len(again), err, len(got))
					}
					if d := tileDiff(t, got, want, z >= ParcelDetailZoom); d != "" {
						t.Errorf("%d/%d/%d %v: %s", q.Z, q.X, q.Y, ls, d)
					} else if len(ls) == 1 {
						checked += len(mvtread.Find(decodeTile(t, got), "parcels").Features)
					}
				}
			}
		}
	}
	if checked < 2500 {
		t.Fatalf("only %d features compared", checked)
	}
	t.Logf("%d parcels-layer features the same", checked)
}

// rings decodes a polygon's command stream into its rings.
func rings(g []uint32) [][][2]int64 {
	var out [][][2]int64
	var x, y int64
	for i := 0; i < len(g); {
		cmd, n := g[i]&7, int(g[i]>>3)
		i++
		if cmd == 7 {
			continue
		}
		if cmd == 1 {
			out = append(out, nil)
		}
		for ; n > 0; n-- {
			x += int64(int32(g[i]>>1) ^ -int32(g[i]&1))
			y += int64(int32(g[i+1]>>1) ^ -int32(g[i+1]&1))
			i += 2
			out[len(out)-1] = append(out[len(out)-1], [2]int64{x, y})
		}
	}
	return out
}

// sameRings: the same rings in the same order and direction, each perhaps
// starting at another vertex, every vertex within one unit.
func sameRings(a, b []uint32) bool {
	ra, rb := rings(a), rings(b)
	if len(ra) != len(rb) {
		return false
	}
	near := func(p, q [2]int64) bool { return max(p[0]-q[0], q[0]-p[0], p[1]-q[1], q[1]-p[1]) <= 1 }
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		found := false
		for shift := range rb[i] {
			ok := true
			for k := range ra[i] {
				if !near(ra[i][k], rb[i][(k+shift)%len(rb[i])]) {
					ok = false
					break
				}
			}
			found = found || ok
		}
		if !found {
			return false
		}
	}
	return true
}

// TestDenseTileIsGeneralised: 3,600 parcels of 5 m every 7 m (25 m², 0.6
// pixel at zoom 14) fill the test tile's east neighbour. Its zoom-14 tile
// is cells (16 x 16 of the finest level), each counting exactly the parcels
// whose point on surface it holds, far smaller than the detailed tile, and
// the same as PostGIS renders it; the test tile of 40-64 m parcels keeps
// its parcels, and so does the dense tile's zoom-15 child. An edit shows in
// the next render.
func TestDenseTileIsGeneralised(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	z, x, y := tileZ, tileX+1, tileY
	if _, err := w.store.pool.Exec(ctx, `INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2)
		SELECT 'D-' || i || '-' || j, '330108', '100101', (ARRAY['reserve','supplied','completed'])[1 + (i / 7 + j / 5) % 3],
		       ST_Transform(ST_Multi(ST_MakeEnvelope(m.x + i * 7, m.y + j * 7, m.x + i * 7 + 5, m.y + j * 7 + 5, 4549)), 4490), 25
		  FROM (SELECT ST_X(c) - 210 AS x, ST_Y(c) - 210 AS y FROM ST_Transform(ST_Centroid(ST_Transform(ST_TileEnvelope($1, $2, $3), 4490)), 4549) c) m,
		       generate_series(0, 59) i, generate_series(0, 59) j`, z, x, y); err != nil {
		t.Fatal(err)
	}
	render := func(z, x, y int) ([]mvtread.Feature, []byte) {
		t.Helper()
		q := planning.TileQuery{Layers: []string{"parcels"}, Z: z, X: x, Y: y}
		b, want := goAndSQLTile(ctx, t, w.store, q)
		if d := tileDiff(t, b, want, true); d != "" {
			t.Errorf("%d/%d/%d differs from PostGIS's: %s", z, x, y, d)
		}
		return mvtread.Find(decodeTile(t, b), "parcels").Features, b
	}
	kinds := func(fs []mvtread.Feature) map[any]int {
		k := map[any]int{}
		for _, f := range fs {
			k[f.Properties["kind"]]++
		}
		return k
	}
	// The cells' figures against the parcels under each (level 18, x, y).
	check := func() {
		t.Helper()
		fs, b := render(z, x, y)
		if k := kinds(fs); len(k) != 1 || k["aggregate"] == 0 || len(fs) > 16*16 || len(b) > 500<<10 {
			t.Fatalf("dense tile: %d bytes, features by kind %v; want at most 256 aggregate cells", len(b), k)
		}
		total := 0.0
		for _, f := range fs {
			if f.Max[0]-f.Min[0] != TileExtent/16 || f.Max[1]-f.Min[1] != TileExtent/16 {
				t.Fatalf("cell %v-%v is not a square of 16 px", f.Min, f.Max)
			}
			p := f.Properties
			var want string
			if err := w.store.pool.QueryRow(ctx, `SELECT count(*) || '/' || round(sum(area_m2)) || '/' || string_agg(s, ',' ORDER BY s)
				FROM (SELECT area_m2, status || '=' || count(*) OVER (PARTITION BY status) AS s, row_number() OVER (PARTITION BY status) AS r
				      FROM parcels p WHERE ST_Intersects(ST_Transform(ST_PointOnSurface(p.geom), 3857), ST_TileEnvelope(18, $1, $2))) q`,
				int64(f.ID>>24), int64(f.ID&(1<<24-1))).Scan(&want); err != nil {
				t.Fatal(err)
			}
			var counts []string
			for k, v := range p {
				if len(k) > 2 && k[:2] == "n_" {
					counts = append(counts, fmt.Sprintf("%s=%v", k[2:], number(v)))
				}
			}
			slices.Sort(counts)
			// want lists each status once per parcel; keep one of each.
			wantParts := strings.SplitN(want, "/", 3)
			if got := fmt.Sprintf("%v/%v", number(p["parcels"]), number(p["area_m2"])); got != wantParts[0]+"/"+wantParts[1] ||
				strings.Join(counts, ",") != strings.Join(slices.Compact(strings.Split(wantParts[2], ",")), ",") {
				t.Fatalf("cell %d: parcels/area %s, counts %v; the parcels under it: %s", f.ID, got, counts, want)
			}
			total += number(p["parcels"])
		}
		if total != 3600 {
			t.Fatalf("the cells count %v parcels, want 3600", total)
		}
		sql, args, _ := DetailedTileSQL(planning.TileQuery{Layers: []string{"parcels"}, Z: z, X: x, Y: y})
		var detailed []byte
		if err := w.store.pool.QueryRow(ctx, sql, args...).Scan(&detailed); err != nil {
			t.Fatal(err)
		}
		if len(b)*4 > len(detailed) {
			t.Errorf("the dense tile is %d bytes as cells, %d as parcels", len(b), len(detailed))
		}
	}
	check()
	if fs, _ := render(tileZ, tileX, tileY); len(fs) != 25 || kinds(fs)["parcel"] != 25 {
		t.Errorf("the test tile of large parcels: %v, want 25 parcels", kinds(fs))
	}
	// One parcel underground: only its feature says so (false is left out).
	var under uint64
	if err := w.store.pool.QueryRow(ctx, "UPDATE parcels SET elevation_bottom = -12, elevation_top = -2 WHERE code = 'D-30-30' RETURNING id").Scan(&under); err != nil {
		t.Fatal(err)
	}
	fs, _ := render(z+1, 2*x, 2*y+1)
	if len(fs) == 0 || kinds(fs)["parcel"] != len(fs) {
		t.Errorf("the dense tile's zoom-15 child: %v, want parcels", kinds(fs))
	}
	flagged := 0
	for _, f := range fs {
		if u, ok := f.Properties["underground"]; ok {
			if u != true || f.ID != under {
				t.Errorf("parcel %d: underground %v (the underground parcel is %d)", f.ID, u, under)
			}
			flagged++
		}
	}
	if flagged != 1 {
		t.Errorf("%d parcels flagged underground, want 1", flagged)
	}
	// An edit: a third of the parcels change status.
	if _, err := w.store.pool.Exec(ctx, "UPDATE parcels SET status = 'approved' WHERE code LIKE 'D-%' AND right(code, 1) IN ('1', '4', '7')"); err != nil {
		t.Fatal(err)
	}
	check()
}

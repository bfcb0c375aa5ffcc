package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

// BenchmarkTileZoom: parcels tiles at every zoom the map shows (10-22) over
// the benchmark seed's dense areas, 8 clients. "server-uncached" asks the
// server for tiles never asked before (a new limit makes each request a
// cache miss and costs the same work); "postgres-uncached" runs the same
// tiles as PostGIS alone renders them (pgstore.TileSQL: ST_AsMVT over
// ST_AsMVTGeom, what the server ran before it encoded the parcels layer in
// Go) on a pool; up to zoom 14, "detailed" runs the single-parcel statement
// (pgstore.DetailedTileSQL, what those zooms served before aggregate cells).
// Each reports p95-ms and KB per tile (the largest, max-KB, too).
func BenchmarkTileZoom(b *testing.B) {
	e := startBench(b)
	for _, z := range []int{10, 11, 12, 13, 14, 15, 16, 18, 20, 22} {
		var tiles [][3]int
		for _, t := range e.tiles {
			// e.tiles are zoom-14 tiles: their ancestors, or a child near their middle.
			c := [3]int{z, t[1] >> max(0, 14-z), t[2] >> max(0, 14-z)}
			if z > 14 {
				d := z - 14
				c = [3]int{z, t[1]<<d + 1<<d/2, t[2]<<d + 1<<d/2}
			}
			if !slices.Contains(tiles, c) {
				tiles = append(tiles, c)
			}
		}
		sqlTile := func(sql func(planning.TileQuery) (string, []any, error)) func(i int) (int, error) {
			return func(i int) (int, error) {
				t := tiles[i%len(tiles)]
				s, args, err := sql(planning.TileQuery{Layers: []string{"parcels"}, Z: t[0], X: t[1], Y: t[2]})
				if err != nil {
					return 0, err
				}
				var tile []byte
				err = e.pool.QueryRow(context.Background(), s, args...).Scan(&tile)
				return len(tile), err
			}
		}
		var round int
		b.Run(fmt.Sprintf("z%d/server-uncached", z), func(b *testing.B) {
			round++
			measureTiles(b, func(i int) (int, error) {
				t := tiles[i%len(tiles)]
				limit := 20001 + (round*1_000_000+i)%79_999
				return fetch(fmt.Sprintf("%s/tiles/parcels/%d/%d/%d.mvt?limit=%d", e.base, t[0], t[1], t[2], limit))
			})
		})
		b.Run(fmt.Sprintf("z%d/postgres-uncached", z), func(b *testing.B) {
			measureTiles(b, sqlTile(pgstore.TileSQL))
		})
		if z <= pgstore.ParcelDetailZoom { // 14: cells where the parcels are specks (dense seeds)
			b.Run(fmt.Sprintf("z%d/detailed", z), func(b *testing.B) {
				measureTiles(b, sqlTile(pgstore.DetailedTileSQL))
			})
		}
	}
}

// measureTiles runs op as runClients does (ops/s) and reports besides the
// p95 latency and the mean and largest tile size.
func measureTiles(b *testing.B, op func(i int) (int, error)) {
	var mu sync.Mutex
	var bytes, largest int
	elapsed, took := timedClients(b, func(i int) error {
		n, err := op(i)
		mu.Lock()
		bytes += n
		largest = max(largest, n)
		mu.Unlock()
		return err
	})
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(took[(len(took)*95)/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(bytes)/float64(b.N)/1024, "KB")
	b.ReportMetric(float64(largest)/1024, "max-KB")
}

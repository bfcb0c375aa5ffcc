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

// BenchmarkTileLowZoom: parcels tiles at zooms 10-13 over the benchmark
// seed's dense areas, 8 clients. "server-uncached" asks the server for tiles
// never asked before (a new limit makes each request a cache miss; the
// aggregate cells cost the same whatever the limit); "detailed" runs the
// server's own single-parcel statement (pgstore.DetailedTileSQL, what zooms
// below 14 served before aggregate cells) for the same tiles on the pool.
// Each reports p95-ms and KB per tile (the largest, max-KB, too).
func BenchmarkTileLowZoom(b *testing.B) {
	e := startBench(b)
	for z := 10; z < pgstore.ParcelDetailZoom; z++ {
		var tiles [][3]int
		for _, t := range e.tiles {
			// e.tiles are zoom-14 tiles: their ancestors at z.
			c := [3]int{z, t[1] >> (14 - z), t[2] >> (14 - z)}
			if !slices.Contains(tiles, c) {
				tiles = append(tiles, c)
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
		b.Run(fmt.Sprintf("z%d/detailed", z), func(b *testing.B) {
			measureTiles(b, func(i int) (int, error) {
				t := tiles[i%len(tiles)]
				sql, args, err := pgstore.DetailedTileSQL(planning.TileQuery{Layers: []string{"parcels"}, Z: t[0], X: t[1], Y: t[2]})
				if err != nil {
					return 0, err
				}
				var tile []byte
				err = e.pool.QueryRow(context.Background(), sql, args...).Scan(&tile)
				return len(tile), err
			})
		})
	}
}

// measureTiles runs op from benchClients goroutines until b.N tiles are
// done and reports tiles/s, the p95 latency and the mean and largest size.
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
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tiles/s")
	b.ReportMetric(float64(took[(len(took)*95)/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(bytes)/float64(b.N)/1024, "KB")
	b.ReportMetric(float64(largest)/1024, "max-KB")
}

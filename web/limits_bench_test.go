package web_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
)

// BenchmarkAnonymousPages: 8 anonymous clients reading 200-parcel GeoJSON
// pages from a server with a pool of 4, with the anonymous heavy reads
// limited to 2 slots (the default: half the pool) and, as the reference,
// to 4 (the whole pool, as before the limit).
func BenchmarkAnonymousPages(b *testing.B) {
	store := openStoreAt(b, pgtest.URL(b), pgstore.Options{MaxConns: 4, Warm: true})
	parcelGrid(b, store, 1600)
	for _, slots := range []int{2, 4} {
		b.Run(fmt.Sprintf("heavy-slots-%d", slots), func(b *testing.B) {
			srv := serve(b, web.Config{Version: "bench", HeavySlots: slots}, store)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(1, 2))
				for pb.Next() {
					// A 1 km box somewhere on the 4 km grid.
					x, y := 120.17+r.Float64()*0.03, 30.155+r.Float64()*0.03
					res, err := client.Get(fmt.Sprintf("%s/api/layers/parcels?limit=200&bbox=%f,%f,%f,%f", srv.URL, x, y, x+0.01, y+0.01))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Fatalf("status %d", res.StatusCode)
					}
				}
			})
		})
	}
}

// Command tilesizes renders the parcels tiles of a viewport (6 x 4 tiles of
// 256 px, about a 1440 x 900 screen) around given centres at each zoom, in
// process and uncached (pgstore's Tile, no HTTP, one client), and prints
// per zoom the tiles, mean and largest bytes, mean and largest feature
// count, and p50/p95 render time; with --list, each tile. It finds the
// largest tiles where the map is densest (issue 17).
//
//	go run ./scripts/tilesizes --database-url URL --zooms 13,14,15,16,17 \
//	    --centre 120.1804,30.1827 --centre 120.0542,30.0573 --centre 120.2067,30.0966
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

func main() {
	url := flag.String("database-url", os.Getenv("DATABASE_URL"), "database")
	zooms := flag.String("zooms", "13,14,15,16,17", "zooms")
	list := flag.Bool("list", false, "print every tile")
	rounds := flag.Int("rounds", 1, "renders of each tile (the time reported is each render's)")
	var centres [][2]float64
	flag.Func("centre", "LON,LAT (repeat)", func(v string) error {
		a, b, ok := strings.Cut(v, ",")
		x, e1 := strconv.ParseFloat(a, 64)
		y, e2 := strconv.ParseFloat(b, 64)
		if !ok || e1 != nil || e2 != nil {
			return fmt.Errorf("want LON,LAT")
		}
		centres = append(centres, [2]float64{x, y})
		return nil
	})
	flag.Parse()
	ctx := context.Background()
	store, err := pgstore.Open(ctx, *url, pgstore.Options{MaxConns: 2, Warm: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer store.Close()
	fmt.Printf("%4s %5s %9s %9s %8s %8s %7s %7s\n", "z", "tiles", "mean-KB", "max-KB", "mean-f", "max-f", "p50-ms", "p95-ms")
	for _, zs := range strings.Split(*zooms, ",") {
		z, _ := strconv.Atoi(zs)
		var sizes, feats []int
		var took []time.Duration
		for _, c := range centres {
			cx, cy := tileOf(c[0], c[1], z)
			for x := cx - 3; x < cx+3; x++ {
				for y := cy - 2; y < cy+2; y++ {
					for r := 0; r < *rounds; r++ {
						t0 := time.Now()
						b, err := store.Tile(ctx, planning.TileQuery{Layers: []string{"parcels"}, Z: z, X: x, Y: y})
						d := time.Since(t0)
						if err != nil {
							fmt.Fprintln(os.Stderr, err)
							os.Exit(1)
						}
						took = append(took, d)
						if r == 0 {
							n := features(b)
							sizes, feats = append(sizes, len(b)), append(feats, n)
							if *list {
								fmt.Printf("  %d/%d/%d %d B %d features %.1f ms\n", z, x, y, len(b), n, float64(d.Microseconds())/1000)
							}
						}
					}
				}
			}
		}
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		fmt.Printf("%4d %5d %9.1f %9.1f %8.0f %8d %7.1f %7.1f\n", z, len(sizes), mean(sizes)/1024, float64(maxOf(sizes))/1024,
			mean(feats), maxOf(feats), ms(took[len(took)/2]), ms(took[len(took)*95/100]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mean(v []int) float64 {
	s := 0
	for _, x := range v {
		s += x
	}
	return float64(s) / float64(len(v))
}

func maxOf(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := (lon + 180) / 360 * n
	r := lat * math.Pi / 180
	y := (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n
	return int(x), int(y)
}

// features counts the features of every layer of an encoded tile.
func features(b []byte) int {
	n := 0
	for _, layer := range fields(b, 3) {
		n += len(fields(layer, 2))
	}
	return n
}

// fields are the length-delimited fields numbered num of protobuf message b.
func fields(b []byte, num uint64) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		key, k := binary.Uvarint(b)
		b = b[k:]
		switch key & 7 {
		case 0:
			_, k = binary.Uvarint(b)
			b = b[k:]
		case 1:
			b = b[8:]
		case 5:
			b = b[4:]
		case 2:
			l, k := binary.Uvarint(b)
			if key>>3 == num {
				out = append(out, b[k:k+int(l)])
			}
			b = b[k+int(l):]
		default:
			return out
		}
	}
	return out
}

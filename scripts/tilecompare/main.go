// Command tilecompare requests the same vector tiles (a file of "z x y"
// lines) from two tile servers in one run (scripts/tile-compare.sh): every zoom's tiles from each server
// in turn, several passes alternating which server goes first, with N
// clients sharing each pass's tiles (no client asks for a tile another asks
// for in the same pass, so no server can answer one render twice). It
// prints, per zoom and server, the tiles, p50 and p95 latency and mean
// body size (uncompressed: no gzip is asked for), and the ratio of the
// servers' p50, p95 and total times.
//
//	tilecompare --tiles tiles.txt \
//	    --server landquota=http://127.0.0.1:18400/tiles/parcels/{z}/{x}/{y}.mvt \
//	    --server pg_tileserv=http://127.0.0.1:18401/public.parcels/{z}/{x}/{y}.pbf
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type server struct{ name, tmpl string }

type tileXYZ struct{ z, x, y int }

type result struct {
	d     time.Duration
	bytes int
	err   error
}

func main() {
	var servers []server
	flag.Func("server", "NAME=URL template with {z}, {x}, {y} (twice or more)", func(v string) error {
		name, tmpl, ok := strings.Cut(v, "=")
		if !ok || !strings.Contains(tmpl, "{z}") || !strings.Contains(tmpl, "{x}") || !strings.Contains(tmpl, "{y}") {
			return fmt.Errorf("want NAME=URL with {z}, {x} and {y}")
		}
		servers = append(servers, server{name, tmpl})
		return nil
	})
	tilesFile := flag.String("tiles", "", `file of "z x y" lines: the tiles to request`)
	clients := flag.Int("clients", 8, "concurrent clients")
	passes := flag.Int("passes", 2, "passes over the tiles per server, alternating which server goes first")
	flag.Parse()
	byZoom, err := readTiles(*tilesFile)
	if err != nil || len(servers) < 2 || *clients < 1 || *passes < 1 {
		fmt.Fprintln(os.Stderr, "tilecompare: need --tiles FILE and two --server NAME=URL;", err)
		os.Exit(2)
	}
	z0, z1 := 99, -1
	for z := range byZoom {
		z0, z1 = min(z0, z), max(z1, z)
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}
	res, total := compare(client, servers, byZoom, z0, z1, *clients, *passes)
	fmt.Printf("%d clients, %d passes per server, tiles per zoom as listed; p50/p95 in ms, size: mean body in KB\n\n", *clients, *passes)
	fmt.Printf("%-5s %6s", "zoom", "tiles")
	for _, s := range servers {
		fmt.Printf(" | %-28s", s.name+" p50 / p95 / KB")
	}
	fmt.Printf(" | %s\n", servers[1].name+" ÷ "+servers[0].name+" (p50, p95)")
	failed := 0
	for z := z0; z <= z1; z++ {
		if len(byZoom[z]) == 0 {
			continue
		}
		fmt.Printf("%-5d %6d", z, len(byZoom[z]))
		failed += printZoom(servers, res, z)
	}
	fmt.Println()
	for _, s := range servers {
		fmt.Printf("%s: %.1f s for all its tiles\n", s.name, total[s.name].Seconds())
	}
	fmt.Printf("total time %s ÷ %s: %.2f×\n", servers[1].name, servers[0].name, total[servers[1].name].Seconds()/total[servers[0].name].Seconds())
	if failed > 0 {
		fmt.Printf("%d requests failed\n", failed)
		os.Exit(1)
	}
}

// compare fetches every zoom's tiles from each server, passes times: zoom
// by zoom, the servers in turn (which goes first alternating by pass), so
// that all meet the same load on a shared machine. It gives the results by
// server and zoom, and each server's total time.
func compare(client *http.Client, servers []server, byZoom map[int][]tileXYZ, z0, z1, clients, passes int) (map[string]map[int][]result, map[string]time.Duration) {
	res := map[string]map[int][]result{} // server → zoom → results
	total := map[string]time.Duration{}
	for _, s := range servers {
		res[s.name] = map[int][]result{}
	}
	for z := z0; z <= z1; z++ {
		if len(byZoom[z]) == 0 {
			continue
		}
		for p := 0; p < passes; p++ {
			for i := range servers {
				s := servers[(i+p)%len(servers)]
				t0 := time.Now()
				rs := run(client, s.tmpl, byZoom[z], clients)
				total[s.name] += time.Since(t0)
				res[s.name][z] = append(res[s.name][z], rs...)
			}
		}
	}
	return res, total
}

// printZoom prints zoom z's row after its zoom and tile count: each
// server's p50, p95 and mean size, then the second server's latencies over
// the first's. Failed requests go to standard error; it returns their
// number.
func printZoom(servers []server, res map[string]map[int][]result, z int) int {
	failed := 0
	var p50s, p95s []float64
	for _, s := range servers {
		var ds []float64
		bytes := 0
		for _, r := range res[s.name][z] {
			if r.err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "%s z%d: %v\n", s.name, z, r.err)
				continue
			}
			ds = append(ds, float64(r.d.Microseconds())/1000)
			bytes += r.bytes
		}
		sort.Float64s(ds)
		p50, p95 := quantile(ds, 0.5), quantile(ds, 0.95)
		p50s, p95s = append(p50s, p50), append(p95s, p95)
		fmt.Printf(" | %8.1f / %8.1f / %6.1f", p50, p95, float64(bytes)/float64(max(1, len(ds)))/1024)
	}
	fmt.Printf(" | %5.2f×, %5.2f×\n", p50s[1]/p50s[0], p95s[1]/p95s[0])
	return failed
}

// run fetches tiles with n clients, each taking the next tile not yet taken.
func run(c *http.Client, tmpl string, tiles []tileXYZ, n int) []result {
	out := make([]result, len(tiles))
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(tiles) {
					return
				}
				t := tiles[i]
				u := strings.NewReplacer("{z}", strconv.Itoa(t.z), "{x}", strconv.Itoa(t.x), "{y}", strconv.Itoa(t.y)).Replace(tmpl)
				t0 := time.Now()
				r := result{}
				res, err := c.Get(u)
				if err == nil {
					var body []byte
					body, err = io.ReadAll(res.Body)
					res.Body.Close()
					r.bytes = len(body)
					if err == nil && res.StatusCode != 200 && res.StatusCode != 204 {
						err = fmt.Errorf("%s: %s %.200s", u, res.Status, body)
					}
				}
				r.d, r.err = time.Since(t0), err
				out[i] = r
			}
		})
	}
	wg.Wait()
	return out
}

// readTiles reads "z x y" lines, by zoom.
func readTiles(name string) (map[int][]tileXYZ, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	out := map[int][]tileXYZ{}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var t tileXYZ
		if _, err := fmt.Sscanf(line, "%d %d %d", &t.z, &t.x, &t.y); err != nil || t.z < 0 || t.z > 22 || t.x < 0 || t.y < 0 || t.x >= 1<<t.z || t.y >= 1<<t.z {
			return nil, fmt.Errorf("%s:%d: not a tile %q", name, i+1, line)
		}
		out[t.z] = append(out[t.z], t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no tiles", name)
	}
	return out, nil
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(math.Min(float64(len(sorted)-1), q*float64(len(sorted))))]
}

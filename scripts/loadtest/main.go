// Command loadtest drives a running landquota server with a mix of map
// tiles, GeoJSON pages, planner searches and quota grants from 8 to 64
// concurrent clients, on loopback only, for a bounded time, and reports
// per endpoint the count, errors, 5xx and p50/p99 latency, per client step
// the p99 and the server's RSS. It exits non-zero on any 5xx, transport
// error or 4xx other than 409 (a grant or release the balance refuses,
// which a random mix of grants and releases is bound to meet). With
// --read-back, each booked grant is read back at once by the same caller
// (its ledger entry by id), and a missing entry fails the run: with a read
// replica, nobody may miss their own write.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hangzhou-hitech/landquota/scripts/procstat"
)

type sample struct {
	step     int // client count
	endpoint string
	status   int
	d        time.Duration
	err      error
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server (loopback only)")
	token := flag.String("token", "", "API token of an allocator (for grants)")
	pid := flag.Int("pid", 0, "server process id, to sample its RSS")
	duration := flag.Duration("duration", time.Minute, "total run time")
	clients := flag.String("clients", "8,16,32,64", "client counts, run in turn")
	readBack := flag.Bool("read-back", false, "read each booked grant back at once (read-your-writes)")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		fmt.Fprintln(os.Stderr, "loadtest: --url must be a loopback address")
		os.Exit(2)
	}
	steps, err := parseClients(*clients)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	l := &load{base: *base, token: *token, readBack: *readBack,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}}
	var meta struct{ Bounds [4]float64 }
	if err := getJSON(l.client, *base+"/api/meta", &meta); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	var projects struct{ Projects []struct{ ID int64 } }
	getJSON(l.client, *base+"/api/projects", &projects)
	for _, p := range projects.Projects {
		l.projects = append(l.projects, p.ID)
	}
	l.ops = l.mix(meta.Bounds)

	rng := rand.New(rand.NewPCG(1, 2))
	stopRSS := watchRSS(*pid)
	per := *duration / time.Duration(len(steps))
	for _, n := range steps {
		l.step(n, per, rng)
		var now int64
		if *pid > 0 {
			now = procstat.KiB(*pid, "VmRSS")
		}
		ds := l.latencies(n)
		fmt.Printf("%2d clients for %s: %5d requests (%.0f/s), p99 %.1f ms, server RSS %d MiB\n",
			n, per, len(ds), float64(len(ds))/per.Seconds(), quantile(ds, 0.99), now>>10)
	}
	fails := report(l.samples, stopRSS())
	if fails > 0 {
		os.Exit(1)
	}
}

// parseClients reads --clients: client counts 1..256, comma-separated.
func parseClients(s string) ([]int, error) {
	var steps []int
	for _, c := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("bad --clients")
		}
		steps = append(steps, n)
	}
	return steps, nil
}

// watchRSS samples the resident set of process pid (none when 0) every
// second until the returned stop, which gives the samples.
func watchRSS(pid int) (stop func() []int64) {
	var rss []int64
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-quit:
				return
			case <-time.After(time.Second):
				if pid > 0 {
					rss = append(rss, procstat.KiB(pid, "VmRSS"))
				}
			}
		}
	}()
	return func() []int64 {
		close(quit)
		<-done
		return rss
	}
}

// load is one run: the server, the weighted mix of requests and what they
// took.
type load struct {
	base, token string
	readBack    bool
	client      *http.Client
	projects    []int64 // ids of the projects grants go to
	ops         []op
	mu          sync.Mutex
	samples     []sample
}

// op is one kind of request of the mix, drawn weight times in the sum of
// the weights; do gives nil, nil when it cannot be made (grants without a
// token or projects).
type op struct {
	name   string
	weight int
	do     func(r *rand.Rand) (*http.Request, error)
}

// mix is the request mix within bounds (lon/lat min, max): half tiles,
// then GeoJSON pages, searches and grants.
func (l *load) mix(b [4]float64) []op {
	point := func(r *rand.Rand) (float64, float64) {
		// Around the parks and Binjiang, where the parcels are dense.
		centres := [][2]float64{{120.21, 30.19}, {120.05, 30.05}, {120.21, 30.12}, {120.19, 30.05}}
		c := centres[r.IntN(len(centres))]
		x, y := c[0]+(r.Float64()-0.5)*0.06, c[1]+(r.Float64()-0.5)*0.04
		return math.Max(b[0], math.Min(b[2], x)), math.Max(b[1], math.Min(b[3], y))
	}
	return []op{
		{"tile", 50, func(r *rand.Rand) (*http.Request, error) {
			x, y := point(r)
			z := 12 + r.IntN(4)
			tx, ty := tile(x, y, z)
			req, err := http.NewRequest("GET", fmt.Sprintf("%s/tiles/parcels/%d/%d/%d.mvt", l.base, z, tx, ty), nil)
			if err == nil {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			return req, err
		}},
		{"geojson-page", 25, func(r *rand.Rand) (*http.Request, error) {
			x, y := point(r)
			return http.NewRequest("GET", fmt.Sprintf("%s/api/layers/parcels?limit=1000&bbox=%f,%f,%f,%f", l.base, x-0.01, y-0.01, x+0.01, y+0.01), nil)
		}},
		{"search", 15, func(r *rand.Rand) (*http.Request, error) {
			x, y := point(r)
			body := fmt.Sprintf(`{"where":{"point":[%f,%f],"distance_m":1500},"what":{"land_use":["10"],"status":["available"]},"order":"distance","limit":50}`, x, y)
			req, err := http.NewRequest("POST", l.base+"/api/parcels/search", strings.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}},
		{"grant", 10, l.grant},
	}
}

// grant is a grant or a release of 1..500 m² for a random project.
func (l *load) grant(r *rand.Rand) (*http.Request, error) {
	if l.token == "" || len(l.projects) == 0 {
		return nil, nil
	}
	id := l.projects[r.IntN(len(l.projects))]
	action := "grant"
	if r.IntN(2) == 0 {
		action = "release"
	}
	body, _ := json.Marshal(map[string]any{"year": 2026, "project_id": id, "action": action, "amount_m2": 1 + r.IntN(500),
		"reason": "load test", "idempotency_key": fmt.Sprintf("load-%d-%d", time.Now().UnixNano(), r.Uint64())})
	req, err := http.NewRequest("POST", l.base+"/api/grants", bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+l.token)
	}
	return req, err
}

// step runs n clients for the duration per, each with its own generator
// seeded from rng.
func (l *load) step(n int, per time.Duration, rng *rand.Rand) {
	end := time.Now().Add(per)
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		r := rand.New(rand.NewPCG(rng.Uint64(), uint64(c)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				l.once(n, r)
			}
		}()
	}
	wg.Wait()
}

// pick draws an op by weight.
func (l *load) pick(r *rand.Rand) op {
	total := 0
	for _, o := range l.ops {
		total += o.weight
	}
	k := r.IntN(total)
	i := 0
	for k >= l.ops[i].weight {
		k -= l.ops[i].weight
		i++
	}
	return l.ops[i]
}

// once sends one request of the mix as a client of step n and records it
// (and, with --read-back, the read of a booked grant).
func (l *load) once(n int, r *rand.Rand) {
	o := l.pick(r)
	req, err := o.do(r)
	if req == nil && err == nil {
		return
	}
	t0 := time.Now()
	s := sample{step: n, endpoint: o.name}
	var body []byte
	var cookies []*http.Cookie
	if err == nil {
		var res *http.Response
		res, err = l.client.Do(req)
		if err == nil {
			if o.name == "grant" {
				body, err = io.ReadAll(res.Body)
				cookies = res.Cookies() // lq_wal: the write's position, for any server
			} else {
				io.Copy(io.Discard, res.Body)
			}
			res.Body.Close()
			s.status = res.StatusCode
		}
	}
	s.d, s.err = time.Since(t0), err
	l.record(s)
	if l.readBack && s.status == http.StatusCreated {
		rb := readBackGrant(l.client, l.base, l.token, body, cookies)
		rb.step = n
		l.record(rb)
	}
}

func (l *load) record(s sample) {
	l.mu.Lock()
	l.samples = append(l.samples, s)
	l.mu.Unlock()
}

// latencies are the sorted latencies in ms of step n's requests.
func (l *load) latencies(n int) []float64 {
	var ds []float64
	for _, s := range l.samples {
		if s.step == n {
			ds = append(ds, float64(s.d.Microseconds())/1000)
		}
	}
	sort.Float64s(ds)
	return ds
}

func report(samples []sample, rss []int64) int {
	by := map[string][]sample{}
	for _, s := range samples {
		by[s.endpoint] = append(by[s.endpoint], s)
	}
	names := make([]string, 0, len(by))
	for k := range by {
		names = append(names, k)
	}
	sort.Strings(names)
	fives := 0
	fmt.Printf("\n%-14s %8s %7s %6s %6s %6s %9s %9s\n", "endpoint", "requests", "errors", "409", "4xx", "5xx", "p50 ms", "p99 ms")
	for _, n := range names {
		ss := by[n]
		ds := make([]float64, 0, len(ss))
		var errs, c409, c4, c5 int
		for _, s := range ss {
			switch {
			case s.err != nil:
				errs++
			case s.status >= 500:
				c5++
			case s.status == http.StatusConflict:
				c409++
			case s.status >= 400:
				c4++
			}
			ds = append(ds, float64(s.d.Microseconds())/1000)
		}
		sort.Float64s(ds)
		fmt.Printf("%-14s %8d %7d %6d %6d %6d %9.1f %9.1f\n", n, len(ss), errs, c409, c4, c5, quantile(ds, 0.5), quantile(ds, 0.99))
		fives += c5 + c4 + errs
	}
	if len(rss) > 1 {
		lo, hi := rss[0], rss[0]
		for _, v := range rss {
			lo, hi = min(lo, v), max(hi, v)
		}
		fmt.Printf("\nserver RSS: start %d MiB, end %d MiB, min %d MiB, max %d MiB\n", rss[0]>>10, rss[len(rss)-1]>>10, lo>>10, hi>>10)
	}
	fmt.Printf("\n%d passed, %d failed\n", len(samples)-fives, fives)
	return fives
}

// readBackGrant reads the ledger entry a grant just booked, as the same
// caller, with the cookies the grant's answer set (as a browser would);
// an answer without it counts as an error.
func readBackGrant(c *http.Client, base, token string, booked []byte, cookies []*http.Cookie) sample {
	s := sample{endpoint: "read-back"}
	var e struct{ ID int64 }
	if err := json.Unmarshal(booked, &e); err != nil || e.ID == 0 {
		s.err = fmt.Errorf("the grant's answer has no entry id: %s", booked)
		return s
	}
	t0 := time.Now()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/plans/2026/ledger?after=%d&limit=1", base, e.ID-1), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	res, err := c.Do(req)
	s.d = time.Since(t0)
	if err != nil {
		s.err = err
		return s
	}
	defer res.Body.Close()
	s.status = res.StatusCode
	var got struct{ Entries []struct{ ID int64 } }
	if err := json.NewDecoder(res.Body).Decode(&got); res.StatusCode == http.StatusOK && (err != nil || len(got.Entries) == 0 || got.Entries[0].ID != e.ID) {
		s.err = fmt.Errorf("entry %d booked but not read back", e.ID)
		fmt.Fprintln(os.Stderr, "loadtest: read-your-writes broken:", s.err)
	}
	return s
}

// quantile reads the q-quantile of sorted values (0 for none).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(math.Min(float64(len(sorted)-1), q*float64(len(sorted))))]
}

func getJSON(c *http.Client, u string, v any) error {
	res, err := c.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func tile(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	r := lat * math.Pi / 180
	return int((lon + 180) / 360 * n), int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
}

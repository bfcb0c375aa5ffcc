package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/paulmach/orb"
)

// smallBuffers makes accepted connections keep little in the kernel, so a
// slow reader blocks the server's writes after a few kilobytes (as a slow
// client across a real network does after its window).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// slowRead sends a GET and reads its answer at one byte a second for
// slowFor, or until the server closes the connection.
func slowRead(t *testing.T, addr, path string, slowFor time.Duration, local chan<- string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close()
	local <- c.LocalAddr().String()
	c.(*net.TCPConn).SetReadBuffer(2048)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	buf := make([]byte, 1)
	for start := time.Now(); time.Since(start) < slowFor; time.Sleep(time.Second) {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// parcelGrid fills an empty database with one district and n 80 m parcels
// on a 100 m grid (1,600: about 0.5 MB of GeoJSON at 15 decimals).
func parcelGrid(t testing.TB, store *pgstore.Store, n int) {
	ctx := context.Background()
	if err := store.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", Outline: square(-5000, -5000, 10000)}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ring := geotest.Square(float64(i%40)*100-4000, float64(i/40)*100-4000, 80)
		if _, err := store.InsertParcel(ctx, planning.Parcel{Code: fmt.Sprintf("S%04d", i), District: "330108", LandUse: "100101",
			Status: planning.StatusApproved, Outline: orb.MultiPolygon{{ring}}, Elevation: planning.Surface()}); err != nil {
			t.Fatal(err)
		}
	}
}

// Finding 3: four anonymous clients reading the parcels layer at a byte a
// second (before: they held the whole pool; every route hung). Now they
// get only the anonymous heavy-read slots, each stalled write is cut
// after the write-idle bound, and everyone else answers within a second.
func TestSlowReadersDoNotHoldThePool(t *testing.T) {
	ctx := context.Background()
	store := openStoreAt(t, pgtest.URL(t), pgstore.Options{MaxConns: 4})
	parcelGrid(t, store, 1600)
	u, err := store.CreateUser(ctx, "planner1", "", planning.RoleViewer, authPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := store.CreateAPIToken(ctx, u.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	h := web.New(web.Config{Version: "test", HeavySlots: 2, WriteIdle: 2 * time.Second}, store, quietLog())
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = smallBuffers{srv.Listener}
	// The server side of each connection says when it is closed.
	var mu sync.Mutex
	closed := map[string]bool{}
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		closed[c.RemoteAddr().String()] = st == http.StateClosed || st == http.StateHijacked
	}
	srv.Start()
	t.Cleanup(srv.Close)

	var wg sync.WaitGroup
	readers := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slowRead(t, srv.Listener.Addr().String(), "/api/layers/parcels?limit=10000&precision=15", 8*time.Second, readers)
		}()
	}
	start := time.Now()
	time.Sleep(700 * time.Millisecond) // the slow readers are in
	client := &http.Client{Timeout: 5 * time.Second}
	probe := func(path, token string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		t0 := time.Now()
		res, err := client.Do(req)
		took := time.Since(t0)
		if err != nil {
			t.Errorf("GET %s during the slow reads: %v after %s", path, err, took)
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || took > time.Second {
			t.Errorf("GET %s during the slow reads: %d after %s (want 200 within 1 s)", path, res.StatusCode, took)
		}
	}
	for range 3 {
		probe("/readyz", "")
		probe("/api/meta", "")
		probe("/api/layers/districts", token)
		probe("/api/layers/parcels?limit=500", token)
		time.Sleep(300 * time.Millisecond)
	}
	// 6 s into the slow reads (two at a time, each cut 2 s after it
	// stalls), the server has closed them all and holds no connection.
	time.Sleep(time.Until(start.Add(6 * time.Second)))
	if st := store.PoolStats(); st.Acquired != 0 {
		t.Errorf("%d pool connections held by slow readers 6 s in", st.Acquired)
	}
	mu.Lock()
	open := 0
	for range 4 {
		if !closed[<-readers] {
			open++
		}
	}
	mu.Unlock()
	if open != 0 {
		t.Errorf("%d slow readers' connections still open 6 s in", open)
	}
	wg.Wait()
}

// Finding 4: /readyz answers from a connection of its own even when user
// queries hold every connection of the pool.
func TestReadyzWithAFullPool(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	store := openStoreAt(t, url, pgstore.Options{MaxConns: 2})
	ready := openStoreAt(t, url, pgstore.Options{MaxConns: 1})
	h := web.New(web.Config{Version: "test", Ready: ready.Ready}, store, quietLog())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for range 2 {
		c, err := store.Pool().Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
	}
	t0 := time.Now()
	res, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || time.Since(t0) > time.Second {
		t.Fatalf("/readyz with the pool full: %d after %s", res.StatusCode, time.Since(t0))
	}
}

// ring draws a closed ring of n vertices around a point in Binjiang, of
// the given radius in metres.
func ring(n int, radius float64) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r = append(r, geotest.At(radius*math.Cos(a), radius*math.Sin(a)))
	}
	return append(r, r[0])
}

// Finding 4: heavy drawn shapes on the interactive routes are refused at
// once with a 400 naming the limit (before: a 0.47 MB MultiPolygon ran for
// 30 s and stalled the service).
func TestHeavyDrawnShapesAreRefused(t *testing.T) {
	srv := newServer(t)
	multi := orb.MultiPolygon{}
	for i := range 18 { // 18 parts of 500 vertices: about 0.47 MB
		p := ring(500, 100)
		for j := range p {
			p[j][1] += float64(i) * 0.003
		}
		multi = append(multi, orb.Polygon{p})
	}
	geom := func(g orb.Geometry) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"type": g.GeoJSONType(), "coordinates": g})
		return b
	}
	big := geom(multi)
	cases := []struct {
		name, path string
		body       any
		limit      string
	}{
		{"0.47 MB eligibility", "/api/eligibility", map[string]any{"geometry": big}, "262144"},
		{"0.47 MB search", "/api/parcels/search", map[string]any{"where": map[string]any{"polygon": big}}, "262144"},
		{"6,000 vertices", "/api/eligibility", map[string]any{"geometry": geom(orb.Polygon{ring(6000, 500)})}, "5000"},
		{"a 60 km wide circle", "/api/parcels/search", map[string]any{"where": map[string]any{"polygon": geom(orb.Polygon{ring(64, 30_000)})}}, "2500"},
	}
	for _, c := range cases {
		b, _ := json.Marshal(c.body)
		t.Logf("%s: %d bytes", c.name, len(b))
		t0 := time.Now()
		res, err := http.Post(srv.URL+c.path+"?lang=zh", "application/json", strings.NewReader(string(b))) // the limit named in Chinese: 上限
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != 400 || fmt.Sprint(e.Error.Details["limit"]) != c.limit || !strings.Contains(e.Error.Message, "上限") ||
			time.Since(t0) > time.Second {
			t.Errorf("%s: %d %q %v after %s; want 400 naming the limit %s within 1 s", c.name, res.StatusCode, e.Error.Message, e.Error.Details, time.Since(t0), c.limit)
		}
	}
	// A shape of a real size still gets its answer.
	b, _ := json.Marshal(map[string]any{"geometry": geom(orb.Polygon{ring(200, 300)})})
	res, err := http.Post(srv.URL+"/api/eligibility", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("a 200-vertex circle: %d", res.StatusCode)
	}
}

package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hangzhou-hitech/landquota/planning"
)

// requestInfo is filled in while a request is served, for its log line:
// who it was (set by authenticate) is known only deeper in the chain.
type requestInfo struct{ user string }

type requestInfoKey struct{}

// noteUser records the acting user on the request's log line.
func noteUser(ctx context.Context, username string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.user = username
	}
}

// latencyBuckets are the upper bounds (seconds) of the request histogram.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics counts requests per route; its own lock, no globals.
type metrics struct {
	mu     sync.Mutex
	routes map[routeKey]*routeStats
}

type routeKey struct{ method, route string }

type routeStats struct {
	codes   map[int]int64
	buckets []int64 // cumulative at render time; stored per bucket here
	sum     float64
	count   int64
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.routes == nil {
		m.routes = map[routeKey]*routeStats{}
	}
	k := routeKey{method, route}
	rs := m.routes[k]
	if rs == nil {
		rs = &routeStats{codes: map[int]int64{}, buckets: make([]int64, len(latencyBuckets))}
		m.routes[k] = rs
	}
	rs.codes[status]++
	sec := d.Seconds()
	for i, b := range latencyBuckets {
		if sec <= b {
			rs.buckets[i]++
			break
		}
	}
	rs.sum += sec
	rs.count++
}

// observe is the outermost middleware: security headers, then one
// structured log line and the metrics per request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		t0 := time.Now()
		next.ServeHTTP(ww, r)
		d := time.Since(t0)
		route := "unmatched"
		if p := chi.RouteContext(r.Context()).RoutePattern(); p != "" { // built anew by each call
			route = p
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.observe(r.Method, route, status, d)
		// Typed attributes: the same line as Info's key-value pairs, without
		// boxing each value (this runs for every request, cached tiles too).
		s.log.LogAttrs(context.Background(), slog.LevelInfo, "http", slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path), slog.String("user", info.user),
			slog.Int("status", status), slog.Int("bytes", ww.BytesWritten()), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
	})
}

// securityHeaders go on every answer. The CSP allows only this origin's
// scripts; OpenLayers sets inline styles on its controls. The values are
// built once (fixedHeader): every answer, a cached tile's too, sends them.
func securityHeaders(h http.Header) {
	h["Content-Security-Policy"] = cspHeader
	h["X-Content-Type-Options"] = nosniffHeader
	h["X-Frame-Options"] = denyHeader
	h["Referrer-Policy"] = sameOriginHeader
	h["Cross-Origin-Opener-Policy"] = sameOriginHeader
}

var (
	cspHeader = fixedHeader("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; font-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	nosniffHeader    = fixedHeader("nosniff")
	denyHeader       = fixedHeader("DENY")
	sameOriginHeader = fixedHeader("same-origin")
)

// fixedHeader is a header value built once and then shared by many
// answers, assigned as h[key] = v under the canonical key (what Set
// would store). Nothing modifies a header value in place, and its
// capacity is its length, so an Add to the key copies it rather than
// writing into what other answers share.
func fixedHeader(v string) []string { return []string{v} }

// serveMetrics writes the Prometheus text format: request counts and
// latency by route, the database pool, the tile cache.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	s.metrics.mu.Lock()
	keys := make([]routeKey, 0, len(s.metrics.routes))
	for k := range s.metrics.routes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].route+keys[i].method < keys[j].route+keys[j].method })
	b.WriteString("# HELP landquota_http_requests_total HTTP requests by route, method and status.\n# TYPE landquota_http_requests_total counter\n")
	for _, k := range keys {
		rs := s.metrics.routes[k]
		codes := make([]int, 0, len(rs.codes))
		for c := range rs.codes {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			fmt.Fprintf(&b, "landquota_http_requests_total{route=%q,method=%q,code=\"%d\"} %d\n", k.route, k.method, c, rs.codes[c])
		}
	}
	b.WriteString("# HELP landquota_http_request_duration_seconds HTTP request latency by route and method.\n# TYPE landquota_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		rs := s.metrics.routes[k]
		var cum int64
		for i, le := range latencyBuckets {
			cum += rs.buckets[i]
			fmt.Fprintf(&b, "landquota_http_request_duration_seconds_bucket{route=%q,method=%q,le=%q} %d\n", k.route, k.method, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "landquota_http_request_duration_seconds_bucket{route=%q,method=%q,le=\"+Inf\"} %d\n", k.route, k.method, rs.count)
		fmt.Fprintf(&b, "landquota_http_request_duration_seconds_sum{route=%q,method=%q} %g\n", k.route, k.method, rs.sum)
		fmt.Fprintf(&b, "landquota_http_request_duration_seconds_count{route=%q,method=%q} %d\n", k.route, k.method, rs.count)
	}
	s.metrics.mu.Unlock()
	if ps, ok := s.store.(interface{ PoolStats() planning.PoolStats }); ok {
		p := ps.PoolStats()
		gauge(&b, "landquota_db_pool_connections", "Open database connections.", float64(p.Total))
		gauge(&b, "landquota_db_pool_idle", "Idle database connections.", float64(p.Idle))
		gauge(&b, "landquota_db_pool_acquired", "Database connections in use.", float64(p.Acquired))
		gauge(&b, "landquota_db_pool_max", "Most database connections the pool opens.", float64(p.Max))
		counter(&b, "landquota_db_pool_acquires_total", "Connections handed out.", float64(p.Acquires))
		counter(&b, "landquota_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", float64(p.EmptyAcquires))
		counter(&b, "landquota_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", p.AcquireWait.Seconds())
	}
	if rs, ok := s.store.(interface{ ReplicaStats() planning.ReplicaStats }); ok && rs.ReplicaStats().Configured {
		r := rs.ReplicaStats()
		up := 0.0
		if r.Usable {
			up = 1
		}
		gauge(&b, "landquota_db_replica_usable", "1 while read-only requests may use the read replica (up, within --replica-max-lag).", up)
		counter(&b, "landquota_db_replica_reads_total", "Read-only queries sent to the replica.", float64(r.ToReplica))
		counter(&b, "landquota_db_replica_primary_reads_total", "Read-only queries kept on the primary (replica down, lagging, or behind the caller's own write).", float64(r.ToPrimary))
		counter(&b, "landquota_db_replica_retried_total", "Replica queries that failed and were answered by the primary.", float64(r.Retried))
	}
	t := s.tiles.cache.Stats()
	counter(&b, "landquota_tile_cache_hits_total", "Tiles served from the cache.", float64(t.Hits))
	counter(&b, "landquota_tile_cache_misses_total", "Tiles rendered by PostGIS.", float64(t.Misses))
	counter(&b, "landquota_tile_cache_evictions_total", "Tiles dropped to stay within the memory bound.", float64(t.Evictions))
	counter(&b, "landquota_tile_cache_invalidated_total", "Tiles dropped because their data changed.", float64(t.Invalidated))
	gauge(&b, "landquota_tile_cache_bytes", "Bytes held by the tile cache.", float64(t.Bytes))
	gauge(&b, "landquota_tile_cache_entries", "Tiles held by the tile cache.", float64(t.Entries))
	gauge(&b, "landquota_uptime_seconds", "Seconds since the server started.", math.Round(time.Since(s.start).Seconds()))
	io.WriteString(w, b.String())
}

func gauge(b *strings.Builder, name, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
}

func counter(b *strings.Builder, name, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n%s %g\n", name, help, name, name, v)
}

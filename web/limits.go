package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Defaults of the request bounds in Config (issue 13).
const (
	defaultRequestTimeout     = 35 * time.Second // the 30 s statement timeout plus a margin
	defaultInteractiveTimeout = 10 * time.Second
	defaultWriteIdle          = 30 * time.Second
	defaultHeavySlots         = 2
	// heavyWait is how long an anonymous heavy read queues for a slot
	// (holding no database connection meanwhile): long enough that a busy
	// hour only queues, well within the request deadline.
	heavyWait = 15 * time.Second
	// longRequest bounds the routes that legitimately run for minutes
	// (exports build a file before the first byte; imports may wait for
	// their job); they are bounded by their own statement timeouts.
	longRequest = time.Hour
)

// limits holds the request bounds; set up once in New.
type limits struct {
	request     time.Duration
	interactive time.Duration
	writeIdle   time.Duration
	heavy       chan struct{}
	proxies     []netip.Prefix
}

func newLimits(cfg Config) limits {
	l := limits{request: cfg.RequestTimeout, interactive: cfg.InteractiveTimeout, writeIdle: cfg.WriteIdle, proxies: cfg.TrustedProxies}
	if l.request <= 0 {
		l.request = defaultRequestTimeout
	}
	if l.interactive <= 0 {
		l.interactive = defaultInteractiveTimeout
	}
	if l.writeIdle <= 0 {
		l.writeIdle = defaultWriteIdle
	}
	n := cfg.HeavySlots
	if n <= 0 {
		n = defaultHeavySlots
	}
	l.heavy = make(chan struct{}, n)
	return l
}

type clientAddrKey struct{}

// proxyHeaders believes X-Forwarded-For only from a configured proxy
// (Config.TrustedProxies): the client is then the last address in it that
// is not itself a trusted proxy; from anyone else the header is removed,
// so no handler can be fooled by it. Answers over TLS, direct or through
// a trusted proxy that says so in X-Forwarded-Proto, carry HSTS. (That
// header still marks cookies Secure and links https from anyone: a forged
// one only spoils the forger's own answer.)
func (s *Server) proxyHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trusted := s.limits.trusted(peerAddr(r))
		if trusted {
			if client := s.limits.forwardedClient(r.Header.Values("X-Forwarded-For")); client.IsValid() {
				r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, client.String()))
			}
		} else {
			r.Header.Del("X-Forwarded-For")
		}
		if r.TLS != nil || trusted && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// peerAddr is the TCP peer's address (invalid when RemoteAddr is not IP).
func peerAddr(r *http.Request) netip.Addr {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		h = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(h)
	return a.Unmap()
}

func (l *limits) trusted(a netip.Addr) bool {
	for _, p := range l.proxies {
		if a.IsValid() && p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient walks X-Forwarded-For from the right (the entries the
// trusted proxies added) to the first address no trusted proxy owns.
func (l *limits) forwardedClient(values []string) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}
		}
		if a = a.Unmap(); !l.trusted(a) || i == 0 {
			return a
		}
	}
	return netip.Addr{}
}

// errRequestTimeout ends a request that passed its deadline.
var errRequestTimeout = errors.New("the request took longer than the server allows")

// bound gives every request a deadline: until its answer starts, the
// request timeout (the statement timeout plus a margin); once it streams,
// each write must go out, and the next begin, within the write-idle bound,
// so neither a frozen database nor a slow reader holds a connection for
// long. A request past its deadline answers 503 with Retry-After (the
// store reports the cancelled query as unavailable).
func (s *Server) bound(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.limits.request
		if strings.HasPrefix(r.URL.Path, "/api/exports/") || (r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == "/api/imports") {
			limit = longRequest
		}
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		bw := &boundWriter{ResponseWriter: w, rc: http.NewResponseController(w), idle: s.limits.writeIdle,
			timer: time.AfterFunc(limit, func() { cancel(errRequestTimeout) })}
		defer bw.timer.Stop()
		next.ServeHTTP(bw, r.WithContext(ctx))
		bw.finish()
	})
}

// boundWriter bounds each write to the client by a write deadline and
// restarts the idle timer after it.
type boundWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	idle  time.Duration
	timer *time.Timer
	mu    sync.Mutex
	err   error // the first failed write
}

// Write fails at once after a write has failed: a client that stalled
// once does not get another idle period per remaining write.
func (b *boundWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	b.timer.Stop()
	_ = b.rc.SetWriteDeadline(time.Now().Add(b.idle))
	n, err := b.ResponseWriter.Write(p)
	b.err = err
	b.timer.Reset(b.idle)
	return n, err
}

func (b *boundWriter) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		_ = b.rc.SetWriteDeadline(time.Now().Add(b.idle))
		b.err = b.rc.Flush()
	}
}

// finish bounds the bytes the server still sends after the handler: by
// the idle bound, or not at all after a failed write.
func (b *boundWriter) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := time.Now().Add(b.idle)
	if b.err != nil {
		d = time.Now()
	}
	_ = b.rc.SetWriteDeadline(d)
}

// Unwrap lets http.ResponseController reach the connection.
func (b *boundWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// interactive shortens a request's deadline for the routes a planner waits
// on (drawn shapes): the store cancels the query when it passes.
func (s *Server) interactive(r *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := context.WithTimeoutCause(r.Context(), s.limits.interactive, errRequestTimeout)
	return r.WithContext(ctx), cancel
}

// interactiveSlot readies a heavy question a planner waits on (a search
// or eligibility check on a drawn shape): a heavy-read slot (heavySlot)
// and the shorter interactive deadline (interactive); done releases both.
func (s *Server) interactiveSlot(w http.ResponseWriter, r *http.Request) (_ *http.Request, done func(), err error) {
	release, err := s.heavySlot(w, r)
	if err != nil {
		return r, nil, err
	}
	r, cancel := s.interactive(r)
	return r, func() { cancel(); release() }, nil
}

// heavySlot admits an anonymous heavy read (a streamed layer, stock page,
// search, eligibility check or export) when one of the few slots for them
// is free, so such reads can never take the whole database pool: signed-in
// work and cheap reads keep the rest. It returns the release function, or
// a 503 (with Retry-After: 5 set on w) when no slot frees up in time.
func (s *Server) heavySlot(w http.ResponseWriter, r *http.Request) (func(), error) {
	if planning.PrincipalFrom(r.Context()) != nil {
		return func() {}, nil
	}
	t := time.NewTimer(heavyWait)
	defer t.Stop()
	select {
	case s.limits.heavy <- struct{}{}:
		return func() { <-s.limits.heavy }, nil
	case <-t.C:
	case <-r.Context().Done():
	}
	w.Header().Set("Retry-After", "5")
	return nil, planning.Errorf(planning.ErrUnavailable,
		"too many large anonymous reads at once; try again in a few seconds or sign in")
}

package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// WriteLSN gives the primary's WAL position after a write (pgstore.Store).
type WriteLSN interface {
	WriteLSN(ctx context.Context) (uint64, error)
}

// readRoute is the one place that says which requests may be answered
// from a read replica: whatever only reads (GET and HEAD, and the two
// POSTs that only search), and tiles as answers that the tile cache keeps.
// The store sends everything else, and every write, to the primary.
func readRoute(r *http.Request) (rt planning.ReadRoute, ok bool) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && (p == "/api/parcels/search" || p == "/api/eligibility"):
		return rt, true
	case !safeMethod(r.Method), p == "/readyz", p == "/healthz":
		return rt, false
	case strings.HasPrefix(p, "/tiles/"):
		rt.Cached = true
	}
	return rt, true
}

// routeReads marks the read-only requests (readRoute), each with the
// write position its caller's lq_wal cookie names; authenticate adds the
// caller's last write on this server. The answer to a change carries the
// primary's position after it in that cookie (walWriter), so that the
// caller's next reads wait for it on any server behind a load balancer.
func (s *Server) routeReads(next http.Handler) http.Handler {
	if s.cfg.Replica == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := readRoute(r); ok {
			rt.After = walCookie(r)
			r = r.WithContext(planning.WithReadRoute(r.Context(), rt))
		} else if !safeMethod(r.Method) {
			ww := &walWriter{ResponseWriter: w, s: s}
			r = r.WithContext(context.WithValue(r.Context(), walWriterKey{}, ww))
			ww.r, w = r, ww
		}
		next.ServeHTTP(w, r)
	})
}

// The lq_wal cookie: the primary's WAL position after the caller's last
// change, as PostgreSQL writes an LSN ("16/B374D848"). Every server that
// reads it keeps that caller's reads on the primary until its replica has
// replayed the position, so a change made through one server is seen in
// the next read through another. It lives a little longer than the
// replica may lag (after that the replica has the change or is not used).
//
// The client can send anything here, and it only ever moves that client's
// own reads: a value that is not an LSN written as above is ignored; one
// ahead of the primary's position is never replayed by the replica, so it
// keeps that client's reads on the primary (clamped to "not yet replayed")
// until its cookie expires, as the primary would answer them without a
// replica. Nothing else reads it, and no error comes of it.
const walCookieName = "lq_wal"

// walCookie is the position of the request's lq_wal cookie; 0 when it has
// none or it is not an LSN.
func walCookie(r *http.Request) uint64 {
	c, err := r.Cookie(walCookieName)
	if err != nil {
		return 0
	}
	lsn, ok := parseLSN(c.Value)
	if !ok {
		return 0
	}
	return lsn
}

// formatLSN writes a WAL position as PostgreSQL does: the high and low 32
// bits in upper-case hexadecimal, without leading zeros.
func formatLSN(lsn uint64) string {
	return fmt.Sprintf("%X/%X", lsn>>32, lsn&0xFFFFFFFF)
}

// parseLSN reads formatLSN's text strictly: 1 to 8 hex digits, a slash,
// 1 to 8 hex digits, nothing else (no sign, space or 0x).
func parseLSN(v string) (uint64, bool) {
	hi, lo, ok := strings.Cut(v, "/")
	if !ok || !hex32(hi) || !hex32(lo) {
		return 0, false
	}
	h, _ := strconv.ParseUint(hi, 16, 32)
	l, _ := strconv.ParseUint(lo, 16, 32)
	return h<<32 | l, true
}

func hex32(s string) bool {
	if len(s) == 0 || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'A' || c > 'F') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// walWriter sets the lq_wal cookie on the answer to a change, with the
// primary's position when the answer starts: handlers answer after their
// transaction commits, so the position includes the change. A refusal
// (4xx) changed nothing and sets none; a 5xx may have committed (its
// outcome unknown) and sets it. When the position cannot be read, the
// cookie names the largest position: the caller's reads stay on the
// primary until it expires.
type walWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	started bool
	lsn     uint64 // the position the cookie named, once set (read)
	read    bool
}

// walWriterKey finds a write's walWriter in its request's context, so that
// the per-user memory (withCaller) takes the position the cookie already
// read instead of asking the primary a second time.
type walWriterKey struct{}

func (w *walWriter) WriteHeader(code int) {
	if !w.started {
		w.started = true
		if code < 400 || code >= 500 {
			w.setCookie()
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *walWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *walWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *walWriter) setCookie() {
	lsn := w.s.writes.position(w.r.Context())
	w.lsn, w.read = lsn, true
	http.SetCookie(w.ResponseWriter, &http.Cookie{Name: walCookieName, Value: formatLSN(lsn), Path: "/",
		MaxAge: int(w.s.writes.keep.Round(time.Second)/time.Second) + 1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: w.r.TLS != nil || strings.EqualFold(w.r.Header.Get("X-Forwarded-Proto"), "https")})
}

// userWrites remembers, per user, the primary's WAL position after their
// last write, so that their reads go to the primary until the replica has
// replayed it (read-your-writes). It is kept in memory: one server, one
// map; the entries live only as long as the replica may lag.
type userWrites struct {
	src  WriteLSN
	keep time.Duration
	mu   sync.Mutex
	m    map[int64]*lastWrite
}

type lastWrite struct {
	pending int    // writes under way: read from the primary
	lsn     uint64 // after the last write ended
	at      time.Time
}

func newUserWrites(src WriteLSN, maxLag time.Duration) *userWrites {
	if maxLag <= 0 {
		maxLag = 5 * time.Second
	}
	// Once a write is older than the replica may lag (plus the time the
	// router takes to notice a lag), the replica has it or is not used.
	return &userWrites{src: src, keep: maxLag + 2*time.Second, m: map[int64]*lastWrite{}}
}

// position is the primary's WAL position now, read with a deadline of its
// own (the request may be gone); the largest position when it cannot be
// read: the caller's reads then stay on the primary until it expires.
func (u *userWrites) position(ctx context.Context) uint64 {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	lsn, err := u.src.WriteLSN(ctx)
	if err != nil {
		return math.MaxUint64
	}
	return lsn
}

// begin notes that uid's write starts; call the returned end with the
// primary's position after it.
func (u *userWrites) begin(uid int64) (end func(lsn uint64)) {
	u.mu.Lock()
	now := time.Now()
	if len(u.m) > 1000 {
		for id, e := range u.m {
			if e.pending == 0 && now.Sub(e.at) > u.keep {
				delete(u.m, id)
			}
		}
	}
	e := u.m[uid]
	if e == nil {
		e = &lastWrite{}
		u.m[uid] = e
	}
	e.pending++
	u.mu.Unlock()
	return func(lsn uint64) {
		u.mu.Lock()
		e.pending--
		e.lsn = max(e.lsn, lsn)
		e.at = time.Now()
		u.mu.Unlock()
	}
}

// after is the WAL position uid's reads need the replica to have replayed.
func (u *userWrites) after(uid int64) uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.m[uid]
	switch {
	case e == nil:
		return 0
	case e.pending > 0:
		return math.MaxUint64
	case time.Since(e.at) > u.keep:
		delete(u.m, uid)
		return 0
	}
	return e.lsn
}

// withCaller routes the rest of an authenticated request: a read waits for
// the caller's last write on the replica; a write is noted for later reads.
// It returns the context to serve with and what to call when done.
func (s *Server) withCaller(ctx context.Context, uid int64) (context.Context, func()) {
	if s.writes == nil {
		return ctx, func() {}
	}
	if rt, ok := planning.ReadRouteFrom(ctx); ok {
		rt.After = max(rt.After, s.writes.after(uid))
		return planning.WithReadRoute(ctx, rt), func() {}
	}
	end := s.writes.begin(uid)
	return ctx, func() {
		if ww, ok := ctx.Value(walWriterKey{}).(*walWriter); ok && ww.read {
			end(ww.lsn) // the answer's cookie read it after the change
			return
		}
		end(s.writes.position(ctx))
	}
}

package web

import (
	"context"
	"math"
	"net/http"
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

// routeReads marks the read-only requests (readRoute); authenticate adds
// the caller's last write to the mark.
func (s *Server) routeReads(next http.Handler) http.Handler {
	if s.cfg.Replica == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := readRoute(r); ok {
			r = r.WithContext(planning.WithReadRoute(r.Context(), rt))
		}
		next.ServeHTTP(w, r)
	})
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

// begin notes that uid's write starts; call the returned end after it.
func (u *userWrites) begin(uid int64) (end func(context.Context)) {
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
	return func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		lsn, err := u.src.WriteLSN(ctx)
		cancel()
		if err != nil {
			lsn = math.MaxUint64 // unknown: the primary, until the entry expires
		}
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
		rt.After = s.writes.after(uid)
		return planning.WithReadRoute(ctx, rt), func() {}
	}
	end := s.writes.begin(uid)
	return ctx, func() { end(ctx) }
}

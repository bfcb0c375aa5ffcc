package planning

import "context"

// ReadRoute marks a request that only reads: its queries may go to a read
// replica, once the replica has replayed the primary's WAL up to After (the
// caller's own last write, so nobody misses what they just wrote). Cached
// says the answer is kept in a cache that change notifications clear (the
// tiles): it must also not be older than the last change notified.
type ReadRoute struct {
	After  uint64 // a WAL position (pg_lsn as bytes); 0: any
	Cached bool
}

type readRouteKey struct{}

// WithReadRoute returns ctx whose queries may be read from a replica.
func WithReadRoute(ctx context.Context, rt ReadRoute) context.Context {
	return context.WithValue(ctx, readRouteKey{}, &rt)
}

// OnPrimary returns ctx whose queries go to the primary, whatever the
// request is (sessions and tokens are read where they are written).
func OnPrimary(ctx context.Context) context.Context {
	if _, ok := ReadRouteFrom(ctx); !ok {
		return ctx
	}
	return context.WithValue(ctx, readRouteKey{}, (*ReadRoute)(nil))
}

// ReadRouteFrom returns the read route of ctx, if it may use a replica.
func ReadRouteFrom(ctx context.Context) (ReadRoute, bool) {
	rt, _ := ctx.Value(readRouteKey{}).(*ReadRoute)
	if rt == nil {
		return ReadRoute{}, false
	}
	return *rt, true
}

// ReplicaStats counts where read-only queries went (for /metrics).
type ReplicaStats struct {
	Configured bool
	Usable     bool
	State      string // "up", or why reads stay on the primary
	ToReplica  int64  // read-only queries sent to the replica
	ToPrimary  int64  // read-only queries kept on the primary (replica down, lagging or behind the caller's write)
	Retried    int64  // replica queries that failed and were run again on the primary
}

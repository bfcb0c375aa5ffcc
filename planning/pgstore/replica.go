package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The router of pools: every query of the store goes through pools, which
// sends it to the primary unless its context carries a planning.ReadRoute
// and the replica is up, within --replica-max-lag and has replayed what the
// route needs. Writes (Exec, Begin, Acquire) always go to the primary; a
// read the replica cannot answer (gone, cancelled by recovery, or a write
// routed there by mistake) is run again on the primary before any row is
// returned, so no request fails because the replica did.
//
// How far behind the replica may be is bounded twice: by time
// (--replica-max-lag, how long ago the primary first held WAL the replica
// has not replayed) and, optionally, by bytes (--replica-max-lag-bytes,
// pg_wal_lsn_diff of the primary's current position and the replica's
// replayed one). The time bound keeps answers fresh; the bytes bound stops
// reads there as soon as a bulk change (an import, a year's close) leaves
// it far behind, before the time bound notices.

// Default replica settings.
const (
	DefaultReplicaMaxLag = 5 * time.Second
	defaultReplicaPoll   = 50 * time.Millisecond
)

// LSNProbe reads WAL positions, as bytes: the primary's current one and the
// replica's last replayed one (an error: unreachable or not a standby).
type LSNProbe interface {
	PrimaryLSN(ctx context.Context) (uint64, error)
	ReplayLSN(ctx context.Context) (uint64, error)
}

type pools struct {
	primary *pgxpool.Pool
	replica *pgxpool.Pool // nil: no replica
	probe   LSNProbe
	maxLag  time.Duration
	maxLagB uint64 // bytes of WAL the replica may be behind; 0: no bound
	poll    time.Duration
	log     *slog.Logger

	state   atomic.Pointer[replicaState]
	changes atomic.Int64 // change notifications seen (NoteChange)
	samples []lsnSample  // the primary's recent positions, by the poller only
	stop    context.CancelFunc
	done    chan struct{}
	closers []func()

	toReplica, toPrimary, retried atomic.Int64
	warnMu                        sync.Mutex
	warnedWrite                   bool
}

type replicaState struct {
	usable       bool
	why          string // "up" when usable
	replay       uint64 // the replica's replayed WAL position
	floor        uint64 // the primary's position once change number floorChanges was seen
	floorChanges int64
}

type lsnSample struct {
	at  time.Time
	lsn uint64
}

func newPools(primary *pgxpool.Pool) *pools {
	p := &pools{primary: primary}
	p.state.Store(&replicaState{why: "no replica"})
	return p
}

// withReplica starts routing reads to replica, polling probe every poll;
// maxLagBytes bounds how much WAL it may be behind (0: no bound).
func (p *pools) withReplica(replica *pgxpool.Pool, probe LSNProbe, maxLag time.Duration, maxLagBytes uint64, poll time.Duration, log *slog.Logger) {
	if maxLag <= 0 {
		maxLag = DefaultReplicaMaxLag
	}
	if poll <= 0 {
		poll = defaultReplicaPoll
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p.replica, p.probe, p.maxLag, p.maxLagB, p.poll, p.log = replica, probe, maxLag, maxLagBytes, poll, log
	p.state.Store(&replicaState{why: "not checked yet"})
	ctx, stop := context.WithCancel(context.Background())
	p.stop, p.done = stop, make(chan struct{})
	p.check(ctx) // know the replica before the first request
	go p.watch(ctx)
}

func (p *pools) watch(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.check(ctx)
		}
	}
}

// check samples both positions once and decides whether the replica is
// usable; a change of state is logged once.
func (p *pools) check(ctx context.Context) {
	seen := p.changes.Load()
	now := time.Now()
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	primary, perr := p.probe.PrimaryLSN(cctx)
	replay, rerr := p.probe.ReplayLSN(cctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	old := p.state.Load()
	st := &replicaState{replay: replay, floor: old.floor, floorChanges: old.floorChanges, why: "up"}
	if perr == nil {
		p.samples = append(p.samples, lsnSample{now, primary})
		keep := 0
		for keep < len(p.samples)-1 && now.Sub(p.samples[keep].at) > 2*p.maxLag {
			keep++
		}
		p.samples = p.samples[keep:]
		if seen != old.floorChanges {
			// Sampled after the change was seen: a cached answer read
			// where this is replayed includes the change.
			st.floor, st.floorChanges = primary, seen
		}
	}
	switch {
	case rerr != nil:
		st.why = "replica unavailable: " + rerr.Error()
	default:
		if lag := p.lag(replay, now); lag > p.maxLag {
			st.why = fmt.Sprintf("replica lags more than %s behind the primary", p.maxLag)
		} else if p.maxLagB > 0 && perr == nil && primary > replay && primary-replay > p.maxLagB {
			// The amount after the colon: a new amount is the same state.
			st.why = fmt.Sprintf("replica lags more than %d bytes of WAL behind the primary: %d bytes", p.maxLagB, primary-replay)
		}
	}
	st.usable = st.why == "up"
	if rerr == nil && kind(old.why) == "replica unavailable" {
		// Back after an outage: drop the connections it cut, rather
		// than meet each of them with a request.
		p.replica.Reset()
	}
	p.state.Store(st)
	p.logChange(old, st)
}

// lag is how long ago the primary first held WAL the replica has not
// replayed (0: the replica has everything sampled).
func (p *pools) lag(replay uint64, now time.Time) time.Duration {
	for _, s := range p.samples {
		if s.lsn > replay {
			return now.Sub(s.at)
		}
	}
	return 0
}

func (p *pools) logChange(old, st *replicaState) {
	if old.usable == st.usable && kind(old.why) == kind(st.why) {
		return
	}
	if st.usable {
		p.log.Info("read replica in use: read-only requests go to it")
	} else {
		p.log.Warn("read replica not used: reads go to the primary", "why", st.why)
	}
}

// kind is a state's reason without its details, so that a new error text
// for the same outage is not logged again.
func kind(why string) string {
	for i := range why {
		if why[i] == ':' {
			return why[:i]
		}
	}
	return why
}

// markDown stops using the replica at once, until the poller finds it again.
func (p *pools) markDown(err error) {
	old := p.state.Load()
	if !old.usable {
		return
	}
	st := *old
	st.usable, st.why = false, "replica unavailable: "+err.Error()
	if p.state.CompareAndSwap(old, &st) {
		p.logChange(old, &st)
	}
}

// useReplica decides where a query of ctx goes.
func (p *pools) useReplica(ctx context.Context) bool {
	if p.replica == nil {
		return false
	}
	rt, ok := planning.ReadRouteFrom(ctx)
	if !ok {
		return false
	}
	st := p.state.Load()
	need := rt.After
	if rt.Cached {
		if p.changes.Load() != st.floorChanges {
			p.toPrimary.Add(1) // a change not yet sampled
			return false
		}
		need = max(need, st.floor)
	}
	if !st.usable || st.replay < need {
		p.toPrimary.Add(1)
		return false
	}
	p.toReplica.Add(1)
	return true
}

// again reports whether a replica's error should be answered by running
// the query on the primary; a lost replica is marked down.
func (p *pools) again(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	switch replicaFaultOf(err) {
	case queryFault:
		return false // the query's own fault: the primary would say the same
	case replicaDown:
		p.markDown(err)
	case writeOnReplica:
		p.warnWriteOnce(err)
	}
	p.retried.Add(1)
	return true
}

// replicaFault is what a replica's error says about the replica.
type replicaFault int

const (
	queryFault     replicaFault = iota // the query's own: not retried
	replicaBusy                        // recovery conflict, too many connections: retried
	replicaDown                        // connection lost or refused, shutting down: retried, marked down
	writeOnReplica                     // a write routed here: retried, and said once
)

func replicaFaultOf(err error) replicaFault {
	// Not connected at all (refused, or the server refused the session):
	// the replica is down, whatever the server said.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return replicaDown
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return replicaFaultOfState(pe.Code)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) {
		return replicaDown
	}
	return queryFault
}

// replicaFaultOfState reads a SQLSTATE the replica raised.
func replicaFaultOfState(code string) replicaFault {
	switch {
	case code == "25006": // read_only_sql_transaction
		return writeOnReplica
	case code == "40001" || code == "57P04" || code == "53300": // recovery conflict, too many connections
		return replicaBusy
	case len(code) == 5 && (code[:2] == "08" || code[:3] == "57P"): // connection lost, shutting down
		return replicaDown
	}
	return queryFault
}

// warnWriteOnce logs the first write that reached the replica: its route
// should not be marked read-only.
func (p *pools) warnWriteOnce(err error) {
	p.warnMu.Lock()
	defer p.warnMu.Unlock()
	if p.warnedWrite {
		return
	}
	p.warnedWrite = true
	msg := err.Error()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		msg = pe.Message
	}
	p.log.Warn("a write reached the read replica and was run on the primary; its route should not be marked read-only", "err", msg)
}

func (p *pools) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !p.useReplica(ctx) {
		return p.primary.Query(ctx, sql, args...)
	}
	return p.queryReplica(ctx, sql, args...)
}

func (p *pools) queryReplica(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := p.replica.Query(ctx, sql, args...)
	if err != nil {
		if p.again(ctx, err) {
			return p.primary.Query(ctx, sql, args...)
		}
		return nil, err
	}
	return &replicaRows{Rows: rows, p: p, ctx: ctx, sql: sql, args: args}, nil
}

func (p *pools) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !p.useReplica(ctx) {
		return p.primary.QueryRow(ctx, sql, args...)
	}
	rows, err := p.queryReplica(ctx, sql, args...)
	return &routedRow{rows: rows, err: err}
}

// Exec, Begin and Acquire are for writes: always the primary.
func (p *pools) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.primary.Exec(ctx, sql, args...)
}

func (p *pools) Begin(ctx context.Context) (pgx.Tx, error) { return p.primary.Begin(ctx) }

func (p *pools) Acquire(ctx context.Context) (*pgxpool.Conn, error) { return p.primary.Acquire(ctx) }

func (p *pools) CopyFrom(ctx context.Context, t pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return p.primary.CopyFrom(ctx, t, cols, src)
}

// BeginTx may use the replica for a read-only transaction (an export's
// consistent snapshot).
func (p *pools) BeginTx(ctx context.Context, o pgx.TxOptions) (pgx.Tx, error) {
	if o.AccessMode != pgx.ReadOnly || o.IsoLevel == pgx.Serializable || !p.useReplica(ctx) {
		return p.primary.BeginTx(ctx, o)
	}
	tx, err := p.replica.BeginTx(ctx, o)
	if err != nil && p.again(ctx, err) {
		return p.primary.BeginTx(ctx, o)
	}
	return tx, err
}

func (p *pools) Config() *pgxpool.Config { return p.primary.Config() }
func (p *pools) Stat() *pgxpool.Stat     { return p.primary.Stat() }

func (p *pools) Close() {
	if p.stop != nil {
		p.stop()
		<-p.done
	}
	for _, c := range p.closers {
		c()
	}
	if p.replica != nil {
		p.replica.Close()
	}
	p.primary.Close()
}

func (p *pools) stats() planning.ReplicaStats {
	st := p.state.Load()
	return planning.ReplicaStats{Configured: p.replica != nil, Usable: st.usable, State: st.why,
		ToReplica: p.toReplica.Load(), ToPrimary: p.toPrimary.Load(), Retried: p.retried.Load()}
}

// replicaRows runs the query again on the primary when the replica fails
// it before the first row (errors of extended-protocol queries arrive with
// the first read); after a row has been read it is too late, and the
// error is the caller's.
type replicaRows struct {
	pgx.Rows
	p       *pools
	ctx     context.Context
	sql     string
	args    []any
	started bool
	err     error
}

func (r *replicaRows) Next() bool {
	if r.started {
		return r.Rows.Next()
	}
	r.started = true
	if r.Rows.Next() {
		return true
	}
	if err := r.Rows.Err(); r.p.again(r.ctx, err) {
		r.Rows.Close()
		rows, err := r.p.primary.Query(r.ctx, r.sql, r.args...)
		if err != nil {
			r.err = err
			return false
		}
		r.Rows = rows
		return rows.Next()
	}
	return false
}

func (r *replicaRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.Rows.Err()
}

// routedRow is QueryRow over replicaRows, as pgx's own row is over its rows.
type routedRow struct {
	rows pgx.Rows
	err  error
}

func (r *routedRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// pgProbe reads the positions on connections of its own, so that a busy
// pool does not delay the check.
type pgProbe struct{ primary, replica *pgxpool.Pool }

var errNotStandby = errors.New("the replica URL names a server that is not a standby (pg_last_wal_replay_lsn() is null)")

func (p pgProbe) PrimaryLSN(ctx context.Context) (uint64, error) {
	var v int64
	err := p.primary.QueryRow(ctx, "SELECT (pg_current_wal_lsn() - '0/0')::bigint").Scan(&v)
	return uint64(v), err
}

func (p pgProbe) ReplayLSN(ctx context.Context) (uint64, error) {
	var v *int64
	if err := p.replica.QueryRow(ctx, "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint").Scan(&v); err != nil {
		return 0, err
	}
	if v == nil {
		return 0, errNotStandby
	}
	return uint64(*v), nil
}

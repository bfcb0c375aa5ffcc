// Package pgstore is the PostGIS implementation of landquota's stores: pgx
// queries, transactions, and the SQL that builds GeoJSON.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxgeom "github.com/twpayne/pgx-geom"
)

// Options tune the connection pool.
type Options struct {
	MaxConns         int32         // 0: pgxpool's default
	StatementTimeout time.Duration // 0: no limit
	SlowQuery        time.Duration // log statements slower than this (with Log); 0: off
	// Warm keeps MaxConns connections open and readies each for the
	// coordinate transforms before any request uses it (see prepareConn).
	Warm bool
	Log  *slog.Logger

	// ReplicaURL names a streaming standby for read-only requests (see
	// replica.go); it gets a pool like the primary's. ReplicaMaxLag: how
	// far behind it may be before reads go back to the primary (0: 5 s);
	// ReplicaPoll: how often its position is read (0: 50 ms).
	ReplicaURL    string
	ReplicaMaxLag time.Duration
	// ReplicaMaxLagBytes: how many bytes of WAL the replica may be behind
	// the primary before reads go back to it (0: no bound in bytes).
	ReplicaMaxLagBytes uint64
	ReplicaPoll        time.Duration
	ReplicaProbe       LSNProbe // tests: positions from elsewhere; nil: read from both servers
}

// ConnectTimeout bounds one attempt to open a database connection when the
// URL sets no connect_timeout.
const ConnectTimeout = 5 * time.Second

// Store talks to one PostGIS database through a pool. It is split by what
// is stored: the parts below share the pool and each answers for its own
// tables, so a caller may take only the part it needs; Store's own
// methods are what reads across the parts (layers, tiles, searches,
// stock-land reports), imports and exports, and the pool itself.
type Store struct {
	*conn
	*LandStore     // districts, parks, zones, parcels, their events, enclaves, local land-use classes (geography.go, events.go, enclaves.go, classes.go, extent.go)
	*RuleStore     // what the land's rules read: the protected-line tolerance and its policy, the affordable target, 亩均 evaluations
	*UserStore     // users, sessions, API tokens, the audit log (users.go)
	*LedgerStore   // plans, their accounts, the ledger, grants, approvals' consumption, the year end (quota.go, close.go, demoquota.go)
	*ProjectStore  // projects and their parcels (projects.go)
	*ScenarioStore // allocation policies and scenarios (scenarios.go)
}

// conn is the pool every part of the store shares.
type conn struct {
	pool *pools
}

// LandStore keeps the land: districts, parks, protected zones, parcels
// and their events, enclaves and the local land-use classes.
type LandStore struct{ *conn }

// RuleStore keeps the settings the land's rules read: the protected-line
// tolerance and the policy that changes it, the affordable-housing target
// and the districts' 亩均 evaluations.
type RuleStore struct{ *conn }

// UserStore keeps users, sessions, API tokens and the audit log.
type UserStore struct{ *conn }

// LedgerStore keeps the plans, their account trees and the ledger. The
// year end reads the districts' stock facts from the land.
type LedgerStore struct {
	*conn
	land landFacts
}

// ProjectStore keeps projects and the parcels that make their need.
type ProjectStore struct{ *conn }

// ScenarioStore keeps the versioned allocation policies and the scenarios
// run on them; the engine's rows come from the ledger, the projects and
// the land.
type ScenarioStore struct {
	*conn
	*LedgerStore
	*ProjectStore
	land landFacts
}

// landFacts is what the quota parts read of the land: the yearly report's
// stock facts and the districts' 亩均 evaluations.
type landFacts interface {
	DistrictStockFacts(ctx context.Context, year int, r planner.Rules) (map[string]planner.DistrictStock, error)
	DistrictEvaluations(ctx context.Context, year int) (map[string]planner.DistrictEvaluation, error)
}

// newStore assembles the parts on one pool.
func newStore(p *pools) *Store {
	c := &conn{pool: p}
	s := &Store{conn: c, LandStore: &LandStore{c}, RuleStore: &RuleStore{c}, UserStore: &UserStore{c},
		LedgerStore: &LedgerStore{conn: c}, ProjectStore: &ProjectStore{c}}
	s.ScenarioStore = &ScenarioStore{conn: c, LedgerStore: s.LedgerStore, ProjectStore: s.ProjectStore, land: s}
	s.LedgerStore.land = s
	return s
}

// Open connects to the database. Run the migrations first: the geometry type
// is registered on each new connection only when PostGIS is installed.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, planning.Errorf(planning.ErrInvalid, "DATABASE_URL is not a valid PostgreSQL URL: %v", err)
	}
	var rcfg *pgxpool.Config
	if opts.ReplicaURL != "" {
		if rcfg, err = poolConfig(opts.ReplicaURL, opts); err != nil {
			return nil, planning.Errorf(planning.ErrInvalid, "the replica URL is not a valid PostgreSQL URL: %v", err)
		}
		rcfg.ConnConfig.RuntimeParams["application_name"] = "landquota-replica"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p := newPools(pool)
	if rcfg == nil {
		return newStore(p), nil
	}
	replica, err := pgxpool.NewWithConfig(ctx, rcfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	probe := opts.ReplicaProbe
	if probe == nil {
		// Small pools of their own, without the per-connection set-up.
		pp, rp := cfg.Copy(), rcfg.Copy()
		pp.MaxConns, pp.MinConns, pp.AfterConnect, pp.ConnConfig.Tracer = 2, 0, nil, nil
		rp.MaxConns, rp.MinConns, rp.AfterConnect, rp.ConnConfig.Tracer = 1, 0, nil, nil
		rp.ConnConfig.ConnectTimeout = time.Second
		pprobe, err := pgxpool.NewWithConfig(ctx, pp)
		if err != nil {
			pool.Close()
			replica.Close()
			return nil, err
		}
		rprobe, err := pgxpool.NewWithConfig(ctx, rp)
		if err != nil {
			pool.Close()
			replica.Close()
			pprobe.Close()
			return nil, err
		}
		probe = pgProbe{primary: pprobe, replica: rprobe}
		p.closers = append(p.closers, pprobe.Close, rprobe.Close)
	}
	p.withReplica(replica, probe, opts.ReplicaMaxLag, opts.ReplicaMaxLagBytes, opts.ReplicaPoll, opts.Log)
	return newStore(p), nil
}

// poolConfig is the configuration of a pool to url.
func poolConfig(url string, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	}
	// A database that is away fails requests at once (a 503), never hangs
	// them, and the pool heals by itself when it is back: connecting gives
	// up after ConnectTimeout unless the URL sets connect_timeout; idle
	// connections are checked often, so the dead ones a restart leaves are
	// dropped (those in use are dropped when their next query fails); TCP
	// keepalive notices a server that vanished without closing the socket.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.ConnConfig.DialFunc = dialer.DialContext
	cfg.HealthCheckPeriod = 10 * time.Second
	// A request whose deadline passes stops its query in the server too
	// (a cancel request), so a short per-route deadline works as that
	// route's statement timeout and the connection stays usable; if the
	// server does not answer the cancel (frozen), the socket gives up a
	// second later.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "landquota"
	// No JIT compilation: this application's queries are many small
	// expressions (GeoJSON text, protected-line and stock rules) whose
	// PostGIS costs push plans past jit_above_cost, and PostgreSQL then
	// spends longer compiling than running them (measured: hundreds of
	// milliseconds per planner search on the 1,000,000-parcel seed).
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	// Plan each prepared statement once (pgx prepares and caches every
	// statement per connection). PostgreSQL would otherwise keep planning
	// the planner searches afresh (custom plans), which cost as much as
	// running them: measured on the 1,000,000-parcel seed with 8 clients,
	// the Binxiao search went from 612 to 1,412 answers/s and its p95 from
	// 35 to 11 ms; GeoJSON pages, tiles and the yearly report were
	// unchanged. The plans' spatial filters stay on the GiST indexes, whose
	// estimate for an unknown box is small.
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	if opts.Warm {
		cfg.MinConns = cfg.MaxConns
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error { return prepareConn(ctx, conn, opts.Warm) }
	if opts.SlowQuery > 0 && opts.Log != nil {
		cfg.ConnConfig.Tracer = &slowQueryLog{threshold: opts.SlowQuery, log: opts.Log}
	}
	return cfg, nil
}

// prepareConn teaches a new connection the PostGIS types, if installed,
// and with warm runs each coordinate transform the queries use once. A
// PostgreSQL backend pays for PROJ's first look-up of a pair of systems:
// measured here, 45-75 ms for 4490→4549 and 155 ms for 4490→3857, then
// 0.4 ms. Paid when the pool opens the connection, that is not added to a
// planner's search or a map tile.
func prepareConn(ctx context.Context, conn *pgx.Conn, warm bool) error {
	var installed bool
	if err := conn.QueryRow(ctx, "SELECT to_regtype('geometry') IS NOT NULL").Scan(&installed); err != nil {
		return err
	}
	if !installed {
		return nil
	}
	if err := pgxgeom.Register(ctx, conn); err != nil {
		return err
	}
	if !warm {
		return nil
	}
	_, err := conn.Exec(ctx, `SELECT ST_Transform(p, 4549), ST_Transform(p, 3857), ST_Transform(ST_Transform(p, 4549), 4490),
		ST_Transform(ST_Transform(p, 3857), 4490) FROM (SELECT ST_SetSRID(ST_MakePoint(120.2, 30.2), 4490) AS p) x`)
	return err
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool to tests and benchmarks in this module.
func (s *Store) Pool() *pgxpool.Pool { return s.pool.primary }

// WriteLSN is the primary's WAL position now: asked after a write has
// committed, a replica that has replayed it shows the write.
func (s *Store) WriteLSN(ctx context.Context) (uint64, error) {
	if s.pool.probe == nil {
		return 0, nil
	}
	return s.pool.probe.PrimaryLSN(ctx)
}

// NoteChange tells the router a change notification arrived: cached
// answers (planning.ReadRoute.Cached) are read where the change is
// replayed. Call it before the cache drops what changed.
func (s *Store) NoteChange() { s.pool.changes.Add(1) }

// ReplicaStats reports where read-only queries went.
func (s *Store) ReplicaStats() planning.ReplicaStats { return s.pool.stats() }

// Migrate applies the embedded migrations on one dedicated connection.
func Migrate(ctx context.Context, url string) (from, to int32, err error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, 0, unavailable(err)
	}
	defer conn.Close(context.Background())
	return migrations.Migrate(ctx, conn)
}

// Ready checks that the database answers and its schema is current.
func (s *Store) Ready(ctx context.Context) error {
	v, err := migrations.Current(ctx, s.pool)
	if err != nil {
		return unavailable(err)
	}
	if want := migrations.Latest(); v != want {
		return planning.Errorf(planning.ErrUnavailable, "database schema is at version %d, this binary needs %d: run `landquota migrate`", v, want)
	}
	return nil
}

// isNoRows reports whether err says a single-row query found nothing.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// PoolStats reports the connection pool for /metrics.
func (s *Store) PoolStats() planning.PoolStats {
	st := s.pool.Stat()
	return planning.PoolStats{Total: st.TotalConns(), Idle: st.IdleConns(), Acquired: st.AcquiredConns(), Max: st.MaxConns(),
		Acquires: st.AcquireCount(), EmptyAcquires: st.EmptyAcquireCount(), AcquireWait: st.AcquireDuration()}
}

var _ service.Store = (*Store)(nil)

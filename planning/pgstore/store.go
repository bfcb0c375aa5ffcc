// Package pgstore is the PostGIS implementation of landquota's stores: pgx
// queries, transactions, and the SQL that builds GeoJSON.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxgeom "github.com/twpayne/pgx-geom"
)

// Options tune the connection pool.
type Options struct {
	MaxConns         int32         // 0: pgxpool's default
	StatementTimeout time.Duration // 0: no limit
	SlowQuery        time.Duration // log statements slower than this (with Log); 0: off
	Log              *slog.Logger
}

// Store talks to one PostGIS database through a pool.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database. Run the migrations first: the geometry type
// is registered on each new connection only when PostGIS is installed.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, planning.Errorf(planning.ErrInvalid, "DATABASE_URL is not a valid PostgreSQL URL: %v", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "landquota"
	cfg.AfterConnect = registerGeometry
	if opts.SlowQuery > 0 && opts.Log != nil {
		cfg.ConnConfig.Tracer = &slowQueryLog{threshold: opts.SlowQuery, log: opts.Log}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// registerGeometry teaches a connection the PostGIS types, if installed.
func registerGeometry(ctx context.Context, conn *pgx.Conn) error {
	var installed bool
	if err := conn.QueryRow(ctx, "SELECT to_regtype('geometry') IS NOT NULL").Scan(&installed); err != nil {
		return err
	}
	if !installed {
		return nil
	}
	return pgxgeom.Register(ctx, conn)
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool to tests and benchmarks in this module.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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

func unavailable(err error) error {
	return &planning.Error{Code: planning.ErrUnavailable, Message: "database unavailable", Err: err}
}

// isNoRows reports whether err says a single-row query found nothing.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// PoolStats reports the connection pool for /metrics.
func (s *Store) PoolStats() planning.PoolStats {
	st := s.pool.Stat()
	return planning.PoolStats{Total: st.TotalConns(), Idle: st.IdleConns(), Acquired: st.AcquiredConns(), Max: st.MaxConns(),
		Acquires: st.AcquireCount(), EmptyAcquires: st.EmptyAcquireCount(), AcquireWait: st.AcquireDuration()}
}

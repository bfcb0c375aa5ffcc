// Package migrations holds the numbered SQL files that build the schema and
// applies them with tern. The files are embedded, so the binary carries its
// own schema.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed *.sql
var files embed.FS

// VersionTable is where tern records the applied version.
const VersionTable = "schema_version"

// Latest is the version the embedded migrations bring the schema to.
func Latest() int32 {
	names, err := migrate.FindMigrations(files)
	if err != nil {
		panic(err) // embedded files are fixed at build time; a test covers them
	}
	return int32(len(names))
}

// Migrate brings the database up to Latest. It is idempotent and safe to run
// concurrently (tern holds an advisory lock). It returns the version before
// and after.
func Migrate(ctx context.Context, conn *pgx.Conn) (from, to int32, err error) {
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return 0, 0, fmt.Errorf("migrations: load: %w", err)
	}
	if from, err = m.GetCurrentVersion(ctx); err != nil {
		return 0, 0, fmt.Errorf("migrations: read version: %w", err)
	}
	if from > int32(len(m.Migrations)) {
		return from, from, fmt.Errorf("migrations: the database is at version %d but this binary only knows %d: use a newer landquota", from, len(m.Migrations))
	}
	if err := m.Migrate(ctx); err != nil {
		return from, from, fmt.Errorf("migrations: %w", err)
	}
	to, err = m.GetCurrentVersion(ctx)
	return from, to, err
}

// Current reads the applied version, 0 when nothing was applied yet.
func Current(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int32, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", VersionTable).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int32
	err := q.QueryRow(ctx, "SELECT version FROM "+VersionTable).Scan(&v)
	return v, err
}

// Files exposes the embedded SQL (for tests and documentation tools).
func Files() fs.FS { return files }

// Package pgtest gives each integration test its own fresh PostGIS database,
// copied from a migrated template, on the server named by
// LANDQUOTA_TEST_DATABASE_URL (make test sets it up).
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/jackc/pgx/v5"
)

// URL returns the URL of a fresh, migrated database that is dropped when the
// test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := adminURL(t)
	tmpl := ensureTemplate(t, admin)
	return create(t, admin, tmpl)
}

// EmptyURL returns the URL of a fresh database without any migration.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return create(t, adminURL(t), "template0")
}

func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LANDQUOTA_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("LANDQUOTA_REQUIRE_DB") != "" {
			t.Fatal("LANDQUOTA_TEST_DATABASE_URL is not set")
		}
		t.Skip("no test database: run `make test`, or set LANDQUOTA_TEST_DATABASE_URL")
	}
	return u
}

func connect(t testing.TB, u string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("test database unreachable: %v", err)
	}
	return c
}

// withDatabase returns u pointing at database name.
func withDatabase(t testing.TB, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.Path = "/" + name
	return p.String()
}

// ensureTemplate makes (once per schema version) a migrated template
// database. Its name carries a hash of the migration files, so a changed
// migration gets a new template.
func ensureTemplate(t testing.TB, admin string) string {
	t.Helper()
	h := sha256.New()
	err := fs.WalkDir(migrations.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files(), p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	name := "lq_template_" + hex.EncodeToString(h.Sum(nil))[:12]
	ctx := context.Background()
	c := connect(t, admin)
	defer c.Close(ctx)
	// Test packages run in parallel: one builds the template, others wait.
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(7431999)"); err != nil {
		t.Fatal(err)
	}
	defer c.Exec(ctx, "SELECT pg_advisory_unlock(7431999)")
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		return name
	}
	tmp := name + "_building"
	c.Exec(ctx, "DROP DATABASE IF EXISTS "+tmp)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+tmp+" TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	tc := connect(t, withDatabase(t, admin, tmp))
	_, _, err = migrations.Migrate(ctx, tc)
	tc.Close(ctx)
	if err != nil {
		t.Fatalf("migrating the test template: %v", err)
	}
	if _, err := c.Exec(ctx, "ALTER DATABASE "+tmp+" RENAME TO "+name); err != nil {
		t.Fatal(err)
	}
	return name
}

func create(t testing.TB, admin, template string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "lq_t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	c := connect(t, admin)
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		c := connect(t, admin)
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(t, admin, name)
}

// Day is the date s (YYYY-MM-DD) as the *time.Time the planning types hold,
// for the fixed dates of a test's world.
func Day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

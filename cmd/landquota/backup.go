package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// pgTool finds a PostgreSQL client program: on PATH, or the newest
// installed under /usr/lib/postgresql (Debian keeps them there).
func pgTool(name string) (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(matches)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is not installed: apt-get install postgresql-client", name)
}

// runBackup writes the whole database (schema, geography, ledger, users)
// with pg_dump's custom format, which pg_restore reads back.
func runBackup(ctx context.Context, env environ, args []string) error {
	var out string
	db, _, err := parseDBCommand("backup", env, args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write (pg_dump custom format), e.g. landquota-2026-11-30.dump")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("--out FILE is required")
	}
	dump, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	tmp := out + ".partial"
	cmd := exec.CommandContext(ctx, dump, "--format=custom", "--no-owner", "--file", tmp, "--dbname", db.URL)
	cmd.Stderr = env.stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pg_dump failed: %w", err)
	}
	// Only a complete dump takes the final name.
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(env.stdout, "backup written to %s (%d KiB)\n", out, st.Size()>>10)
	return nil
}

// runRestore loads a backup into an empty database: it refuses to mix a
// backup into a database that already holds landquota data.
func runRestore(ctx context.Context, env environ, args []string) error {
	db, fs, err := parseDBCommand("restore", env, args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: landquota restore [--database-url URL] FILE")
	}
	file := fs.Arg(0)
	if _, err := os.Stat(file); err != nil {
		return err
	}
	psql, err := pgTool("psql")
	if err != nil {
		return err
	}
	check := exec.CommandContext(ctx, psql, "--no-psqlrc", "-tAc", "SELECT to_regclass('public.schema_version') IS NOT NULL", db.URL)
	outb, err := check.Output()
	if err != nil {
		return fmt.Errorf("cannot reach the target database: %w", err)
	}
	if strings.TrimSpace(string(outb)) == "t" {
		return fmt.Errorf("the target database already holds landquota data: restore into a new, empty database (createdb NAME)")
	}
	restore, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, restore, "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", db.URL, file)
	cmd.Stderr = env.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore failed (nothing was restored): %w", err)
	}
	fmt.Fprintf(env.stdout, "restored %s\n", file)
	return nil
}

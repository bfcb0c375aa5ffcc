// Command landquota is the one binary of the landquota service: the map and
// API server and the tools that manage its database.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hangzhou-hitech/landquota/planning"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name, usage string
	run         func(ctx context.Context, env environ, args []string) error
}

var commands = []command{
	{"serve", "run the map and API server", runServe},
	{"migrate", "apply the database migrations (idempotent) and show the version", runMigrate},
	{"seed", "load the generated demo geography", runSeed},
	{"backup", "write the whole database to a file (pg_dump custom format)", runBackup},
	{"restore", "load a backup into a new, empty database", runRestore},
	{"version", "print the version", runVersion},
	{"user", "manage users: add, list, set-role, passwd, disable, enable", runUser},
	{"token", "manage API tokens for scripts: create, list, revoke", runToken},
	{"import", "import districts, parks, protected zones or parcels from GeoJSON, Shapefile, GeoPackage ...", runImport},
	{"plan", "planning years: list, open, issue (追加下达), close (year end with carry-over)", subcommands("plan", planCommands)},
	{"policy", "the eligibility policy: policy tolerance [--area-m2 X] [--sliver-width-m Y] (shows it without flags)", subcommands("policy", policyCommands)},
	{"export", "export a layer as GeoJSON, CSV, XLSX, Shapefile or GeoPackage, with the layers' filters", runExport},
}

// environ is the process's outside world, passed down so tests can run
// commands in-process.
type environ struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := environ{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	if err := run(ctx, env, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "landquota:", message(err, planning.ParseLang(os.Getenv("LANG"))))
		os.Exit(1)
	}
}

func run(ctx context.Context, env environ, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	usage(env.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: landquota COMMAND [flags]   (landquota COMMAND -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nenvironment: DATABASE_URL (postgres://...), LANDQUOTA_ADDR (serve address), LANDQUOTA_LOG (text|json)")
}

// message renders an error for a person: a domain error's message and
// details, anything else as is.
// message is err for the person at the terminal, in lang (Chinese when
// LANG is zh_*).
func message(err error, lang planning.Lang) string {
	var de *planning.Error
	if errors.As(err, &de) {
		s := de.In(lang)
		for k, v := range de.Details {
			s += fmt.Sprintf("\n  %s: %v", k, v)
		}
		return s
	}
	return err.Error()
}

func runVersion(_ context.Context, env environ, _ []string) error {
	fmt.Fprintln(env.stdout, "landquota", version)
	return nil
}

func newLogger(env environ) *slog.Logger {
	if env.getenv("LANDQUOTA_LOG") == "json" {
		return slog.New(slog.NewJSONHandler(env.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.stderr, nil))
}

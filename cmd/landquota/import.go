package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseInterspersed parses flags that may come before, between or after
// the positional arguments (landquota import parcels x.shp --dry-run).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// positional parses fs's flags among args and wants exactly n positional
// arguments; with any other number it shows the usage and says what was
// wanted (want, e.g. "export takes one layer") and how many were given.
func positional(fs *flag.FlagSet, args []string, n int, want string) ([]string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		fs.Usage()
		return nil, fmt.Errorf("%s, got %d arguments", want, len(pos))
	}
	return pos, nil
}

// timeoutSet reports whether --statement-timeout was given.
func timeoutSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "statement-timeout" })
	return set
}

// importConfig configures `landquota import`.
type importConfig struct {
	DB        dbConfig
	Layer     imports.Layer
	File      string
	Req       importer.Request
	Open      importer.OpenOptions
	Report    string // write the JSON report here ("-": stdout)
	Progress  string // auto, bar, lines, none
	FieldMap  *importer.FieldMap
	Timings   bool // print each step's time on standard error
	jsonOnly  bool
	fieldFile string
}

func parseImport(env environ, args []string) (importConfig, error) {
	var c importConfig
	var mode, scheme, srid string
	var fields, defaults, crosswalk multiFlag
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: landquota import districts|parks|protected-zones|parcels FILE [flags]")
		fmt.Fprintln(env.stderr, "       landquota import parcel-events|district-evaluations|land-use-classes FILE.csv|FILE.xlsx [--dry-run]")
		fmt.Fprintln(env.stderr, "FILE: GeoJSON, a Shapefile (.shp, its folder or a .zip), a GeoPackage, a CSV with a WKT column, or another GDAL vector format")
		fs.PrintDefaults()
	}
	c.DB.register(fs, env)
	fs.StringVar(&mode, "mode", "insert", "insert: refuse features whose code is stored; upsert: update them by code")
	fs.BoolVar(&c.Req.DryRun, "dry-run", false, "validate and report, write nothing")
	fs.BoolVar(&c.Req.Repair, "repair", false, "repair invalid outlines (ST_MakeValid; open rings closed) and report each repair")
	fs.StringVar(&srid, "srid", "", "the coordinates' CRS when the file does not say (or says wrong): 4490, 4326, 4549, 4528 or another EPSG code")
	fs.StringVar(&c.Open.Encoding, "encoding", "", "text encoding of a Shapefile's DBF or a CSV (GBK, GB18030, UTF-8); default: the .cpg, else detected")
	fs.StringVar(&c.Open.SourceLayer, "source-layer", "", "the layer to read from a GeoPackage, or the Shapefile in a folder or .zip holding several")
	fs.BoolVar(&c.Open.SwapAxes, "swap-axes", false, "the file gives y before x (latitude first, or northing first)")
	fs.StringVar(&c.fieldFile, "field-map", "", "JSON file mapping source fields to the layer's fields, with crosswalks and defaults")
	fs.Var(&fields, "field", "FIELD=SOURCE: read FIELD from the source field SOURCE (repeatable; FIELD= to leave it unread)")
	fs.Var(&defaults, "default", "FIELD=VALUE: the value where the file has none (repeatable)")
	fs.Var(&crosswalk, "crosswalk", "CODE=CLASS: map a source land-use code to a 2023 class (repeatable)")
	fs.StringVar(&scheme, "land-use-scheme", "", "code list of the land-use codes: auto, 2023, gbt21010 (三调 DLBM), gb50137 (M1, R2 ...)")
	fs.StringVar(&c.Report, "report", "", "also write the validation report as JSON to this file (- for standard output, instead of the text)")
	fs.IntVar(&c.Req.MaxIssues, "max-issues", imports.DefaultMaxIssues, "issues listed in the report (all are counted)")
	fs.StringVar(&c.Progress, "progress", "auto", "progress on standard error: auto (a bar on a terminal, a line every 10 s otherwise), bar, lines (every second), none")
	fs.BoolVar(&c.Timings, "timings", false, "print the time of every step on standard error (reading and COPY, each check, the write, each index build) and their sum")
	pos, err := positional(fs, args, 2, "import takes a layer and a file")
	if err != nil {
		return c, err
	}
	if c.Layer, err = imports.ParseLayer(pos[0]); err != nil {
		return c, err
	}
	c.File = pos[1]
	if !timeoutSet(fs) {
		c.DB.StatementTimeout = 0 // a million features take longer than a web request
	}
	if err := c.DB.validate(); err != nil {
		return c, err
	}
	if c.Req.Mode, err = imports.ParseMode(mode); err != nil {
		return c, err
	}
	if srid != "" {
		if c.Open.SRID, err = importer.ParseSRID(srid); err != nil {
			return c, err
		}
	}
	switch c.Progress {
	case "auto", "bar", "lines", "none":
	default:
		return c, fmt.Errorf("--progress %q is not auto, bar, lines or none", c.Progress)
	}
	if c.Req.MaxIssues < 1 || c.Req.MaxIssues > 1_000_000 {
		return c, fmt.Errorf("--max-issues must be between 1 and 1000000")
	}
	c.FieldMap = &importer.FieldMap{}
	if c.fieldFile != "" {
		b, err := os.ReadFile(c.fieldFile)
		if err != nil {
			return c, fmt.Errorf("--field-map: %w", err)
		}
		if c.FieldMap, err = importer.ParseFieldMap(c.Layer, b); err != nil {
			return c, fmt.Errorf("%s: %w", c.fieldFile, err)
		}
	}
	opts := importer.FieldOptions{Fields: fields, Defaults: defaults, Crosswalk: crosswalk, Scheme: scheme}
	if err := c.FieldMap.Apply(c.Layer, opts); err != nil {
		return c, err
	}
	c.Req.Layer, c.Req.FieldMap = c.Layer, c.FieldMap
	c.Req.StatementTimeout = c.DB.StatementTimeout
	c.jsonOnly = c.Report == "-"
	return c, nil
}

// newImportID names an import: when and a random suffix.
func newImportID() string {
	var b [4]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// isTerminal reports whether stream (standard input, output or error) is a
// terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runImport(ctx context.Context, env environ, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "parcel-events":
			return runImportEvents(ctx, env, args[1:])
		case "district-evaluations":
			return runImportEvaluations(ctx, env, args[1:])
		case "land-use-classes":
			return runImportClasses(ctx, env, args[1:])
		}
	}
	c, err := parseImport(env, args)
	if err != nil {
		return err
	}
	// The pipeline allocates per feature but holds little: collect less often.
	debug.SetGCPercent(400)
	store, err := c.DB.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	src, err := importer.Open(ctx, c.File, c.Open)
	if err != nil {
		return err
	}
	c.Req.ID = newImportID()
	if u := env.getenv("USER"); u != "" {
		c.Req.CreatedBy = "cli:" + u
	} else {
		c.Req.CreatedBy = "cli"
	}
	prog := imports.NewProgress()
	stop := showProgress(env, c.Progress, prog)
	rep, err := service.Import(ctx, importer.Job{Store: store, Source: src, Request: c.Req}, prog)
	stop()
	if c.Timings && rep != nil {
		writeTimings(env.stderr, rep.Steps)
	}
	if werr := writeReport(env, c, rep); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	// A refused file, or a dry run that found errors, exits non-zero.
	return service.Verdict(rep, nil, true, planning.ParseLang(env.getenv("LANG")))
}

// showProgress shows prog on standard error as --progress says (auto: a
// bar on a terminal, else a line every 10 s); the returned stop ends it.
func showProgress(env environ, mode string, prog *imports.Progress) (stop func()) {
	switch {
	case mode == "bar" || (mode == "auto" && isTerminal(env.stderr)):
		return imports.ShowProgress(env.stderr, prog, true, 0)
	case mode == "lines":
		return imports.ShowProgress(env.stderr, prog, false, time.Second)
	case mode == "auto":
		return imports.ShowProgress(env.stderr, prog, false, 10*time.Second)
	}
	return func() {}
}

// writeReport writes the report for the person at the terminal, in the
// language of LANG (the JSON report too).
func writeReport(env environ, c importConfig, rep *imports.Report) error {
	lang := planning.ParseLang(env.getenv("LANG"))
	if !c.jsonOnly {
		rep.WriteText(env.stdout, lang)
	}
	if c.Report == "" {
		return nil
	}
	body, err := json.MarshalIndent(rep.In(lang), "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	if c.jsonOnly {
		_, err = env.stdout.Write(body)
		return err
	}
	return os.WriteFile(c.Report, body, 0o644)
}

// writeTimings lists the steps of an import with their share of the sum
// (reading the file runs during the COPY, so it is one step with it).
func writeTimings(w io.Writer, steps []imports.Step) {
	var sum int64
	for _, st := range steps {
		sum += st.MS
	}
	fmt.Fprintf(w, "import: timings (%s in all):\n", time.Duration(sum)*time.Millisecond)
	for _, st := range steps {
		fmt.Fprintf(w, "  %-44s %10s %5.1f%%\n", st.Name, time.Duration(st.MS)*time.Millisecond, 100*float64(st.MS)/float64(max(sum, 1)))
	}
}

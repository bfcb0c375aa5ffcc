package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/web"
)

// exportConfig configures `landquota export`.
type exportConfig struct {
	DB     dbConfig
	Query  imports.ExportQuery
	Output string // a file, or - for standard output
}

// exportFilters are the flags that become the export endpoint's parameters.
var exportFilters = []struct{ flag, param, usage string }{
	{"format", "format", "geojson, csv, xlsx, shp (a .zip, or the files when --output ends in .shp) or gpkg; default: from --output, else geojson"},
	{"srid", "srid", "coordinates of the output: 4490 (default), 4326, 4549 or 4528"},
	{"precision", "precision", "decimals of the coordinates (default: all, lossless)"},
	{"encoding", "encoding", "Shapefile text: UTF-8 (default; the .cpg says so), GB18030 (.cpg GB18030; every character), or GBK (.cpg 936, for old software; refused, naming the field and value, where a value is outside GBK)"},
	{"bbox", "bbox", "minLon,minLat,maxLon,maxLat (with --bbox-crs EPSG:4549: metres)"},
	{"bbox-crs", "bbox-crs", "the CRS of --bbox"},
	{"status", "status", "parcels: comma-separated statuses"},
	{"land-use", "land_use", "parcels: land-use classes or prefixes (10, 1001, 100101)"},
	{"park", "park", "parcels: park codes"},
	{"district", "district", "parcels: district adcodes"},
	{"min-area", "min_area", "parcels: smallest area (in --unit)"},
	{"max-area", "max_area", "parcels: largest area (in --unit)"},
	{"unit", "unit", "unit of --min-area/--max-area: m2, mu, ha"},
	{"eligible", "eligible", "parcels: true for those eligible for new construction land, false for the others"},
	{"updated-since", "updated_since", "parcels: changed on or after this date"},
}

func parseExport(env environ, args []string) (exportConfig, error) {
	var c exportConfig
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: landquota export districts|parks|protected-zones|parcels [--format F] [--output FILE] [filters]")
		fs.PrintDefaults()
	}
	c.DB.register(fs, env)
	fs.StringVar(&c.Output, "output", "", "file to write (- for standard output); default: LAYER.EXT in the current folder")
	fs.StringVar(&c.Output, "o", "", "short for --output")
	vals := map[string]*string{}
	for _, f := range exportFilters {
		vals[f.param] = fs.String(f.flag, "", f.usage)
	}
	pos, err := positional(fs, args, 1, "export takes one layer")
	if err != nil {
		return c, err
	}
	if !timeoutSet(fs) {
		c.DB.StatementTimeout = 0
	}
	if err := c.DB.validate(); err != nil {
		return c, err
	}
	v := url.Values{}
	for k, p := range vals {
		if *p != "" {
			v.Set(k, *p)
		}
	}
	if v.Get("format") == "" && c.Output != "" && c.Output != "-" {
		ext := strings.ToLower(filepath.Ext(c.Output))
		if f, err := imports.ParseFormat(ext); err == nil {
			v.Set("format", string(f))
		} else if ext != "" {
			return c, fmt.Errorf("--output %s: cannot tell the format from %q: give --format", c.Output, ext)
		}
	}
	if c.Query, err = web.ParseExportQuery(pos[0], v); err != nil {
		return c, err
	}
	if c.Output == "" {
		c.Output = c.Query.FileName()
	}
	c.Query.StatementTimeout = c.DB.StatementTimeout
	return c, nil
}

func runExport(ctx context.Context, env environ, args []string) error {
	c, err := parseExport(env, args)
	if err != nil {
		return err
	}
	// Exports only read: an older schema is fine as long as the tables exist.
	store, err := pgstore.Open(ctx, c.DB.URL, pgstore.Options{MaxConns: 2, StatementTimeout: c.DB.StatementTimeout})
	if err != nil {
		return err
	}
	defer store.Close()
	if c.Query.Format == imports.FormatShp && strings.EqualFold(filepath.Ext(c.Output), ".shp") {
		return exportShapefile(ctx, env, store, c)
	}
	var w io.Writer = env.stdout
	var tmp string
	if c.Output != "-" {
		// Write beside the target and rename at the end: an interrupted
		// export leaves no half file under the real name.
		f, err := os.CreateTemp(filepath.Dir(c.Output), ".landquota-export-*")
		if err != nil {
			return err
		}
		tmp = f.Name()
		defer os.Remove(tmp)
		defer f.Close()
		w = f
	}
	n, err := importer.Export(ctx, store, c.Query, w)
	if err != nil {
		return err
	}
	dest := "standard output"
	if tmp != "" {
		if err := keep(w.(*os.File), c.Output); err != nil {
			return err
		}
		dest = c.Output
	}
	fmt.Fprintf(env.stderr, "exported %d %s to %s\n", n, c.Query.Layer, dest)
	return nil
}

// keep closes the finished temporary file f and gives it its real name.
func keep(f *os.File, name string) error {
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// exportShapefile writes a Shapefile's files beside c.Output (FILE.shp,
// FILE.shx, ...): into a temporary folder there first, renamed once all
// are written.
func exportShapefile(ctx context.Context, env environ, store *pgstore.Store, c exportConfig) error {
	dir, err := os.MkdirTemp(filepath.Dir(c.Output), ".landquota-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, files, err := importer.ExportFiles(ctx, store, c.Query, dir)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(c.Output, filepath.Ext(c.Output))
	for _, f := range files {
		if err := os.Rename(f, base+filepath.Ext(f)); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stderr, "exported %d %s to %s (.shp, .shx, .dbf, .prj, .cpg)\n", n, c.Query.Layer, c.Output)
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/demo"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

func runSeed(ctx context.Context, env environ, args []string) error {
	var db dbConfig
	var opts demo.Options
	var districtsFile, parksFile string
	var replace, ifEmpty bool
	var year, perArea int
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	db.register(fs, env)
	fs.IntVar(&opts.Parcels, "parcels", 20000, "number of parcels to generate")
	fs.Int64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same data")
	fs.StringVar(&districtsFile, "districts", "", "GeoJSON file of district outlines to use instead of the built-in approximations")
	fs.StringVar(&parksFile, "parks", "", "GeoJSON file of park outlines to use instead of the generated ones")
	fs.BoolVar(&replace, "replace", false, "wipe the existing geography and everything built on it (projects, plans, ledgers, policies, scenarios; not users) first")
	fs.BoolVar(&ifEmpty, "if-empty", false, "do nothing when the database already holds parcels")
	fs.IntVar(&year, "year", 2026, "plan year of the demo quota, policy and projects")
	fs.IntVar(&perArea, "projects-per-area", 50, "demo projects per district and per park (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	if opts.Parcels < 0 || opts.Parcels > 5_000_000 {
		return fmt.Errorf("--parcels %d must be between 0 and 5000000", opts.Parcels)
	}
	if year < 2000 || year > 2100 || perArea < 0 || perArea > 10000 {
		return fmt.Errorf("--year must be 2000..2100 and --projects-per-area 0..10000")
	}
	if replace && ifEmpty {
		return fmt.Errorf("--replace and --if-empty contradict each other: choose one")
	}
	var err error
	if districtsFile != "" {
		if opts.Districts, err = readWith(districtsFile, demo.ReadDistricts); err != nil {
			return err
		}
	}
	if parksFile != "" {
		if opts.Parks, err = readWith(parksFile, demo.ReadParks); err != nil {
			return err
		}
	}
	store, err := pgstore.Open(ctx, db.URL, pgstore.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Ready(ctx); err != nil {
		return err
	}
	if ifEmpty {
		c, err := store.Count(ctx)
		if err != nil {
			return err
		}
		if c.Parcels > 0 {
			fmt.Fprintf(env.stdout, "database already holds %d parcels: not seeding\n", c.Parcels)
			return nil
		}
	}
	ds, err := demo.Generate(opts)
	if err != nil {
		return err
	}
	t0 := time.Now()
	progress := func(n int64) {
		if n%100000 == 0 || n == int64(opts.Parcels) {
			el := time.Since(t0).Seconds()
			fmt.Fprintf(env.stderr, "\rseed: %d/%d parcels (%.0f/s)  ", n, opts.Parcels, float64(n)/el)
		}
	}
	rep, err := store.Load(ctx, pgstore.Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels}, replace, progress)
	if err != nil {
		return err
	}
	if rep.Parcels > 0 && perArea > 0 {
		// The demo policy: the defaults, with a year end that shows
		// carry-over and the 增存挂钩 reward.
		demo := allocation.DefaultPolicy(year)
		demo.CarryOver = allocation.CarryOver{Share: 0.5, Document: "（演示）省厅关于年度计划指标结转的复函"}
		demo.StockLinkage.RewardRatio = 0.1
		pol, _ := json.Marshal(demo)
		n, err := store.SeedQuota(ctx, year, pol, perArea)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "\nseeded the %d plan (800 hm² issued), its default policy and %d projects", year, n)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(env.stdout, "\nseeded %d districts, %d parks, %d protected zones and %d parcels (seed %d) in %s; Go memory from the OS %d MiB\n",
		rep.Districts, rep.Parks, rep.Zones, rep.Parcels, opts.Seed, time.Since(t0).Round(time.Millisecond), ms.Sys>>20)
	return nil
}

// readWith opens a file and parses it with read, naming the file in errors.
func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

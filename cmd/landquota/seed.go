package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/tools/demo"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

func runSeed(ctx context.Context, env environ, args []string) error {
	var db dbConfig
	var opts demo.Options
	var districtsFile, parksFile string
	var replace, ifEmpty, timings bool
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
	fs.BoolVar(&timings, "timings", false, "print the time of every step of the load (each index build apart) and a summary of the steps at the end")
	fs.IntVar(&year, "year", 2026, "plan year of the demo quota, policy and projects")
	fs.IntVar(&perArea, "projects-per-area", 50, "demo projects per district and per park (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	if opts.Parcels < 0 || opts.Parcels > demo.MaxParcels {
		return fmt.Errorf("--parcels %d must be between 0 and %d", opts.Parcels, demo.MaxParcels)
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
	// Without --timings the index builds are one step, "indexes".
	type stepTime struct {
		name string
		took time.Duration
	}
	var steps []stepTime
	var indexes time.Duration
	phase := func(step string, took time.Duration) {
		if !timings && strings.HasPrefix(step, "index ") {
			indexes += took
			return
		}
		if indexes > 0 {
			fmt.Fprintf(env.stderr, "\nseed: indexes %s", indexes.Round(time.Millisecond))
			indexes = 0
		}
		steps = append(steps, stepTime{step, took})
		fmt.Fprintf(env.stderr, "\nseed: %s %s", step, took.Round(time.Millisecond))
	}
	rep, err := store.Load(ctx, pgstore.Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels, Phase: phase}, replace, progress)
	if err != nil {
		return err
	}
	if rep.Parcels > 0 {
		t := time.Now()
		if err := seedLandCases(ctx, store, year); err != nil {
			return err
		}
		phase("land cases", time.Since(t))
	}
	if rep.Parcels > 0 && perArea > 0 {
		// The demo policy: the defaults, with a year end that shows
		// carry-over and the 增存挂钩 reward.
		demo := allocation.DefaultPolicy(year)
		demo.CarryOver = allocation.CarryOver{Share: 0.5, Document: "（演示）省厅关于年度计划指标结转的复函"}
		demo.StockLinkage.RewardRatio = 0.1
		pol, _ := json.Marshal(demo)
		t := time.Now()
		n, err := store.SeedQuota(ctx, year, pol, perArea)
		if err != nil {
			return err
		}
		phase("plan and projects", time.Since(t))
		fmt.Fprintf(env.stdout, "\nseeded the %d plan (800 hm² issued), its default policy and %d projects", year, n)
	}
	if timings {
		var sum time.Duration
		for _, st := range steps {
			sum += st.took
		}
		fmt.Fprintf(env.stderr, "\nseed: timings (%s in all):", sum.Round(time.Millisecond))
		for _, st := range steps {
			fmt.Fprintf(env.stderr, "\n  %-36s %10s %5.1f%%", st.name, st.took.Round(time.Millisecond), 100*st.took.Seconds()/max(sum.Seconds(), 1e-9))
		}
	}
	fmt.Fprintln(env.stderr)
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

// seedLandCases adds what the land rules ask the demo to show beside the
// generated parcels: 创新型产业用地 (M0) as a local class, a science enclave
// (科创飞地) in Shanghai with no quota account, and the determination (认定书)
// of the first suspected idle parcel, so suspected and determined idle land
// differ.
func seedLandCases(ctx context.Context, store *pgstore.Store, year int) error {
	var have bool
	if err := store.Pool().QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM land_use_classes WHERE code = '100104')").Scan(&have); err != nil {
		return err
	}
	if _, err := store.AddLandUseClass(ctx, planning.LandUseClass{Code: "100104", ParentCode: "1001", Level: 3,
		NameZh: "创新型产业用地", NameEn: "Innovative industrial land (M0)", Construction: true, Local: true,
		Source: "杭州市（演示）", Aliases: []string{"M0"}}); err != nil && !have {
		return fmt.Errorf("demo local class M0: %w", err)
	}
	start, end := time.Date(year-1, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(year+4, 6, 30, 0, 0, 0, 0, time.UTC)
	if err := store.Pool().QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM enclaves WHERE code = 'SH_ZHANGJIANG')").Scan(&have); err != nil {
		return err
	}
	if _, err := store.InsertEnclave(ctx, planning.Enclave{Code: "SH_ZHANGJIANG", NameZh: "高新区（滨江）上海张江科创飞地（演示）",
		NameEn: "High-tech Zone science enclave, Zhangjiang, Shanghai (demo)", City: "上海", Country: "CN",
		Location: orb.Point{121.5907, 31.2036}, FloorAreaM2: 12000, LeaseStartOn: &start, LeaseEndOn: &end}); err != nil && !have {
		return fmt.Errorf("demo enclave: %w", err)
	}
	var id int64
	var code string
	var agreed time.Time
	err := store.Pool().QueryRow(ctx, `SELECT id, code, agreed_start_on FROM parcels
		WHERE status = 'supplied' AND actual_start_on IS NULL AND NOT government_delay AND agreed_start_on < make_date($1, 1, 1) - 366
		ORDER BY id LIMIT 1`, year).Scan(&id, &code, &agreed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // a world without idle land: nothing to determine
	}
	if err != nil {
		return err
	}
	_, err = store.AddParcelEvent(ctx, id, code, planner.ParcelEvent{Kind: planner.EventDetermination, On: agreed.AddDate(1, 2, 0),
		Document: fmt.Sprintf("（演示）滨规划资源闲认〔%d〕1号", agreed.AddDate(1, 2, 0).Year()), Cause: planner.CauseEnterprise}, "seed")
	return err
}

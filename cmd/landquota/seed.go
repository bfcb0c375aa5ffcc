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

// seedConfig is what `landquota seed` was asked to do.
type seedConfig struct {
	db                      dbConfig
	opts                    demo.Options
	replace, ifEmpty, times bool
	year, perArea           int
}

// parseSeed reads seed's flags, checks them and reads the outline files
// they name, before anything touches the database.
func parseSeed(env environ, args []string) (seedConfig, error) {
	var c seedConfig
	var districtsFile, parksFile string
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	c.db.register(fs, env)
	fs.IntVar(&c.opts.Parcels, "parcels", 20000, "number of parcels to generate")
	fs.Int64Var(&c.opts.Seed, "seed", 1, "random seed: the same seed gives the same data")
	fs.StringVar(&districtsFile, "districts", "", "GeoJSON file of district outlines to use instead of the built-in approximations")
	fs.StringVar(&parksFile, "parks", "", "GeoJSON file of park outlines to use instead of the generated ones")
	fs.BoolVar(&c.replace, "replace", false, "wipe the existing geography and everything built on it (projects, plans, ledgers, policies, scenarios; not users) first")
	fs.BoolVar(&c.ifEmpty, "if-empty", false, "do nothing when the database already holds parcels")
	fs.BoolVar(&c.times, "timings", false, "print the time of every step of the load (each index build apart) and a summary of the steps at the end")
	fs.IntVar(&c.year, "year", 2026, "plan year of the demo quota, policy and projects")
	fs.IntVar(&c.perArea, "projects-per-area", 50, "demo projects per district and per park (0: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.db.validate(); err != nil {
		return c, err
	}
	if c.opts.Parcels < 0 || c.opts.Parcels > demo.MaxParcels {
		return c, fmt.Errorf("--parcels %d must be between 0 and %d", c.opts.Parcels, demo.MaxParcels)
	}
	if c.year < 2000 || c.year > 2100 || c.perArea < 0 || c.perArea > 10000 {
		return c, fmt.Errorf("--year must be 2000..2100 and --projects-per-area 0..10000")
	}
	if c.replace && c.ifEmpty {
		return c, fmt.Errorf("--replace and --if-empty contradict each other: choose one")
	}
	var err error
	if districtsFile != "" {
		if c.opts.Districts, err = readWith(districtsFile, demo.ReadDistricts); err != nil {
			return c, err
		}
	}
	if parksFile != "" {
		if c.opts.Parks, err = readWith(parksFile, demo.ReadParks); err != nil {
			return c, err
		}
	}
	return c, nil
}

func runSeed(ctx context.Context, env environ, args []string) error {
	c, err := parseSeed(env, args)
	if err != nil {
		return err
	}
	store, err := pgstore.Open(ctx, c.db.URL, pgstore.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Ready(ctx); err != nil {
		return err
	}
	if c.ifEmpty {
		n, err := store.Count(ctx)
		if err != nil {
			return err
		}
		if n.Parcels > 0 {
			fmt.Fprintf(env.stdout, "database already holds %d parcels: not seeding\n", n.Parcels)
			return nil
		}
	}
	ds, err := demo.Generate(c.opts)
	if err != nil {
		return err
	}
	t0 := time.Now()
	progress := func(n int64) {
		if n%100000 == 0 || n == int64(c.opts.Parcels) {
			el := time.Since(t0).Seconds()
			fmt.Fprintf(env.stderr, "\rseed: %d/%d parcels (%.0f/s)  ", n, c.opts.Parcels, float64(n)/el)
		}
	}
	st := &seedSteps{w: env.stderr, each: c.times}
	rep, err := store.Load(ctx, pgstore.Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels, Phase: st.phase}, c.replace, progress)
	if err != nil {
		return err
	}
	if rep.Parcels > 0 {
		if err := seedBeyondGeography(ctx, env, store, c, st); err != nil {
			return err
		}
	}
	if c.times {
		st.summary()
	}
	fmt.Fprintln(env.stderr)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(env.stdout, "\nseeded %d districts, %d parks, %d protected zones and %d parcels (seed %d) in %s; Go memory from the OS %d MiB\n",
		rep.Districts, rep.Parks, rep.Zones, rep.Parcels, c.opts.Seed, time.Since(t0).Round(time.Millisecond), ms.Sys>>20)
	return nil
}

// seedBeyondGeography adds the demo's land cases and, unless
// --projects-per-area is 0, its plan and projects to the seeded geography.
func seedBeyondGeography(ctx context.Context, env environ, store *pgstore.Store, c seedConfig, st *seedSteps) error {
	t := time.Now()
	if err := seedLandCases(ctx, store, c.year); err != nil {
		return err
	}
	st.phase("land cases", time.Since(t))
	if c.perArea == 0 {
		return nil
	}
	t = time.Now()
	n, err := seedDemoQuota(ctx, store, c.year, c.perArea)
	if err != nil {
		return err
	}
	st.phase("plan and projects", time.Since(t))
	fmt.Fprintf(env.stdout, "\nseeded the %d plan (800 hm² issued), its default policy and %d projects", c.year, n)
	return nil
}

// seedDemoQuota opens the demo plan with perArea projects per district and
// park under the demo policy: the defaults, with a year end that shows
// carry-over and the 增存挂钩 reward. It returns the projects made.
func seedDemoQuota(ctx context.Context, store *pgstore.Store, year, perArea int) (int64, error) {
	demo := allocation.DefaultPolicy(year)
	demo.CarryOver = allocation.CarryOver{Share: 0.5, Document: "（演示）省厅关于年度计划指标结转的复函"}
	demo.StockLinkage.RewardRatio = 0.1
	pol, _ := json.Marshal(demo)
	return store.SeedQuota(ctx, year, pol, perArea)
}

// seedSteps prints the time of each step of a seed as it ends on w and
// keeps them for the summary. Unless each is set, the index builds are one
// step, "indexes", printed when the next step ends.
type seedSteps struct {
	w       io.Writer
	each    bool
	steps   []seedStep
	indexes time.Duration
}

type seedStep struct {
	name string
	took time.Duration
}

func (s *seedSteps) phase(step string, took time.Duration) {
	if !s.each && strings.HasPrefix(step, "index ") {
		s.indexes += took
		return
	}
	if s.indexes > 0 {
		fmt.Fprintf(s.w, "\nseed: indexes %s", s.indexes.Round(time.Millisecond))
		s.indexes = 0
	}
	s.steps = append(s.steps, seedStep{step, took})
	fmt.Fprintf(s.w, "\nseed: %s %s", step, took.Round(time.Millisecond))
}

// summary prints every step with its share of their sum.
func (s *seedSteps) summary() {
	var sum time.Duration
	for _, st := range s.steps {
		sum += st.took
	}
	fmt.Fprintf(s.w, "\nseed: timings (%s in all):", sum.Round(time.Millisecond))
	for _, st := range s.steps {
		fmt.Fprintf(s.w, "\n  %-36s %10s %5.1f%%", st.name, st.took.Round(time.Millisecond), 100*st.took.Seconds()/max(sum.Seconds(), 1e-9))
	}
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

package main

import (
	"context"
	"fmt"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"os"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// BenchmarkPlanningYear10k measures a planning year at scale on a copy of
// the 1,000,000-parcel benchmark database (LANDQUOTA_BENCH_YEAR_DATABASE_URL,
// made by scripts/bench.sh): 10,000 project parcels, each its project's
// only land and holding its quota, reach approval for conversion in one
// statement, as an import's upsert moves them (the database books 10,000
// consumptions in the same transaction); then their approval is withdrawn
// and a year with 10,000 project accounts holding quota is closed (carry-
// over, lapse and the next year's plan). Targets: approve < 30 s, close
// < 10 s. Each iteration uses a plan year of its own.
func BenchmarkPlanningYear10k(b *testing.B) {
	url := os.Getenv("LANDQUOTA_BENCH_YEAR_DATABASE_URL")
	if url == "" {
		b.Skip("LANDQUOTA_BENCH_YEAR_DATABASE_URL not set: run `make bench`")
	}
	ctx := context.Background()
	s, err := pgstore.Open(ctx, url, pgstore.Options{MaxConns: 4, StatementTimeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pool := s.Pool()
	// 10,000 one-parcel projects on land that needs new quota (made once).
	if _, err := pool.Exec(ctx, `INSERT INTO projects (code, name, category, district_adcode, park_code)
		SELECT 'YB-' || t.id, '基准项目 ' || t.id, 'general', t.district_adcode, t.park_code
		FROM parcels t
		WHERE t.district_adcode = '330109' AND NOT t.construction_land AND coalesce(t.elevation_top > 0, true)
		  AND NOT lq_status_conversion_approved(t.status)
		  AND NOT EXISTS (SELECT 1 FROM project_parcels pp WHERE pp.parcel_id = t.id)
		  AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.code LIKE 'YB-%')
		ORDER BY t.id LIMIT 10000`); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO project_parcels (project_id, parcel_id)
		SELECT p.id, substr(p.code, 4)::bigint FROM projects p WHERE p.code LIKE 'YB-%' ON CONFLICT DO NOTHING`); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM projects WHERE code LIKE 'YB-%'").Scan(&n); err != nil || n != 10000 {
		b.Fatalf("%d benchmark projects (%v): the database lacks land that needs quota", n, err)
	}
	var approve, closing time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var year int
		if err := pool.QueryRow(ctx, "SELECT greatest(2090, coalesce(max(year), 0) + 2) FROM plans").Scan(&year); err != nil {
			b.Fatal(err)
		}
		if _, _, _, _, err := s.OpenPlan(ctx, quota.Opening{Year: year, Kind: quota.KindNewConstruction, By: "bench",
			Document: &quota.Document{Number: "bench"}, Issue: new(900_000_000 * amount.PerM2), IdempotencyKey: fmt.Sprint("bench-open-", year)}); err != nil {
			b.Fatal(err)
		}
		// Quota down to every project: set-based, as a scenario approval books it.
		for _, sql := range []string{
			`INSERT INTO ledger_entries (plan_id, kind, from_account, to_account, amount_m2, reason, created_by, idempotency_key)
			 SELECT c.plan_id, 'allocate', c.id, d.id, (SELECT sum(round(t.area_m2::numeric, 2)) FROM projects p JOIN parcels t ON t.id = substr(p.code, 4)::bigint WHERE p.code LIKE 'YB-%'),
			        'bench', 'bench', 'bench-d-' || c.plan_id
			 FROM quota_accounts c JOIN quota_accounts d ON d.plan_id = c.plan_id AND d.code = '330109'
			 WHERE c.plan_id = (SELECT id FROM plans WHERE year = $1) AND c.kind = 'city'`,
			`INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode, project_id)
			 SELECT d.plan_id, d.id, 'project', 'P' || p.id, p.name, p.name, '330109', p.id
			 FROM projects p, quota_accounts d WHERE p.code LIKE 'YB-%' AND d.plan_id = (SELECT id FROM plans WHERE year = $1) AND d.code = '330109'`,
			`INSERT INTO ledger_entries (plan_id, kind, from_account, to_account, amount_m2, reason, created_by, idempotency_key)
			 SELECT a.plan_id, 'allocate', a.parent_id, a.id, round(t.area_m2::numeric, 2), 'bench', 'bench', 'bench-p-' || a.id
			 FROM quota_accounts a JOIN project_parcels pp ON pp.project_id = a.project_id JOIN parcels t ON t.id = pp.parcel_id
			 WHERE a.plan_id = (SELECT id FROM plans WHERE year = $1) AND a.kind = 'project'`,
		} {
			if _, err := pool.Exec(ctx, sql, year); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		tag, err := pool.Exec(ctx, `UPDATE parcels t SET status = 'approved', approved_on = make_date($1, 3, 1)
			FROM project_parcels pp JOIN projects p ON p.id = pp.project_id
			WHERE pp.parcel_id = t.id AND p.code LIKE 'YB-%'`, year)
		approve += time.Since(start)
		if err != nil || tag.RowsAffected() != 10000 {
			b.Fatalf("approving: %v (%d rows)", err, tag.RowsAffected())
		}
		b.StopTimer()
		var consumed int
		pool.QueryRow(ctx, "SELECT count(*) FROM ledger_entries WHERE kind = 'consume' AND plan_id = (SELECT id FROM plans WHERE year = $1)", year).Scan(&consumed)
		if consumed != 10000 {
			b.Fatalf("%d consumptions booked, want 10000", consumed)
		}
		// Withdraw the approvals (their consumption is reversed), so the
		// close finds 10,000 project accounts holding quota.
		if _, err := pool.Exec(ctx, `UPDATE parcels t SET status = 'filed', approved_on = NULL
			FROM project_parcels pp JOIN projects p ON p.id = pp.project_id WHERE pp.parcel_id = t.id AND p.code LIKE 'YB-%'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start = time.Now()
		c, err := service.New(s).YearEnd.Close(ctx, year, quota.KindNewConstruction, "bench")
		closing += time.Since(start)
		if err != nil || len(c.Accounts) < 10000 {
			b.Fatalf("close: %v (%d accounts)", err, len(c.Accounts))
		}
	}
	b.ReportMetric(approve.Seconds()/float64(b.N), "approve-10k-s")
	b.ReportMetric(closing.Seconds()/float64(b.N), "close-10k-s")
}

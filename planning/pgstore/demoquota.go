package pgstore

import (
	"context"
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// SeedQuota adds the demo's quota side to a seeded geography, so the
// allocation flow can be tried at once: a plan for year with quota issued
// to the city and partly passed to the districts and parks, the policy
// (version 1, as given), and projects built from runs of neighbouring
// parcels not yet approved for conversion. Deterministic for a given
// geography.
func (s *LedgerStore) SeedQuota(ctx context.Context, year int, policy []byte, perArea int) (projects int64, err error) {
	if _, _, _, _, err := s.OpenPlan(ctx, quota.Opening{Year: year, Kind: quota.KindNewConstruction, Name: "年度新增建设用地计划 (演示)",
		Document: &quota.Document{Number: fmt.Sprintf("（演示）浙自然资〔%d〕1号", year), Date: fmt.Sprintf("%d-02-01", year), Issuer: "浙江省自然资源厅"},
		By:       "seed"}); err != nil {
		return 0, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO policies (year, version, body, note, created_by) VALUES ($1, 1, $2, 'demo default', 'seed')
			ON CONFLICT DO NOTHING`, year, policy); err != nil {
			return domainError(err)
		}
		// Projects: within each district and park, runs of up to three
		// neighbouring parcels (the generator streams them block by block).
		// The status test is made once per status, not per parcel (status
		// is NOT NULL and a key of parcel_statuses): per parcel, its two
		// lookups took 9 of the query's 10 s at 1M.
		_, err := tx.Exec(ctx, `
			WITH candidates AS (
				SELECT t.id, t.district_adcode, t.park_code, t.land_use_code, t.affordable_housing,
				       row_number() OVER (PARTITION BY t.district_adcode, t.park_code ORDER BY t.id) AS rn
				FROM parcels t
				WHERE t.status IN (SELECT code FROM parcel_statuses WHERE NOT lq_status_conversion_approved(code))
				  AND coalesce(t.elevation_top > 0, true)
				  AND NOT EXISTS (SELECT 1 FROM project_parcels pp WHERE pp.parcel_id = t.id)),
			groups AS (
				SELECT district_adcode, park_code, (rn - 1) / 3 AS g, array_agg(id ORDER BY id) AS ids,
				       (array_agg(land_use_code ORDER BY id))[1] AS use, bool_or(affordable_housing) AS affordable
				FROM candidates WHERE rn <= 4 * $1 AND rn % 4 <> 0 -- every fourth parcel stays free for the planners
				GROUP BY district_adcode, park_code, (rn - 1) / 3),
			made AS (
				INSERT INTO projects (code, name, category, provincial_major, national_key, district_adcode, park_code,
				                      investment_wan, tax_per_mu_wan, readiness)
				SELECT format('DEMO-%s-%s-%s', district_adcode, coalesce(park_code, 'X'), g),
				       format('%s%s项目 %s', coalesce((SELECT name_zh FROM parks WHERE code = park_code), (SELECT name_zh FROM districts WHERE adcode = district_adcode)),
				              CASE WHEN use LIKE '10%' THEN '产业' WHEN use LIKE '07%' THEN '住房' WHEN use LIKE '08%' OR use LIKE '12%' OR use LIKE '13%' THEN '民生设施' ELSE '综合' END, g + 1),
				       CASE WHEN use LIKE '10%' AND park_code IN ('BINFU', 'BINXIAO') AND g % 2 = 0 THEN 'major_industrial'
				            WHEN use LIKE '10%' THEN 'important_manufacturing'
				            WHEN affordable THEN 'affordable_housing'
				            WHEN use LIKE '08%' OR use LIKE '12%' OR use LIKE '13%' THEN 'livelihood_infrastructure'
				            ELSE 'general' END,
				       use LIKE '10%' AND g % 7 = 0, g % 29 = 0, district_adcode, park_code,
				       1000 + (abs(hashtext(district_adcode || g)) % 200000) / 10.0,
				       20 + (abs(hashtext(g || district_adcode)) % 1500) / 10.0,
				       (abs(hashtext(coalesce(park_code, '') || g)) % 101) / 100.0
				FROM groups ORDER BY district_adcode, park_code NULLS FIRST, g
				RETURNING id, code)
			INSERT INTO project_parcels (project_id, parcel_id)
			SELECT m.id, unnest(g.ids) FROM made m
			JOIN groups g ON m.code = format('DEMO-%s-%s-%s', g.district_adcode, coalesce(g.park_code, 'X'), g.g)`, perArea)
		if err != nil {
			return domainError(err)
		}
		return tx.QueryRow(ctx, "SELECT count(*) FROM projects").Scan(&projects)
	})
	if err != nil {
		return 0, err
	}
	// The year's quota: 800 hm² issued, part passed down; the allocation
	// policy keeps its own reserve share at the city.
	moves := []quota.Booking{
		{Entry: quota.EntryIssue, To: CityAdcode, AmountM2: 8_000_000 * amount.PerM2, Reason: "省下达年度新增建设用地计划 (演示)",
			Document: &quota.Document{Number: fmt.Sprintf("（演示）浙自然资〔%d〕1号", year), Date: fmt.Sprintf("%d-02-01", year), Issuer: "浙江省自然资源厅"}},
		{Entry: quota.EntryAllocate, From: CityAdcode, To: "330108", AmountM2: 600_000 * amount.PerM2, Reason: "高新区(滨江)年度指标 (演示)"},
		{Entry: quota.EntryAllocate, From: CityAdcode, To: "330111", AmountM2: 900_000 * amount.PerM2, Reason: "富阳区年度指标 (演示)"},
		{Entry: quota.EntryAllocate, From: CityAdcode, To: "330109", AmountM2: 1_000_000 * amount.PerM2, Reason: "萧山区年度指标 (演示)"},
		{Entry: quota.EntryAllocate, From: "330111", To: "330111/BINFU", AmountM2: 300_000 * amount.PerM2, Reason: "滨富特别合作区专项 (演示)"},
		{Entry: quota.EntryAllocate, From: "330109", To: "330109/BINXIAO", AmountM2: 400_000 * amount.PerM2, Reason: "滨萧特别合作园专项 (演示)"},
	}
	for i, b := range moves {
		b.Year, b.Kind, b.By = year, quota.KindNewConstruction, "seed"
		b.IdempotencyKey = fmt.Sprintf("demo-%d-%d", year, i)
		if _, err := s.Book(ctx, b); err != nil {
			return projects, err
		}
	}
	return projects, nil
}

package pgstore

import (
	"context"
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// DistrictStock is, per district of the city, the 增存挂钩 facts of a
// year by the yearly report's own stock rules (DistrictStockFacts): 批而未供
// supplied and 闲置 disposed during the year, and the 5-year supply rate at
// its end. The allocation's district facts and the year-end close both read
// them, so they agree with the report.
func (s *LedgerStore) DistrictStock(ctx context.Context, year int) ([]quota.DistrictStock, error) {
	facts, err := s.land.DistrictStockFacts(ctx, year, planner.DefaultRules())
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT adcode, name_zh, name_en FROM districts WHERE left(adcode, 4) = $1 ORDER BY adcode", cityPrefix)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.DistrictStock, error) {
		var d quota.DistrictStock
		return d, r.Scan(&d.District, &d.NameZh, &d.NameEn)
	})
	if err != nil {
		return nil, domainError(err)
	}
	for i := range out {
		f := facts[out[i].District]
		// The report's measured sums become amounts here, once.
		out[i].UnsuppliedDisposed, out[i].IdleDisposed = amount.FromM2(f.UnsuppliedDisposed.M2), amount.FromM2(f.IdleDisposed.M2)
		out[i].SupplyRate5y = f.SupplyRate
	}
	return out, nil
}

// CloseTx books the year end in one transaction: under a lock on the plan
// it reads the accounts, decide computes the closing (planning/service
// YearEnd), and this books it: carry-over out of every account and into
// the same account of next year's plan (opened when missing), the lapsed
// rest, the 增存挂钩 rewards into next year's district accounts, and the
// plan closed. All or nothing.
func (s *LedgerStore) CloseTx(ctx context.Context, year int, kind quota.Kind, by string, decide func(quota.Plan, []quota.Account) (quota.Closing, error)) (quota.Closing, error) {
	var c quota.Closing
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var plan int64
		if err := tx.QueryRow(ctx, "SELECT id FROM plans WHERE year = $1 AND kind = $2 FOR UPDATE", year, string(kind)).Scan(&plan); err != nil {
			if isNoRows(err) {
				_, err = planID(ctx, tx, year, kind)
			}
			return domainError(err)
		}
		p, accounts, err := s.plan(ctx, tx, year, kind)
		if err != nil {
			return err
		}
		if c, err = decide(p, accounts); err != nil {
			return err
		}
		next, _, err := openPlanTx(ctx, tx, quota.Opening{Year: year + 1, Kind: kind})
		if err != nil {
			return err
		}
		var codes, carried []string
		var carry, lapse []amount.Area
		for _, a := range c.Accounts {
			codes, carry, lapse = append(codes, a.Code), append(carry, a.CarryM2), append(lapse, a.LapseM2)
			if a.CarryM2 > 0 {
				carried = append(carried, a.Code)
			}
		}
		reasonOut := fmt.Sprintf("%d 年度结转至 %d 年度 / carried over to %d", year, year+1, year+1)
		if c.Document != "" {
			reasonOut = fmt.Sprintf("%d 年度结转至 %d 年度（%s） / carried over to %d (%s)", year, year+1, c.Document, year+1, c.Document)
		}
		// Out of the closing plan: carry-over, then the lapsed rest.
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (plan_id, kind, from_account, amount_m2, reason, created_by, idempotency_key, doc_number)
			SELECT $1, k.kind, a.id, k.amount, CASE k.kind WHEN 'carry_over' THEN $5 ELSE $6 END, $7,
			       format('close:%s:%s:%s', $1, a.code, k.kind), CASE WHEN k.kind = 'carry_over' THEN nullif($8, '') END
			FROM unnest($2::text[], $3::numeric[], $4::numeric[]) AS x(code, carry, lapse)
			JOIN quota_accounts a ON a.plan_id = $1 AND a.code = x.code
			CROSS JOIN LATERAL (VALUES ('carry_over', x.carry), ('lapse', x.lapse)) AS k(kind, amount)
			WHERE k.amount > 0
			ORDER BY a.id, k.kind`,
			plan, codes, carry, lapse, reasonOut,
			fmt.Sprintf("%d 年度未结转部分作废 / lapsed at the end of %d", year, year), by, c.Document); err != nil {
			return domainError(err)
		}
		// The accounts that receive it next year: the same code, opened
		// under the same parent when it is a project's.
		if _, err := tx.Exec(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode, park_code, project_id)
			SELECT $2, np.id, a.kind, a.code, a.name_zh, a.name_en, a.district_adcode, a.park_code, a.project_id
			FROM quota_accounts a JOIN quota_accounts pa ON pa.id = a.parent_id
			JOIN quota_accounts np ON np.plan_id = $2 AND np.code = pa.code
			WHERE a.plan_id = $1 AND a.kind = 'project' AND a.code = ANY($3)
			ORDER BY a.code
			ON CONFLICT (plan_id, code) DO NOTHING`, plan, next, carried); err != nil {
			return domainError(err)
		}
		// Into next year's plan: each carry-over arrives where it came from
		// (or, for an account next year lacks, in its district, else the city).
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (plan_id, kind, to_account, amount_m2, reason, created_by, idempotency_key, carried_from, doc_number)
			SELECT $2, 'carry_in', coalesce(same.id, dist.id, city.id), e.amount_m2, $3, $4, 'carry_in:' || e.id, e.id, e.doc_number
			FROM ledger_entries e JOIN quota_accounts a ON a.id = e.from_account
			LEFT JOIN quota_accounts same ON same.plan_id = $2 AND same.code = a.code
			LEFT JOIN quota_accounts dist ON dist.plan_id = $2 AND dist.code = a.district_adcode AND dist.kind = 'district'
			JOIN quota_accounts city ON city.plan_id = $2 AND city.kind = 'city'
			WHERE e.plan_id = $1 AND e.kind = 'carry_over'
			ORDER BY e.id`, plan, next, fmt.Sprintf("%d 年度结转收入 / carried over from %d", year, year), by); err != nil {
			return domainError(err)
		}
		for _, l := range c.Linkage {
			if l.RewardM2 <= 0 {
				continue
			}
			b := quota.Booking{Year: year + 1, Kind: kind, Entry: quota.EntryReward, To: l.District, AmountM2: l.RewardM2,
				Reason: "增存挂钩奖励：" + l.ExplanationZh + " / stock-linkage reward: " + l.ExplanationEn, By: by,
				IdempotencyKey: fmt.Sprintf("close:%d:%s:reward", plan, l.District)}
			if _, err := bookTx(ctx, tx, next, b, 0, 0); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE plans SET state = 'closed', closed_at = now(), closed_by = $2 WHERE id = $1", plan, by)
		return domainError(err)
	})
	if err != nil {
		return quota.Closing{}, err
	}
	return c, nil
}

package pgstore

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/jackc/pgx/v5"
)

// SaveDistrictEvaluations stores the rows (a year and district given again
// replaces its figures) in one transaction: all or none. An unknown
// district is refused naming its row (1-based).
func (s *RuleStore) SaveDistrictEvaluations(ctx context.Context, es []planner.DistrictEvaluation, by string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for i, e := range es {
			var known bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM districts WHERE adcode = $1)", e.Adcode).Scan(&known); err != nil {
				return domainError(err)
			}
			if !known {
				return planning.Errorf(planning.ErrInvalid, "row %d: adcode: no district %q is stored", i+1, e.Adcode).
					WithDetail("row", i+1).WithDetail("column", "adcode")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO district_evaluations (year, adcode, tax_per_mu_wan, value_added_per_mu_wan, recorded_by)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (year, adcode) DO UPDATE SET tax_per_mu_wan = EXCLUDED.tax_per_mu_wan,
				  value_added_per_mu_wan = EXCLUDED.value_added_per_mu_wan, recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
				e.Year, e.Adcode, e.TaxPerMuWan, e.ValueAddedPerMuWan, by); err != nil {
				return domainError(err)
			}
		}
		return nil
	})
}

// DistrictEvaluations reads a year's 亩均 figures by adcode (districts
// without an evaluation are absent).
func (s *RuleStore) DistrictEvaluations(ctx context.Context, year int) (map[string]planner.DistrictEvaluation, error) {
	rows, err := s.pool.Query(ctx, `SELECT year, adcode, tax_per_mu_wan::float8, value_added_per_mu_wan::float8
		FROM district_evaluations WHERE year = $1 ORDER BY adcode`, year)
	if err != nil {
		return nil, domainError(err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[planner.DistrictEvaluation])
	if err != nil {
		return nil, domainError(err)
	}
	out := make(map[string]planner.DistrictEvaluation, len(list))
	for _, e := range list {
		out[e.Adcode] = e
	}
	return out, nil
}

package pgstore

import (
	"context"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// YearReport gathers the year's statistics: the quota plans of the year,
// and one pass over the parcels for the supply, stock and land-use facts.
func (s *Store) YearReport(ctx context.Context, year int, asof time.Time, r planner.Rules) (planner.Report, error) {
	if err := r.Check(); err != nil {
		return planner.Report{}, err
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	if asof.Before(from) || asof.After(end) {
		return planner.Report{}, planning.Errorf(planning.ErrInvalid, "asof: %s is not in %d", asof.Format(time.DateOnly), year).WithDetail("parameter", "asof")
	}
	in := planner.ReportInput{Year: year, Start: from.AddDate(0, 0, -1), End: asof, Rules: r, ClassNames: map[string]planner.ClassName{}}
	var err error
	if in.Districts, in.Parks, err = s.units(ctx); err != nil {
		return planner.Report{}, err
	}

	if err := s.reportPlans(ctx, year, &in); err != nil {
		return planner.Report{}, err
	}
	res, err := s.groupFacts(ctx, r, from, in.Start, in.End)
	if err != nil {
		return planner.Report{}, err
	}
	in.Groups, in.Classes, in.CurrentClasses = res.groups, res.planned.list, res.actual.list
	if in.AffordableTarget, err = s.AffordableTarget(ctx, year); err != nil {
		return planner.Report{}, err
	}
	return planner.BuildReport(in, time.Now()), nil
}

// reportPlans reads the year's plan of every quota kind that has one, and
// the names of the land-use classes.
func (s *Store) reportPlans(ctx context.Context, year int, in *planner.ReportInput) error {
	rows, err := s.pool.Query(ctx, `SELECT k.code, k.name_zh, k.name_en FROM quota_kinds k
		WHERE EXISTS (SELECT 1 FROM plans p WHERE p.year = $1 AND p.kind = k.code)
		ORDER BY CASE k.code WHEN 'new_construction' THEN 0 WHEN 'linkage' THEN 1 ELSE 2 END`, year)
	if err != nil {
		return domainError(err)
	}
	kinds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (planner.PlanFigures, error) {
		var p planner.PlanFigures
		return p, row.Scan(&p.Kind, &p.NameZh, &p.NameEn)
	})
	if err != nil {
		return domainError(err)
	}
	for _, p := range kinds {
		_, accounts, err := s.Plan(ctx, year, quota.Kind(p.Kind))
		if err != nil {
			return err
		}
		p.Accounts = accounts
		in.Plans = append(in.Plans, p)
	}
	rows, err = s.pool.Query(ctx, "SELECT code, name_zh, name_en FROM land_use_classes WHERE level = 1 OR code LIKE '1001%'")
	if err != nil {
		return domainError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var n planner.ClassName
		if err := rows.Scan(&code, &n.NameZh, &n.NameEn); err != nil {
			return domainError(err)
		}
		in.ClassNames[code] = n
	}
	return domainError(rows.Err())
}

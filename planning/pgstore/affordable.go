package pgstore

import (
	"context"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// SetAffordableTarget stores (or replaces) the city's affordable-housing
// land target of a year with its document.
func (s *RuleStore) SetAffordableTarget(ctx context.Context, t planner.AffordableTarget, by string) error {
	switch {
	case t.Year < 1990 || t.Year > 2100:
		return planning.Errorf(planning.ErrInvalid, "year: %d is not between 1990 and 2100", t.Year).WithDetail("field", "year")
	case !(t.TargetM2 > 0):
		return planning.Errorf(planning.ErrInvalid, "target: the target must be more than 0").WithDetail("field", "target")
	case strings.TrimSpace(t.Document) == "":
		return planning.Errorf(planning.ErrInvalid, "document: the target's document (文号) is required").WithDetail("field", "document")
	}
	if t.City == "" {
		t.City = "330100"
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO affordable_housing_targets (year, city_adcode, target_m2, document, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (year) DO UPDATE SET city_adcode = EXCLUDED.city_adcode, target_m2 = EXCLUDED.target_m2,
		  document = EXCLUDED.document, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		t.Year, t.City, t.TargetM2, strings.TrimSpace(t.Document), by)
	return domainError(err)
}

// AffordableTarget reads a year's target; nil when none was set.
func (s *RuleStore) AffordableTarget(ctx context.Context, year int) (*planner.AffordableTarget, error) {
	t := planner.AffordableTarget{Year: year}
	err := s.pool.QueryRow(ctx, "SELECT city_adcode, target_m2, document FROM affordable_housing_targets WHERE year = $1", year).
		Scan(&t.City, &t.TargetM2, &t.Document)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, domainError(err)
	}
	return &t, nil
}

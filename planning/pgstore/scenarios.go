package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
	"github.com/jackc/pgx/v5"
)

// Policy reads a year's policy: one version, or the latest when version is
// 0. Without any stored version it is ErrNotFound.
func (s *ScenarioStore) Policy(ctx context.Context, year, version int) (quota.PolicyVersion, error) {
	pv := quota.PolicyVersion{Year: year}
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT version, body, note, created_by, created_at FROM policies
		WHERE year = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1`, year, version).
		Scan(&pv.Version, &body, &pv.Note, &pv.CreatedBy, &pv.CreatedAt)
	if isNoRows(err) {
		if version > 0 {
			return pv, planning.Errorf(planning.ErrNotFound, "there is no version %d of the %d policy", version, year)
		}
		return pv, planning.Errorf(planning.ErrNotFound, "no policy is stored for %d yet", year)
	}
	if err != nil {
		return pv, domainError(err)
	}
	if pv.Policy, err = allocation.DecodePolicy(body); err != nil {
		return pv, fmt.Errorf("stored policy %d v%d no longer decodes: %w", year, pv.Version, err)
	}
	return pv, nil
}

// PolicyVersions lists the stored versions of a year (newest first).
func (s *ScenarioStore) PolicyVersions(ctx context.Context, year int) ([]quota.PolicyVersion, error) {
	rows, err := s.pool.Query(ctx, "SELECT version, note, created_by, created_at FROM policies WHERE year = $1 ORDER BY version DESC", year)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.PolicyVersion, error) {
		pv := quota.PolicyVersion{Year: year}
		return pv, r.Scan(&pv.Version, &pv.Note, &pv.CreatedBy, &pv.CreatedAt)
	})
	return out, domainError(err)
}

// SavePolicy validates and stores a policy as the year's next version.
func (s *ScenarioStore) SavePolicy(ctx context.Context, year int, body []byte, note, by string) (quota.PolicyVersion, error) {
	p, err := allocation.DecodePolicy(body)
	if err != nil {
		return quota.PolicyVersion{}, err
	}
	if p.Year != year {
		return quota.PolicyVersion{}, planning.Errorf(planning.ErrInvalid, "year: the policy says %d but is saved under %d", p.Year, year).WithDetail("field", "year")
	}
	var pv quota.PolicyVersion
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7431003, $1)", year); err != nil {
			return domainError(err)
		}
		var v int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) + 1 FROM policies WHERE year = $1", year).Scan(&v); err != nil {
			return domainError(err)
		}
		p.Version = v
		if err := p.Validate(); err != nil {
			return err
		}
		stored, _ := json.Marshal(p)
		pv = quota.PolicyVersion{Year: year, Version: v, Policy: p, Note: note, CreatedBy: by}
		return domainError(tx.QueryRow(ctx, "INSERT INTO policies (year, version, body, note, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING created_at",
			year, v, stored, note, by).Scan(&pv.CreatedAt))
	})
	return pv, err
}

// AllocationRows reads what the engine's input is built from (the
// building is planning/service.EngineInput): the plan's accounts and the
// ledger mark they reflect, the districts' stock facts and 亩均 figures of
// the year before, the parks that receive the tilt, and every project with
// its need by the year's rules.
func (s *ScenarioStore) AllocationRows(ctx context.Context, year int, kind quota.Kind) (service.AllocationRows, error) {
	var out service.AllocationRows
	var err error
	if out.Plan, out.Accounts, err = s.Plan(ctx, year, kind); err != nil {
		return out, err
	}
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM ledger_entries WHERE plan_id = $1", out.Plan.ID).Scan(&out.LedgerMark); err != nil {
		return out, domainError(err)
	}
	if out.Stock, err = s.DistrictStock(ctx, year-1); err != nil {
		return out, err
	}
	if out.Evaluations, err = s.land.DistrictEvaluations(ctx, year-1); err != nil {
		return out, err
	}
	rows, err := s.pool.Query(ctx, "SELECT code FROM parks WHERE receives_tilt")
	if err != nil {
		return out, domainError(err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return out, domainError(err)
	}
	out.TiltParks = map[string]bool{}
	for _, c := range codes {
		out.TiltParks[c] = true
	}
	out.Projects, err = s.projectsOfYear(ctx, year)
	return out, err
}

// SaveScenario stores a run.
func (s *ScenarioStore) SaveScenario(ctx context.Context, sc quota.Scenario) (quota.Scenario, error) {
	inputs, _ := json.Marshal(sc.Input)
	result, _ := json.Marshal(sc.Result)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, sc.Year, sc.Kind)
		if err != nil {
			return err
		}
		return domainError(tx.QueryRow(ctx, `INSERT INTO scenarios (plan_id, policy_year, policy_version, method, name, ledger_mark, inputs, result, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, status, created_at`,
			plan, sc.Year, sc.PolicyVersion, string(sc.Method), sc.Name, sc.LedgerMark, inputs, result, sc.CreatedBy).
			Scan(&sc.ID, &sc.Status, &sc.CreatedAt))
	})
	return sc, err
}

// Scenario reads one saved run (with its inputs when withInput).
func (s *ScenarioStore) Scenario(ctx context.Context, id int64, withInput bool) (quota.Scenario, error) {
	var sc quota.Scenario
	var inputs, result []byte
	var approvedBy *string
	err := s.pool.QueryRow(ctx, `SELECT s.id, p.year, p.kind, s.policy_version, s.method, s.name, s.status, s.ledger_mark,
		s.ledger_mark <> coalesce((SELECT max(id) FROM ledger_entries e WHERE e.plan_id = s.plan_id AND e.scenario_id IS DISTINCT FROM s.id), 0),
		s.created_by, s.created_at, s.approved_by, s.approved_at, s.inputs, s.result
		FROM scenarios s JOIN plans p ON p.id = s.plan_id WHERE s.id = $1`, id).
		Scan(&sc.ID, &sc.Year, &sc.Kind, &sc.PolicyVersion, &sc.Method, &sc.Name, &sc.Status, &sc.LedgerMark, &sc.Stale,
			&sc.CreatedBy, &sc.CreatedAt, &approvedBy, &sc.ApprovedAt, &inputs, &result)
	if isNoRows(err) {
		return sc, planning.Errorf(planning.ErrNotFound, "scenario %d does not exist", id)
	}
	if err != nil {
		return sc, domainError(err)
	}
	if approvedBy != nil {
		sc.ApprovedBy = *approvedBy
	}
	if sc.Status == "approved" {
		sc.Stale = false
	}
	if err := json.Unmarshal(result, &sc.Result); err != nil {
		return sc, err
	}
	if withInput {
		sc.Input = &allocation.Input{}
		if err := json.Unmarshal(inputs, sc.Input); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// Scenarios lists a plan's runs, newest first (without inputs and results'
// decisions, which can be large).
func (s *ScenarioStore) Scenarios(ctx context.Context, year int, kind quota.Kind) ([]quota.Scenario, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.id FROM scenarios s JOIN plans p ON p.id = s.plan_id
		WHERE p.year = $1 AND p.kind = $2 ORDER BY s.id DESC LIMIT 200`, year, string(kind))
	if err != nil {
		return nil, domainError(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, domainError(err)
	}
	out := make([]quota.Scenario, 0, len(ids))
	for _, id := range ids {
		sc, err := s.Scenario(ctx, id, false)
		if err != nil {
			return nil, err
		}
		sc.Result.Decisions = nil
		out = append(out, sc)
	}
	return out, nil
}

// ApproveTx approves scenario sc in one transaction, all or none: under a
// lock on its plan (no booking can slip between the check and the grants)
// it reads the scenario's status and the plan's ledger mark, books what
// decide returns as the scenario's entries, and marks it approved.
func (s *ScenarioStore) ApproveTx(ctx context.Context, sc quota.Scenario, by string, decide func(quota.ScenarioLock) ([]quota.Booking, error)) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, sc.Year, sc.Kind)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1 FROM plans WHERE id = $1 FOR UPDATE", plan); err != nil {
			return domainError(err)
		}
		var l quota.ScenarioLock
		if err := tx.QueryRow(ctx, `SELECT status, (SELECT coalesce(max(id), 0) FROM ledger_entries WHERE plan_id = $2)
			FROM scenarios WHERE id = $1 FOR UPDATE`, sc.ID, plan).Scan(&l.Status, &l.LedgerNow); err != nil {
			return domainError(err)
		}
		bookings, err := decide(l)
		if err != nil {
			return err
		}
		for _, b := range bookings {
			if _, err := bookTx(ctx, tx, plan, b, 0, sc.ID); err != nil {
				return fmt.Errorf("booking %s → %s: %w", b.From, b.To, err)
			}
		}
		_, err = tx.Exec(ctx, "UPDATE scenarios SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1", sc.ID, by)
		return domainError(err)
	})
}

package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// Policy reads a year's policy: one version, or the latest when version is
// 0. Without any stored version it is ErrNotFound.
func (s *Store) Policy(ctx context.Context, year, version int) (quota.PolicyVersion, error) {
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
func (s *Store) PolicyVersions(ctx context.Context, year int) ([]quota.PolicyVersion, error) {
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
func (s *Store) SavePolicy(ctx context.Context, year int, body []byte, note, by string) (quota.PolicyVersion, error) {
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

// AllocationInput gathers what the engine needs for a plan: the city's
// balance, the district and park accounts with their stock-land facts, and
// every project's outstanding need and eligibility. A project draws on the
// earmark of the quota-holding park its land lies in, else its district.
func (s *Store) AllocationInput(ctx context.Context, year int, kind quota.Kind, pol allocation.Policy) (allocation.Input, int64, error) {
	in := allocation.Input{Year: year, Kind: string(kind)}
	plan, accounts, err := s.Plan(ctx, year, kind)
	if err != nil {
		return in, 0, err
	}
	var mark int64
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM ledger_entries WHERE plan_id = $1", plan.ID).Scan(&mark); err != nil {
		return in, 0, domainError(err)
	}
	facts, err := s.districtFacts(ctx, year)
	if err != nil {
		return in, 0, err
	}
	rows, err := s.pool.Query(ctx, "SELECT code FROM parks WHERE receives_tilt")
	if err != nil {
		return in, 0, domainError(err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return in, 0, domainError(err)
	}
	tilt := map[string]bool{}
	for _, c := range codes {
		tilt[c] = true
	}
	held := map[int64]amount.Area{}    // project id -> what its account holds
	parentOf := map[int64]string{}     // project id -> the account its account sits under
	parkAccount := map[string]string{} // park code -> earmark account
	byID := map[int64]string{}
	for _, a := range accounts {
		byID[a.ID] = a.Code
	}
	districts := map[string]bool{}
	for _, a := range accounts {
		switch a.Kind {
		case quota.AccountCity:
			in.Available = a.HeldM2
		case quota.AccountDistrict:
			districts[a.Code] = true
			in.Accounts = append(in.Accounts, allocation.Account{ID: a.Code, Kind: allocation.AccountDistrict, Name: a.NameZh,
				Facts: facts[a.Code], Held: a.HeldM2})
		case quota.AccountPark:
			parkAccount[a.Park] = a.Code
			in.Accounts = append(in.Accounts, allocation.Account{ID: a.Code, ParentID: a.District, Kind: allocation.AccountPark,
				Name: a.NameZh, ReceivesTilt: tilt[a.Park], Held: a.HeldM2})
		case quota.AccountProject:
			held[a.ProjectID] = a.HeldM2
			parentOf[a.ProjectID] = byID[a.ParentID]
		}
	}
	projects, err := s.projectsOfYear(ctx, year)
	if err != nil {
		return in, 0, err
	}
	for _, p := range projects {
		if !districts[p.District] {
			continue // its district holds no account in this plan
		}
		outstanding := p.Need.NewM2 - held[p.ID]
		if outstanding <= 0 && p.Need.NewM2 > 0 {
			continue // already holds its need
		}
		acc := p.District
		if code, ok := parkAccount[p.LandPark]; ok {
			acc = code
		}
		if parent, ok := parentOf[p.ID]; ok {
			acc = parent // its account exists: it draws where that account sits
		}
		in.Projects = append(in.Projects, allocation.Project{ID: p.ID, Name: p.Name, Category: p.Category,
			AccountID: acc, ProvincialMajor: p.ProvincialMajor, NationalKey: p.NationalKey,
			Need: max(outstanding, 0), Investment: p.InvestmentWan, TaxPerMu: p.TaxPerMuWan,
			Readiness: p.Readiness, Eligible: p.Need.Eligible, FarmlandOverlapM2: p.Need.FarmlandOverlapM2,
			RedLineOverlapM2: p.Need.RedLineOverlapM2, OutsideBoundaryM2: p.Need.OutsideBoundaryM2})
	}
	return in, mark, nil
}

// districtFacts are each district's facts for the split of year's plan:
// by the yearly report's stock rules for the year before (districtStock),
// the 5-year supply rate at its end and the 批而未供 and 闲置 land it disposed
// of; and its 亩均税收 and 亩均增加值 from the district evaluation table (not
// from what projects claim; 0, unknown, when not evaluated).
func (s *Store) districtFacts(ctx context.Context, year int) (map[string]allocation.AccountFacts, error) {
	stock, err := s.districtStock(ctx, year-1)
	if err != nil {
		return nil, err
	}
	eval, err := s.DistrictEvaluations(ctx, year-1)
	if err != nil {
		return nil, err
	}
	out := map[string]allocation.AccountFacts{}
	for _, d := range stock {
		// Nothing approved in five years leaves nothing unsupplied: the
		// district meets any supply-rate floor.
		f := allocation.AccountFacts{SupplyRate5y: 1, UnsuppliedDisposed: d.UnsuppliedDisposed, IdleDisposed: d.IdleDisposed}
		if d.SupplyRate5y != nil {
			f.SupplyRate5y = min(1, max(0, *d.SupplyRate5y))
		}
		if e, ok := eval[d.District]; ok {
			f.TaxPerMu, f.ValueAddedPerMu = e.TaxPerMuWan, e.ValueAddedPerMuWan
		}
		out[d.District] = f
	}
	return out, nil
}

// SaveScenario stores a run.
func (s *Store) SaveScenario(ctx context.Context, sc quota.Scenario) (quota.Scenario, error) {
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
func (s *Store) Scenario(ctx context.Context, id int64, withInput bool) (quota.Scenario, error) {
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
func (s *Store) Scenarios(ctx context.Context, year int, kind quota.Kind) ([]quota.Scenario, error) {
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

// ApproveScenario books every grant of a scenario in one transaction, all
// or none: the city passes each district what its projects were granted,
// each district its park earmarks theirs, and each account its projects'.
// A scenario run before the ledger last moved is refused as stale.
func (s *Store) ApproveScenario(ctx context.Context, id int64, by string) (quota.Scenario, error) {
	if by == "" {
		return quota.Scenario{}, planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	sc, err := s.Scenario(ctx, id, false)
	if err != nil {
		return sc, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, sc.Year, sc.Kind)
		if err != nil {
			return err
		}
		// Lock the plan: no booking can slip between the staleness check
		// and the grants.
		if _, err := tx.Exec(ctx, "SELECT 1 FROM plans WHERE id = $1 FOR UPDATE", plan); err != nil {
			return domainError(err)
		}
		var status string
		var mark int64
		if err := tx.QueryRow(ctx, `SELECT status, (SELECT coalesce(max(id), 0) FROM ledger_entries WHERE plan_id = $2)
			FROM scenarios WHERE id = $1 FOR UPDATE`, id, plan).Scan(&status, &mark); err != nil {
			return domainError(err)
		}
		if status == "approved" {
			return planning.Errorf(planning.ErrConflict, "scenario %d is already approved", id)
		}
		if mark != sc.LedgerMark {
			return planning.Errorf(planning.ErrConflict,
				"scenario %d is stale: the ledger moved since it ran (entry %d then, %d now); run the allocation again", id, sc.LedgerMark, mark).
				WithDetail("ledger_mark", sc.LedgerMark).WithDetail("ledger_now", mark)
		}
		bookings := scenarioBookings(sc)
		if sc.Result.Reserve > 0 {
			// What the scenario keeps at the top goes into the reserve
			// account, so the dashboard shows what the scenario reserved.
			bookings = append([]quota.Booking{{Entry: quota.EntryReserve, From: CityAdcode, To: CityAdcode + "/RESERVE",
				AmountM2: sc.Result.Reserve, Reason: "市级预留 / city reserve"}}, bookings...)
		}
		for i, b := range bookings {
			b.Year, b.Kind, b.By = sc.Year, sc.Kind, by
			b.Reason = fmt.Sprintf("方案 %d 审批：%s / scenario %d approved: %s", id, b.Reason, id, b.Reason)
			b.IdempotencyKey = fmt.Sprintf("scenario-%d-%d", id, i)
			if err := b.Check(); err != nil {
				return err
			}
			if _, err := bookTx(ctx, tx, plan, b, 0, id); err != nil {
				return fmt.Errorf("booking %s → %s: %w", b.From, b.To, err)
			}
		}
		_, err = tx.Exec(ctx, "UPDATE scenarios SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1", id, by)
		return domainError(err)
	})
	if err != nil {
		return sc, err
	}
	return s.Scenario(ctx, id, false)
}

// scenarioBookings turns a result into allocations down the tree, parents
// before children, in a stable order.
func scenarioBookings(sc quota.Scenario) []quota.Booking {
	parent := map[string]string{}
	for _, a := range sc.Result.Accounts {
		parent[a.AccountID] = a.ParentID
	}
	down := map[[2]string]amount.Area{} // (from, to) -> amount
	for _, d := range sc.Result.Decisions {
		if d.Granted <= 0 {
			continue
		}
		child := fmt.Sprintf("P%d", d.ProjectID)
		for acc := d.AccountID; ; acc = parent[acc] {
			down[[2]string{acc, child}] += d.Granted
			if parent[acc] == "" {
				down[[2]string{CityAdcode, acc}] += d.Granted
				break
			}
			child = acc
		}
	}
	keys := make([][2]string, 0, len(down))
	for k := range down {
		keys = append(keys, k)
	}
	depth := func(code string) int {
		n := 0
		for c := code; c != "" && c != CityAdcode; c = parent[c] {
			n++
			if _, ok := parent[c]; !ok {
				n += 10 // a project: deepest
				break
			}
		}
		return n
	}
	sort.Slice(keys, func(i, j int) bool {
		di, dj := depth(keys[i][0]), depth(keys[j][0])
		if di != dj {
			return di < dj
		}
		return keys[i][0]+">"+keys[i][1] < keys[j][0]+">"+keys[j][1]
	})
	out := make([]quota.Booking, len(keys))
	for i, k := range keys {
		out[i] = quota.Booking{Entry: quota.EntryAllocate, From: k[0], To: k[1], AmountM2: down[k],
			Reason: fmt.Sprintf("%s → %s", k[0], k[1])}
	}
	return out
}

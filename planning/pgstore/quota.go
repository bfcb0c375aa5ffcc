package pgstore

import (
	"context"
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// CityAdcode is the city whose account is the root of every plan.
const CityAdcode = "330100"

// EnsurePlan creates a year's plan of one kind with its standing accounts:
// the city, its reserve, every district and a park earmark for every park
// under its host district. It is idempotent: existing accounts stay.
func (s *Store) EnsurePlan(ctx context.Context, year int, kind quota.Kind, name string) (quota.Plan, error) {
	if !kind.Valid() {
		return quota.Plan{}, planning.Errorf(planning.ErrInvalid, "unknown quota kind %q", kind)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return quota.Plan{}, domainError(err)
	}
	defer tx.Rollback(context.Background())
	p := quota.Plan{Year: year, Kind: kind, Name: name}
	err = tx.QueryRow(ctx, `INSERT INTO plans (year, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (year, kind) DO UPDATE SET name = CASE WHEN EXCLUDED.name = '' THEN plans.name ELSE EXCLUDED.name END
		RETURNING id, name`, year, string(kind), name).Scan(&p.ID, &p.Name)
	if err != nil {
		return p, domainError(err)
	}
	_, err = tx.Exec(ctx, `
		WITH city AS (
			INSERT INTO quota_accounts (plan_id, kind, code, name_zh, name_en)
			VALUES ($1, 'city', $2, '杭州市', 'Hangzhou city')
			ON CONFLICT (plan_id, code) DO UPDATE SET name_zh = EXCLUDED.name_zh RETURNING id)
		INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en)
		SELECT $1, city.id, 'reserve', $2 || '/RESERVE', '市级预留', 'City reserve' FROM city
		ON CONFLICT (plan_id, code) DO NOTHING`, p.ID, CityAdcode)
	if err != nil {
		return p, domainError(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode)
		SELECT $1, c.id, 'district', d.adcode, d.name_zh, d.name_en, d.adcode
		FROM districts d, quota_accounts c WHERE c.plan_id = $1 AND c.kind = 'city'
		ON CONFLICT (plan_id, code) DO NOTHING`, p.ID)
	if err != nil {
		return p, domainError(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode, park_code)
		SELECT $1, d.id, 'park', k.host_district || '/' || k.code, k.name_zh, k.name_en, k.host_district, k.code
		FROM parks k JOIN quota_accounts d ON d.plan_id = $1 AND d.kind = 'district' AND d.code = k.host_district
		ON CONFLICT (plan_id, code) DO NOTHING`, p.ID)
	if err != nil {
		return p, domainError(err)
	}
	return p, domainError(tx.Commit(ctx))
}

// planID finds a plan, with a message naming what is missing.
func planID(ctx context.Context, q execer, year int, kind quota.Kind) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM plans WHERE year = $1 AND kind = $2", year, string(kind)).Scan(&id)
	if isNoRows(err) {
		return 0, planning.Errorf(planning.ErrNotFound, "there is no %d plan for quota kind %s", year, kind)
	}
	return id, domainError(err)
}

// accountID resolves an account code within a plan; "" is outside the plan.
// A project's account ("P42") is opened on first use under its park earmark
// or, outside the parks, under its district.
func accountID(ctx context.Context, q execer, plan int64, code string) (*int64, error) {
	if code == "" {
		return nil, nil
	}
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM quota_accounts WHERE plan_id = $1 AND code = $2", plan, code).Scan(&id)
	if err == nil {
		return &id, nil
	}
	if !isNoRows(err) {
		return nil, domainError(err)
	}
	var project int64
	if _, scanErr := fmt.Sscanf(code, "P%d", &project); scanErr != nil || fmt.Sprintf("P%d", project) != code {
		return nil, planning.Errorf(planning.ErrNotFound, "the plan has no account %q", code).WithDetail("account", code)
	}
	err = q.QueryRow(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode, park_code, project_id)
		SELECT $1, coalesce(pk.id, d.id), 'project', $2, p.name, p.name, p.district_adcode, p.park_code, p.id
		FROM projects p
		JOIN quota_accounts d ON d.plan_id = $1 AND d.kind = 'district' AND d.code = p.district_adcode
		LEFT JOIN quota_accounts pk ON pk.plan_id = $1 AND pk.kind = 'park' AND pk.park_code = p.park_code
		WHERE p.id = $3
		ON CONFLICT (plan_id, code) DO UPDATE SET code = EXCLUDED.code
		RETURNING id`, plan, code, project).Scan(&id)
	if isNoRows(err) {
		return nil, planning.Errorf(planning.ErrNotFound, "project %d does not exist (account %s)", project, code).WithDetail("account", code)
	}
	if err != nil {
		return nil, domainError(err)
	}
	return &id, nil
}

const entryColumns = `e.id, e.plan_id, e.kind, coalesce(f.code, ''), coalesce(t.code, ''), e.amount_m2::float8, e.reason,
	e.created_by, e.created_at, e.idempotency_key, coalesce(e.reverses, 0), coalesce(e.scenario_id, 0)`

const entryFrom = `ledger_entries e LEFT JOIN quota_accounts f ON f.id = e.from_account LEFT JOIN quota_accounts t ON t.id = e.to_account`

func scanEntry(row pgx.Row) (quota.Entry, error) {
	var e quota.Entry
	err := row.Scan(&e.ID, &e.PlanID, &e.Kind, &e.From, &e.To, &e.AmountM2, &e.Reason, &e.CreatedBy, &e.CreatedAt,
		&e.IdempotencyKey, &e.Reverses, &e.ScenarioID)
	e.WithUnits()
	return e, domainError(err)
}

// Book appends one entry in its own transaction.
func (s *Store) Book(ctx context.Context, b quota.Booking) (quota.Entry, error) {
	if err := b.Check(); err != nil {
		return quota.Entry{}, err
	}
	var e quota.Entry
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, b.Year, b.Kind)
		if err != nil {
			return err
		}
		e, err = bookTx(ctx, tx, plan, b, 0, 0)
		return err
	})
	return e, err
}

// bookTx books one entry inside tx. Same-key requests are serialised by an
// advisory lock on the key, so a retry finds the first booking instead of
// racing it; the BEFORE trigger then checks and moves the balances.
func bookTx(ctx context.Context, tx pgx.Tx, plan int64, b quota.Booking, reverses, scenario int64) (quota.Entry, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7431002, hashtext($1))", b.IdempotencyKey); err != nil {
		return quota.Entry{}, domainError(err)
	}
	prior, err := scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.idempotency_key = $1", b.IdempotencyKey))
	if err == nil {
		if prior.PlanID != plan || prior.Kind != b.Entry || prior.From != b.From || prior.To != b.To || prior.AmountM2 != b.AmountM2 {
			return quota.Entry{}, planning.Errorf(planning.ErrConflict,
				"idempotency key %q was already used for entry %d (%s %.2f m² from %q to %q); use a new key for a new entry",
				b.IdempotencyKey, prior.ID, prior.Kind, prior.AmountM2, prior.From, prior.To).WithDetail("entry_id", prior.ID)
		}
		return prior, nil
	}
	if !isNoRows(err) {
		return quota.Entry{}, domainError(err)
	}
	from, err := accountID(ctx, tx, plan, b.From)
	if err != nil {
		return quota.Entry{}, err
	}
	to, err := accountID(ctx, tx, plan, b.To)
	if err != nil {
		return quota.Entry{}, err
	}
	var rev, scen *int64
	if reverses > 0 {
		rev = &reverses
	}
	if scenario > 0 {
		scen = &scenario
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO ledger_entries (plan_id, kind, from_account, to_account, amount_m2, reason, created_by, idempotency_key, reverses, scenario_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		plan, string(b.Entry), from, to, b.AmountM2, b.Reason, b.By, b.IdempotencyKey, rev, scen).Scan(&id)
	if err != nil {
		return quota.Entry{}, domainError(err)
	}
	return scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1", id))
}

// Reverse books the reversal of an entry: the same amount moved back.
func (s *Store) Reverse(ctx context.Context, year int, kind quota.Kind, id int64, reason, by, key string) (quota.Entry, error) {
	var e quota.Entry
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, year, kind)
		if err != nil {
			return err
		}
		orig, err := scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1 AND e.plan_id = $2", id, plan))
		if isNoRows(err) {
			return planning.Errorf(planning.ErrNotFound, "the %d %s plan has no entry %d", year, kind, id)
		}
		if err != nil {
			return domainError(err)
		}
		if orig.Kind == quota.EntryReversal {
			return planning.Errorf(planning.ErrInvalid, "entry %d is itself a reversal; book the original movement again instead", id)
		}
		b := quota.Booking{Year: year, Kind: kind, Entry: quota.EntryReversal, From: orig.To, To: orig.From,
			AmountM2: orig.AmountM2, Reason: reason, By: by, IdempotencyKey: key}
		b.Entry = quota.EntryAllocate // pass Check's kind test; the row is booked as a reversal
		if err := b.Check(); err != nil {
			return err
		}
		b.Entry = quota.EntryReversal
		var already int64
		if err := tx.QueryRow(ctx, "SELECT coalesce((SELECT id FROM ledger_entries WHERE reverses = $1), 0)", id).Scan(&already); err != nil {
			return domainError(err)
		}
		if already > 0 {
			prior, err := scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1", already))
			if err == nil && prior.IdempotencyKey == key {
				e = prior
				return nil
			}
			return planning.Errorf(planning.ErrConflict, "entry %d was already reversed by entry %d", id, already)
		}
		e, err = bookTx(ctx, tx, plan, b, id, 0)
		return err
	})
	return e, err
}

// inTx runs f in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, f func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return domainError(err)
	}
	defer tx.Rollback(context.Background())
	if err := f(tx); err != nil {
		return err
	}
	return domainError(tx.Commit(ctx))
}

// Plan reads a plan and its accounts with their figures, net of reversals.
func (s *Store) Plan(ctx context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	p := quota.Plan{Year: year, Kind: kind}
	err := s.pool.QueryRow(ctx, "SELECT id, name FROM plans WHERE year = $1 AND kind = $2", year, string(kind)).Scan(&p.ID, &p.Name)
	if isNoRows(err) {
		return p, nil, planning.Errorf(planning.ErrNotFound, "there is no %d plan for quota kind %s", year, kind)
	}
	if err != nil {
		return p, nil, domainError(err)
	}
	rows, err := s.pool.Query(ctx, `
		WITH moves AS (
			SELECT coalesce(o.kind, e.kind) AS kind,
			       CASE WHEN o.id IS NULL THEN e.from_account ELSE o.from_account END AS src,
			       CASE WHEN o.id IS NULL THEN e.to_account ELSE o.to_account END AS dst,
			       CASE WHEN e.kind = 'reversal' THEN -e.amount_m2 ELSE e.amount_m2 END AS amount
			FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses
			WHERE e.plan_id = $1)
		SELECT a.id, a.code, coalesce(a.parent_id, 0), a.kind, a.name_zh, a.name_en, coalesce(a.district_adcode, ''),
		       coalesce(a.park_code, ''), coalesce(a.project_id, 0), a.held::float8,
		       coalesce((SELECT sum(amount) FROM moves WHERE dst = a.id), 0)::float8,
		       coalesce((SELECT sum(amount) FROM moves WHERE src = a.id AND kind IN ('allocate', 'reserve')), 0)::float8,
		       coalesce((SELECT sum(amount) FROM moves WHERE src = a.id AND kind = 'release'), 0)::float8,
		       coalesce((SELECT sum(amount) FROM moves WHERE src = a.id AND kind = 'consume'), 0)::float8,
		       coalesce((SELECT sum(amount) FROM moves WHERE src = a.id AND kind IN ('withdraw', 'carry_over')), 0)::float8
		FROM quota_accounts a WHERE a.plan_id = $1
		ORDER BY CASE a.kind WHEN 'city' THEN 0 WHEN 'reserve' THEN 1 WHEN 'district' THEN 2 WHEN 'park' THEN 3 ELSE 4 END, a.code`, p.ID)
	if err != nil {
		return p, nil, domainError(err)
	}
	accounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.Account, error) {
		var a quota.Account
		err := r.Scan(&a.ID, &a.Code, &a.ParentID, &a.Kind, &a.NameZh, &a.NameEn, &a.District, &a.Park, &a.ProjectID,
			&a.HeldM2, &a.ReceivedM2, &a.PassedDownM2, &a.ReturnedUpM2, &a.ConsumedM2, &a.WithdrawnM2)
		a.WithUnits()
		return a, err
	})
	if err != nil {
		return p, nil, domainError(err)
	}
	quota.SumSubtrees(accounts)
	return p, accounts, nil
}

// Ledger lists a plan's entries in booking order, optionally those touching
// one account, after an entry id (keyset paging).
func (s *Store) Ledger(ctx context.Context, year int, kind quota.Kind, account string, afterID int64, limit int) ([]quota.Entry, error) {
	plan, err := planID(ctx, s.pool, year, kind)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+
		` WHERE e.plan_id = $1 AND e.id > $2 AND ($3 = '' OR f.code = $3 OR t.code = $3) ORDER BY e.id LIMIT $4`,
		plan, afterID, account, limit)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.Entry, error) { return scanEntry(r) })
	return out, domainError(err)
}

// Grant moves quota between a project and the account above it, in one
// transaction; without an amount, the project's outstanding need (grant)
// or everything it holds (release).
func (s *Store) Grant(ctx context.Context, g quota.Grant) (quota.Entry, error) {
	if err := g.Check(); err != nil {
		return quota.Entry{}, err
	}
	amount := g.AmountM2
	if amount == 0 {
		p, err := s.Project(ctx, g.ProjectID, false)
		if err != nil {
			return quota.Entry{}, err
		}
		_, accounts, err := s.Plan(ctx, g.Year, g.Kind)
		if err != nil {
			return quota.Entry{}, err
		}
		var has float64
		for _, a := range accounts {
			if a.ProjectID == g.ProjectID {
				has = a.HeldM2
				if !g.Release {
					has += a.SubtreeConsumedM2
				}
			}
		}
		if g.Release {
			amount = has
		} else {
			amount = p.Need.NewM2 - has
		}
		if amount <= 0 {
			if g.Release {
				return quota.Entry{}, planning.Errorf(planning.ErrConflict, "project %d holds no quota to release", g.ProjectID)
			}
			return quota.Entry{}, planning.Errorf(planning.ErrConflict, "project %d needs no more quota: its parcels need %.2f m² of new construction land and it has %.2f m²",
				g.ProjectID, p.Need.NewM2, has)
		}
	}
	var e quota.Entry
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, g.Year, g.Kind)
		if err != nil {
			return err
		}
		code := fmt.Sprintf("P%d", g.ProjectID)
		acc, err := accountID(ctx, tx, plan, code)
		if err != nil {
			return err
		}
		var parent string
		if err := tx.QueryRow(ctx, "SELECT p.code FROM quota_accounts a JOIN quota_accounts p ON p.id = a.parent_id WHERE a.id = $1", *acc).Scan(&parent); err != nil {
			return domainError(err)
		}
		b := quota.Booking{Year: g.Year, Kind: g.Kind, Entry: quota.EntryAllocate, From: parent, To: code,
			AmountM2: amount, Reason: g.Reason, By: g.By, IdempotencyKey: g.IdempotencyKey}
		if g.Release {
			b.Entry, b.From, b.To = quota.EntryRelease, code, parent
		}
		if err := b.Check(); err != nil {
			return err
		}
		e, err = bookTx(ctx, tx, plan, b, 0, 0)
		return err
	})
	return e, err
}

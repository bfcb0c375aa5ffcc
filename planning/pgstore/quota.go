package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

// CityAdcode is the city whose account is the root of every plan. Its
// districts are those whose adcode starts with its first four digits
// (3301xx): a district row elsewhere (an enclave's Pudong, say) gets no
// Hangzhou quota account.
const CityAdcode = quota.CityAccount

const cityPrefix = "3301"

// openPlanTx creates a year's plan (or finds it) and adds the standing
// accounts it lacks: the city, its reserve, every district of the city and
// an earmark under its host district for every park that holds quota. A
// closed plan is refused.
func openPlanTx(ctx context.Context, tx pgx.Tx, o quota.Opening) (id int64, created bool, err error) {
	var doc quota.Document
	if o.Document != nil {
		doc = *o.Document
	}
	var docDate *string
	if doc.Date != "" {
		docDate = &doc.Date
	}
	err = tx.QueryRow(ctx, `INSERT INTO plans (year, kind, name, doc_number, doc_date, doc_issuer) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (year, kind) DO NOTHING RETURNING id`, o.Year, string(o.Kind), o.Name, doc.Number, docDate, doc.Issuer).Scan(&id)
	created = err == nil
	if isNoRows(err) {
		var state string
		if err = tx.QueryRow(ctx, "SELECT id, state FROM plans WHERE year = $1 AND kind = $2 FOR UPDATE", o.Year, string(o.Kind)).Scan(&id, &state); err != nil {
			return 0, false, domainError(err)
		}
		if state == string(quota.PlanClosed) {
			return 0, false, planning.Errorf(planning.ErrConflict, "the %d %s plan is closed: it cannot be opened again", o.Year, o.Kind).
				WithDetail("year", o.Year).WithDetail("state", state)
		}
		if o.Name != "" {
			if _, err = tx.Exec(ctx, "UPDATE plans SET name = $2 WHERE id = $1", id, o.Name); err != nil {
				return 0, false, domainError(err)
			}
		}
	} else if err != nil {
		return 0, false, domainError(err)
	}
	_, err = tx.Exec(ctx, `
		WITH city AS (
			INSERT INTO quota_accounts (plan_id, kind, code, name_zh, name_en)
			VALUES ($1, 'city', $2, '杭州市', 'Hangzhou city')
			ON CONFLICT (plan_id, code) DO UPDATE SET name_zh = EXCLUDED.name_zh RETURNING id)
		INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en)
		SELECT $1, city.id, 'reserve', $2 || '/RESERVE', '市级预留', 'City reserve' FROM city
		ON CONFLICT (plan_id, code) DO NOTHING`, id, CityAdcode)
	if err != nil {
		return 0, false, domainError(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode)
		SELECT $1, c.id, 'district', d.adcode, d.name_zh, d.name_en, d.adcode
		FROM districts d, quota_accounts c WHERE c.plan_id = $1 AND c.kind = 'city' AND left(d.adcode, 4) = $2
		ORDER BY d.adcode
		ON CONFLICT (plan_id, code) DO NOTHING`, id, cityPrefix)
	if err != nil {
		return 0, false, domainError(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO quota_accounts (plan_id, parent_id, kind, code, name_zh, name_en, district_adcode, park_code)
		SELECT $1, d.id, 'park', k.host_district || '/' || k.code, k.name_zh, k.name_en, k.host_district, k.code
		FROM parks k JOIN quota_accounts d ON d.plan_id = $1 AND d.kind = 'district' AND d.code = k.host_district
		WHERE k.holds_quota
		ORDER BY k.code
		ON CONFLICT (plan_id, code) DO NOTHING`, id)
	if err != nil {
		return 0, false, domainError(err)
	}
	return id, created, nil
}

// OpenPlan opens a year's plan (or adds the accounts of districts and parks
// added since) and books its first issue when asked, in one transaction.
func (s *LedgerStore) OpenPlan(ctx context.Context, o quota.Opening) (quota.Plan, []quota.Account, *quota.Entry, bool, error) {
	if err := o.Check(); err != nil {
		return quota.Plan{}, nil, nil, false, err
	}
	var issued *quota.Entry
	var created bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		id, c, err := openPlanTx(ctx, tx, o)
		if err != nil {
			return err
		}
		created = c
		if o.Issue != nil {
			e, err := bookTx(ctx, tx, id, quota.Booking{Year: o.Year, Kind: o.Kind, Entry: quota.EntryIssue, To: CityAdcode,
				AmountM2: *o.Issue, Reason: "下达年度计划指标（" + o.Document.Number + "） / plan issued: " + o.Document.Number, By: o.By,
				IdempotencyKey: o.IdempotencyKey, Document: o.Document}, 0, 0)
			if err != nil {
				return err
			}
			issued = &e
		}
		return nil
	})
	if err != nil {
		return quota.Plan{}, nil, nil, false, err
	}
	p, accounts, err := s.Plan(ctx, o.Year, o.Kind)
	return p, accounts, issued, created, err
}

// EnsurePlan opens a plan without a document or an issue (the demo seed).
func (s *LedgerStore) EnsurePlan(ctx context.Context, year int, kind quota.Kind, name string) (quota.Plan, error) {
	p, _, _, _, err := s.OpenPlan(ctx, quota.Opening{Year: year, Kind: kind, Name: name, By: "seed"})
	return p, err
}

// planID finds an open plan, with a message naming what is missing.
func planID(ctx context.Context, q execer, year int, kind quota.Kind) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM plans WHERE year = $1 AND kind = $2", year, string(kind)).Scan(&id)
	if isNoRows(err) {
		return 0, planning.Errorf(planning.ErrNotFound, "there is no %d plan for quota kind %s; an admin opens it with POST /api/plans or `landquota plan open`", year, kind).
			WithDetail("year", year).WithDetail("kind", string(kind))
	}
	return id, domainError(err)
}

// accountID resolves an account code within a plan; "" is outside the plan.
// A project's account ("P42") is opened on first use under the earmark of
// the quota-holding park all its parcels lie in or, otherwise, under its
// district.
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
		SELECT $1, coalesce(pk.id, d.id), 'project', $2, p.name, p.name, p.district_adcode, pk.park_code, p.id
		FROM projects p
		CROSS JOIN LATERAL (SELECT `+landParkSQL+` AS park) lp
		JOIN quota_accounts d ON d.plan_id = $1 AND d.kind = 'district' AND d.code = p.district_adcode
		LEFT JOIN quota_accounts pk ON pk.plan_id = $1 AND pk.kind = 'park' AND pk.park_code = lp.park AND pk.parent_id = d.id
		WHERE p.id = $3
		ON CONFLICT (plan_id, code) DO UPDATE SET code = EXCLUDED.code
		RETURNING id`, plan, code, project).Scan(&id)
	if isNoRows(err) {
		var exists bool
		if qerr := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM projects WHERE id = $1)", project).Scan(&exists); qerr == nil && exists {
			return nil, planning.Errorf(planning.ErrInvalid, "project %d lies in a district without an account in this plan; an admin re-opens the plan to add it", project).WithDetail("account", code)
		}
		return nil, planning.Errorf(planning.ErrNotFound, "project %d does not exist (account %s)", project, code).WithDetail("account", code)
	}
	if err != nil {
		return nil, domainError(err)
	}
	return &id, nil
}

// landParkSQL is the park all of project p's parcels lie in, or the park it
// declares when it has no parcels yet; NULL when they lie in none or in
// several (a project counts as in a park by where its land lies).
const landParkSQL = `(SELECT CASE WHEN count(*) = 0 THEN p.park_code
	WHEN count(DISTINCT t.park_code) = 1 AND bool_and(t.park_code IS NOT NULL) THEN min(t.park_code) END
	FROM project_parcels pp JOIN parcels t ON t.id = pp.parcel_id WHERE pp.project_id = p.id)`

const entryColumns = `e.id, e.plan_id, e.kind, coalesce(f.code, ''), coalesce(t.code, ''), e.amount_m2, e.reason,
	e.created_by, e.created_at, e.idempotency_key, coalesce(e.reverses, 0),
	coalesce((SELECT r.id FROM ledger_entries r WHERE r.reverses = e.id), 0), coalesce(e.scenario_id, 0),
	coalesce(e.parcel_id, 0), coalesce(e.carried_from, 0), e.doc_number, coalesce(to_char(e.doc_date, 'YYYY-MM-DD'), ''),
	coalesce(e.doc_issuer, ''), coalesce(e.override_reason, '')`

const entryFrom = `ledger_entries e LEFT JOIN quota_accounts f ON f.id = e.from_account LEFT JOIN quota_accounts t ON t.id = e.to_account`

func scanEntry(row pgx.Row) (quota.Entry, error) {
	var e quota.Entry
	var docNumber *string
	var doc quota.Document
	err := row.Scan(&e.ID, &e.PlanID, &e.Kind, &e.From, &e.To, &e.AmountM2, &e.Reason, &e.CreatedBy, &e.CreatedAt,
		&e.IdempotencyKey, &e.Reverses, &e.ReversedBy, &e.ScenarioID, &e.ParcelID, &e.CarriedFrom, &docNumber, &doc.Date, &doc.Issuer,
		&e.OverrideReason)
	if docNumber != nil {
		doc.Number = *docNumber
		e.Document = &doc
	}
	e.WithUnits()
	return e, domainError(err)
}

// Book appends one entry in its own transaction.
func (s *LedgerStore) Book(ctx context.Context, b quota.Booking) (quota.Entry, error) {
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

// priorEntry finds the entry booked with an idempotency key, under an
// advisory lock on the key so a retry waits for the first booking instead
// of racing it. ok is false when the key is new.
func priorEntry(ctx context.Context, tx pgx.Tx, key string) (e quota.Entry, ok bool, err error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7431002, hashtext($1))", key); err != nil {
		return e, false, domainError(err)
	}
	e, err = scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.idempotency_key = $1", key))
	if isNoRows(err) {
		return e, false, nil
	}
	return e, err == nil, err
}

// bookTx books one entry inside tx; the BEFORE trigger then checks and
// moves the balances. A retry with the same key returns the first entry.
func bookTx(ctx context.Context, tx pgx.Tx, plan int64, b quota.Booking, reverses, scenario int64) (quota.Entry, error) {
	prior, found, err := priorEntry(ctx, tx, b.IdempotencyKey)
	if err != nil {
		return quota.Entry{}, err
	}
	if found {
		if prior.PlanID != plan || prior.Kind != b.Entry || prior.From != b.From || prior.To != b.To || prior.AmountM2 != b.AmountM2 {
			return quota.Entry{}, planning.Errorf(planning.ErrConflict,
				"idempotency key %q was already used for entry %d (%s %s m² from %q to %q); use a new key for a new entry",
				b.IdempotencyKey, prior.ID, prior.Kind, amount.AppendM2(nil, prior.AmountM2), prior.From, prior.To).WithDetail("entry_id", prior.ID)
		}
		return prior, nil
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
	var docNumber, docDate, docIssuer, override *string
	if b.Document != nil {
		docNumber, docIssuer = &b.Document.Number, &b.Document.Issuer
		if b.Document.Date != "" {
			docDate = &b.Document.Date
		}
	}
	if b.OverrideReason != "" {
		override = &b.OverrideReason
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO ledger_entries (plan_id, kind, from_account, to_account, amount_m2, reason, created_by,
		idempotency_key, reverses, scenario_id, doc_number, doc_date, doc_issuer, override_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		plan, string(b.Entry), from, to, b.AmountM2, b.Reason, b.By, b.IdempotencyKey, rev, scen,
		docNumber, docDate, docIssuer, override).Scan(&id)
	if err != nil {
		return quota.Entry{}, domainError(err)
	}
	return scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1", id))
}

// Entry reads one entry of a plan.
func (s *LedgerStore) Entry(ctx context.Context, year int, kind quota.Kind, id int64) (quota.Entry, error) {
	plan, err := planID(ctx, s.pool, year, kind)
	if err != nil {
		return quota.Entry{}, err
	}
	e, err := scanEntry(s.pool.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1 AND e.plan_id = $2", id, plan))
	if isNoRows(err) {
		return e, planning.Errorf(planning.ErrNotFound, "the %d %s plan has no entry %d", year, kind, id)
	}
	return e, err
}

// Reverse books the reversal of an entry: the same amount moved back.
// Consumption is reversed by withdrawing the parcel's approval, and
// year-end entries not at all (the year is closed).
func (s *LedgerStore) Reverse(ctx context.Context, year int, kind quota.Kind, id int64, reason, by, key string) (quota.Entry, error) {
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
		switch orig.Kind {
		case quota.EntryReversal:
			return planning.Errorf(planning.ErrInvalid, "entry %d is itself a reversal; book the original movement again instead", id)
		case quota.EntryConsume:
			return planning.Errorf(planning.ErrInvalid, "entry %d is the consumption of parcel %d's approval: withdraw the approval (its status) instead, which reverses it", id, orig.ParcelID).
				WithDetail("parcel_id", orig.ParcelID)
		case quota.EntryCarryOver, quota.EntryCarryIn, quota.EntryLapse:
			return planning.Errorf(planning.ErrInvalid, "entry %d belongs to a year end (%s), which cannot be reversed", id, orig.Kind)
		}
		b := quota.Booking{Year: year, Kind: kind, Entry: quota.EntryAllocate, From: orig.To, To: orig.From,
			AmountM2: orig.AmountM2, Reason: reason, By: by, IdempotencyKey: key}
		if err := b.Check(); err != nil { // the allocate kind only passes Check's kind test
			return err
		}
		b.Entry = quota.EntryReversal
		if orig.ReversedBy > 0 {
			prior, err := scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+" WHERE e.id = $1", orig.ReversedBy))
			if err == nil && prior.IdempotencyKey == key {
				e = prior
				return nil
			}
			return planning.Errorf(planning.ErrConflict, "entry %d was already reversed by entry %d", id, orig.ReversedBy)
		}
		e, err = bookTx(ctx, tx, plan, b, id, 0)
		return err
	})
	return e, err
}

// inTx runs f in a transaction, committing when it returns nil.
func (s *conn) inTx(ctx context.Context, f func(pgx.Tx) error) error {
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

// planColumns reads a plan with its totals from the ledger, net of
// reversals.
const planColumns = `p.id, p.year, p.kind, p.name, p.state, p.doc_number, coalesce(to_char(p.doc_date, 'YYYY-MM-DD'), ''), p.doc_issuer,
	p.closed_at, coalesce(p.closed_by, ''),
	coalesce((SELECT sum(CASE WHEN e.kind = 'reversal' THEN -e.amount_m2 ELSE e.amount_m2 END) FROM ledger_entries e
	          LEFT JOIN ledger_entries o ON o.id = e.reverses
	          WHERE e.plan_id = p.id AND coalesce(o.kind, e.kind) IN ('issue', 'reward', 'carry_in')), 0),
	coalesce((SELECT sum(held) FROM quota_accounts a WHERE a.plan_id = p.id), 0),
	coalesce((SELECT sum(CASE WHEN e.kind = 'reversal' THEN -e.amount_m2 ELSE e.amount_m2 END) FROM ledger_entries e
	          LEFT JOIN ledger_entries o ON o.id = e.reverses
	          WHERE e.plan_id = p.id AND coalesce(o.kind, e.kind) = 'consume'), 0)`

func scanPlan(row pgx.Row) (quota.Plan, error) {
	var p quota.Plan
	var doc quota.Document
	err := row.Scan(&p.ID, &p.Year, &p.Kind, &p.Name, &p.State, &doc.Number, &doc.Date, &doc.Issuer, &p.ClosedAt, &p.ClosedBy,
		&p.IssuedM2, &p.HeldM2, &p.ConsumedM2)
	if doc.Number != "" {
		p.Document = &doc
	}
	p.WithUnits()
	return p, err
}

// Plans lists every plan with its totals, newest year first.
func (s *LedgerStore) Plans(ctx context.Context) ([]quota.Plan, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+planColumns+` FROM plans p
		ORDER BY p.year DESC, CASE p.kind WHEN 'new_construction' THEN 0 WHEN 'linkage' THEN 1 ELSE 2 END`)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.Plan, error) { return scanPlan(r) })
	return out, domainError(err)
}

// Plan reads a plan and its accounts with their figures, net of reversals.
func (s *LedgerStore) Plan(ctx context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	return s.plan(ctx, s.pool, year, kind)
}

func (s *LedgerStore) plan(ctx context.Context, q execer, year int, kind quota.Kind) (quota.Plan, []quota.Account, error) {
	p, err := scanPlan(q.QueryRow(ctx, "SELECT "+planColumns+" FROM plans p WHERE p.year = $1 AND p.kind = $2", year, string(kind)))
	if isNoRows(err) {
		_, err = planID(ctx, q, year, kind)
		return p, nil, err
	}
	if err != nil {
		return p, nil, domainError(err)
	}
	rows, err := q.Query(ctx, `
		WITH moves AS (
			SELECT coalesce(o.kind, e.kind) AS kind,
			       CASE WHEN o.id IS NULL THEN e.from_account ELSE o.from_account END AS src,
			       CASE WHEN o.id IS NULL THEN e.to_account ELSE o.to_account END AS dst,
			       CASE WHEN e.kind = 'reversal' THEN -e.amount_m2 ELSE e.amount_m2 END AS amount
			FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses
			WHERE e.plan_id = $1),
		ins AS (SELECT dst AS id, sum(amount) AS received FROM moves WHERE dst IS NOT NULL GROUP BY dst),
		outs AS (SELECT src AS id,
		                sum(amount) FILTER (WHERE kind IN ('allocate', 'reserve')) AS down,
		                sum(amount) FILTER (WHERE kind = 'release') AS up,
		                sum(amount) FILTER (WHERE kind = 'consume') AS consumed,
		                sum(amount) FILTER (WHERE kind IN ('withdraw', 'carry_over', 'lapse', 'transfer')) AS withdrawn
		         FROM moves WHERE src IS NOT NULL GROUP BY src)
		SELECT a.id, a.code, coalesce(a.parent_id, 0), a.kind, a.name_zh, a.name_en, coalesce(a.district_adcode, ''),
		       coalesce(a.park_code, ''), coalesce(a.project_id, 0), a.held,
		       coalesce(i.received, 0), coalesce(o.down, 0), coalesce(o.up, 0), coalesce(o.consumed, 0), coalesce(o.withdrawn, 0)
		FROM quota_accounts a LEFT JOIN ins i ON i.id = a.id LEFT JOIN outs o ON o.id = a.id
		WHERE a.plan_id = $1
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
func (s *LedgerStore) Ledger(ctx context.Context, year int, kind quota.Kind, account string, afterID int64, limit int) ([]quota.Entry, error) {
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

// GrantTx moves quota between a project and the account above it, in one
// transaction under a lock on the project, so concurrent requests for "the
// outstanding need" grant it once: decide (quota.Grant.Decide, through
// planning/service Grants) sees the project's holding and need as they are
// under the lock, and what it decides is booked. A retry under a used
// idempotency key answers the entry it booked (g.Retried).
func (s *LedgerStore) GrantTx(ctx context.Context, g quota.Grant, decide func(quota.Holding) (quota.Booking, error)) (quota.Entry, error) {
	var e quota.Entry
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		plan, err := planID(ctx, tx, g.Year, g.Kind)
		if err != nil {
			return err
		}
		if prior, found, err := priorEntry(ctx, tx, g.IdempotencyKey); err != nil {
			return err
		} else if found {
			if err := g.Retried(prior, prior.PlanID == plan); err != nil {
				return err
			}
			e = prior // a retry of a grant that succeeded
			return nil
		}
		var locked int64
		err = tx.QueryRow(ctx, "SELECT id FROM projects WHERE id = $1 FOR UPDATE", g.ProjectID).Scan(&locked)
		if isNoRows(err) {
			return planning.Errorf(planning.ErrNotFound, "project %d does not exist", g.ProjectID).WithDetail("field", "project_id")
		}
		if err != nil {
			return domainError(err)
		}
		h := quota.Holding{Account: quota.ProjectAccount(g.ProjectID)}
		acc, err := accountID(ctx, tx, plan, h.Account)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT p.code, a.held FROM quota_accounts a JOIN quota_accounts p ON p.id = a.parent_id
			WHERE a.id = $1`, *acc).Scan(&h.Parent, &h.Held); err != nil {
			return domainError(err)
		}
		if !g.Release {
			if h.Need, err = projectNewNeed(ctx, tx, g.ProjectID, g.Year); err != nil {
				return err
			}
		}
		b, err := decide(h)
		if err != nil {
			return err
		}
		e, err = bookTx(ctx, tx, plan, b, 0, 0)
		return err
	})
	return e, err
}

// projectNewNeed is the new quota a project's parcels still need before
// their approval (lq_parcel_quota_class 'new'), by the year's policy.
func projectNewNeed(ctx context.Context, q execer, project int64, year int) (amount.Area, error) {
	var need amount.Area
	err := q.QueryRow(ctx, `SELECT coalesce(sum(round(t.area_m2::numeric, 2)), 0)
		FROM project_parcels pp JOIN parcels t ON t.id = pp.parcel_id
		WHERE pp.project_id = $1
		  AND lq_parcel_quota_class(t.status, t.construction_land, t.elevation_top, lq_underground_needs_quota($2)) = 'new'`,
		project, year).Scan(&need)
	return need, domainError(err)
}

// SetParcelStatus changes a parcel's lifecycle status in one transaction.
// The database books (or reverses) the consumption of its quota
// (lq_parcels_consume); this returns the entries it booked. Reaching
// approval without a date sets approved_on to today, supply likewise.
func (s *LedgerStore) SetParcelStatus(ctx context.Context, c quota.StatusChange) (quota.StatusResult, error) {
	var res quota.StatusResult
	if !c.Status.Valid() {
		return res, planning.Errorf(planning.ErrInvalid, "status: unknown status %q", c.Status).WithDetail("field", "status")
	}
	if c.By == "" {
		return res, planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('landquota.actor', $1, true)", c.By); err != nil {
			return domainError(err)
		}
		var mark int64
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM ledger_entries").Scan(&mark); err != nil {
			return domainError(err)
		}
		var approvedOn, suppliedOn *time.Time
		err := tx.QueryRow(ctx, `UPDATE parcels SET status = $2,
			approved_on = CASE WHEN $3::date IS NOT NULL THEN $3::date
			                   WHEN lq_status_conversion_approved($2) AND approved_on IS NULL THEN current_date
			                   ELSE approved_on END,
			supplied_on = CASE WHEN $4::date IS NOT NULL THEN $4::date ELSE supplied_on END
			WHERE id = $1
			RETURNING id, code, status, approved_on, supplied_on,
			          coalesce((SELECT project_id FROM project_parcels WHERE parcel_id = $1), 0)`,
			c.ParcelID, string(c.Status), c.ApprovedOn, c.SuppliedOn).
			Scan(&res.ParcelID, &res.Code, &res.Status, &approvedOn, &suppliedOn, &res.ProjectID)
		if isNoRows(err) {
			return planning.Errorf(planning.ErrNotFound, "parcel %d does not exist", c.ParcelID)
		}
		if err != nil {
			return domainError(err)
		}
		res.ApprovedOn, res.SuppliedOn = dayString(approvedOn), dayString(suppliedOn)
		rows, err := tx.Query(ctx, "SELECT "+entryColumns+" FROM "+entryFrom+` WHERE e.id > $1
			AND (e.parcel_id = $2 OR e.reverses IN (SELECT id FROM ledger_entries WHERE parcel_id = $2)) ORDER BY e.id`, mark, c.ParcelID)
		if err != nil {
			return domainError(err)
		}
		res.Entries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.Entry, error) { return scanEntry(r) })
		return domainError(err)
	})
	if res.Entries == nil {
		res.Entries = []quota.Entry{}
	}
	return res, err
}

func dayString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

-- 011_planning_year.sql: a whole planning year on a bureau's own data (issue 12).
--
-- * Parks say per park whether they hold a quota earmark account
--   (holds_quota), receive the cooperation-park tilt (receives_tilt) and
--   count in the High-tech Zone statistics (counts_in_htz).
-- * Plans are opened with their issuing document and are open or closed; a
--   closed plan refuses every booking.
-- * Ledger entries carry the document they book (追加下达, carry-over
--   approvals), the parcel whose approval they consume, an override reason,
--   and the carry-over they receive; new kinds carry_in, lapse and transfer.
-- * No approval without quota (无指标不得批地): a statement that moves project
--   parcels into approval for conversion books the consumption from the
--   project's account in the same transaction, or fails naming the
--   shortfall; moving them back reverses it.
-- * The ledger cannot be truncated, and balances cannot be edited directly.

ALTER TABLE parks
  ADD COLUMN holds_quota   boolean,
  ADD COLUMN receives_tilt boolean,
  ADD COLUMN counts_in_htz boolean;
COMMENT ON COLUMN parks.holds_quota IS 'the park gets a quota earmark account under its host district';
COMMENT ON COLUMN parks.receives_tilt IS 'the park''s projects receive the cooperation-park tilt and earmark';
COMMENT ON COLUMN parks.counts_in_htz IS 'the park is counted in the High-tech Zone statistics';
-- The core zone is the whole of its district (区政合一): no earmark of its own.
-- Enclaves hold no quota: quota is only drawn where the land lies.
-- A park inserted without the flags takes these defaults from its kind.
CREATE FUNCTION lq_park_flags_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.holds_quota := coalesce(NEW.holds_quota, NEW.kind NOT IN ('core_zone', 'enclave'));
  NEW.receives_tilt := coalesce(NEW.receives_tilt, NEW.kind IN ('special_cooperation_zone', 'special_cooperation_park', 'cooperation_park'));
  NEW.counts_in_htz := coalesce(NEW.counts_in_htz, true);
  RETURN NEW;
END $$;
CREATE TRIGGER parks_flags_default BEFORE INSERT OR UPDATE ON parks
  FOR EACH ROW EXECUTE FUNCTION lq_park_flags_default();
UPDATE parks SET holds_quota = NULL, receives_tilt = NULL, counts_in_htz = NULL;
ALTER TABLE parks ALTER COLUMN holds_quota SET NOT NULL, ALTER COLUMN receives_tilt SET NOT NULL,
  ALTER COLUMN counts_in_htz SET NOT NULL;

ALTER TABLE plans
  ADD COLUMN state      text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  ADD COLUMN doc_number text NOT NULL DEFAULT '',
  ADD COLUMN doc_date   date,
  ADD COLUMN doc_issuer text NOT NULL DEFAULT '',
  ADD COLUMN closed_at  timestamptz,
  ADD COLUMN closed_by  text,
  ADD CHECK ((state = 'closed') = (closed_at IS NOT NULL));

ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries
  ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('issue', 'reserve', 'allocate', 'release', 'consume',
    'reward', 'withdraw', 'carry_over', 'carry_in', 'lapse', 'transfer', 'reversal')),
  ADD COLUMN doc_number      text,
  ADD COLUMN doc_date        date,
  ADD COLUMN doc_issuer      text,
  ADD COLUMN parcel_id       bigint,
  ADD COLUMN override_reason text,
  ADD COLUMN carried_from    bigint REFERENCES ledger_entries(id);
COMMENT ON COLUMN ledger_entries.parcel_id IS 'consume entries: the parcel whose approval for conversion used the quota';
COMMENT ON COLUMN ledger_entries.carried_from IS 'carry_in entries: the carry_over entry of the previous year they receive';
CREATE INDEX ledger_entries_parcel_idx ON ledger_entries (parcel_id) WHERE parcel_id IS NOT NULL;

-- Entry kinds and how they move quota (from -> to; NULL is outside the plan):
--   issue      NULL -> city          province issues (下达, 追加下达)
--   reserve    city -> reserve       kept at the top (预留)
--   allocate   parent -> child       down the tree (分配)
--   release    child -> parent       handed back up (退回)
--   consume    project -> NULL       used when land is approved for conversion (核销)
--   reward     NULL -> account       provincial reward (奖励), 增存挂钩 reward at year end
--   withdraw   account -> NULL       taken back by the province (收回)
--   carry_over account -> NULL       at year end, to next year's plan (结转)
--   carry_in   NULL -> account       received from last year's carry-over (结转收入)
--   lapse      account -> NULL       at year end, what may not be carried over (作废)
--   transfer   district -> district  quota moved between districts (指标调剂)
--   reversal   the opposite move of the entry it reverses
CREATE OR REPLACE FUNCTION lq_ledger_book() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src quota_accounts;
  dst quota_accounts;
  orig ledger_entries;
  pl plans;
  fits boolean;
BEGIN
  -- KEY SHARE: bookings run side by side, but closing a year (and
  -- approving a scenario) locks the plan FOR UPDATE, so no booking slips
  -- between their reading of the balances and their own entries.
  SELECT * INTO pl FROM plans WHERE id = NEW.plan_id FOR KEY SHARE;
  IF pl.state <> 'open' THEN
    RAISE EXCEPTION USING ERRCODE = 'LQ409',
      MESSAGE = format('the %s %s plan is closed (since %s): it takes no more bookings; book into the %s plan',
                       pl.year, pl.kind, to_char(pl.closed_at, 'YYYY-MM-DD'), pl.year + 1),
      DETAIL = json_build_object('year', pl.year, 'kind', pl.kind, 'state', pl.state)::text;
  END IF;
  -- NO KEY UPDATE: opening a child account (a foreign-key share lock on its
  -- parent) must not block, or deadlock with, booking on the parent.
  PERFORM 1 FROM quota_accounts WHERE id IN (NEW.from_account, NEW.to_account) ORDER BY id FOR NO KEY UPDATE;
  SELECT * INTO src FROM quota_accounts WHERE id = NEW.from_account;
  SELECT * INTO dst FROM quota_accounts WHERE id = NEW.to_account;
  IF NEW.from_account IS NOT NULL AND src.plan_id <> NEW.plan_id OR NEW.to_account IS NOT NULL AND dst.plan_id <> NEW.plan_id THEN
    RAISE EXCEPTION USING ERRCODE = 'LQ400', MESSAGE = 'ledger entry: both accounts must belong to the entry''s plan';
  END IF;
  IF NEW.kind = 'reversal' THEN
    SELECT * INTO orig FROM ledger_entries WHERE id = NEW.reverses;
    IF orig.plan_id <> NEW.plan_id OR orig.kind = 'reversal'
       OR NEW.from_account IS DISTINCT FROM orig.to_account OR NEW.to_account IS DISTINCT FROM orig.from_account
       OR NEW.amount_m2 <> orig.amount_m2 THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ400',
        MESSAGE = format('a reversal of entry %s must move %s m² back from its destination to its source', orig.id, orig.amount_m2);
    END IF;
  ELSE
    -- Each kind moves quota along one kind of edge of the tree.
    fits := CASE NEW.kind
      WHEN 'issue'      THEN NEW.from_account IS NULL AND dst.kind = 'city'
      WHEN 'reserve'    THEN src.kind = 'city' AND dst.kind = 'reserve' AND dst.parent_id = src.id
      WHEN 'allocate'   THEN dst.parent_id = src.id
      WHEN 'release'    THEN src.parent_id = dst.id
      WHEN 'consume'    THEN src.kind = 'project' AND NEW.to_account IS NULL
      WHEN 'reward'     THEN NEW.from_account IS NULL AND NEW.to_account IS NOT NULL
      WHEN 'withdraw'   THEN NEW.to_account IS NULL AND NEW.from_account IS NOT NULL
      WHEN 'carry_over' THEN NEW.to_account IS NULL AND NEW.from_account IS NOT NULL
      WHEN 'carry_in'   THEN NEW.from_account IS NULL AND NEW.to_account IS NOT NULL
      WHEN 'lapse'      THEN NEW.to_account IS NULL AND NEW.from_account IS NOT NULL
      WHEN 'transfer'   THEN src.kind = 'district' AND dst.kind = 'district'
      ELSE false END;
    IF NOT coalesce(fits, false) THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ400',
        MESSAGE = format('a %s entry cannot move quota from %s to %s', NEW.kind,
                         coalesce(src.code, 'outside the plan'), coalesce(dst.code, 'outside the plan'));
    END IF;
  END IF;
  IF NEW.from_account IS NOT NULL THEN
    IF src.held < NEW.amount_m2 THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ409',
        MESSAGE = format('account %s holds %s m² (%s hm², %s 亩); %s m² (%s hm², %s 亩) more would be needed',
                         src.code, src.held, round(src.held / 10000, 2), round(src.held * 15 / 10000, 2),
                         NEW.amount_m2 - src.held, round((NEW.amount_m2 - src.held) / 10000, 2),
                         round((NEW.amount_m2 - src.held) * 15 / 10000, 2)),
        DETAIL = json_build_object('account', src.code, 'held_m2', src.held, 'requested_m2', NEW.amount_m2,
                                   'shortfall_m2', NEW.amount_m2 - src.held,
                                   'shortfall_hm2', round((NEW.amount_m2 - src.held) / 10000, 2),
                                   'shortfall_mu', round((NEW.amount_m2 - src.held) * 15 / 10000, 2))::text;
    END IF;
    UPDATE quota_accounts SET held = held - NEW.amount_m2 WHERE id = NEW.from_account;
  END IF;
  IF NEW.to_account IS NOT NULL THEN
    -- The allocation engine counts in exact integers up to 1e9 m² per
    -- amount (100,000 hm², far above any annual plan): refuse at booking
    -- what it could not allocate later.
    IF dst.held + NEW.amount_m2 > 1000000000 THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ400',
        MESSAGE = format('account %s would hold %s m²: the most one account may hold is 1,000,000,000 m² (100,000 hm²)',
                         dst.code, dst.held + NEW.amount_m2),
        DETAIL = json_build_object('field', 'amount', 'account', dst.code, 'limit_m2', 1000000000)::text;
    END IF;
    UPDATE quota_accounts SET held = held + NEW.amount_m2 WHERE id = NEW.to_account;
  END IF;
  RETURN NEW;
END $$;

-- held is the ledger's cache: only the booking trigger moves it (it runs at
-- trigger depth 1, so its UPDATE arrives here at depth 2).
CREATE FUNCTION lq_held_guarded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.held IS DISTINCT FROM OLD.held AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION USING ERRCODE = 'LQ403',
      MESSAGE = format('account %s: balances are derived from the ledger and cannot be edited; book a ledger entry instead', OLD.code);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quota_accounts_held_guarded BEFORE UPDATE OF held ON quota_accounts
  FOR EACH ROW EXECUTE FUNCTION lq_held_guarded();

-- A new account starts empty: its balance comes from entries only.
CREATE FUNCTION lq_account_starts_empty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.held <> 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'LQ403', MESSAGE = format('account %s: a new account holds nothing until entries are booked', NEW.code);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quota_accounts_starts_empty BEFORE INSERT ON quota_accounts
  FOR EACH ROW EXECUTE FUNCTION lq_account_starts_empty();

-- The ledger is never truncated. `landquota seed --replace` rebuilds the
-- whole demo world and says so for its own transaction.
CREATE FUNCTION lq_ledger_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('landquota.replace_world', true), '') <> 'on' THEN
    RAISE EXCEPTION USING ERRCODE = 'LQ403',
      MESSAGE = 'ledger entries are never changed or deleted; book a reversing entry instead';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION lq_ledger_no_truncate();

-- lq_status_conversion_approved: has land in this lifecycle status been
-- approved for conversion (农转用)? Every stage from 'approved' on.
CREATE FUNCTION lq_status_conversion_approved(s text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT ordinal FROM parcel_statuses WHERE code = s)
                  >= (SELECT ordinal FROM parcel_statuses WHERE code = 'approved'), false)
$$;

-- lq_underground_needs_quota: the policy switch of a year for stratified
-- underground rights (latest stored policy version; false without one).
CREATE FUNCTION lq_underground_needs_quota(y int) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT (body ->> 'underground_needs_quota')::boolean FROM policies
                    WHERE year = y ORDER BY version DESC LIMIT 1), false)
$$;

-- lq_land_quota_class: how land that is not yet approved for conversion
-- counts toward a project's new construction-land quota (docs/DOMAIN.md §3):
--   'stock'       already construction land today (现状): needs none;
--   'underground' a stratified underground right, when the policy says
--                 those need none;
--   'new'         agricultural or unused land: needs new quota.
CREATE FUNCTION lq_land_quota_class(construction_land boolean, elevation_top double precision,
                                    underground_needs_quota boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN construction_land THEN 'stock'
              WHEN coalesce(elevation_top <= 0, false) AND NOT underground_needs_quota THEN 'underground'
              ELSE 'new' END
$$;

-- lq_parcel_quota_class: the one rule of a project parcel's quota need:
-- 'approved' when it is already approved for conversion (its quota was
-- consumed then, or before the system kept that year's plan), else the
-- land's class above. planning/pgstore reads needs through it.
CREATE FUNCTION lq_parcel_quota_class(status text, construction_land boolean, elevation_top double precision,
                                      underground_needs_quota boolean) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lq_status_conversion_approved(status) THEN 'approved'
              ELSE lq_land_quota_class(construction_land, elevation_top, underground_needs_quota) END
$$;

-- lq_parcels_consume books 核销 when project parcels reach approval for
-- conversion in one statement, and reverses it when they leave it. The
-- plan is the new-construction plan of the approval's year (approved_on,
-- or today); a year with no plan in the system is not managed here
-- (historic approvals load as they are). In a managed year a parcel that
-- needs new quota must belong to a project whose account holds enough:
-- otherwise the whole statement fails naming the parcel, the project and
-- the shortfall in m², hm² and 亩. Who acted comes from the transaction
-- setting landquota.actor (the API sets it), else the database user.
CREATE FUNCTION lq_parcels_consume() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('landquota.actor', true), ''), session_user);
  approvals jsonb;
  bad record;
BEGIN
  -- Approvals: parcels that were not approved, now are, and need new quota
  -- in a year whose plan the system keeps.
  -- Statuses are classed once (a dozen rows), and the transition tables
  -- joined by hash: the planner cannot see how many rows they hold.
  SELECT jsonb_agg(x) INTO approvals FROM (
    WITH st AS MATERIALIZED (SELECT code, lq_status_conversion_approved(code) AS approved FROM parcel_statuses)
    SELECT n.id AS parcel_id, n.code, pp.project_id, pr.code AS project_code, pl.id AS plan_id, y.year,
           round(n.area_m2::numeric, 2) AS new_m2
    FROM lq_new_rows n
    JOIN lq_old_rows o ON o.id = n.id
    JOIN st sn ON sn.code = n.status AND sn.approved
    JOIN st so ON so.code = o.status AND NOT so.approved
    CROSS JOIN LATERAL (SELECT extract(year FROM coalesce(n.approved_on, current_date))::int AS year) y
    JOIN plans pl ON pl.year = y.year AND pl.kind = 'new_construction'
    LEFT JOIN project_parcels pp ON pp.parcel_id = n.id
    LEFT JOIN projects pr ON pr.id = pp.project_id
    WHERE lq_land_quota_class(n.construction_land, n.elevation_top, lq_underground_needs_quota(y.year)) = 'new'
      AND n.area_m2 >= 0.005) x;
  IF approvals IS NOT NULL THEN
    SELECT * INTO bad FROM jsonb_to_recordset(approvals) AS a(parcel_id bigint, code text, project_id bigint, new_m2 numeric, year int)
     WHERE a.project_id IS NULL ORDER BY a.code LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ409',
        MESSAGE = format('parcel %s needs %s m² (%s hm², %s 亩) of new construction-land quota but belongs to no project: '
                         'no approval without quota (无指标不得批地); add it to a project that holds quota in the %s plan first',
                         bad.code, bad.new_m2, round(bad.new_m2 / 10000, 2), round(bad.new_m2 * 15 / 10000, 2), bad.year),
        DETAIL = json_build_object('parcel_id', bad.parcel_id, 'parcel', bad.code, 'shortfall_m2', bad.new_m2,
                                   'shortfall_hm2', round(bad.new_m2 / 10000, 2), 'shortfall_mu', round(bad.new_m2 * 15 / 10000, 2))::text;
    END IF;
    -- Enough quota per project account, checked before booking so the
    -- message names the project and all it lacks (the booking trigger
    -- checks again under its lock).
    SELECT a.plan_id, a.year, a.project_id, a.project_code, sum(a.new_m2) AS need, coalesce(q.held, 0) AS held,
           string_agg(a.code, ', ' ORDER BY a.code) AS parcels
      INTO bad
      FROM jsonb_to_recordset(approvals) AS a(parcel_id bigint, code text, project_id bigint, project_code text,
                                              plan_id bigint, year int, new_m2 numeric)
      LEFT JOIN quota_accounts q ON q.plan_id = a.plan_id AND q.code = 'P' || a.project_id
     GROUP BY a.plan_id, a.year, a.project_id, a.project_code, q.held
    HAVING sum(a.new_m2) > coalesce(q.held, 0)
     ORDER BY a.project_id LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'LQ409',
        MESSAGE = format('project %s (id %s) holds %s m² of the %s plan but approving parcels %s needs %s m²: '
                         '%s m² (%s hm², %s 亩) more quota would be needed (无指标不得批地)',
                         bad.project_code, bad.project_id, bad.held, bad.year, bad.parcels, bad.need,
                         bad.need - bad.held, round((bad.need - bad.held) / 10000, 2), round((bad.need - bad.held) * 15 / 10000, 2)),
        DETAIL = json_build_object('project_id', bad.project_id, 'account', 'P' || bad.project_id, 'year', bad.year,
                                   'held_m2', bad.held, 'requested_m2', bad.need, 'shortfall_m2', bad.need - bad.held,
                                   'shortfall_hm2', round((bad.need - bad.held) / 10000, 2),
                                   'shortfall_mu', round((bad.need - bad.held) * 15 / 10000, 2))::text;
    END IF;
    INSERT INTO ledger_entries (plan_id, kind, from_account, amount_m2, reason, created_by, idempotency_key, parcel_id)
    SELECT a.plan_id, 'consume', q.id, a.new_m2,
           format('地块 %s 农转用批准，核销新增建设用地计划指标 / parcel %s approved for conversion: quota consumed', a.code, a.code),
           actor, 'consume:' || a.parcel_id || ':' || gen_random_uuid(), a.parcel_id
    FROM jsonb_to_recordset(approvals) AS a(parcel_id bigint, code text, project_id bigint, plan_id bigint, new_m2 numeric)
    JOIN quota_accounts q ON q.plan_id = a.plan_id AND q.code = 'P' || a.project_id
    ORDER BY a.project_id, a.parcel_id;
  END IF;

  -- Withdrawn approvals: parcels that were approved and no longer are get
  -- their standing consumption reversed.
  INSERT INTO ledger_entries (plan_id, kind, to_account, amount_m2, reason, created_by, idempotency_key, reverses)
  SELECT e.plan_id, 'reversal', e.from_account, e.amount_m2,
         format('地块 %s 撤回农转用批准，退回核销指标 / parcel %s approval withdrawn: consumption reversed', n.code, n.code),
         actor, 'unconsume:' || e.id || ':' || gen_random_uuid(), e.id
  FROM lq_new_rows n
  JOIN lq_old_rows o ON o.id = n.id
  JOIN (SELECT code, lq_status_conversion_approved(code) AS approved FROM parcel_statuses) sn ON sn.code = n.status AND NOT sn.approved
  JOIN (SELECT code, lq_status_conversion_approved(code) AS approved FROM parcel_statuses) so ON so.code = o.status AND so.approved
  JOIN ledger_entries e ON e.parcel_id = n.id AND e.kind = 'consume'
  WHERE NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)
  ORDER BY e.id;
  RETURN NULL;
END $$ SET enable_nestloop = off;
CREATE TRIGGER parcels_consume AFTER UPDATE ON parcels REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcels_consume();

package pgstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/jackc/pgx/v5"
)

// stockRules are the bound parameters of planner.Rules in one query.
type stockRules struct {
	idle, recovery, grace, built, dev, inv, fee string
}

func bindRules(args *sqlArgs, r planner.Rules) stockRules {
	return stockRules{
		idle: args.add(r.IdleAfterYears) + "::int", recovery: args.add(r.RecoveryAfterYears) + "::int",
		grace: args.add(r.NoAgreedStartYears) + "::int", built: args.add(r.BuiltNotProducingYears) + "::int",
		dev: args.add(r.StallDevelopedBelow) + "::float8", inv: args.add(r.StallInvestedBelow) + "::float8",
		fee: args.add(r.FeeShare) + "::numeric",
	}
}

// startedStatuses imply construction started when no start date is known
// (planner.Facts.Started).
const startedStatuses = "('under_construction', 'completed', 'in_production', 'low_efficiency', 'redevelopment')"

// suppliedStatuses are the stages of planning.Status.Supplied.
const suppliedStatuses = "('supplied', 'under_construction', 'completed', 'in_production', 'low_efficiency', 'redevelopment')"

// extensionSQL is a relation of the latest extension of the start granted
// on or before asof per parcel (parcel_id, extended_to), to be joined.
func extensionSQL(asof string) string {
	return `(SELECT parcel_id, (array_agg(extended_to ORDER BY event_on DESC, id DESC))[1] AS extended_to
		FROM parcel_events WHERE kind = 'extension_granted' AND event_on <= ` + asof + ` GROUP BY parcel_id)`
}

// stockLateral renders planner.Rules.Derive over the parcel aliased t as
// of the date expression asof, with ext the date the latest extension
// granted by then moved the start to (NULL for none). The result is the
// relation named alias with the columns unsupplied, unsupplied_days,
// unsupplied_years, idle, idle_kind, idle_from, idle_years, idle_exempt,
// fee_wan, recovery_due, the five low-efficiency flags low_unsupplied ...
// low_below_standard, facts_missing (text[] of planner.MissingFact),
// start_due and start_due_from.
// PostgreSQL flattens the subqueries into expressions over t.
// TestStockSQLMatchesRules keeps this equal to the Go rules.
func stockLateral(r stockRules, asof, ext, alias string) string {
	a0, a1, a2 := alias+"_0", alias+"_1", alias+"_2"
	return fmt.Sprintf(`
	CROSS JOIN LATERAL (SELECT
		coalesce(t.approved_on <= %[1]s AND (t.supplied_on IS NULL OR t.supplied_on > %[1]s), false) AS unsupplied,
		coalesce(t.supplied_on <= %[1]s, false) AS supplied,
		coalesce(t.actual_start_on <= %[1]s, t.actual_start_on IS NULL AND t.status IN %[3]s) AS started,
		coalesce(t.completed_on <= %[1]s, false) AS completed) %[4]s
	CROSS JOIN LATERAL (SELECT
		CASE WHEN %[4]s.supplied AND NOT %[4]s.started
		       THEN coalesce(%[14]s, t.agreed_start_on, t.handed_over_on, (t.supplied_on + make_interval(years => %[6]s))::date)
		     WHEN %[4]s.started AND NOT %[4]s.completed AND t.halted_since <= %[1]s
		          AND (t.developed_share < %[7]s OR t.invested_share < %[8]s)
		       THEN t.halted_since END AS clock,
		CASE WHEN %[4]s.supplied AND NOT %[4]s.started THEN 'not_started' ELSE 'stalled' END AS kind) %[5]s
	CROSS JOIN LATERAL (SELECT coalesce(%[5]s.clock + make_interval(years => %[9]s) <= %[1]s, false) AS due) %[10]s
	CROSS JOIN LATERAL (SELECT
		%[4]s.unsupplied,
		CASE WHEN %[4]s.unsupplied THEN %[1]s - t.approved_on END AS unsupplied_days,
		CASE WHEN %[4]s.unsupplied THEN lq_full_years(t.approved_on, %[1]s) END AS unsupplied_years,
		%[10]s.due AS idle,
		%[10]s.due AND t.government_delay AS idle_exempt,
		CASE WHEN %[10]s.due THEN %[5]s.kind END AS idle_kind,
		CASE WHEN %[10]s.due THEN %[5]s.clock END AS idle_from,
		CASE WHEN %[10]s.due THEN lq_full_years(%[5]s.clock, %[1]s) END AS idle_years,
		CASE WHEN %[10]s.due AND NOT t.government_delay THEN round(t.land_price_wan * %[11]s, 2) END AS fee_wan,
		coalesce(%[10]s.due AND NOT t.government_delay AND %[5]s.clock + make_interval(years => %[12]s) <= %[1]s, false) AS recovery_due,
		%[4]s.unsupplied AS low_unsupplied,
		coalesce(%[4]s.supplied AND NOT %[4]s.started AND %[5]s.clock <= %[1]s, false) AS low_supplied_unused,
		coalesce(%[4]s.started AND t.developed_share < 1, false) AS low_used_unfinished,
		coalesce(t.status = 'completed' AND t.completed_on + make_interval(years => %[13]s) <= %[1]s, false) AS low_built_not_producing,
		t.status = 'low_efficiency' AS low_below_standard,
		array_remove(ARRAY[
			CASE WHEN t.status IN `+suppliedStatuses+` AND t.supplied_on IS NULL THEN 'supply_date' END,
			CASE WHEN %[4]s.started AND NOT %[4]s.completed AND coalesce(t.halted_since <= %[1]s, false)
			          AND NOT (coalesce(t.developed_share < %[7]s, false) OR coalesce(t.invested_share < %[8]s, false))
			          AND (t.developed_share IS NULL OR t.invested_share IS NULL) THEN 'halted_shares' END], NULL) AS facts_missing,
		CASE WHEN %[4]s.supplied AND NOT %[4]s.started THEN %[5]s.clock END AS start_due,
		CASE WHEN %[4]s.supplied AND NOT %[4]s.started THEN CASE WHEN %[14]s IS NOT NULL THEN 'extension_granted'
			WHEN t.agreed_start_on IS NOT NULL THEN 'agreed_start' WHEN t.handed_over_on IS NOT NULL THEN 'handover' ELSE 'supply' END END AS start_due_from) %[2]s`,
		asof, alias, startedStatuses, a0, a1, r.grace, r.dev, r.inv, r.idle, a2, r.fee, r.recovery, r.built, ext)
}

// stockFilters are the SQL conditions of the stock layer's kinds, over the
// relation s rendered by stockLateral.
var stockFilters = map[string]string{
	"unsupplied":                         "s.unsupplied",
	"idle":                               "s.idle",
	"idle_exempt":                        "s.idle_exempt",
	"facts_missing":                      "cardinality(s.facts_missing) > 0",
	"fee_due":                            "(s.idle AND NOT s.idle_exempt)",
	"recovery_due":                       "s.recovery_due",
	string(planner.LowSuppliedUnused):    "s.low_supplied_unused",
	string(planner.LowUsedUnfinished):    "s.low_used_unfinished",
	string(planner.LowBuiltNotProducing): "s.low_built_not_producing",
	string(planner.LowProducingBelowStandard): "s.low_below_standard",
}

// lowArray lists the low-efficiency kinds of s, in planner.LowKinds order.
const lowArray = `array_remove(ARRAY[CASE WHEN s.low_unsupplied THEN 'unsupplied' END,
	CASE WHEN s.low_supplied_unused THEN 'supplied_unused' END, CASE WHEN s.low_used_unfinished THEN 'used_unfinished' END,
	CASE WHEN s.low_built_not_producing THEN 'built_not_producing' END,
	CASE WHEN s.low_below_standard THEN 'producing_below_standard' END], NULL)`

// StreamStock runs the stock layer: parcels with at least one wanted flag
// as of q.AsOf, each feature built by PostgreSQL with its derived flags,
// in id order (keyset paging after q.After).
func (s *Store) StreamStock(ctx context.Context, q planner.StockQuery, emit func(feature []byte) error) (int64, error) {
	if err := q.Rules.Check(); err != nil {
		return 0, err
	}
	if err := s.checkUnits(ctx, q.Park, q.District, "park", "district"); err != nil {
		return 0, err
	}
	args := sqlArgs{}
	asof := args.add(q.AsOf) + "::date"
	r := bindRules(&args, q.Rules)
	conds := []string{"true"}
	if q.BBox != nil {
		conds = append(conds, fmt.Sprintf("t.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490)",
			args.add(q.BBox[0]), args.add(q.BBox[1]), args.add(q.BBox[2]), args.add(q.BBox[3])))
	}
	if q.District != "" {
		conds = append(conds, "t.district_adcode = "+args.add(q.District))
	}
	if q.Park != "" {
		conds = append(conds, "t.park_code = "+args.add(q.Park))
	}
	if q.After > 0 {
		conds = append(conds, "t.id > "+args.add(q.After))
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = planner.StockKinds
	}
	var flags []string
	for _, k := range kinds {
		f, ok := stockFilters[k]
		if !ok {
			return 0, planning.Errorf(planning.ErrInvalid, "kind: unknown stock kind %q (one of %s)", k, strings.Join(planner.StockKinds, ", ")).WithDetail("parameter", "kind")
		}
		flags = append(flags, f)
	}
	conds = append(conds, "("+strings.Join(flags, " OR ")+")")
	props := `json_build_object('code', t.code, 'district', t.district_adcode, 'park', t.park_code,
		'land_use', t.land_use_code, 'land_use_zh', c.name_zh, 'status', t.status, 'status_zh', st.name_zh,
		'area_m2', round(t.area_m2::numeric, 2), 'area_hm2', round((t.area_m2 / 10000)::numeric, 2),
		'area_mu', round((t.area_m2 * 15 / 10000)::numeric, 2),
		'approved_on', t.approved_on, 'supplied_on', t.supplied_on, 'agreed_start_on', t.agreed_start_on,
		'actual_start_on', t.actual_start_on, 'completed_on', t.completed_on, 'developed_share', t.developed_share,
		'invested_share', t.invested_share, 'halted_since', t.halted_since, 'government_delay', t.government_delay,
		'handed_over_on', t.handed_over_on,
		'land_price_wan', t.land_price_wan, 'underground', coalesce(t.elevation_top <= 0, false),
		'as_of', ` + asof + `, 'unsupplied', s.unsupplied, 'unsupplied_days', s.unsupplied_days, 'unsupplied_years', s.unsupplied_years,
		'idle', s.idle, 'idle_kind', s.idle_kind, 'idle_from', s.idle_from, 'idle_years', s.idle_years,
		'idle_exempt', s.idle_exempt, 'fee_due', s.idle AND NOT s.idle_exempt, 'fee_wan', s.fee_wan, 'recovery_due', s.recovery_due,
		'low_efficiency', ` + lowArray + `, 'facts_missing', s.facts_missing, 'start_due', s.start_due, 'start_due_from', s.start_due_from)`
	sql := `SELECT t.id, '{"type":"Feature","id":' || t.id || ',"geometry":' || ST_AsGeoJSON(t.geom, ` + args.add(q.Precision) + `) ||
		',"properties":' || ` + props + `::text || '}'
		FROM parcels t JOIN land_use_classes c ON c.code = t.land_use_code JOIN parcel_statuses st ON st.code = t.status
		LEFT JOIN ` + extensionSQL(asof) + ` x ON x.parcel_id = t.id` +
		stockLateral(r, asof, "x.extended_to", "s") + `
		WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY t.id LIMIT ` + args.add(q.Limit+1)
	var next int64
	err := func() error {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return domainError(err)
		}
		defer rows.Close()
		var last int64
		n := 0
		for rows.Next() {
			n++
			if n > q.Limit {
				next = last
				return nil
			}
			raw := rows.RawValues()
			if err := rows.Scan(&last, nil); err != nil {
				return domainError(err)
			}
			if err := emit(raw[1]); err != nil {
				return err
			}
		}
		return domainError(rows.Err())
	}()
	return next, err
}

// checkUnits refuses a park or district code that names nothing.
func (s *Store) checkUnits(ctx context.Context, park, district, parkField, districtField string) error {
	if park == "" && district == "" {
		return nil
	}
	var parkOK, districtOK bool
	err := s.pool.QueryRow(ctx, `SELECT $1 = '' OR EXISTS (SELECT 1 FROM parks WHERE code = $1),
		$2 = '' OR EXISTS (SELECT 1 FROM districts WHERE adcode = $2)`, park, district).Scan(&parkOK, &districtOK)
	if err != nil {
		return domainError(err)
	}
	if !parkOK {
		return unknownField(parkField, "unknown park %q", park)
	}
	if !districtOK {
		return unknownField(districtField, "unknown district %q", district)
	}
	return nil
}

// unknownField is a 400 naming the field: a body field (with a dot in
// its path, or one of the top-level body fields) or a URL parameter.
func unknownField(field, format string, args ...any) error {
	key := "field"
	if !strings.Contains(field, ".") && field != "geometry" && field != "parcel_id" && field != "parcel_code" {
		key = "parameter"
	}
	return planning.Errorf(planning.ErrInvalid, "%s: %s", field, planning.Textf(format, args...)).WithDetail(key, field)
}

// Bits of the stock flags in groupFactsSQL's class number.
const (
	bitUnsupplied = 1 << iota
	bitIdle
	bitExempt
	bitRecovery
	bitSuppliedUnused
	bitUsedUnfinished
	bitBuiltNotProducing
	bitBelowStandard
)

// stockBits packs the flags of the relation s rendered by stockLateral,
// in the order of the bit constants; only those in mask.
func stockBits(s string, mask int) string {
	flags := []string{"unsupplied", "idle", "idle_exempt", "recovery_due", "low_supplied_unused",
		"low_used_unfinished", "low_built_not_producing", "low_below_standard"}
	var parts []string
	for i, f := range flags {
		if mask&(1<<i) != 0 {
			parts = append(parts, fmt.Sprintf("CASE WHEN %s.%s THEN %d ELSE 0 END", s, f, 1<<i))
		}
	}
	return "(" + strings.Join(parts, " | ") + ")"
}

// groupFactsSQL classifies every parcel once: district, park, land-use
// class and one packed class number (its stock flags as of end, bits 0-7,
// and 批而未供 and 闲置 as of start, bits 8-9; how it was supplied in the
// period, 16-17; the full years of 批而未供 at the end plus one, 18-20; the
// supply-rate window, 21-22; whether its land price is known, 23; facts missing, 24; determined idle by
// an event on or before the end, 25; affordable housing, 26), and
// counts and measures each class. PostgreSQL evaluates the rules once per
// row and hashes the groups in parallel; scanGroupFacts folds them into
// planner.GroupFacts and planner.ClassFacts.
func groupFactsSQL(args *sqlArgs, r planner.Rules, from, start, end time.Time) string {
	rules := bindRules(args, r)
	f, s0, s1 := args.add(from)+"::date", args.add(start)+"::date", args.add(end)+"::date"
	win := args.add(planner.AddYears(end, -r.SupplyRateYears)) + "::date"
	return `SELECT t.district_adcode, coalesce(t.park_code, ''), t.land_use_code, coalesce(t.current_use_code, ''),
		` + stockBits("b", 0xff) + `
		| (` + stockBits("a", bitUnsupplied|bitIdle) + ` << 8)
		| (CASE WHEN t.supplied_on >= ` + f + ` AND t.supplied_on <= ` + s1 + `
		       THEN CASE t.supply_method WHEN 'sale' THEN 1 WHEN 'allocation' THEN 2 ELSE 3 END ELSE 0 END << 16)
		| (coalesce(least(b.unsupplied_years, 3) + 1, 0) << 18)
		| (CASE WHEN t.approved_on > ` + win + ` AND t.approved_on <= ` + s1 + `
		       THEN CASE WHEN t.supplied_on <= ` + s1 + ` THEN 2 ELSE 1 END ELSE 0 END << 21)
		| (CASE WHEN t.land_price_wan IS NOT NULL THEN 1 << 23 ELSE 0 END)
		| (CASE WHEN cardinality(b.facts_missing) > 0 THEN 1 << 24 ELSE 0 END)
		| (CASE WHEN ev.det IS NOT NULL AND (ev.rec IS NULL OR ev.rec < ev.det) THEN 1 << 25 ELSE 0 END)
		| (CASE WHEN t.affordable_housing THEN 1 << 26 ELSE 0 END),
		count(*), coalesce(sum(t.area_m2), 0), coalesce(sum(round(t.land_price_wan * ` + rules.fee + `, 2)), 0)::float8,
		coalesce(sum(` + area2D + `), 0),
		count(t.survey_area_m2), coalesce(sum(t.area_m2) FILTER (WHERE t.survey_area_m2 IS NOT NULL), 0),
		coalesce(sum(t.survey_area_m2 - coalesce(t.survey_deduction_m2, 0)), 0),
		count(t.approved_area_m2), coalesce(sum(t.area_m2) FILTER (WHERE t.approved_area_m2 IS NOT NULL), 0), coalesce(sum(t.approved_area_m2), 0),
		count(t.contract_area_m2), coalesce(sum(t.area_m2) FILTER (WHERE t.contract_area_m2 IS NOT NULL), 0), coalesce(sum(t.contract_area_m2), 0)
	FROM parcels t
	LEFT JOIN parcel_footprints fp ON fp.parcel_id = t.id
	LEFT JOIN (SELECT parcel_id, max(event_on) FILTER (WHERE kind = 'idle_determination') AS det,
	                  max(event_on) FILTER (WHERE kind = 'land_recovered') AS rec,
	                  (array_agg(extended_to ORDER BY event_on DESC, id DESC) FILTER (WHERE kind = 'extension_granted' AND event_on <= ` + s0 + `))[1] AS ext0,
	                  (array_agg(extended_to ORDER BY event_on DESC, id DESC) FILTER (WHERE kind = 'extension_granted'))[1] AS ext1
	           FROM parcel_events WHERE event_on <= ` + s1 + ` GROUP BY parcel_id) ev ON ev.parcel_id = t.id` +
		stockLateral(rules, s0, "ev.ext0", "a") + stockLateral(rules, s1, "ev.ext1", "b") + `
	GROUP BY 1, 2, 3, 4, 5`
}

// area2D is a parcel's area in the 2D totals (all parcels, by land-use
// class): a stratified underground right (分层设立) counts only the part of
// its footprint that no surface right, and no underground right of a
// smaller id, already covers (kept in parcel_footprints, joined as fp), so
// a footprint is never counted twice. Surface rights never overlap (the
// no-overlap trigger), so they count whole. The stock and supply figures
// keep each right's own area: a footprint is twice in them only if both
// rights are, say, idle.
const area2D = `CASE WHEN t.elevation_top <= 0 THEN coalesce(fp.area_2d_m2, t.area_m2) ELSE t.area_m2 END`

// classKeys are the land-use class keys a code counts under: its
// first-level class, and for industrial land (1001) its own code too.
func classKeys(code string) []string {
	if len(code) < 2 {
		return []string{""} // current use not surveyed
	}
	if strings.HasPrefix(code, "1001") {
		return []string{code[:2], code}
	}
	return []string{code[:2]}
}

// classFacts collects ClassFacts per district, park and class key.
type classFacts struct {
	index map[[3]string]int
	list  []planner.ClassFacts
}

func (c *classFacts) add(district, park, use string, n int64, m2D float64, supplied planner.Measured) {
	if c.index == nil {
		c.index = map[[3]string]int{}
	}
	for _, key := range classKeys(use) {
		ck := [3]string{district, park, key}
		j, ok := c.index[ck]
		if !ok {
			j = len(c.list)
			c.index[ck] = j
			c.list = append(c.list, planner.ClassFacts{District: district, Park: park, Class: key})
		}
		c.list[j].All.N += n
		c.list[j].All.M2 += m2D
		c.list[j].SuppliedInYear.N += supplied.N
		c.list[j].SuppliedInYear.M2 += supplied.M2
	}
}

// groupResult is what groupFactsSQL gives: the district and park groups,
// and the classes by planned use and by current use.
type groupResult struct {
	groups          []planner.GroupFacts
	planned, actual classFacts
}

// scanGroupFacts folds the classes of groupFactsSQL into one GroupFacts
// per district and park, and ClassFacts per district, park and class key.
func scanGroupFacts(rows pgx.Rows) (groupResult, error) {
	defer rows.Close()
	var res groupResult
	index := map[[2]string]int{}
	var out []planner.GroupFacts
	for rows.Next() {
		var district, park, use, current string
		var class int
		var n int64
		var m2, fee, m2D float64
		var off [3]planner.OfficialArea
		if err := rows.Scan(&district, &park, &use, &current, &class, &n, &m2, &fee, &m2D,
			&off[0].N, &off[0].MeasuredM2, &off[0].OfficialM2, &off[1].N, &off[1].MeasuredM2, &off[1].OfficialM2,
			&off[2].N, &off[2].MeasuredM2, &off[2].OfficialM2); err != nil {
			return res, domainError(err)
		}
		fb, fa, supply := class&0xff, class>>8&0xff, class>>16&3
		years, window, priced := class>>18&7-1, class>>21&3, class>>23&1 == 1
		missing, determined, affordable := class>>24&1 == 1, class>>25&1 == 1, class>>26&1 == 1
		k := [2]string{district, park}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, planner.GroupFacts{District: district, Park: park})
		}
		g := &out[i]
		add := func(dst *planner.Measured, cond bool) {
			if cond {
				dst.N += n
				dst.M2 += m2
			}
		}
		g.All.N += n
		g.All.M2 += m2D
		for j := range off {
			g.Official[j].Add(off[j])
		}
		add(&g.SuppliedSale, supply == 1)
		add(&g.SuppliedAllocation, supply == 2)
		add(&g.SuppliedOther, supply == 3)
		add(&g.UnsuppliedStart, fa&bitUnsupplied != 0)
		add(&g.UnsuppliedEnd, fb&bitUnsupplied != 0)
		add(&g.UnsuppliedDisposed, fa&bitUnsupplied != 0 && fb&bitUnsupplied == 0)
		if years >= 0 {
			add(&g.UnsuppliedByYears[years], fb&bitUnsupplied != 0)
		}
		add(&g.IdleStart, fa&bitIdle != 0)
		add(&g.IdleEnd, fb&bitIdle != 0)
		add(&g.IdleDisposed, fa&bitIdle != 0 && fb&bitIdle == 0)
		add(&g.IdleExempt, fb&bitExempt != 0)
		add(&g.RecoveryDue, fb&bitRecovery != 0)
		add(&g.FactsMissing, missing)
		add(&g.IdleDetermined, determined)
		add(&g.Affordable, affordable)
		add(&g.AffordableSupplied, affordable && supply > 0)
		if fb&bitIdle != 0 && fb&bitExempt == 0 {
			g.FeeWan += fee
			if !priced {
				g.FeePriceUnknown += n
			}
		}
		for j, bit := range []int{bitUnsupplied, bitSuppliedUnused, bitUsedUnfinished, bitBuiltNotProducing, bitBelowStandard} {
			add(&g.Low[j], fb&bit != 0)
		}
		add(&g.Approved5y, window > 0)
		add(&g.Supplied5y, window == 2)
		var sup planner.Measured
		if supply > 0 {
			sup = planner.Measured{N: n, M2: m2}
		}
		res.planned.add(district, park, use, n, m2D, sup)
		res.actual.add(district, park, current, n, m2D, sup)
	}
	if err := rows.Err(); err != nil {
		return res, domainError(err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].District != out[j].District {
			return out[i].District < out[j].District
		}
		return out[i].Park < out[j].Park
	})
	res.groups = out
	return res, nil
}

// units reads the districts and parks the statistics are laid out by.
func (s *Store) units(ctx context.Context) ([]planner.DistrictInfo, []planner.ParkInfo, error) {
	rows, err := s.pool.Query(ctx, "SELECT adcode, name_zh, name_en FROM districts ORDER BY adcode")
	if err != nil {
		return nil, nil, domainError(err)
	}
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[planner.DistrictInfo])
	if err != nil {
		return nil, nil, domainError(err)
	}
	// counts_in_htz is the per-park flag of the quota migrations; without
	// it, every park hosted outside the core zone's district counts.
	counts := `p.host_district IS DISTINCT FROM (SELECT host_district FROM parks WHERE kind = 'core_zone' ORDER BY code LIMIT 1)`
	var flag bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = 'parks'::regclass AND attname = 'counts_in_htz' AND NOT attisdropped)`).Scan(&flag); err != nil {
		return nil, nil, domainError(err)
	}
	if flag {
		counts = "p.counts_in_htz"
	}
	rows, err = s.pool.Query(ctx, `SELECT p.code, p.name_zh, p.name_en, p.kind, p.host_district, coalesce(p.parent_code, ''), `+counts+`
		FROM parks p ORDER BY CASE p.kind WHEN 'core_zone' THEN 0 ELSE 1 END, p.code`)
	if err != nil {
		return nil, nil, domainError(err)
	}
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[planner.ParkInfo])
	return ds, ps, domainError(err)
}

// groupFacts runs groupFactsSQL.
func (s *Store) groupFacts(ctx context.Context, r planner.Rules, from, start, end time.Time) (groupResult, error) {
	args := sqlArgs{}
	sql := groupFactsSQL(&args, r, from, start, end)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return groupResult{}, domainError(err)
	}
	return scanGroupFacts(rows)
}

// StockSummary sums the stock land per district and park as of a day.
func (s *Store) StockSummary(ctx context.Context, asof time.Time, r planner.Rules) (planner.StockSummary, error) {
	if err := r.Check(); err != nil {
		return planner.StockSummary{}, err
	}
	ds, ps, err := s.units(ctx)
	if err != nil {
		return planner.StockSummary{}, err
	}
	res, err := s.groupFacts(ctx, r, asof, asof, asof)
	if err != nil {
		return planner.StockSummary{}, err
	}
	return planner.BuildStockSummary(asof, r, ds, ps, res.groups), nil
}

// DistrictStockFacts returns, per district, the year's 批而未供 and 闲置
// disposed and the five-year supply rate exactly as YearReport computes
// them for the whole year (as of 31 December): the 增存挂钩 facts the
// allocation and the year-end close read.
func (s *Store) DistrictStockFacts(ctx context.Context, year int, r planner.Rules) (map[string]planner.DistrictStock, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	if year < 1990 || year > 2100 {
		return nil, planning.Errorf(planning.ErrInvalid, "year: %d is not between 1990 and 2100", year).WithDetail("field", "year")
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	ds, _, err := s.units(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.groupFacts(ctx, r, from, from.AddDate(0, 0, -1), end)
	if err != nil {
		return nil, err
	}
	return planner.BuildDistrictStock(r, ds, res.groups), nil
}

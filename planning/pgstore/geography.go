package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

func outline(g orb.MultiPolygon, what string) (any, error) {
	if err := geo.ValidatePolygonal(g, maxOutlineVertices); err != nil {
		return nil, planning.Errorf(planning.ErrInvalid, "%s: %v", what, err).WithCause(err)
	}
	return geo.ToMultiPolygonGeom(g, geo.SRIDStore)
}

// maxOutlineVertices bounds one outline; a parcel with more is a data error.
const maxOutlineVertices = 200_000

// InsertDistrict stores a district; its area is measured by the database.
func (s *Store) InsertDistrict(ctx context.Context, d planning.District) error {
	return insertDistrict(ctx, s.pool, d)
}

func insertDistrict(ctx context.Context, q execer, d planning.District) error {
	g, err := outline(d.Outline, "district "+d.Adcode)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO districts (adcode, parent_adcode, name_zh, name_en, geom)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5)`, d.Adcode, d.ParentAdcode, d.NameZh, d.NameEn, g)
	return domainError(err)
}

// InsertPark stores a park.
func (s *Store) InsertPark(ctx context.Context, p planning.Park) error {
	return insertPark(ctx, s.pool, p)
}

func insertPark(ctx context.Context, q execer, p planning.Park) error {
	if !p.Kind.Valid() {
		return planning.Errorf(planning.ErrInvalid, "park %s: unknown kind %q (one of %v)", p.Code, p.Kind, planning.ParkKinds)
	}
	g, err := outline(p.Outline, "park "+p.Code)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO parks (code, name_zh, name_en, kind, host_district, geom, parent_code)
		VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''))`, p.Code, p.NameZh, p.NameEn, string(p.Kind), p.HostDistrict, g, p.ParentCode)
	return domainError(err)
}

// InsertZone stores a protected zone and returns its id.
func (s *Store) InsertZone(ctx context.Context, z planning.ProtectedZone) (int64, error) {
	return insertZone(ctx, s.pool, z)
}

func insertZone(ctx context.Context, q execer, z planning.ProtectedZone) (int64, error) {
	if !z.Kind.Valid() {
		return 0, planning.Errorf(planning.ErrInvalid, "protected zone %q: unknown kind %q (one of %v)", z.Name, z.Kind, planning.ZoneKinds)
	}
	g, err := outline(z.Outline, "protected zone "+z.Name)
	if err != nil {
		return 0, err
	}
	var id int64
	if z.ID > 0 {
		err = q.QueryRow(ctx, `INSERT INTO protected_zones (id, kind, name, geom) VALUES ($1, $2, $3, $4) RETURNING id`,
			z.ID, string(z.Kind), z.Name, g).Scan(&id)
	} else {
		err = q.QueryRow(ctx, `INSERT INTO protected_zones (kind, name, geom) VALUES ($1, $2, $3) RETURNING id`,
			string(z.Kind), z.Name, g).Scan(&id)
	}
	return id, domainError(err)
}

// parcelColumns are the columns a caller may write; id, area_m2 and the
// timestamps are the database's.
var parcelColumns = []string{
	"code", "district_adcode", "park_code", "land_use_code", "status", "geom",
	"plot_ratio", "building_density", "green_ratio", "affordable_housing",
	"supply_method", "approval_kind", "approved_on", "supplied_on", "agreed_start_on",
	"actual_start_on", "completed_on", "elevation_bottom", "elevation_top",
	"construction_land", "government_delay", "current_use_code", "construction_override", "construction_override_reason",
	"handed_over_on", "compatible_use_code", "compatible_share", "line_exception", "line_exception_document",
	"survey_area_m2", "survey_deduction_m2", "approved_area_m2", "contract_area_m2",
}

// parcelValues lists p's values in parcelColumns order.
func parcelValues(p *planning.Parcel) ([]any, error) {
	if !p.Status.Valid() {
		return nil, planning.Errorf(planning.ErrInvalid, "parcel %s: unknown status %q", p.Code, p.Status)
	}
	if (p.ConstructionOverride == nil) != (strings.TrimSpace(p.ConstructionOverrideReason) == "") {
		return nil, planning.Errorf(planning.ErrInvalid, "parcel %s: a construction-land override needs a reason, and a reason needs an override", p.Code).
			WithDetail("field", "construction_override_reason")
	}
	if (p.CompatibleUse == "") != (p.CompatibleShare == nil) || p.CompatibleShare != nil && (*p.CompatibleShare <= 0 || *p.CompatibleShare >= 1) {
		return nil, planning.Errorf(planning.ErrInvalid, "parcel %s: a mixed use needs a compatible class and its share, strictly between 0 and 1", p.Code).
			WithDetail("field", "compatible_share")
	}
	if !p.LineException.Valid() {
		return nil, planning.Errorf(planning.ErrInvalid, "parcel %s: unknown protected-line exception %q (single_site_infrastructure or state_council_major_project)",
			p.Code, p.LineException).WithDetail("field", "line_exception")
	}
	if (p.LineException == "") != (strings.TrimSpace(p.LineExceptionDocument) == "") {
		return nil, planning.Errorf(planning.ErrInvalid, "parcel %s: a protected-line exception needs its approving document (文号), and a document its exception", p.Code).
			WithDetail("field", "line_exception_document")
	}
	g, err := outline(p.Outline, "parcel "+p.Code)
	if err != nil {
		return nil, err
	}
	return []any{
		p.Code, p.District, nullString(p.Park), p.LandUse, string(p.Status), g,
		p.PlotRatio, p.BuildingDensity, p.GreenRatio, p.Affordable,
		nullString(string(p.SupplyMethod)), nullString(string(p.ApprovalKind)),
		p.ApprovedOn, p.SuppliedOn, p.AgreedStartOn, p.ActualStartOn, p.CompletedOn,
		p.Elevation.Bottom, p.Elevation.Top, p.ConstructionLand, p.GovernmentDelay,
		nullString(p.CurrentUse), p.ConstructionOverride, nullString(p.ConstructionOverrideReason),
		p.HandedOverOn, nullString(p.CompatibleUse), p.CompatibleShare,
		nullString(string(p.LineException)), nullString(p.LineExceptionDocument),
		p.SurveyAreaM2, p.SurveyDeductionM2, p.ApprovedAreaM2, p.ContractAreaM2,
	}, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InsertParcel stores one parcel and returns its id. The database refuses
// an invalid outline or one overlapping another parcel at the same elevation.
func (s *Store) InsertParcel(ctx context.Context, p planning.Parcel) (int64, error) {
	vals, err := parcelValues(&p)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.pool.QueryRow(ctx, insertParcelSQL, vals...).Scan(&id)
	return id, domainError(err)
}

var insertParcelSQL = func() string {
	sql := "INSERT INTO parcels ("
	params := ""
	for i, c := range parcelColumns {
		if i > 0 {
			sql += ", "
			params += ", "
		}
		sql += c
		params += fmt.Sprintf("$%d", i+1)
	}
	return sql + ") VALUES (" + params + ") RETURNING id"
}()

// GetParcel reads one parcel by id.
func (s *Store) GetParcel(ctx context.Context, id int64) (planning.Parcel, error) {
	var p planning.Parcel
	var park, supply, approval, current, reason, compatible *string
	var g orbScanner
	err := s.pool.QueryRow(ctx, `SELECT id, code, district_adcode, park_code, land_use_code, status, geom, area_m2,
		plot_ratio, building_density, green_ratio, affordable_housing, supply_method, approval_kind,
		approved_on, supplied_on, agreed_start_on, actual_start_on, completed_on,
		elevation_bottom, elevation_top, construction_land, government_delay, created_at, updated_at,
		current_use_code, construction_override, construction_override_reason, handed_over_on,
		compatible_use_code, compatible_share::float8, coalesce(line_exception, ''), coalesce(line_exception_document, ''),
		survey_area_m2, survey_deduction_m2, approved_area_m2, contract_area_m2
		FROM parcels WHERE id = $1`, id).Scan(
		&p.ID, &p.Code, &p.District, &park, &p.LandUse, &p.Status, &g, &p.AreaM2,
		&p.PlotRatio, &p.BuildingDensity, &p.GreenRatio, &p.Affordable, &supply, &approval,
		&p.ApprovedOn, &p.SuppliedOn, &p.AgreedStartOn, &p.ActualStartOn, &p.CompletedOn,
		&p.Elevation.Bottom, &p.Elevation.Top, &p.ConstructionLand, &p.GovernmentDelay, &p.CreatedAt, &p.UpdatedAt,
		&current, &p.ConstructionOverride, &reason, &p.HandedOverOn, &compatible, &p.CompatibleShare, &p.LineException, &p.LineExceptionDocument,
		&p.SurveyAreaM2, &p.SurveyDeductionM2, &p.ApprovedAreaM2, &p.ContractAreaM2)
	if isNoRows(err) {
		return p, planning.Errorf(planning.ErrNotFound, "parcel %d does not exist", id)
	}
	if err != nil {
		return p, domainError(err)
	}
	p.Park, p.SupplyMethod, p.ApprovalKind = deref(park), planning.SupplyMethod(deref(supply)), planning.ApprovalKind(deref(approval))
	p.CurrentUse, p.ConstructionOverrideReason, p.CompatibleUse = deref(current), deref(reason), deref(compatible)
	p.Outline = g.multiPolygon()
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Dataset is a whole geography to load at once (the demo seed, a test world).
type Dataset struct {
	Districts []planning.District
	Parks     []planning.Park
	Zones     []planning.ProtectedZone
	Parcels   iter.Seq[planning.Parcel]
}

// LoadReport says what a Load wrote.
type LoadReport struct {
	Districts, Parks, Zones int
	Parcels                 int64
}

// Load writes a dataset in one transaction: all of it or nothing. With
// replace, the existing geography and everything built on it (projects,
// plans, ledgers, policies, scenarios; not users) is removed first; without it, a database that
// already holds parcels is refused. progress, if set, is called every
// 10,000 parcels.
func (s *Store) Load(ctx context.Context, ds Dataset, replace bool, progress func(parcels int64)) (LoadReport, error) {
	var rep LoadReport
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return rep, domainError(err)
	}
	defer tx.Rollback(context.Background())
	if replace {
		// The ledger refuses TRUNCATE unless the transaction says it is
		// replacing the whole world (lq_ledger_no_truncate).
		if _, err := tx.Exec(ctx, "SELECT set_config('landquota.replace_world', 'on', true)"); err != nil {
			return rep, domainError(err)
		}
		if _, err := tx.Exec(ctx, "TRUNCATE parcels, protected_zones, parks, districts, projects, project_parcels, plans, quota_accounts, ledger_entries, policies, scenarios RESTART IDENTITY CASCADE"); err != nil {
			return rep, domainError(err)
		}
	} else {
		// Nobody adds parcels until the load commits: it checks overlaps
		// only among the parcels it loads (loadParcels).
		if _, err := tx.Exec(ctx, "LOCK TABLE parcels IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return rep, domainError(err)
		}
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM parcels LIMIT 1) x").Scan(&n); err != nil {
			return rep, domainError(err)
		}
		if n > 0 {
			return rep, planning.Errorf(planning.ErrConflict, "the database already holds parcels; use --replace to wipe the geography and load again")
		}
	}
	for _, d := range ds.Districts {
		if err := insertDistrict(ctx, tx, d); err != nil {
			return rep, err
		}
		rep.Districts++
	}
	for _, p := range ds.Parks {
		if err := insertPark(ctx, tx, p); err != nil {
			return rep, err
		}
		rep.Parks++
	}
	for _, z := range ds.Zones {
		if _, err := insertZone(ctx, tx, z); err != nil {
			return rep, err
		}
		rep.Zones++
	}
	if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('protected_zones', 'id'), greatest((SELECT max(id) FROM protected_zones), 1))"); err != nil {
		return rep, domainError(err)
	}
	if ds.Parcels != nil {
		n, err := loadParcels(ctx, tx, &parcelSource{next: ds.Parcels, progress: progress})
		if err != nil {
			return rep, err
		}
		rep.Parcels = n
	}
	if _, err := tx.Exec(ctx, "ANALYZE parcels"); err != nil {
		return rep, domainError(err)
	}
	return rep, domainError(tx.Commit(ctx))
}

// loadParcels moves parcels into the (empty) parcels table in bulk, with
// the checks of the per-row triggers of migration 001 done set-based:
// COPY into a staging table, refuse the first empty or invalid outline
// (LQ001's message) and the first overlap at the same elevation (LQ002's),
// then one INSERT ... SELECT with the two row triggers off and the areas
// measured in the same pass. Row by row those triggers cost two thirds of
// the insert (measured with EXPLAIN ANALYZE on 20,000 seeded parcels: the
// outline check 3.6 s, the overlap check 3.3 s, of 13.3 s), since each
// probes the index and takes the advisory lock once per row. The
// statement-level triggers (conflicts, aggregate cells, notifications,
// layer version) still run, once. Disabling a trigger takes the table's
// exclusive lock until commit, which a load into an empty table holds
// anyway in effect.
func loadParcels(ctx context.Context, tx pgx.Tx, src *parcelSource) (int64, error) {
	cols := strings.Join(parcelColumns, ", ")
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE lq_load_parcels ON COMMIT DROP AS SELECT "+cols+" FROM parcels WITH NO DATA"); err != nil {
		return 0, domainError(err)
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE lq_load_parcels ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY"); err != nil {
		return 0, domainError(err)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"lq_load_parcels"}, parcelColumns, src)
	if src.err != nil {
		return 0, src.err
	}
	if err != nil {
		return 0, domainError(err)
	}
	var code, reason string
	err = tx.QueryRow(ctx, `SELECT code, CASE WHEN ST_IsEmpty(geom) THEN 'outline is empty'
		ELSE 'outline is not a valid polygon: ' || ST_IsValidReason(geom) END
		FROM lq_load_parcels WHERE ST_IsEmpty(geom) OR NOT ST_IsValid(geom) ORDER BY n LIMIT 1`).Scan(&code, &reason)
	if err == nil {
		return 0, planning.Errorf(planning.ErrInvalid, "parcel %s: %s", code, reason).WithDetail("field", "geometry")
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return 0, domainError(err)
	}
	if _, err := tx.Exec(ctx, "CREATE INDEX ON lq_load_parcels USING gist (geom)"); err != nil {
		return 0, domainError(err)
	}
	var other string
	var overlap float64
	err = tx.QueryRow(ctx, `SELECT a.code, b.code, round(ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4549))::numeric, 2)::float8
		FROM lq_load_parcels a JOIN lq_load_parcels b ON a.geom && b.geom AND a.n < b.n
		WHERE numrange(a.elevation_bottom::numeric, a.elevation_top::numeric) && numrange(b.elevation_bottom::numeric, b.elevation_top::numeric)
		  AND ST_Relate(a.geom, b.geom, '2********')
		  AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4549)) > 0.01
		ORDER BY b.n, a.n LIMIT 1`).Scan(&other, &code, &overlap)
	if err == nil {
		return 0, planning.Errorf(planning.ErrConflict, "parcel %s overlaps parcel %s by %v m² at the same elevation", code, other, overlap).
			WithDetail("parcel_code", code).WithDetail("overlaps_code", other).WithDetail("overlap_m2", overlap)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return 0, domainError(err)
	}
	for _, sql := range []string{
		"ALTER TABLE parcels DISABLE TRIGGER parcels_a_outline, DISABLE TRIGGER parcels_b_no_overlap",
		"INSERT INTO parcels (" + cols + ", area_m2) SELECT " + cols + ", ST_Area(ST_Transform(geom, 4549)) FROM lq_load_parcels ORDER BY n",
		"ALTER TABLE parcels ENABLE TRIGGER parcels_a_outline, ENABLE TRIGGER parcels_b_no_overlap",
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return 0, domainError(err)
		}
	}
	return n, nil
}

// parcelSource feeds a parcel iterator to COPY without holding it in memory.
type parcelSource struct {
	next     iter.Seq[planning.Parcel]
	pull     func() (planning.Parcel, bool)
	stop     func()
	vals     []any
	err      error
	n        int64
	progress func(int64)
}

func (s *parcelSource) Next() bool {
	if s.pull == nil {
		s.pull, s.stop = iter.Pull(s.next)
	}
	p, ok := s.pull()
	if !ok {
		s.stop()
		return false
	}
	s.vals, s.err = parcelValues(&p)
	if s.err != nil {
		s.stop()
		return false
	}
	s.n++
	if s.progress != nil && s.n%10000 == 0 {
		s.progress(s.n)
	}
	return true
}

func (s *parcelSource) Values() ([]any, error) { return s.vals, nil }
func (s *parcelSource) Err() error             { return s.err }

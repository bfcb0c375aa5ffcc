package pgstore

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
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
func (s *LandStore) InsertDistrict(ctx context.Context, d planning.District) error {
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
func (s *LandStore) InsertPark(ctx context.Context, p planning.Park) error {
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
func (s *LandStore) InsertZone(ctx context.Context, z planning.ProtectedZone) (int64, error) {
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

// parcelField is a column a caller may write and the Parcel field it
// holds: what is written (val) and where a read puts it (dst). The insert,
// a load's COPY (parcelColumns, parcelValues) and GetParcel all follow
// this one list; id, area_m2 and the timestamps are the database's.
type parcelField struct {
	col string
	val func(p *planning.Parcel) any
	dst func(p *planning.Parcel) any
}

// pf shortens the accessors below.
type pf = planning.Parcel

var parcelFields = []parcelField{
	{"code", func(p *pf) any { return p.Code }, func(p *pf) any { return &p.Code }},
	{"district_adcode", func(p *pf) any { return p.District }, func(p *pf) any { return &p.District }},
	{"park_code", func(p *pf) any { return nullString(p.Park) }, func(p *pf) any { return &emptyIfNull{&p.Park} }},
	{"land_use_code", func(p *pf) any { return p.LandUse }, func(p *pf) any { return &p.LandUse }},
	{"status", func(p *pf) any { return string(p.Status) }, func(p *pf) any { return &p.Status }},
	// parcelValues writes the checked outline in geom's place.
	{"geom", nil, func(p *pf) any { return &outlineScanner{&p.Outline} }},
	{"plot_ratio", func(p *pf) any { return p.PlotRatio }, func(p *pf) any { return &p.PlotRatio }},
	{"building_density", func(p *pf) any { return p.BuildingDensity }, func(p *pf) any { return &p.BuildingDensity }},
	{"green_ratio", func(p *pf) any { return p.GreenRatio }, func(p *pf) any { return &p.GreenRatio }},
	{"affordable_housing", func(p *pf) any { return p.Affordable }, func(p *pf) any { return &p.Affordable }},
	{"supply_method", func(p *pf) any { return nullString(string(p.SupplyMethod)) }, func(p *pf) any { return &emptyIfNull{(*string)(&p.SupplyMethod)} }},
	{"approval_kind", func(p *pf) any { return nullString(string(p.ApprovalKind)) }, func(p *pf) any { return &emptyIfNull{(*string)(&p.ApprovalKind)} }},
	{"approved_on", func(p *pf) any { return p.ApprovedOn }, func(p *pf) any { return &p.ApprovedOn }},
	{"supplied_on", func(p *pf) any { return p.SuppliedOn }, func(p *pf) any { return &p.SuppliedOn }},
	{"agreed_start_on", func(p *pf) any { return p.AgreedStartOn }, func(p *pf) any { return &p.AgreedStartOn }},
	{"actual_start_on", func(p *pf) any { return p.ActualStartOn }, func(p *pf) any { return &p.ActualStartOn }},
	{"completed_on", func(p *pf) any { return p.CompletedOn }, func(p *pf) any { return &p.CompletedOn }},
	{"elevation_bottom", func(p *pf) any { return p.Elevation.Bottom }, func(p *pf) any { return &p.Elevation.Bottom }},
	{"elevation_top", func(p *pf) any { return p.Elevation.Top }, func(p *pf) any { return &p.Elevation.Top }},
	{"construction_land", func(p *pf) any { return p.ConstructionLand }, func(p *pf) any { return &p.ConstructionLand }},
	{"government_delay", func(p *pf) any { return p.GovernmentDelay }, func(p *pf) any { return &p.GovernmentDelay }},
	{"current_use_code", func(p *pf) any { return nullString(p.CurrentUse) }, func(p *pf) any { return &emptyIfNull{&p.CurrentUse} }},
	{"construction_override", func(p *pf) any { return p.ConstructionOverride }, func(p *pf) any { return &p.ConstructionOverride }},
	{"construction_override_reason", func(p *pf) any { return nullString(p.ConstructionOverrideReason) }, func(p *pf) any { return &emptyIfNull{&p.ConstructionOverrideReason} }},
	{"handed_over_on", func(p *pf) any { return p.HandedOverOn }, func(p *pf) any { return &p.HandedOverOn }},
	{"compatible_use_code", func(p *pf) any { return nullString(p.CompatibleUse) }, func(p *pf) any { return &emptyIfNull{&p.CompatibleUse} }},
	{"compatible_share", func(p *pf) any { return p.CompatibleShare }, func(p *pf) any { return &p.CompatibleShare }},
	{"line_exception", func(p *pf) any { return nullString(string(p.LineException)) }, func(p *pf) any { return &emptyIfNull{(*string)(&p.LineException)} }},
	{"line_exception_document", func(p *pf) any { return nullString(p.LineExceptionDocument) }, func(p *pf) any { return &emptyIfNull{&p.LineExceptionDocument} }},
	{"survey_area_m2", func(p *pf) any { return p.SurveyAreaM2 }, func(p *pf) any { return &p.SurveyAreaM2 }},
	{"survey_deduction_m2", func(p *pf) any { return p.SurveyDeductionM2 }, func(p *pf) any { return &p.SurveyDeductionM2 }},
	{"approved_area_m2", func(p *pf) any { return p.ApprovedAreaM2 }, func(p *pf) any { return &p.ApprovedAreaM2 }},
	{"contract_area_m2", func(p *pf) any { return p.ContractAreaM2 }, func(p *pf) any { return &p.ContractAreaM2 }},
}

// parcelColumns are parcelFields' columns, in order.
var parcelColumns = func() []string {
	out := make([]string, len(parcelFields))
	for i, f := range parcelFields {
		out[i] = f.col
	}
	return out
}()

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
	vals := make([]any, len(parcelFields))
	for i, f := range parcelFields {
		if f.val == nil {
			vals[i] = g
			continue
		}
		vals[i] = f.val(p)
	}
	return vals, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InsertParcel stores one parcel and returns its id. The database refuses
// an invalid outline or one overlapping another parcel at the same elevation.
func (s *LandStore) InsertParcel(ctx context.Context, p planning.Parcel) (int64, error) {
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
func (s *LandStore) GetParcel(ctx context.Context, id int64) (planning.Parcel, error) {
	var p planning.Parcel
	dst := []any{&p.ID, &p.AreaM2, &p.CreatedAt, &p.UpdatedAt}
	for _, f := range parcelFields {
		dst = append(dst, f.dst(&p))
	}
	err := s.pool.QueryRow(ctx, getParcelSQL, id).Scan(dst...)
	if isNoRows(err) {
		return p, planning.Errorf(planning.ErrNotFound, "parcel %d does not exist", id)
	}
	return p, domainError(err)
}

var getParcelSQL = "SELECT id, area_m2, created_at, updated_at, " + strings.Join(parcelColumns, ", ") + " FROM parcels WHERE id = $1"

// emptyIfNull scans a nullable text column into a string, "" for NULL.
type emptyIfNull struct{ s *string }

func (e *emptyIfNull) ScanText(v pgtype.Text) error {
	*e.s = v.String // "" when not Valid
	return nil
}

// outlineScanner scans a parcel's geometry into its outline.
type outlineScanner struct{ out *orb.MultiPolygon }

func (o *outlineScanner) ScanGeom(g geom.T) error {
	var s orbScanner
	err := s.ScanGeom(g)
	*o.out = s.multiPolygon()
	return err
}

// Dataset is a whole geography to load at once (the demo seed, a test world).
type Dataset struct {
	Districts []planning.District
	Parks     []planning.Park
	Zones     []planning.ProtectedZone
	Parcels   iter.Seq[planning.Parcel]
	// Phase, if set, is told how long each step of loading the parcels
	// took (for the seed command's report).
	Phase func(step string, took time.Duration)
}

// LoadReport says what a Load wrote.
type LoadReport struct {
	Districts, Parks, Zones int
	Parcels                 int64
}

// clearForLoad readies tx for a load: with replace it empties the world;
// without, it refuses a database that holds parcels and keeps others from
// adding any until the load commits.
func clearForLoad(ctx context.Context, tx execer, replace bool) error {
	if replace {
		// The ledger refuses TRUNCATE unless the transaction says it is
		// replacing the whole world (lq_ledger_no_truncate).
		if _, err := tx.Exec(ctx, "SELECT set_config('landquota.replace_world', 'on', true)"); err != nil {
			return domainError(err)
		}
		_, err := tx.Exec(ctx, "TRUNCATE parcels, protected_zones, parks, districts, projects, project_parcels, plans, quota_accounts, ledger_entries, policies, scenarios RESTART IDENTITY CASCADE")
		return domainError(err)
	}
	// Nobody adds parcels until the load commits: it checks overlaps only
	// among the parcels it loads (loadParcels).
	if _, err := tx.Exec(ctx, "LOCK TABLE parcels IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return domainError(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM parcels LIMIT 1) x").Scan(&n); err != nil {
		return domainError(err)
	}
	if n > 0 {
		return planning.Errorf(planning.ErrConflict, "the database already holds parcels; use --replace to wipe the geography and load again")
	}
	return nil
}

// Load writes a dataset in one transaction: all of it or nothing. With
// replace, the existing geography and everything built on it (projects,
// plans, ledgers, policies, scenarios; not users) is removed first; without it, a database that
// already holds parcels is refused. progress, if set, is called every
// 10,000 parcels.
func (s *LandStore) Load(ctx context.Context, ds Dataset, replace bool, progress func(parcels int64)) (LoadReport, error) {
	var rep LoadReport
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return rep, domainError(err)
	}
	defer tx.Rollback(context.Background())
	if err := clearForLoad(ctx, tx, replace); err != nil {
		return rep, err
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
		n, err := loadParcels(ctx, tx, &parcelSource{next: ds.Parcels, progress: progress}, ds.Phase)
		if err != nil {
			return rep, err
		}
		rep.Parcels = n
	}
	return rep, domainError(tx.Commit(ctx))
}

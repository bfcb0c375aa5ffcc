package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/jackc/pgx/v5"
)

const projectColumns = `p.id, p.code, p.name, p.category, p.provincial_major, p.national_key, p.district_adcode,
	coalesce(p.park_code, ''), coalesce(` + landParkSQL + `, ''), p.investment_wan::float8, p.tax_per_mu_wan::float8, p.readiness,
	coalesce(array_agg(pp.parcel_id ORDER BY pp.parcel_id) FILTER (WHERE pp.parcel_id IS NOT NULL), '{}')`

// CreateProject stores a project with the parcels it needs.
func (s *ProjectStore) CreateProject(ctx context.Context, p quota.Project) (quota.Project, error) {
	if err := p.Check(); err != nil {
		return p, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkProjectPlace(ctx, tx, p.District, p.Park); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO projects (code, name, category, provincial_major, national_key, district_adcode,
			park_code, investment_wan, tax_per_mu_wan, readiness) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), $8, $9, $10) RETURNING id`,
			p.Code, p.Name, string(p.Category), p.ProvincialMajor, p.NationalKey, p.District, p.Park, p.InvestmentWan,
			p.TaxPerMuWan, p.Readiness).Scan(&p.ID)
		if err != nil {
			return domainError(err)
		}
		return setProjectParcels(ctx, tx, p.ID, p.ParcelIDs)
	})
	if err != nil {
		return p, err
	}
	return s.Project(ctx, p.ID)
}

// checkProjectPlace refuses a project whose park lies in another district
// than the project (不破行政隶属: a park draws on its host district's quota).
func checkProjectPlace(ctx context.Context, tx pgx.Tx, district, park string) error {
	var known bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM districts WHERE adcode = $1)", district).Scan(&known); err != nil {
		return domainError(err)
	}
	if !known {
		return planning.Errorf(planning.ErrInvalid, "district: no district %q", district).WithDetail("field", "district")
	}
	if park == "" {
		return nil
	}
	var host string
	err := tx.QueryRow(ctx, "SELECT host_district FROM parks WHERE code = $1", park).Scan(&host)
	if isNoRows(err) {
		return planning.Errorf(planning.ErrInvalid, "park: no park %q", park).WithDetail("field", "park")
	}
	if err != nil {
		return domainError(err)
	}
	if host != district {
		return planning.Errorf(planning.ErrInvalid, "park: park %s lies in district %s, not in the project's district %s; a project draws the quota of the district its land lies in",
			park, host, district).WithDetail("field", "park").WithDetail("park_district", host)
	}
	return nil
}

// SetProjectParcels replaces the parcels a project needs.
func (s *ProjectStore) SetProjectParcels(ctx context.Context, id int64, parcels []int64) (quota.Project, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM projects WHERE id = $1)", id).Scan(&ok); err != nil {
			return domainError(err)
		}
		if !ok {
			return planning.Errorf(planning.ErrNotFound, "project %d does not exist", id)
		}
		return setProjectParcels(ctx, tx, id, parcels)
	})
	if err != nil {
		return quota.Project{}, err
	}
	return s.Project(ctx, id)
}

// setProjectParcels attaches parcels, naming any that do not exist, that
// another project already holds, or that lie outside the project's district
// or declared park (quota follows the land).
func setProjectParcels(ctx context.Context, tx pgx.Tx, id int64, parcels []int64) error {
	if _, err := tx.Exec(ctx, "SELECT id FROM projects WHERE id = $1 FOR UPDATE", id); err != nil {
		return domainError(err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM project_parcels WHERE project_id = $1", id); err != nil {
		return domainError(err)
	}
	var missing []int64
	if err := tx.QueryRow(ctx, "SELECT array(SELECT u FROM unnest($1::bigint[]) u WHERE NOT EXISTS (SELECT 1 FROM parcels WHERE id = u))",
		parcels).Scan(&missing); err != nil {
		return domainError(err)
	}
	if len(missing) > 0 {
		return planning.Errorf(planning.ErrInvalid, "parcel_ids: no parcel with id %v", missing).WithDetail("field", "parcel_ids")
	}
	rows, err := tx.Query(ctx, `SELECT t.code, t.district_adcode, coalesce(t.park_code, ''), p.district_adcode, coalesce(p.park_code, '')
		FROM parcels t, projects p
		WHERE t.id = ANY($1) AND p.id = $2
		  AND (t.district_adcode <> p.district_adcode OR (p.park_code IS NOT NULL AND t.park_code IS DISTINCT FROM p.park_code))
		ORDER BY t.code LIMIT 20`, parcels, id)
	if err != nil {
		return domainError(err)
	}
	var outside []string
	var where []map[string]string
	var pd, pk string
	for rows.Next() {
		var code, d, k string
		if err := rows.Scan(&code, &d, &k, &pd, &pk); err != nil {
			rows.Close()
			return domainError(err)
		}
		place := d
		if k != "" {
			place += "/" + k
		}
		outside = append(outside, code+" ("+place+")")
		where = append(where, map[string]string{"parcel": code, "district": d, "park": k})
	}
	rows.Close()
	if len(outside) > 0 {
		want := pd
		if pk != "" {
			want += " and park " + pk
		}
		return planning.Errorf(planning.ErrInvalid,
			"parcel_ids: parcels %s lie outside the project's district %s: a project draws the quota of the district (and park) its land lies in; split a project whose land crosses districts into one project per district",
			strings.Join(outside, ", "), want).WithDetail("field", "parcel_ids").WithDetail("outside", where)
	}
	var taken []int64
	var holder []int64
	rows, err = tx.Query(ctx, "SELECT parcel_id, project_id FROM project_parcels WHERE parcel_id = ANY($1) ORDER BY parcel_id", parcels)
	if err != nil {
		return domainError(err)
	}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return domainError(err)
		}
		taken, holder = append(taken, a), append(holder, b)
	}
	rows.Close()
	if len(taken) > 0 {
		return planning.Errorf(planning.ErrConflict, "parcels %v already belong to projects %v", taken, holder).WithDetail("field", "parcel_ids")
	}
	_, err = tx.Exec(ctx, "INSERT INTO project_parcels (project_id, parcel_id) SELECT DISTINCT $1::bigint, unnest($2::bigint[])", id, parcels)
	return domainError(err)
}

// Project reads one project with its quota need derived from its parcels.
func (s *ProjectStore) Project(ctx context.Context, id int64) (quota.Project, error) {
	ps, err := s.projects(ctx, "WHERE p.id = $1", []any{id}, 0)
	if err != nil {
		return quota.Project{}, err
	}
	if len(ps) == 0 {
		return quota.Project{}, planning.Errorf(planning.ErrNotFound, "project %d does not exist", id)
	}
	return ps[0], nil
}

// Projects lists projects (all, or of one district) with their needs.
func (s *ProjectStore) Projects(ctx context.Context, district string) ([]quota.Project, error) {
	return s.projects(ctx, "WHERE $1 = '' OR p.district_adcode = $1", []any{district}, 0)
}

// projects reads projects and their needs; the underground switch is the
// policy of year (0: the current year's).
func (s *ProjectStore) projects(ctx context.Context, where string, args []any, year int) ([]quota.Project, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+projectColumns+" FROM projects p LEFT JOIN project_parcels pp ON pp.project_id = p.id "+
		where+" GROUP BY p.id ORDER BY p.id", args...)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quota.Project, error) {
		var p quota.Project
		err := r.Scan(&p.ID, &p.Code, &p.Name, &p.Category, &p.ProvincialMajor, &p.NationalKey, &p.District, &p.Park,
			&p.LandPark, &p.InvestmentWan, &p.TaxPerMuWan, &p.Readiness, &p.ParcelIDs)
		return p, err
	})
	if err != nil {
		return nil, domainError(err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// Needs: one pass over all their parcels, classed by the database's
	// one rule (lq_parcel_quota_class).
	index := map[int64]int{}
	ids := make([]int64, len(out))
	for i, p := range out {
		index[p.ID], ids[i] = i, p.ID
	}
	rows, err = s.pool.Query(ctx, `SELECT pp.project_id, t.area_m2,
		lq_parcel_quota_class(t.status, t.construction_land, t.elevation_top,
		                      lq_underground_needs_quota(CASE WHEN $2 > 0 THEN $2 ELSE extract(year FROM current_date)::int END)),
		c.farmland_m2, c.farmland_width_m, c.red_line_m2, c.red_line_width_m, c.outside_boundary_m2, c.outside_boundary_width_m,
		coalesce(t.line_exception, ''), `+toleranceSQL+`, `+sliverWidthSQL+`
		FROM project_parcels pp JOIN parcels t ON t.id = pp.parcel_id JOIN parcel_conflicts c ON c.parcel_id = t.id
		WHERE pp.project_id = ANY($1) ORDER BY pp.project_id, pp.parcel_id`, ids, year)
	if err != nil {
		return nil, domainError(err)
	}
	parcels := map[int64][]quota.ParcelNeed{}
	tol := planning.DefaultLineTolerance
	for rows.Next() {
		var pid int64
		var n quota.ParcelNeed
		if err := rows.Scan(&pid, &n.AreaM2, &n.Class, &n.Farmland.M2, &n.Farmland.WidthM, &n.RedLine.M2, &n.RedLine.WidthM,
			&n.Outside.M2, &n.Outside.WidthM, &n.Exception, &tol.AreaM2, &tol.WidthM); err != nil {
			rows.Close()
			return nil, domainError(err)
		}
		parcels[pid] = append(parcels[pid], n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, domainError(err)
	}
	for id, i := range index {
		out[i].Need = quota.DeriveNeed(parcels[id], tol)
	}
	return out, nil
}

// projectsOfYear lists every project with its need under year's policy.
func (s *ProjectStore) projectsOfYear(ctx context.Context, year int) ([]quota.Project, error) {
	if year <= 0 {
		return nil, fmt.Errorf("projectsOfYear: year %d", year)
	}
	return s.projects(ctx, "WHERE true OR $1 = ''", []any{""}, year)
}

package pgstore

import (
	"context"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"
)

// InsertEnclave stores a science enclave that passed planning's Check. It
// has no quota account, and its coordinates may lie anywhere on Earth (no
// China-extent check); the site's area is measured by the database in the
// UTM zone it lies in.
func (s *LandStore) InsertEnclave(ctx context.Context, e planning.Enclave) (planning.Enclave, error) {
	mp, err := e.Check()
	if err != nil {
		return e, err
	}
	var site any
	if mp != nil {
		site = wkb.Value(mp)
	}
	var valid bool
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if site != nil {
			if err := tx.QueryRow(ctx, "SELECT ST_IsValid(ST_GeomFromWKB($1, 4326))", site).Scan(&valid); err != nil {
				return domainError(err)
			}
			if !valid {
				return planning.Errorf(planning.ErrInvalid, "site: the outline is not a valid polygon").WithDetail("field", "site")
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO enclaves (code, name_zh, name_en, home_park, city, country, location, site, floor_area_m2, lease_start_on, lease_end_on)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326),
			        ST_Multi(ST_GeomFromWKB($9, 4326)), $10, $11, $12)
			RETURNING site_area_m2`, e.Code, e.NameZh, e.NameEn, e.HomePark, e.City, e.Country, e.Location[0], e.Location[1], site,
			e.FloorAreaM2, e.LeaseStartOn, e.LeaseEndOn).Scan(&e.SiteAreaM2)
		return domainError(err)
	})
	fillLease(&e)
	return e, err
}

func fillLease(e *planning.Enclave) {
	e.LeaseStart, e.LeaseEnd = "", ""
	if e.LeaseStartOn != nil {
		e.LeaseStart = e.LeaseStartOn.Format(time.DateOnly)
	}
	if e.LeaseEndOn != nil {
		e.LeaseEnd = e.LeaseEndOn.Format(time.DateOnly)
	}
}

// Enclaves lists the enclaves by code.
func (s *LandStore) Enclaves(ctx context.Context) ([]planning.Enclave, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name_zh, name_en, coalesce(home_park, ''), city, country,
		ST_X(location), ST_Y(location), site_area_m2, floor_area_m2, lease_start_on, lease_end_on FROM enclaves ORDER BY code`)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planning.Enclave, error) {
		var e planning.Enclave
		err := r.Scan(&e.Code, &e.NameZh, &e.NameEn, &e.HomePark, &e.City, &e.Country, &e.Location[0], &e.Location[1],
			&e.SiteAreaM2, &e.FloorAreaM2, &e.LeaseStartOn, &e.LeaseEndOn)
		fillLease(&e)
		return e, err
	})
	return out, domainError(err)
}

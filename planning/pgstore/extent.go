package pgstore

import (
	"context"

	"github.com/paulmach/orb"
)

// Extent is the bounding box of all districts, for fitting a map; a box
// around Hangzhou when no district is loaded yet.
func (s *LandStore) Extent(ctx context.Context) (orb.Bound, error) {
	var minx, miny, maxx, maxy *float64
	err := s.pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom) AS e FROM districts) x`).Scan(&minx, &miny, &maxx, &maxy)
	if err != nil {
		return orb.Bound{}, domainError(err)
	}
	if minx == nil {
		return orb.Bound{Min: orb.Point{119.7, 29.9}, Max: orb.Point{120.5, 30.4}}, nil
	}
	return orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}, nil
}

// Counts reports how many rows each geography table holds.
type Counts struct {
	Districts, Parks, Zones, Parcels int64
}

// Count counts the geography.
func (s *LandStore) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM districts), (SELECT count(*) FROM parks),
		(SELECT count(*) FROM protected_zones), (SELECT count(*) FROM parcels)`).Scan(&c.Districts, &c.Parks, &c.Zones, &c.Parcels)
	return c, domainError(err)
}

package pgstore

import (
	"context"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// execer is what both a pool and a transaction offer for writes.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// orbScanner scans a PostGIS geometry (via pgx-geom) straight into orb.
type orbScanner struct{ g orb.Geometry }

// ScanGeom implements pgxgeom.GeomScanner.
func (s *orbScanner) ScanGeom(g geom.T) error {
	var err error
	s.g, err = geo.FromGeom(g)
	return err
}

func (s *orbScanner) multiPolygon() orb.MultiPolygon {
	switch g := s.g.(type) {
	case orb.MultiPolygon:
		return g
	case orb.Polygon:
		return orb.MultiPolygon{g}
	}
	return nil
}

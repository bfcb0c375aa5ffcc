package pgstore

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
)

// AddLandUseClass stores a local class (a province's or city's addition to
// the 2023 guide, such as 浙江省 创新型产业用地, written M0 in Hangzhou)
// under an existing parent (planning's CheckLocal first). An alias is a
// code files write for the class and must not name another class.
func (s *LandStore) AddLandUseClass(ctx context.Context, c planning.LandUseClass) (planning.LandUseClass, error) {
	if err := c.CheckLocal(); err != nil {
		return c, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE land_use_classes IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return domainError(err)
		}
		var parentExists, exists bool
		var taken *string
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM land_use_classes WHERE code = $1),
			EXISTS (SELECT 1 FROM land_use_classes WHERE code = $2),
			(SELECT code || ' ' || name_zh FROM land_use_classes WHERE aliases && $3::text[] LIMIT 1)`,
			c.ParentCode, c.Code, c.Aliases).Scan(&parentExists, &exists, &taken); err != nil {
			return domainError(err)
		}
		switch {
		case !parentExists:
			return planning.Errorf(planning.ErrInvalid, "parent_code: the parent class %s does not exist", c.ParentCode).WithDetail("field", "parent_code")
		case exists:
			return planning.Errorf(planning.ErrConflict, "code: class %s exists already", c.Code).WithDetail("field", "code")
		case taken != nil:
			return planning.Errorf(planning.ErrConflict, "aliases: an alias already names class %s", *taken).WithDetail("field", "aliases")
		}
		_, err := tx.Exec(ctx, `INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction, local, source, aliases)
			VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8)`, c.Code, c.ParentCode, c.Level, c.NameZh, c.NameEn, c.Construction, c.Source, c.Aliases)
		return domainError(err)
	})
	return c, err
}

// LandUseAliases implements importer.ClassAliases: alias → class code.
func (s *LandStore) LandUseAliases(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT a, code FROM land_use_classes, unnest(aliases) a")
	if err != nil {
		return nil, domainError(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, code string
		if err := rows.Scan(&a, &code); err != nil {
			return nil, domainError(err)
		}
		out[a] = code
	}
	return out, domainError(rows.Err())
}

// LocalLandUseClasses lists the classes admins added, by code.
func (s *LandStore) LocalLandUseClasses(ctx context.Context) ([]planning.LandUseClass, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, coalesce(parent_code, ''), level, name_zh, name_en, construction, local, source, aliases
		FROM land_use_classes WHERE local ORDER BY code`)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[planning.LandUseClass])
	return out, domainError(err)
}

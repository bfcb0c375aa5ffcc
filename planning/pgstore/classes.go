package pgstore

import (
	"context"
	"regexp"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
)

var (
	aliasShape = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,7}$`)
)

// AddLandUseClass stores a local class (a province's or city's addition to
// the 2023 guide, such as 浙江省 创新型产业用地, written M0 in Hangzhou)
// under an existing parent. The code's length gives the level; an alias
// is a code files write for the class and must not name another class.
func (s *LandStore) AddLandUseClass(ctx context.Context, c planning.LandUseClass) (planning.LandUseClass, error) {
	bad := func(field, format string, args ...any) (planning.LandUseClass, error) {
		return c, planning.Errorf(planning.ErrInvalid, "%s: %s", field, planning.Textf(format, args...)).WithDetail("field", field)
	}
	c.Code, c.NameZh, c.NameEn, c.Source = strings.TrimSpace(c.Code), strings.TrimSpace(c.NameZh), strings.TrimSpace(c.NameEn), strings.TrimSpace(c.Source)
	switch {
	case !planning.LandUseCodePattern.MatchString(c.Code) || len(c.Code) == 2:
		return bad("code", "%q is not a second- or third-level class code (4 or 6 digits, e.g. 100104)", c.Code)
	case c.ParentCode != "" && c.ParentCode != c.Code[:len(c.Code)-2]:
		return bad("parent_code", "the parent of %s is %s, not %s", c.Code, c.Code[:len(c.Code)-2], c.ParentCode)
	case c.NameZh == "":
		return bad("name_zh", "the Chinese name is required")
	case c.Source == "":
		return bad("source", "say who added the class (e.g. 浙江省, 杭州市) and by which document")
	}
	c.ParentCode, c.Level, c.Local = c.Code[:len(c.Code)-2], len(c.Code)/2, true
	for i, a := range c.Aliases {
		a = strings.ToUpper(strings.TrimSpace(a))
		if !aliasShape.MatchString(a) {
			return bad("aliases", "%q is not a code a file would write for the class (letters then letters or digits, e.g. M0)", c.Aliases[i])
		}
		c.Aliases[i] = a
	}
	if c.Aliases == nil {
		c.Aliases = []string{}
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

package pgstore

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// SetNearestShared lowers nearestShared so that a small world takes the
// broad searches' path; restore puts it back.
func SetNearestShared(n int) (restore func()) {
	old := nearestShared
	nearestShared = n
	return func() { nearestShared = old }
}

// SureBoxes counts the boxes the precheck found inside a search's drawn
// polygon and inside its circle.
func SureBoxes(ctx context.Context, s *Store, q planner.Search) (poly, circle int, err error) {
	pre, err := searchPrecheck(ctx, s.pool, &q)
	if err != nil {
		return 0, 0, err
	}
	return len(pre.polySure), len(pre.circleSure), nil
}

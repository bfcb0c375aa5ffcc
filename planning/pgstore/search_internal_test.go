package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// SetNearestShared lowers nearestShared so that a small world takes the
// broad searches' path; restore puts it back.
func SetNearestShared(n int) (restore func()) {
	old := nearestShared
	nearestShared = n
	return func() { nearestShared = old }
}

// SureBox says whether the precheck found a box inside a search's drawn
// polygon or inside its radius.
func SureBox(ctx context.Context, s *Store, q planner.Search) (bool, error) {
	pre, err := searchPrecheck(ctx, s.pool, &q, true)
	return err == nil && (pre.sure != nil || pre.innerSure != nil), err
}

// The SQL list of free statuses is planner.AvailableStatuses, in order.
func TestFreeStatusesSQLListsAvailableStatuses(t *testing.T) {
	var quoted []string
	for _, s := range planner.AvailableStatuses {
		quoted = append(quoted, "'"+string(s)+"'")
	}
	if want := "(" + strings.Join(quoted, ", ") + ")"; freeStatusesSQL != want {
		t.Fatalf("freeStatusesSQL %s, want %s", freeStatusesSQL, want)
	}
}

package pgstore

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// freshStore opens the store on a fresh migrated database for the tests
// inside the package (they read s.pool), closed when the test ends.
func freshStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

package pgstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// A replica's error is retried on the primary only when the replica, not
// the query, is at fault; a lost replica is also marked down.
func TestReplicaFaultOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want replicaFault
	}{
		{&pgconn.PgError{Code: "25006"}, writeOnReplica},
		{&pgconn.PgError{Code: "40001"}, replicaBusy},
		{&pgconn.PgError{Code: "53300"}, replicaBusy},
		{&pgconn.PgError{Code: "57P04"}, replicaBusy},
		{&pgconn.PgError{Code: "57P01"}, replicaDown},
		{fmt.Errorf("read: %w", &pgconn.PgError{Code: "08006"}), replicaDown},
		{io.ErrUnexpectedEOF, replicaDown},
		{&pgconn.PgError{Code: "22P02"}, queryFault},
		{&pgconn.PgError{Code: "57014"}, queryFault}, // statement timeout: the primary would time out too
		{errors.New("no rows"), queryFault},
	} {
		if got := replicaFaultOf(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}

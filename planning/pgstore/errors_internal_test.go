package pgstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5/pgconn"
)

// sqlstate is an error the server raised with code and nothing else.
func sqlstate(code string) *pgconn.PgError { return &pgconn.PgError{Code: code} }

// Each SQLSTATE the server raises reaches the caller as the error class a
// person can act on; a session ended under the request says its outcome is
// unknown, so the client retries with its idempotency key.
func TestServerErrorClassesBySQLSTATE(t *testing.T) {
	for _, c := range []struct {
		pe      pgconn.PgError
		want    planning.ErrorCode
		outcome bool   // details carry "outcome": "unknown"
		detail  string // a details key that must be there
	}{
		{pe: pgconn.PgError{Code: "LQ001", Message: "bad"}, want: planning.ErrInvalid},
		{pe: pgconn.PgError{Code: "LQ409", Message: "short"}, want: planning.ErrConflict},
		{pe: pgconn.PgError{Code: "LQ403", Message: "no"}, want: planning.ErrForbidden},
		{pe: pgconn.PgError{Code: "23505", Detail: "Key (code)=(A) already exists."}, want: planning.ErrConflict},
		{pe: pgconn.PgError{Code: "23514", ConstraintName: "parcels_code_check", TableName: "parcels", ColumnName: "code"},
			want: planning.ErrInvalid, detail: "constraint"},
		{pe: pgconn.PgError{Code: "22P02", ColumnName: "area_m2"}, want: planning.ErrInvalid, detail: "field"},
		{pe: pgconn.PgError{Code: "LQ001", Message: "bad", Hint: "do this"}, want: planning.ErrInvalid, detail: "hint"},
		{pe: pgconn.PgError{Code: "40P01"}, want: planning.ErrConflict},
		{pe: pgconn.PgError{Code: "57014"}, want: planning.ErrUnavailable},
		{pe: pgconn.PgError{Code: "57P03"}, want: planning.ErrUnavailable},
		{pe: pgconn.PgError{Code: "53200"}, want: planning.ErrUnavailable},
		{pe: pgconn.PgError{Code: "57P01"}, want: planning.ErrUnavailable, outcome: true},
		{pe: pgconn.PgError{Code: "08006"}, want: planning.ErrUnavailable, outcome: true},
		{pe: pgconn.PgError{Code: "42601", Message: "syntax error"}, want: planning.ErrInternal},
	} {
		err := serverError(&c.pe, &c.pe)
		var e *planning.Error
		if !errors.As(err, &e) || e.Code != c.want {
			t.Errorf("%s: %v, want %s", c.pe.Code, err, c.want)
			continue
		}
		if got := e.Details["outcome"] == "unknown"; got != c.outcome {
			t.Errorf("%s: outcome unknown %v, want %v", c.pe.Code, got, c.outcome)
		}
		if _, ok := e.Details[c.detail]; c.detail != "" && !ok {
			t.Errorf("%s: no detail %q in %v", c.pe.Code, c.detail, e.Details)
		}
	}
}

// A replica's error is retried on the primary only when the replica, not
// the query, is at fault; a lost replica is also marked down.
func TestReplicaFaultOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want replicaFault
	}{
		{sqlstate("25006"), writeOnReplica},
		{sqlstate("40001"), replicaBusy},
		{sqlstate("53300"), replicaBusy},
		{sqlstate("57P04"), replicaBusy},
		{sqlstate("57P01"), replicaDown},
		{fmt.Errorf("read: %w", sqlstate("08006")), replicaDown},
		{io.ErrUnexpectedEOF, replicaDown},
		{sqlstate("22P02"), queryFault},
		{sqlstate("57014"), queryFault}, // statement timeout: the primary would time out too
		{errors.New("no rows"), queryFault},
	} {
		if got := replicaFaultOf(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}

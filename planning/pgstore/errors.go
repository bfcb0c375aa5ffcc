package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5/pgconn"
)

// unavailable is the error for a database that could not be reached before
// anything was sent to it: nothing was done. (A connection that died after
// the request reached the database is planning.ConnectionLost.)
func unavailable(err error) error {
	return &planning.Error{Code: planning.ErrUnavailable, Message: "the database is unavailable; try again shortly", Err: err}
}

// isConnectionFailure reports whether err (not a server's SQL error) says
// the connection to the database broke: reset, closed, cut mid-message.
func isConnectionFailure(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// domainError turns a database error into a *planning.Error a person can act
// on. The schema's own checks raise SQLSTATE LQ001 (invalid outline) and
// LQ002 (overlap) with a JSON DETAIL; constraint violations name the column.
func domainError(err error) error {
	if err == nil {
		return nil
	}
	var de *planning.Error
	if errors.As(err, &de) {
		return err
	}
	// No connection could be made (refused, the server starting up or
	// shutting down, the connect timeout), or the failure came before
	// anything was sent: nothing happened.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return unavailable(err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Perhaps in the middle of a COMMIT: as unknown as a lost connection.
		return &planning.Error{Code: planning.ErrUnavailable, Message: "the request was cancelled or took too long", Err: err,
			Details: map[string]any{"outcome": "unknown"}}
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if isConnectionFailure(err) {
			return planning.ConnectionLost(err)
		}
		return err
	}
	return serverError(pe, err)
}

// serverError is domainError for an error the server raised, by its
// SQLSTATE: the error class a person can act on, and the schema's own
// JSON DETAIL and HINT as details.
func serverError(pe *pgconn.PgError, err error) error {
	e := raisedError(pe, err)
	switch pe.Code {
	case "LQ001":
		e.Code = planning.ErrInvalid
	case "LQ002", "LQ409": // overlap; ledger balance short
		e.Code = planning.ErrConflict
	case "LQ400": // a ledger entry that does not fit the account tree
		e.Code = planning.ErrInvalid
	case "LQ403": // editing the ledger
		e.Code = planning.ErrForbidden
	case "23505": // unique_violation
		e = planning.Errorf(planning.ErrConflict, "already exists: %s", pe.Detail).WithCause(err)
	case "23503": // foreign_key_violation
		e = planning.Errorf(planning.ErrInvalid, "unknown reference: %s", pe.Detail).WithCause(err)
	case "23514", "23502", "22P02", "22023", "22003", "22007", "22008", "XX000":
		// check, not-null, bad text representation, invalid parameter,
		// out of range, bad datetime, PostGIS geometry errors
		e = refusedValue(e, pe, err)
	case "22021": // character_not_in_repertoire: a NUL byte or invalid UTF-8 in a text value
		e = planning.Errorf(planning.ErrInvalid, "a text value holds a NUL character or bytes that are not UTF-8; send plain UTF-8 text").WithCause(err)
	case "57014": // query_canceled (statement_timeout)
		e = planning.Errorf(planning.ErrUnavailable, "the database query took too long and was stopped").WithCause(err)
	case "40001", "40P01", "55P03":
		e = planning.Errorf(planning.ErrConflict, "a concurrent change got in the way; try again").WithCause(err)
	case "57P03", "53300": // cannot connect now (starting up, shutting down); too many connections
		return unavailable(err)
	default:
		if lost := byClass(pe, err); lost != nil {
			return lost
		}
		e.Code = planning.ErrInternal
	}
	addServerDetails(e, pe)
	return e
}

// refusedValue is the invalid-input error of a value the schema refused,
// naming the rule (constraint) and the field when the server says them.
func refusedValue(e *planning.Error, pe *pgconn.PgError, err error) *planning.Error {
	e.Code = planning.ErrInvalid
	if pe.ConstraintName != "" {
		e = planning.Errorf(planning.ErrInvalid, "value refused by rule %s on %s", pe.ConstraintName, pe.TableName).WithCause(err)
		e.WithDetail("constraint", pe.ConstraintName)
	}
	if pe.ColumnName != "" {
		e.WithDetail("field", pe.ColumnName)
	}
	return e
}

// byClass reads the SQLSTATE classes no case of serverError names:
// 57P01/57P02 (administrator or crash shutdown) and the other operator
// interventions, 08xxx connection exceptions: the session ended under the
// request, perhaps in its COMMIT; 53xxx insufficient resources. Nil for
// any other class.
func byClass(pe *pgconn.PgError, err error) error {
	if len(pe.Code) != 5 {
		return nil
	}
	switch pe.Code[:2] {
	case "08", "57":
		return planning.ConnectionLost(err)
	case "53":
		return unavailable(err)
	}
	return nil
}

// addServerDetails adds to e what the server said beside its message: a
// JSON object DETAIL member by member, and the HINT.
func addServerDetails(e *planning.Error, pe *pgconn.PgError) {
	if pe.Detail != "" && pe.Detail[0] == '{' {
		var d map[string]any
		if json.Unmarshal([]byte(pe.Detail), &d) == nil {
			for k, v := range d {
				e.WithDetail(k, v)
			}
		}
	}
	if pe.Hint != "" {
		e.WithDetail("hint", pe.Hint)
	}
}

// raisedTemplate is one of the schema's RAISE messages as a pattern that
// gives back the values it was formatted with.
type raisedTemplate struct {
	format string
	re     *regexp.Regexp
}

var raisedTemplates = sync.OnceValue(func() []raisedTemplate {
	var out []raisedTemplate
	for _, f := range migrations.RaisedMessages() {
		parts := strings.Split(f, "%s")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		out = append(out, raisedTemplate{format: f, re: regexp.MustCompile("^" + strings.Join(parts, "(.*?)") + "$")})
	}
	return out
})

// raisedError keeps a message the database wrote as the template and values
// it came from, so it can be read in Chinese like any other; a message no
// migration raises stays as the database wrote it.
func raisedError(pe *pgconn.PgError, err error) *planning.Error {
	for _, t := range raisedTemplates() {
		if m := t.re.FindStringSubmatch(pe.Message); m != nil {
			args := make([]any, len(m)-1)
			for i, v := range m[1:] {
				args[i] = v
			}
			return planning.Errorf(planning.ErrInternal, t.format, args...).WithCause(err)
		}
	}
	return &planning.Error{Code: planning.ErrInternal, Message: pe.Message, Err: err}
}

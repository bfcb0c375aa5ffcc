package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"net"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5/pgconn"
)

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
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &planning.Error{Code: planning.ErrUnavailable, Message: "the request was cancelled or took too long", Err: err}
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		var ne net.Error
		if errors.As(err, &ne) || pgconn.SafeToRetry(err) {
			return unavailable(err)
		}
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) {
			return unavailable(err)
		}
		return err
	}
	e := &planning.Error{Message: pe.Message, Err: err}
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
		e.Code = planning.ErrConflict
		e.Message = "already exists: " + pe.Detail
	case "23503": // foreign_key_violation
		e.Code = planning.ErrInvalid
		e.Message = "unknown reference: " + pe.Detail
	case "23514", "23502", "22P02", "22023", "22003", "22007", "22008", "XX000":
		// check, not-null, bad text representation, invalid parameter,
		// out of range, bad datetime, PostGIS geometry errors
		e.Code = planning.ErrInvalid
		if pe.ConstraintName != "" {
			e.Message = "value refused by rule " + pe.ConstraintName + " on " + pe.TableName
			e.WithDetail("constraint", pe.ConstraintName)
		}
		if pe.ColumnName != "" {
			e.WithDetail("field", pe.ColumnName)
		}
	case "57014": // query_canceled (statement_timeout)
		e.Code = planning.ErrUnavailable
		e.Message = "the database query took too long and was stopped"
	case "40001", "40P01", "55P03":
		e.Code = planning.ErrConflict
		e.Message = "a concurrent change got in the way; try again"
	default:
		if len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "57" || pe.Code[:2] == "53") {
			return unavailable(err)
		}
		e.Code = planning.ErrInternal
	}
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
	return e
}

package planning

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error; the web layer maps each code to one
// HTTP status in a single place.
type ErrorCode string

const (
	ErrInvalid         ErrorCode = "invalid"
	ErrNotFound        ErrorCode = "not_found"
	ErrConflict        ErrorCode = "conflict"
	ErrForbidden       ErrorCode = "forbidden"
	ErrUnauthenticated ErrorCode = "unauthenticated"
	ErrUnavailable     ErrorCode = "unavailable"
	ErrTooMany         ErrorCode = "too_many_requests"
	ErrInternal        ErrorCode = "internal"
)

// Error is the one error type the domain returns. Message is written for a
// person who can act on it; Details carries machine-readable context (ids,
// the offending field, a self-intersection point...).
type Error struct {
	Code    ErrorCode
	Message string
	Details map[string]any
	Err     error // cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ConnectionLost is the error for a connection to the database that died
// after a request reached it. Even the server cannot know whether a COMMIT
// in flight happened, so the outcome is "unknown": a client retries a
// change with the same idempotency key and gets the first booking or a new
// one, never two.
func ConnectionLost(cause error) *Error {
	return &Error{Code: ErrUnavailable, Err: cause, Details: map[string]any{"outcome": "unknown"},
		Message: "the database is unavailable: the connection to it was lost while this request ran; try again shortly " +
			"(a change may or may not have been saved: retry it with the same idempotency key, which never books twice)"}
}

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetail returns e with one more detail set (e is modified and returned
// so calls can be chained at construction).
func (e *Error) WithDetail(key string, value any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = value
	return e
}

// CodeOf returns the code of the first *Error in err's chain, or ErrInternal.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}

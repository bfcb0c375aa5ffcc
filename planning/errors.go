package planning

import (
	"errors"
	"fmt"
	"strings"
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
	ErrTooLarge        ErrorCode = "too_large" // a request body beyond its bound
	ErrInternal        ErrorCode = "internal"
)

// Error is the one error type the domain returns. Message is written for a
// person who can act on it (in English; In gives it in another language);
// Details carries machine-readable context (ids, the offending field, a
// self-intersection point...).
type Error struct {
	Code    ErrorCode
	Message string
	Details map[string]any
	Err     error // cause, for logs; never shown to users
	text    Text  // what Message was formatted from, for In
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// In returns the message in lang. A message changed after it was built
// (or a Message literal the catalog does not know) stays English rather
// than lose what was added.
func (e *Error) In(lang Lang) string {
	if e.text.format != "" {
		if e.text.String() == e.Message {
			return e.text.In(lang)
		}
		return e.Message
	}
	if zh, ok := messagesZh[e.Message]; ok && lang == LangZh { // a constant Message literal is its own key
		return zh
	}
	return e.Message
}

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

// Errorf builds an *Error with a formatted message. format is a constant:
// it is the key of the message's translations (messages_zh.go).
func Errorf(code ErrorCode, format string, args ...any) *Error {
	t := Textf(format, args...)
	return &Error{Code: code, Message: t.String(), text: t}
}

// FieldError is the invalid-input error that names the field at fault,
// in its message and in the detail "field" (a form marks that field).
func FieldError(field, format string, args ...any) *Error {
	return Errorf(ErrInvalid, "%s: %s", field, Textf(format, args...)).WithDetail("field", field)
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

// WithCause returns e with its cause (for logs) set.
func (e *Error) WithCause(err error) *Error {
	e.Err = err
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

// Lang is a language messages are written in.
type Lang string

const (
	LangEn Lang = "en"
	LangZh Lang = "zh"
)

// ParseLang maps a language tag (zh, zh-CN, en-GB...) to a Lang: Chinese
// for zh*, English otherwise.
func ParseLang(tag string) Lang {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "zh" || strings.HasPrefix(tag, "zh-") || strings.HasPrefix(tag, "zh_") {
		return LangZh
	}
	return LangEn
}

// Text is a message kept as its format and arguments, so it can be written
// in any language the catalog knows. Arguments that are a Text or an
// *Error are written in the same language.
type Text struct {
	format string
	args   []any
}

// Textf keeps a message for translation; format is a constant (the
// catalog's key), as for Errorf.
func Textf(format string, args ...any) Text { return Text{format: format, args: args} }

// String is the English text.
func (t Text) String() string { return t.In(LangEn) }

// In writes the text in lang, falling back to English for a format the
// catalog lacks. An *Error argument gives its message (never its cause,
// which is for logs).
func (t Text) In(lang Lang) string {
	format := t.format
	if zh, ok := messagesZh[format]; ok && lang == LangZh {
		format = zh
	}
	args, copied := t.args, false
	for i, a := range t.args {
		var s string
		switch v := a.(type) {
		case Text:
			s = v.In(lang)
		case *Error:
			s = v.In(lang)
		default:
			continue
		}
		if !copied { // t.args is the caller's: copy before the first change
			args, copied = append([]any(nil), t.args...), true
		}
		args[i] = s
	}
	return fmt.Sprintf(format, args...)
}

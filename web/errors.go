package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
)

// statusOf is the one place that maps domain error codes to HTTP statuses;
// a code it does not know is a 500.
func statusOf(code planning.ErrorCode) int {
	if status, ok := statusByCode[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

var statusByCode = map[planning.ErrorCode]int{
	planning.ErrInvalid:         http.StatusBadRequest,
	planning.ErrNotFound:        http.StatusNotFound,
	planning.ErrConflict:        http.StatusConflict,
	planning.ErrForbidden:       http.StatusForbidden,
	planning.ErrUnauthenticated: http.StatusUnauthorized,
	planning.ErrUnavailable:     http.StatusServiceUnavailable,
	planning.ErrTooMany:         http.StatusTooManyRequests,
	planning.ErrTooLarge:        http.StatusRequestEntityTooLarge,
}

type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    planning.ErrorCode `json:"code"`
	Message string             `json:"message"`
	Lang    planning.Lang      `json:"lang"` // the language Message is in
	Details map[string]any     `json:"details,omitempty"`
}

// retryAfterSeconds is what a 503 tells clients to wait before retrying.
const retryAfterSeconds = "2"

// writeError logs err and writes it as {"error":{code,message,lang,details}}
// with the message in the request's language (requestLang). Internal
// errors are logged in full but shown to the client only as a generic
// message. A 503 (the database away) carries Retry-After and is logged as
// a warning: it is an outage, not a bug, and it may be one per request
// while it lasts.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	body := errorPayloadOf(err, requestLang(r))
	w.Header().Add("Vary", "Accept-Language")
	status := statusOf(body.Code)
	level := slog.LevelInfo
	switch {
	case status == http.StatusServiceUnavailable:
		level = slog.LevelWarn
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", retryAfterSeconds)
		}
	case status >= 500:
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	writeJSON(w, status, errorBody{body})
}

// handlerFunc is a handler that returns its failure instead of writing it.
// A handler that has already begun its answer (a stream cut short) logs
// the failure itself and returns nil: the status line is gone by then.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts h to http: the one place a returned error is logged and
// written (writeError), so handlers parse, call and return.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	}
}

// afterStart is the one place that decides what becomes of an error met
// while a streamed answer (GeoJSON pages, exports, tiles) is written.
// Before its first byte (started false) the error is returned, for handle
// to write with its status like any other. Once the answer has started,
// its status line is gone: the error is logged here (msg and attrs at
// level, with "err") and nil is returned, so the answer ends cut short and
// the client sees a broken document rather than a silently short one.
func (s *Server) afterStart(started bool, err error, level slog.Level, msg string, attrs ...slog.Attr) error {
	if err == nil || !started {
		return err
	}
	s.log.LogAttrs(context.Background(), level, msg, append(attrs, slog.Any("err", err))...)
	return nil
}

// errorPayloadOf is what a client is shown of err, in lang.
func errorPayloadOf(err error, lang planning.Lang) errorPayload {
	shown := planning.Errorf(planning.ErrInternal, "internal error; the server log has the details")
	var de *planning.Error
	switch {
	case errors.As(err, &de):
		if de.Code != planning.ErrInternal {
			shown = de
		}
	case lostDatabase(err):
		// A connection failure the store passed on unclassified: the link
		// broke mid-request, so a change may or may not have been saved.
		shown = planning.ConnectionLost(err)
	}
	return errorPayload{Code: shown.Code, Message: shown.In(lang), Lang: lang, Details: shown.Details}
}

// requestLang is the language a person reading the answer to r wants:
// ?lang=zh|en if given, else the first choice of Accept-Language (highest
// q), Chinese for zh*, English otherwise.
func requestLang(r *http.Request) planning.Lang {
	if l := r.URL.Query().Get("lang"); l != "" {
		return planning.ParseLang(l)
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if tag = strings.TrimSpace(tag); tag != "" && tag != "*" && q > bestQ {
			best, bestQ = tag, q
		}
	}
	return planning.ParseLang(best)
}

// lostDatabase recognises, without importing a driver, an error that says
// the connection to the database broke: a network error, a driver error
// that knows whether it is safe to retry (pgx's connection errors), or a
// server error of SQLSTATE class 08 (connection exception) or 57 (operator
// intervention, e.g. 57P01 the server shutting down).
func lostDatabase(err error) bool {
	var ne net.Error
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &ne) || errors.As(err, &retry) {
		return true
	}
	var sqlState interface{ SQLState() string }
	if errors.As(err, &sqlState) {
		c := sqlState.SQLState()
		return len(c) == 5 && (c[:2] == "08" || c[:2] == "57") && c != "57014" // 57014: statement timeout, a query's own fault
	}
	return false
}

// respond is the usual end of a handler: the error of the call it made,
// for handle to write, or else v as JSON with status.
func respond(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONBody(w, status, v)
}

// writeJSONBody encodes v without touching Content-Type.
func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// invalidParam builds the 400 error for a bad query parameter.
func invalidParam(name, format string, args ...any) *planning.Error {
	return planning.Errorf(planning.ErrInvalid, "%s: %s", name, planning.Textf(format, args...)).WithDetail("parameter", name)
}

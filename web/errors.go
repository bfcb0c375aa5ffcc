package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
)

// statusOf is the one place that maps domain error codes to HTTP statuses.
func statusOf(code planning.ErrorCode) int {
	switch code {
	case planning.ErrInvalid:
		return http.StatusBadRequest
	case planning.ErrNotFound:
		return http.StatusNotFound
	case planning.ErrConflict:
		return http.StatusConflict
	case planning.ErrForbidden:
		return http.StatusForbidden
	case planning.ErrUnauthenticated:
		return http.StatusUnauthorized
	case planning.ErrUnavailable:
		return http.StatusServiceUnavailable
	case planning.ErrTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    planning.ErrorCode `json:"code"`
	Message string             `json:"message"`
	Details map[string]any     `json:"details,omitempty"`
}

// writeError logs err and writes it as {"error":{code,message,details}}.
// Internal errors are logged in full but shown to the client only as a
// generic message.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	body := errorPayload{Code: planning.ErrInternal, Message: "internal error; the server log has the details"}
	var de *planning.Error
	if errors.As(err, &de) && de.Code != planning.ErrInternal {
		body = errorPayload{Code: de.Code, Message: de.Message, Details: de.Details}
	}
	status := statusOf(body.Code)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	writeJSON(w, status, errorBody{body})
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
	return planning.Errorf(planning.ErrInvalid, name+": "+format, args...).WithDetail("parameter", name)
}

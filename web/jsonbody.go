package web

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// maxJSONBody bounds an ordinary JSON request body; a route that needs
// less says so where it is declared (handleJSON).
const maxJSONBody = 1 << 20

// bodyLimitKey carries the route's bound on its JSON body to decodeStrictJSON.
type bodyLimitKey struct{}

// handleJSON is handle for a route that reads a JSON body of at most limit
// bytes: declaring the bound beside the route keeps every body route's
// answer to an oversize body the same (413, too_large, naming the limit).
func (s *Server) handleJSON(limit int64, h handlerFunc) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return h(w, r.WithContext(context.WithValue(r.Context(), bodyLimitKey{}, limit)))
	})
}

// decodeStrictJSON reads a request body holding exactly one JSON object
// into v (a pointer to a struct), refusing unknown fields; its errors name
// the field at fault (planning.DecodeJSON). A body beyond the route's
// bound is too_large (413). A Content-Type other than JSON is refused, so
// a cross-site HTML form cannot post here.
func decodeStrictJSON(r *http.Request, v any) error {
	limit, ok := r.Context().Value(bodyLimitKey{}).(int64)
	if !ok {
		// A programming error, not the client's: the route was declared
		// with handle instead of handleJSON.
		return fmt.Errorf("%s %s reads a JSON body but its route declares no bound (handleJSON)", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return planning.Errorf(planning.ErrInvalid, "Content-Type is %q; send the body as application/json", ct).WithDetail("header", "Content-Type")
		}
	}
	return planning.DecodeJSON(r.Body, limit, planning.Textf("the request body"), v)
}

// dayField is an optional day (YYYY-MM-DD) a JSON body gives as text, and
// where it goes once read.
type dayField struct {
	name, text string
	to         **time.Time
}

// readDays reads each day given; an empty text leaves its target nil.
func readDays(fields ...dayField) error {
	for _, f := range fields {
		if f.text == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, f.text)
		if err != nil {
			return planning.Errorf(planning.ErrInvalid, "%s: %q is not a date (YYYY-MM-DD)", f.name, f.text).WithDetail("field", f.name)
		}
		*f.to = &t
	}
	return nil
}

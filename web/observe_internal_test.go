package web

import (
	"net/http"
	"slices"
	"testing"
)

// The security headers' values are shared by every answer (fixedHeader):
// one answer adding to them must not change what the next one sends.
func TestSharedHeaderValuesStayFixed(t *testing.T) {
	h := http.Header{}
	securityHeaders(h)
	h.Add("X-Frame-Options", "SAMEORIGIN")
	h.Add("Referrer-Policy", "no-referrer")
	next := http.Header{}
	securityHeaders(next)
	if got := next.Values("X-Frame-Options"); !slices.Equal(got, []string{"DENY"}) {
		t.Errorf("X-Frame-Options of the next answer: %q", got)
	}
	if got := next.Values("Cross-Origin-Opener-Policy"); !slices.Equal(got, []string{"same-origin"}) {
		t.Errorf("Cross-Origin-Opener-Policy of the next answer: %q", got)
	}
	if got := h.Values("X-Frame-Options"); !slices.Equal(got, []string{"DENY", "SAMEORIGIN"}) {
		t.Errorf("X-Frame-Options of the answer that added: %q", got)
	}
}

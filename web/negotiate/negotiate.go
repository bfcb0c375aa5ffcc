// Package negotiate reads the request headers that pick or validate a
// representation, by RFC 9110: Accept-Encoding (does the client take gzip?)
// and If-None-Match (does it hold this version already?). Tiles, static
// files and GeoJSON all ask here, so they cannot disagree.
package negotiate

import (
	"strconv"
	"strings"
)

// AcceptsGzip reports whether an Accept-Encoding value lets gzip be sent
// (RFC 9110 §12.5.3). Coding names are case-insensitive and x-gzip is gzip
// (§8.4.1.3). A listed gzip decides by its own weight: q=0 means "not
// acceptable". Otherwise "*" decides for it. An empty or absent header
// gets no gzip: nothing asked for it.
func AcceptsGzip(header string) bool {
	gzip, star := -1.0, -1.0 // highest weight listed; -1 when not listed
	// SplitSeq builds no slice: every tile request asks.
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q, ok := weight(params)
		if !ok {
			continue // a malformed weight says nothing usable
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzip = max(gzip, q)
		case "*":
			star = max(star, q)
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// weight reads the q parameter of one Accept-Encoding member: 1 when
// absent, false when it is not a qvalue (0 to 1, at most three decimals).
func weight(params string) (float64, bool) {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, ok := qvalue(strings.TrimSpace(v))
		if !ok {
			return 0, false
		}
		q = f
	}
	return q, true
}

// qvalue parses RFC 9110's qvalue: "0" or "1", then up to three decimals
// (only zeros after a 1).
func qvalue(v string) (float64, bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0, false
	}
	frac := ""
	if len(v) > 1 {
		if v[1] != '.' || len(v) > 5 {
			return 0, false
		}
		frac = v[2:]
	}
	for _, c := range frac {
		if c < '0' || c > '9' || (v[0] == '1' && c != '0') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// NoneMatch reports whether an If-None-Match value names one of the
// representations whose entity tags (quoted, as sent in ETag) are given,
// or is "*". The comparison is weak, as RFC 9110 §13.1.2 asks: a W/ prefix
// on either side is ignored.
func NoneMatch(header string, etags ...string) bool {
	if strings.TrimSpace(header) == "" {
		return false
	}
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		for _, e := range etags {
			if t == strings.TrimPrefix(e, "W/") {
				return true
			}
		}
	}
	return false
}

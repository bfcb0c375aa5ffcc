package negotiate

import "testing"

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"identity", false},
		{"gzip", true},
		{"GZip", true},
		{"x-gzip", true},
		{"br, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;Q=0.0", false},
		{"gzip;q=0.001", true},
		{"gzip;q=1.000", true},
		{"*", true},
		{"*;q=0", false},
		{"br, *", true},
		{"*, gzip;q=0", false}, // gzip listed refuses it; * covers only the rest
		{"gzip;q=0, *", false}, // order does not matter
		{"*;q=0, gzip", true},  // listed gzip wins over *
		{"x-gzip;q=0, *;q=1", false},
		{"gzip;q=2", false},      // not a qvalue: the member is ignored
		{"gzip;q=0.0001", false}, // more than three decimals
		{"gzip;q=NaN", false},
		{"gzip;q=abc, *", true}, // the malformed member is ignored, * decides
		{"deflate, br", false},
		{" gzip ; q=0.8 ", true},
	} {
		if got := AcceptsGzip(c.header); got != c.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

func TestNoneMatch(t *testing.T) {
	const plain, gz = `"abc"`, `"abc-gz"`
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"   ", false},
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"abc-gz"`, true},
		{`"x", "abc-gz"`, true},
		{`"x","y"`, false},
		{`*`, true},
		{`"ab"`, false},
		{`abc`, false}, // unquoted is not an entity tag
	} {
		if got := NoneMatch(c.header, plain, gz); got != c.want {
			t.Errorf("NoneMatch(%q) = %v, want %v", c.header, got, c.want)
		}
	}
	if NoneMatch(`"abc"`, `W/"abc"`) != true {
		t.Error("a weak ETag must match its strong form under weak comparison")
	}
}

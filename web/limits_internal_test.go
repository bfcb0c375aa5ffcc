package web

import (
	"net/netip"
	"testing"
)

// The client is the rightmost X-Forwarded-For entry that no trusted proxy
// owns: entries a client wrote itself, further left, are not believed.
func TestForwardedClient(t *testing.T) {
	l := limits{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("::1/128")}}
	for _, c := range []struct {
		xff  []string
		want string
	}{
		{[]string{"203.0.113.7"}, "203.0.113.7"},
		{[]string{"1.1.1.1, 203.0.113.7"}, "203.0.113.7"},             // a forged entry on the left
		{[]string{"203.0.113.7, 10.0.0.9"}, "203.0.113.7"},            // through two proxies
		{[]string{"1.1.1.1", "203.0.113.7, 10.0.0.9"}, "203.0.113.7"}, // two header lines
		{[]string{"10.0.0.4, 10.0.0.9"}, "10.0.0.4"},                  // all trusted: the first
		{[]string{"::ffff:198.51.100.2"}, "198.51.100.2"},
		{[]string{"junk, 203.0.113.7"}, "203.0.113.7"},
		{[]string{"203.0.113.7, junk"}, "invalid IP"},
		{nil, "invalid IP"},
	} {
		if got := l.forwardedClient(c.xff).String(); got != c.want {
			t.Errorf("X-Forwarded-For %q: %s, want %s", c.xff, got, c.want)
		}
	}
}

package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// TestBasemapFlagsRefuseBadConfiguration: serve stops at start, naming the
// flag, when a basemap cannot work.
func TestBasemapFlagsRefuseBadConfiguration(t *testing.T) {
	db := pgtest.URL(t)
	missing := filepath.Join(t.TempDir(), "nope.mbtiles")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--basemap", "tianditu"}, "--tianditu-key"},
		{[]string{"serve", "--basemap", `{"kind":"imagery","url":"https://a/{z}/{x}"}`}, "has no {y}"},
		{[]string{"serve", "--basemap", `{"kind":"moon"`}, "--basemap"},
		{[]string{"serve", "--basemap-file-kind", "sky"}, "--basemap-file-kind"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--basemap-file", missing}, "--basemap-file"},
	} {
		out, err := landquota(t, db, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("landquota %v: %v %q; want a failure naming %q", c.args, err, out, c.want)
		}
	}
}

package web_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// A protected line named like a formula is exported with a leading quote
// (OWASP's CSV-injection advice); its area stays a number.
func TestExportCSVNeutralisesFormulas(t *testing.T) {
	srv, store := newWorld(t)
	names := []string{"=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR", "-5", "绿线"}
	for i, n := range names {
		if _, err := store.InsertZone(context.Background(), planning.ProtectedZone{Kind: planning.ZoneRedLine, Name: n,
			Outline: square(float64(i)*200, 3000, 50)}); err != nil {
			t.Fatal(err)
		}
	}
	res, b := fetchRaw(t, srv.URL+"/api/exports/protected-zones?format=csv")
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := map[string]string{} // name cell -> area cell
	for _, r := range rows[1:] {
		got[r[col["name"]]] = r[col["area_m2"]]
	}
	want := map[string]string{"'=HYPERLINK(\"http://evil.example\",\"x\")": "", "'+1+cmd|' /C calc'!A0": "", "'-2+3": "",
		"'@SUM(A1:A9)": "", "'\tTAB": "", "'\rCR": "", "-5": "", "绿线": ""}
	for n := range want {
		area, ok := got[n]
		if !ok {
			t.Errorf("no row named %q in %q", n, rows)
			continue
		}
		if area == "" || strings.HasPrefix(area, "'") {
			t.Errorf("%q: area %q is not a plain number", n, area)
		}
	}
}

package web

import (
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// Finding 8 for reports: a park named like a formula is quoted; numbers,
// negative ones too, stay numbers.
func TestReportCSVNeutralisesFormulas(t *testing.T) {
	rep := planner.Report{Year: 2026, AsOf: "2026-06-30", Tables: []planner.Table{{Key: "parks", TitleZh: "园区",
		Columns: []planner.Column{{Key: "name", Zh: "园区"}, {Key: "delta", Zh: "变化"}},
		Rows:    [][]any{{"=HYPERLINK(\"http://evil.example\")", -12.5}, {"@SUM(A1)", int64(-3)}, {"滨富合作园", 4.0}}}}}
	b, err := reportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.TrimPrefix(string(b), "\ufeff")
	want := "园区,变化\r\n\"'=HYPERLINK(\"\"http://evil.example\"\")\",-12.5\r\n'@SUM(A1),-3\r\n滨富合作园,4\r\n"
	if got != want {
		t.Errorf("report CSV:\n%q\nwant\n%q", got, want)
	}
}

package imports

import (
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

func TestReportCapsAndCounts(t *testing.T) {
	r := NewReport(Parcels, 2)
	for i := 1; i <= 5; i++ {
		r.Add(Issue{Severity: SevError, Kind: KindOverlap, Feature: int64(6 - i), Message: "x"})
	}
	r.AddCounted(SevError, KindOverlap, 10)
	r.Add(Issue{Severity: SevWarning, Kind: KindEncoding, Message: "w"})
	r.Finish(OutcomeRefused, "")
	if len(r.Issues) != 2 || r.IssuesOmitted != 14 || r.Counts.Errors != 15 || r.Counts.Warnings != 1 || r.ByKind[KindOverlap] != 15 {
		t.Errorf("report %+v", r)
	}
	if r.Issues[0].Feature != 4 || r.Issues[1].Feature != 5 {
		t.Errorf("issues not sorted: %+v", r.Issues)
	}
	if !strings.Contains(r.Message, "15 errors") || !strings.Contains(r.Message, "nothing was written") {
		t.Errorf("message %q", r.Message)
	}
	var b strings.Builder
	r.WriteText(&b, planning.LangEn)
	if !strings.Contains(b.String(), "and 14 more issues") {
		t.Errorf("text:\n%s", b.String())
	}
	if thousands(1234567) != "1,234,567" || thousands(12) != "12" || thousands(-1000) != "-1,000" {
		t.Error("thousands")
	}
}

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
	if !strings.Contains(b.String(), "and 14 more issues") || strings.Contains(b.String(), "fields:") || strings.Contains(b.String(), "ignored") {
		t.Errorf("text:\n%s", b.String())
	}
	// The source's field lists, each on its line when it has names.
	r.Source.FieldMap = map[string]string{"code": "DKBH", "area_m2": "MJ"}
	r.Source.Ignored, r.Source.Kept = []string{"BZ"}, []string{"XMMC", "YDDW"}
	b.Reset()
	r.WriteText(&b, planning.LangEn)
	for _, line := range []string{"\nfields: area_m2←MJ, code←DKBH\n", "\nignored fields: BZ\n", "\nkept as attributes: XMMC, YDDW\n"} {
		if !strings.Contains(b.String(), line) || strings.Contains(b.String(), "derived from") {
			t.Errorf("text lacks %q:\n%s", line, b.String())
		}
	}
	if thousands(1234567) != "1,234,567" || thousands(12) != "12" || thousands(-1000) != "-1,000" {
		t.Error("thousands")
	}
}

// An export's encoding: UTF-8 by default, GB18030, or GBK by any of its
// labels (Shapefiles only); anything else is refused.
func TestExportEncodings(t *testing.T) {
	for enc, want := range map[string]string{"": "UTF-8", "utf8": "UTF-8", "gb18030": "GB18030", "GBK": "GBK", "cp936": "GBK",
		"GB2312": "GBK", "Windows-936": "GBK", "big5": "", "latin1": ""} {
		q := ExportQuery{Layer: Parcels, Format: FormatShp, Encoding: enc}
		err := q.Normalize()
		if want == "" && planning.CodeOf(err) != planning.ErrInvalid || want != "" && (err != nil || q.Encoding != want) {
			t.Errorf("%q: %q, %v; want %q", enc, q.Encoding, err, want)
		}
	}
	q := ExportQuery{Layer: Parcels, Format: FormatCSV, Encoding: "GBK"}
	if err := q.Normalize(); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("a GBK CSV: %v", err)
	}
}

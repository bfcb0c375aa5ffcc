package main

import (
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// The plan listing and the year-end preview print aligned tables: the
// header, a row per plan or account, and the preview's total.
func TestPlanListAndClosePreview(t *testing.T) {
	db := pgtest.URL(t)
	must(t, db, "seed", "--parcels", "300", "--seed", "3", "--projects-per-area", "2")
	list := strings.Split(strings.TrimSpace(must(t, db, "plan", "list")), "\n")
	if len(list) != 2 || !strings.HasPrefix(list[0], "YEAR  KIND") || !strings.HasPrefix(list[1], "2026  new_construction") ||
		!strings.Contains(list[1], "800.00") {
		t.Fatalf("plan list:\n%s", strings.Join(list, "\n"))
	}
	if out, err := landquota(t, db, "plan", "list", "extra"); err == nil || !strings.Contains(out, "unexpected argument") {
		t.Errorf("plan list extra: %v %s", err, out)
	}
	preview := must(t, db, "plan", "close", "--year", "2026")
	if !strings.HasPrefix(preview, "ACCOUNT  ") || !strings.Contains(preview, "\ntotal  ") {
		t.Fatalf("plan close preview:\n%s", preview)
	}
	// Opening a kind's plan with its issue, then a further issue: each
	// subcommand reads the plan flags, the document's and its own.
	open := must(t, db, "plan", "open", "--year", "2026", "--kind", "linkage", "--name", "增减挂钩", "--doc-number", "浙自然资〔2026〕9号",
		"--doc-date", "2026-02-01", "--doc-issuer", "浙江省自然资源厅", "--issue-hm2", "12")
	if !strings.Contains(open, "opened the 2026 linkage plan") || !strings.Contains(open, "issue 12.00 hm² (180.00 亩) under 浙自然资〔2026〕9号") {
		t.Fatalf("plan open:\n%s", open)
	}
	if out, err := landquota(t, db, "plan", "issue", "--year", "2026", "--kind", "linkage", "--hm2", "3"); err == nil || !strings.Contains(out, "--doc-number is required") {
		t.Errorf("plan issue without its document: %v %s", err, out)
	}
	issue := must(t, db, "plan", "issue", "--year", "2026", "--kind", "linkage", "--hm2", "3", "--doc-number", "浙自然资〔2026〕15号")
	if !strings.Contains(issue, "issue 3.00 hm² (45.00 亩) to 330100 under 浙自然资〔2026〕15号") {
		t.Fatalf("plan issue:\n%s", issue)
	}
}

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
}

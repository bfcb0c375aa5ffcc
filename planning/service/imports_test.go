package service_test

import (
	"errors"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

func report(o importer.Outcome, errs int64) *importer.Report {
	r := importer.NewReport(importer.Parcels, 10)
	r.ID = "imp-1"
	r.Counts.Errors = errs
	r.Finish(o, "what happened")
	return r
}

func TestImportVerdict(t *testing.T) {
	if err := service.Verdict(report(importer.OutcomeCommitted, 0), nil, true, planning.LangEn); err != nil {
		t.Fatalf("committed: %v", err)
	}
	if err := service.Verdict(report(importer.OutcomeDryRun, 3), nil, false, planning.LangEn); err != nil {
		t.Fatalf("a dry run answers its report: %v", err)
	}
	for _, c := range []struct {
		name string
		rep  *importer.Report
		fail bool
	}{{"refused", report(importer.OutcomeRefused, 2), false}, {"dry run with errors on the command line", report(importer.OutcomeDryRun, 3), true}} {
		err := service.Verdict(c.rep, nil, c.fail, planning.LangEn)
		var de *planning.Error
		if !errors.As(err, &de) || de.Code != planning.ErrInvalid || de.Message != "what happened" || de.Details["report"] != c.rep.In(planning.LangEn) || de.Details["id"] != "imp-1" {
			t.Fatalf("%s: %#v", c.name, err)
		}
	}
	// A failed run keeps its code and details and gains the report.
	failed := planning.Errorf(planning.ErrUnavailable, "the database is unavailable; try again shortly").WithDetail("outcome", "unknown")
	rep := report(importer.OutcomeFailed, 0)
	var de *planning.Error
	if err := service.Verdict(rep, failed, false, planning.LangEn); !errors.As(err, &de) || de.Code != planning.ErrUnavailable ||
		de.Details["outcome"] != "unknown" || de.Details["report"] != rep.In(planning.LangEn) || len(failed.Details) != 1 {
		t.Fatalf("failed run: %#v (the original error must stay as it was: %v)", err, failed.Details)
	}
	plain := errors.New("disk full")
	if err := service.Verdict(rep, plain, false, planning.LangEn); err != plain {
		t.Fatalf("an internal error passes unchanged: %v", err)
	}
}

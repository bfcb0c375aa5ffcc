package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

func report(o imports.Outcome, errs int64) *imports.Report {
	r := imports.NewReport(imports.Parcels, 10)
	r.ID = "imp-1"
	r.Counts.Errors = errs
	r.Finish(o, "what happened")
	return r
}

func TestImportVerdict(t *testing.T) {
	if err := service.Verdict(report(imports.OutcomeCommitted, 0), nil, true, planning.LangEn); err != nil {
		t.Fatalf("committed: %v", err)
	}
	if err := service.Verdict(report(imports.OutcomeDryRun, 3), nil, false, planning.LangEn); err != nil {
		t.Fatalf("a dry run answers its report: %v", err)
	}
	for _, c := range []struct {
		name string
		rep  *imports.Report
		fail bool
	}{{"refused", report(imports.OutcomeRefused, 2), false}, {"dry run with errors on the command line", report(imports.OutcomeDryRun, 3), true}} {
		err := service.Verdict(c.rep, nil, c.fail, planning.LangEn)
		var de *planning.Error
		if !errors.As(err, &de) || de.Code != planning.ErrInvalid || de.Message != "what happened" || de.Details["report"] != c.rep.In(planning.LangEn) || de.Details["id"] != "imp-1" {
			t.Fatalf("%s: %#v", c.name, err)
		}
	}
	// A failed run keeps its code and details and gains the report.
	failed := planning.Errorf(planning.ErrUnavailable, "the database is unavailable; try again shortly").WithDetail("outcome", "unknown")
	rep := report(imports.OutcomeFailed, 0)
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

// fakeImport is an Importer that answers with what it was given.
type fakeImport struct {
	rep  *imports.Report
	err  error
	prog *imports.Progress
}

func (f *fakeImport) Import(_ context.Context, prog *imports.Progress) (*imports.Report, error) {
	f.prog = prog
	return f.rep, f.err
}

func TestImportRunsTheAdaptersImportAndJudgesIt(t *testing.T) {
	f := &fakeImport{rep: report(imports.OutcomeRefused, 2)}
	prog := imports.NewProgress()
	rep, err := service.Import(context.Background(), f, prog)
	if rep != f.rep || err != nil || f.prog != prog {
		t.Fatalf("Import = %v, %v; progress passed: %v", rep, err, f.prog == prog)
	}
	var de *planning.Error
	if err := service.Verdict(rep, err, false, planning.LangEn); !errors.As(err, &de) || de.Code != planning.ErrInvalid {
		t.Fatalf("a refused import's verdict: %v", err)
	}
}

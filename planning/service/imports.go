package service

import (
	"context"
	"errors"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
)

// Imports is the use case around the importer adapter: a file it opened is
// read, checked and written (all or nothing) by importer.Import, and the
// outcome becomes the answer its requester gets, the same from the web
// upload and from `landquota import`.
type Imports struct {
	Store importer.Store
}

// Run imports src under req. The report is returned in every case; err is
// set when the import could not run to a verdict (an unreadable file, a
// database failure), and then nothing was written.
func (s Imports) Run(ctx context.Context, src *importer.Source, req importer.Request, prog *importer.Progress) (*importer.Report, error) {
	return importer.Import(ctx, s.Store, src, req, prog)
}

// Verdict is the error an import answers with, nil when it committed or
// validated: the failure of a run (with the report and the import's id in
// its details when it is a domain error), or a refused file (invalid, its
// report in the details). A dry run that found errors is refused too when
// dryRunErrorsFail (the command line's exit status). The report in the
// details is written in lang, the reader's.
func Verdict(rep *importer.Report, err error, dryRunErrorsFail bool, lang planning.Lang) error {
	switch {
	case err != nil:
		var pe *planning.Error
		if errors.As(err, &pe) && rep != nil {
			e := *pe
			e.Details = map[string]any{"report": rep.In(lang), "id": rep.ID}
			for k, v := range pe.Details {
				e.Details[k] = v
			}
			return &e
		}
		return err
	case rep.Outcome == importer.OutcomeRefused,
		rep.Outcome == importer.OutcomeDryRun && rep.Counts.Errors > 0 && dryRunErrorsFail:
		return planning.Errorf(planning.ErrInvalid, "%s", rep.Text()).WithDetail("report", rep.In(lang)).WithDetail("id", rep.ID)
	}
	return nil
}

package service

import (
	"context"
	"errors"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// Importer is one import made ready by the adapter that opened its file
// (planning/adapters/importer.Job): Import reads the file, checks it and
// writes it all or nothing. The report is returned in every case; err is
// set when the import could not run to a verdict (an unreadable file, a
// database failure), and then nothing was written.
type Importer interface {
	Import(ctx context.Context, prog *imports.Progress) (*imports.Report, error)
}

// Import is the import use case, the same from the web upload and from
// `landquota import`: it runs im and returns its report; Verdict turns the
// report into the answer its requester gets.
func Import(ctx context.Context, im Importer, prog *imports.Progress) (*imports.Report, error) {
	return im.Import(ctx, prog)
}

// Verdict is the error an import answers with, nil when it committed or
// validated: the failure of a run (with the report and the import's id in
// its details when it is a domain error), or a refused file (invalid, its
// report in the details). A dry run that found errors is refused too when
// dryRunErrorsFail (the command line's exit status). The report in the
// details is written in lang, the reader's.
func Verdict(rep *imports.Report, err error, dryRunErrorsFail bool, lang planning.Lang) error {
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
	case rep.Outcome == imports.OutcomeRefused,
		rep.Outcome == imports.OutcomeDryRun && rep.Counts.Errors > 0 && dryRunErrorsFail:
		return planning.Errorf(planning.ErrInvalid, "%s", rep.Text()).WithDetail("report", rep.In(lang)).WithDetail("id", rep.ID)
	}
	return nil
}

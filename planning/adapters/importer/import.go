package importer

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// Request says what to import and how: what the store reads
// (imports.Request) and how the file's fields are found.
type Request struct {
	imports.Request
	FieldMap *FieldMap
	Workers  int // features decoded in parallel; 0: up to 4
}

// Rows and Store are what the adapter hands a store and needs from it; they
// live in planning/imports with the types they carry.
type (
	Row   = imports.Row
	Rows  = imports.Rows
	Store = imports.Store
)

// ClassAliases is what a store that knows local land-use classes offers:
// the codes files write (M0) and the class each stands for.
type ClassAliases interface {
	LandUseAliases(ctx context.Context) (map[string]string, error)
}

// Job is one import ready to run: the file opened, the request and the
// store. It is what the service runs (service.Importer).
type Job struct {
	Store   Store
	Source  *Source
	Request Request
}

// Import runs the job (Import).
func (j Job) Import(ctx context.Context, prog *imports.Progress) (*imports.Report, error) {
	return Import(ctx, j.Store, j.Source, j.Request, prog)
}

// Import reads src into the store under req. The report is returned in
// every case; err is set when the import could not run to a verdict (an
// unreadable file, a database failure), and then nothing was written.
func Import(ctx context.Context, store Store, src *Source, req Request, prog *imports.Progress) (rep *imports.Report, err error) {
	if prog == nil {
		prog = imports.NewProgress()
	}
	rep = imports.NewReport(req.Layer, req.MaxIssues)
	rep.ID, rep.Mode, rep.DryRun, rep.Repair = req.ID, req.Mode, req.DryRun, req.Repair
	if rep.Mode == "" {
		rep.Mode = imports.ModeInsert
	}
	req.Mode = rep.Mode
	rep.Source = src.Info
	defer func() {
		src.Close()
		if err != nil || rep.Outcome == "" {
			msg := planning.Textf("the import failed; nothing was written")
			if err != nil {
				msg = planning.Textf("the import failed: %s; nothing was written", message(err))
			}
			rep.FinishText(imports.OutcomeFailed, msg)
		}
		prog.SetPhase("done")
	}()
	prog.TotalBytes.Store(src.Info.Bytes)
	prog.TotalFeatures.Store(src.Info.Estimate)
	prog.SetPhase("reading")
	m, err := mapFields(ctx, store, src, req, rep)
	if err != nil {
		return rep, err
	}
	conv := newConverter(m, src.crs, req.Repair, src.fallback, MaxVertices)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := req.Workers
	if workers <= 0 {
		workers = min(4, runtime.GOMAXPROCS(0))
	}
	raws := make(chan RawFeature, 4*workers)
	rows := make(chan *Row, 1024)
	var readErr error
	go func() {
		defer close(raws)
		readErr = readAll(ctx, src, prog, raws)
	}()
	cv := convertAll(ctx, conv, workers, raws, rows, rep)
	it := &rowIter{ch: rows, end: func() error {
		rep.Locked(func(r *imports.Report) { r.Counts.Features = prog.Features.Load() })
		for _, w := range src.Warnings() {
			rep.Add(w)
		}
		lateIssues(rep, m, cv.late)
		if n := cv.fallbackUsed.Load(); n > 0 {
			rep.Add(imports.Issue{Severity: imports.SevWarning, Kind: imports.KindEncoding}.Say(planning.Textf(
				"%d text values were not UTF-8 and were decoded as %s (%s); if the text looks wrong, give the encoding with --encoding",
				n, fallbackName(src), rep.Source.EncodingFrom)))
		}
		return readErr
	}}
	outcome, err := store.ImportRows(ctx, req.Request, &m.Mapping, it, rep, prog)
	if err != nil {
		cancel()
		// A read error stopped the COPY: report the file's problem, not COPY's.
		if it.err != nil {
			err = it.err
		}
		return rep, err
	}
	rep.Finish(outcome, "")
	return rep, nil
}

// mapFields resolves the request's field map against the file's fields,
// adds the local land-use codes the store knows, and says in the report
// how each field is read.
func mapFields(ctx context.Context, store Store, src *Source, req Request, rep *imports.Report) (*Mapping, error) {
	fields := src.Fields()
	m, err := req.FieldMap.resolve(req.Layer, fields, src.FieldsComplete())
	if err != nil {
		return nil, err
	}
	// Local classes the admin added (M0 创新型产业用地) carry the codes files
	// write for them; the field map's own crosswalk wins.
	if al, ok := store.(ClassAliases); ok && req.Layer == imports.Parcels {
		aliases, err := al.LandUseAliases(ctx)
		if err != nil {
			return nil, err
		}
		for k, v := range aliases {
			if _, set := m.Crosswalk[normalizeCode(k)]; !set {
				m.Crosswalk[normalizeCode(k)] = v
			}
		}
	}
	rep.Source.Fields = fields
	rep.Source.FieldMap, rep.Source.Derived = m.Describe()
	rep.Source.Ignored = m.Ignored
	rep.Source.Kept = m.Kept
	if m.Scheme != "" {
		rep.Source.LandUseScheme = string(m.Scheme)
	}
	return m, nil
}

// readAll hands the file's features to raws as they are read, counting
// them in prog, until the file ends (then the error of its closing check)
// or ctx is done.
func readAll(ctx context.Context, src *Source, prog *imports.Progress, raws chan<- RawFeature) error {
	for {
		f, err := src.Next()
		if err == io.EOF {
			return src.Finish()
		}
		if err != nil {
			return err
		}
		prog.Features.Add(1)
		prog.Bytes.Store(src.BytesRead())
		select {
		case raws <- f:
		case <-ctx.Done():
			return nil
		}
	}
}

// converted is what the converting workers noticed beside their rows:
// text values decoded with the fallback encoding, and the fields that
// appeared only after the features read ahead. It is whole once rows is
// closed.
type converted struct {
	fallbackUsed atomic.Int64
	mu           sync.Mutex
	late         map[string]bool
}

// convertAll converts raws into rows with workers in parallel, adding the
// issues they find to rep, and closes rows when all are done.
func convertAll(ctx context.Context, conv *Converter, workers int, raws <-chan RawFeature, rows chan<- *Row, rep *imports.Report) *converted {
	cv := &converted{late: map[string]bool{}}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := conv.worker()
			defer func() {
				cv.fallbackUsed.Add(w.text.used - w.text.failed)
				cv.mu.Lock()
				for k := range w.late {
					cv.late[k] = true
				}
				cv.mu.Unlock()
			}()
			for f := range raws {
				row, issues := w.convert(f)
				for _, is := range issues {
					rep.Add(is)
				}
				if row == nil {
					continue
				}
				select {
				case rows <- row:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(rows) }()
	return cv
}

// lateIssues lists the fields that appeared only after the features read
// ahead: they were not read, and a warning says how to read them.
func lateIssues(rep *imports.Report, m *Mapping, late map[string]bool) {
	if len(late) == 0 {
		return
	}
	names := make([]string, 0, len(late))
	for k := range late {
		names = append(names, k)
	}
	sort.Strings(names)
	rep.Locked(func(r *imports.Report) {
		for _, k := range names {
			if keepsAttributes(m.Layer) && !derivedNames[strings.ToLower(strings.TrimSpace(k))] {
				r.Source.Kept = append(r.Source.Kept, k)
			} else {
				r.Source.Ignored = append(r.Source.Ignored, k)
			}
		}
	})
	for _, k := range names {
		for i, f := range imports.Fields(m.Layer) {
			if m.Source[i] != "" {
				continue
			}
			for _, a := range f.Aliases {
				if strings.EqualFold(k, a) {
					rep.Add(imports.Issue{Severity: imports.SevWarning, Kind: imports.KindBadValue, Field: f.Name, Value: k}.Say(planning.Textf(
						"source field %s appears only after the first %d features and was not read as %s: name it with --field %s=%s",
						k, sampleFeatures, f.Name, f.Name, k)))
				}
			}
		}
	}
}

func fallbackName(src *Source) string {
	if src.Info.EncodingFrom == "--encoding" {
		return src.Info.Encoding
	}
	return "GB18030"
}

// message is err for the report: a domain error's message (in the
// reader's language when written), anything else as it is.
func message(err error) any {
	var pe *planning.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err.Error()
}

// rowIter adapts the pipeline's channel to Rows.
type rowIter struct {
	ch   chan *Row
	cur  *Row
	end  func() error
	done bool
	err  error
}

func (it *rowIter) Next() bool {
	if it.done {
		return false
	}
	r, ok := <-it.ch
	if !ok {
		it.done = true
		it.err = it.end()
		return false
	}
	it.cur = r
	return true
}

func (it *rowIter) Row() *Row  { return it.cur }
func (it *rowIter) Err() error { return it.err }

package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

// Uploads for admins:
//
//	POST /api/imports?layer=parcels[&mode=upsert&dry_run=true&repair=true&srid=4549&encoding=GBK ...]
//	GET  /api/imports/{id}     status, progress, and the report when done
//	GET  /api/imports          the imports of this server and the committed ones of the log
//
// The file comes as multipart/form-data (a part named "file", the options
// as further parts) or as the raw request body (the options in the query,
// the name in ?filename= or Content-Disposition). It is saved to a
// temporary folder, opened at once (so an unreadable file, a missing
// Shapefile part or a missing GDAL is a 400 straight away), and imported
// in the background, one import at a time: the answer is 202 with the
// import's id and Location. With wait=true the request waits instead and
// answers 201 (committed), 200 (dry run) or the error, whose details hold
// the validation report; a refused file is a 400.

// maxUploadBytes bounds an upload (a million parcels as GeoJSON is about 1 GB).
const maxUploadBytes = 2 << 30

// maxFormValueBytes bounds one option part of a multipart upload.
const maxFormValueBytes = 1 << 20

// importTimeout bounds one import's statements.
const importTimeout = 30 * time.Minute

// keptJobs is how many finished imports the server remembers (the
// committed ones stay in the import log).
const keptJobs = 100

// importOptions are the options an upload takes, as query parameters or
// multipart parts.
var importOptions = map[string]bool{"layer": true, "mode": true, "dry_run": true, "repair": true, "srid": true, "encoding": true,
	"source_layer": true, "swap_axes": true, "land_use_scheme": true, "field_map": true, "field": true, "default": true,
	"crosswalk": true, "filename": true, "wait": true, "max_issues": true}

// importStore is what the upload endpoints need from storage.
type importStore interface {
	importer.Store
	ImportLog(ctx context.Context, id string) (json.RawMessage, error)
	ImportLogs(ctx context.Context, limit int) ([]imports.LogEntry, error)
}

type importJob struct {
	ID        string    `json:"id"`
	Layer     string    `json:"layer"`
	Source    string    `json:"source"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	prog      *imports.Progress
	done      chan struct{}
	mu        sync.Mutex
	status    string
	report    *imports.Report
	err       error
}

// importJobs holds the jobs of this server: no package globals.
type importJobs struct {
	s     *Server
	mu    sync.Mutex
	jobs  map[string]*importJob
	order []string
	slot  chan struct{} // one import runs at a time
}

// mountImports adds /api/imports and /api/exports.
func (s *Server) mountImports(r chi.Router) {
	sweepUploads(s.log)
	im := &importJobs{s: s, jobs: map[string]*importJob{}, slot: make(chan struct{}, 1)}
	ex := &exporter{s: s, slots: make(chan struct{}, exportSlots)}
	r.Get("/exports/{layer}", s.handle(ex.export))
	r.Route("/imports", func(r chi.Router) {
		r.Use(s.requireRole(planning.RoleAdmin))
		r.Post("/", s.handle(im.post))
		r.Get("/", s.handle(im.list))
		r.Get("/{id}", s.handle(im.get))
	})
}

func (im *importJobs) store() (importStore, error) {
	return storePart[importStore](im.s, planning.Textf("imports are not available on this server"))
}

// uploadRequest is an upload's options, read from the query or the form.
type uploadRequest struct {
	values url.Values
	file   string // path of the saved upload
	name   string // the name it came with
}

var safeName = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

// cleanName keeps a file name's base and its extension, harmless on disk.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = safeName.ReplaceAllString(name, "_")
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		name = "upload" + name
	}
	if len(name) > 120 {
		name = name[len(name)-120:]
	}
	return name
}

// extFor guesses a file extension from a media type.
func extFor(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/geo+json", "application/json":
		return ".geojson"
	case "application/geo+json-seq", "application/json-seq", "application/x-ndjson":
		return ".geojsonl"
	case "application/zip", "application/x-zip-compressed":
		return ".zip"
	case "application/geopackage+sqlite3":
		return ".gpkg"
	case "text/csv":
		return ".csv"
	}
	return ""
}

func bodyTooLarge(err error) bool {
	var big *http.MaxBytesError
	return errors.As(err, &big)
}

func uploadError(err error) error {
	if bodyTooLarge(err) {
		return planning.Errorf(planning.ErrInvalid, "the upload is larger than %d MiB: import it with `landquota import` on the server", maxUploadBytes>>20)
	}
	return planning.Errorf(planning.ErrInvalid, "the upload could not be read: %v", err)
}

// receive saves the upload into dir and collects the options.
func receive(w http.ResponseWriter, r *http.Request, dir string) (*uploadRequest, error) {
	// An admin's upload of up to 2 GiB may take longer than --read-timeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(importTimeout))
	body := http.MaxBytesReader(w, r.Body, maxUploadBytes)
	up := &uploadRequest{values: r.URL.Query()}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, planning.Errorf(planning.ErrInvalid, "multipart/form-data without a boundary")
		}
		if err := up.receiveForm(multipart.NewReader(body, params["boundary"]), dir); err != nil {
			return nil, err
		}
		return up, nil
	}
	name := up.values.Get("filename")
	if name == "" {
		if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
			name = p["filename"]
		}
	}
	if name == "" {
		name = "upload" + extFor(r.Header.Get("Content-Type"))
	}
	if err := up.save(dir, name, body); err != nil {
		return nil, err
	}
	return up, nil
}

// receiveForm reads a multipart upload: the file (once, in "file") into
// dir and the options among the other fields.
func (up *uploadRequest) receiveForm(mr *multipart.Reader, dir string) error {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return uploadError(err)
		}
		name := part.FormName()
		switch {
		case name == "file":
			if up.file != "" {
				return planning.Errorf(planning.ErrInvalid, "send one file per import").WithDetail("field", "file")
			}
			fn := part.FileName()
			if fn == "" {
				fn = "upload" + extFor(part.Header.Get("Content-Type"))
			}
			if err := up.save(dir, fn, part); err != nil {
				return err
			}
		case importOptions[name]:
			b, err := io.ReadAll(io.LimitReader(part, maxFormValueBytes+1))
			if err != nil {
				return uploadError(err)
			}
			if len(b) > maxFormValueBytes {
				return planning.Errorf(planning.ErrInvalid, "%s: larger than %d bytes", name, maxFormValueBytes).WithDetail("field", name)
			}
			up.values.Add(name, string(b))
		default:
			return planning.Errorf(planning.ErrInvalid, "unknown form field %q (the file goes in \"file\"; options: %s)", name, optionNames()).WithDetail("field", name)
		}
		part.Close()
	}
	if up.file == "" {
		return planning.Errorf(planning.ErrInvalid, "no file: send it in a form field named \"file\"").WithDetail("field", "file")
	}
	return nil
}

// save writes the uploaded file called name from src into dir; an empty
// file is refused.
func (up *uploadRequest) save(dir, name string, src io.Reader) error {
	up.name = name
	up.file = filepath.Join(dir, cleanName(name))
	f, err := os.OpenFile(up.file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return uploadError(err)
	}
	if n == 0 {
		return planning.Errorf(planning.ErrInvalid, "the uploaded file is empty")
	}
	return nil
}

func optionNames() string {
	names := make([]string, 0, len(importOptions))
	for k := range importOptions {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// checkOptions refuses unknown options, and options other than the
// repeatable field, default and crosswalk given more than once.
func checkOptions(v url.Values) error {
	for k, vals := range v {
		if !importOptions[k] {
			return invalidParam(k, "unknown option %q (options: %s)", k, optionNames())
		}
		if len(vals) > 1 && k != "field" && k != "default" && k != "crosswalk" {
			return invalidParam(k, "given %d times", len(vals))
		}
	}
	return nil
}

// boolOption reads option name: false when absent.
func boolOption(v url.Values, name string) (bool, error) {
	s := v.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, invalidParam(name, "%q is not true or false", s)
	}
	return b, nil
}

// options turns an upload's values into an import request.
func (up *uploadRequest) options() (importer.Request, importer.OpenOptions, bool, error) {
	var req importer.Request
	var open importer.OpenOptions
	var wait bool
	v := up.values
	if err := checkOptions(v); err != nil {
		return req, open, false, err
	}
	var err error
	if v.Get("layer") == "" {
		return req, open, false, invalidParam("layer", "say which layer the file holds: districts, parks, protected-zones or parcels")
	}
	if req.Layer, err = imports.ParseLayer(v.Get("layer")); err != nil {
		return req, open, false, err
	}
	if req.Mode, err = imports.ParseMode(v.Get("mode")); err != nil {
		return req, open, false, err
	}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"dry_run", &req.DryRun}, {"repair", &req.Repair}, {"swap_axes", &open.SwapAxes}, {"wait", &wait}} {
		if *b.to, err = boolOption(v, b.name); err != nil {
			return req, open, false, err
		}
	}
	if s := v.Get("srid"); s != "" {
		if open.SRID, err = importer.ParseSRID(s); err != nil {
			return req, open, false, err
		}
	}
	if req.MaxIssues, err = countParam(v, "max_issues", 100_000, 0); err != nil {
		return req, open, false, err
	}
	open.Encoding, open.SourceLayer, open.Name = v.Get("encoding"), v.Get("source_layer"), filepath.Base(up.name)
	if req.FieldMap, err = fieldMap(req.Layer, v); err != nil {
		return req, open, false, err
	}
	return req, open, wait, nil
}

// fieldMap is the upload's field map (field_map) with its field, default,
// crosswalk and land_use_scheme options applied.
func fieldMap(layer imports.Layer, v url.Values) (*importer.FieldMap, error) {
	fm := &importer.FieldMap{}
	if s := v.Get("field_map"); s != "" {
		var err error
		if fm, err = importer.ParseFieldMap(layer, []byte(s)); err != nil {
			return nil, err
		}
	}
	opts := importer.FieldOptions{Fields: v["field"], Defaults: v["default"], Crosswalk: v["crosswalk"], Scheme: v.Get("land_use_scheme")}
	if err := fm.Apply(layer, opts); err != nil {
		return nil, err
	}
	return fm, nil
}

// post receives an upload, opens it and imports it in the background
// (service.Import), or waits for its verdict with wait=true.
func (im *importJobs) post(w http.ResponseWriter, r *http.Request) error {
	store, err := im.store()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", uploadPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var req importer.Request
	var open importer.OpenOptions
	var wait bool
	up, err := receive(w, r, dir)
	if err == nil {
		req, open, wait, err = up.options() // bad options are refused before the file is opened
	}
	if err != nil {
		cleanup()
		return err
	}
	// The import outlives the request (ogr2ogr with it): its own context.
	ctx, cancel := context.WithTimeout(context.Background(), 2*importTimeout)
	src, err := importer.Open(ctx, up.file, open)
	if err != nil {
		cancel()
		cleanup()
		return err
	}
	req.ID = newJobID()
	req.StatementTimeout = importTimeout
	req.CreatedBy = username(r)
	job := &importJob{ID: req.ID, Layer: string(req.Layer), Source: open.Name, CreatedBy: req.CreatedBy, CreatedAt: time.Now(),
		prog: imports.NewProgress(), done: make(chan struct{}), status: "queued"}
	im.add(job)
	go im.run(ctx, job, store, src, req, func() { cancel(); cleanup() })
	if !wait {
		loc := "/api/imports/" + job.ID
		w.Header().Set("Location", loc)
		writeJSON(w, http.StatusAccepted, map[string]any{"id": job.ID, "status": "queued", "href": loc})
		return nil
	}
	select {
	case <-job.done:
	case <-r.Context().Done():
		return nil // the import goes on; its status is at /api/imports/{id}
	}
	job.mu.Lock()
	rep, jerr := job.report, job.err
	job.mu.Unlock()
	if err := service.Verdict(rep, jerr, false, requestLang(r)); err != nil {
		return err
	}
	status := http.StatusOK // a dry run
	if rep.Outcome == imports.OutcomeCommitted {
		status = http.StatusCreated
	}
	writeJSON(w, status, rep.In(requestLang(r)))
	return nil
}

// run imports in the background, one at a time.
func (im *importJobs) run(ctx context.Context, job *importJob, store importStore, src *importer.Source, req importer.Request, cleanup func()) {
	defer cleanup()
	defer close(job.done)
	im.slot <- struct{}{}
	defer func() { <-im.slot }()
	job.mu.Lock()
	job.status = "running"
	job.mu.Unlock()
	rep, err := service.Import(ctx, importer.Job{Store: store, Source: src, Request: req}, job.prog)
	job.mu.Lock()
	defer job.mu.Unlock()
	job.report, job.err = rep, err
	job.status = string(rep.Outcome)
	if err != nil {
		im.s.log.Warn("import failed", "id", job.ID, "layer", job.Layer, "source", job.Source, "err", err)
	} else {
		im.s.log.Info("import finished", "id", job.ID, "layer", job.Layer, "source", job.Source, "outcome", rep.Outcome,
			"features", rep.Counts.Features, "errors", rep.Counts.Errors)
	}
}

func (im *importJobs) add(job *importJob) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.jobs[job.ID] = job
	im.order = append(im.order, job.ID)
	for len(im.order) > keptJobs {
		old := im.jobs[im.order[0]]
		select {
		case <-old.done:
			delete(im.jobs, im.order[0])
			im.order = im.order[1:]
		default:
			return // the oldest still runs: keep them all for now
		}
	}
}

func (im *importJobs) job(id string) *importJob {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.jobs[id]
}

// view is a job as GET shows it, its error in lang.
func (job *importJob) view(lang planning.Lang) map[string]any {
	job.mu.Lock()
	defer job.mu.Unlock()
	out := map[string]any{"id": job.ID, "layer": job.Layer, "source": job.Source, "created_by": job.CreatedBy,
		"created_at": job.CreatedAt, "status": job.status, "progress": job.prog.Snapshot()}
	if job.report != nil {
		out["report"] = job.report.In(lang)
	}
	if job.err != nil {
		out["error"] = errorPayloadOf(job.err, lang)
	}
	return out
}

func (im *importJobs) get(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if job := im.job(id); job != nil {
		writeJSON(w, http.StatusOK, job.view(requestLang(r)))
		return nil
	}
	store, err := im.store()
	if err != nil {
		return err
	}
	if !jobIDPattern.MatchString(id) {
		return planning.Errorf(planning.ErrNotFound, "no import %q", id)
	}
	rep, err := store.ImportLog(r.Context(), id)
	return respond(w, http.StatusOK, map[string]any{"id": id, "status": "committed", "report": rep}, err)
}

func (im *importJobs) list(w http.ResponseWriter, r *http.Request) error {
	store, err := im.store()
	if err != nil {
		return err
	}
	im.mu.Lock()
	jobs := make([]*importJob, 0, len(im.order))
	for i := len(im.order) - 1; i >= 0; i-- {
		jobs = append(jobs, im.jobs[im.order[i]])
	}
	im.mu.Unlock()
	running := make([]map[string]any, 0, len(jobs))
	for _, j := range jobs {
		v := j.view(requestLang(r))
		delete(v, "report")
		running = append(running, v)
	}
	logged, err := store.ImportLogs(r.Context(), 100)
	return respond(w, http.StatusOK, map[string]any{"this_server": running, "committed": logged}, err)
}

var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func newJobID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%d", time.Now().UnixNano())
	}
	return time.Now().UTC().Format("20060102T150405") + "-" + fmt.Sprintf("%x", b)
}

// uploadPrefix names the temporary directory of an upload; the server's
// process id follows, so that a later start can tell whose it is.
const uploadPrefix = "landquota-upload-"

// sweepUploads removes the temporary uploads that a killed server left
// behind (an import cleans its own up when it ends): those whose process
// is gone. Another server running on the same machine keeps its own.
func sweepUploads(log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), uploadPrefix+"*"))
	for _, d := range dirs {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(d), uploadPrefix), "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n <= 0 || processAlive(n) {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			log.Warn("cannot remove the upload of an import that did not finish", "dir", d, "err", err)
			continue
		}
		log.Info("removed the upload of an import that did not finish", "dir", d)
	}
}

// processAlive reports whether a process with this id exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

package imports

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
)

// Severity grades an issue: errors refuse the file, warnings do not, and
// repairs say what --repair changed.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevRepair  Severity = "repaired"
)

// Issue kinds.
const (
	KindInvalidGeometry  = "invalid_geometry"  // not a valid polygon (self-intersection, open ring, too few points ...)
	KindCoordinates      = "coordinates"       // coordinates that cannot be right in the file's CRS
	KindBadValue         = "bad_value"         // a value of the wrong type or out of range
	KindMissingValue     = "missing_value"     // a required value is empty
	KindUnknownCode      = "unknown_code"      // a land-use code without a 2023 class, or a class that does not exist
	KindCoarseCode       = "coarse_code"       // a land-use code mapped only to a first-level class (三调 0810 → 14)
	KindUnknownReference = "unknown_reference" // a district or park that the database does not hold
	KindDuplicateCode    = "duplicate_code"    // two features with one code
	KindExists           = "exists"            // the code is already in the database (insert mode)
	KindOverlap          = "overlap"           // two parcels overlap at the same elevation
	KindOutsideDistricts = "outside_districts" // the outline lies outside every district
	KindDistrictMismatch = "district_mismatch" // the stated district is not where the outline lies
	KindRepaired         = "repaired"          // --repair changed the outline
	KindEncoding         = "encoding"          // text decoded with a guessed encoding
	KindTransform        = "transform"         // coordinates transformed by GDAL
	KindGDAL             = "gdal"              // a warning from ogr2ogr
)

// Ref names the other side of an overlap or a duplicate: a feature of the
// file, or a parcel already stored.
type Ref struct {
	Feature  int64  `json:"feature,omitempty"`
	Code     string `json:"code,omitempty"`
	ParcelID int64  `json:"parcel_id,omitempty"`
}

// Issue is one finding of the validation.
type Issue struct {
	Severity Severity  `json:"severity"`
	Kind     string    `json:"kind"`
	Feature  int64     `json:"feature,omitempty"` // 1-based position in the file; 0 for the file as a whole
	Code     string    `json:"code,omitempty"`    // the feature's key (parcel code, adcode ...)
	Field    string    `json:"field,omitempty"`
	Value    string    `json:"value,omitempty"`
	Scheme   string    `json:"scheme,omitempty"` // the code list an unknown code was read in
	Message  string    `json:"message"`
	Location []float64 `json:"location,omitempty"` // [lon, lat] EPSG:4490, or the file's coordinates before they could be read
	Other    *Ref      `json:"other,omitempty"`
	AreaM2   *float64  `json:"area_m2,omitempty"` // overlap area, or the area after a repair

	text planning.Text // what Message was written from (Say), for MessageIn
}

// Say returns is with its message written from t: Message is the English,
// and MessageIn writes it in the reader's language.
func (is Issue) Say(t planning.Text) Issue {
	is.text, is.Message = t, t.String()
	return is
}

// MessageIn is the issue's message in lang. A message not set by Say (or
// changed since) stays as it is.
func (is Issue) MessageIn(lang planning.Lang) string {
	if lang != planning.LangEn {
		if en := is.text.String(); en != "" && en == is.Message {
			return is.text.In(lang)
		}
	}
	return is.Message
}

// Outcome is how an import ended.
type Outcome string

const (
	OutcomeCommitted Outcome = "committed" // written
	OutcomeRefused   Outcome = "refused"   // errors found: nothing written
	OutcomeDryRun    Outcome = "dry_run"   // validated only: nothing written
	OutcomeFailed    Outcome = "failed"    // the file could not be read, or the database failed: nothing written
)

// SourceInfo describes the file as read.
type SourceInfo struct {
	Name          string            `json:"name"`
	Format        string            `json:"format"`
	SourceLayer   string            `json:"source_layer,omitempty"`
	SRID          int               `json:"srid"`
	SRIDFrom      string            `json:"srid_from"`
	TransformedBy string            `json:"transformed_by,omitempty"` // landquota, GDAL, or "" when already EPSG:4490
	Encoding      string            `json:"encoding,omitempty"`
	EncodingFrom  string            `json:"encoding_from,omitempty"`
	Bytes         int64             `json:"bytes,omitempty"`
	Estimate      int64             `json:"features_estimate,omitempty"`
	Fields        []string          `json:"fields,omitempty"`
	FieldMap      map[string]string `json:"field_map,omitempty"` // target -> source field
	Derived       []string          `json:"derived,omitempty"`   // targets the database derives from the outline
	Ignored       []string          `json:"ignored_fields,omitempty"`
	Kept          []string          `json:"attribute_fields,omitempty"` // kept as the parcels' other attributes
	LandUseScheme string            `json:"land_use_scheme,omitempty"`
}

// Counts sums up an import.
type Counts struct {
	Features  int64 `json:"features"`  // read from the file
	Staged    int64 `json:"staged"`    // with a usable outline, checked by the database
	Errors    int64 `json:"errors"`    // issues of severity error
	Warnings  int64 `json:"warnings"`  // issues of severity warning
	Repaired  int64 `json:"repaired"`  // outlines --repair changed
	Inserted  int64 `json:"inserted"`  // new rows
	Updated   int64 `json:"updated"`   // rows changed (upsert)
	Unchanged int64 `json:"unchanged"` // rows already as in the file (upsert)
}

// UnknownCode sums up one code that could not be mapped.
type UnknownCode struct {
	Field    string `json:"field"`
	Scheme   string `json:"scheme,omitempty"`
	Value    string `json:"value"`
	Features int64  `json:"features"`
}

// Report is the validation report: what was read, what is wrong with it,
// and what was written. It is safe for concurrent use while the import runs.
type Report struct {
	ID            string         `json:"id,omitempty"`
	Layer         Layer          `json:"layer"`
	Source        SourceInfo     `json:"source"`
	Mode          Mode           `json:"mode"`
	DryRun        bool           `json:"dry_run"`
	Repair        bool           `json:"repair"`
	Outcome       Outcome        `json:"outcome"`
	Message       string         `json:"message"`
	Counts        Counts         `json:"counts"`
	ByKind        map[string]int `json:"by_kind"`
	UnknownCodes  []UnknownCode  `json:"unknown_codes,omitempty"`
	Issues        []Issue        `json:"issues"`
	IssuesOmitted int64          `json:"issues_omitted,omitempty"` // beyond max_issues: counted, not listed
	Steps         []Step         `json:"steps,omitempty"`          // how long each step took
	StartedAt     time.Time      `json:"started_at"`
	FinishedAt    time.Time      `json:"finished_at"`
	DurationMS    int64          `json:"duration_ms"`

	mu        sync.Mutex
	maxIssues int
	unknown   map[[3]string]int64
	message   planning.Text // what Message was written from
}

// MarshalJSON writes the report in English (In writes it in another
// language).
func (r *Report) MarshalJSON() ([]byte, error) { return r.In(planning.LangEn).MarshalJSON() }

// In is the report as a reader of lang sees it, for encoding/json: its
// message and each issue's in lang, and "lang" saying which; every other
// member (codes, kinds, fields, counts) as it is.
func (r *Report) In(lang planning.Lang) LocalReport { return LocalReport{r: r, lang: lang} }

// LocalReport is a report in one language (Report.In).
type LocalReport struct {
	r    *Report
	lang planning.Lang
}

// MarshalJSON writes the report with its messages in the language.
func (l LocalReport) MarshalJSON() ([]byte, error) {
	r := l.r
	r.mu.Lock()
	defer r.mu.Unlock()
	issues := make([]Issue, len(r.Issues))
	for i, is := range r.Issues {
		is.Message = is.MessageIn(l.lang)
		issues[i] = is
	}
	type plain Report // the members without this method
	return json.Marshal(struct {
		*plain
		Message string        `json:"message"`
		Issues  []Issue       `json:"issues"`
		Lang    planning.Lang `json:"lang"`
	}{(*plain)(r), r.messageIn(l.lang), issues, l.lang})
}

// Text is the report's message, for an error that carries it.
func (r *Report) Text() planning.Text {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.message.String() == r.Message {
		return r.message
	}
	return planning.Textf("%s", r.Message)
}

func (r *Report) messageIn(lang planning.Lang) string {
	if lang != planning.LangEn && r.message.String() == r.Message {
		return r.message.In(lang)
	}
	return r.Message
}

// Step is one timed step of an import.
type Step struct {
	Name string `json:"name"`
	MS   int64  `json:"ms"`
}

// Time records how long a step took since start.
func (r *Report) Time(name string, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Steps = append(r.Steps, Step{Name: name, MS: time.Since(start).Milliseconds()})
}

// DefaultMaxIssues is how many issues a report lists (all are counted).
const DefaultMaxIssues = 1000

// NewReport starts a report.
func NewReport(layer Layer, maxIssues int) *Report {
	if maxIssues <= 0 {
		maxIssues = DefaultMaxIssues
	}
	return &Report{Layer: layer, ByKind: map[string]int{}, Issues: []Issue{}, StartedAt: time.Now(), maxIssues: maxIssues,
		unknown: map[[3]string]int64{}}
}

// Locked runs f with the report locked: the pipeline changes members
// through it while a reader may be writing the report out.
func (r *Report) Locked(f func(r *Report)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r)
}

// IssuesOf lists the listed issues of one kind.
func (r *Report) IssuesOf(kind string) []Issue {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Issue
	for _, is := range r.Issues {
		if is.Kind == kind {
			out = append(out, is)
		}
	}
	return out
}

// Add records an issue.
func (r *Report) Add(is Issue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(is)
}

func (r *Report) add(is Issue) {
	switch is.Severity {
	case SevError:
		r.Counts.Errors++
	case SevWarning:
		r.Counts.Warnings++
	case SevRepair:
		r.Counts.Repaired++
	}
	r.ByKind[is.Kind]++
	if is.Kind == KindUnknownCode && is.Value != "" {
		r.unknown[[3]string{is.Field, is.Scheme, is.Value}]++
	}
	if len(r.Issues) < r.maxIssues {
		r.Issues = append(r.Issues, is)
	} else {
		r.IssuesOmitted++
	}
}

// AddCounted records count more issues of one kind that are not listed
// one by one (the database found them; the first ones were added).
func (r *Report) AddCounted(sev Severity, kind string, count int64) {
	if count <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch sev {
	case SevError:
		r.Counts.Errors += count
	case SevWarning:
		r.Counts.Warnings += count
	case SevRepair:
		r.Counts.Repaired += count
	}
	r.ByKind[kind] += int(count)
	r.IssuesOmitted += count
}

// Errors is the number of error issues so far.
func (r *Report) Errors() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Counts.Errors
}

// Finish sorts the issues and sets the outcome and its message (by
// default one that sums up the outcome).
func (r *Report) Finish(o Outcome, message string) {
	t := planning.Text{}
	if message != "" {
		t = planning.Textf("%s", message)
	}
	r.FinishText(o, t)
}

// FinishText is Finish with a message kept for translation (or none).
func (r *Report) FinishText(o Outcome, message planning.Text) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Outcome = o
	r.FinishedAt = time.Now()
	r.DurationMS = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
	sort.SliceStable(r.Issues, func(i, j int) bool {
		a, b := r.Issues[i], r.Issues[j]
		if a.Feature != b.Feature {
			return a.Feature < b.Feature
		}
		return sevRank(a.Severity) < sevRank(b.Severity)
	})
	r.UnknownCodes = r.UnknownCodes[:0]
	for k, n := range r.unknown {
		r.UnknownCodes = append(r.UnknownCodes, UnknownCode{Field: k[0], Scheme: k[1], Value: k[2], Features: n})
	}
	sort.Slice(r.UnknownCodes, func(i, j int) bool {
		a, b := r.UnknownCodes[i], r.UnknownCodes[j]
		if a.Features != b.Features {
			return a.Features > b.Features
		}
		return a.Value < b.Value
	})
	if message.String() == "" {
		message = r.defaultMessage()
	}
	r.message, r.Message = message, message.String()
}

func sevRank(s Severity) int {
	switch s {
	case SevError:
		return 0
	case SevWarning:
		return 1
	}
	return 2
}

// Summary sums up the errors by kind: "3 errors (2 invalid_geometry, 1 overlap)".
func (r *Report) Summary() string { return r.summary().String() }

// summary is Summary kept for translation (the kinds are codes and stay).
func (r *Report) summary() planning.Text {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.ByKind)) {
		parts = append(parts, fmt.Sprintf("%d %s", r.ByKind[k], k))
	}
	counts := planning.Textf("%d errors", r.Counts.Errors)
	if r.Counts.Errors == 1 {
		counts = planning.Textf("1 error")
	}
	switch n := r.Counts.Warnings; {
	case n == 1:
		counts = planning.Textf("%s, 1 warning", counts)
	case n > 1:
		counts = planning.Textf("%s, %d warnings", counts, n)
	}
	switch n := r.Counts.Repaired; {
	case n == 1:
		counts = planning.Textf("%s, 1 repair", counts)
	case n > 1:
		counts = planning.Textf("%s, %d repairs", counts, n)
	}
	if len(parts) > 0 {
		return planning.Textf("%s (%s)", counts, strings.Join(parts, ", "))
	}
	return counts
}

func (r *Report) defaultMessage() planning.Text {
	switch r.Outcome {
	case OutcomeCommitted:
		return planning.Textf("imported %d features into %s: %d inserted, %d updated, %d unchanged", r.Counts.Features, r.Layer,
			r.Counts.Inserted, r.Counts.Updated, r.Counts.Unchanged)
	case OutcomeRefused:
		return planning.Textf("the file was refused: %s; nothing was written", r.summary())
	case OutcomeDryRun:
		if r.Counts.Errors > 0 {
			return planning.Textf("dry run: the file would be refused: %s; nothing was written", r.summary())
		}
		return planning.Textf("dry run: the file is fine (%d features, %s); nothing was written", r.Counts.Features, r.summary())
	}
	return planning.Textf("the import failed; nothing was written")
}

// WriteText writes the report for a person: the outcome, the counts, and
// the issues one per line, the messages in lang.
func (r *Report) WriteText(w io.Writer, lang planning.Lang) {
	r.mu.Lock()
	defer r.mu.Unlock()
	src := r.Source
	fmt.Fprintf(w, "%s: %s", r.Layer, src.Name)
	if src.Format != "" {
		fmt.Fprintf(w, " (%s", src.Format)
		if src.SourceLayer != "" {
			fmt.Fprintf(w, ", layer %s", src.SourceLayer)
		}
		if strings.HasPrefix(src.SRIDFrom, "assumed") {
			fmt.Fprintf(w, ", %s %s", geo.SRIDName(src.SRID), src.SRIDFrom)
		} else {
			fmt.Fprintf(w, ", %s from %s", geo.SRIDName(src.SRID), src.SRIDFrom)
		}
		if src.Encoding != "" {
			fmt.Fprintf(w, ", text %s from %s", src.Encoding, src.EncodingFrom)
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	var mapped []string
	for _, k := range slices.Sorted(maps.Keys(src.FieldMap)) {
		mapped = append(mapped, k+"←"+src.FieldMap[k])
	}
	for _, l := range []struct {
		label string
		names []string
	}{{"fields", mapped}, {"derived from the outline", src.Derived}, {"ignored fields", src.Ignored}, {"kept as attributes", src.Kept}} {
		if len(l.names) > 0 {
			fmt.Fprintf(w, "%s: %s\n", l.label, strings.Join(l.names, ", "))
		}
	}
	c := r.Counts
	fmt.Fprintf(w, "features: %d read, %d checked by the database; %s\n", c.Features, c.Staged, r.summary().In(lang))
	for _, u := range r.UnknownCodes {
		fmt.Fprintf(w, "unknown %s code %q (%s): %d features\n", u.Field, u.Value, u.Scheme, u.Features)
	}
	for _, is := range r.Issues {
		fmt.Fprintf(w, "  %-8s %-18s", is.Severity, is.Kind)
		if is.Feature > 0 {
			fmt.Fprintf(w, " feature %d", is.Feature)
		}
		if is.Code != "" {
			fmt.Fprintf(w, " [%s]", is.Code)
		}
		fmt.Fprintf(w, ": %s", is.MessageIn(lang))
		if len(is.Location) == 2 {
			fmt.Fprintf(w, " at (%.7f, %.7f)", is.Location[0], is.Location[1])
		}
		fmt.Fprintln(w)
	}
	if r.IssuesOmitted > 0 {
		fmt.Fprintf(w, "  ... and %d more issues (counted above, not listed)\n", r.IssuesOmitted)
	}
	fmt.Fprintln(w, r.messageIn(lang))
}

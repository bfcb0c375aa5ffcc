package importer

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/paulmach/orb"
	"golang.org/x/text/encoding"
)

// Converter turns raw features into rows. It is immutable and shared by
// the workers of a pipeline; each worker has its own textDecoder.
type Converter struct {
	layer       imports.Layer
	fields      []Field
	m           *Mapping
	crs         crs
	repair      bool
	fallback    encoding.Encoding
	bySource    map[string]int
	byName      map[string]int // field name -> index: imports.FieldIndex searched the list for every value asked
	keyIdx      int
	luIdx       int
	maxVertices int
	enums       []map[string]string // per field: the spellings of choice values
	known       map[string]bool     // the source fields the mapping was made from
}

// newConverter prepares a converter for a mapping and a CRS.
func newConverter(m *Mapping, c crs, repair bool, fallback encoding.Encoding, maxVertices int) *Converter {
	conv := &Converter{layer: m.Layer, fields: imports.Fields(m.Layer), m: m, crs: c, repair: repair, fallback: fallback,
		bySource: map[string]int{}, byName: map[string]int{}, keyIdx: -1, luIdx: imports.FieldIndex(m.Layer, "land_use"), maxVertices: maxVertices,
		known: map[string]bool{}}
	for _, f := range m.Ignored {
		conv.known[f] = true
	}
	for _, f := range m.Kept {
		conv.known[f] = true
	}
	conv.enums = make([]map[string]string, len(conv.fields))
	for i, f := range conv.fields {
		conv.byName[f.Name] = i
		if f.Kind == Enum {
			conv.enums[i] = enumLookup(&conv.fields[i], m.Values[i])
		}
		if m.Source[i] != "" {
			conv.bySource[m.Source[i]] = i
		}
		if f.Key {
			conv.keyIdx = i
		}
	}
	return conv
}

// index is imports.FieldIndex(c.layer, name), without the search.
func (c *Converter) index(name string) int {
	if i, ok := c.byName[name]; ok {
		return i
	}
	return -1
}

type converterWorker struct {
	c    *Converter
	text textDecoder
	late map[string]bool // source fields not among those read ahead
}

func (c *Converter) worker() *converterWorker {
	return &converterWorker{c: c, text: textDecoder{fallback: c.fallback}, late: map[string]bool{}}
}

// convert reads one feature. The row is nil when the feature is not a
// Feature at all, and its Geom nil when the outline cannot be used; issues
// say what is wrong either way.
func (w *converterWorker) convert(f RawFeature) (*Row, []imports.Issue) {
	c := w.c
	row := &Row{Feature: f.Index, Values: make([]any, len(c.fields))}
	var issues []imports.Issue
	add := func(is imports.Issue) {
		is.Feature = f.Index
		if is.Severity == imports.SevError {
			row.Bad = true
		}
		issues = append(issues, is)
	}
	var typ string
	var geomRaw, propsRaw []byte
	err := eachMember(f.Data, func(key []byte, escaped bool, val []byte) error {
		switch keyText(key, escaped) {
		case "type":
			if v, err := w.text.value(val); err == nil && v.kind == 's' {
				typ = v.str
			}
		case "geometry":
			geomRaw = val
		case "properties":
			propsRaw = val
		}
		return nil
	})
	if err != nil {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue}.Say(planning.Textf("the feature is not a JSON object")))
		return nil, issues
	}
	if typ != "Feature" {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "type", Value: typ}.Say(planning.Textf("expected a GeoJSON Feature, got type %q", typ)))
		return nil, issues
	}
	raw := w.properties(row, propsRaw, add) // source values as text, for messages
	if c.keyIdx >= 0 {
		if k, ok := row.Values[c.keyIdx].(string); ok {
			row.Key = k
		} else if k, ok := row.Values[c.keyIdx].(int64); ok {
			row.Key = strconv.FormatInt(k, 10)
		}
	}
	if c.luIdx >= 0 {
		w.landUse(row, add)
	}
	w.currentUse(row, add)
	w.fillAndRequire(row, raw, add)
	w.crossChecks(row, add)
	for k := range issues {
		issues[k].Code = row.Key
	}
	g, gi := w.geometry(geomRaw)
	for _, is := range gi {
		is.Code = row.Key
		add(is)
	}
	row.Geom = g // nil when unusable: the row is still staged, for the checks of its key
	return row, issues
}

// properties reads a feature's properties into row: the fields the map
// reads, converted, and (for layers that keep them) every other property
// as an attribute. It returns the source values as text, for messages.
func (w *converterWorker) properties(row *Row, propsRaw []byte, add func(imports.Issue)) []string {
	raw := make([]string, len(w.c.fields))
	if i := skipSpace(propsRaw, 0); propsRaw != nil && i < len(propsRaw) && propsRaw[i] == '{' {
		err := eachMember(propsRaw, func(key []byte, escaped bool, val []byte) error {
			w.property(row, raw, key, escaped, val, add)
			return nil
		})
		if err != nil {
			add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "properties"}.Say(planning.Textf("the properties are not a valid JSON object")))
		}
	} else if propsRaw != nil && !hasPrefixAt(propsRaw, i, "null") {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "properties"}.Say(planning.Textf("the properties must be a JSON object")))
	}
	return raw
}

// property reads one property (key, its JSON value val) into row: a field
// the map reads converted, with its source text in raw; any other kept as
// an attribute where the layer keeps them.
func (w *converterWorker) property(row *Row, raw []string, key []byte, escaped bool, val []byte, add func(imports.Issue)) {
	c := w.c
	idx, ok := c.bySource[string(key)]
	if !ok && escaped {
		idx, ok = c.bySource[keyText(key, true)]
	}
	if !ok {
		name := keyText(key, escaped)
		if len(w.late) < 100 && !c.known[string(key)] {
			w.late[name] = true
		}
		if keepsAttributes(c.layer) {
			w.keep(row, name, val, add)
		}
		return
	}
	fd := &c.fields[idx]
	badValue := func(value string, err error) {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: fd.Name, Value: clip(value)}.
			Say(planning.Textf("%s (%s): %v", fd.Name, c.m.Source[idx], err)))
	}
	v, err := w.text.value(val)
	if err != nil {
		badValue(string(val), err)
		return
	}
	raw[idx] = valueText(v)
	if fd.Kind == LandUse {
		row.Values[idx] = v // crosswalked below, once the key is known
		return
	}
	out, err := convertValue(fd, v, c.enums[idx])
	if err != nil {
		badValue(raw[idx], err)
		return
	}
	row.Values[idx] = out
}

// fillAndRequire gives empty fields their default (the field map's, then
// the field's own) and reports required ones that stay empty.
func (w *converterWorker) fillAndRequire(row *Row, raw []string, add func(imports.Issue)) {
	c := w.c
	for i := range c.fields {
		fd := &c.fields[i]
		if row.Values[i] == nil && c.m.Defaults[i] != nil && raw[i] == "" {
			row.Values[i] = c.m.Defaults[i]
		}
		if row.Values[i] == nil && fd.Default != nil && raw[i] == "" {
			row.Values[i] = fd.Default
		}
		if row.Values[i] == nil && fd.Required && !fd.Derived && raw[i] == "" {
			is := imports.Issue{Severity: imports.SevError, Kind: imports.KindMissingValue, Field: fd.Name, Code: row.Key}
			if src := c.m.Source[i]; src != "" {
				add(is.Say(planning.Textf("%s (%s) is empty", fd.Name, src)))
			} else {
				add(is.Say(planning.Textf("%s (no source field) is empty", fd.Name)))
			}
		}
	}
}

// keep records one property no field reads among the row's attributes;
// landquota's own attributes object (a re-imported export) is merged in.
func (w *converterWorker) keep(row *Row, name string, val []byte, add func(imports.Issue)) {
	lower := strings.ToLower(strings.TrimSpace(name))
	if derivedNames[lower] {
		return
	}
	v, err := w.text.value(val)
	if err != nil {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: name, Value: clip(string(val))}.Say(planning.Textf("%s: %v", name, err)))
		return
	}
	if row.Attributes == nil {
		row.Attributes = map[string]any{}
	}
	switch v.kind {
	case 's':
		row.Attributes[name] = v.str
	case 'n':
		row.Attributes[name] = json.Number(v.text)
	case 'b':
		row.Attributes[name] = v.b
	case 'o':
		if lower == AttributesField {
			eachMember(val, func(key []byte, escaped bool, inner []byte) error {
				w.keep(row, keyText(key, escaped), inner, add)
				return nil
			})
			return
		}
		fallthrough
	case 'a':
		if utf8.Valid(val) && json.Valid(val) {
			row.Attributes[name] = json.RawMessage(val)
		}
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func valueText(v jsonValue) string {
	switch v.kind {
	case 's':
		return v.str
	case 'n':
		return v.text
	case 'b':
		return strconv.FormatBool(v.b)
	}
	return ""
}

// landUse crosswalks the land-use value to a 2023 class code.
func (w *converterWorker) landUse(row *Row, add func(imports.Issue)) {
	c := w.c
	i := c.luIdx
	v, ok := row.Values[i].(jsonValue)
	row.Values[i] = nil
	if !ok {
		return
	}
	code, err := textOf(v)
	if err != nil {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "land_use"}.Say(planning.Textf("land_use (%s): %v", c.m.Source[i], err)))
		return
	}
	// A DBF numeric field drops leading zeros: 601 was 0601.
	if v.kind == 'n' && len(code)%2 == 1 && len(code) <= 5 {
		code = "0" + code
	}
	if normalizeCode(code) == "" {
		return
	}
	// 混合用地: the main and the compatible class, as Hangzhou writes B1/R2.
	if main, compatible, mixed := strings.Cut(code, "/"); mixed {
		ci := c.index("compatible_use")
		if ci < 0 || row.Values[ci] != nil {
			add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "land_use", Value: clip(code)}.
				Say(planning.Textf("land use %q is mixed, and the compatible use is also given in its own field: give it once", code)))
			return
		}
		if w.landUseCode(row, main, i, add) {
			w.landUseCode(row, compatible, ci, add)
		}
		return
	}
	w.landUseCode(row, code, i, add)
}

// currentUse crosswalks the current use (现状地类): a field named like
// DLBM holds 三调 codes; otherwise letters mean GB 50137 and digits 2023.
func (w *converterWorker) currentUse(row *Row, add func(imports.Issue)) {
	c := w.c
	i := c.index("current_use")
	if i < 0 {
		return
	}
	code, ok := row.Values[i].(string)
	row.Values[i] = nil
	if !ok || normalizeCode(code) == "" {
		return
	}
	scheme := SchemeAuto
	if surveyField(c.m.Source[i]) {
		scheme = SchemeGBT21010
		if len(code)%2 == 1 && len(code) <= 5 && strings.Trim(code, "0123456789") == "" {
			code = "0" + code // a numeric DBF field dropped the leading zero: 101 was 0101
		}
	}
	w.landUseCodeIn(row, code, i, scheme, add)
}

// landUseCode crosswalks one code into field i; false when it could not.
func (w *converterWorker) landUseCode(row *Row, code string, i int, add func(imports.Issue)) bool {
	return w.landUseCodeIn(row, code, i, w.c.m.Scheme, add)
}

// landUseCodeIn crosswalks one code written in scheme into field i.
func (w *converterWorker) landUseCodeIn(row *Row, code string, i int, scheme Scheme, add func(imports.Issue)) bool {
	c := w.c
	field := c.fields[i].Name
	if scheme == SchemeAuto {
		scheme = autoScheme(SchemeAuto, code)
	}
	to, ok := Crosswalk(scheme, code, c.m.Crosswalk)
	if !ok {
		m := planning.Textf("land-use code %q (%s) has no class in the 2023 classification in the crosswalk: add it to the field map, e.g. \"crosswalk\": {%q: \"<2023 code>\"}",
			code, scheme.Title(), normalizeCode(code))
		if scheme == Scheme2023 {
			m = planning.Textf("%q is not a 2023 land-use class code (2, 4 or 6 digits); if the file uses an older code list, say which with --land-use-scheme gbt21010 or gb50137", code)
		}
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindUnknownCode, Field: field, Value: normalizeCode(code), Scheme: string(scheme)}.Say(m))
		return false
	}
	row.Values[i] = to
	if to != normalizeCode(code) || scheme != Scheme2023 {
		if i == c.luIdx {
			row.SourceLandUse = code
		}
		// A second-level code that lands on a first-level class says less
		// than the file did: say so, and how to name the class.
		if n := normalizeCode(code); len(to) == 2 && len(n) >= 4 {
			add(imports.Issue{Severity: imports.SevWarning, Kind: imports.KindCoarseCode, Field: field, Value: n, Scheme: string(scheme)}.
				Say(planning.Textf("land-use code %s (%s) maps only to the first-level class %s; to name the class, add it to the field map, e.g. \"crosswalk\": {%q: \"%s01\"}",
					n, scheme.Title(), to, n, to)))
		}
	}
	return true
}

// crossChecks applies the rules that tie two fields together (the
// database's CHECK constraints), so that they are reported, not raised.
func (w *converterWorker) crossChecks(row *Row, add func(imports.Issue)) {
	l := w.c.layer
	get := func(name string) any {
		if i, ok := w.c.byName[name]; ok {
			return row.Values[i]
		}
		return nil
	}
	before := func(a, b string) {
		x, ok1 := get(a).(time.Time)
		y, ok2 := get(b).(time.Time)
		if ok1 && ok2 && y.Before(x) {
			add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: b, Value: y.Format("2006-01-02")}.
				Say(planning.Textf("%s %s is before %s %s", b, y.Format("2006-01-02"), a, x.Format("2006-01-02"))))
		}
	}
	if l != imports.Parcels {
		return
	}
	before("approved_on", "supplied_on")
	before("supplied_on", "handed_over_on")
	before("actual_start_on", "completed_on")
	before("actual_start_on", "halted_since")
	bot, ok1 := get("elevation_bottom").(float64)
	top, ok2 := get("elevation_top").(float64)
	if ok1 && ok2 && top <= bot {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "elevation_top", Value: strconv.FormatFloat(top, 'f', -1, 64)}.
			Say(planning.Textf("elevation_top %g is not above elevation_bottom %g", top, bot)))
	}
	w.mixedUse(row, get, add)
	x, _ := get("line_exception").(string)
	doc, _ := get("line_exception_document").(string)
	if (x == "") != (doc == "") {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: "line_exception_document"}.
			Say(planning.Textf("a protected-line exception (单独选址, 国家重大项目) needs its approving document (文号), and a document its exception")))
	}
}

// mixedUse checks a mixed use (混合用地): a compatible class needs its share
// (or the main one's), two shares must add up to 1, and shares need a
// compatible class. The compatible share is what is stored.
func (w *converterWorker) mixedUse(row *Row, get func(string) any, add func(imports.Issue)) {
	cu, _ := get("compatible_use").(string)
	cs, hasCS := get("compatible_share").(float64)
	ms, hasMS := get("main_share").(float64)
	bad := func(field, format string, args ...any) {
		add(imports.Issue{Severity: imports.SevError, Kind: imports.KindBadValue, Field: field}.Say(planning.Textf(format, args...)))
	}
	switch {
	case cu == "" && (hasCS || hasMS):
		bad("compatible_use", "a share is given but no compatible use: write the land use as main/compatible (0901/0701, B1/R2) or fill compatible_use")
	case cu == "":
	case cu == get("land_use"):
		bad("compatible_use", "the compatible use %s is the main use", cu)
	case !hasCS && !hasMS:
		bad("compatible_share", "the mixed use %v/%s needs the share of the compatible use (兼容用途比例) or of the main use", get("land_use"), cu)
	case hasCS && hasMS && math.Abs(cs+ms-1) > 1e-6:
		bad("main_share", "main_share %g and compatible_share %g add up to %g, not 1", ms, cs, cs+ms)
	default:
		if !hasCS {
			cs = 1 - ms
			row.Values[w.c.index("compatible_share")] = cs
		}
		if cs <= 0 || cs >= 1 {
			bad("compatible_share", "the compatible use's share %g must lie strictly between 0 and 1", cs)
		}
	}
}

// geometry reads, repairs (with --repair), checks and transforms an outline.
func (w *converterWorker) geometry(raw []byte) (orb.MultiPolygon, []imports.Issue) {
	c := w.c
	refuse := func(kind string, e *geomError) []imports.Issue {
		is := imports.Issue{Severity: imports.SevError, Kind: kind}.Say(e.text)
		if e.at != nil {
			// Coordinate problems are found after --swap-axes, the others before.
			is.Location = c.location(*e.at, kind == imports.KindCoordinates)
		}
		return []imports.Issue{is}
	}
	mp, err := parseGeometry(raw, c.maxVertices)
	if err != nil {
		ge, ok := err.(*geomError)
		if !ok {
			ge = &geomError{text: planning.Textf("%v", err)}
		}
		return nil, refuse(imports.KindInvalidGeometry, ge)
	}
	repairs, ge := checkRings(mp, c.repair)
	if ge != nil {
		return nil, refuse(imports.KindInvalidGeometry, ge)
	}
	var issues []imports.Issue
	for _, r := range repairs {
		issues = append(issues, imports.Issue{Severity: imports.SevRepair, Kind: imports.KindRepaired}.Say(r))
	}
	if ge := c.crs.prepare(mp); ge != nil {
		return nil, append(issues, refuse(imports.KindCoordinates, ge)...)
	}
	if err := geo.ValidatePolygonal(mp, 0); err != nil {
		return nil, append(issues, imports.Issue{Severity: imports.SevError, Kind: imports.KindCoordinates}.Say(planning.Textf("%v", err)))
	}
	orient(mp)
	return mp, issues
}

// location gives a point of the file as [lon, lat] when it can be
// transformed to a place in China, else as the file wrote it.
func (c *Converter) location(p orb.Point, swapped bool) []float64 {
	q := p
	if c.crs.swap && !swapped {
		q[0], q[1] = q[1], q[0]
	}
	if t := c.crs.toStore(); t != nil && c.crs.checkPoint(q) == nil {
		q = t(q)
	}
	return []float64{q[0], q[1]}
}

// orient winds outer rings counter-clockwise and holes clockwise (the right-
// hand rule of RFC 7946), whatever the file did: Shapefiles wind the other
// way, and one convention makes a re-imported export identical to its source.
func orient(mp orb.MultiPolygon) {
	for _, pg := range mp {
		for i, r := range pg {
			want := orb.CCW
			if i > 0 {
				want = orb.CW
			}
			if o := r.Orientation(); o != 0 && o != want {
				r.Reverse()
			}
		}
	}
}

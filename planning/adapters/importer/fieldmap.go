package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// FieldMap tells the importer how a file's attributes become a layer's
// fields. Everything is optional: without it, source fields are matched
// by name (case-insensitive) against each field's usual names (DKBH, DLBM,
// 容积率 ...). As JSON:
//
//	{
//	  "layer": "parcels",
//	  "fields": {"code": "DKBH", "land_use": "DLBM", "park": ""},
//	  "defaults": {"status": "approved"},
//	  "land_use_scheme": "gbt21010",
//	  "crosswalk": {"0906": "1504"},
//	  "values": {"status": {"已挂牌": "reserve"}}
//	}
//
// fields maps a field to the source field that holds it ("" leaves the
// field unread even if a source field has its usual name); defaults give
// the value for features whose source value is empty (and for fields the
// file lacks); land_use_scheme names the code list of the land-use codes
// (auto, 2023, gbt21010, gb50137); crosswalk adds source codes to, or
// overrides, the built-in crosswalk to the 2023 classes; values adds
// spellings of a choice field's values.
type FieldMap struct {
	Layer         imports.Layer                `json:"layer,omitempty"`
	Fields        map[string]string            `json:"fields,omitempty"`
	Defaults      map[string]json.RawMessage   `json:"defaults,omitempty"`
	LandUseScheme Scheme                       `json:"land_use_scheme,omitempty"`
	Crosswalk     map[string]string            `json:"crosswalk,omitempty"`
	Values        map[string]map[string]string `json:"values,omitempty"`
}

// MaxFieldMapBytes bounds a field map file.
const MaxFieldMapBytes = 1 << 20

func fieldMapError(format string, args ...any) *planning.Error {
	return planning.Errorf(planning.ErrInvalid, "field map: %s", planning.Textf(format, args...)).WithDetail("field", "field_map")
}

// ParseFieldMap reads a field map for layer from JSON. Unknown members,
// wrong types, unknown field names and impossible values are refused.
func ParseFieldMap(layer imports.Layer, data []byte) (*FieldMap, error) {
	var m FieldMap
	if err := planning.DecodeJSON(bytes.NewReader(data), MaxFieldMapBytes, planning.Textf("the field map"), &m); err != nil {
		return nil, asFieldMapError(err)
	}
	if err := m.Validate(layer); err != nil {
		return nil, err
	}
	return &m, nil
}

// asFieldMapError points a decoding error at the field map as a whole
// (the form field or file it came in), keeping the JSON path in the message.
func asFieldMapError(err error) error {
	var pe *planning.Error
	if !errors.As(err, &pe) {
		return err
	}
	if _, inside := pe.Details["field"]; inside {
		pe.Message = "field map: " + pe.Message
	}
	return pe.WithDetail("field", "field_map")
}

// Set adds one "field=source" assignment (the --field flag).
func (m *FieldMap) Set(assignment string) error {
	return assign(&m.Fields, "--field", assignment, same)
}

// SetDefault adds one "field=value" default (the --default flag).
func (m *FieldMap) SetDefault(assignment string) error {
	return assign(&m.Defaults, "--default", assignment, func(v string) json.RawMessage {
		j, _ := json.Marshal(v) // a string always marshals
		return j
	})
}

// SetCrosswalk adds one "source=2023code" crosswalk entry (the --crosswalk flag).
func (m *FieldMap) SetCrosswalk(assignment string) error {
	return assign(&m.Crosswalk, "--crosswalk", assignment, same)
}

// assign adds the "name=value" assignment given with flag to *into (made
// when it is nil), the value as as makes it.
func assign[V any](into *map[string]V, flag, assignment string, as func(string) V) error {
	k, v, err := splitAssignment(flag, assignment)
	if err != nil {
		return err
	}
	if *into == nil {
		*into = map[string]V{}
	}
	(*into)[k] = as(v)
	return nil
}

func same(s string) string { return s }

func splitAssignment(flag, s string) (string, string, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return "", "", planning.Errorf(planning.ErrInvalid, "%s %q: write it as name=value", flag, s).WithDetail("field", strings.TrimPrefix(flag, "--"))
	}
	return k, strings.TrimSpace(v), nil
}

// FieldOptions are what an import's options add to its field map, over
// what a field map document said: FIELD=SOURCE (--field), FIELD=VALUE
// (--default), CODE=CLASS (--crosswalk) and the land-use code list; an
// upload's query gives them under the same names.
type FieldOptions struct {
	Fields, Defaults, Crosswalk []string
	Scheme                      string
}

// Apply sets o in m, in the order above, and checks the map for layer.
func (m *FieldMap) Apply(layer imports.Layer, o FieldOptions) error {
	for _, opt := range []struct {
		assignments []string
		set         func(string) error
	}{{o.Fields, m.Set}, {o.Defaults, m.SetDefault}, {o.Crosswalk, m.SetCrosswalk}} {
		for _, a := range opt.assignments {
			if err := opt.set(a); err != nil {
				return err
			}
		}
	}
	if o.Scheme != "" {
		s, err := ParseScheme(o.Scheme)
		if err != nil {
			return err
		}
		m.LandUseScheme = s
	}
	return m.Validate(layer)
}

// Validate checks the map against layer's fields, one part of it at a
// time in the order of the document.
func (m *FieldMap) Validate(layer imports.Layer) error {
	if m.Layer != "" && m.Layer != layer {
		return fieldMapError("written for layer %q, not %s", m.Layer, layer)
	}
	for _, check := range []func() error{
		func() error { return eachField(layer, m.Fields, func(*Field, string, string) error { return nil }) },
		func() error { return eachField(layer, m.Defaults, checkDefault) },
		m.checkScheme,
		func() error { return m.checkCrosswalk(layer) },
		func() error { return eachField(layer, m.Values, checkSpellings) },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// eachField calls check with each key of part (fields, defaults, values)
// as the field of layer it names; a key that names none is refused with
// the layer's fields.
func eachField[V any](layer imports.Layer, part map[string]V, check func(f *Field, k string, v V) error) error {
	for k, v := range part {
		i := imports.FieldIndex(layer, k)
		if i < 0 {
			return fieldMapError("layer %s has no field %q (it has %s)", layer, k, imports.FieldNames(layer))
		}
		if err := check(&imports.Fields(layer)[i], k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkDefault: a default is a value its field takes (a land-use default a
// 2023 class code).
func checkDefault(f *Field, k string, raw json.RawMessage) error {
	var d textDecoder
	v, err := d.value(raw)
	if err != nil {
		return fieldMapError("defaults.%s: not a JSON value", k)
	}
	if f.Kind == LandUse {
		if v.kind != 's' || !planning.LandUseCodePattern.MatchString(normalizeCode(v.str)) {
			return fieldMapError("defaults.%s: give a 2023 class code as a text, e.g. \"100101\"", k)
		}
		return nil
	}
	if _, err := convertValue(f, v, nil); err != nil {
		return fieldMapError("defaults.%s: %s", k, err)
	}
	return nil
}

// checkSpellings: value spellings are for choice fields, each spelling one
// of the field's values.
func checkSpellings(f *Field, k string, vals map[string]string) error {
	if f.Kind != Enum {
		return fieldMapError("values.%s: only choice fields take value spellings", k)
	}
	for from, to := range vals {
		if strings.TrimSpace(from) == "" {
			return fieldMapError("values.%s: an empty spelling", k)
		}
		if !slices.ContainsFunc(f.Enum, func(e imports.EnumValue) bool { return e.Value == to }) {
			return fieldMapError("values.%s: %q → %q: the value must be one of %s", k, from, to, f.EnumValues())
		}
	}
	return nil
}

// checkScheme: the land-use code list is a known one (kept in its own
// spelling).
func (m *FieldMap) checkScheme() error {
	if m.LandUseScheme == "" {
		return nil
	}
	s, err := ParseScheme(string(m.LandUseScheme))
	if err != nil {
		return err
	}
	m.LandUseScheme = s
	return nil
}

// checkCrosswalk: a crosswalk is for a layer with land-use codes, from a
// source code to a 2023 class code.
func (m *FieldMap) checkCrosswalk(layer imports.Layer) error {
	if len(m.Crosswalk) > 0 && imports.FieldIndex(layer, "land_use") < 0 {
		return fieldMapError("crosswalk: layer %s has no land-use codes", layer)
	}
	for k, v := range m.Crosswalk {
		if normalizeCode(k) == "" {
			return fieldMapError("crosswalk: an empty source code")
		}
		if !planning.LandUseCodePattern.MatchString(v) {
			return fieldMapError("crosswalk: %q → %q: the target must be a 2023 class code (2, 4 or 6 digits)", k, v)
		}
	}
	return nil
}

// Mapping is a field map resolved against a file's source fields: which
// fields are read (imports.Mapping, what the store needs) and how values
// are translated.
type Mapping struct {
	imports.Mapping
	Scheme    Scheme // of the land-use field: gbt21010 for DLBM, else as the map says or auto
	Crosswalk map[string]string
	Values    []map[string]string // per field: extra spellings (normalised) of choice values
	Ignored   []string            // source fields nobody reads
	Kept      []string            // source fields kept as the feature's other attributes (parcels)
}

// Resolve matches the map (nil for none) to a file with the given source
// fields. sourceFields nil means unknown (an empty file): explicit names
// are then taken as they are.
func (m *FieldMap) Resolve(layer imports.Layer, sourceFields []string) (*Mapping, error) {
	return m.resolve(layer, sourceFields, true)
}

// resolve is Resolve; with complete false the field list is a sample (the
// first features of a GeoJSON), and an explicit source field missing from
// it is taken on trust. Each step below reads one part of the map.
func (m *FieldMap) resolve(layer imports.Layer, sourceFields []string, complete bool) (*Mapping, error) {
	if m == nil {
		m = &FieldMap{}
	}
	if err := m.Validate(layer); err != nil {
		return nil, err
	}
	fields := imports.Fields(layer)
	mp := &Mapping{Mapping: imports.Mapping{Layer: layer, Source: make([]string, len(fields)), Defaults: make([]any, len(fields))},
		Values: make([]map[string]string, len(fields)), Crosswalk: map[string]string{}}
	claimed := map[string]bool{}
	if err := m.nameSources(mp, fields, sourceFields, complete, claimed); err != nil {
		return nil, err
	}
	m.matchAliases(mp, fields, sourceFields, claimed)
	m.setDefaults(mp, fields)
	if err := mp.requireFields(fields, sourceFields); err != nil {
		return nil, err
	}
	m.setCodes(mp, layer)
	mp.sortUnclaimed(sourceFields, claimed)
	return mp, nil
}

// nameSources takes the source fields the map names (an empty name leaves
// the field unread), matched exactly or else case-insensitively.
func (m *FieldMap) nameSources(mp *Mapping, fields []Field, sourceFields []string, complete bool, claimed map[string]bool) error {
	for i, f := range fields {
		src, ok := m.Fields[f.Name]
		if !ok || src == "" {
			continue
		}
		if sourceFields != nil {
			hit, found := findField(sourceFields, src)
			if !found && !complete {
				hit, found = src, true
			}
			if !found {
				return fieldMapError("%s ← %q, but the file has no field %q (its fields: %s)", f.Name, src, src, strings.Join(sourceFields, ", "))
			}
			src = hit
		}
		mp.Source[i] = src
		claimed[src] = true
	}
	return nil
}

// findField is the source field called name: the exact one, else the only
// one equal but for case and spaces.
func findField(sourceFields []string, name string) (string, bool) {
	for _, s := range sourceFields {
		if s == name {
			return s, true
		}
	}
	var hit string
	n := 0
	for _, s := range sourceFields {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(name)) {
			hit, n = s, n+1
		}
	}
	return hit, n == 1
}

// matchAliases gives each field the map does not name the first unclaimed
// source field that has one of its usual names.
func (m *FieldMap) matchAliases(mp *Mapping, fields []Field, sourceFields []string, claimed map[string]bool) {
	for i, f := range fields {
		if _, explicit := m.Fields[f.Name]; explicit {
			continue
		}
	aliases:
		for _, alias := range f.Aliases {
			for _, s := range sourceFields {
				if !claimed[s] && strings.EqualFold(strings.TrimSpace(s), alias) {
					mp.Source[i] = s
					claimed[s] = true
					break aliases
				}
			}
		}
	}
}

// setDefaults reads the map's default values as the fields' kinds.
func (m *FieldMap) setDefaults(mp *Mapping, fields []Field) {
	var d textDecoder
	for i, f := range fields {
		raw, ok := m.Defaults[f.Name]
		if !ok {
			continue
		}
		v, _ := d.value(raw)
		if f.Kind == LandUse {
			mp.Defaults[i] = normalizeCode(v.str)
			continue
		}
		mp.Defaults[i], _ = convertValue(&fields[i], v, nil)
	}
}

// requireFields refuses a mapping that leaves a required field without a
// source or a default (a key needs a source).
func (mp *Mapping) requireFields(fields []Field, sourceFields []string) error {
	var missing []string
	for i, f := range fields {
		if f.Required && !f.Key && !f.Derived && !mp.Mapped(i) {
			missing = append(missing, f.Name)
		}
		if f.Key && f.Required && mp.Source[i] == "" {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	have := "the file has no attribute fields"
	if len(sourceFields) > 0 {
		have = "its fields are " + strings.Join(sourceFields, ", ")
	}
	return fieldMapError("no source field for %s (%s): name one with --field %s=NAME or in the field map's \"fields\", or give a value for all features with --default %s=VALUE",
		strings.Join(missing, ", "), have, missing[0], missing[0]).WithDetail("missing", missing)
}

// setCodes takes the land-use code list (三调 DLBM means gbt21010 when the
// map says auto), the crosswalk and the extra spellings of choice values.
func (m *FieldMap) setCodes(mp *Mapping, layer imports.Layer) {
	if i := imports.FieldIndex(layer, "land_use"); i >= 0 {
		mp.Scheme = m.LandUseScheme
		if mp.Scheme == "" || mp.Scheme == SchemeAuto {
			mp.Scheme = SchemeAuto
			if surveyField(mp.Source[i]) {
				mp.Scheme = SchemeGBT21010
			}
		}
	}
	for k, v := range m.Crosswalk {
		mp.Crosswalk[normalizeCode(k)] = v
	}
	for k, vals := range m.Values {
		i := imports.FieldIndex(layer, k)
		mp.Values[i] = map[string]string{}
		for from, to := range vals {
			mp.Values[i][normKey(from)] = to
		}
	}
}

// sortUnclaimed files the source fields no field took: kept as the other
// attributes of a layer that keeps them, else ignored.
func (mp *Mapping) sortUnclaimed(sourceFields []string, claimed map[string]bool) {
	for _, s := range sourceFields {
		switch {
		case claimed[s]:
		case keepsAttributes(mp.Layer) && !derivedNames[strings.ToLower(strings.TrimSpace(s))]:
			mp.Kept = append(mp.Kept, s)
		default:
			mp.Ignored = append(mp.Ignored, s)
		}
	}
	sort.Strings(mp.Ignored)
	sort.Strings(mp.Kept)
}

// normKey folds a choice value for lookup: trimmed, ASCII lower-case,
// inner spaces and underscores as one.
func normKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "_", " ")
	return strings.Join(strings.Fields(s), " ")
}

// Describe lists the resolved map as target → source (for the report).
func (m *Mapping) Describe() (fieldMap map[string]string, derived []string) {
	fieldMap = map[string]string{}
	for i, f := range imports.Fields(m.Layer) {
		switch {
		case m.Source[i] != "":
			fieldMap[f.Name] = m.Source[i]
		case m.Defaults[i] != nil:
			fieldMap[f.Name] = "(default " + strconv.Quote(fmt.Sprint(m.Defaults[i])) + ")"
		case f.Derived:
			derived = append(derived, f.Name)
		}
	}
	return fieldMap, derived
}

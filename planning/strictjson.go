package planning

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
)

// DecodeJSON is the one strict JSON decoder: request bodies, allocation
// policies, field maps, cursors and basemap specs all come through it. It
// reads one JSON object of at most limit bytes (no bound when limit <= 0)
// from r into the struct v points to; v keeps the values a member leaves
// out. Unknown members (names match exactly, case included), wrong JSON
// types and trailing data are refused. More than limit bytes is a
// too_large *Error (HTTP 413) with the limit in its "limit" detail; every
// other error is an invalid *Error whose message starts from subject ("the request body") or names the
// member by its JSON path (factors[1].wieght), which also goes into the
// "field" detail. A member whose type reads its own JSON (Area, a nested
// request object) is judged by that type, its message prefixed by the path.
func DecodeJSON(r io.Reader, limit int64, subject Text, v any) error {
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(src)
	if err != nil {
		return Errorf(ErrInvalid, "%s could not be read: %v", subject, err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return Errorf(ErrTooLarge, "%s is larger than %d bytes", subject, limit).WithDetail("limit", limit)
	}
	// First pass: a generic tree, checked against v's type so that unknown
	// members and wrong types are named with their whole path.
	gen := json.NewDecoder(bytes.NewReader(data))
	gen.UseNumber()
	var tree any
	if err := gen.Decode(&tree); err != nil {
		return jsonError(subject, err)
	}
	if _, err := gen.Token(); !errors.Is(err, io.EOF) {
		return Errorf(ErrInvalid, "%s holds more than one JSON value; send one object", subject)
	}
	if _, ok := tree.(map[string]any); !ok {
		return Errorf(ErrInvalid, "%s must be a JSON object, not %s", subject, jsonKindOf(tree))
	}
	if err := checkShape(tree, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	// Second pass: the decoder proper, now expected to succeed.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(subject, err)
	}
	return nil
}

// jsonError explains an error of encoding/json in a sentence.
func jsonError(subject Text, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return Errorf(ErrInvalid, "%s is empty; send a JSON object", subject)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(ErrInvalid, "%s ends in the middle of the JSON", subject)
	case errors.As(err, &syn):
		return Errorf(ErrInvalid, "%s is not valid JSON (at byte %d): %v", subject, syn.Offset, syn)
	case errors.As(err, &typ) && typ.Field != "":
		return Errorf(ErrInvalid, "field %s: expected %s, got a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value).WithDetail("field", typ.Field)
	}
	return Errorf(ErrInvalid, "%s is not valid: %v", subject, err)
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// checkShape walks a generic JSON value against a Go type and reports the
// first unknown member or wrong JSON type with its path. Object keys are
// visited in sorted order so the reported error is deterministic.
func checkShape(v any, t reflect.Type, path string) error {
	if v == nil {
		return nil // null leaves the value as it is
	}
	if pt := reflect.PointerTo(t); pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return checkSelfDecoding(v, t, path)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		return checkObject(v, t, path)
	case reflect.Map:
		return checkMap(v, t, path)
	case reflect.Slice, reflect.Array:
		return checkArray(v, t, path)
	case reflect.String, reflect.Bool:
		return checkScalar(v, t, path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return checkNumber(v, t, path)
	}
	return nil // interface{}: any JSON will do
}

// checkSelfDecoding lets a type that reads its own JSON (or text) judge
// the value; a wrong type it meets inside is named by its whole path.
func checkSelfDecoding(v any, t reflect.Type, path string) error {
	if u, ok := reflect.New(t).Interface().(json.Unmarshaler); ok {
		b, _ := json.Marshal(v)
		err := u.UnmarshalJSON(b)
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return fieldError(join(path, typ.Field), Textf("expected %s, got a JSON %s", jsonKind(typ.Type), typ.Value))
		case err != nil:
			return Errorf(ErrInvalid, "field %s: %v", path, err).WithDetail("field", path)
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return wrongKind(path, Textf("a string"), v)
	}
	if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return Errorf(ErrInvalid, "field %s: %v", path, err).WithDetail("field", path)
	}
	return nil
}

func checkMap(v any, t reflect.Type, path string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return wrongKind(path, Textf("an object"), v)
	}
	for _, k := range sortedKeys(obj) {
		if err := checkShape(obj[k], t.Elem(), join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

func checkArray(v any, t reflect.Type, path string) error {
	if t.Elem().Kind() == reflect.Uint8 {
		if _, ok := v.(string); !ok {
			return wrongKind(path, Textf("a string (base64)"), v)
		}
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		return wrongKind(path, Textf("an array"), v)
	}
	for i, e := range arr {
		if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkObject checks a JSON object against a struct: every member must
// name one of its fields.
func checkObject(v any, t reflect.Type, path string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return wrongKind(path, Textf("an object"), v)
	}
	fields := map[string]reflect.Type{}
	var names []string
	structFields(t, fields, &names)
	for _, k := range sortedKeys(obj) {
		ft, ok := fields[k]
		if !ok {
			sub := join(path, k)
			return Errorf(ErrInvalid, "unknown field %q; the fields are %s", sub, strings.Join(names, ", ")).WithDetail("field", sub)
		}
		if err := checkShape(obj[k], ft, join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

func checkScalar(v any, t reflect.Type, path string) error {
	switch v.(type) {
	case string:
		if t.Kind() == reflect.String {
			return nil
		}
	case bool:
		if t.Kind() == reflect.Bool {
			return nil
		}
	}
	return wrongKind(path, jsonKind(t), v)
}

func checkNumber(v any, t reflect.Type, path string) error {
	n, ok := v.(json.Number)
	if !ok {
		return wrongKind(path, jsonKind(t), v)
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if _, err := n.Float64(); err != nil {
			return fieldError(path, Textf("%s is not a valid number", n))
		}
	default:
		if _, err := n.Int64(); err != nil {
			return fieldError(path, Textf("expected an integer, got %s", n))
		}
	}
	return nil
}

// structFields maps the JSON names of a struct's exported fields (those of
// embedded structs included, as encoding/json promotes them) to their types.
func structFields(t reflect.Type, m map[string]reflect.Type, names *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structFields(ft, m, names)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := m[name]; !dup {
			*names = append(*names, name)
		}
		m[name] = f.Type
	}
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldError names the member at path; the problem is a Text, so both
// parts are translated.
func fieldError(path string, problem Text) *Error {
	return Errorf(ErrInvalid, "field %s: %s", path, problem).WithDetail("field", path)
}

func wrongKind(path string, want Text, got any) *Error {
	return fieldError(path, Textf("expected %s, got %s", want, jsonKindOf(got)))
}

// jsonKindOf names the kind of a generic JSON value.
func jsonKindOf(v any) Text {
	switch v.(type) {
	case map[string]any:
		return Textf("a JSON object")
	case []any:
		return Textf("a JSON array")
	case string:
		return Textf("a JSON string")
	case bool:
		return Textf("a JSON boolean")
	case json.Number:
		return Textf("a JSON number")
	}
	return Textf("null")
}

// jsonKind names a Go type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) Text {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return Textf("a string")
	case reflect.Bool:
		return Textf("true or false")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Textf("an integer")
	case reflect.Float32, reflect.Float64:
		return Textf("a number")
	case reflect.Slice, reflect.Array:
		return Textf("an array")
	}
	return Textf("an object")
}

package allocation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// DecodePolicy reads a policy from JSON and validates it. Unknown fields are
// refused (json.Decoder.DisallowUnknownFields), and every error is a
// *planning.Error with code invalid whose message and "field" detail name
// the JSON path ("factors[2].wieght: unknown field", "reserve_share: want a
// number, got string"). Trailing data after the object is refused.
func DecodePolicy(data []byte) (Policy, error) {
	// First pass: a generic tree, checked against the Policy type, so that
	// unknown fields and wrong types are reported with their full path.
	gen := json.NewDecoder(bytes.NewReader(data))
	gen.UseNumber()
	var tree any
	if err := gen.Decode(&tree); err != nil {
		return Policy{}, syntaxError(err)
	}
	if _, err := gen.Token(); !errors.Is(err, io.EOF) {
		return Policy{}, planning.Errorf(planning.ErrInvalid, "policy: unexpected data after the JSON object").WithDetail("field", "")
	}
	if tree == nil {
		return Policy{}, planning.Errorf(planning.ErrInvalid, "policy: want a JSON object, got null").WithDetail("field", "")
	}
	if err := checkShape(tree, reflect.TypeOf(Policy{}), ""); err != nil {
		return Policy{}, err
	}
	// Second pass: the strict decoder proper.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	// Fields a stored policy predates take their defaults: no earmark,
	// the default earmark categories, withholding below the floor.
	p := Policy{StockLinkage: StockLinkage{WithholdBelowFloor: true}}
	if err := dec.Decode(&p); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field = te.Field
		}
		return Policy{}, planning.Errorf(planning.ErrInvalid, "policy: %s", err.Error()).WithDetail("field", field)
	}
	if p.ParkEarmark.Categories == nil {
		p.ParkEarmark.Categories = DefaultEarmarkCategories()
	}
	p.Factors = inferRoles(p.Factors)
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// inferRoles gives every factor without a role the role of its kind
// (areas share, ratios coefficient). A policy in which no factor names a
// role was stored before roles existed, when every factor was a share and
// all the weights summed to 1. If they do, the share weights are rescaled
// to sum to 1 in their proportions, the ratios' weights become their
// exponents, and a policy with no area weight at all splits by
// project_need. (A valid new policy never sums to 1 with a ratio weight
// above 0, so for it the rescaling changes nothing.)
func inferRoles(fs []Factor) []Factor {
	legacy := len(fs) > 0
	for _, f := range fs {
		if f.Role != "" {
			legacy = false
		}
	}
	out := make([]Factor, len(fs))
	sum, all := 0.0, 0.0
	for i, f := range fs {
		all += f.Weight
		if f.Role == "" {
			f.Role = inferRole(f.Name)
		}
		if f.Role == RoleShare && finite(f.Weight) && f.Weight > 0 {
			sum += f.Weight
		}
		out[i] = f
	}
	if !legacy || !finite(all) || math.Abs(all-1) > 1e-9 {
		return out // Validate judges it as it stands
	}
	if sum == 0 {
		for i := range out {
			if out[i].Name == FactorProjectNeed {
				out[i].Weight = 1
				return out
			}
		}
		return append(out, Factor{Name: FactorProjectNeed, Role: RoleShare, Weight: 1})
	}
	for i := range out {
		if out[i].Role == RoleShare && finite(out[i].Weight) && out[i].Weight > 0 {
			out[i].Weight /= sum
		}
	}
	return out
}

func syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return planning.Errorf(planning.ErrInvalid, "policy: invalid JSON at byte %d: %s", se.Offset, se.Error()).WithDetail("field", "")
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return planning.Errorf(planning.ErrInvalid, "policy: empty or truncated JSON").WithDetail("field", "")
	}
	return planning.Errorf(planning.ErrInvalid, "policy: %s", err.Error()).WithDetail("field", "")
}

var areaType = reflect.TypeOf(Area(0))

// checkShape walks a generic JSON value against a Go type and reports the
// first unknown field or wrong JSON type with its path. Object keys are
// visited in sorted order so the reported error is deterministic.
func checkShape(v any, t reflect.Type, path string) error {
	if v == nil {
		return nil // null leaves the zero value; Validate judges it
	}
	if t == areaType {
		if _, ok := v.(json.Number); !ok {
			return shapeError(path, "a number of square metres", v)
		}
		if _, err := amount.Parse(string(v.(json.Number)), amount.M2); err != nil {
			return planning.Errorf(planning.ErrInvalid, "%s: not a valid area in square metres", display(path)).WithDetail("field", path)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return shapeError(path, "an object", v)
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				return planning.Errorf(planning.ErrInvalid, "%s: unknown field", sub).WithDetail("field", sub)
			}
			if err := checkShape(obj[k], ft, sub); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return shapeError(path, "an array", v)
		}
		for i, e := range arr {
			if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.String:
		if _, ok := v.(string); !ok {
			return shapeError(path, "a string", v)
		}
		return nil
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return shapeError(path, "true or false", v)
		}
		return nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return shapeError(path, "an integer", v)
		}
		if _, err := n.Int64(); err != nil {
			return planning.Errorf(planning.ErrInvalid, "%s: want an integer, got %s", display(path), n).WithDetail("field", path)
		}
		return nil
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return shapeError(path, "a number", v)
		}
		if _, err := n.Float64(); err != nil {
			return planning.Errorf(planning.ErrInvalid, "%s: not a valid number: %s", display(path), n).WithDetail("field", path)
		}
		return nil
	}
	return nil
}

func display(path string) string {
	if path == "" {
		return "policy"
	}
	return path
}

func shapeError(path, want string, got any) error {
	kind := "null"
	switch got.(type) {
	case map[string]any:
		kind = "an object"
	case []any:
		kind = "an array"
	case string:
		kind = "a string"
	case bool:
		kind = "a boolean"
	case json.Number:
		kind = "a number"
	}
	return planning.Errorf(planning.ErrInvalid, "%s: want %s, got %s", display(path), want, kind).WithDetail("field", path)
}

// jsonFields maps the JSON names of a struct's exported fields to their
// types (the struct types here have plain tags, no embedding).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// ReadDistricts reads a GeoJSON FeatureCollection of districts with the
// properties adcode (number or string), name, name_en and parent_adcode,
// as in shared/data/hangzhou/districts.geojson. Geometries must be Polygon
// or MultiPolygon in lon/lat (EPSG:4490). Errors name the feature.
func ReadDistricts(r io.Reader) ([]planning.District, error) {
	seen := map[string]int{}
	return readRows(r, func(i int, f *rawFeature) (planning.District, error) {
		adcode, parent := f.code("adcode", true), f.code("parent_adcode", false)
		name, nameEn := f.str("name"), f.str("name_en")
		mp := f.multiPolygon()
		if f.err != nil {
			return planning.District{}, featureError(i, "%v", f.err)
		}
		if j, dup := seen[adcode]; dup {
			return planning.District{}, featureError(i, "adcode %s already used by features[%d]", adcode, j)
		}
		seen[adcode] = i
		return planning.District{
			Adcode: adcode, NameZh: name, NameEn: nameEn, ParentAdcode: parent,
			Outline: mp, AreaM2: geo.AreaM2(mp),
		}, nil
	})
}

// ReadParks reads a GeoJSON FeatureCollection of parks with the properties
// code, name_zh, name_en, kind (core_zone, special_cooperation_zone,
// special_cooperation_park, cooperation_park, functional_park, enclave) and
// host_district_adcode (number or string), as in
// shared/data/hangzhou/parks_demo.geojson.
func ReadParks(r io.Reader) ([]planning.Park, error) {
	seen := map[string]int{}
	return readRows(r, func(i int, f *rawFeature) (planning.Park, error) {
		code, kindText := strings.TrimSpace(f.str("code")), f.str("kind")
		host := f.code("host_district_adcode", true)
		nameZh, nameEn := f.str("name_zh"), f.str("name_en")
		mp := f.multiPolygon()
		if f.err != nil {
			return planning.Park{}, featureError(i, "%v", f.err)
		}
		if code == "" {
			return planning.Park{}, featureError(i, "property code is missing or empty")
		}
		if j, dup := seen[code]; dup {
			return planning.Park{}, featureError(i, "park code %s already used by features[%d]", code, j)
		}
		seen[code] = i
		kind := planning.ParkKind(strings.TrimSpace(kindText))
		if !kind.Valid() {
			names := make([]string, len(planning.ParkKinds))
			for k, pk := range planning.ParkKinds {
				names[k] = string(pk)
			}
			return planning.Park{}, featureError(i, "unknown park kind %q (known: %s)", kindText, strings.Join(names, ", "))
		}
		return planning.Park{
			Code: code, NameZh: nameZh, NameEn: nameEn, Kind: kind, HostDistrict: host,
			Outline: mp, AreaM2: geo.AreaM2(mp),
		}, nil
	})
}

// readRows reads r's features and makes one row of each, in order; the
// first feature row refuses is the error.
func readRows[T any](r io.Reader, row func(i int, f *rawFeature) (T, error)) ([]T, error) {
	feats, err := readFeatures(r)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(feats))
	for i := range feats {
		v, err := row(i, &feats[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func featureError(i int, format string, args ...any) error {
	e := planning.Errorf(planning.ErrInvalid, "features[%d]: %s", i, planning.Textf(format, args...))
	return e.WithDetail("feature", i)
}

type rawFeature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	// err is the first problem a property or geometry reader met; the
	// readers return zero values after it, so a caller reads every field
	// and checks err once.
	err error `json:"-"`
}

func readFeatures(r io.Reader) ([]rawFeature, error) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &planning.Error{Code: planning.ErrInvalid, Message: "cannot read the GeoJSON", Err: err}
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, planning.Errorf(planning.ErrInvalid, "not valid GeoJSON: %v", err).WithCause(err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, planning.Errorf(planning.ErrInvalid, "expected a GeoJSON FeatureCollection, got type %q", fc.Type)
	}
	out := make([]rawFeature, len(fc.Features))
	for i, raw := range fc.Features {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, featureError(i, "not a valid feature: %v", err)
		}
		if out[i].Type != "Feature" {
			return nil, featureError(i, "expected type Feature, got %q", out[i].Type)
		}
	}
	return out, nil
}

// code, str and multiPolygon read as readCode, readStr and
// readMultiPolygon do, but keep the first problem in f.err (and give zero
// values after it), so a reader of several fields checks once.
func (f *rawFeature) code(key string, required bool) string {
	s, err := f.readCode(key, required)
	f.keep(err)
	return s
}

func (f *rawFeature) str(key string) string {
	s, err := f.readStr(key)
	f.keep(err)
	return s
}

func (f *rawFeature) multiPolygon() orb.MultiPolygon {
	mp, err := f.readMultiPolygon()
	f.keep(err)
	return mp
}

func (f *rawFeature) keep(err error) {
	if f.err == nil {
		f.err = err
	}
}

// readCode reads an administrative code given as a JSON number or string.
func (f *rawFeature) readCode(key string, required bool) (string, error) {
	raw, ok := f.Properties[key]
	if !ok || string(raw) == "null" {
		if required {
			return "", fmt.Errorf("property %s is missing", key)
		}
		return "", nil
	}
	var s string
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("property %s: %v", key, err)
		}
		s = strings.TrimSpace(s)
	} else {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", fmt.Errorf("property %s must be a number or a string, got %s", key, raw)
		}
		v, err := strconv.ParseFloat(string(n), 64)
		if err != nil || v != math.Trunc(v) || v < 0 {
			return "", fmt.Errorf("property %s must be a whole number, got %s", key, n)
		}
		s = strconv.FormatInt(int64(v), 10)
	}
	if !isAdcode(s) {
		return "", fmt.Errorf("property %s must be a 6-digit administrative code, got %q", key, s)
	}
	return s, nil
}

// readStr reads an optional string property.
func (f *rawFeature) readStr(key string) (string, error) {
	raw, ok := f.Properties[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("property %s must be a string, got %s", key, raw)
	}
	return s, nil
}

func (f *rawFeature) readMultiPolygon() (orb.MultiPolygon, error) {
	if f.Geometry == nil {
		return nil, fmt.Errorf("the feature has no geometry")
	}
	var mp orb.MultiPolygon
	switch f.Geometry.Type {
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			return nil, fmt.Errorf("coordinates of the Polygon: %v", err)
		}
		p, err := toPolygon(c)
		if err != nil {
			return nil, err
		}
		mp = orb.MultiPolygon{p}
	case "MultiPolygon":
		var c [][][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			return nil, fmt.Errorf("MultiPolygon coordinates: %v", err)
		}
		for k, pc := range c {
			p, err := toPolygon(pc)
			if err != nil {
				return nil, fmt.Errorf("polygon %d: %v", k+1, err)
			}
			mp = append(mp, p)
		}
	default:
		return nil, fmt.Errorf("geometry must be a Polygon or MultiPolygon, got %q", f.Geometry.Type)
	}
	if err := geo.ValidatePolygonal(mp, 0); err != nil {
		return nil, err
	}
	if geo.AreaM2(mp) <= 0 {
		return nil, fmt.Errorf("the geometry has no area")
	}
	return mp, nil
}

func toPolygon(c [][][]float64) (orb.Polygon, error) {
	p := make(orb.Polygon, len(c))
	for ri, ring := range c {
		r := make(orb.Ring, len(ring))
		for pi, pos := range ring {
			if len(pos) < 2 {
				return nil, fmt.Errorf("ring %d, point %d: a position needs longitude and latitude", ri+1, pi+1)
			}
			r[pi] = orb.Point{pos[0], pos[1]}
		}
		p[ri] = r
	}
	return p, nil
}

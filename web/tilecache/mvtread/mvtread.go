// Package mvtread decodes Mapbox Vector Tiles (spec 2.1) far enough to
// check them: layers, features, ids, properties and geometry commands. It is
// a strict reader for tests and diagnostics, not a renderer: it refuses
// malformed protobuf, unknown geometry commands, coordinates that run past
// the command stream and tags that point nowhere.
package mvtread

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Geometry types of the spec.
const (
	Unknown    = 0
	Point      = 1
	LineString = 2
	Polygon    = 3
)

// Layer is one decoded layer.
type Layer struct {
	Name     string
	Version  uint32
	Extent   uint32
	Features []Feature
}

// Feature is one decoded feature.
type Feature struct {
	ID         uint64
	HasID      bool
	Type       int
	Properties map[string]any // string, float64, int64, uint64 or bool
	// Rings counts the MoveTo commands (parts, rings) and Points the
	// vertices of the geometry, both checked against the command stream.
	Rings, Points int
	// Geometry is the command stream as encoded, for comparing two
	// encoders' output exactly.
	Geometry []uint32
	// Min and Max are the bounds of the vertices, in tile grid units.
	Min, Max [2]int64
}

// Decode reads a whole tile. An empty tile decodes to no layers.
func Decode(b []byte) ([]Layer, error) {
	var layers []Layer
	err := fields(b, func(num int, wire int, v uint64, data []byte) error {
		if num != 3 {
			return nil // unknown fields are allowed and skipped
		}
		if wire != 2 {
			return fmt.Errorf("tile field 3 has wire type %d, want 2", wire)
		}
		l, err := decodeLayer(data)
		if err != nil {
			return fmt.Errorf("layer %d: %w", len(layers), err)
		}
		layers = append(layers, l)
		return nil
	})
	return layers, err
}

func decodeLayer(b []byte) (Layer, error) {
	l := Layer{Extent: 4096}
	var keys []string
	var values []any
	var raw [][]byte
	err := fields(b, func(num, wire int, v uint64, data []byte) error {
		switch num {
		case 15:
			l.Version = uint32(v)
		case 1:
			l.Name = string(data)
		case 2:
			raw = append(raw, data)
		case 3:
			keys = append(keys, string(data))
		case 4:
			val, err := decodeValue(data)
			if err != nil {
				return err
			}
			values = append(values, val)
		case 5:
			l.Extent = uint32(v)
		}
		return nil
	})
	if err != nil {
		return l, err
	}
	if l.Name == "" {
		return l, errors.New("layer without a name")
	}
	if l.Version != 2 {
		return l, fmt.Errorf("layer %s: version %d, want 2", l.Name, l.Version)
	}
	for i, fb := range raw {
		f, err := decodeFeature(fb, keys, values)
		if err != nil {
			return l, fmt.Errorf("layer %s feature %d: %w", l.Name, i, err)
		}
		l.Features = append(l.Features, f)
	}
	return l, nil
}

func decodeValue(b []byte) (any, error) {
	var out any
	err := fields(b, func(num, wire int, v uint64, data []byte) error {
		switch num {
		case 1:
			out = string(data)
		case 2:
			out = float64(math.Float32frombits(uint32(v)))
		case 3:
			out = math.Float64frombits(v)
		case 4:
			out = int64(v)
		case 5:
			out = v
		case 6:
			out = int64(v>>1) ^ -int64(v&1)
		case 7:
			out = v != 0
		}
		return nil
	})
	if err == nil && out == nil {
		err = errors.New("value without a field")
	}
	return out, err
}

func decodeFeature(b []byte, keys []string, values []any) (Feature, error) {
	f := Feature{Properties: map[string]any{}}
	var tags, geom []uint32
	err := fields(b, func(num, wire int, v uint64, data []byte) error {
		var err error
		switch num {
		case 1:
			f.ID, f.HasID = v, true
		case 2:
			tags, err = packed(wire, v, data, tags)
		case 3:
			f.Type = int(v)
		case 4:
			geom, err = packed(wire, v, data, geom)
		}
		return err
	})
	if err != nil {
		return f, err
	}
	if len(tags)%2 != 0 {
		return f, errors.New("odd number of tags")
	}
	for i := 0; i < len(tags); i += 2 {
		k, v := int(tags[i]), int(tags[i+1])
		if k >= len(keys) || v >= len(values) {
			return f, fmt.Errorf("tag %d/%d points past %d keys / %d values", k, v, len(keys), len(values))
		}
		f.Properties[keys[k]] = values[v]
	}
	f.Geometry = geom
	return f, f.readGeometry(geom)
}

// readGeometry walks the command stream, checking counts and commands.
func (f *Feature) readGeometry(g []uint32) error {
	if f.Type < Point || f.Type > Polygon {
		return fmt.Errorf("geometry type %d", f.Type)
	}
	var x, y int64
	first := true
	for i := 0; i < len(g); {
		cmd, count := g[i]&7, int(g[i]>>3)
		i++
		switch cmd {
		case 1, 2: // MoveTo, LineTo
			if cmd == 1 {
				f.Rings++
			} else if f.Rings == 0 {
				return errors.New("LineTo before MoveTo")
			}
			if i+2*count > len(g) {
				return errors.New("geometry ends inside a command")
			}
			for j := 0; j < count; j++ {
				x += int64(int32(g[i]>>1) ^ -int32(g[i]&1))
				y += int64(int32(g[i+1]>>1) ^ -int32(g[i+1]&1))
				i += 2
				f.Points++
				if first || x < f.Min[0] {
					f.Min[0] = x
				}
				if first || y < f.Min[1] {
					f.Min[1] = y
				}
				if first || x > f.Max[0] {
					f.Max[0] = x
				}
				if first || y > f.Max[1] {
					f.Max[1] = y
				}
				first = false
			}
		case 7: // ClosePath
			if f.Type != Polygon || count != 1 {
				return fmt.Errorf("ClosePath x%d in a type %d geometry", count, f.Type)
			}
		default:
			return fmt.Errorf("unknown command %d", cmd)
		}
	}
	if f.Points == 0 {
		return errors.New("empty geometry")
	}
	return nil
}

// fields calls fn for each field of a protobuf message: varints and fixed
// values in v, length-delimited bytes in data.
func fields(b []byte, fn func(num, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wire {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			v, b = binary.LittleEndian.Uint64(b), b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("bad length")
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			v, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
		if num == 0 {
			return errors.New("field number 0")
		}
		if err := fn(num, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

// packed appends a repeated uint32 field, packed or not.
func packed(wire int, v uint64, data []byte, to []uint32) ([]uint32, error) {
	if wire == 0 {
		return append(to, uint32(v)), nil
	}
	if wire != 2 {
		return to, fmt.Errorf("repeated uint32 with wire type %d", wire)
	}
	for len(data) > 0 {
		x, n := binary.Uvarint(data)
		if n <= 0 {
			return to, errors.New("bad packed varint")
		}
		to, data = append(to, uint32(x)), data[n:]
	}
	return to, nil
}

// Find returns the layer named name, or nil.
func Find(layers []Layer, name string) *Layer {
	for i := range layers {
		if layers[i].Name == name {
			return &layers[i]
		}
	}
	return nil
}

// Names lists the layers' names in order.
func Names(layers []Layer) []string {
	out := make([]string, len(layers))
	for i, l := range layers {
		out[i] = l.Name
	}
	return out
}

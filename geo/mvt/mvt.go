// Package mvt writes layers of Mapbox Vector Tiles (spec 2.1) from values
// the caller already has: a feature's id, its properties and its polygons
// in the tile's integer grid. A tile is a repeated field of layers, so the
// bytes of Layer.Tile can be concatenated with other layers' (PostGIS's
// ST_AsMVT output included) into one valid tile.
//
// Output is deterministic (keys and values are numbered in the order they
// first appear), so the same features give the same bytes and the same
// ETag on every render.
package mvt

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Layer collects the features of one layer.
type Layer struct {
	name     string
	extent   uint32
	features []byte
	keys     []string
	keyIndex map[string]uint32
	values   [][]byte // each an encoded Value message
	// The values' indexes by type (a map keyed by any hashes slower).
	strIndex   map[string]uint32
	intIndex   map[int64]uint32
	floatIndex map[float64]uint32
	boolIndex  map[bool]uint32
	count      int

	// The feature being written.
	tags []uint64
	geom []uint64
	cx   int64 // the geometry's cursor
	cy   int64
}

// NewLayer starts a layer of the given grid size (4096 for most tiles).
func NewLayer(name string, extent int) *Layer {
	return &Layer{name: name, extent: uint32(extent), keyIndex: map[string]uint32{},
		strIndex: map[string]uint32{}, intIndex: map[int64]uint32{}, floatIndex: map[float64]uint32{}, boolIndex: map[bool]uint32{}}
}

// Len is the number of features added.
func (l *Layer) Len() int { return int(l.count) }

// Property adds one property to the feature being written. v is a string,
// int64, float64 or bool; nil leaves the property out (as ST_AsMVT leaves
// out a NULL). Integers are written as ST_AsMVT writes them: uint_value
// when not negative, else sint_value.
func (l *Layer) Property(key string, v any) {
	if v == nil {
		return
	}
	k, ok := l.keyIndex[key]
	if !ok {
		k = uint32(len(l.keys))
		l.keyIndex[key] = k
		l.keys = append(l.keys, key)
	}
	var i uint32
	switch v := v.(type) {
	case string:
		i = valueIndex(l, l.strIndex, v)
	case int64:
		i = valueIndex(l, l.intIndex, v)
	case float64:
		i = valueIndex(l, l.floatIndex, v)
	case bool:
		i = valueIndex(l, l.boolIndex, v)
	default:
		panic(fmt.Sprintf("mvt: a property of type %T", v))
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// valueIndex is v's place in the layer's values, added if new.
func valueIndex[V comparable](l *Layer, index map[V]uint32, v V) uint32 {
	i, ok := index[v]
	if !ok {
		i = uint32(len(l.values))
		index[v] = i
		l.values = append(l.values, encodeValue(v))
	}
	return i
}

func encodeValue(v any) []byte {
	var b []byte
	switch v := v.(type) {
	case string:
		b = appendBytes(append(b, 0x0a), []byte(v))
	case float64:
		b = binary.LittleEndian.AppendUint64(append(b, 0x19), math.Float64bits(v))
	case int64:
		if v >= 0 {
			b = binary.AppendUvarint(append(b, 0x28), uint64(v))
		} else {
			b = binary.AppendUvarint(append(b, 0x30), zigzag(v))
		}
	case bool:
		n := uint64(0)
		if v {
			n = 1
		}
		b = binary.AppendUvarint(append(b, 0x38), n)
	}
	return b
}

// Ring adds a closed ring to the feature being written: its vertices in
// grid units without the closing one repeated. Exterior rings must run
// clockwise in the grid (y down; a positive Area), holes the other way, a
// polygon's holes right after its exterior ring.
func (l *Layer) Ring(pts [][2]int64) {
	if len(pts) < 3 {
		return
	}
	l.geom = append(l.geom, command(1, 1))
	l.point(pts[0])
	l.geom = append(l.geom, command(2, len(pts)-1))
	for _, p := range pts[1:] {
		l.point(p)
	}
	l.geom = append(l.geom, command(7, 1))
}

func (l *Layer) point(p [2]int64) {
	l.geom = append(l.geom, zigzag(p[0]-l.cx), zigzag(p[1]-l.cy))
	l.cx, l.cy = p[0], p[1]
}

func command(id, count int) uint64 { return uint64(id&7 | count<<3) }

func zigzag(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// EndPolygon ends the feature being written as a polygon feature with the
// given id, its properties and rings as added since the last feature. A
// feature with no ring is dropped (it would not decode as a polygon).
func (l *Layer) EndPolygon(id uint64) {
	if len(l.geom) > 0 {
		var f []byte
		f = binary.AppendUvarint(append(f, 0x08), id)
		f = appendPacked(append(f, 0x12), l.tags)
		f = append(f, 0x18, 3)
		f = appendPacked(append(f, 0x22), l.geom)
		l.features = appendBytes(append(l.features, 0x12), f)
		l.count++
	}
	l.tags, l.geom, l.cx, l.cy = l.tags[:0], l.geom[:0], 0, 0
}

// Tile is the layer as a whole tile of one layer (Tile field 3), or nil
// when it holds no feature (ST_AsMVT gives an empty tile then too).
func (l *Layer) Tile() []byte {
	if l.count == 0 {
		return nil
	}
	var b []byte
	b = appendBytes(append(b, 0x0a), []byte(l.name))
	b = append(b, l.features...)
	for _, k := range l.keys {
		b = appendBytes(append(b, 0x1a), []byte(k))
	}
	for _, v := range l.values {
		b = appendBytes(append(b, 0x22), v)
	}
	b = binary.AppendUvarint(append(b, 0x28), uint64(l.extent))
	b = append(b, 0x78, 2) // version 2
	return appendBytes([]byte{0x1a}, b)
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

func appendPacked(b []byte, vs []uint64) []byte {
	n := 0
	for _, v := range vs {
		n += uvarintLen(v)
	}
	b = binary.AppendUvarint(b, uint64(n))
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

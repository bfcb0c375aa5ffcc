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
	"math"
	"sync"
)

// Layer collects the features of one layer.
type Layer struct {
	name     string
	extent   uint32
	features []byte
	keys     []string
	keyIndex map[string]uint32
	// The values, each an encoded Value message, end to end in vals;
	// valEnds[i] is where value i ends. One buffer instead of a slice per
	// value: a zoom-14 parcels tile has about as many values as features.
	vals    []byte
	valEnds []int
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

// layers keeps released layers: their buffers and maps, grown to a tile's
// size, serve the next tile (without it a zoom-14 tile regrew about 200 KB
// of them, and the runtime spent a tenth of the server's CPU collecting and
// returning that memory).
var layers = sync.Pool{New: func() any {
	return &Layer{keyIndex: map[string]uint32{}, strIndex: map[string]uint32{}, intIndex: map[int64]uint32{},
		floatIndex: map[float64]uint32{}, boolIndex: map[bool]uint32{}}
}}

// NewLayer starts a layer of the given grid size (4096 for most tiles).
func NewLayer(name string, extent int) *Layer {
	l := layers.Get().(*Layer)
	l.name, l.extent = name, uint32(extent)
	return l
}

// Release hands the layer back for reuse; it must not be used after. The
// bytes Tile returned stay valid.
func (l *Layer) Release() {
	l.features, l.keys, l.vals, l.valEnds = l.features[:0], l.keys[:0], l.vals[:0], l.valEnds[:0]
	clear(l.keyIndex)
	clear(l.strIndex)
	clear(l.intIndex)
	clear(l.floatIndex)
	clear(l.boolIndex)
	l.count = 0
	l.tags, l.geom, l.cx, l.cy = l.tags[:0], l.geom[:0], 0, 0
	layers.Put(l)
}

// Len is the number of features added.
func (l *Layer) Len() int { return int(l.count) }

// Key is the index of a property key, added to the layer's keys if new.
// Callers writing many features look their keys up once and then use the
// typed adders (String, Int, ...), which allocate nothing for a value
// seen before.
func (l *Layer) Key(key string) uint32 {
	k, ok := l.keyIndex[key]
	if !ok {
		k = uint32(len(l.keys))
		l.keyIndex[key] = k
		l.keys = append(l.keys, key)
	}
	return k
}

// String adds the string property v under key k (from Key).
func (l *Layer) String(k uint32, v string) {
	i, ok := l.strIndex[v]
	if !ok {
		i = l.newValue(appendBytes(append(l.vals, 0x0a), []byte(v)))
		l.strIndex[v] = i
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// StringBytes is String for a value in bytes (read in place from a
// database row): looking it up copies nothing; only a new value is kept.
func (l *Layer) StringBytes(k uint32, v []byte) {
	i, ok := l.strIndex[string(v)]
	if !ok {
		i = l.newValue(appendBytes(append(l.vals, 0x0a), v))
		l.strIndex[string(v)] = i
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// Int adds the integer property v under key k.
func (l *Layer) Int(k uint32, v int64) {
	i, ok := l.intIndex[v]
	if !ok {
		if v >= 0 {
			i = l.newValue(binary.AppendUvarint(append(l.vals, 0x28), uint64(v)))
		} else {
			i = l.newValue(binary.AppendUvarint(append(l.vals, 0x30), zigzag(v)))
		}
		l.intIndex[v] = i
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// Float adds the double property v under key k.
func (l *Layer) Float(k uint32, v float64) {
	i, ok := l.floatIndex[v]
	if !ok {
		i = l.newValue(binary.LittleEndian.AppendUint64(append(l.vals, 0x19), math.Float64bits(v)))
		l.floatIndex[v] = i
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// Bool adds the boolean property v under key k.
func (l *Layer) Bool(k uint32, v bool) {
	i, ok := l.boolIndex[v]
	if !ok {
		n := byte(0)
		if v {
			n = 1
		}
		i = l.newValue(append(l.vals, 0x38, n))
		l.boolIndex[v] = i
	}
	l.tags = append(l.tags, uint64(k), uint64(i))
}

// newValue records the value just appended to vals and returns its index.
func (l *Layer) newValue(vals []byte) uint32 {
	l.vals = vals
	l.valEnds = append(l.valEnds, len(vals))
	return uint32(len(l.valEnds) - 1)
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
		tn, gn := packedLen(l.tags), packedLen(l.geom)
		n := 1 + uvarintLen(id) + 1 + uvarintLen(uint64(tn)) + tn + 2 + 1 + uvarintLen(uint64(gn)) + gn
		// Written in place, its length known beforehand: no buffer per feature.
		f := binary.AppendUvarint(append(l.features, 0x12), uint64(n))
		f = binary.AppendUvarint(append(f, 0x08), id)
		f = appendPacked(append(f, 0x12), l.tags, tn)
		f = append(f, 0x18, 3)
		l.features = appendPacked(append(f, 0x22), l.geom, gn)
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
	n := 1 + uvarintLen(uint64(len(l.name))) + len(l.name) + len(l.features)
	for _, k := range l.keys {
		n += 1 + uvarintLen(uint64(len(k))) + len(k)
	}
	start := 0
	for _, end := range l.valEnds {
		n += 1 + uvarintLen(uint64(end-start)) + end - start
		start = end
	}
	n += 1 + uvarintLen(uint64(l.extent)) + 2
	// One allocation of the final size (a tile is up to hundreds of KB).
	b := make([]byte, 0, 1+uvarintLen(uint64(n))+n)
	b = binary.AppendUvarint(append(b, 0x1a), uint64(n))
	b = appendBytes(append(b, 0x0a), []byte(l.name))
	b = append(b, l.features...)
	for _, k := range l.keys {
		b = appendBytes(append(b, 0x1a), []byte(k))
	}
	start = 0
	for _, end := range l.valEnds {
		b = appendBytes(append(b, 0x22), l.vals[start:end])
		start = end
	}
	b = binary.AppendUvarint(append(b, 0x28), uint64(l.extent))
	return append(b, 0x78, 2) // version 2
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// packedLen is the size of vs as packed varints.
func packedLen(vs []uint64) int {
	n := 0
	for _, v := range vs {
		n += uvarintLen(v)
	}
	return n
}

// appendPacked appends vs as a packed field's payload of n (packedLen) bytes.
func appendPacked(b []byte, vs []uint64, n int) []byte {
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

package mvtread

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// A tiny protobuf writer, enough to build test tiles.
type msg []byte

func (m msg) varint(field int, v uint64) msg {
	m = binary.AppendUvarint(m, uint64(field)<<3)
	return binary.AppendUvarint(m, v)
}

func (m msg) bytes(field int, b []byte) msg {
	m = binary.AppendUvarint(m, uint64(field)<<3|2)
	m = binary.AppendUvarint(m, uint64(len(b)))
	return append(m, b...)
}

func (m msg) fixed64(field int, v uint64) msg {
	m = binary.AppendUvarint(m, uint64(field)<<3|1)
	return binary.LittleEndian.AppendUint64(m, v)
}

func pack(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

func zz(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// square is a polygon (0,0)-(10,10) as MVT commands.
var square = pack(1<<3|1, zz(0), zz(0), 3<<3|2, zz(10), zz(0), zz(0), zz(10), zz(-10), zz(0), 1<<3|7)

func layer(name string, features ...[]byte) []byte {
	l := msg{}.varint(15, 2).bytes(1, []byte(name))
	for _, f := range features {
		l = l.bytes(2, f)
	}
	l = l.bytes(3, []byte("code")).bytes(3, []byte("area"))
	l = l.bytes(4, msg{}.bytes(1, []byte("P-1"))).bytes(4, msg{}.fixed64(3, math.Float64bits(2.5)))
	return l.varint(5, 4096)
}

func TestDecodeReadsLayersFeaturesAndProperties(t *testing.T) {
	f := msg{}.varint(1, 42).bytes(2, pack(0, 0, 1, 1)).varint(3, Polygon).bytes(4, square)
	tile := append(msg{}.bytes(3, layer("parcels", f)), msg{}.bytes(3, layer("districts"))...)
	layers, err := Decode(tile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Names(layers), ","); got != "parcels,districts" {
		t.Fatalf("layers %s", got)
	}
	p := Find(layers, "parcels")
	if len(p.Features) != 1 || p.Extent != 4096 || p.Version != 2 {
		t.Fatalf("%+v", p)
	}
	ft := p.Features[0]
	if !ft.HasID || ft.ID != 42 || ft.Type != Polygon || ft.Rings != 1 || ft.Points != 4 ||
		ft.Properties["code"] != "P-1" || ft.Properties["area"] != 2.5 || ft.Max != [2]int64{10, 10} {
		t.Fatalf("%+v", ft)
	}
	if Find(layers, "roads") != nil || len(Find(layers, "districts").Features) != 0 {
		t.Fatal("Find")
	}
	if l, err := Decode(nil); err != nil || len(l) != 0 {
		t.Fatalf("empty tile: %v %v", l, err)
	}
}

func TestDecodeRefusesMalformedTiles(t *testing.T) {
	good := msg{}.varint(1, 1).varint(3, Polygon).bytes(4, square)
	cases := map[string][]byte{
		"truncated":         msg{}.bytes(3, layer("parcels", good))[:20],
		"tag past keys":     msg{}.bytes(3, layer("parcels", msg{}.bytes(2, pack(5, 0)).varint(3, Polygon).bytes(4, square))),
		"odd tags":          msg{}.bytes(3, layer("parcels", msg{}.bytes(2, pack(0)).varint(3, Polygon).bytes(4, square))),
		"unknown command":   msg{}.bytes(3, layer("parcels", msg{}.varint(3, Polygon).bytes(4, pack(1<<3|5)))),
		"short geometry":    msg{}.bytes(3, layer("parcels", msg{}.varint(3, Polygon).bytes(4, pack(1<<3|1, 0)))),
		"no geometry":       msg{}.bytes(3, layer("parcels", msg{}.varint(3, Polygon))),
		"no name":           msg{}.bytes(3, msg{}.varint(15, 2)),
		"version 1":         msg{}.bytes(3, msg{}.varint(15, 1).bytes(1, []byte("x"))),
		"closepath in line": msg{}.bytes(3, layer("parcels", msg{}.varint(3, LineString).bytes(4, square))),
		"bad wire type":     {3<<3 | 3},
		"layer not a bytes": msg{}.varint(3, 1),
	}
	for name, b := range cases {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

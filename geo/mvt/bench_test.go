package mvt

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// benchParcels is a zoom-14 tile's worth of parcels as the database sends
// them: 2,000 hexagons of about 110 m (the 1M seed's median) in WKB, with a
// code each, one of 30 land uses and one of 10 statuses.
func benchParcels(b *testing.B) (wkbs [][]byte, codes []string) {
	const z, x, y = 14, 13667, 6746
	for i := range 2000 {
		cx, cy := float64(i%45)*92+20, float64(i/45)*92+20
		var r orb.Ring
		for _, d := range [][2]float64{{0, 30}, {26, 15}, {26, -15}, {0, -30}, {-26, -15}, {-26, 15}, {0, 30}} {
			r = append(r, lonLat(z, x, y, cx+d[0]+float64(i%7)/10, cy+d[1]))
		}
		w, err := wkb.Marshal(orb.MultiPolygon{{r}}, binary.LittleEndian)
		if err != nil {
			b.Fatal(err)
		}
		wkbs = append(wkbs, w)
		codes = append(codes, fmt.Sprintf("330108-%07d", i))
	}
	return wkbs, codes
}

// BenchmarkParcelsLayer encodes benchParcels as the parcels layer of a
// zoom-14 tile: "decoded" as the server did before (the outline decoded by
// orb, properties through Property), "in-place" as it does now (AddWKB and
// the typed adders, the layer released for the next tile). Its allocs/op do not depend on the machine's load.
func BenchmarkParcelsLayer(b *testing.B) {
	wkbs, codes := benchParcels(b)
	uses := make([]string, 30)
	for i := range uses {
		uses[i] = fmt.Sprintf("07%02d", i)
	}
	statuses := []string{"reserve", "approved", "expropriated", "supplied", "handed_over", "started", "completed", "idle", "filed", "revoked"}
	b.Run("decoded", func(b *testing.B) {
		for b.Loop() {
			g, l := NewGrid(14, 13667, 6746, 4096, 64), NewLayer("parcels", 4096)
			for i, w := range wkbs {
				geom, err := wkb.Unmarshal(w)
				if err != nil {
					b.Fatal(err)
				}
				l.Property("code", codes[i])
				l.Property("land_use", uses[i%30])
				l.Property("status", statuses[i%10])
				l.Property("underground", i%50 == 0)
				l.Property("kind", "parcel")
				g.AddMultiPolygon(l, geom.(orb.MultiPolygon))
				l.EndPolygon(uint64(i))
			}
			l.Tile()
		}
	})
	b.Run("in-place", func(b *testing.B) {
		bcodes := make([][]byte, len(codes))
		for i, c := range codes {
			bcodes[i] = []byte(c) // as a row holds them
		}
		for b.Loop() {
			g, l := NewGrid(14, 13667, 6746, 4096, 64), NewLayer("parcels", 4096)
			kc, ku, ks, kg, kk := l.Key("code"), l.Key("land_use"), l.Key("status"), l.Key("underground"), l.Key("kind")
			for i, w := range wkbs {
				l.StringBytes(kc, bcodes[i])
				l.String(ku, uses[i%30])
				l.String(ks, statuses[i%10])
				l.Bool(kg, i%50 == 0)
				l.String(kk, "parcel")
				if _, err := g.AddWKB(l, w); err != nil {
					b.Fatal(err)
				}
				l.EndPolygon(uint64(i))
			}
			l.Tile()
			l.Release()
		}
	})
}

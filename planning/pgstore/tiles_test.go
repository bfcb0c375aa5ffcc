package pgstore

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
	"github.com/paulmach/orb"
)

// The tile tests build a small world around the middle of the zoom-14 tile
// that holds a point in Binjiang; shapes are drawn in EPSG:4549 metres.

// tileOf returns the XYZ tile holding lon/lat at zoom z.
func tileOf(lon, lat float64, z int) (x, y int) {
	n := float64(int(1) << z)
	s := math.Sin(lat * math.Pi / 180)
	return int((lon + 180) / 360 * n), int((0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n)
}

// tileCorner is the lon/lat of the north-west corner of tile (z, x, y).
func tileCorner(z, x, y int) orb.Point {
	n := float64(int(1) << z)
	return orb.Point{float64(x)/n*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi}
}

var (
	tileZ          = 14
	tileX, tileY   = tileOf(120.21, 30.19, tileZ)
	tileMiddle     = geo.To4549(orb.Point{(tileCorner(tileZ, tileX, tileY)[0] + tileCorner(tileZ, tileX+1, tileY+1)[0]) / 2, (tileCorner(tileZ, tileX, tileY)[1] + tileCorner(tileZ, tileX+1, tileY+1)[1]) / 2})
	tileTestParkID = func() uint64 {
		h := md5.Sum([]byte("HZ_HITECH"))
		id, _ := strconv.ParseUint(hex.EncodeToString(h[:])[:13], 16, 64)
		return id
	}()
)

// tileSquare is a lon/lat square of side metres whose south-west corner is
// (x, y) metres from the middle of the test tile.
func tileSquare(x, y, side float64) orb.MultiPolygon {
	var ring orb.Ring
	for _, d := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
		ring = append(ring, geo.From4549(orb.Point{tileMiddle[0] + x + d[0], tileMiddle[1] + y + d[1]}))
	}
	return orb.MultiPolygon{{ring}}
}

// wigglyDistrict is a star-shaped outline of radius about r metres with n
// vertices: a detailed boundary, as real district outlines are.
func wigglyDistrict(r float64, n int) orb.MultiPolygon {
	ring := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + 0.03*math.Sin(37*a) + 0.01*math.Sin(211*a) + 0.004*math.Sin(997*a))
		ring = append(ring, geo.From4549(orb.Point{tileMiddle[0] + rr*math.Cos(a), tileMiddle[1] + rr*math.Sin(a)}))
	}
	ring = append(ring, ring[0])
	return orb.MultiPolygon{{ring}}
}

type tileWorld struct {
	store   *Store
	parcels []int64 // ids, in insertion order
	zone    int64
}

// newTileWorld: one detailed district (8 km), one park (2 km square), one
// protected zone and a 5×5 grid of parcels of growing size, all in the
// middle of the test tile.
func newTileWorld(t testing.TB) *tileWorld {
	t.Helper()
	ctx := context.Background()
	s := freshStore(t)
	w := &tileWorld{store: s}
	if err := s.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang",
		Outline: wigglyDistrict(8000, 4000)}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertPark(ctx, planning.Park{Code: "HZ_HITECH", NameZh: "高新区", NameEn: "Hi-tech Zone",
		Kind: planning.ParkCoreZone, HostDistrict: "330108", Outline: tileSquare(-1000, -1000, 2000)}); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.zone, err = s.InsertZone(ctx, planning.ProtectedZone{Kind: planning.ZoneFarmland, Name: "农田一号",
		Outline: tileSquare(-800, 300, 300)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25; i++ {
		side := 40 + float64(i)
		p := planning.Parcel{Code: "T-" + strconv.Itoa(i), District: "330108", Park: "HZ_HITECH", LandUse: "100101",
			Status: planning.StatusApproved, Outline: tileSquare(float64(i%5)*100, float64(i/5)*100, side), Elevation: planning.Surface()}
		id, err := s.InsertParcel(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		w.parcels = append(w.parcels, id)
	}
	return w
}

func decodeTile(t testing.TB, b []byte) []mvtread.Layer {
	t.Helper()
	layers, err := mvtread.Decode(b)
	if err != nil {
		t.Fatalf("tile of %d bytes does not decode: %v", len(b), err)
	}
	return layers
}

func TestTileHasLayersIDsAndProperties(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	b, err := w.store.Tile(ctx, planning.TileQuery{Layers: planning.LayerNames, Z: tileZ, X: tileX, Y: tileY})
	if err != nil {
		t.Fatal(err)
	}
	layers := decodeTile(t, b)
	if got := mvtread.Names(layers); !slices.Equal(got, planning.LayerNames) {
		t.Fatalf("layers %v, want %v", got, planning.LayerNames)
	}
	want := map[string]struct {
		ids   []uint64
		props []string
	}{
		"districts":       {[]uint64{330108}, []string{"adcode", "area_m2", "area_mu", "name_en", "name_zh"}},
		"parks":           {[]uint64{tileTestParkID}, []string{"area_m2", "area_mu", "code", "host_district", "kind", "name_en", "name_zh"}},
		"protected-zones": {[]uint64{uint64(w.zone)}, []string{"area_m2", "area_mu", "kind", "name"}},
		"parcels": {func() (ids []uint64) {
			for _, id := range w.parcels {
				ids = append(ids, uint64(id))
			}
			return ids
		}(), []string{"kind", "land_use", "status"}}, // underground: left out when false
	}
	for _, l := range layers {
		if l.Extent != TileExtent || l.Version != 2 {
			t.Errorf("%s: extent %d version %d", l.Name, l.Extent, l.Version)
		}
		var ids []uint64
		for _, f := range l.Features {
			if !f.HasID {
				t.Fatalf("%s: feature without id", l.Name)
			}
			ids = append(ids, f.ID)
			if f.Type != mvtread.Polygon {
				t.Errorf("%s %d: geometry type %d", l.Name, f.ID, f.Type)
			}
			if f.Min[0] < -TileBuffer || f.Min[1] < -TileBuffer || f.Max[0] > TileExtent+TileBuffer || f.Max[1] > TileExtent+TileBuffer {
				t.Errorf("%s %d: geometry %v-%v runs past the buffer", l.Name, f.ID, f.Min, f.Max)
			}
			keys := make([]string, 0, len(f.Properties))
			for k := range f.Properties {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(keys, want[l.Name].props) {
				t.Errorf("%s %d: properties %v, want %v", l.Name, f.ID, keys, want[l.Name].props)
			}
		}
		slices.Sort(ids)
		wantIDs := slices.Sorted(slices.Values(want[l.Name].ids))
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("%s: ids %v, want %v", l.Name, ids, wantIDs)
		}
	}
	// Values, and the largest parcel first (the order the limit cuts in).
	p := mvtread.Find(layers, "parcels").Features
	first := p[0].Properties
	// Only what the map draws by: the rest, the code too, is fetched when a parcel is clicked.
	if first["status"] != "approved" || first["land_use"] != "100101" || first["kind"] != "parcel" || len(first) != 3 {
		t.Fatalf("largest parcel's properties: %v", first)
	}
	d := mvtread.Find(layers, "districts").Features[0].Properties
	if d["name_zh"] != "滨江区" || d["adcode"] != "330108" {
		t.Fatalf("district properties %v", d)
	}
}

func TestTileZoomRangesAndEmptyTiles(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	in := geo.From4549(orb.Point{tileMiddle[0] + 20, tileMiddle[1] + 20}) // inside parcel T-0
	names := func(z int, layers ...string) []string {
		t.Helper()
		x, y := tileOf(in[0], in[1], z)
		b, err := w.store.Tile(ctx, planning.TileQuery{Layers: layers, Z: z, X: x, Y: y})
		if err != nil {
			t.Fatal(err)
		}
		return mvtread.Names(decodeTile(t, b))
	}
	if got := names(9, "parcels", "districts"); !slices.Equal(got, []string{"districts"}) {
		t.Errorf("zoom 9: %v, want only districts (parcels start at 10)", got)
	}
	if got := names(12, "parcels", "districts"); !slices.Equal(got, []string{"parcels", "districts"}) {
		t.Errorf("zoom 12: %v, want parcels and districts in the order asked", got)
	}
	if got := names(7, "protected-zones", "parks"); !slices.Equal(got, []string{"parks"}) {
		t.Errorf("zoom 7: %v, want only parks (protected zones start at 8)", got)
	}
	if got := names(22, "parcels"); !slices.Equal(got, []string{"parcels"}) {
		t.Errorf("zoom 22: %v", got)
	}
	// Nothing visible at this zoom: no query at all.
	if sql, _, err := TileSQL(planning.TileQuery{Layers: []string{"parcels"}, Z: 5, X: 26, Y: 13}); sql != "" || err != nil {
		t.Errorf("parcels at zoom 5: %q %v", sql, err)
	}
	// A tile with nothing in it is empty, not an error.
	b, err := w.store.Tile(ctx, planning.TileQuery{Layers: planning.LayerNames, Z: 14, X: 0, Y: 0})
	if err != nil || len(b) != 0 {
		t.Errorf("empty tile: %d bytes, %v", len(b), err)
	}
	// Zoom 0 (the margin is clipped to the world) holds the district.
	b, err = w.store.Tile(ctx, planning.TileQuery{Layers: []string{"districts"}, Z: 0, X: 0, Y: 0})
	if err != nil || len(decodeTile(t, b)) != 1 {
		t.Errorf("zoom 0: %d bytes, %v", len(b), err)
	}
}

func TestTileLimitKeepsTheLargest(t *testing.T) {
	w := newTileWorld(t)
	b, err := w.store.Tile(context.Background(), planning.TileQuery{Layers: []string{"parcels"}, Z: tileZ, X: tileX, Y: tileY, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, f := range decodeTile(t, b)[0].Features {
		ids = append(ids, f.ID)
	}
	want := []uint64{uint64(w.parcels[24]), uint64(w.parcels[23]), uint64(w.parcels[22])}
	if !slices.Equal(ids, want) {
		t.Fatalf("limit 3: ids %v, want the three largest %v", ids, want)
	}
}

func TestTileSimplificationShrinksLowZoomDistricts(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	for _, z := range []int{6, 9, 11} {
		x, y := tileOf(120.21, 30.19, z)
		q := planning.TileQuery{Layers: []string{"districts"}, Z: z, X: x, Y: y}
		sizes := map[bool]int{}
		points := map[bool]int{}
		for _, simplify := range []bool{true, false} {
			sql, args, err := tileSQL(q, simplify, true)
			if err != nil {
				t.Fatal(err)
			}
			var b []byte
			if err := w.store.pool.QueryRow(ctx, sql, args...).Scan(&b); err != nil {
				t.Fatal(err)
			}
			l := decodeTile(t, b)
			if len(l) != 1 || len(l[0].Features) != 1 {
				t.Fatalf("zoom %d simplify %v: %d layers", z, simplify, len(l))
			}
			sizes[simplify], points[simplify] = len(b), l[0].Features[0].Points
		}
		t.Logf("zoom %d: district tile %d bytes (%d points) simplified, %d bytes (%d points) not", z, sizes[true], points[true], sizes[false], points[false])
		if sizes[true] >= sizes[false] {
			t.Errorf("zoom %d: simplified tile %d bytes, unsimplified %d: not smaller", z, sizes[true], sizes[false])
		}
	}
	// At zoom 12 and deeper the outline is left to ST_AsMVTGeom.
	if sql, _, _ := TileSQL(planning.TileQuery{Layers: []string{"districts"}, Z: 12, X: 3415, Y: 1689}); sql == "" || strings.Contains(sql, "Simplify") {
		t.Errorf("zoom 12 SQL simplifies: %s", sql)
	}
}

func TestTileRequestsAreChecked(t *testing.T) {
	cases := []struct {
		q     planning.TileQuery
		code  planning.ErrorCode
		param string
	}{
		{planning.TileQuery{Layers: nil, Z: 1}, planning.ErrInvalid, "layers"},
		{planning.TileQuery{Layers: []string{"roads"}, Z: 1}, planning.ErrNotFound, "layers"},
		{planning.TileQuery{Layers: []string{"parcels; DROP TABLE parcels"}, Z: 1}, planning.ErrNotFound, "layers"},
		{planning.TileQuery{Layers: []string{"parcels", "parcels"}, Z: 14}, planning.ErrInvalid, "layers"},
		{planning.TileQuery{Layers: []string{"parcels"}, Z: 23}, planning.ErrInvalid, "z"},
		{planning.TileQuery{Layers: []string{"parcels"}, Z: -1}, planning.ErrInvalid, "z"},
		{planning.TileQuery{Layers: []string{"parcels"}, Z: 2, X: 4}, planning.ErrInvalid, "x"},
		{planning.TileQuery{Layers: []string{"parcels"}, Z: 2, Y: -1}, planning.ErrInvalid, "y"},
		{planning.TileQuery{Layers: []string{"parcels"}, Z: 2, Limit: TileMaxLimit + 1}, planning.ErrInvalid, "limit"},
	}
	for _, c := range cases {
		_, _, err := TileSQL(c.q)
		var de *planning.Error
		if planning.CodeOf(err) != c.code || !errors.As(err, &de) || de.Details["parameter"] != c.param {
			t.Errorf("%+v: got %v, want %s naming %s", c.q, err, c.code, c.param)
		}
	}
}

func TestTileLayerDescribesFieldsZoomsAndBounds(t *testing.T) {
	w := newTileWorld(t)
	ctx := context.Background()
	districts, _ := w.store.Extent(ctx)
	for _, name := range planning.LayerNames {
		tl, err := w.store.TileLayer(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		cat, _ := catalog.Find(name)
		fields := len(cat.ColumnsIn(catalog.Tile))
		if name == "parcels" {
			fields++ // the aggregate cells' count
		}
		if tl.Name != name || tl.MaxZoom != TileMaxZoom || len(tl.Fields) != fields {
			t.Errorf("%s: %+v", name, tl)
		}
		if !districts.Contains(tl.Bounds.Min) || !districts.Contains(tl.Bounds.Max) || tl.Bounds.IsEmpty() {
			t.Errorf("%s: bounds %v outside the districts' %v", name, tl.Bounds, districts)
		}
	}
	p, _ := w.store.TileLayer(ctx, "parcels")
	if p.MinZoom != 10 || p.Fields["parcels"] != "Number" || p.Fields["land_use"] != "String" || p.Fields["underground"] != "Boolean" || p.Fields["code"] != "" {
		t.Errorf("parcels: %+v", p)
	}
	z, _ := w.store.TileLayer(ctx, "protected-zones")
	if z.MinZoom != 8 || z.Bounds == districts {
		t.Errorf("protected zones: %+v (bounds should be the zones' own)", z)
	}
	if _, err := w.store.TileLayer(ctx, "roads"); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("unknown layer: %v", err)
	}
}

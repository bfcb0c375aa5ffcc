package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/tools/demo"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/hangzhou-hitech/landquota/web/tilecache/mvtread"
)

// TestCatalogColumnsAppearEverywhere: on a seeded demo world, every layer's
// catalog columns are the GeoJSON properties (in order, of their types),
// the OGC items' properties and schema, the vector-tile attributes (with
// the GeoJSON's values), the export columns (GeoJSON, CSV and Shapefile
// names), the QGIS aliases and /api/meta's catalog. A column added to the
// catalog and its SQL shows up in all of them, or this fails.
func TestCatalogColumnsAppearEverywhere(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	ds, err := demo.Generate(demo.Options{Parcels: 400, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, pgstore.Dataset{Districts: ds.Districts, Parks: ds.Parks, Zones: ds.Zones, Parcels: ds.Parcels}, false, nil); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, web.Config{Version: "test"}, store)

	var meta struct {
		Statuses []struct{ Code, Color string }
		Colors   struct {
			Zones          map[string]string
			Park, District string
		}
		Catalog []struct {
			Name    string
			Columns []struct{ Name, Type string }
		}
	}
	get(t, srv.URL+"/api/meta", &meta)
	for _, s := range meta.Statuses {
		if s.Color == "" || s.Color != catalog.StatusColors[s.Code] {
			t.Errorf("meta: status %s colour %q", s.Code, s.Color)
		}
	}
	if !maps.Equal(meta.Colors.Zones, catalog.ZoneColors) || meta.Colors.Park != catalog.ParkColor || meta.Colors.District != catalog.DistrictColor {
		t.Errorf("meta: colours %+v", meta.Colors)
	}
	qgs := qgisLayers(t, srv.URL)
	// The OpenAPI document offers every filter of the catalog on the items.
	var api struct {
		Paths map[string]struct {
			Get struct{ Parameters []struct{ Name string } }
		}
	}
	get(t, srv.URL+"/ogc/api", &api)
	var params []string
	for _, p := range api.Paths["/collections/{collectionId}/items"].Get.Parameters {
		params = append(params, p.Name)
	}
	for _, f := range catalog.ParcelFilters {
		if !slices.Contains(params, f) {
			t.Errorf("OpenAPI: the items take no %s (they take %v)", f, params)
		}
	}

	for i, l := range catalog.Layers {
		t.Run(l.Name, func(t *testing.T) {
			if i >= len(meta.Catalog) || meta.Catalog[i].Name != l.Name || len(meta.Catalog[i].Columns) != len(l.Columns) {
				t.Fatalf("meta catalog: %+v", meta.Catalog)
			}
			for j, c := range meta.Catalog[i].Columns {
				if c.Name != l.Columns[j].Name || c.Type != string(l.Columns[j].Type) {
					t.Errorf("meta column %d: %+v, want %s %s", j, c, l.Columns[j].Name, l.Columns[j].Type)
				}
			}
			feats := features(t, srv.URL+"/api/layers/"+l.Name+"?limit=10000")
			if len(feats) == 0 {
				t.Fatalf("the seed has no %s", l.Name)
			}
			checkProperties(t, "/api/layers", l.ColumnsIn(catalog.Feature), feats, false)
			checkProperties(t, "OGC items", l.ColumnsIn(catalog.Feature), features(t, srv.URL+"/ogc/collections/"+l.Name+"/items?limit=20"), false)
			checkSchema(t, srv.URL, l)
			checkTiles(t, srv.URL, l, feats)
			checkExports(t, srv.URL, l)
			id := map[string]string{"protected-zones": "zones_oapif"}[l.Name]
			if id == "" {
				id = l.Name + "_oapif"
			}
			var aliases []string
			for _, a := range qgs[id].all("alias") {
				aliases = append(aliases, a.attr("field"))
			}
			if !slices.Equal(aliases, l.Names(catalog.Feature)) {
				t.Errorf("QGIS aliases %v, want %v", aliases, l.Names(catalog.Feature))
			}
		})
	}
}

// feature is a GeoJSON feature with its properties' names in file order.
type feature struct {
	ID    any
	Props map[string]any
	Order []string
}

func features(t *testing.T, url string) []feature {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var fc struct {
		Features []struct {
			ID         any             `json:"id"`
			Properties json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(res.Body).Decode(&fc); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
	var out []feature
	for _, f := range fc.Features {
		g := feature{ID: f.ID}
		if err := json.Unmarshal(f.Properties, &g.Props); err != nil {
			t.Fatal(err)
		}
		g.Order = keysInOrder(t, f.Properties)
		out = append(out, g)
	}
	return out
}

// keysInOrder lists the names of a JSON object's members as written.
func keysInOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("properties %s: not an object", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkProperties: every feature has exactly the columns as properties, in
// catalog order (extra trailing ones allowed where the export adds the
// parcels' other attributes), each value null or of the column's type.
func checkProperties(t *testing.T, where string, cols []catalog.Column, feats []feature, extra bool) {
	t.Helper()
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	seen := map[string]bool{}
	for _, f := range feats {
		got := f.Order
		if extra && len(got) > len(names) {
			got = got[:len(names)]
		}
		if !slices.Equal(got, names) {
			t.Fatalf("%s: properties %v, want %v", where, f.Order, names)
		}
		for _, c := range cols {
			v := f.Props[c.Name]
			if v == nil {
				continue
			}
			seen[c.Name] = true
			if !ofType(c.Type, v) {
				t.Errorf("%s: %s = %#v is not %s", where, c.Name, v, c.Type)
			}
		}
	}
	// Every column's type was seen at least once where the seed fills it.
	for _, c := range cols {
		if !seen[c.Name] && c.Has(catalog.Tile) && c.Name != "park" && c.Name != "current_use" && c.Name != "current_use_zh" {
			t.Errorf("%s: %s is null in every feature", where, c.Name)
		}
	}
}

func ofType(typ catalog.Type, v any) bool {
	switch typ {
	case catalog.Text:
		_, ok := v.(string)
		return ok
	case catalog.Number:
		_, ok := v.(float64)
		return ok
	case catalog.Integer:
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case catalog.Boolean:
		_, ok := v.(bool)
		return ok
	case catalog.Date:
		s, _ := v.(string)
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case catalog.DateTime:
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return true
		}
		_, err := time.Parse("2006-01-02T15:04:05.999999Z07:00", s)
		return err == nil
	case catalog.Object:
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// checkSchema: the OGC schema names every property with its JSON type and
// the id's role; the queryables are the properties a filter selects by.
func checkSchema(t *testing.T, base string, l catalog.Layer) {
	t.Helper()
	type prop struct {
		Type   string
		Format string
		Role   string `json:"x-ogc-role"`
	}
	var schema, queryables struct{ Properties map[string]prop }
	if res := get(t, base+"/ogc/collections/"+l.Name+"/schema", &schema); res.Header.Get("Content-Type") != "application/schema+json" {
		t.Errorf("schema: %s", res.Header.Get("Content-Type"))
	}
	want := map[string]bool{"geometry": true, l.ID: true}
	for _, c := range l.ColumnsIn(catalog.Feature) {
		want[c.Name] = true
		p := schema.Properties[c.Name]
		jt := string(c.Type)
		if c.Type == catalog.Date || c.Type == catalog.DateTime {
			jt = "string"
			if p.Format != string(c.Type) {
				t.Errorf("schema %s: format %q", c.Name, p.Format)
			}
		}
		if p.Type != jt {
			t.Errorf("schema %s: type %q, want %q", c.Name, p.Type, jt)
		}
	}
	if len(schema.Properties) != len(want) || schema.Properties[l.ID].Role != "id" || schema.Properties["geometry"].Role != "primary-geometry" {
		t.Errorf("schema properties %v", schema.Properties)
	}
	get(t, base+"/ogc/collections/"+l.Name+"/queryables", &queryables)
	for name := range queryables.Properties {
		if name != "geometry" && !slices.Contains(l.Filters, name) {
			t.Errorf("queryable %s is no filter of %s", name, l.Name)
		}
	}
	if len(l.Filters) > 0 && queryables.Properties["status"].Type != "string" {
		t.Errorf("queryables: %v", queryables.Properties)
	}
}

// checkTiles: TileJSON lists the tile columns with their types, and in a
// tile each feature's attributes are its GeoJSON properties that the tiles
// carry, with the same values (nulls are absent from a tile).
func checkTiles(t *testing.T, base string, l catalog.Layer, feats []feature) {
	t.Helper()
	var tj struct {
		VectorLayers []struct {
			ID     string
			Fields map[string]string
		} `json:"vector_layers"`
	}
	get(t, base+"/tiles/"+l.Name+".json", &tj)
	tileType := map[catalog.Type]string{catalog.Text: "String", catalog.Number: "Number", catalog.Integer: "Number", catalog.Boolean: "Boolean"}
	fields := tj.VectorLayers[0].Fields
	for _, c := range l.ColumnsIn(catalog.Tile) {
		if fields[c.Name] != tileType[c.Type] {
			t.Errorf("TileJSON %s: %q, want %q", c.Name, fields[c.Name], tileType[c.Type])
		}
	}
	if extra := len(fields) - len(l.ColumnsIn(catalog.Tile)); extra != 0 && !(l.Name == "parcels" && extra == 1) {
		t.Errorf("TileJSON fields %v", fields)
	}
	// The tile at zoom 15 around the layer's first-listed feature.
	var first struct {
		Features []struct {
			Geometry struct{ Coordinates [][][][2]float64 }
		}
	}
	get(t, base+"/api/layers/"+l.Name+"?limit=1&precision=6", &first)
	pt := first.Features[0].Geometry.Coordinates[0][0][0]
	z := 15
	n := math.Exp2(float64(z))
	x := int((pt[0] + 180) / 360 * n)
	lat := pt[1] * math.Pi / 180
	y := int((1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n)
	res, b := fetchRaw(t, fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", base, l.Name, z, x, y))
	layers, err := mvtread.Decode(b)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("tile %d/%d/%d: %d %v", z, x, y, res.StatusCode, err)
	}
	tl := mvtread.Find(layers, l.Name)
	if tl == nil || len(tl.Features) == 0 {
		t.Fatalf("tile %d/%d/%d has no %s", z, x, y, l.Name)
	}
	// A tile feature is found in the GeoJSON by its code, else its id.
	key := "code"
	if _, ok := l.Column("adcode"); ok {
		key = "adcode"
	}
	byKey := map[string]feature{}
	for _, f := range feats {
		k := fmt.Sprint(f.ID)
		if v, ok := f.Props[key].(string); ok {
			k = v
		}
		byKey[k] = f
		byKey[fmt.Sprint(f.ID)] = f // parcels' tiles carry no code
	}
	for _, tf := range tl.Features {
		k := strconv.FormatUint(tf.ID, 10)
		if v, ok := tf.Properties[key].(string); ok {
			k = v
		}
		g, ok := byKey[k]
		if !ok {
			t.Fatalf("tile feature %s (%v) is not in the GeoJSON", k, tf.Properties)
		}
		for _, c := range l.ColumnsIn(catalog.Tile) {
			tv, inTile := tf.Properties[c.Name]
			if !c.Has(catalog.Feature) {
				if !inTile {
					t.Errorf("tile feature %s lacks %s", k, c.Name)
				}
				continue
			}
			gv := g.Props[c.Name]
			if !inTile && c.Type == catalog.Boolean && gv == false {
				continue // tiles leave a false flag out
			}
			if inTile != (gv != nil) || inTile && !sameValue(tv, gv) {
				t.Errorf("feature %s, %s: tile %#v, GeoJSON %#v", k, c.Name, tv, gv)
			}
		}
		for name := range tf.Properties {
			if c, ok := l.Column(name); !ok || !c.Has(catalog.Tile) {
				t.Errorf("tile attribute %s is no tile column of the catalog", name)
			}
		}
	}
}

func sameValue(tile, geojson any) bool {
	switch g := geojson.(type) {
	case float64:
		var f float64
		switch v := tile.(type) {
		case float64:
			f = v
		case int64:
			f = float64(v)
		case uint64:
			f = float64(v)
		default:
			return false
		}
		return math.Abs(f-g) < 1e-9*math.Max(1, math.Abs(g))
	default:
		return tile == geojson
	}
}

// checkExports: the GeoJSON export's properties and the CSV header are the
// export columns in catalog order, and the Shapefile's DBF fields are their
// Shapefile names.
func checkExports(t *testing.T, base string, l catalog.Layer) {
	t.Helper()
	cols := l.ColumnsIn(catalog.Export)
	checkProperties(t, "export", cols, features(t, base+"/api/exports/"+l.Name+"?format=geojson"), l.Name == "parcels")
	res, err := http.Get(base + "/api/exports/" + l.Name + "?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(res.Body).Read()
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var names, shp []string
	for _, c := range cols {
		names, shp = append(names, c.Name), append(shp, c.Shp)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // the BOM spreadsheets want
	if len(header) < len(names) || !slices.Equal(header[:len(names)], names) {
		t.Errorf("CSV header %v, want %v", header, names)
	}
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Log("GDAL is not installed: the Shapefile's field names are not checked")
		return
	}
	// Districts and zones of the demo reach 10^9 m², more than GDAL's default
	// DBF width for a real (15 decimals) holds: the export gives real
	// fields a width (shpSelect), so their Shapefiles are made too.
	res, b := fetchRaw(t, base+"/api/exports/"+l.Name+"?format=shp")
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("shp export: %d %v %.300s", res.StatusCode, err, b)
	}
	var dbf []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".dbf") {
			r, _ := f.Open()
			dbf, _ = io.ReadAll(r)
			r.Close()
		}
	}
	// dBASE: a 32-byte header, then 32-byte field descriptors (name in the
	// first 11 bytes, NUL-padded) up to a 0x0D.
	var fields []string
	for off := 32; off+32 <= len(dbf) && dbf[off] != 0x0d; off += 32 {
		fields = append(fields, string(bytes.TrimRight(dbf[off:off+11], "\x00")))
	}
	// GDAL keeps a text feature id (a park's code) as a field "id" first.
	if len(fields) > 0 && fields[0] == "id" {
		fields = fields[1:]
	}
	if len(fields) < len(shp) || !slices.Equal(fields[:len(shp)], shp) {
		t.Errorf("DBF fields %v, want %v", fields, shp)
	}
}

// qgisLayers reads the QGIS project's map layers by id.
func qgisLayers(t *testing.T, base string) map[string]*qgsNode {
	t.Helper()
	res, err := http.Get(base + "/api/qgis/landquota.qgs")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc qgsNode
	if err := xml.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*qgsNode{}
	for _, l := range doc.all("maplayer") {
		out[l.text("id")] = l
	}
	return out
}

package web_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestOGCDocuments(t *testing.T) {
	srv := newServer(t)
	var landing struct {
		Links []struct{ Rel, Href, Type string }
	}
	get(t, srv.URL+"/ogc", &landing)
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if !strings.HasPrefix(rels[rel], srv.URL+"/ogc") {
			t.Errorf("landing page link %s = %q", rel, rels[rel])
		}
	}
	var conf struct{ ConformsTo []string }
	get(t, rels["conformance"], &conf)
	if len(conf.ConformsTo) < 4 || !strings.Contains(strings.Join(conf.ConformsTo, " "), "ogcapi-features-2/1.0/conf/crs") {
		t.Errorf("conformance: %v", conf.ConformsTo)
	}
	var api map[string]any
	res := get(t, rels["service-desc"], &api)
	if api["openapi"] != "3.0.3" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.oai.openapi+json") {
		t.Errorf("OpenAPI: %v %s", api["openapi"], res.Header.Get("Content-Type"))
	}
	var cols struct {
		Collections []struct {
			ID         string
			Crs        []string
			StorageCrs string
		}
	}
	get(t, rels["data"], &cols)
	if len(cols.Collections) != 4 || cols.Collections[3].ID != "parcels" || len(cols.Collections[3].Crs) != 3 {
		t.Errorf("collections: %+v", cols.Collections)
	}
	var e apiError
	if res := get(t, srv.URL+"/ogc/collections/roads/items", &e); res.StatusCode != 404 || e.Error.Code != "not_found" {
		t.Errorf("unknown collection: %d %+v", res.StatusCode, e)
	}
}

func TestOGCItemsCRSAndSingleFeature(t *testing.T) {
	srv := newServer(t)
	u := srv.URL + "/ogc/collections/parcels/items?limit=10"
	var fc struct {
		featureCollection
		NumberMatched int
	}
	res := get(t, u, &fc)
	if res.Header.Get("Content-Crs") != "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>" || fc.NumberMatched != 25 || len(fc.Features) != 10 {
		t.Fatalf("items: Content-Crs %q, matched %d, %d features", res.Header.Get("Content-Crs"), fc.NumberMatched, len(fc.Features))
	}
	first := func(u string) []float64 {
		var fc featureCollection
		get(t, u, &fc)
		c := fc.Features[0].Geometry["coordinates"].([]any)[0].([]any)[0].([]any)[0].([]any)
		return []float64{c[0].(float64), c[1].(float64)}
	}
	lonlat := first(u)
	latlon := first(u + "&crs=http://www.opengis.net/def/crs/EPSG/0/4490")
	if latlon[0] != lonlat[1] || latlon[1] != lonlat[0] {
		t.Fatalf("EPSG:4490 must be lat,lon: %v vs %v", latlon, lonlat)
	}
	ne := first(u + "&crs=http://www.opengis.net/def/crs/EPSG/0/4549")
	want := geo.To4549(orb.Point{lonlat[0], lonlat[1]})
	if math.Abs(ne[0]-want[1]) > 0.01 || math.Abs(ne[1]-want[0]) > 0.01 {
		t.Fatalf("EPSG:4549 must be northing,easting: %v, want %v", ne, want)
	}
	// bbox in EPSG:4549 axis order (northing, easting) selects the first three.
	o := geo.To4549(geotest.Origin)
	bb := strings.Join([]string{ftoa(o[1] - 10), ftoa(o[0] - 10), ftoa(o[1] + 90), ftoa(o[0] + 250)}, ",")
	if got := codes(t, srv.URL+"/ogc/collections/parcels/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4549&bbox="+bb); len(got) != 3 {
		t.Fatalf("bbox-crs 4549: %v", got)
	}
	var one struct {
		ID         float64
		Properties map[string]any
		Links      []struct{ Rel string }
	}
	id := int(fc.Features[0].ID.(float64))
	res = get(t, srv.URL+"/ogc/collections/parcels/items/"+ftoa(float64(id)), &one)
	if res.StatusCode != 200 || int(one.ID) != id || len(one.Links) != 2 || res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("single feature: %d %+v", res.StatusCode, one)
	}
	var e apiError
	for _, fid := range []string{"999999", "abc"} {
		if res := get(t, srv.URL+"/ogc/collections/parcels/items/"+fid, &e); res.StatusCode != 404 {
			t.Errorf("missing feature %s: %d", fid, res.StatusCode)
		}
	}
	var district map[string]any
	if res := get(t, srv.URL+"/ogc/collections/districts/items/330108", &district); res.StatusCode != 200 || district["id"] != "330108" {
		t.Errorf("district by adcode: %d", res.StatusCode)
	}
}

// TestGDALReadsOGCAPI drives GDAL as a real client: ogrinfo lists the
// collections and ogr2ogr downloads every parcel, page by page.
func TestGDALReadsOGCAPI(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("LANDQUOTA_REQUIRE_DB") != "" {
			t.Fatal("ogr2ogr (gdal-bin) is missing: make test installs it")
		}
		t.Skip("ogr2ogr (gdal-bin) not installed")
	}
	srv, store := newWorld(t)
	out, err := exec.Command("ogrinfo", "-ro", "-so", "OAPIF:"+srv.URL+"/ogc").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, c := range []string{"districts", "parks", "protected-zones", "parcels"} {
		if !strings.Contains(string(out), c) {
			t.Errorf("ogrinfo does not list %s:\n%s", c, out)
		}
	}
	dst := filepath.Join(t.TempDir(), "parcels.geojson")
	// A page size of 7 makes GDAL follow next links through four pages.
	cmd := exec.Command("ogr2ogr", "-oo", "PAGE_SIZE=7", "-f", "GeoJSON", dst, "OAPIF:"+srv.URL+"/ogc", "parcels")
	cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var area float64
	for _, f := range fc.Features {
		area += geo.AreaM2(f.Geometry)
	}
	var dbCount int
	var dbArea float64
	// The database's own figures.
	if err := store.Pool().QueryRow(context.Background(), "SELECT count(*), sum(area_m2) FROM parcels").Scan(&dbCount, &dbArea); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != dbCount || math.Abs(area-dbArea) > 0.01*float64(dbCount) {
		t.Fatalf("GDAL downloaded %d parcels, %.2f m²; the database has %d, %.2f m²", len(fc.Features), area, dbCount, dbArea)
	}
}

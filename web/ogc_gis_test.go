package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/paulmach/orb"
)

// TestOGCAxisOrderDatetimePrecisionHead covers what GIS clients tripped on:
// bbox-crs=EPSG:4490 latitude first, datetime on updated_at, the same
// precision for one feature as for the collection, no crs member under
// CRS84, and HEAD.
func TestOGCAxisOrderDatetimePrecisionHead(t *testing.T) {
	srv, store := newWorld(t)
	items := srv.URL + "/ogc/collections/parcels/items?"
	// P00..P02 lie in the first 300 m east of the origin.
	sw := gridLonLat(-10, -10)
	ne := gridLonLat(290, 90)
	latFirst := url.Values{"bbox-crs": {"http://www.opengis.net/def/crs/EPSG/0/4490"},
		"bbox": {ftoa(sw[1]) + "," + ftoa(sw[0]) + "," + ftoa(ne[1]) + "," + ftoa(ne[0])}}
	if got := codes(t, items+latFirst.Encode()); strings.Join(got, ",") != "P00,P01,P02" {
		t.Errorf("bbox-crs 4490 lat,lon: %v", got)
	}
	lonFirst := url.Values{"bbox-crs": {"EPSG:4490"}, "bbox": {ftoa(sw[0]) + "," + ftoa(sw[1]) + "," + ftoa(ne[0]) + "," + ftoa(ne[1])}}
	var e apiError
	if res := get(t, items+lonFirst.Encode(), &e); res.StatusCode != 400 || !strings.Contains(e.Error.Message, "latitude first") {
		t.Errorf("bbox-crs 4490 lon,lat: %d %+v", res.StatusCode, e)
	}

	// datetime on updated_at: P03 changed yesterday, the rest a week ago.
	ctx := context.Background()
	if _, err := store.Pool().Exec(ctx, `ALTER TABLE parcels DISABLE TRIGGER USER;
		UPDATE parcels SET updated_at = now() - interval '7 days';
		UPDATE parcels SET updated_at = now() - interval '1 day' WHERE code = 'P03';
		ALTER TABLE parcels ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	var p03 time.Time
	store.Pool().QueryRow(ctx, "SELECT updated_at FROM parcels WHERE code = 'P03'").Scan(&p03)
	twoDays := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	for dt, want := range map[string]int{
		twoDays + "/..":                    1,
		"../" + twoDays:                    24,
		twoDays + "/":                      1,
		p03.UTC().Format(time.RFC3339Nano): 1,
		p03.Local().Format("2006-01-02"):   1,
		"2000-01-01/2000-12-31":            0,
		"2000-01-01/" + twoDays:            24,
	} {
		if got := codes(t, items+url.Values{"datetime": {dt}, "limit": {"100"}}.Encode()); len(got) != want {
			t.Errorf("datetime=%s: %d features, want %d", dt, len(got), want)
		}
	}
	for _, dt := range []string{"yesterday", "../..", "2026-03-01/2025-01-01"} {
		if res := get(t, items+url.Values{"datetime": {dt}}.Encode(), &e); res.StatusCode != 400 {
			t.Errorf("datetime=%s: %d", dt, res.StatusCode)
		}
	}

	// One feature is written as in the collection: 9 decimals, no crs member.
	body := func(u string) string {
		_, b := fetchRaw(t, u)
		return string(b)
	}
	var fc featureCollection
	get(t, items+"limit=1", &fc)
	coll := body(items + "limit=1")
	one := body(srv.URL + "/ogc/collections/parcels/items/" + ftoa(fc.Features[0].ID.(float64)))
	geom := func(s string) string {
		i := strings.Index(s, `"geometry":`)
		return s[i : i+strings.Index(s[i:], "]]]}")]
	}
	if geom(coll) != geom(one) {
		t.Errorf("item and collection differ:\n%s\n%s", geom(one), geom(coll))
	}
	if d := geom(one); !strings.Contains(d, ".") || len(strings.Split(strings.Split(d, ",")[1], ".")[1]) > 9 {
		t.Errorf("precision: %s", d)
	}
	if strings.Contains(coll, `"crs"`) || strings.Contains(one, `"crs"`) {
		t.Errorf("a crs member under CRS84: %s", one)
	}
	var api struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string
				Schema map[string]any
			}
		}
	}
	get(t, srv.URL+"/ogc/api", &api)
	for _, p := range api.Paths["/collections/{collectionId}/items"]["get"].Parameters {
		if p.Name == "precision" && p.Schema["default"] != 9.0 {
			t.Errorf("documented precision default %v", p.Schema["default"])
		}
	}

	for _, u := range []string{"/ogc", "/ogc/api", "/ogc/collections", "/ogc/collections/parcels/items?limit=2", "/api/layers/parcels?limit=1", "/tiles/parcels.json", "/api/qgis/landquota.qgs"} {
		req, _ := http.NewRequest("HEAD", srv.URL+u, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %v %v", u, err, res)
		}
		if res != nil {
			res.Body.Close()
		}
	}
}

// gridLonLat is the lon/lat of a point at metre offsets from the origin of
// the test squares.
func gridLonLat(x, y float64) orb.Point {
	return geotest.At(x, y)
}

package pgstore_test

import (
	"context"
	"math"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

func TestEnclavesStoredWhereTheyAre(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// A 100 m square at Shenzhen (UTM 49N, EPSG:32649) and one at Palo Alto
	// (UTM 10N, EPSG:32610), each 10 000 m² by construction.
	square := func(lon, lat float64, srid int) orb.Polygon {
		var wkt string
		err := st.Pool().QueryRow(ctx, `WITH c AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), $3::int) AS p)
			SELECT ST_AsText(ST_Transform(ST_MakeEnvelope(ST_X(p), ST_Y(p), ST_X(p) + 100, ST_Y(p) + 100, $3::int), 4326)) FROM c`,
			lon, lat, srid).Scan(&wkt)
		if err != nil {
			t.Fatal(err)
		}
		var ring orb.Ring
		var xs, ys []float64
		if err := st.Pool().QueryRow(ctx, `SELECT array_agg(ST_X(d.geom) ORDER BY d.path), array_agg(ST_Y(d.geom) ORDER BY d.path)
			FROM ST_DumpPoints($1::geometry) d`, wkt).Scan(&xs, &ys); err != nil {
			t.Fatal(err)
		}
		for i := range xs {
			ring = append(ring, orb.Point{xs[i], ys[i]})
		}
		return orb.Polygon{ring}
	}
	sz := square(113.95, 22.54, 32649)
	pa := square(-122.14, 37.44, 32610)
	for _, e := range []planning.Enclave{
		{Code: "SZ_NANSHAN", NameZh: "深圳南山科创飞地", City: "深圳", Location: orb.Point{113.95, 22.54}, Site: sz, FloorAreaM2: 12000},
		{Code: "SH_ZHANGJIANG", NameZh: "上海张江科创飞地", City: "上海", Location: orb.Point{121.59, 31.20}, FloorAreaM2: 8000},
		{Code: "US_PALOALTO", NameZh: "硅谷离岸创新中心", City: "Palo Alto", Country: "us", Location: orb.Point{-122.14, 37.44}, Site: pa, FloorAreaM2: 1500},
	} {
		got, err := st.InsertEnclave(ctx, e)
		if err != nil {
			t.Fatalf("%s: %v", e.Code, err)
		}
		if e.Site != nil && (got.SiteAreaM2 == nil || math.Abs(*got.SiteAreaM2-10000) > 0.5) {
			t.Errorf("%s: site area %v, want 10 000 m² measured in its UTM zone", e.Code, deref(got.SiteAreaM2))
		}
	}
	// EPSG:4549 would have overstated Shenzhen by about 1%.
	var gk float64
	st.Pool().QueryRow(ctx, "SELECT ST_Area(ST_Transform(site, 4549)) FROM enclaves WHERE code = 'SZ_NANSHAN'").Scan(&gk)
	if gk < 10050 {
		t.Errorf("EPSG:4549 gives %.1f m²: the test square no longer shows the distortion", gk)
	}
	// No quota account for an enclave, and bad input names its field.
	var accounts int
	st.Pool().QueryRow(ctx, "SELECT count(*) FROM quota_accounts WHERE code LIKE '%SH_ZHANGJIANG%' OR code LIKE '%US_PALOALTO%'").Scan(&accounts)
	if accounts != 0 {
		t.Errorf("%d quota accounts for enclaves", accounts)
	}
	for field, e := range map[string]planning.Enclave{
		"location":      {Code: "BAD1", NameZh: "x", City: "x", Location: orb.Point{200, 10}, FloorAreaM2: 1},
		"floor_area_m2": {Code: "BAD2", NameZh: "x", City: "x", Location: orb.Point{10, 10}},
		"country":       {Code: "BAD3", NameZh: "x", City: "x", Country: "USA", Location: orb.Point{10, 10}, FloorAreaM2: 1},
	} {
		if _, err := st.InsertEnclave(ctx, e); planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("%s: %v", field, err)
		}
	}
	list, err := st.Enclaves(ctx)
	if err != nil || len(list) != 3 || list[2].Country != "US" {
		t.Fatalf("enclaves %+v %v", list, err)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

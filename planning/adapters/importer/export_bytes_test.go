package importer

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// rowsStore answers an export with fixed fields and rows.
type rowsStore struct {
	fields []imports.ExportField
	geoms  []string
	rows   [][]any
}

func (s rowsStore) ExportRows(_ context.Context, _ imports.ExportQuery, _ imports.GeomFormat, begin func([]imports.ExportField) error, emit func([]byte, []any) error) (int64, error) {
	if err := begin(s.fields); err != nil {
		return 0, err
	}
	for i, r := range s.rows {
		if err := emit([]byte(s.geoms[i]), r); err != nil {
			return int64(i), err
		}
	}
	return int64(len(s.rows)), nil
}

// The GeoJSON export's bytes, as written before its collection framing
// moved to geo.FeatureCollection: a change of layout fails here.
func TestExportGeoJSONBytes(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	st := rowsStore{
		fields: []imports.ExportField{{Name: "id", Shp: "ID", Kind: Int}, {Name: "name", Shp: "NAME", Kind: Text},
			{Name: "plot_ratio", Shp: "PLOT_RATIO", Kind: Float}, {Name: "approved_on", Shp: "APPROVED", Kind: Date},
			{Name: "affordable", Shp: "AFFORDABLE", Kind: Bool}},
		geoms: []string{`{"type":"MultiPolygon","coordinates":[]}`, `{"type":"Point","coordinates":[120,30]}`},
		rows: [][]any{{int64(1), "滨江 \"A\"\n\t", 2.5, day, true},
			{int64(2), nil, 1e-7, nil, false}},
	}
	want := map[int]string{
		0: `{"type":"FeatureCollection","name":"parcels","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[` + "\n\n]}\n",
		2: `{"type":"FeatureCollection","name":"parcels","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[` + "\n" +
			`{"type":"Feature","id":1,"geometry":{"type":"MultiPolygon","coordinates":[]},"properties":{"id":1,"name":"滨江 \"A\"\n\t","plot_ratio":2.5,"approved_on":"2026-03-01","affordable":true}},` + "\n" +
			`{"type":"Feature","id":2,"geometry":{"type":"Point","coordinates":[120,30]},"properties":{"id":2,"name":null,"plot_ratio":1e-07,"approved_on":null,"affordable":false}}` + "\n]}\n",
	}
	for n, w := range want {
		s := st
		s.rows, s.geoms = st.rows[:n], st.geoms[:n]
		var b bytes.Buffer
		if _, err := Export(context.Background(), s, imports.ExportQuery{Layer: imports.Parcels, Format: imports.FormatGeoJSON, SRID: 4326}, &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("%d features:\n got %q\nwant %q", n, b.String(), w)
		}
	}
}

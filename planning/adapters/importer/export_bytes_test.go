package importer

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/xuri/excelize/v2"
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

// A spreadsheet cell: dates and times formatted as such (a time in UTC to
// the second), yes/no in Chinese, areas with two decimals, the rest as
// they are.
func TestXLSXCells(t *testing.T) {
	st := xlsxStyles{date: 1, time: 2, area: 3}
	at := time.Date(2024, 2, 3, 12, 5, 6, 7e8, time.FixedZone("CST", 8*3600))
	for _, c := range []struct {
		f    imports.ExportField
		v    any
		want any
	}{
		{imports.ExportField{Name: "approved_on", Kind: imports.Date}, at, excelize.Cell{StyleID: 1, Value: at}},
		{imports.ExportField{Name: "updated_at", Kind: imports.Timestamp}, at, excelize.Cell{StyleID: 2, Value: time.Date(2024, 2, 3, 12, 5, 6, 0, time.UTC)}},
		{imports.ExportField{Name: "affordable_housing", Kind: imports.Bool}, true, "是"},
		{imports.ExportField{Name: "affordable_housing", Kind: imports.Bool}, false, "否"},
		{imports.ExportField{Name: "area_m2", Kind: imports.Float}, 1.5, excelize.Cell{StyleID: 3, Value: 1.5}},
		{imports.ExportField{Name: "plot_ratio", Kind: imports.Float}, 1.5, 1.5},
		{imports.ExportField{Name: "code", Kind: imports.Text}, "滨江-1", "滨江-1"},
		{imports.ExportField{Name: "code", Kind: imports.Text}, nil, nil},
	} {
		if got := st.cell(c.f, c.v); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: %#v, want %#v", c.f.Name, c.v, got, c.want)
		}
	}
}

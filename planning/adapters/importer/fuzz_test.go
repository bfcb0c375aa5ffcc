package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// FuzzGeoJSON feeds arbitrary bytes to the decoder and the converter: they
// must never panic or loop, every failure must be an invalid-input error
// (a 400, never a 500), and every outline they accept must be one the
// database can take: closed rings of at least 4 finite points in China,
// within the vertex limit.
func FuzzGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","land_use":"1001","status":"reserve"},"geometry":{"type":"Polygon","coordinates":[[[120.21,30.19],[120.22,30.19],[120.22,30.2],[120.21,30.19]]]}}]}`))
	f.Add([]byte(`{"type":"Feature","properties":{"code":"B","land_use":"M1","status":"储备"},"geometry":{"type":"MultiPolygon","coordinates":[[[[120.21,30.19],[120.22,30.19],[120.22,30.2],[120.21,30.19]]]]}}` + "\n"))
	f.Add([]byte("\x1e{\"type\":\"Feature\",\"properties\":null,\"geometry\":null}\n"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[NaN,1],[2,3]]]}}]}`))
	f.Add([]byte(`{"features":[],"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		d.limit = 1 << 16
		m, err := (*FieldMap)(nil).Resolve(imports.Parcels, []string{"code", "land_use", "status", "plot_ratio", "approved_on"})
		if err != nil {
			t.Fatal(err)
		}
		conv := newConverter(m, crs{srid: 4490}, len(data)%2 == 0, simplifiedchinese.GB18030, 1000)
		w := conv.worker()
		for i := 0; i < 200; i++ {
			raw, err := d.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *planning.Error
				if !errors.As(err, &pe) || pe.Code != planning.ErrInvalid || pe.Message == "" {
					t.Fatalf("decoder error %T %v is not an invalid-input error", err, err)
				}
				return
			}
			row, issues := w.convert(raw)
			for _, is := range issues {
				if is.Message == "" || (is.Severity != imports.SevError && is.Severity != imports.SevWarning && is.Severity != imports.SevRepair) {
					t.Fatalf("bad issue %+v", is)
				}
			}
			if row == nil || row.Geom == nil {
				continue
			}
			n := 0
			for _, pg := range row.Geom {
				for _, r := range pg {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("accepted ring %v", r)
					}
					for _, p := range r {
						n++
						if math.IsNaN(p[0]) || math.IsInf(p[0], 0) || p[0] < minLon || p[0] > maxLon || p[1] < minLat || p[1] > maxLat {
							t.Fatalf("accepted point %v", p)
						}
					}
				}
			}
			if n > 1000 {
				t.Fatalf("accepted %d vertices", n)
			}
		}
	})
}

// FuzzFieldMap feeds arbitrary JSON to the field map parser and arbitrary
// assignments to its flags: no panic; what is accepted survives a round
// trip through JSON and resolves against any field list.
func FuzzFieldMap(f *testing.F) {
	f.Add([]byte(`{"fields":{"code":"DKBH","land_use":"DLBM"},"land_use_scheme":"gbt21010","crosswalk":{"0906":"1504"}}`), "status=ZT", []byte("DKBH,DLBM,ZT"))
	f.Add([]byte(`{"defaults":{"status":"approved","plot_ratio":2.5,"affordable_housing":"是"},"values":{"status":{"已挂牌":"reserve"}}}`), "code=", []byte("code"))
	f.Add([]byte(`{"layer":"parcels","fields":{"park":""}}`), "=x", []byte(""))
	f.Add([]byte(`{"fields":{"code":7}}`), "land_use=YDXZ", []byte("a,,b"))
	f.Fuzz(func(t *testing.T, data []byte, assignment string, fieldList []byte) {
		var fields []string
		if len(fieldList) > 0 {
			fields = []string{}
			for _, s := range bytes.Split(fieldList, []byte(",")) {
				fields = append(fields, string(s))
			}
		}
		for _, l := range imports.Layers {
			m, err := ParseFieldMap(l, data)
			if err != nil {
				if planning.CodeOf(err) != planning.ErrInvalid {
					t.Fatalf("error %v is not invalid", err)
				}
				m = &FieldMap{}
			} else {
				b, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ParseFieldMap(l, b); err != nil {
					t.Fatalf("accepted %s, but not its round trip %s: %v", data, b, err)
				}
			}
			_ = m.Set(assignment)
			_ = m.SetDefault(assignment)
			_ = m.SetCrosswalk(assignment)
			if mp, err := m.Resolve(l, fields); err == nil {
				if len(mp.Source) != len(imports.Fields(l)) || len(mp.Defaults) != len(imports.Fields(l)) {
					t.Fatal("mapping size")
				}
				mp.Describe()
			} else if planning.CodeOf(err) != planning.ErrInvalid {
				t.Fatalf("resolve error %v is not invalid", err)
			}
		}
	})
}

package importer

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Export writes the layer to w in q's format and returns the number of
// features. Shapefiles and GeoPackages are made by ogr2ogr in a temporary
// folder; the other formats are written by landquota.
func Export(ctx context.Context, store imports.ExportStore, q imports.ExportQuery, w io.Writer) (int64, error) {
	if err := q.Normalize(); err != nil {
		return 0, err
	}
	switch q.Format {
	case imports.FormatGeoJSON:
		n, _, err := writeGeoJSON(ctx, store, q, w, false, nil)
		return n, err
	case imports.FormatCSV:
		return writeCSV(ctx, store, q, w)
	case imports.FormatXLSX:
		return writeXLSX(ctx, store, q, w)
	case imports.FormatShp, imports.FormatGPKG:
		dir, err := os.MkdirTemp("", "landquota-export-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		n, files, err := ExportFiles(ctx, store, q, dir)
		if err != nil {
			return 0, err
		}
		if q.Format == imports.FormatGPKG {
			f, err := os.Open(files[0])
			if err != nil {
				return 0, err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return n, err
		}
		return n, zipFiles(w, files)
	}
	return 0, planning.Errorf(planning.ErrInvalid, "unknown format %q", q.Format)
}

// ExportFiles writes a Shapefile (its .shp, .shx, .dbf, .prj and .cpg) or a
// GeoPackage into dir through ogr2ogr, and returns the files made.
func ExportFiles(ctx context.Context, store imports.ExportStore, q imports.ExportQuery, dir string) (int64, []string, error) {
	if err := q.Normalize(); err != nil {
		return 0, nil, err
	}
	why := "writing a Shapefile"
	if q.Format == imports.FormatGPKG {
		why = "writing a GeoPackage"
	}
	ogr2ogr, err := LookGDAL("ogr2ogr", why)
	if err != nil {
		return 0, nil, err
	}
	tmp, err := os.CreateTemp(dir, "features-*.geojson")
	if err != nil {
		return 0, nil, err
	}
	var check func(imports.ExportField, []any, string) error
	if q.Format == imports.FormatShp && q.Encoding == "GBK" {
		check = checkGBK
	}
	n, fields, err := writeGeoJSON(ctx, store, q, tmp, q.Format == imports.FormatShp, check)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, nil, err
	}
	defer os.Remove(tmp.Name())
	layer := strings.ReplaceAll(string(q.Layer), "-", "_")
	srs := "EPSG:" + strconv.Itoa(q.SRID)
	var out string
	args := []string{}
	if q.Format == imports.FormatShp {
		out = filepath.Join(dir, layer+".shp")
		enc := q.Encoding
		if enc == "GBK" {
			enc = "CP936"
		}
		args = append(args, "-f", "ESRI Shapefile", out, tmp.Name(), "-nln", layer, "-a_srs", srs, "-lco", "ENCODING="+enc, "-lco", "RESIZE=YES",
			"-dialect", "OGRSQL", "-sql", shpSelect(string(q.Layer), fields),
			// A DBF has no date-time: the moment is kept whole as text.
			"-mapFieldType", "DateTime=String")
	} else {
		out = filepath.Join(dir, layer+".gpkg")
		args = append(args, "-f", "GPKG", out, tmp.Name(), "-nln", layer, "-a_srs", srs, "-nlt", "MULTIPOLYGON")
	}
	cmd := exec.CommandContext(ctx, ogr2ogr, args...)
	var stderr capped
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("ogr2ogr could not write the %s: %v: %s", q.Format, err, firstLines(errorLines(stderr.String()), 3))
	}
	// A warning from GDAL here means something was not written as it is
	// stored (a character, a long text): refuse rather than lose it.
	if w := gdalWarnings(stderr.String()); len(w) > 0 {
		return 0, nil, planning.Errorf(planning.ErrInvalid, "GDAL could not write the %s without changing the data: %s", q.Format, strings.Join(w, "; ")).
			WithDetail("gdal", w)
	}
	if q.Format == imports.FormatGPKG {
		return n, []string{out}, nil
	}
	base := strings.TrimSuffix(out, ".shp")
	if q.Encoding == "GBK" { // every value was checked to be in GBK
		// ArcGIS reads the code page from the .cpg as a number (936 is GBK);
		// GDAL reads that too. UTF-8 is written as "UTF-8", which both read.
		if err := os.WriteFile(base+".cpg", []byte("936"), 0o644); err != nil {
			return 0, nil, err
		}
	}
	var files []string
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		if _, err := os.Stat(base + ext); err == nil {
			files = append(files, base+ext)
		}
	}
	return n, files, nil
}

func zipFiles(w io.Writer, files []string) error {
	zw := zip.NewWriter(w)
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(p), Method: zip.Deflate, Modified: time.Now()})
		if err == nil {
			_, err = io.Copy(hw, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// geojsonCRSName names a CRS in a GeoJSON crs member, as GDAL writes it.
func geojsonCRSName(srid int) string {
	if srid == geo.SRIDWGS84 {
		return "urn:ogc:def:crs:OGC:1.3:CRS84"
	}
	return "urn:ogc:def:crs:EPSG::" + strconv.Itoa(srid)
}

// gdalWarnings picks GDAL's warning lines out of its standard error.
func gdalWarnings(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "Warning") && len(out) < 10 {
			out = append(out, l)
		}
	}
	return out
}

var gbkEncoder = simplifiedchinese.GBK.NewEncoder()

// checkGBK refuses a text value GBK cannot hold, naming the feature, the
// field and the value.
func checkGBK(f imports.ExportField, row []any, s string) error {
	if _, err := gbkEncoder.String(s); err == nil {
		return nil
	}
	var bad []string
	for _, r := range s {
		if _, err := gbkEncoder.String(string(r)); err != nil {
			bad = append(bad, string(r))
		}
	}
	return planning.Errorf(planning.ErrInvalid, "feature %v, field %s (%s): %q has characters GBK cannot encode (%s); export with encoding GB18030 (its superset) or UTF-8",
		row[0], f.Shp, f.Name, s, strings.Join(bad, " ")).
		WithDetail("field", f.Shp).WithDetail("value", s).WithDetail("feature", row[0])
}

// shpSelect reads the features back for a Shapefile with every real field
// given a width: GDAL's default for a real read from GeoJSON (24 digits, 15
// of them decimals) cannot hold an area of 10⁹ m² (a district), and the
// write would fail. Six decimals keep every figure as exported.
func shpSelect(layer string, fields []imports.ExportField) string {
	cols := make([]string, len(fields))
	for i, f := range fields {
		name := `"` + strings.ReplaceAll(f.Shp, `"`, `""`) + `"`
		cols[i] = name
		if f.Kind == Float {
			cols[i] = "CAST(" + name + " AS NUMERIC(24,6)) AS " + name
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + ` FROM "` + strings.ReplaceAll(layer, `"`, `""`) + `"`
}

// writeGeoJSON writes a FeatureCollection; shpNames uses the Shapefile
// field names (for ogr2ogr to turn into a Shapefile); check, when set,
// may refuse a text value.
func writeGeoJSON(ctx context.Context, store imports.ExportStore, q imports.ExportQuery, w io.Writer, shpNames bool, check func(imports.ExportField, []any, string) error) (int64, []imports.ExportField, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var fc *geo.FeatureCollection
	var fields []imports.ExportField
	var keys [][]byte
	buf := make([]byte, 0, 4096)
	n, err := store.ExportRows(ctx, q, imports.GeomGeoJSON, func(f []imports.ExportField) error {
		fields = f
		for _, x := range f {
			name := x.Name
			if shpNames {
				name = x.Shp
			}
			keys = append(keys, appendJSONString(nil, name))
		}
		fc = geo.StartFeatureCollection(bw, true, `"name":`+string(appendJSONString(nil, string(q.Layer))),
			`"crs":{"type":"name","properties":{"name":"`+geojsonCRSName(q.SRID)+`"}}`)
		return nil
	}, func(geom []byte, vals []any) error {
		// The first field is the layer's key: the feature's id.
		b := append(buf[:0], `{"type":"Feature","id":`...)
		b = appendJSONValue(b, vals[0], fields[0].Kind)
		b = append(b, `,"geometry":`...)
		b = append(b, geom...)
		b = append(b, `,"properties":{`...)
		for i, v := range vals {
			if s, ok := v.(string); ok && check != nil {
				if err := check(fields[i], vals, s); err != nil {
					return err
				}
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[i]...)
			b = append(b, ':')
			b = appendJSONValue(b, v, fields[i].Kind)
		}
		b = append(b, "}}"...)
		buf = b
		return fc.Feature(b)
	})
	if err != nil {
		return n, nil, err
	}
	if fields == nil {
		return n, nil, fmt.Errorf("export: the store gave no fields")
	}
	return n, fields, fc.End("")
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONValue appends one exported value.
func appendJSONValue(b []byte, v any, k Kind) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return appendFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return appendJSONString(b, formatTime(x, k))
	}
	return appendJSONString(b, fmt.Sprint(v))
}

func appendFloat(b []byte, x float64) []byte {
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, x, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}

func formatTime(t time.Time, k Kind) string {
	if k == Date {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// textValue renders a value for CSV; text is neutralised (CSVText).
func textValue(v any, k Kind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return CSVText(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return string(appendFloat(nil, x))
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return formatTime(x, k)
	}
	return fmt.Sprint(v)
}

// writeCSV writes UTF-8 with a byte-order mark (so that Excel shows the
// Chinese text), the property names as the header, and the outline as WKT
// in the last column.
func writeCSV(ctx context.Context, store imports.ExportStore, q imports.ExportQuery, w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	var fields []imports.ExportField
	var rec []string
	n, err := store.ExportRows(ctx, q, imports.GeomWKT, func(f []imports.ExportField) error {
		fields = f
		rec = make([]string, len(f)+1)
		for i, x := range f {
			rec[i] = x.Name
		}
		rec[len(f)] = "wkt"
		return cw.Write(rec)
	}, func(geom []byte, vals []any) error {
		for i, v := range vals {
			rec[i] = textValue(v, fields[i].Kind)
		}
		rec[len(vals)] = string(geom)
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// MaxXLSXRows is Excel's limit of rows in a sheet, less the header.
const MaxXLSXRows = 1_048_575

var sheetNames = map[imports.Layer]string{imports.Districts: "行政区", imports.Parks: "园区", imports.Zones: "三区三线", imports.Parcels: "地块"}

// xlsxStyles are the number formats of an export's cells.
type xlsxStyles struct{ date, time, area int }

// cell is the value v of field f as a sheet cell: a date or a time (UTC,
// whole seconds) formatted as one, a yes/no in Chinese, an area with two
// decimals, anything else as it is.
func (st xlsxStyles) cell(f imports.ExportField, v any) any {
	switch x := v.(type) {
	case time.Time:
		if f.Kind == imports.Timestamp {
			return excelize.Cell{StyleID: st.time, Value: time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), 0, time.UTC)}
		}
		return excelize.Cell{StyleID: st.date, Value: x}
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		if strings.HasPrefix(f.Name, "area_") {
			return excelize.Cell{StyleID: st.area, Value: x}
		}
	}
	return v
}

// writeXLSX writes the attributes (no outlines) with Chinese column titles,
// numbers as numbers and dates as dates, and a sheet describing the export.
func writeXLSX(ctx context.Context, store imports.ExportStore, q imports.ExportQuery, w io.Writer) (int64, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetNames[q.Layer]
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	var st xlsxStyles
	st.date, _ = f.NewStyle(&excelize.Style{NumFmt: 14})
	st.time, _ = f.NewStyle(&excelize.Style{NumFmt: 22})
	st.area, _ = f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	var fields []imports.ExportField
	var row []any
	var r int
	n, err := store.ExportRows(ctx, q, imports.GeomNone, func(fs []imports.ExportField) error {
		fields = fs
		row = make([]any, len(fs))
		for i, x := range fs {
			width := float64(max(10, utf8.RuneCountInString(x.Zh)*2+2))
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return err
			}
			row[i] = excelize.Cell{StyleID: head, Value: x.Zh}
		}
		r = 1
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		return sw.SetRow("A1", row, excelize.RowOpts{})
	}, func(_ []byte, vals []any) error {
		if r > MaxXLSXRows {
			return planning.Errorf(planning.ErrInvalid, "more than %d rows: beyond what an Excel sheet holds; export CSV, or narrow the export with filters", MaxXLSXRows)
		}
		for i, v := range vals {
			row[i] = st.cell(fields[i], v)
		}
		r++
		cell, _ := excelize.CoordinatesToCellName(1, r)
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return n, err
	}
	info := [][]any{
		{"图层", sheetNames[q.Layer] + " (" + string(q.Layer) + ")"},
		{"要素数量", n},
		{"导出时间", time.Now().Format("2006-01-02 15:04:05 MST")},
		{"面积", "按 CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549) 计算; 1 公顷 = 15 亩"},
		{"来源", "landquota"},
	}
	for i, kv := range info {
		if err := f.SetSheetRow("说明", "A"+strconv.Itoa(i+1), &kv); err != nil {
			return n, err
		}
	}
	f.SetColWidth("说明", "A", "A", 12)
	f.SetColWidth("说明", "B", "B", 70)
	_, err = f.WriteTo(w)
	return n, err
}

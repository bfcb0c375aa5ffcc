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
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is an export file format.
type Format string

const (
	FormatGeoJSON Format = "geojson"
	FormatCSV     Format = "csv"
	FormatXLSX    Format = "xlsx"
	FormatShp     Format = "shp" // a .zip of .shp, .shx, .dbf, .prj and .cpg
	FormatGPKG    Format = "gpkg"
)

// Formats lists the export formats.
var Formats = []Format{FormatGeoJSON, FormatCSV, FormatXLSX, FormatShp, FormatGPKG}

// ParseFormat reads a format name (or a file extension).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), ".")) {
	case "geojson", "json":
		return FormatGeoJSON, nil
	case "csv":
		return FormatCSV, nil
	case "xlsx", "excel":
		return FormatXLSX, nil
	case "shp", "shapefile", "zip":
		return FormatShp, nil
	case "gpkg", "geopackage":
		return FormatGPKG, nil
	}
	return "", planning.Errorf(planning.ErrInvalid, "format %q is not one of geojson, csv, xlsx, shp, gpkg", s).WithDetail("parameter", "format")
}

// GeomFormat is how the store renders outlines for a writer.
type GeomFormat string

const (
	GeomGeoJSON GeomFormat = "geojson"
	GeomWKT     GeomFormat = "wkt"
	GeomNone    GeomFormat = ""
)

// ExportQuery selects what to export and how.
type ExportQuery struct {
	Layer     imports.Layer
	Format    Format
	SRID      int // 4490 (default), 4326, 4549 or 4528
	Precision int // decimals of the coordinates; -1: all (lossless)
	BBox      *orb.Bound
	Filter    *planning.ParcelFilter
	Encoding  string // Shapefile text: UTF-8 (default), GB18030, or GBK (refused where a value is outside GBK)
	// StatementTimeout bounds the export's query; 0: no limit.
	StatementTimeout time.Duration
}

// ExportSRIDs are the coordinate systems exports are written in.
var ExportSRIDs = []int{geo.SRIDStore, geo.SRIDWGS84, geo.SRIDMeasure, geo.SRIDSurvey}

// Normalize fills defaults and checks the query.
func (q *ExportQuery) Normalize() error {
	if _, ok := layerFields[q.Layer]; !ok {
		return planning.Errorf(planning.ErrNotFound, "unknown layer %q (layers: districts, parks, protected-zones, parcels)", q.Layer)
	}
	if q.Format == "" {
		q.Format = FormatGeoJSON
	}
	if q.SRID == 0 {
		q.SRID = geo.SRIDStore
	}
	ok := false
	for _, s := range ExportSRIDs {
		ok = ok || s == q.SRID
	}
	if !ok {
		return planning.Errorf(planning.ErrInvalid, "exports are written in EPSG:4490, 4326, 4549 or 4528, not EPSG:%d", q.SRID).WithDetail("parameter", "srid")
	}
	if q.Precision > 15 || q.Precision < -1 {
		return planning.Errorf(planning.ErrInvalid, "precision %d must be between 0 and 15 decimals", q.Precision).WithDetail("parameter", "precision")
	}
	switch strings.ToUpper(q.Encoding) {
	case "", "UTF-8", "UTF8":
		q.Encoding = "UTF-8"
	case "GB18030":
		q.Encoding = "GB18030"
	case "GBK", "CP936", "936", "GB2312":
		q.Encoding = "GBK"
	default:
		return planning.Errorf(planning.ErrInvalid, "encoding %q is not UTF-8, GB18030 or GBK", q.Encoding).WithDetail("parameter", "encoding")
	}
	if q.Encoding != "UTF-8" && q.Format != FormatShp {
		return planning.Errorf(planning.ErrInvalid, "encoding applies to Shapefiles only (the other formats are UTF-8)").WithDetail("parameter", "encoding")
	}
	if !q.Filter.Empty() && q.Layer != imports.Parcels {
		return planning.Errorf(planning.ErrInvalid, "filters apply to the parcels layer only")
	}
	return nil
}

// FileName is the name of the file an export makes.
func (q ExportQuery) FileName() string {
	base := string(q.Layer)
	if q.SRID != geo.SRIDStore {
		base += "-" + strconv.Itoa(q.SRID)
	}
	switch q.Format {
	case FormatShp:
		return base + ".zip"
	case FormatGeoJSON:
		return base + ".geojson"
	}
	return base + "." + string(q.Format)
}

// ContentType is the media type of the export.
func (q ExportQuery) ContentType() string {
	switch q.Format {
	case FormatGeoJSON:
		return "application/geo+json"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatShp:
		return "application/zip"
	case FormatGPKG:
		return "application/geopackage+sqlite3"
	}
	return "application/octet-stream"
}

// Streams reports whether the format is written as the rows arrive (the
// others are built in a temporary file first).
func (q ExportQuery) Streams() bool { return q.Format == FormatGeoJSON || q.Format == FormatCSV }

// ExportField is one column of an export.
type ExportField struct {
	Name     string // the property name; where it is importable, the import field's name
	Shp      string // the Shapefile field name (at most 10 characters)
	Zh       string // the spreadsheet column title
	Kind     Kind   // Text, Float, Int, Bool, Date; Timestamp for times
	Optional bool   // the column comes from a later migration
	// Attribute names one of the parcels' other attributes (the file's
	// field name) this column holds; "" for the columns of the schema.
	Attribute string
}

// Timestamp is an export-only kind: a moment, written in RFC 3339.
const Timestamp Kind = 100

// exportKinds are the export kinds of the catalog's types.
var exportKinds = map[catalog.Type]Kind{catalog.Text: Text, catalog.Number: Float, catalog.Integer: Int,
	catalog.Boolean: Bool, catalog.Date: Date, catalog.DateTime: Timestamp}

// ExportFields lists the columns of a layer's exports, in the catalog's
// order.
func ExportFields(l imports.Layer) []ExportField {
	cat, _ := catalog.Find(string(l))
	var out []ExportField
	for _, c := range cat.ColumnsIn(catalog.Export) {
		out = append(out, ExportField{Name: c.Name, Shp: c.Shp, Zh: c.Zh, Kind: exportKinds[c.Type], Optional: c.Optional})
	}
	return out
}

// Attribute is one of the parcels' other attributes: its name and Text,
// Float or Bool when every value of it is one.
type Attribute struct {
	Name string
	Kind Kind
}

// AttributeFields makes export columns of the parcels' other attributes,
// named as the file that brought them named them. A Shapefile name holds
// at most 10 bytes in its encoding: a longer name is cut and numbered
// (the GeoJSON, CSV, XLSX and GeoPackage columns keep it whole).
func AttributeFields(keys []Attribute, taken []ExportField, encoding string) []ExportField {
	used := map[string]bool{}
	for _, f := range taken {
		used[strings.ToLower(f.Name)], used[strings.ToLower(f.Shp)] = true, true
	}
	size := func(s string) int { return len(s) }
	if encoding == "GBK" || encoding == "GB18030" {
		size = func(s string) int {
			b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
			if err != nil {
				return len(s)
			}
			return len(b)
		}
	}
	out := make([]ExportField, 0, len(keys))
	for i, a := range keys {
		k := a.Name
		name := k
		if used[strings.ToLower(name)] {
			name = "attr_" + k
		}
		shp := k
		if size(shp) > 10 || used[strings.ToLower(shp)] {
			suffix := "_" + strconv.Itoa(i+1)
			shp = ""
			for _, r := range k {
				if size(shp+string(r)+suffix) > 10 {
					break
				}
				shp += string(r)
			}
			shp += suffix
		}
		used[strings.ToLower(name)], used[strings.ToLower(shp)] = true, true
		out = append(out, ExportField{Name: name, Shp: shp, Zh: k, Kind: a.Kind, Attribute: k})
	}
	return out
}

// ExportStore is what an export needs from storage.
type ExportStore interface {
	// ExportRows runs q and calls begin once with the fields it will give
	// (optional ones the database lacks left out), then emit for each row
	// with the outline rendered as geom asks (nil for GeomNone) and the
	// values in field order. It returns the number of rows.
	ExportRows(ctx context.Context, q ExportQuery, geom GeomFormat, begin func([]ExportField) error, emit func(geom []byte, vals []any) error) (int64, error)
}

// Export writes the layer to w in q's format and returns the number of
// features. Shapefiles and GeoPackages are made by ogr2ogr in a temporary
// folder; the other formats are written by landquota.
func Export(ctx context.Context, store ExportStore, q ExportQuery, w io.Writer) (int64, error) {
	if err := q.Normalize(); err != nil {
		return 0, err
	}
	switch q.Format {
	case FormatGeoJSON:
		n, _, err := writeGeoJSON(ctx, store, q, w, false, nil)
		return n, err
	case FormatCSV:
		return writeCSV(ctx, store, q, w)
	case FormatXLSX:
		return writeXLSX(ctx, store, q, w)
	case FormatShp, FormatGPKG:
		dir, err := os.MkdirTemp("", "landquota-export-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		n, files, err := ExportFiles(ctx, store, q, dir)
		if err != nil {
			return 0, err
		}
		if q.Format == FormatGPKG {
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
func ExportFiles(ctx context.Context, store ExportStore, q ExportQuery, dir string) (int64, []string, error) {
	if err := q.Normalize(); err != nil {
		return 0, nil, err
	}
	why := "writing a Shapefile"
	if q.Format == FormatGPKG {
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
	var check func(ExportField, []any, string) error
	if q.Format == FormatShp && q.Encoding == "GBK" {
		check = checkGBK
	}
	n, fields, err := writeGeoJSON(ctx, store, q, tmp, q.Format == FormatShp, check)
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
	if q.Format == FormatShp {
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
	if q.Format == FormatGPKG {
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
func checkGBK(f ExportField, row []any, s string) error {
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
func shpSelect(layer string, fields []ExportField) string {
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
func writeGeoJSON(ctx context.Context, store ExportStore, q ExportQuery, w io.Writer, shpNames bool, check func(ExportField, []any, string) error) (int64, []ExportField, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var fields []ExportField
	var keys [][]byte
	buf := make([]byte, 0, 4096)
	var count int64
	n, err := store.ExportRows(ctx, q, GeomGeoJSON, func(f []ExportField) error {
		fields = f
		for _, x := range f {
			name := x.Name
			if shpNames {
				name = x.Shp
			}
			keys = append(keys, appendJSONString(nil, name))
		}
		bw.WriteString(`{"type":"FeatureCollection","name":`)
		bw.Write(appendJSONString(nil, string(q.Layer)))
		bw.WriteString(`,"crs":{"type":"name","properties":{"name":"` + geojsonCRSName(q.SRID) + `"}},"features":[` + "\n")
		return nil
	}, func(geom []byte, vals []any) error {
		b := buf[:0]
		if count > 0 {
			b = append(b, ",\n"...)
		}
		count++
		// The first field is the layer's key: the feature's id.
		b = append(b, `{"type":"Feature","id":`...)
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
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return n, nil, err
	}
	if fields == nil {
		return n, nil, fmt.Errorf("export: the store gave no fields")
	}
	bw.WriteString("\n]}\n")
	return n, fields, bw.Flush()
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
func writeCSV(ctx context.Context, store ExportStore, q ExportQuery, w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	var fields []ExportField
	var rec []string
	n, err := store.ExportRows(ctx, q, GeomWKT, func(f []ExportField) error {
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

// writeXLSX writes the attributes (no outlines) with Chinese column titles,
// numbers as numbers and dates as dates, and a sheet describing the export.
func writeXLSX(ctx context.Context, store ExportStore, q ExportQuery, w io.Writer) (int64, error) {
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
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	timeStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	numStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	var fields []ExportField
	var row []any
	var r int
	n, err := store.ExportRows(ctx, q, GeomNone, func(fs []ExportField) error {
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
			switch x := v.(type) {
			case time.Time:
				st := dateStyle
				if fields[i].Kind == Timestamp {
					st = timeStyle
					x = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), 0, time.UTC)
				}
				row[i] = excelize.Cell{StyleID: st, Value: x}
			case bool:
				if x {
					row[i] = "是"
				} else {
					row[i] = "否"
				}
			case float64:
				if strings.HasPrefix(fields[i].Name, "area_") {
					row[i] = excelize.Cell{StyleID: numStyle, Value: x}
				} else {
					row[i] = x
				}
			default:
				row[i] = v
			}
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

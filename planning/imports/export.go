package imports

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/paulmach/orb"
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
	Layer     Layer
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
	enc := exportEncoding(q.Encoding)
	if enc == "" {
		return planning.Errorf(planning.ErrInvalid, "encoding %q is not UTF-8, GB18030 or GBK", q.Encoding).WithDetail("parameter", "encoding")
	}
	q.Encoding = enc
	if q.Encoding != "UTF-8" && q.Format != FormatShp {
		return planning.Errorf(planning.ErrInvalid, "encoding applies to Shapefiles only (the other formats are UTF-8)").WithDetail("parameter", "encoding")
	}
	if !q.Filter.Empty() && q.Layer != Parcels {
		return planning.Errorf(planning.ErrInvalid, "filters apply to the parcels layer only")
	}
	return nil
}

// exportEncoding is the text encoding an export named name is written in
// (UTF-8 when name is ""), or "" for one it is not written in.
func exportEncoding(name string) string {
	switch e := strings.ToUpper(name); e {
	case "", "UTF-8", "UTF8":
		return "UTF-8"
	case "GB18030":
		return e
	}
	if GBKLabel(name) {
		return "GBK"
	}
	return ""
}

// GBKLabel reports whether name (a --encoding, a Shapefile's .cpg) names
// GBK or one of its subsets, in any case and spacing.
func GBKLabel(name string) bool {
	switch strings.ToUpper(strings.Join(strings.Fields(name), "")) {
	case "936", "CP936", "MS936", "WINDOWS-936", "ANSI936", "GBK", "GB2312", "EUC-CN", "ANSI_936":
		return true
	}
	return false
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
func ExportFields(l Layer) []ExportField {
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

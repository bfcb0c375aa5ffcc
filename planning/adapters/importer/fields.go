package importer

import (
	"strings"

	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// The import's vocabulary (kinds, fields, rows, requests, export
// queries) lives in planning/imports, where the store reads it too: the
// dependency points adapter → imports ← store. These names let the
// adapter's code and its callers keep saying importer.Float, importer.Field; the
// lookups (imports.Fields, FieldIndex, KeyField) are called from there.
type (
	Kind      = imports.Kind
	EnumValue = imports.EnumValue
	Field     = imports.Field
)

const (
	Text    = imports.Text
	Code    = imports.Code
	Float   = imports.Float
	Int     = imports.Int
	Bool    = imports.Bool
	Date    = imports.Date
	Enum    = imports.Enum
	LandUse = imports.LandUse
	Adcode  = imports.Adcode
)

// AttributesField is the property under which landquota's own GeoJSON
// (/api/layers, OGC API) carries a parcel's other attributes.
const AttributesField = "attributes"

// derivedNames are the properties landquota adds to what it writes (ids,
// names of codes, areas, clocks) under their export and Shapefile names:
// read back from an export they are not attributes of the parcel.
var derivedNames = func() map[string]bool {
	out := map[string]bool{"underground": true, "created_at": true, "ogc_fid": true, "fid": true}
	for _, f := range imports.ExportFields(imports.Parcels) {
		if imports.FieldIndex(imports.Parcels, f.Name) < 0 {
			out[strings.ToLower(f.Name)], out[strings.ToLower(f.Shp)] = true, true
		}
	}
	return out
}()

// keepsAttributes reports whether l stores the attributes no field reads.
func keepsAttributes(l imports.Layer) bool { return l == imports.Parcels }

// Package catalog describes each map layer once: its columns with their
// types and labels, its id, geometry, zooms and filters. The GeoJSON
// properties, vector-tile attributes, OGC API collections and their schema,
// the OpenAPI document, export fields, the QGIS project's aliases and the
// map's metadata are all derived from it, so adding a column is one entry
// here plus a migration (planning/pgstore reads it from the table column
// of the same name; only a renamed or computed column needs SQL there).
// Data only: no SQL, no imports beyond the standard library.
package catalog

// Type is a column's value type, named as in JSON Schema (format for the
// date kinds).
type Type string

const (
	Text     Type = "string"
	Number   Type = "number"
	Integer  Type = "integer"
	Boolean  Type = "boolean"
	Date     Type = "date"      // a calendar day, 2026-03-01
	DateTime Type = "date-time" // an RFC 3339 moment
	Object   Type = "object"    // the parcels' other attributes, as a JSON object
)

// Use says where a column appears.
type Use uint8

const (
	Feature Use = 1 << iota // GeoJSON properties: /api/layers, OGC API items
	Tile                    // vector-tile attributes
	Export                  // export files (GeoJSON, CSV, XLSX, Shapefile, GeoPackage)
)

// Column is one property of a layer's features.
type Column struct {
	Name string // the property name, the same everywhere it appears
	Type Type
	Zh   string // label in Chinese (spreadsheet titles, QGIS aliases, the map)
	En   string // label in English
	// Shp is the Shapefile (DBF) field name, at most 10 characters; set
	// exactly when the column is exported.
	Shp string
	In  Use
	// Optional: the column comes from a later migration, so exports leave
	// it out of a database that lacks it.
	Optional bool
}

// Has reports whether the column appears in u.
func (c Column) Has(u Use) bool { return c.In&u != 0 }

// Layer is one map layer.
type Layer struct {
	Name        string // the URL name: /api/layers/{name}, OGC collection id, export file name
	TitleZh     string
	TitleEn     string
	Description string
	ID          string // the column that names a feature (its GeoJSON id)
	Geometry    string // the GeoJSON geometry type of every feature
	// MinZoom and MaxZoom bound the zooms at which the layer is in the
	// vector tiles.
	MinZoom, MaxZoom int
	// Filters are the query parameters that select features beyond bbox
	// and datetime; none for layers that take no filter.
	Filters []string
	Columns []Column
}

// MaxZoom is the deepest zoom of the vector tiles.
const MaxZoom = 22

// ColumnsIn lists the layer's columns that appear in u, in catalog order.
func (l Layer) ColumnsIn(u Use) []Column {
	var out []Column
	for _, c := range l.Columns {
		if c.Has(u) {
			out = append(out, c)
		}
	}
	return out
}

// Column finds a column by name.
func (l Layer) Column(name string) (Column, bool) {
	for _, c := range l.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Names lists the column names that appear in u, in order.
func (l Layer) Names(u Use) []string {
	var out []string
	for _, c := range l.ColumnsIn(u) {
		out = append(out, c.Name)
	}
	return out
}

// Find returns the named layer.
func Find(name string) (Layer, bool) {
	for _, l := range Layers {
		if l.Name == name {
			return l, true
		}
	}
	return Layer{}, false
}

// Names lists the layers in drawing order (bottom first).
func Names() []string {
	out := make([]string, len(Layers))
	for i, l := range Layers {
		out[i] = l.Name
	}
	return out
}

// Short names of the usual places a column appears.
const (
	fj  = Feature | Export
	ftj = Feature | Tile | Export
)

// areaColumns are the areas every layer carries, measured by the database.
var areaColumns = []Column{
	{Name: "area_m2", Type: Number, Zh: "面积(平方米)", En: "area (m²)", Shp: "AREA_M2", In: ftj},
	{Name: "area_hm2", Type: Number, Zh: "面积(公顷)", En: "area (ha)", Shp: "AREA_HM2", In: Export},
	{Name: "area_mu", Type: Number, Zh: "面积(亩)", En: "area (mu)", Shp: "AREA_MU", In: ftj},
}

// withoutTile is cols kept out of the vector tiles.
func withoutTile(cols []Column) []Column {
	out := append([]Column(nil), cols...)
	for i := range out {
		out[i].In &^= Tile
	}
	return out
}

// with joins column lists into a new one.
func with(cols []Column, more ...[]Column) []Column {
	out := append([]Column(nil), cols...)
	for _, m := range more {
		out = append(out, m...)
	}
	return out
}

// ParcelFilters are the parcels layer's query parameters (web/params.go).
var ParcelFilters = []string{"status", "land_use", "current_use", "park", "district", "min_area", "max_area", "unit", "eligible", "updated_since", "name", "q"}

// Layers lists the map layers in drawing order (bottom first).
var Layers = []Layer{
	{
		Name: "districts", TitleZh: "行政区", TitleEn: "Districts",
		Description: "Administrative districts: each holds a construction-land quota account.",
		ID:          "adcode", Geometry: "MultiPolygon", MinZoom: 0, MaxZoom: MaxZoom,
		Columns: with([]Column{
			{Name: "adcode", Type: Text, Zh: "行政区代码", En: "administrative code", Shp: "ADCODE", In: ftj},
			{Name: "name_zh", Type: Text, Zh: "名称", En: "name (Chinese)", Shp: "NAME_ZH", In: ftj},
			{Name: "name_en", Type: Text, Zh: "英文名称", En: "name (English)", Shp: "NAME_EN", In: ftj},
			{Name: "parent_adcode", Type: Text, Zh: "上级代码", En: "parent code", Shp: "PARENT", In: Export},
		}, areaColumns),
	},
	{
		Name: "parks", TitleZh: "园区", TitleEn: "Parks",
		Description: "The High-tech Zone and its cooperation parks (statistical attribution).",
		ID:          "code", Geometry: "MultiPolygon", MinZoom: 0, MaxZoom: MaxZoom,
		Columns: with([]Column{
			{Name: "code", Type: Text, Zh: "园区代码", En: "park code", Shp: "CODE", In: ftj},
			{Name: "name_zh", Type: Text, Zh: "园区名称", En: "name (Chinese)", Shp: "NAME_ZH", In: ftj},
			{Name: "name_en", Type: Text, Zh: "英文名称", En: "name (English)", Shp: "NAME_EN", In: ftj},
			{Name: "kind", Type: Text, Zh: "类型", En: "kind", Shp: "KIND", In: ftj},
			{Name: "host_district", Type: Text, Zh: "所在区", En: "host district", Shp: "HOST_DISTR", In: ftj},
		}, areaColumns),
	},
	{
		Name: "protected-zones", TitleZh: "三区三线", TitleEn: "Protected lines",
		Description: "Permanent basic farmland, ecological red line, urban development boundary.",
		ID:          "id", Geometry: "MultiPolygon", MinZoom: 8, MaxZoom: MaxZoom,
		Columns: with([]Column{
			// The tile's feature id is the zone id, so it is no attribute there.
			{Name: "id", Type: Integer, Zh: "编号", En: "id", Shp: "ID", In: fj},
			{Name: "kind", Type: Text, Zh: "类型", En: "kind", Shp: "KIND", In: ftj},
			{Name: "kind_zh", Type: Text, Zh: "管控线", En: "line (Chinese)", Shp: "KIND_ZH", In: Export},
			{Name: "name", Type: Text, Zh: "名称", En: "name", Shp: "NAME", In: ftj},
		}, areaColumns),
	},
	{
		Name: "parcels", TitleZh: "地块", TitleEn: "Parcels",
		Description: "Land parcels with land-use class, lifecycle status and area (m², 亩).",
		ID:          "id", Geometry: "MultiPolygon", MinZoom: 10, MaxZoom: MaxZoom,
		Filters: ParcelFilters,
		// In the order of the GeoJSON properties; exports follow it too. The tiles carry only
		// what the map draws parcels by (land use, status, underground; the feature id is the
		// parcel id): the web map fetches the rest of a parcel, its code too, when it is
		// clicked. On 1,000,000 parcels a zoom-14 tile was 185 KB with every attribute, 118 KB
		// with the code and is 63 KB without (docs/SCALING.md, issue 16).
		Columns: with([]Column{
			{Name: "id", Type: Integer, Zh: "编号", En: "id", Shp: "ID", In: Export},
			{Name: "code", Type: Text, Zh: "地块编号", En: "parcel code", Shp: "CODE", In: fj},
			{Name: "district", Type: Text, Zh: "行政区代码", En: "district code", Shp: "DISTRICT", In: fj},
			{Name: "district_zh", Type: Text, Zh: "行政区", En: "district", Shp: "DIST_NAME", In: Export},
			{Name: "park", Type: Text, Zh: "园区代码", En: "park code", Shp: "PARK", In: fj},
			{Name: "land_use", Type: Text, Zh: "规划用途代码", En: "planned use code", Shp: "LAND_USE", In: ftj},
			{Name: "land_use_zh", Type: Text, Zh: "规划用途", En: "planned use", Shp: "LU_NAME", In: fj},
			{Name: "current_use", Type: Text, Zh: "现状地类代码", En: "current use code", Shp: "CUR_USE", In: fj},
			{Name: "current_use_zh", Type: Text, Zh: "现状地类", En: "current use", Shp: "CU_NAME", In: fj},
			{Name: "compatible_use", Type: Text, Zh: "兼容用途代码", En: "compatible use code", Shp: "COMPAT", In: fj},
			{Name: "compatible_share", Type: Number, Zh: "兼容用途比例", En: "compatible use share", Shp: "COMPAT_SH", In: fj, Optional: true},
			{Name: "status", Type: Text, Zh: "状态代码", En: "status code", Shp: "STATUS", In: ftj},
			{Name: "status_zh", Type: Text, Zh: "状态", En: "status", Shp: "STATUS_ZH", In: fj},
		}, withoutTile(areaColumns), []Column{
			{Name: "plot_ratio", Type: Number, Zh: "容积率", En: "plot ratio", Shp: "PLOT_RATIO", In: fj},
			{Name: "building_density", Type: Number, Zh: "建筑密度", En: "building density", Shp: "BLD_DENS", In: fj},
			{Name: "green_ratio", Type: Number, Zh: "绿地率", En: "green ratio", Shp: "GREEN_RAT", In: fj},
			{Name: "affordable_housing", Type: Boolean, Zh: "保障性住房", En: "affordable housing", Shp: "AFFORDABLE", In: fj},
			{Name: "supply_method", Type: Text, Zh: "供地方式", En: "supply method", Shp: "SUPPLY", In: fj},
			{Name: "approval_kind", Type: Text, Zh: "批准类型", En: "approval kind", Shp: "APPROVAL", In: Export},
			{Name: "approved_on", Type: Date, Zh: "批准日期", En: "approved on", Shp: "APPROVED", In: fj},
			{Name: "supplied_on", Type: Date, Zh: "供地日期", En: "supplied on", Shp: "SUPPLIED", In: fj},
			{Name: "handed_over_on", Type: Date, Zh: "交地日期", En: "handed over on", Shp: "HANDOVER", In: fj, Optional: true},
			{Name: "agreed_start_on", Type: Date, Zh: "约定开工日期", En: "agreed start", Shp: "AGREED_ST", In: Export},
			{Name: "actual_start_on", Type: Date, Zh: "实际开工日期", En: "actual start", Shp: "ACTUAL_ST", In: Export},
			{Name: "completed_on", Type: Date, Zh: "竣工日期", En: "completed on", Shp: "COMPLETED", In: Export},
			{Name: "elevation_bottom", Type: Number, Zh: "底部高程(米)", En: "bottom elevation (m)", Shp: "ELEV_BOT", In: Export},
			{Name: "elevation_top", Type: Number, Zh: "顶部高程(米)", En: "top elevation (m)", Shp: "ELEV_TOP", In: Export},
			{Name: "underground", Type: Boolean, Zh: "地下空间", En: "underground", In: Feature | Tile},
			{Name: "construction_land", Type: Boolean, Zh: "已是建设用地", En: "already construction land", Shp: "CONSTR", In: fj},
			{Name: "construction_override_reason", Type: Text, Zh: "建设用地认定理由", En: "construction-land reason", Shp: "CONSTR_WHY", In: fj},
			{Name: "government_delay", Type: Boolean, Zh: "政府原因延误", En: "delayed by government", Shp: "GOV_DELAY", In: Export},
			{Name: "line_exception", Type: Text, Zh: "三线例外情形", En: "protected-line exception", Shp: "LINE_EXC", In: fj, Optional: true},
			{Name: "line_exception_document", Type: Text, Zh: "例外依据文号", En: "exception document", Shp: "EXC_DOC", In: fj, Optional: true},
			{Name: "survey_area_m2", Type: Number, Zh: "图斑面积(平方米)", En: "survey area (m²)", Shp: "TBMJ", In: Export, Optional: true},
			{Name: "survey_deduction_m2", Type: Number, Zh: "扣除面积(平方米)", En: "survey deduction (m²)", Shp: "KCMJ", In: Export, Optional: true},
			{Name: "approved_area_m2", Type: Number, Zh: "批准面积(平方米)", En: "approved area (m²)", Shp: "PZMJ", In: Export, Optional: true},
			{Name: "contract_area_m2", Type: Number, Zh: "合同面积(平方米)", En: "contract area (m²)", Shp: "HTMJ", In: Export, Optional: true},
			{Name: "developed_share", Type: Number, Zh: "已开发比例", En: "developed share", Shp: "DEV_SHARE", In: Export, Optional: true},
			{Name: "invested_share", Type: Number, Zh: "已投资比例", En: "invested share", Shp: "INV_SHARE", In: Export, Optional: true},
			{Name: "halted_since", Type: Date, Zh: "中止开发日期", En: "halted since", Shp: "HALTED", In: Export, Optional: true},
			{Name: "land_price_wan", Type: Number, Zh: "价款(万元)", En: "land price (10k yuan)", Shp: "PRICE_WAN", In: Export, Optional: true},
			{Name: "updated_at", Type: DateTime, Zh: "更新时间", En: "updated at", Shp: "UPDATED", In: fj},
			{Name: "name", Type: Text, Zh: "地块名称", En: "name", Shp: "NAME", In: fj, Optional: true},
			{Name: "owner", Type: Text, Zh: "权属单位名称", En: "owner", Shp: "OWNER", In: fj, Optional: true},
			{Name: "remarks", Type: Text, Zh: "备注", En: "remarks", Shp: "REMARKS", In: fj, Optional: true},
			// Exports spread the attributes into columns of their own.
			{Name: "attributes", Type: Object, Zh: "其他属性", En: "other attributes", In: Feature},
			// Tiles below the detail zoom hold aggregate cells instead (kind "aggregate").
			{Name: "kind", Type: Text, Zh: "要素类型", En: "feature kind", In: Tile},
		}),
	},
}

package importer

import (
	"regexp"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Layer is a geography table that files are imported into and exported
// from. The names are the map's layer names (planning.LayerNames).
type Layer string

const (
	Districts Layer = "districts"
	Parks     Layer = "parks"
	Zones     Layer = "protected-zones"
	Parcels   Layer = "parcels"
)

// Layers lists the layers in the order a whole geography is loaded.
var Layers = []Layer{Districts, Parks, Zones, Parcels}

// ParseLayer reads a layer name.
func ParseLayer(s string) (Layer, error) {
	for _, l := range Layers {
		if string(l) == s {
			return l, nil
		}
	}
	if s == "zones" || s == "protected_zones" {
		return Zones, nil
	}
	return "", planning.Errorf(planning.ErrInvalid, "unknown layer %q (one of districts, parks, protected-zones, parcels)", s).
		WithDetail("parameter", "layer")
}

// Kind is how a field's text is read.
type Kind int

const (
	Text    Kind = iota // free text, trimmed
	Code                // an identifier: trimmed, no inner line breaks
	Float               // a number
	Int                 // a whole number
	Bool                // true/false, 1/0, yes/no, 是/否
	Date                // a calendar day
	Enum                // one of a fixed list (synonyms allowed)
	LandUse             // a land-use code in some scheme, crosswalked to the 2023 classes
	Adcode              // a 6-digit administrative code (longer codes are cut to their county)
)

func (k Kind) String() string {
	return [...]string{"text", "code", "number", "whole number", "true/false", "date", "choice", "land-use code", "administrative code"}[k]
}

// title is the kind's name for a message, kept for translation.
func (k Kind) title() planning.Text {
	switch k {
	case Text:
		return planning.Textf("text")
	case Code:
		return planning.Textf("code")
	case Float:
		return planning.Textf("number")
	case Int:
		return planning.Textf("whole number")
	case Bool:
		return planning.Textf("true/false")
	case Date:
		return planning.Textf("date")
	case Enum:
		return planning.Textf("choice")
	case LandUse:
		return planning.Textf("land-use code")
	}
	return planning.Textf("administrative code")
}

// EnumValue is one accepted value of an Enum field and the other spellings
// that mean it.
type EnumValue struct {
	Value    string
	Synonyms []string
}

// Field is one attribute a layer's features carry.
type Field struct {
	Name     string // canonical name: the export's property name and the field map's key
	Kind     Kind
	Required bool // every feature needs a value (after defaults)
	Key      bool // identifies the feature: upsert matches on it
	Derived  bool // may be left out: the database derives it from the outline
	Min, Max float64
	Ranged   bool // Min..Max apply
	Percent  bool // "35%" is read as 0.35
	Enum     []EnumValue
	Pattern  *regexp.Regexp // a Code must match it (after Upper, if set)
	Upper    bool           // codes are upper-cased
	Default  any            // the value a new feature gets when the file has no such field
	Aliases  []string       // source field names recognised without a field map, best first (lower case)
	Optional bool           // the database may not have this column (added by a later migration)
}

var (
	parcelCode = regexp.MustCompile(`^\S(.{0,62}\S)?$`)
	parkCode   = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,31}$`)
)

func statusEnum() []EnumValue {
	syn := map[planning.Status][]string{
		planning.StatusReserve:           {"储备"},
		planning.StatusFiled:             {"报批中", "报批", "农转用", "征收报批"},
		planning.StatusApproved:          {"已批未征", "已批", "批准"},
		planning.StatusExpropriated:      {"已征收", "已征"},
		planning.StatusSupplied:          {"已供地", "已供", "供地", "已出让", "已划拨"},
		planning.StatusUnderConstruction: {"在建", "under construction"},
		planning.StatusCompleted:         {"竣工", "已竣工"},
		planning.StatusInProduction:      {"投产", "已投产"},
		planning.StatusLowEfficiency:     {"低效", "低效用地"},
		planning.StatusRedevelopment:     {"再开发"},
	}
	out := make([]EnumValue, len(planning.Statuses))
	for i, s := range planning.Statuses {
		out[i] = EnumValue{Value: string(s.Code), Synonyms: append([]string{s.NameZh, s.NameEn}, syn[s.Code]...)}
	}
	return out
}

func parkKindEnum() []EnumValue {
	zh := map[planning.ParkKind][]string{
		planning.ParkCoreZone:               {"核心区"},
		planning.ParkSpecialCooperationZone: {"特别合作区"},
		planning.ParkSpecialCooperationPark: {"特别合作园"},
		planning.ParkCooperationPark:        {"合作园区", "合作园"},
		planning.ParkFunctionalPark:         {"功能园区"},
		planning.ParkEnclave:                {"科创飞地", "飞地"},
	}
	out := make([]EnumValue, len(planning.ParkKinds))
	for i, k := range planning.ParkKinds {
		out[i] = EnumValue{Value: string(k), Synonyms: zh[k]}
	}
	return out
}

func zoneKindEnum() []EnumValue {
	return []EnumValue{
		{string(planning.ZoneFarmland), []string{"永久基本农田", "基本农田"}},
		{string(planning.ZoneRedLine), []string{"生态保护红线", "生态红线"}},
		{string(planning.ZoneDevBoundary), []string{"城镇开发边界", "开发边界"}},
	}
}

var layerFields = map[Layer][]Field{
	Districts: {
		{Name: "adcode", Kind: Adcode, Required: true, Key: true, Aliases: []string{"adcode", "xzqdm", "xzqhdm", "行政区代码", "行政区划代码", "code"}},
		{Name: "name_zh", Kind: Text, Required: true, Aliases: []string{"name_zh", "name", "xzqmc", "行政区名称", "名称"}},
		{Name: "name_en", Kind: Text, Default: "", Aliases: []string{"name_en"}},
		{Name: "parent_adcode", Kind: Adcode, Aliases: []string{"parent_adcode", "parent", "上级代码"}},
	},
	Parks: {
		{Name: "code", Kind: Code, Required: true, Key: true, Pattern: parkCode, Upper: true, Aliases: []string{"code", "park_code", "yqdm", "园区代码"}},
		{Name: "name_zh", Kind: Text, Required: true, Aliases: []string{"name_zh", "name", "yqmc", "园区名称", "名称"}},
		{Name: "name_en", Kind: Text, Default: "", Aliases: []string{"name_en"}},
		{Name: "kind", Kind: Enum, Required: true, Enum: parkKindEnum(), Aliases: []string{"kind", "type", "类型"}},
		{Name: "host_district", Kind: Adcode, Required: true, Aliases: []string{"host_district", "host_district_adcode", "host", "host_distr", "所在区"}},
	},
	Zones: {
		{Name: "id", Kind: Int, Key: true, Aliases: []string{"id"}},
		{Name: "kind", Kind: Enum, Required: true, Enum: zoneKindEnum(), Aliases: []string{"kind", "type", "类型", "管控类型"}},
		{Name: "name", Kind: Text, Default: "", Aliases: []string{"name", "名称", "mc"}},
	},
	Parcels: {
		{Name: "code", Kind: Code, Required: true, Key: true, Pattern: parcelCode, Aliases: []string{"code", "parcel_code", "dkbh", "dkbm", "dkdm", "地块编号", "地块编码", "地块代码", "bsm"}},
		{Name: "district", Kind: Adcode, Derived: true, Aliases: []string{"district", "district_adcode", "xzqdm", "行政区代码", "zldwdm"}},
		{Name: "park", Kind: Code, Derived: true, Pattern: parkCode, Upper: true, Aliases: []string{"park", "park_code", "yqdm", "园区代码", "园区"}},
		{Name: "land_use", Kind: LandUse, Required: true, Aliases: []string{"land_use", "land_use_code", "ydyhfl", "yddm", "ydxz", "dlbm", "用地分类代码", "用地代码", "地类编码", "用地性质"}},
		{Name: "current_use", Kind: Code, Optional: true, Aliases: []string{"current_use", "current_use_code", "xzdlbm", "现状地类", "现状地类编码", "现状地类代码"}},
		{Name: "compatible_use", Kind: Code, Pattern: planning.LandUseCodePattern, Aliases: []string{"compatible_use", "compatible_use_code", "jrydfl", "兼容用途", "兼容用地"}},
		{Name: "compatible_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Optional: true, Aliases: []string{"compatible_share", "jrbl", "兼容用途比例", "兼容比例"}},
		{Name: "main_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Optional: true, Aliases: []string{"main_share", "zdbl", "主导用途比例", "主用途比例"}},
		{Name: "line_exception", Kind: Enum, Optional: true, Enum: []EnumValue{{"single_site_infrastructure", []string{"单独选址", "单独选址基础设施"}},
			{"state_council_major_project", []string{"国家重大项目", "国务院批准的国家重大项目"}}},
			Aliases: []string{"line_exception", "line_exc", "三线例外", "例外情形"}},
		{Name: "line_exception_document", Kind: Text, Optional: true, Aliases: []string{"line_exception_document", "exc_doc", "例外依据文号", "批准文号"}},
		{Name: "survey_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Optional: true, Aliases: []string{"survey_area_m2", "tbmj", "图斑面积"}},
		{Name: "survey_deduction_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Optional: true, Aliases: []string{"survey_deduction_m2", "kcmj", "扣除面积"}},
		{Name: "approved_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Optional: true, Aliases: []string{"approved_area_m2", "pzmj", "批准面积"}},
		{Name: "contract_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Optional: true, Aliases: []string{"contract_area_m2", "htmj", "合同面积", "出让面积"}},
		{Name: "status", Kind: Enum, Required: true, Enum: statusEnum(), Aliases: []string{"status", "zt", "状态", "地块状态"}},
		{Name: "plot_ratio", Kind: Float, Ranged: true, Min: 0, Max: 30, Aliases: []string{"plot_ratio", "far", "rjl", "容积率"}},
		{Name: "building_density", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"building_density", "bld_dens", "jzmd", "建筑密度"}},
		{Name: "green_ratio", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"green_ratio", "green_rat", "ldl", "绿地率"}},
		{Name: "affordable_housing", Kind: Bool, Default: false, Aliases: []string{"affordable_housing", "affordable", "bzxzf", "保障性住房", "保障房"}},
		{Name: "supply_method", Kind: Enum, Enum: []EnumValue{{"sale", []string{"出让"}}, {"allocation", []string{"划拨"}}},
			Aliases: []string{"supply_method", "supply", "gdfs", "供地方式"}},
		{Name: "approval_kind", Kind: Enum, Enum: []EnumValue{{"city_batch", []string{"城市批次", "批次"}}, {"single_site", []string{"单独选址"}}},
			Aliases: []string{"approval_kind", "approval", "pzlx", "批准类型", "报批类型"}},
		{Name: "approved_on", Kind: Date, Aliases: []string{"approved_on", "approved", "pzrq", "批准日期"}},
		{Name: "supplied_on", Kind: Date, Aliases: []string{"supplied_on", "supplied", "gdrq", "供地日期"}},
		{Name: "handed_over_on", Kind: Date, Optional: true, Aliases: []string{"handed_over_on", "handover", "jdrq", "交地日期", "交付土地日期"}},
		{Name: "agreed_start_on", Kind: Date, Aliases: []string{"agreed_start_on", "agreed_st", "ydkgrq", "约定开工日期"}},
		{Name: "actual_start_on", Kind: Date, Aliases: []string{"actual_start_on", "actual_st", "sjkgrq", "实际开工日期"}},
		{Name: "completed_on", Kind: Date, Aliases: []string{"completed_on", "completed", "jgrq", "竣工日期"}},
		{Name: "elevation_bottom", Kind: Float, Default: 0.0, Aliases: []string{"elevation_bottom", "elev_bot", "底部高程"}},
		{Name: "elevation_top", Kind: Float, Aliases: []string{"elevation_top", "elev_top", "顶部高程"}},
		{Name: "construction_land", Kind: Bool, Default: false, Aliases: []string{"construction_land", "constr", "建设用地", "已建设用地"}},
		{Name: "government_delay", Kind: Bool, Default: false, Aliases: []string{"government_delay", "gov_delay", "政府原因"}},
		{Name: "developed_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Optional: true, Aliases: []string{"developed_share", "dev_share", "已开发比例"}},
		{Name: "invested_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Optional: true, Aliases: []string{"invested_share", "inv_share", "已投资比例"}},
		{Name: "halted_since", Kind: Date, Optional: true, Aliases: []string{"halted_since", "halted", "中止日期"}},
		{Name: "land_price_wan", Kind: Float, Ranged: true, Min: 0, Max: 1e12, Optional: true, Aliases: []string{"land_price_wan", "price_wan", "价款", "出让价款"}},
		{Name: "name", Kind: Text, Optional: true, Aliases: []string{"name", "dkmc", "地块名称", "xmmc", "项目名称", "名称"}},
		{Name: "owner", Kind: Text, Optional: true, Aliases: []string{"owner", "qsdwmc", "权属单位名称", "qlr", "权利人", "tdsyqr", "土地使用权人"}},
		{Name: "remarks", Kind: Text, Optional: true, Aliases: []string{"remarks", "remark", "bz", "备注"}},
	},
}

// Fields lists the attributes a layer's features carry, in a fixed order:
// a Row's Values follow it.
func Fields(l Layer) []Field { return layerFields[l] }

// FieldIndex returns the position of a field of l, or -1.
func FieldIndex(l Layer, name string) int {
	for i, f := range layerFields[l] {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// KeyField is the field that identifies a feature of l.
func KeyField(l Layer) Field {
	for _, f := range layerFields[l] {
		if f.Key {
			return f
		}
	}
	panic("importer: layer without a key: " + string(l))
}

func fieldNames(l Layer) string {
	var names []string
	for _, f := range layerFields[l] {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// enumValues lists a field's canonical values for messages.
func (f *Field) enumValues() string {
	var v []string
	for _, e := range f.Enum {
		s := e.Value
		if len(e.Synonyms) > 0 {
			s += " (" + e.Synonyms[0] + ")"
		}
		v = append(v, s)
	}
	return strings.Join(v, ", ")
}

// AttributesField is the property under which landquota's own GeoJSON
// (/api/layers, OGC API) carries a parcel's other attributes.
const AttributesField = "attributes"

// derivedNames are the properties landquota adds to what it writes (ids,
// names of codes, areas, clocks) under their export and Shapefile names:
// read back from an export they are not attributes of the parcel.
var derivedNames = func() map[string]bool {
	out := map[string]bool{"underground": true, "created_at": true, "ogc_fid": true, "fid": true}
	for _, f := range ExportFields(Parcels) {
		if FieldIndex(Parcels, f.Name) < 0 {
			out[strings.ToLower(f.Name)], out[strings.ToLower(f.Shp)] = true, true
		}
	}
	return out
}()

// keepsAttributes reports whether l stores the attributes no field reads.
func keepsAttributes(l Layer) bool { return l == Parcels }

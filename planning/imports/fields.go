package imports

import (
	"regexp"
	"slices"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
)

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

// kindTitles name the kinds, in their order, kept for translation.
var kindTitles = [...]planning.Text{Text: planning.Textf("text"), Code: planning.Textf("code"), Float: planning.Textf("number"),
	Int: planning.Textf("whole number"), Bool: planning.Textf("true/false"), Date: planning.Textf("date"), Enum: planning.Textf("choice"),
	LandUse: planning.Textf("land-use code"), Adcode: planning.Textf("administrative code")}

func (k Kind) String() string { return kindTitles[k].String() }

// Title is the kind's name for a message, kept for translation.
func (k Kind) Title() planning.Text { return kindTitles[k] }

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
	// Aliases are the source field names recognised without a field map,
	// best first, compared without case. The names landquota itself writes
	// come from the layer catalog, so that an export reads back: the
	// column's name and its Shapefile name first, its Chinese label last.
	// The table below lists the other spellings (pinyin initials, survey
	// names, synonyms) in between, and the label too where it must win
	// over one of them; withCatalog puts them together.
	Aliases []string
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

// layerFields are importFields with the names the catalog gives each
// column among its aliases.
var layerFields = withCatalog(importFields)

// importFields are the fields each layer imports, with the spellings of
// their source fields that the catalog does not give (see Field.Aliases).
var importFields = map[Layer][]Field{
	Districts: {
		{Name: "adcode", Kind: Adcode, Required: true, Key: true, Aliases: []string{"xzqdm", "xzqhdm", "行政区代码", "行政区划代码", "code"}},
		{Name: "name_zh", Kind: Text, Required: true, Aliases: []string{"name", "xzqmc", "行政区名称"}},
		{Name: "name_en", Kind: Text, Default: ""},
		{Name: "parent_adcode", Kind: Adcode},
	},
	Parks: {
		{Name: "code", Kind: Code, Required: true, Key: true, Pattern: parkCode, Upper: true, Aliases: []string{"park_code", "yqdm"}},
		{Name: "name_zh", Kind: Text, Required: true, Aliases: []string{"name", "yqmc", "园区名称", "名称"}},
		{Name: "name_en", Kind: Text, Default: ""},
		{Name: "kind", Kind: Enum, Required: true, Enum: parkKindEnum(), Aliases: []string{"type"}},
		{Name: "host_district", Kind: Adcode, Required: true, Aliases: []string{"host_district_adcode", "host"}},
	},
	Zones: {
		{Name: "id", Kind: Int, Key: true},
		{Name: "kind", Kind: Enum, Required: true, Enum: zoneKindEnum(), Aliases: []string{"type", "类型", "管控类型"}},
		{Name: "name", Kind: Text, Default: "", Aliases: []string{"名称", "mc"}},
	},
	Parcels: {
		{Name: "code", Kind: Code, Required: true, Key: true, Pattern: parcelCode, Aliases: []string{"parcel_code", "dkbh", "dkbm", "dkdm", "地块编号", "地块编码", "地块代码", "bsm"}},
		{Name: "district", Kind: Adcode, Derived: true, Aliases: []string{"district_adcode", "xzqdm", "行政区代码", "zldwdm"}},
		{Name: "park", Kind: Code, Derived: true, Pattern: parkCode, Upper: true, Aliases: []string{"park_code", "yqdm", "园区代码", "园区"}},
		{Name: "land_use", Kind: LandUse, Required: true, Aliases: []string{"land_use_code", "ydyhfl", "yddm", "ydxz", "dlbm", "用地分类代码", "用地代码", "地类编码", "用地性质"}},
		{Name: "current_use", Kind: Code, Aliases: []string{"current_use_code", "xzdlbm", "现状地类", "现状地类编码"}},
		{Name: "compatible_use", Kind: Code, Pattern: planning.LandUseCodePattern, Aliases: []string{"compatible_use_code", "jrydfl", "兼容用途", "兼容用地"}},
		{Name: "compatible_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"jrbl", "兼容用途比例", "兼容比例"}},
		{Name: "main_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"zdbl", "主导用途比例", "主用途比例"}},
		{Name: "line_exception", Kind: Enum, Enum: []EnumValue{{"single_site_infrastructure", []string{"单独选址", "单独选址基础设施"}},
			{"state_council_major_project", []string{"国家重大项目", "国务院批准的国家重大项目"}}},
			Aliases: []string{"三线例外", "例外情形"}},
		{Name: "line_exception_document", Kind: Text, Aliases: []string{"例外依据文号", "批准文号"}},
		{Name: "survey_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Aliases: []string{"图斑面积"}},
		{Name: "survey_deduction_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Aliases: []string{"扣除面积"}},
		{Name: "approved_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Aliases: []string{"批准面积"}},
		{Name: "contract_area_m2", Kind: Float, Ranged: true, Min: 0, Max: 1e9, Aliases: []string{"合同面积", "出让面积"}},
		{Name: "status", Kind: Enum, Required: true, Enum: statusEnum(), Aliases: []string{"zt", "状态", "地块状态"}},
		{Name: "plot_ratio", Kind: Float, Ranged: true, Min: 0, Max: 30, Aliases: []string{"far", "rjl"}},
		{Name: "building_density", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"jzmd"}},
		{Name: "green_ratio", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true, Aliases: []string{"ldl"}},
		{Name: "affordable_housing", Kind: Bool, Default: false, Aliases: []string{"bzxzf", "保障性住房", "保障房"}},
		{Name: "supply_method", Kind: Enum, Enum: []EnumValue{{"sale", []string{"出让"}}, {"allocation", []string{"划拨"}}},
			Aliases: []string{"gdfs"}},
		{Name: "approval_kind", Kind: Enum, Enum: []EnumValue{{"city_batch", []string{"城市批次", "批次"}}, {"single_site", []string{"单独选址"}}},
			Aliases: []string{"pzlx", "批准类型", "报批类型"}},
		{Name: "approved_on", Kind: Date, Aliases: []string{"pzrq"}},
		{Name: "supplied_on", Kind: Date, Aliases: []string{"gdrq"}},
		{Name: "handed_over_on", Kind: Date, Aliases: []string{"jdrq", "交地日期", "交付土地日期"}},
		{Name: "agreed_start_on", Kind: Date, Aliases: []string{"ydkgrq"}},
		{Name: "actual_start_on", Kind: Date, Aliases: []string{"sjkgrq"}},
		{Name: "completed_on", Kind: Date, Aliases: []string{"jgrq"}},
		{Name: "elevation_bottom", Kind: Float, Default: 0.0, Aliases: []string{"底部高程"}},
		{Name: "elevation_top", Kind: Float, Aliases: []string{"顶部高程"}},
		{Name: "construction_land", Kind: Bool, Default: false, Aliases: []string{"建设用地", "已建设用地"}},
		{Name: "government_delay", Kind: Bool, Default: false, Aliases: []string{"政府原因"}},
		{Name: "developed_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true},
		{Name: "invested_share", Kind: Float, Ranged: true, Min: 0, Max: 1, Percent: true},
		{Name: "halted_since", Kind: Date, Aliases: []string{"中止日期"}},
		{Name: "land_price_wan", Kind: Float, Ranged: true, Min: 0, Max: 1e12, Aliases: []string{"价款", "出让价款"}},
		{Name: "name", Kind: Text, Aliases: []string{"dkmc", "地块名称", "xmmc", "项目名称", "名称"}},
		{Name: "owner", Kind: Text, Aliases: []string{"qsdwmc", "权属单位名称", "qlr", "权利人", "tdsyqr", "土地使用权人"}},
		{Name: "remarks", Kind: Text, Aliases: []string{"remark", "bz"}},
	},
}

// withCatalog completes each field's aliases with the names of its catalog
// column: its name and Shapefile name before the table's spellings, its
// Chinese label after them (a field the catalog does not show, such as
// main_share, has its name first).
func withCatalog(tables map[Layer][]Field) map[Layer][]Field {
	out := map[Layer][]Field{}
	for l, fields := range tables {
		cat, _ := catalog.Find(string(l))
		out[l] = make([]Field, len(fields))
		for i, f := range fields {
			all := []string{f.Name}
			c, ok := cat.Column(f.Name)
			if ok {
				all = append(all, strings.ToLower(c.Shp))
			}
			all = append(all, f.Aliases...)
			if ok {
				all = append(all, c.Zh)
			}
			var aliases []string
			for _, a := range all {
				if a != "" && !slices.ContainsFunc(aliases, func(b string) bool { return strings.EqualFold(a, b) }) {
					aliases = append(aliases, a)
				}
			}
			f.Aliases = aliases
			out[l][i] = f
		}
	}
	return out
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
	panic("imports: layer without a key: " + string(l))
}

// FieldNames lists l's field names for messages.
func FieldNames(l Layer) string {
	var names []string
	for _, f := range layerFields[l] {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// EnumValues lists a field's canonical values for messages.
func (f *Field) EnumValues() string {
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

package importer

import (
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Scheme is the code list a file's land-use codes are written in.
type Scheme string

const (
	// SchemeAuto decides per field and value: a field named DLBM holds
	// GB/T 21010 (三调) codes; codes starting with a letter (M1, R2) are
	// GB 50137; other digits are read as the 2023 classes.
	SchemeAuto Scheme = "auto"
	// Scheme2023 is 用地用海分类 (自然资发〔2023〕234号): the codes are stored as they are.
	Scheme2023 Scheme = "2023"
	// SchemeGBT21010 is GB/T 21010-2017 土地利用现状分类 and the third land
	// survey's working list (三调工作分类: 05H1, 08H2, 1104A ...).
	SchemeGBT21010 Scheme = "gbt21010"
	// SchemeGB50137 is GB 50137-2011 城市用地分类与规划建设用地标准 (R2, M1, W1 ...).
	SchemeGB50137 Scheme = "gb50137"
)

// Schemes lists the schemes a field map may name.
var Schemes = []Scheme{SchemeAuto, Scheme2023, SchemeGBT21010, SchemeGB50137}

// ParseScheme reads a scheme name; "" is auto.
func ParseScheme(s string) (Scheme, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return SchemeAuto, nil
	case "2023", "ydyh", "用地用海":
		return Scheme2023, nil
	case "gbt21010", "gb/t21010", "gb/t 21010", "gb/t21010-2017", "21010", "三调", "sandiao", "dlbm":
		return SchemeGBT21010, nil
	case "gb50137", "gb 50137", "gb50137-2011", "50137":
		return SchemeGB50137, nil
	}
	return "", planning.Errorf(planning.ErrInvalid, "unknown land-use scheme %q (one of auto, 2023, gbt21010, gb50137)", s).
		WithDetail("field", "land_use_scheme")
}

// Title names a scheme for people.
func (s Scheme) Title() string {
	switch s {
	case Scheme2023:
		return "用地用海分类 2023"
	case SchemeGBT21010:
		return "GB/T 21010-2017 (三调)"
	case SchemeGB50137:
		return "GB 50137-2011"
	}
	return "auto"
}

// gbt21010 maps GB/T 21010-2017 (and the 三调 working list) to the 2023
// classes. Only correspondences that hold class for class are listed; a code
// whose land the 2023 guide splits over several classes maps to the common
// parent (0809 公用设施用地 → 13), and codes without a clear counterpart
// (0906 风景名胜设施用地, H-suffixed groups that mix classes) are left out
// so that they are reported, not guessed. A field map's "crosswalk" adds to
// or overrides these.
var gbt21010 = map[string]string{
	// 01 耕地
	"01": "01", "0101": "0101", "0102": "0102", "0103": "0103",
	// 02 园地 (0204 其他园地 is 0205 in 2023, which added 0204 油料园地)
	"02": "02", "0201": "0201", "0202": "0202", "0203": "0203", "0204": "0205",
	// 03 林地 (红树林地 and the swamps moved to 05 湿地 in 2023)
	"0301": "0301", "0302": "0302", "0303": "0507", "0304": "0501", "0305": "0303", "0306": "0502", "0307": "0304",
	// 04 草地
	"0401": "0401", "0402": "0503", "0403": "0402", "0404": "0403",
	// 05 商服用地 (三调: 05H1 商业服务业设施用地, 0508 物流仓储用地)
	"05": "09", "0501": "090101", "0502": "090102", "0503": "090103", "0504": "090104",
	"0505": "0902", "0506": "0903", "0507": "0904", "05H1": "09", "0508": "1101",
	// 06 工矿仓储用地 (三调: 06 工矿用地)
	"0601": "1001", "0602": "1002", "0603": "1003", "0604": "1101",
	// 07 住宅用地
	"07": "07", "0701": "0701", "0702": "0703",
	// 08 公共管理与公共服务用地 (三调: 08H1 机关团体新闻出版用地, 08H2 科教文卫用地, 08H2A 高教用地)
	"08": "08", "0801": "0801", "0803": "0804", "0804": "0802", "0805": "0806", "0806": "0807",
	"0807": "0803", "0808": "0805", "0809": "13", "0810": "14", "0810A": "1403", "08H1": "08", "08H2": "08", "08H2A": "080401",
	// 09 特殊用地
	"09": "15", "0901": "1501", "0902": "1502", "0903": "1505", "0904": "1503", "0905": "1506",
	// 10 交通运输用地
	"10": "12", "1001": "1201", "1002": "1206", "1003": "1202", "1004": "1207", "1005": "1208",
	"1006": "0601", "1007": "1203", "1008": "1204", "1009": "1205",
	// 11 水域及水利设施用地
	"1101": "1701", "1102": "1702", "1103": "1703", "1104": "1704", "1104A": "1704", "1105": "0505", "1106": "0506",
	"1107": "1705", "1107A": "1705", "1108": "0504", "1109": "1311", "1110": "1706",
	// 12 其他土地
	"1201": "2301", "1202": "0602", "1203": "2303", "1204": "2304", "1205": "2305", "1206": "2306", "1207": "2307",
}

// gb50137 maps GB 50137-2011 planning codes to the 2023 classes, with the
// same rule: class for class, a parent where the 2023 guide splits a class,
// and nothing where the counterpart is unclear (H9, E2 ...).
var gb50137 = map[string]string{
	// R 居住用地
	"R": "07", "R1": "070101", "R11": "070101", "R12": "0702", "R2": "070102", "R21": "070102", "R22": "0702",
	"R3": "070103", "R31": "070103", "R32": "0702",
	// A 公共管理与公共服务设施用地
	"A": "08", "A1": "0801", "A2": "0803", "A21": "080301", "A22": "080302", "A3": "08", "A31": "080401",
	"A32": "080402", "A33": "080403", "A34": "080405", "A35": "0802", "A4": "0805", "A41": "080501",
	"A42": "080502", "A5": "0806", "A51": "080601", "A52": "080603", "A59": "0806", "A6": "0807",
	"A7": "1504", "A8": "1502", "A9": "1503",
	// B 商业服务业设施用地
	"B": "09", "B1": "0901", "B11": "090101", "B12": "090102", "B13": "090103", "B14": "090104",
	"B2": "0902", "B21": "0902", "B29": "0902", "B3": "0903", "B31": "0903", "B4": "090105", "B41": "090105",
	"B49": "090105", "B9": "0904",
	// M 工业用地
	"M": "1001", "M1": "100101", "M2": "100102", "M3": "100103",
	// W 物流仓储用地
	"W": "1101", "W1": "110101", "W2": "110102", "W3": "110103",
	// S 道路与交通设施用地
	"S": "12", "S1": "1207", "S2": "1206", "S3": "1208", "S4": "1208", "S41": "120802", "S42": "120803", "S9": "1209",
	// U 公用设施用地
	"U": "13", "U1": "13", "U11": "1301", "U12": "1303", "U13": "1304", "U14": "1305", "U15": "1306",
	"U16": "1308", "U2": "13", "U21": "1302", "U22": "1309", "U3": "13", "U31": "1310", "U32": "1311", "U9": "1312",
	// G 绿地与广场用地
	"G": "14", "G1": "1401", "G2": "1402", "G3": "1403",
	// H 建设用地 (区域): only the classes with one counterpart
	"H21": "1201", "H22": "1202", "H23": "1204", "H24": "1203", "H25": "1205", "H3": "13", "H41": "1501", "H5": "1002",
	// E 非建设用地
	"E12": "1703", "E9": "23",
}

// normalizeCode trims a code, upper-cases it, and turns full-width letters
// and digits (ｍ１) into ASCII.
func normalizeCode(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			r = r - 'ａ' + 'A'
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		case r == ' ' || r == '\t' || r == '　':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Crosswalk maps a code written in scheme to a 2023 class code. extra (a
// field map's crosswalk) is consulted first. ok is false when the code has
// no mapping: the caller reports it. A 2023 code is returned as it is; the
// database checks that the class exists.
func Crosswalk(scheme Scheme, code string, extra map[string]string) (string, bool) {
	c := normalizeCode(code)
	if c == "" {
		return "", false
	}
	if to, ok := extra[c]; ok {
		return to, true
	}
	switch scheme {
	case Scheme2023:
		if !planning.LandUseCodePattern.MatchString(c) {
			return "", false
		}
		return c, true
	case SchemeGBT21010:
		if to, ok := gbt21010[c]; ok {
			return to, true
		}
		// 三调 marks land that may be adjusted (可调整地类) with a K: 0201K is an orchard.
		if base, ok := strings.CutSuffix(c, "K"); ok {
			if to, ok := gbt21010[base]; ok {
				return to, true
			}
		}
		return "", false
	case SchemeGB50137:
		to, ok := gb50137[c]
		return to, ok
	}
	return "", false
}

// autoScheme picks the scheme of one value for SchemeAuto: letters first
// means GB 50137; digits follow the field's scheme (GB/T 21010 for DLBM,
// else 2023).
func autoScheme(fieldScheme Scheme, code string) Scheme {
	c := normalizeCode(code)
	if c != "" && c[0] >= 'A' && c[0] <= 'Z' {
		return SchemeGB50137
	}
	if fieldScheme == SchemeAuto {
		return Scheme2023
	}
	return fieldScheme
}

// CrosswalkTargets lists every 2023 code the built-in crosswalks map to (for
// the test that keeps them inside the class table).
func CrosswalkTargets() map[string]bool {
	out := map[string]bool{}
	for _, m := range []map[string]string{gbt21010, gb50137} {
		for _, v := range m {
			out[v] = true
		}
	}
	return out
}

// surveyField reports whether a field's name says it holds 三调 (GB/T 21010)
// codes: DLBM 地类编码 and its variants (XZDLBM 现状地类编码, TBDLBM ...).
// Their four digits look like 2023 codes (0601 is 工业用地 in 三调, 农村道路
// in 2023), so the name decides, never the value.
func surveyField(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return strings.Contains(n, "dlbm") || strings.Contains(n, "地类编码") || strings.Contains(n, "地类代码")
}

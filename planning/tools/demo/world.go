package demo

import (
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// The built-in geography. Every coordinate below was drawn by hand for
// this generator (rounded to 0.001°, 15-40 vertices per district) to sit
// roughly where the real places are; none is taken from an official or
// third-party boundary. Districts share their common borders vertex for
// vertex, so they do not overlap.

// Adcodes the generator develops.
const (
	AdcodeBinjiang = "330108"
	AdcodeXiaoshan = "330109"
	AdcodeFuyang   = "330111"
	adcodeHangzhou = "330100"
)

// Park codes of the built-in parks.
const (
	ParkHTZ     = "HTZ"
	ParkBinfu   = "BINFU"
	ParkBinxiao = "BINXIAO"
)

// Binjiang / Xiaoshan border, from the Qiantang river in the north-east
// round to the river in the south-west.
var borderBinjiangXiaoshan = [][2]float64{
	{120.218, 30.238}, {120.231, 30.215}, {120.231, 30.188}, {120.219, 30.178},
	{120.220, 30.160}, {120.214, 30.143}, {120.195, 30.142}, {120.172, 30.156},
	{120.156, 30.147}, {120.141, 30.139},
}

// Binjiang's south bank of the Qiantang, south-west to north-east.
var binjiangRiverBank = [][2]float64{
	{120.127, 30.150}, {120.119, 30.168}, {120.123, 30.185}, {120.138, 30.198},
	{120.163, 30.207}, {120.183, 30.218}, {120.203, 30.229},
}

// Xiaoshan / Fuyang border, north to south.
var borderXiaoshanFuyang = [][2]float64{
	{120.132, 30.086}, {120.127, 30.050}, {120.128, 30.014}, {120.096, 29.986},
	{120.078, 29.920}, {120.084, 29.872}, {120.098, 29.838},
}

// The rest of Xiaoshan, clockwise from the Fuyang border to the Qiantang.
var xiaoshanRest = [][2]float64{
	{120.160, 29.918}, {120.215, 29.944}, {120.306, 29.931}, {120.357, 29.977},
	{120.322, 30.050}, {120.330, 30.098}, {120.290, 30.112}, {120.380, 30.158},
	{120.440, 30.138}, {120.480, 30.173}, {120.588, 30.150}, {120.650, 30.226},
	{120.565, 30.236}, {120.553, 30.262}, {120.456, 30.258}, {120.433, 30.299},
	{120.352, 30.253}, {120.290, 30.291}, {120.245, 30.274},
}

// The rest of Fuyang, anticlockwise from the north end of the Xiaoshan
// border round to its south end.
var fuyangRest = [][2]float64{
	{120.028, 30.097}, {119.997, 30.118}, {120.012, 30.166}, {119.935, 30.162},
	{119.920, 30.190}, {119.858, 30.182}, {119.765, 30.086}, {119.650, 30.133},
	{119.566, 30.198}, {119.440, 30.140}, {119.433, 30.095}, {119.500, 30.072},
	{119.505, 30.012}, {119.545, 29.977}, {119.628, 29.930}, {119.705, 29.864},
	{119.815, 29.882}, {119.855, 29.842}, {119.860, 29.775}, {119.923, 29.750},
	{120.025, 29.772}, {120.035, 29.825},
}

// Park block templates. Each is scaled about its centroid (in EPSG:4549) to
// its published area, so only the shape and place matter here.
type parkBlockSpec struct {
	name   string
	areaM2 float64
	shape  [][2]float64
}

var binfuBlocks = []parkBlockSpec{
	{"富春湾新城", 5.8e6, [][2]float64{
		{120.038, 30.048}, {120.066, 30.047}, {120.073, 30.055}, {120.071, 30.066},
		{120.052, 30.068}, {120.040, 30.066}, {120.035, 30.058},
	}},
}

var binxiaoBlocks = []parkBlockSpec{
	{"未来产业社区", 7.13e6, [][2]float64{
		{120.194, 30.105}, {120.219, 30.104}, {120.222, 30.118}, {120.219, 30.130},
		{120.207, 30.134}, {120.193, 30.132}, {120.190, 30.118},
	}},
	{"三江创智新城", 5.36e6, [][2]float64{
		{120.186, 30.046}, {120.212, 30.044}, {120.216, 30.052}, {120.210, 30.064},
		{120.192, 30.066}, {120.183, 30.057},
	}},
	{"湖头陈", 13.49e6 - 7.13e6 - 5.36e6, [][2]float64{
		{120.244, 30.161}, {120.255, 30.160}, {120.257, 30.166}, {120.251, 30.170},
		{120.243, 30.169},
	}},
}

// 湘湖 (Xiang Lake), south of Binjiang: water, kept free of parcels.
var xianghuLake = [][2]float64{
	{120.226, 30.134}, {120.234, 30.133}, {120.240, 30.140}, {120.241, 30.150},
	{120.236, 30.158}, {120.228, 30.157}, {120.224, 30.148}, {120.223, 30.140},
}

// 富春江 (Fuchun river) centre line through Fuyang, west to east.
var fuchunRiver = [][2]float64{
	{119.600, 29.860}, {119.720, 29.890}, {119.820, 29.950}, {119.900, 30.000},
	{119.960, 30.035}, {120.010, 30.030}, {120.060, 30.030}, {120.100, 30.045},
	{120.125, 30.075}, {120.145, 30.095},
}

const fuchunHalfWidth = 220.0

// Town centres that, with the parks, seed the growth of each district.
var townSeeds = map[string][2]float64{
	AdcodeXiaoshan: {120.265, 30.165}, // 萧山城区
	AdcodeFuyang:   {119.960, 30.052}, // 富阳城区
}

// Hills under the ecological red line (生态保护红线): lon, lat, radius m.
var redLineHills = []struct {
	district, name string
	lon, lat, r    float64
}{
	{AdcodeFuyang, "富阳区生态保护红线(西部山区)", 119.700, 29.980, 4200},
	{AdcodeFuyang, "富阳区生态保护红线(龙门山)", 119.880, 29.830, 3200},
	{AdcodeFuyang, "富阳区生态保护红线(北部山区)", 119.580, 30.110, 3600},
	{AdcodeXiaoshan, "萧山区生态保护红线(南部山区)", 120.260, 29.975, 3300},
	{AdcodeXiaoshan, "萧山区生态保护红线(石牛山)", 120.300, 30.040, 2200},
}

type districtSpec struct {
	adcode, zh, en string
	ring           [][2]float64
}

func builtinDistrictSpecs() []districtSpec {
	rev := func(a [][2]float64) [][2]float64 {
		b := make([][2]float64, len(a))
		for i := range a {
			b[i] = a[len(a)-1-i]
		}
		return b
	}
	cat := func(parts ...[][2]float64) [][2]float64 {
		var out [][2]float64
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return []districtSpec{
		{AdcodeBinjiang, "滨江区", "Binjiang", cat(borderBinjiangXiaoshan, binjiangRiverBank)},
		{AdcodeXiaoshan, "萧山区", "Xiaoshan", cat(borderBinjiangXiaoshan, [][2]float64{{120.176, 30.110}}, borderXiaoshanFuyang, xiaoshanRest)},
		{AdcodeFuyang, "富阳区", "Fuyang", cat(rev(borderXiaoshanFuyang), fuyangRest)},
	}
}

// BuiltinDistricts returns the hand-drawn approximations of Binjiang,
// Xiaoshan and Fuyang used when Options.Districts is empty.
func BuiltinDistricts() []planning.District {
	var out []planning.District
	for _, s := range builtinDistrictSpecs() {
		ring := lonLatRing(s.ring)
		mp := orb.MultiPolygon{toLonLatPolygon(ring)}
		out = append(out, planning.District{
			Adcode: s.adcode, NameZh: s.zh, NameEn: s.en, ParentAdcode: adcodeHangzhou,
			Outline: mp, AreaM2: areaOf(mp),
		})
	}
	return out
}

// builtinParks builds BINFU and BINXIAO from their templates (HTZ is added
// from the Binjiang outline by the caller).
func builtinParks() []planning.Park {
	mk := func(code, zh, en string, kind planning.ParkKind, host string, blocks []parkBlockSpec) planning.Park {
		var mp orb.MultiPolygon
		for _, b := range blocks {
			r := scaleRingTo(lonLatRing(b.shape), b.areaM2)
			mp = append(mp, toLonLatPolygon(r))
		}
		return planning.Park{Code: code, NameZh: zh, NameEn: en, Kind: kind, HostDistrict: host, Outline: mp, AreaM2: areaOf(mp)}
	}
	return []planning.Park{
		mk(ParkBinfu, "杭州高新区(滨江)富阳特别合作区", "Binfu Special Cooperation Zone",
			planning.ParkSpecialCooperationZone, AdcodeFuyang, binfuBlocks),
		mk(ParkBinxiao, "杭州高新区(滨江)萧山特别合作园", "Binxiao Special Cooperation Park",
			planning.ParkSpecialCooperationPark, AdcodeXiaoshan, binxiaoBlocks),
	}
}

func htzPark(binjiang planning.District) planning.Park {
	return planning.Park{
		Code: ParkHTZ, NameZh: "杭州国家高新区(滨江)", NameEn: "Hangzhou National High-tech Zone (Binjiang)",
		Kind: planning.ParkCoreZone, HostDistrict: binjiang.Adcode,
		Outline: cloneMultiPolygon(binjiang.Outline), AreaM2: areaOf(binjiang.Outline),
	}
}

func cloneMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			out[i][j] = append(orb.Ring(nil), r...)
		}
	}
	return out
}

package importer

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/geo/geotest"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestCrosswalks(t *testing.T) {
	cases := []struct {
		scheme Scheme
		code   string
		want   string
		ok     bool
	}{
		{SchemeGBT21010, "0601", "1001", true},  // 工业用地
		{SchemeGBT21010, "0602", "1002", true},  // 采矿用地
		{SchemeGBT21010, "0508", "1101", true},  // 三调 物流仓储用地
		{SchemeGBT21010, "0702", "0703", true},  // 农村宅基地
		{SchemeGBT21010, "1006", "0601", true},  // 农村道路: same code, different class
		{SchemeGBT21010, "0201K", "0201", true}, // 可调整果园
		{SchemeGBT21010, " 0101 ", "0101", true},
		{SchemeGBT21010, "0906", "", false}, // 风景名胜设施用地: no single class
		{SchemeGBT21010, "9999", "", false},
		{SchemeGB50137, "M1", "100101", true},
		{SchemeGB50137, "m2", "100102", true},
		{SchemeGB50137, "Ｍ３", "100103", true}, // full-width
		{SchemeGB50137, "R2", "070102", true},
		{SchemeGB50137, "W1", "110101", true},
		{SchemeGB50137, "A35", "0802", true},
		{SchemeGB50137, "H9", "", false},
		{Scheme2023, "100101", "100101", true},
		{Scheme2023, "M1", "", false},
		{Scheme2023, "101", "", false},
	}
	for _, c := range cases {
		got, ok := Crosswalk(c.scheme, c.code, nil)
		if got != c.want || ok != c.ok {
			t.Errorf("Crosswalk(%s, %q) = %q, %v; want %q, %v", c.scheme, c.code, got, ok, c.want, c.ok)
		}
	}
	if got, ok := Crosswalk(SchemeGBT21010, "0906", map[string]string{"0906": "1504"}); got != "1504" || !ok {
		t.Errorf("a field map's crosswalk is not used: %q %v", got, ok)
	}
	if got, _ := Crosswalk(SchemeGBT21010, "0601", map[string]string{"0601": "100102"}); got != "100102" {
		t.Errorf("a field map's crosswalk does not override the built-in one: %q", got)
	}
	for code := range CrosswalkTargets() {
		if !planning.LandUseCodePattern.MatchString(code) {
			t.Errorf("crosswalk target %q is not a 2023 code", code)
		}
	}
	if autoScheme(SchemeAuto, "M1") != SchemeGB50137 || autoScheme(SchemeAuto, "1001") != Scheme2023 || autoScheme(SchemeGBT21010, "0601") != SchemeGBT21010 {
		t.Error("autoScheme")
	}
}

func TestFieldMapIsStrict(t *testing.T) {
	bad := map[string]string{
		`{"fields":{"code":"DKBH"},"extra":1}`:           "unknown field",
		`{"fields":{"kode":"DKBH"}}`:                     `no field "kode"`,
		`{"fields":{"code":7}}`:                          "field map: field fields.code: expected a string",
		`{"fields":"code"}`:                              "expected an object",
		`[1,2]`:                                          "JSON object",
		`{"land_use_scheme":"gb9999"}`:                   "unknown land-use scheme",
		`{"crosswalk":{"0906":"15x"}}`:                   "2023 class code",
		`{"values":{"code":{"a":"b"}}}`:                  "only choice fields",
		`{"values":{"status":{"已挂牌":"listed"}}}`:         "must be one of",
		`{"defaults":{"plot_ratio":"lots"}}`:             "not a number",
		`{"defaults":{"status":"nonsense"}}`:             "not one of",
		`{"defaults":{"land_use":"M1"}}`:                 "2023 class code",
		`{"layer":"parks"}`:                              "not parcels",
		`{"fields":{"code":"A"}} {"fields":{}}`:          "more than one",
		`{"fields":{"code":"A"`:                          "ends in the middle",
		`{"defaults":{"plot_ratio":NaN}}`:                "not valid JSON",
		``:                                               "empty",
		`{"defaults":{"building_density":"135%"}}`:       "outside",
		`{"defaults":{"approved_on":"2024-02-30"}}`:      "not a date",
		`{"defaults":{"affordable_housing":"perhaps"}}`:  "not true or false",
		`{"values":{"status":{"":"reserve"}}}`:           "empty spelling",
		`{"crosswalk":{" ":"1001"}}`:                     "empty source code",
		`{"defaults":{"elevation_top":{"a":1}}}`:         "expected number",
		`{"fields":{"code":"A"},"defaults":{"code":[]}}`: "expected code",
	}
	for text, want := range bad {
		_, err := ParseFieldMap(imports.Parcels, []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFieldMap(%s): %v; want an error with %q", text, err, want)
		}
		if planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("ParseFieldMap(%s): code %s, want invalid", text, planning.CodeOf(err))
		}
	}
	m, err := ParseFieldMap(imports.Parcels, []byte(`{"layer":"parcels","fields":{"code":"DKBH","park":""},"defaults":{"status":"已供地","plot_ratio":2.5},
		"land_use_scheme":"三调","crosswalk":{"0906":"1504"},"values":{"status":{"已挂牌":"reserve"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.LandUseScheme != SchemeGBT21010 {
		t.Errorf("scheme %q", m.LandUseScheme)
	}
	mp, err := m.Resolve(imports.Parcels, []string{"DKBH", "DLBM", "YQ", "Shape_Area"})
	if err != nil {
		t.Fatal(err)
	}
	if mp.Source[imports.FieldIndex(imports.Parcels, "code")] != "DKBH" || mp.Source[imports.FieldIndex(imports.Parcels, "land_use")] != "DLBM" ||
		mp.Source[imports.FieldIndex(imports.Parcels, "park")] != "" || mp.Defaults[imports.FieldIndex(imports.Parcels, "status")] != "supplied" ||
		mp.Defaults[imports.FieldIndex(imports.Parcels, "plot_ratio")] != 2.5 {
		t.Errorf("resolved: %+v", mp)
	}
	// Parcels keep what no field reads as their other attributes.
	if strings.Join(mp.Kept, ",") != "Shape_Area,YQ" || len(mp.Ignored) != 0 {
		t.Errorf("kept %v, ignored %v", mp.Kept, mp.Ignored)
	}
}

func TestFieldMapResolve(t *testing.T) {
	// Aliases, case-insensitive; DLBM means GB/T 21010.
	mp, err := (*FieldMap)(nil).Resolve(imports.Parcels, []string{"dkbh", "DLBM", "ZT", "RJL", "容积率"})
	if err != nil {
		t.Fatal(err)
	}
	if mp.Source[imports.FieldIndex(imports.Parcels, "code")] != "dkbh" || mp.Scheme != SchemeGBT21010 ||
		mp.Source[imports.FieldIndex(imports.Parcels, "plot_ratio")] != "RJL" || strings.Join(mp.Kept, ",") != "容积率" {
		t.Errorf("resolved %v, scheme %s, kept %v", mp.Source, mp.Scheme, mp.Kept)
	}
	// A planning file's YDXZ is read per value.
	mp, _ = (*FieldMap)(nil).Resolve(imports.Parcels, []string{"DKBH", "YDXZ", "ZT"})
	if mp.Scheme != SchemeAuto {
		t.Errorf("YDXZ scheme %s", mp.Scheme)
	}
	// Missing required fields are named, with the fix.
	_, err = (*FieldMap)(nil).Resolve(imports.Parcels, []string{"NAME", "AREA"})
	if err == nil || !strings.Contains(err.Error(), "no source field for code, land_use, status") || !strings.Contains(err.Error(), "--field code=NAME") ||
		!strings.Contains(err.Error(), "NAME, AREA") {
		t.Errorf("missing fields: %v", err)
	}
	// An explicit source field that the file lacks.
	m := &FieldMap{}
	m.Set("code=BH")
	_, err = m.Resolve(imports.Parcels, []string{"DKBH", "DLBM", "ZT"})
	if err == nil || !strings.Contains(err.Error(), `no field "BH"`) {
		t.Errorf("explicit missing field: %v", err)
	}
	// Flags.
	m = &FieldMap{}
	for _, bad := range []string{"code", "=x", ""} {
		if m.Set(bad) == nil || m.SetDefault(bad) == nil || m.SetCrosswalk(bad) == nil {
			t.Errorf("assignment %q accepted", bad)
		}
	}
	if err := m.SetDefault("status=approved"); err != nil {
		t.Fatal(err)
	}
	mp, err = m.Resolve(imports.Parcels, []string{"DKBH", "DLBM"})
	if err != nil || mp.Defaults[imports.FieldIndex(imports.Parcels, "status")] != "approved" {
		t.Errorf("default status: %v %v", err, mp)
	}
}

func TestDecoderForms(t *testing.T) {
	f1 := feature(geotest.Square(0, 0, 50), map[string]any{"code": "A"})
	f2 := feature(geotest.Square(100, 0, 50), map[string]any{"code": "B"})
	good := map[string]string{
		"collection":           collection(f1, f2),
		"members after":        `{"features":[` + f1 + `,` + f2 + `],"type":"FeatureCollection","bbox":[1,2,3,4]}`,
		"crs and name":         `{"type":"FeatureCollection","name":"x","crs":{"type":"name","properties":{"name":"EPSG:4490"}},"features":[` + f1 + "\n,\n" + f2 + `]}`,
		"newline-delimited":    f1 + "\n" + f2 + "\n",
		"RFC 8142 sequence":    "\x1e" + f1 + "\n\x1e" + f2 + "\n",
		"byte-order mark free": " \n\t" + collection(f1, f2) + "\n\n",
	}
	for name, text := range good {
		fs, err := decodeAll(t, text)
		if err != nil || len(fs) != 2 || fs[0].Index != 1 || fs[1].Index != 2 {
			t.Errorf("%s: %d features, %v", name, len(fs), err)
		}
	}
	if fs, err := decodeAll(t, f1); err != nil || len(fs) != 1 {
		t.Errorf("lone feature: %d %v", len(fs), err)
	}
	if fs, err := decodeAll(t, `{"type":"FeatureCollection","features":[]}`); err != nil || len(fs) != 0 {
		t.Errorf("empty collection: %d %v", len(fs), err)
	}
	d := NewDecoder(strings.NewReader(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[]}`))
	d.Next()
	if d.CRS() != "urn:ogc:def:crs:EPSG::4549" {
		t.Errorf("crs %q", d.CRS())
	}
	bad := map[string]string{
		"empty":            "",
		"array":            `[` + f1 + `]`,
		"wrong type":       `{"type":"Topology","objects":{}}`,
		"no type":          `{"features":[` + f1 + `]}`,
		"features object":  `{"type":"FeatureCollection","features":{}}`,
		"cut short":        collection(f1, f2)[:200],
		"NaN":              strings.Replace(collection(f1), "120.", "NaN", 1),
		"Infinity":         strings.Replace(collection(f1), "30.", "Infinity", 1),
		"garbage after":    collection(f1) + " {}",
		"no comma":         `{"type":"FeatureCollection","features":[` + f1 + f2 + `]}`,
		"collection tail":  `{"type":"FeatureCollection","features":[` + f1 + `] "x":1}`,
		"feature features": `{"type":"Feature","geometry":null,"features":[]}`,
		"no features":      `{"type":"FeatureCollection"}`,
		"bad tail type":    `{"features":[],"type":7}`,
		"sequence garbage": f1 + "\n" + `]`,
	}
	for name, text := range bad {
		_, err := decodeAll(t, text)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		var pe *planning.Error
		if !errors.As(err, &pe) || pe.Code != planning.ErrInvalid {
			t.Errorf("%s: %T %v is not an invalid planning.Error", name, err, err)
		}
		if (name == "NaN" || name == "Infinity") && !strings.Contains(err.Error(), "NaN and Infinity") {
			t.Errorf("%s: %v does not explain NaN", name, err)
		}
	}
	// A feature beyond the size limit is refused before it is held whole.
	d = NewDecoder(strings.NewReader(collection(f1, feature(geotest.Square(0, 0, 10), map[string]any{"pad": strings.Repeat("x", 5000)}), f2)))
	d.limit = 4096
	n := 0
	var err error
	for ; err == nil; n++ {
		_, err = d.Next()
	}
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized feature: %v after %d", err, n)
	}
}

func TestGeometryChecks(t *testing.T) {
	open := geotest.Square(0, 0, 50)
	open = open[:len(open)-1]
	var huge orb.Ring
	for i := 0; i <= MaxVertices; i++ {
		a := 2 * math.Pi * float64(i) / float64(MaxVertices)
		huge = append(huge, orb.Point{120.21 + 0.01*math.Cos(a), 30.19 + 0.01*math.Sin(a)})
	}
	huge = append(huge, huge[0])
	cases := []struct {
		name, geom, kind, want string
	}{
		{"unclosed", fmt.Sprintf(`{"type":"Polygon","coordinates":%s}`, mustJSON([][][2]float64{toPairs(open)})), imports.KindInvalidGeometry, "not closed"},
		{"three points", `{"type":"Polygon","coordinates":[[[120.2,30.1],[120.3,30.1],[120.2,30.1]]]}`, imports.KindInvalidGeometry, "at least 4"},
		{"point", `{"type":"Point","coordinates":[120.2,30.1]}`, imports.KindInvalidGeometry, "got a Point"},
		{"null", `null`, imports.KindInvalidGeometry, "no geometry"},
		{"no coordinates", `{"type":"Polygon"}`, imports.KindInvalidGeometry, "no coordinates"},
		{"text coordinate", `{"type":"Polygon","coordinates":[[["120",30],[1,2],[3,4],["120",30]]]}`, imports.KindInvalidGeometry, "expected a number"},
		{"one number", `{"type":"Polygon","coordinates":[[[120],[1,2],[3,4],[120]]]}`, imports.KindInvalidGeometry, "two numbers"},
		{"out of range", `{"type":"Polygon","coordinates":[[[1e400,30],[1,2],[3,4],[1e400,30]]]}`, imports.KindInvalidGeometry, "out of range"},
		{"too many vertices", fmt.Sprintf(`{"type":"Polygon","coordinates":%s}`, mustJSON([][][2]float64{toPairs(huge)})), imports.KindInvalidGeometry, "more than 200000 vertices"},
		{"metres", `{"type":"Polygon","coordinates":[[[520223.43,3341194.3],[520323.43,3341194.3],[520323.43,3341294.3],[520223.43,3341194.3]]]}`, imports.KindCoordinates, "--srid 4549"},
		{"zone 40", `{"type":"Polygon","coordinates":[[[40520223.43,3341194.3],[40520323.43,3341194.3],[40520323.43,3341294.3],[40520223.43,3341194.3]]]}`, imports.KindCoordinates, "--srid 4528"},
		{"swapped", `{"type":"Polygon","coordinates":[[[30.19,120.21],[30.19,120.22],[30.2,120.22],[30.19,120.21]]]}`, imports.KindCoordinates, "--swap-axes"},
		{"swapped metres", `{"type":"Polygon","coordinates":[[[3341194.3,520223.43],[3341194.3,520323.43],[3341294.3,520323.43],[3341194.3,520223.43]]]}`, imports.KindCoordinates, "--srid 4549 --swap-axes"},
		{"outside China", `{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]}`, imports.KindCoordinates, "outside China"},
	}
	for _, c := range cases {
		text := `{"type":"Feature","properties":{"code":"X","land_use":"1001","status":"approved"},"geometry":` + c.geom + `}`
		rep, st, err := importText(t, imports.Parcels, text, OpenOptions{}, Request{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := rep.IssuesOf(c.kind)
		if len(got) != 1 || !strings.Contains(got[0].Message, c.want) || rep.Outcome != imports.OutcomeRefused {
			t.Errorf("%s: %s issues %+v (outcome %s); want one with %q", c.name, c.kind, got, rep.Outcome, c.want)
		}
		if len(st.rows) != 1 || st.rows[0].Geom != nil || st.rows[0].Key != "X" {
			t.Errorf("%s: the feature must be staged without an outline, for its key", c.name)
		}
	}
	// --repair closes an open ring and says so.
	text := feature(append(orb.Ring(nil), open...), map[string]any{"code": "X", "land_use": "1001", "status": "approved"})
	text = strings.Replace(text, `"coordinates":[[`, `"coordinates":[[`, 1)
	openText := `{"type":"Feature","properties":{"code":"X","land_use":"1001","status":"approved"},"geometry":{"type":"Polygon","coordinates":` +
		mustJSON([][][2]float64{toPairs(open)}) + `}}`
	rep, st, err := importText(t, imports.Parcels, openText, OpenOptions{}, Request{Request: imports.Request{Repair: true}})
	if err != nil || rep.Outcome != imports.OutcomeCommitted || len(rep.IssuesOf(imports.KindRepaired)) != 1 || len(st.rows[0].Geom[0][0]) != 5 {
		t.Errorf("repair: %v %s %+v", err, rep.Outcome, rep.Issues)
	}
	_ = text
}

func mustJSON(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestCoordinateSystems(t *testing.T) {
	// The DOMAIN check point: 30.19N 120.21E is N 3 341 194.30, E 520 223.43 in EPSG:4549.
	e, n := 520223.43, 3341194.30
	ring := func(dx, dy float64) string {
		pts := [][2]float64{{dx + e, dy + n}, {dx + e + 100, dy + n}, {dx + e + 100, dy + n + 100}, {dx + e, dy + n}}
		return mustJSON([][][2]float64{pts})
	}
	feat := func(coords string) string {
		return `{"type":"Feature","properties":{"code":"X","land_use":"1001","status":"approved"},"geometry":{"type":"Polygon","coordinates":` + coords + `}}`
	}
	check := func(name string, rows []*Row) {
		t.Helper()
		if len(rows) != 1 || rows[0].Geom == nil {
			t.Fatalf("%s: no outline", name)
		}
		p := rows[0].Geom[0][0][0]
		if math.Abs(p[0]-120.21) > 1e-7 || math.Abs(p[1]-30.19) > 1e-7 {
			t.Errorf("%s: first point %v, want 120.21, 30.19", name, p)
		}
	}
	// --srid 4549.
	_, st, err := importText(t, imports.Parcels, feat(ring(0, 0)), OpenOptions{SRID: 4549}, Request{})
	if err != nil {
		t.Fatal(err)
	}
	check("--srid 4549", st.rows)
	// The crs member says 4528.
	text := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4528"}},"features":[` + feat(ring(40_000_000, 0)) + `]}`
	rep, st, err := importText(t, imports.Parcels, text, OpenOptions{}, Request{})
	if err != nil {
		t.Fatal(err)
	}
	check("crs 4528", st.rows)
	if rep.Source.SRID != 4528 || rep.Source.SRIDFrom != "crs member" || rep.Source.TransformedBy != "landquota" {
		t.Errorf("source %+v", rep.Source)
	}
	// The file says 4549 but holds zone-40 eastings: the message says so.
	text = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}},"features":[` + feat(ring(40_000_000, 0)) + `]}`
	rep, _, _ = importText(t, imports.Parcels, text, OpenOptions{}, Request{})
	if is := rep.IssuesOf(imports.KindCoordinates); len(is) != 1 || !strings.Contains(is[0].Message, "the file says EPSG:4549") || !strings.Contains(is[0].Message, "override it with --srid 4528") {
		t.Errorf("4528 read as 4549: %+v", rep.Issues)
	}
	// Northing first, swapped back.
	swapped := mustJSON([][][2]float64{{{n, e}, {n, e + 100}, {n + 100, e + 100}, {n, e}}})
	_, st, _ = importText(t, imports.Parcels, feat(swapped), OpenOptions{SRID: 4549, SwapAxes: true}, Request{})
	check("swapped", st.rows)
	if _, err := ParseSRID("EPSG:4549"); err != nil {
		t.Error(err)
	}
	for s, want := range map[string]int{"4490": 4490, "EPSG::4528": 4528, "urn:ogc:def:crs:EPSG::4549": 4549, "CRS84": 4326,
		"http://www.opengis.net/def/crs/EPSG/0/4490": 4490} {
		if got, err := ParseSRID(s); got != want || err != nil {
			t.Errorf("ParseSRID(%q) = %d %v", s, got, err)
		}
	}
	for _, s := range []string{"", "EPSG", "12", "EPSG:abc", "4490; DROP TABLE"} {
		if _, err := ParseSRID(s); err == nil {
			t.Errorf("ParseSRID(%q) accepted", s)
		}
	}
	for wkt, want := range map[string]int{
		`PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]`: 4549,
		`PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["x"]]`:                                         4528,
		`GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000"]]`:                  4490,
		`GEOGCRS["WGS 84", ID["EPSG",4326]]`:                                                         4326,
		"PROJCRS[\"x\",\n  ID[\"EPSG\",2385]]\n":                                                     2385,
	} {
		if got := srsFromWKT(wkt); got != want {
			t.Errorf("srsFromWKT(%s) = %d, want %d", wkt, got, want)
		}
	}
	_ = geo.SRIDStore
}

func TestValues(t *testing.T) {
	props := map[string]any{"地块编号": " DK-1 ", "YDXZ": "M1", "ZT": "已供地", "RJL": "2.5", "JZMD": "35%", "LDL": 0.2,
		"BZXZF": "否", "GDFS": "出让", "PZRQ": "2024/3/1", "GDRQ": 20240415, "ELEV_BOT": nil, "CONSTR": 1, "XZQDM": "330108001001"}
	rep, st, err := importText(t, imports.Parcels, feature(geotest.Square(0, 0, 50), props), OpenOptions{}, Request{})
	if err != nil || rep.Counts.Errors != 0 {
		t.Fatalf("%v %+v", err, rep.Issues)
	}
	row := st.rows[0]
	get := func(name string) any { return row.Values[imports.FieldIndex(imports.Parcels, name)] }
	want := map[string]any{"code": "DK-1", "land_use": "100101", "status": "supplied", "plot_ratio": 2.5, "building_density": 0.35,
		"green_ratio": 0.2, "affordable_housing": false, "supply_method": "sale", "approved_on": time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		"supplied_on": time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC), "elevation_bottom": 0.0, "construction_land": true,
		"district": "330108", "government_delay": false}
	for k, v := range want {
		if got := get(k); fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s = %v (%T), want %v", k, got, got, v)
		}
	}
	if row.SourceLandUse != "M1" {
		t.Errorf("source land use %q", row.SourceLandUse)
	}
	// Bad values are reported per field, with the value.
	bad := map[string]any{"code": "X", "land_use": "1001", "status": "sold", "plot_ratio": 45, "building_density": 35,
		"approved_on": "yesterday", "affordable_housing": "perhaps", "district": "3301", "supplied_on": "2020-01-01", "completed_on": "2019-01-01",
		"actual_start_on": "2020-02-01", "elevation_top": -5}
	rep, _, _ = importText(t, imports.Parcels, feature(geotest.Square(0, 0, 50), bad), OpenOptions{}, Request{})
	fields := map[string]string{}
	for _, is := range rep.Issues {
		fields[is.Field] = is.Message
	}
	for _, f := range []string{"status", "plot_ratio", "building_density", "approved_on", "affordable_housing", "district", "completed_on", "elevation_top"} {
		if fields[f] == "" {
			t.Errorf("no issue for %s: %v", f, rep.Issues)
		}
	}
	if !strings.Contains(fields["building_density"], `"35%"`) {
		t.Errorf("the percent hint is missing: %s", fields["building_density"])
	}
	// Unknown codes are reported with their scheme, never guessed.
	rep, _, _ = importText(t, imports.Parcels, collection(
		feature(geotest.Square(0, 0, 50), map[string]any{"DKBH": "A", "DLBM": "0906", "ZT": "储备"}),
		feature(geotest.Square(100, 0, 50), map[string]any{"DKBH": "B", "DLBM": "0906", "ZT": "储备"}),
		feature(geotest.Square(200, 0, 50), map[string]any{"DKBH": "C", "DLBM": 601, "ZT": "储备"})), OpenOptions{}, Request{})
	if len(rep.UnknownCodes) != 1 || rep.UnknownCodes[0].Value != "0906" || rep.UnknownCodes[0].Features != 2 || rep.UnknownCodes[0].Scheme != "gbt21010" {
		t.Errorf("unknown codes %+v", rep.UnknownCodes)
	}
	if rep.ByKind[imports.KindUnknownCode] != 2 {
		t.Errorf("by kind %v", rep.ByKind)
	}
}

func TestGBKTextIsDecoded(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("工业用地-1")
	text := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + gbk + `","land_use":"1001","status":"储备"},` +
		`"geometry":{"type":"Polygon","coordinates":` + mustJSON([][][2]float64{toPairs(geotest.Square(0, 0, 50))}) + `}}]}`
	rep, st, err := importText(t, imports.Parcels, text, OpenOptions{}, Request{})
	if err != nil || len(st.rows) != 1 {
		t.Fatal(err)
	}
	if st.rows[0].Key != "工业用地-1" {
		t.Errorf("code %q", st.rows[0].Key)
	}
	if is := rep.IssuesOf(imports.KindEncoding); len(is) != 1 || !strings.Contains(is[0].Message, "GB18030") {
		t.Errorf("no encoding warning: %+v", rep.Issues)
	}
	if _, _, err := encodingFor("klingon"); err == nil {
		t.Error("unknown encoding accepted")
	}
	for _, name := range []string{"GBK", "gb2312", "cp936", "936", "GB18030", "utf8", "Big5"} {
		if _, _, err := encodingFor(name); err != nil {
			t.Errorf("encoding %s: %v", name, err)
		}
	}
}

// TestFieldOptionsApply: the options of the command line and of an upload
// set the same map, and a bad one is refused with what is wrong.
func TestFieldOptionsApply(t *testing.T) {
	m := &FieldMap{}
	err := m.Apply(imports.Parcels, FieldOptions{Fields: []string{"code=DKBH"}, Defaults: []string{"status=approved"},
		Crosswalk: []string{"0906=1504"}, Scheme: "gbt21010"})
	if err != nil || m.Fields["code"] != "DKBH" || string(m.Defaults["status"]) == "" || m.Crosswalk["0906"] != "1504" || m.LandUseScheme != SchemeGBT21010 {
		t.Fatalf("Apply: %v, map %+v", err, m)
	}
	if err := (&FieldMap{}).Apply(imports.Parcels, FieldOptions{Scheme: "gb1"}); err == nil || !strings.Contains(err.Error(), "unknown land-use scheme") {
		t.Fatalf("a bad scheme: %v", err)
	}
	if err := (&FieldMap{}).Apply(imports.Parcels, FieldOptions{Fields: []string{"kode=DKBH"}}); err == nil {
		t.Fatal("a field the layer does not have was taken")
	}
}

package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb/planar"
)

// sharedFile finds a file of the shared data folder next to the repository
// (../shared from the repository root), or skips the test.
func sharedFile(t *testing.T, name string) *os.File {
	t.Helper()
	for _, dir := range []string{"../../../../shared/data/hangzhou"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err == nil {
			t.Cleanup(func() { f.Close() })
			return f
		}
	}
	t.Skipf("shared/data/hangzhou/%s not found next to the repository", name)
	return nil
}

func TestReadDistrictsSharedFile(t *testing.T) {
	ds, err := ReadDistricts(sharedFile(t, "districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("%d districts", len(ds))
	}
	want := map[string]string{AdcodeBinjiang: "滨江区", AdcodeXiaoshan: "萧山区", AdcodeFuyang: "富阳区"}
	for _, d := range ds {
		if want[d.Adcode] != d.NameZh || d.NameEn == "" || d.ParentAdcode != "330100" || d.AreaM2 < 5e7 {
			t.Errorf("district %s %s %s %s %.0f", d.Adcode, d.NameZh, d.NameEn, d.ParentAdcode, d.AreaM2)
		}
	}

	gen := generate(t, Options{Parcels: 20000, Seed: 31, Districts: ds})
	outline := map[string]planning.District{}
	for _, d := range ds {
		outline[d.Adcode] = d
	}
	var parcels []planning.Parcel
	for p := range gen.Parcels {
		for _, pt := range p.Outline[0][0] {
			if !planar.MultiPolygonContains(outline[p.District].Outline, pt) {
				t.Fatalf("%s: vertex %v outside the real outline of %s", p.Code, pt, p.District)
			}
		}
		parcels = append(parcels, p)
	}
	if len(parcels) != 20000 {
		t.Fatalf("%d parcels", len(parcels))
	}
	if rep := checkOverlaps(parcels); len(rep.violations) > 0 {
		t.Fatalf("overlaps with the real outlines: %v", rep.violations[:min(5, len(rep.violations))])
	}
	if gen.Districts[0].Outline[0][0][0] != ds[0].Outline[0][0][0] {
		t.Fatal("the given outlines were not used")
	}
}

func TestReadParksSharedFile(t *testing.T) {
	ps, err := ReadParks(sharedFile(t, "parks_demo.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Code != ParkBinfu || ps[1].Code != ParkBinxiao {
		t.Fatalf("parks %v", ps)
	}
	if ps[0].Kind != planning.ParkSpecialCooperationZone || ps[1].Kind != planning.ParkSpecialCooperationPark ||
		ps[0].HostDistrict != AdcodeFuyang || ps[1].HostDistrict != AdcodeXiaoshan || len(ps[1].Outline) != 3 {
		t.Fatalf("parks %+v", ps)
	}
	gen := generate(t, Options{Parcels: 3000, Seed: 5, Parks: ps})
	if len(gen.Parks) != 3 || gen.Parks[0].Code != ParkHTZ {
		t.Fatalf("want HTZ added in front, got %d parks", len(gen.Parks))
	}
	n := 0
	for p := range gen.Parcels {
		if p.Park == ParkBinfu {
			n++
			c, _ := planar.CentroidArea(p.Outline[0])
			if !planar.MultiPolygonContains(ps[0].Outline, c) {
				t.Fatalf("%s: BINFU parcel outside the given footprint", p.Code)
			}
		}
	}
	if n == 0 {
		t.Fatal("no parcels in the given BINFU footprint")
	}
}

const square = `{"type":"Polygon","coordinates":[[[120.1,30.1],[120.11,30.1],[120.11,30.11],[120.1,30.11],[120.1,30.1]]]}`

func TestReadDistrictsFormats(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"adcode":"330108","name":"滨江区","name_en":"Binjiang","parent_adcode":330100},"geometry":` + square + `},
	 {"type":"Feature","properties":{"adcode":330109,"name":"萧山区"},"geometry":{"type":"MultiPolygon","coordinates":[[[[120.2,30.1,5],[120.21,30.1,5],[120.21,30.11,5],[120.2,30.1,5]]]]}}]}`
	ds, err := ReadDistricts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Adcode != "330108" || ds[0].ParentAdcode != "330100" || ds[1].Adcode != "330109" || len(ds[1].Outline) != 1 {
		t.Fatalf("%+v", ds)
	}
	if ds[0].AreaM2 < 1e6 || ds[0].AreaM2 > 1.2e6 {
		t.Fatalf("area %.0f", ds[0].AreaM2)
	}
}

func TestReadErrors(t *testing.T) {
	feature := func(props, geom string) string {
		return `{"type":"Feature","properties":{` + props + `},"geometry":` + geom + `}`
	}
	fc := func(features ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
	}
	good := feature(`"adcode":330108,"name":"a"`, square)
	goodPark := feature(`"code":"A","kind":"core_zone","host_district_adcode":330108`, square)
	cases := []struct {
		name, in, want string
		parks          bool
	}{
		{"not json", `{"type":`, "not valid GeoJSON", false},
		{"not a collection", feature(`"adcode":330108`, square), "FeatureCollection", false},
		{"no adcode", fc(good, feature(`"name":"x"`, square)), "features[1]: property adcode is missing", false},
		{"short adcode", fc(feature(`"adcode":33010`, square)), "features[0]: property adcode must be a 6-digit", false},
		{"fractional adcode", fc(feature(`"adcode":330108.5`, square)), "features[0]: property adcode must be a whole number", false},
		{"duplicate adcode", fc(good, good), "features[1]: adcode 330108 already used by features[0]", false},
		{"point", fc(good, feature(`"adcode":330109`, `{"type":"Point","coordinates":[120,30]}`)), "features[1]: geometry must be a Polygon or MultiPolygon", false},
		{"no geometry", fc(feature(`"adcode":330109`, `null`)), "features[0]: the feature has no geometry", false},
		{"open ring", fc(feature(`"adcode":330109`, `{"type":"Polygon","coordinates":[[[120.1,30.1],[120.11,30.1],[120.11,30.11],[120.1,30.11]]]}`)), "features[0]: geometry: the outer ring of polygon 1 is not closed", false},
		{"metres", fc(feature(`"adcode":330109`, `{"type":"Polygon","coordinates":[[[520000,3340000],[521000,3340000],[521000,3341000],[520000,3340000]]]}`)), "projected metres", false},
		{"name not string", fc(feature(`"adcode":330109,"name":5`, square)), "features[0]: property name must be a string", false},
		{"unknown kind", fc(goodPark, feature(`"code":"B","kind":"science_city","host_district_adcode":"330111"`, square)), `features[1]: unknown park kind "science_city"`, true},
		{"no code", fc(feature(`"kind":"enclave","host_district_adcode":"330111"`, square)), "features[0]: property code is missing", true},
		{"duplicate code", fc(goodPark, goodPark), "features[1]: park code A already used", true},
		{"no host", fc(feature(`"code":"B","kind":"enclave"`, square)), "features[0]: property host_district_adcode is missing", true},
	}
	for _, c := range cases {
		var err error
		if c.parks {
			_, err = ReadParks(strings.NewReader(c.in))
		} else {
			_, err = ReadDistricts(strings.NewReader(c.in))
		}
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
		if planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("%s: code %s", c.name, planning.CodeOf(err))
		}
	}
}

func TestReadParksKinds(t *testing.T) {
	var feats []string
	for i, k := range planning.ParkKinds {
		feats = append(feats, `{"type":"Feature","properties":{"code":"P`+string(rune('A'+i))+`","kind":"`+string(k)+`","host_district_adcode":"330111","name_zh":"园","name_en":"Park"},"geometry":`+square+`}`)
	}
	ps, err := ReadParks(strings.NewReader(`{"type":"FeatureCollection","features":[` + strings.Join(feats, ",") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		if p.Kind != planning.ParkKinds[i] || p.HostDistrict != AdcodeFuyang || p.NameZh != "园" || p.AreaM2 <= 0 {
			t.Fatalf("%+v", p)
		}
	}
}

package pgstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// m0 is Hangzhou's 创新型产业用地 as an admin adds it: a provincial
// third-level class under 1001 工业用地.
var m0 = planning.LandUseClass{Code: "100104", NameZh: "创新型产业用地", NameEn: "Innovative industrial land (M0)",
	Construction: true, Source: "浙江省国土空间规划用地用海分类（试行）", Aliases: []string{"m0"}}

func TestLocalLandUseClasses(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	c, err := s.AddLandUseClass(ctx, m0)
	if err != nil || c.ParentCode != "1001" || c.Level != 3 || !c.Local || c.Aliases[0] != "M0" {
		t.Fatalf("M0: %+v %v", c, err)
	}
	for _, bad := range []struct {
		c    planning.LandUseClass
		code planning.ErrorCode
		want string
	}{
		{planning.LandUseClass{Code: "100104", NameZh: "x", Source: "s"}, planning.ErrConflict, "code:"},
		{planning.LandUseClass{Code: "100105", NameZh: "x", Source: "s", Aliases: []string{"M0"}}, planning.ErrConflict, "aliases:"},
		{planning.LandUseClass{Code: "990101", NameZh: "x", Source: "s"}, planning.ErrInvalid, "parent_code:"},
		{planning.LandUseClass{Code: "100105", NameZh: "x"}, planning.ErrInvalid, "source:"},
		{planning.LandUseClass{Code: "10", NameZh: "x", Source: "s"}, planning.ErrInvalid, "code:"},
		{planning.LandUseClass{Code: "100105", NameZh: "x", Source: "s", Aliases: []string{"0601"}}, planning.ErrInvalid, "aliases:"},
	} {
		if _, err := s.AddLandUseClass(ctx, bad.c); planning.CodeOf(err) != bad.code || !strings.HasPrefix(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want %s %s", bad.c, err, bad.code, bad.want)
		}
	}
	list, err := s.LocalLandUseClasses(ctx)
	if err != nil || len(list) != 1 || list[0].Code != "100104" {
		t.Fatalf("local classes %+v %v", list, err)
	}
}

// An import of a Hangzhou file with mixed use (B1/R2, 0901/0701) and M0.
func TestImportMixedUseHangzhou(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	if _, err := s.AddLandUseClass(ctx, m0); err != nil {
		t.Fatal(err)
	}
	before := tableSum(t, s)
	// Refused files write nothing, and say which value is wrong.
	for want, f := range map[string]string{
		"compatible_share": gjFeature(rect(0, 0, 100, 100), props("MIX-1", "B1/R2")),
		"main_share":       gjFeature(rect(0, 0, 100, 100), props("MIX-1", "0901/0701", "main_share", 0.6, "compatible_share", 0.3)),
		"compatible_use":   gjFeature(rect(0, 0, 100, 100), props("MIX-1", "0901", "compatible_share", 0.3)),
		"land_use":         gjFeature(rect(0, 0, 100, 100), props("MIX-1", "X9/R2", "compatible_share", 0.3)),
	} {
		rep := runImport(t, s, imports.Parcels, gjFile(t, f), importer.OpenOptions{}, importer.Request{})
		found := false
		for _, is := range rep.Issues {
			found = found || is.Field == want && is.Severity == imports.SevError
		}
		if rep.Outcome != imports.OutcomeRefused || !found {
			t.Errorf("%s: outcome %s, issues %+v", want, rep.Outcome, rep.Issues)
		}
	}
	if tableSum(t, s) != before {
		t.Fatal("a refused import wrote parcels")
	}
	rep := runImport(t, s, imports.Parcels, gjFile(t,
		gjFeature(rect(0, 0, 100, 100), props("MIX-B1R2", "B1/R2", "compatible_share", "30%")),
		gjFeature(rect(200, 0, 300, 100), props("MIX-0901", "0901/0701", "main_share", 0.6, "compatible_share", 0.4)),
		gjFeature(rect(400, 0, 500, 100), props("M0-1", "M0")),
	), importer.OpenOptions{}, importer.Request{})
	if rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("outcome %s: %+v", rep.Outcome, rep.Issues)
	}
	for code, want := range map[string]string{"MIX-B1R2": "0901 070102 0.3", "MIX-0901": "0901 0701 0.4", "M0-1": "100104  "} {
		var got string
		if err := s.Pool().QueryRow(ctx, `SELECT land_use_code || ' ' || coalesce(compatible_use_code, '') || ' ' || coalesce(compatible_share::float8::text, '')
			FROM parcels WHERE code = $1`, code).Scan(&got); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", code, got, err, want)
		}
	}
}

// 三调 codes are never guessed: 0810 lands on first-level 14 with a warning
// (a field map may name 1401), and a 三调 field not called DLBM (XZDLBM) is
// read as 三调, not as 2023 codes (0601 is 工业用地 there, 农村道路 in 2023).
func TestImportSurveyCodes(t *testing.T) {
	s := worldStore(t)
	f := gjFile(t, gjFeature(rect(0, 0, 100, 100), map[string]any{"code": "S-1", "XZDLBM": "0601", "status": "reserve"}),
		gjFeature(rect(200, 0, 300, 100), map[string]any{"code": "S-2", "XZDLBM": "0810", "status": "reserve"}))
	fm := &importer.FieldMap{}
	if err := fm.Set("land_use=XZDLBM"); err != nil {
		t.Fatal(err)
	}
	rep := runImport(t, s, imports.Parcels, f, importer.OpenOptions{}, importer.Request{Request: imports.Request{DryRun: true}, FieldMap: fm})
	coarse := rep.IssuesOf(imports.KindCoarseCode)
	if rep.Source.LandUseScheme != string(importer.SchemeGBT21010) || len(coarse) != 1 || coarse[0].Value != "0810" ||
		!strings.Contains(coarse[0].Message, `"0810": "1401"`) || coarse[0].Severity != imports.SevWarning {
		t.Fatalf("scheme %s, coarse %+v", rep.Source.LandUseScheme, coarse)
	}
	if err := fm.SetCrosswalk("0810=1401"); err != nil {
		t.Fatal(err)
	}
	rep = runImport(t, s, imports.Parcels, f, importer.OpenOptions{}, importer.Request{FieldMap: fm})
	if rep.Outcome != imports.OutcomeCommitted || len(rep.IssuesOf(imports.KindCoarseCode)) != 0 {
		t.Fatalf("with the crosswalk: %s %+v", rep.Outcome, rep.Issues)
	}
	var s1, s2 string
	s.Pool().QueryRow(context.Background(), "SELECT (SELECT land_use_code FROM parcels WHERE code = 'S-1'), (SELECT land_use_code FROM parcels WHERE code = 'S-2')").Scan(&s1, &s2)
	if s1 != "1001" || s2 != "1401" {
		t.Errorf("S-1 %s (want 1001 工业用地), S-2 %s (want 1401)", s1, s2)
	}
}

// A 三调 file's current use (XZDLBM 现状地类编码) is crosswalked as 三调 and
// decides construction_land; the planned use stays the 2023 code.
func TestImportCurrentUse(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	rep := runImport(t, s, imports.Parcels, gjFile(t,
		gjFeature(rect(0, 0, 100, 100), map[string]any{"code": "C-1", "land_use": "100101", "XZDLBM": "0101", "status": "planned"}),
		gjFeature(rect(200, 0, 300, 100), map[string]any{"code": "C-2", "land_use": "100101", "XZDLBM": "0702", "status": "planned"}),
		gjFeature(rect(400, 0, 500, 100), map[string]any{"code": "C-3", "land_use": "100101", "XZDLBM": "9999", "status": "planned"}),
	), importer.OpenOptions{}, importer.Request{})
	var bad []imports.Issue
	for _, is := range rep.Issues {
		if is.Field == "current_use" && is.Severity == imports.SevError {
			bad = append(bad, is)
		}
	}
	if rep.Outcome != imports.OutcomeRefused || len(bad) != 1 || bad[0].Value != "9999" {
		t.Fatalf("an unknown 三调 code must be refused by name: %s %+v", rep.Outcome, rep.Issues)
	}
	rep = runImport(t, s, imports.Parcels, gjFile(t,
		gjFeature(rect(0, 0, 100, 100), map[string]any{"code": "C-1", "land_use": "100101", "XZDLBM": "0101", "status": "planned"}),
		gjFeature(rect(200, 0, 300, 100), map[string]any{"code": "C-2", "land_use": "100101", "XZDLBM": "0702", "status": "planned"}),
	), importer.OpenOptions{}, importer.Request{})
	if rep.Outcome != imports.OutcomeCommitted {
		t.Fatalf("%s %+v", rep.Outcome, rep.Issues)
	}
	for code, want := range map[string]string{"C-1": "0101 false 100101", "C-2": "0703 true 100101"} {
		var got string
		s.Pool().QueryRow(ctx, "SELECT current_use_code || ' ' || construction_land || ' ' || land_use_code FROM parcels WHERE code = $1", code).Scan(&got)
		if got != want {
			t.Errorf("%s: %q, want %q (三调 0702 农村宅基地 is 2023 0703)", code, got, want)
		}
	}
}

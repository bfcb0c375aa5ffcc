package importer

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// TestReportInTheReadersLanguage: the same report reads in English and in
// Chinese; only the messages change, every code and field stays.
func TestReportInTheReadersLanguage(t *testing.T) {
	r := imports.NewReport(imports.Parcels, 10)
	conv := newConverter(mustResolve(t), crs{srid: 4490, declared: true}, false, nil, MaxVertices)
	_, issues := conv.worker().convert(RawFeature{Index: 1, Data: []byte(`{"type":"Feature","properties":{"code":"A-1","land_use":"100101","status":"maybe"},
		"geometry":{"type":"Polygon","coordinates":[[[120.2,30.2],[120.21,30.2],[120.21,30.21]]]}}`)})
	if len(issues) < 2 {
		t.Fatalf("issues: %+v", issues)
	}
	for _, is := range issues {
		r.Add(is)
	}
	r.Add(imports.Issue{Severity: imports.SevWarning, Kind: imports.KindGDAL, Message: "set by hand"})
	r.Finish(imports.OutcomeRefused, "")

	decode := func(lang planning.Lang) map[string]any {
		b, err := json.Marshal(r.In(lang))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	en, zh := decode(planning.LangEn), decode(planning.LangZh)
	if en["lang"] != "en" || zh["lang"] != "zh" {
		t.Errorf("lang: %v, %v", en["lang"], zh["lang"])
	}
	if !strings.Contains(en["message"].(string), "the file was refused") || !strings.Contains(zh["message"].(string), "文件被拒绝") {
		t.Errorf("messages: %q / %q", en["message"], zh["message"])
	}
	ei, zi := en["issues"].([]any), zh["issues"].([]any)
	if len(ei) != len(zi) || len(ei) != len(issues)+1 {
		t.Fatalf("%d and %d issues", len(ei), len(zi))
	}
	var sawStatus, sawRing bool
	for i := range ei {
		a, b := ei[i].(map[string]any), zi[i].(map[string]any)
		for k, v := range a {
			if k != "message" && !equalJSON(v, b[k]) {
				t.Errorf("issue %d: %s is %v in English, %v in Chinese", i, k, v, b[k])
			}
		}
		ma, mb := a["message"].(string), b["message"].(string)
		switch {
		case a["field"] == "status":
			sawStatus = strings.Contains(ma, "is not one of") && strings.Contains(mb, "不在可选值")
		case a["kind"] == imports.KindInvalidGeometry:
			sawRing = strings.Contains(ma, "the outer ring") && strings.Contains(mb, "外环")
		case ma == "set by hand":
			if mb != ma {
				t.Errorf("a message set by hand changed: %q", mb)
			}
		}
	}
	if !sawStatus || !sawRing {
		t.Errorf("status %v, ring %v:\n%v\n%v", sawStatus, sawRing, ei, zi)
	}
	// The default JSON is the English one; the text report follows lang.
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"lang":"en"`) || !strings.Contains(string(b), "the file was refused") {
		t.Errorf("json.Marshal(report): %s", b)
	}
	var text strings.Builder
	r.WriteText(&text, planning.LangZh)
	if !strings.Contains(text.String(), "文件被拒绝") || !strings.Contains(text.String(), "外环") {
		t.Errorf("text in Chinese:\n%s", text.String())
	}
	if got := r.Text().In(planning.LangZh); !strings.Contains(got, "未写入任何数据") {
		t.Errorf("Text in Chinese: %q", got)
	}
}

func mustResolve(t *testing.T) *Mapping {
	t.Helper()
	var fm FieldMap
	m, err := fm.resolve(imports.Parcels, []string{"code", "land_use", "status"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

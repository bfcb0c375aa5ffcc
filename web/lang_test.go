package web_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var hanRE = regexp.MustCompile(`\p{Han}`)

// The same bad request gets the same status, code and details in either
// language, and a message written wholly in the one asked for.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	e := newAuthEnv(t)
	long := strings.Repeat("x", 300)
	cases := []struct {
		name, method, path string
		body               any
		zh                 string // a phrase the Chinese must hold
	}{
		{"query parameter", "GET", "/api/layers/parcels?limit=0", nil, "limit：\"0\" 不是 1 至 10000 之间的整数"},
		{"unknown layer", "GET", "/api/layers/roads", nil, "未知图层"},
		{"store", "GET", "/api/parcels/987654/events", nil, "地块 987654 不存在"},
		{"nested field message", "POST", "/api/parcels/search", `{"order":"sideways"}`, "未知排序 \"sideways\""},
		{"export (refuses unknown parameters, but not lang)", "GET", "/api/exports/parcels?format=dwg", nil, "格式 \"dwg\" 不是"},
		{"login", "POST", "/api/login", map[string]string{"username": long, "password": "x"}, "用户名超过"},
	}
	ask := func(method, path string, body any, headers ...string) (int, map[string]any) {
		r := e.call(method, path, body, nil, headers...)
		errBody, _ := r.body["error"].(map[string]any)
		if errBody == nil {
			t.Fatalf("%s %s: %d %s, want an error", method, path, r.StatusCode, r.raw)
		}
		return r.StatusCode, errBody
	}
	for _, c := range cases {
		sZh, zh := ask(c.method, c.path, c.body, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
		sEn, en := ask(c.method, c.path, c.body, "Accept-Language", "en-GB,en;q=0.9,zh-CN;q=0.5")
		mZh, mEn := zh["message"].(string), en["message"].(string)
		if sZh != sEn || sZh < 400 || sZh >= 500 || zh["code"] != en["code"] || !reflect.DeepEqual(zh["details"], en["details"]) {
			t.Errorf("%s: zh %d %v, en %d %v: the same error must differ only in its message", c.name, sZh, zh, sEn, en)
		}
		if zh["lang"] != "zh" || en["lang"] != "en" {
			t.Errorf("%s: lang %v and %v, want zh and en", c.name, zh["lang"], en["lang"])
		}
		if !strings.Contains(mZh, c.zh) || hanRE.MatchString(mEn) || mZh == mEn {
			t.Errorf("%s: zh %q (want it to hold %q), en %q (want no Chinese)", c.name, mZh, c.zh, mEn)
		}
		// ?lang= wins over the header, either way.
		if _, q := ask(c.method, withLang(c.path, "en"), c.body, "Accept-Language", "zh-CN"); q["message"] != mEn || q["lang"] != "en" {
			t.Errorf("%s: ?lang=en under Accept-Language zh-CN gave %v", c.name, q)
		}
		if _, q := ask(c.method, withLang(c.path, "zh"), c.body, "Accept-Language", "en"); q["message"] != mZh || q["lang"] != "zh" {
			t.Errorf("%s: ?lang=zh under Accept-Language en gave %v", c.name, q)
		}
	}
	// No language asked for: English.
	if _, q := ask("GET", "/api/layers/roads", nil); q["lang"] != "en" || hanRE.MatchString(q["message"].(string)) {
		t.Errorf("no Accept-Language: %v", q)
	}
}

func withLang(path, lang string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

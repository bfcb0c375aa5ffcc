package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestParcelAttributesKept: a file's name, owner, remarks and other
// attributes are stored, served with the parcel, found by name and
// exported back.
func TestParcelAttributesKept(t *testing.T) {
	e, tok := importEnv(t)
	f := func(code, name, owner string, x float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"DKBH":%q,"DLBM":"0601","ZT":"储备","XMMC":%q,"QSDWMC":%q,"BZ":"测试_100%%","DLMC":"工业用地","TBMJ":1234.5},"geometry":%s}`,
			code, name, owner, polygonJSON(square(x, 0, 50)))
	}
	body := fc(f("A-1", "滨江智造园一期", "㙟村经济合作社𠀀", 0), f("A-2", "物联网小镇", "浦沿街道经济联合社", 100))
	if r := e.send("POST", "/api/imports?layer=parcels&wait=true", strings.NewReader(body), "Authorization", tok["admin1"]); r.StatusCode != 201 {
		t.Fatalf("import: %d %s", r.StatusCode, r.raw)
	}
	find := func(param, q string) []string {
		t.Helper()
		got := codes(t, e.url+"/api/layers/parcels?"+url.Values{param: {q}}.Encode())
		sort.Strings(got) // the import numbers features in no fixed order
		return got
	}
	for _, c := range []struct{ param, q, want string }{
		{"name", "智造", "A-1"}, {"q", "㙟村", "A-1"}, {"q", "联合社", "A-2"}, {"name", "a-2", "A-2"}, {"name", "A-", "A-1,A-2"},
		{"name", "100%", ""}, {"name", "_", ""}, {"name", "不存在", ""},
	} {
		if got := strings.Join(find(c.param, c.q), ","); got != c.want {
			t.Errorf("%s=%s: %q, want %q", c.param, c.q, got, c.want)
		}
	}
	// The planners' search finds them by name too.
	r := e.send("POST", "/api/parcels/search", strings.NewReader(`{"what":{"name":"联合社"}}`), "Content-Type", "application/json")
	if fs, _ := r.body["features"].([]any); r.StatusCode != 200 || len(fs) != 1 || fs[0].(map[string]any)["properties"].(map[string]any)["code"] != "A-2" {
		t.Errorf("search by name: %d %s", r.StatusCode, r.raw)
	}
	var one struct {
		Properties struct {
			Name, Owner, Remarks string
			Attributes           map[string]any
		}
	}
	var col featureCollection
	get(t, e.url+"/ogc/collections/parcels/items?name=智造", &col)
	get(t, e.url+"/ogc/collections/parcels/items/"+ftoa(col.Features[0].ID.(float64)), &one)
	if p := one.Properties; p.Name != "滨江智造园一期" || p.Owner != "㙟村经济合作社𠀀" || p.Remarks != "测试_100%" ||
		p.Attributes["DLMC"] != "工业用地" || p.Attributes["TBMJ"] != nil {
		t.Errorf("OGC item: %+v", p)
	}
	_, b := fetchRaw(t, e.url+"/api/exports/parcels?format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("地块")
	head := strings.Join(rows[0], ",")
	// TBMJ is the survey's official area, a column of its own (图斑面积); DLMC stays an attribute.
	if !strings.Contains(head, "地块名称,权属单位名称,备注") || !strings.HasSuffix(head, "DLMC") || !strings.Contains(head, "图斑面积") ||
		!strings.Contains(fmt.Sprint(rows[1:]), "㙟村经济合作社𠀀") || !strings.Contains(fmt.Sprint(rows[1]), "1234.5") {
		t.Errorf("xlsx: %v", rows)
	}
}

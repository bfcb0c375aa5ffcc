package web_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportJSON checks the report's shape and a few figures of the
// planner world: 2026 supply under the core zone (H, sold) and quota.
func TestReportJSON(t *testing.T) {
	srv, _ := plannerServer(t)
	var rep struct {
		Year   int    `json:"year"`
		AsOf   string `json:"as_of"`
		Notes  []struct{ Zh, En string }
		Tables []struct {
			Key     string           `json:"key"`
			Columns []map[string]any `json:"columns"`
			Rows    []map[string]any `json:"rows"`
		} `json:"tables"`
	}
	res := get(t, srv.URL+"/api/reports/2026?asof=2026-12-31", &rep)
	if res.StatusCode != 200 || rep.Year != 2026 || rep.AsOf != "2026-12-31" || len(rep.Tables) != 8 || len(rep.Notes) == 0 {
		t.Fatalf("report: %d %+v", res.StatusCode, rep)
	}
	for _, tb := range rep.Tables {
		for _, r := range tb.Rows {
			if tb.Key == "supply" && r["section"] == "按行政区" && r["code"] == "330108" && (r["sale_count"] != 1.0 || r["sale_hm2"] != 1.0) {
				t.Errorf("Binjiang sold H (1 hm²) in 2026: %v", r)
			}
			if tb.Key == "quota" && r["section"] == "按行政区" && r["code"] == "330109" && (r["issued_hm2"] != 20.0 || r["remaining_mu"] != 300.0) {
				t.Errorf("Xiaoshan quota: %v", r)
			}
		}
	}
	var e map[string]any
	for _, q := range []string{"/api/reports/1999", "/api/reports/2026?format=pdf", "/api/reports/2026?asof=2025-12-31", "/api/reports/2026?table=nope"} {
		if res := get(t, srv.URL+q, &e); res.StatusCode != 400 {
			t.Errorf("%s: %d", q, res.StatusCode)
		}
	}
}

func TestReportCSV(t *testing.T) {
	srv, _ := plannerServer(t)
	res, body := fetchRaw(t, srv.URL+"/api/reports/2026?format=csv&asof=2026-12-31&table=supply")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="landquota-report-2026-supply.csv"; filename*=UTF-8''`) ||
		!strings.Contains(cd, url.PathEscape("用地统计-2026-年度供地.csv")) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte-order mark: Excel would garble the Chinese")
	}
	recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	head := recs[0]
	if head[0] != "统计口径" || head[3] != "名称" || !strings.Contains(strings.Join(head, ","), "出让（公顷）") {
		t.Fatalf("header %v", head)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var sold float64
	for _, r := range recs[1:] {
		if len(r) != len(head) {
			t.Fatalf("ragged row %v", r)
		}
		if r[0] == "按行政区" && r[1] == "合计" {
			sold, _ = strconv.ParseFloat(r[col["出让（公顷）"]], 64)
		}
	}
	if sold != 1 {
		t.Errorf("sold in the districts' total: %v hm²", sold)
	}
	if last := recs[len(recs)-1]; last[1] != "注" || !strings.Contains(last[3], "重复计算") {
		t.Errorf("no note row: %v", last)
	}
	// All tables in one file: each under its title, separated by empty lines.
	res, body = fetchRaw(t, srv.URL+"/api/reports/2026?format=csv&asof=2026-12-31")
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("all tables: %v", err)
	}
	titles := 0
	for _, rec := range all {
		if len(rec) == 1 && strings.Contains(rec[0], "（2026年，截至2026-12-31）") {
			titles++
		}
	}
	if titles != 8 {
		t.Errorf("%d table titles in the CSV, want 8", titles)
	}
}

func TestReportXLSX(t *testing.T) {
	srv, _ := plannerServer(t)
	res, body := fetchRaw(t, srv.URL+"/api/reports/2026?format=xlsx&asof=2026-12-31")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="landquota-report-2026.xlsx"`) {
		t.Fatalf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("excelize cannot open it: %v", err)
	}
	defer f.Close()
	want := []string{"建设用地计划指标", "年度供地", "批而未供与闲置土地", "低效用地（五类）", "用地分类统计（规划用途）", "现状地类统计", "保障性住房用地（全市统筹）", "测量面积与登记面积核对", "说明"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, err := f.GetRows("年度供地")
	if err != nil || len(rows) < 3 || rows[0][0] != "统计口径" {
		t.Fatalf("supply sheet: %v %v", err, rows)
	}
	// Find Binjiang's sold hm² and check it is stored as a number.
	col := -1
	for i, h := range rows[0] {
		if h == "出让（公顷）" {
			col = i
		}
	}
	for i, r := range rows {
		if len(r) > 2 && r[0] == "按行政区" && r[2] == "330108" {
			cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
			typ, _ := f.GetCellType("年度供地", cell)
			v, _ := f.GetCellValue("年度供地", cell, excelize.Options{RawCellValue: true})
			if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || v != "1" {
				t.Errorf("sold hm² cell %s: type %v value %q, want the number 1", cell, typ, v)
			}
		}
	}
	quota, _ := f.GetRows("建设用地计划指标")
	if !strings.Contains(strings.Join(quota[0], ","), "下达（公顷）") {
		t.Errorf("quota header %v", quota[0])
	}
}

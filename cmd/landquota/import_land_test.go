package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
)

func TestImportParcelEventsAndEvaluations(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	districts, parcels := writeWorld(t, dir, 3)
	must(t, db, "import", "districts", districts)
	must(t, db, "import", "parcels", parcels, "--progress", "none")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(sql string) int {
		var n int
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The fee is listed before the determination it follows: recorded in
	// date order. Chinese column names and words are understood.
	events := filepath.Join(dir, "events.csv")
	os.WriteFile(events, []byte("\ufeff地块编号,类型,日期,文号,原因,金额（万元）\n"+
		"G-0000001,闲置费,2024-07-01,杭高新闲费〔2024〕1号,,2469.12\n"+
		"G-0000001,认定书,2024-06-10,杭高新闲认〔2024〕3号,企业原因,\n"), 0o644)
	if out := must(t, db, "import", "parcel-events", events); !strings.Contains(out, "2 events recorded") {
		t.Fatalf("events: %s", out)
	}
	if n := count(`SELECT count(*) FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id
		WHERE p.code = 'G-0000001' AND ((e.kind = 'idle_determination' AND e.cause = 'enterprise') OR (e.kind = 'fee_levied' AND e.amount_wan = 2469.12))`); n != 2 {
		t.Fatalf("%d events stored as written", n)
	}
	// A bad row names itself and nothing of the file is written.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("parcel_code,kind,event_on,document,cause\n"+
		"G-0000002,idle_determination,2024-06-10,d1,government\n"+
		"G-0000002,idle_determination,2024-13-10,d2,government\n"), 0o644)
	out, err := landquota(t, db, "import", "parcel-events", bad)
	if err == nil || !strings.Contains(out, "bad.csv row 2, event_on") {
		t.Fatalf("bad date: %v %s", err, out)
	}
	os.WriteFile(bad, []byte("parcel_code,kind,event_on,document,cause\n"+
		"G-0000002,idle_determination,2024-06-10,d1,government\n"+
		"NO-SUCH,idle_determination,2024-06-11,d2,government\n"), 0o644)
	out, err = landquota(t, db, "import", "parcel-events", bad)
	if err == nil || !strings.Contains(out, "NO-SUCH") || !strings.Contains(out, "nothing recorded") {
		t.Fatalf("unknown parcel: %v %s", err, out)
	}
	if n := count("SELECT count(*) FROM parcel_events"); n != 2 {
		t.Fatalf("a refused file left %d events", n-2)
	}

	// District evaluations from an .xlsx, replaced when given again.
	x := excelize.NewFile()
	sheet := x.GetSheetName(0)
	for i, row := range [][]any{{"年度", "行政区代码", "亩均税收", "亩均增加值"}, {2025, "330108", 85.3, 320.5}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellValue(sheet, cell, v)
		}
	}
	eval := filepath.Join(dir, "eval.xlsx")
	if err := x.SaveAs(eval); err != nil {
		t.Fatal(err)
	}
	if out := must(t, db, "import", "district-evaluations", eval); !strings.Contains(out, "1 district evaluations stored") {
		t.Fatalf("evaluations: %s", out)
	}
	if n := count("SELECT count(*) FROM district_evaluations WHERE year = 2025 AND adcode = '330108' AND tax_per_mu_wan = 85.3 AND value_added_per_mu_wan = 320.5"); n != 1 {
		t.Fatal("evaluation not stored as written")
	}
	csvEval := filepath.Join(dir, "eval.csv")
	os.WriteFile(csvEval, []byte("year,adcode,tax_per_mu_wan,value_added_per_mu_wan\n2025,330199,1,2\n"), 0o644)
	if out, err := landquota(t, db, "import", "district-evaluations", csvEval); err == nil || !strings.Contains(out, "330199") {
		t.Fatalf("unknown district: %v %s", err, out)
	}
}

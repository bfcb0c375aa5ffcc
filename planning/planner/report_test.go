package planner

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

var (
	testDistricts = []DistrictInfo{{"330108", "滨江区", "Binjiang"}, {"330109", "萧山区", "Xiaoshan"}, {"330111", "富阳区", "Fuyang"}}
	testParks     = []ParkInfo{
		{"HTZ", "杭州高新区", "High-tech Zone", planning.ParkCoreZone, "330108", "", true},
		{"BINFU", "滨富特别合作区", "Binfu", planning.ParkSpecialCooperationZone, "330111", "", true},
		{"BINXIAO", "滨萧特别合作园", "Binxiao", planning.ParkSpecialCooperationPark, "330109", "", true},
	}
)

func TestBuildUnitsCountsParksTwiceAndSaysSo(t *testing.T) {
	units := BuildUnits(testDistricts, testParks)
	var got []string
	for _, u := range units {
		got = append(got, u.Section+"/"+u.Level+"/"+u.Code)
	}
	want := []string{
		"district/unit/330108", "district/of_which/HTZ", "district/unit/330109", "district/of_which/BINXIAO",
		"district/unit/330111", "district/of_which/BINFU", "district/total/",
		"high_tech_zone/unit/HTZ", "high_tech_zone/unit/BINFU", "high_tech_zone/unit/BINXIAO", "high_tech_zone/total/",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, u := range units {
		cooperation := u.Section == SectionHighTechZone && (u.Code == "BINFU" || u.Code == "BINXIAO")
		if cooperation != (u.DoubleCounted && u.Level == LevelUnit) {
			t.Errorf("%s %s: double counted %v", u.Section, u.Code, u.DoubleCounted)
		}
	}
}

// TestReportTotalsMatchHandSums builds a small report from known facts and
// checks every figure against sums done by hand.
func TestReportTotalsMatchHandSums(t *testing.T) {
	groups := []GroupFacts{
		{District: "330108", Park: "HTZ", All: Measured{10, 100_000}, SuppliedSale: Measured{2, 20_000}, SuppliedAllocation: Measured{1, 5_000},
			UnsuppliedStart: Measured{3, 30_000}, UnsuppliedEnd: Measured{2, 15_000}, UnsuppliedDisposed: Measured{2, 20_000},
			IdleStart: Measured{1, 10_000}, IdleEnd: Measured{1, 7_500}, Approved5y: Measured{6, 60_000}, Supplied5y: Measured{3, 30_000},
			Low: [5]Measured{{2, 15_000}, {1, 7_500}}},
		{District: "330111", Park: "", All: Measured{20, 300_000}, SuppliedSale: Measured{4, 40_000},
			UnsuppliedEnd: Measured{5, 50_000}, Approved5y: Measured{10, 100_000}, Supplied5y: Measured{8, 80_000}},
		{District: "330111", Park: "BINFU", All: Measured{5, 50_000}, SuppliedAllocation: Measured{1, 12_345},
			UnsuppliedStart: Measured{1, 10_000}, UnsuppliedEnd: Measured{1, 10_000}, IdleEnd: Measured{2, 20_000}, FeeWan: 100.5,
			Approved5y: Measured{2, 20_000}, Supplied5y: Measured{1, 12_345}},
		{District: "330109", Park: "BINXIAO", All: Measured{4, 40_000}, SuppliedSale: Measured{1, 6_000}},
	}
	classes := []ClassFacts{
		{District: "330108", Park: "HTZ", Class: "10", All: Measured{3, 30_000}, SuppliedInYear: Measured{1, 10_000}},
		{District: "330108", Park: "HTZ", Class: "100101", All: Measured{2, 20_000}},
		{District: "330111", Park: "BINFU", Class: "10", All: Measured{4, 40_000}},
		{District: "330111", Park: "", Class: "07", All: Measured{9, 90_000}},
	}
	accounts := []quota.Account{
		{ID: 1, Code: "330100", Kind: quota.AccountCity, Figures: quota.Figures{HeldM2: 500_000 * amount.PerM2}},
		{ID: 2, Code: "330111", ParentID: 1, Kind: quota.AccountDistrict, Figures: quota.Figures{HeldM2: 60_000 * amount.PerM2, WithdrawnM2: 10_000 * amount.PerM2}},
		{ID: 3, Code: "330111/BINFU", ParentID: 2, Kind: quota.AccountPark, Figures: quota.Figures{HeldM2: 20_000 * amount.PerM2}},
		{ID: 4, Code: "P1", ParentID: 3, Kind: quota.AccountProject, Figures: quota.Figures{HeldM2: 5_000 * amount.PerM2, ConsumedM2: 15_000 * amount.PerM2}},
		{ID: 5, Code: "330108", ParentID: 1, Kind: quota.AccountDistrict, Figures: quota.Figures{HeldM2: 40_000 * amount.PerM2}},
		{ID: 6, Code: "330108/HTZ", ParentID: 5, Kind: quota.AccountPark},
		{ID: 7, Code: "330109", ParentID: 1, Kind: quota.AccountDistrict},
		{ID: 8, Code: "330109/BINXIAO", ParentID: 7, Kind: quota.AccountPark, Figures: quota.Figures{HeldM2: 30_000 * amount.PerM2}},
	}
	quota.SumSubtrees(accounts) // as the store hands them out
	in := ReportInput{Year: 2026, Start: *day("2025-12-31"), End: *day("2026-12-31"), Rules: DefaultRules(),
		Districts: testDistricts, Parks: testParks, Groups: groups, Classes: classes,
		ClassNames: map[string]ClassName{"10": {"工矿用地", "Industrial and mining"}, "100101": {"一类工业用地", "Class 1 industrial"}, "07": {"居住用地", "Residential"}},
		Plans:      []PlanFigures{{Kind: quota.KindNewConstruction, NameZh: "新增建设用地计划指标", Accounts: accounts}}}
	rep := BuildReport(in, time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC))
	if rep.From != "2026-01-01" || rep.AsOf != "2026-12-31" || len(rep.Tables) != 8 {
		t.Fatalf("report %s..%s with %d tables", rep.From, rep.AsOf, len(rep.Tables))
	}
	cell := func(table, section, code, col string, extra ...string) any {
		t.Helper()
		v, ok := rep.Cell(table, section, code, col, strings.Join(extra, ""))
		if !ok {
			t.Fatalf("no cell %s/%s/%s/%s %v", table, section, code, col, extra)
		}
		return v
	}
	checks := []struct {
		table, section, code, col string
		want                      any
		class                     string
	}{
		// Supply: Fuyang = its own 4 + Binfu's 1; the districts' total all four groups.
		{"supply", SectionDistrict, "330111", "sale_hm2", 4.0, ""},
		{"supply", SectionDistrict, "330111", "allocation_mu", 18.52, ""}, // 12,345 m² = 18.5175 亩
		{"supply", SectionDistrict, "330111", "total_count", int64(5), ""},
		{"supply", SectionDistrict, "", "total_count", int64(9), ""},
		{"supply", SectionDistrict, "", "total_hm2", 8.33, ""}, // 20,000+5,000+40,000+12,345+6,000 = 83,345 m²
		{"supply", SectionDistrict, "BINFU", "allocation_count", int64(1), ""},
		// The High-tech Zone view: Binjiang whole, plus both cooperation parks.
		{"supply", SectionHighTechZone, "HTZ", "total_count", int64(3), ""},
		{"supply", SectionHighTechZone, "BINFU", "double_counted", true, ""},
		{"supply", SectionHighTechZone, "BINXIAO", "sale_count", int64(1), ""},
		// total row of the High-tech Zone view: 3 + 1 + 1
		// Stock.
		{"stock", SectionDistrict, "330108", "unsupplied_disposal_rate", 0.6667, ""},
		{"stock", SectionDistrict, "330108", "idle_disposal_rate", 0.0, ""},
		{"stock", SectionDistrict, "330111", "unsupplied_end_count", int64(6), ""},
		{"stock", SectionDistrict, "330111", "supply_rate_5y", 0.7695, ""}, // 92,345 / 120,000
		{"stock", SectionDistrict, "330111", "below_floor", false, ""},
		{"stock", SectionDistrict, "330108", "supply_rate_5y", 0.5, ""},
		{"stock", SectionDistrict, "330108", "below_floor", true, ""},
		{"stock", SectionDistrict, "330111", "fee_wan", 100.5, ""},
		{"stock", SectionDistrict, "330109", "supply_rate_5y", nil, ""},
		// Quota: Fuyang's subtree holds 60,000 + 20,000 + 5,000, used 15,000, gave back 10,000.
		{"quota", SectionDistrict, "330111", "remaining_hm2", 8.5, ""},
		{"quota", SectionDistrict, "330111", "consumed_hm2", 1.5, ""},
		{"quota", SectionDistrict, "330111", "withdrawn_hm2", 1.0, ""},
		{"quota", SectionDistrict, "330111", "issued_hm2", 11.0, ""},
		{"quota", SectionDistrict, "330111", "allocated_hm2", 2.0, ""},
		{"quota", SectionDistrict, "BINFU", "issued_mu", 60.0, ""}, // 40,000 m²
		{"quota", SectionHighTechZone, "HTZ", "issued_hm2", 4.0, ""},
		{"quota", SectionDistrict, "", "issued_hm2", 18.0, ""}, // 110,000 + 40,000 + 30,000 m²
		// Land use: industrial rows follow 10.
		{"land_use", SectionDistrict, "330108", "all_count", int64(2), "100101"},
		{"land_use", SectionDistrict, "330108", "supplied_hm2", 1.0, "10"},
		{"land_use", SectionDistrict, "330111", "all_hm2", 4.0, "10"},
		{"land_use", SectionDistrict, "330111", "all_count", int64(9), "07"},
		{"land_use", SectionHighTechZone, "", "all_count", int64(7), "10"}, // Binjiang 3 + Binfu 4
	}
	for _, c := range checks {
		var got any
		if c.class != "" {
			got = cell(c.table, c.section, c.code, c.col, c.class)
		} else {
			got = cell(c.table, c.section, c.code, c.col)
		}
		if got != c.want {
			t.Errorf("%s %s %q %s %s = %v (%T), want %v", c.table, c.section, c.code, c.col, c.class, got, got, c.want)
		}
	}
	// The High-tech Zone total: Binjiang (3 supplied) + Binfu (1) + Binxiao (1).
	for _, tb := range rep.Tables {
		if tb.Key != "supply" {
			continue
		}
		for _, r := range tb.Rows {
			if r[0] == sectionNames[SectionHighTechZone] && r[1] == levelNames[LevelTotal] {
				if r[len(r)-3] != int64(5) || r[5] != true || !strings.Contains(r[6].(string), "不能相加") {
					t.Errorf("High-tech Zone total row: %v", r)
				}
			}
		}
		if last := tb.Rows[len(tb.Rows)-1]; last[1] != levelNames[LevelNote] || !strings.Contains(last[3].(string), "重复计算") {
			t.Errorf("the table does not end with the note row: %v", last)
		}
	}
	// JSON rows are objects keyed by column.
	b, err := json.Marshal(rep.Tables[1])
	if err != nil || !strings.Contains(string(b), `"rows":[{"section":"按行政区","level":"单位","code":"330108"`) {
		t.Errorf("json: %v %.300s", err, b)
	}
}

// Parks say themselves whether they count in the High-tech Zone view; a
// block (一区多园) counts inside its parent park's rows.
func TestHighTechZoneFollowsParkFlagsAndBlocks(t *testing.T) {
	parks := append(append([]ParkInfo{}, testParks...),
		ParkInfo{"XIANGHU", "未来产业社区", "Future industry community", planning.ParkFunctionalPark, "330109", "BINXIAO", true},
		ParkInfo{"OTHER", "富阳其他园区", "Another Fuyang park", planning.ParkCooperationPark, "330111", "", false})
	var htz []string
	var binxiao *Unit
	units := BuildUnits(testDistricts, parks)
	for i, u := range units {
		if u.Section == SectionHighTechZone && u.Level == LevelUnit {
			htz = append(htz, u.Code)
			if u.Code == "BINXIAO" {
				binxiao = &units[i]
			}
		}
	}
	if strings.Join(htz, ",") != "HTZ,BINFU,BINXIAO" {
		t.Fatalf("High-tech Zone rows %v, want HTZ,BINFU,BINXIAO (OTHER does not count, XIANGHU is in BINXIAO)", htz)
	}
	if binxiao == nil || !binxiao.takes("330109", "XIANGHU") || binxiao.takes("330111", "OTHER") {
		t.Fatalf("Binxiao's row must take its block and nothing else: %+v", binxiao)
	}
	total := units[len(units)-1]
	if total.takes("330111", "OTHER") || !total.takes("330109", "XIANGHU") {
		t.Error("the High-tech Zone total follows the flags")
	}
}

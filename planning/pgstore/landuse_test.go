package pgstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// Construction land follows the current use (现状地类), never the planned
// use (规划用途); an override needs its reason.
func TestConstructionLandDerivedFromCurrentUse(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	yes, no := true, false
	cases := []struct {
		code, current string
		flag          bool // what the caller claims
		override      *bool
		reason        string
		want          bool
	}{
		{"FARM", "0101", true, nil, "", false},      // paddy today, factory planned: new quota
		{"HOMESTEAD", "0703", false, nil, "", true}, // village homestead today: stock
		{"VACANT", "2301", false, nil, "", true},    // 空闲地 is construction land (2023 guide)
		{"RESERVOIR", "1703", false, nil, "", true}, // 水库水面 too
		{"BARE", "2306", true, nil, "", false},      // 裸土地 is not
		{"UNKNOWN", "", true, nil, "", true},        // not surveyed: the recorded flag stands
		{"OVERRIDE", "0101", false, &yes, "2019年土地整治后已建成 (rebuilt after the 2019 land consolidation)", true},
		{"OVERRIDE-NO", "0703", true, &no, "宅基地已复垦 (homestead reclaimed to farmland)", false},
	}
	ids := map[string]int64{}
	for i, c := range cases {
		p := parcel(c.code, rect(float64(i)*200, 0, float64(i)*200+100, 100))
		p.CurrentUse, p.ConstructionLand, p.ConstructionOverride, p.ConstructionOverrideReason = c.current, c.flag, c.override, c.reason
		id := mustInsertParcel(t, s, p)
		ids[c.code] = id
		got, err := s.GetParcel(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.ConstructionLand != c.want || got.CurrentUse != c.current || got.LandUse != "100101" || got.ConstructionOverrideReason != c.reason {
			t.Errorf("%s: construction %v current %q planned %q reason %q, want %v %q 100101 %q",
				c.code, got.ConstructionLand, got.CurrentUse, got.LandUse, got.ConstructionOverrideReason, c.want, c.current, c.reason)
		}
	}
	// An override without a reason is refused before anything is written.
	p := parcel("NO-REASON", rect(3000, 0, 3100, 100))
	p.ConstructionOverride = &yes
	if _, err := s.InsertParcel(ctx, p); planning.CodeOf(err) != planning.ErrInvalid {
		t.Fatalf("override without a reason: %v, want invalid", err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE parcels SET construction_override = true WHERE code = 'FARM'`); err == nil {
		t.Fatal("the database took an override without a reason")
	}
	// A class whose flag changes re-derives the parcels using it today.
	if _, err := s.Pool().Exec(ctx, `UPDATE land_use_classes SET construction = false WHERE code = '0703'`); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]bool{"HOMESTEAD": false, "OVERRIDE-NO": false} {
		got, err := s.GetParcel(ctx, ids[code])
		if err != nil {
			t.Fatal(err)
		}
		if got.ConstructionLand != want {
			t.Errorf("%s after the class changed: construction %v, want %v", code, got.ConstructionLand, want)
		}
	}
	// The layers filter on either use.
	var n int
	res, err := s.StreamLayer(ctx, planning.LayerQuery{Layer: "parcels", Limit: 100, Filter: &planning.ParcelFilter{CurrentUse: []string{"01"}},
		Properties: []string{"code", "current_use", "current_use_zh"}}, func([]byte) error { n++; return nil })
	if err != nil || res.Next != "" || n != 2 {
		t.Fatalf("current_use=01: %d features, %v", n, err)
	}
	_, err = s.StreamLayer(ctx, planning.LayerQuery{Layer: "parcels", Limit: 10, Filter: &planning.ParcelFilter{CurrentUse: []string{"9999"}}},
		func([]byte) error { return nil })
	if planning.CodeOf(err) != planning.ErrInvalid {
		t.Fatalf("unknown current use: %v, want invalid", err)
	}
}

func TestCurrentUseMigrationKeepsStoredFlags(t *testing.T) {
	conn := migratedFrom10(t, seed10+`
INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2, construction_land)
VALUES ('CONTRA', '330108', '0802', 'supplied', ST_Multi(ST_Transform(ST_MakeEnvelope(521000, 3340000, 521100, 3340100, 4549), 4490)), 0, false);`)
	ctx := context.Background()
	// Where the one code agreed with the flag it was today's use too; where
	// it contradicted the flag the current use is unknown and the flag kept.
	want := map[string]struct {
		current string
		cl      bool
	}{"FARM": {"0101", false}, "APPROVED": {"", false}, "RECOVERED": {"100101", true}, "CONTRA": {"", false}}
	rows, err := conn.Query(ctx, "SELECT code, coalesce(current_use_code, ''), construction_land FROM parcels")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var code, cur string
		var cl bool
		if err := rows.Scan(&code, &cur, &cl); err != nil {
			t.Fatal(err)
		}
		n++
		if w := want[code]; w.current != cur || w.cl != cl {
			t.Errorf("%s: current use %q construction %v, want %q %v", code, cur, cl, w.current, w.cl)
		}
	}
	if n != len(want) {
		t.Fatalf("%d parcels after the migration, want %d", n, len(want))
	}
	var vacant, reservoir bool
	if err := conn.QueryRow(ctx, "SELECT (SELECT construction FROM land_use_classes WHERE code = '2301'), (SELECT construction FROM land_use_classes WHERE code = '1703')").Scan(&vacant, &reservoir); err != nil {
		t.Fatal(err)
	}
	if !vacant || !reservoir {
		t.Errorf("2301 construction %v, 1703 construction %v: both are construction land", vacant, reservoir)
	}
}

func TestSearchByCurrentUse(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	for i, cur := range []string{"0101", "0703", ""} {
		p := parcel("S"+cur, rect(float64(i)*200, 0, float64(i)*200+100, 100))
		p.Status, p.CurrentUse = planning.StatusApproved, cur
		mustInsertParcel(t, s, p)
	}
	q := planner.Search{CurrentUse: []string{"07"}, Limit: 10, Order: planner.OrderID}
	var got []string
	_, err := s.SearchParcels(ctx, q, func(b []byte) error { got = append(got, string(b)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"current_use":"0703","current_use_zh":"农村宅基地"`) || !strings.Contains(got[0], `"land_use":"100101"`) {
		t.Fatalf("current_use=07 found %v", got)
	}
	q = planner.Search{CurrentUse: []string{"9999"}, Limit: 10, Order: planner.OrderID}
	if _, err := s.SearchParcels(ctx, q, func([]byte) error { return nil }); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "current_use") {
		t.Fatalf("unknown current use: %v", err)
	}
}

// The yearly statistics offer the current use beside the planned use: a
// paddy (0101 today) planned as a factory counts under 01 in one table and
// under 10 in the other; a parcel never surveyed counts as "".
func TestReportByCurrentUse(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	for i, cur := range []string{"0101", "0101", ""} {
		p := parcel("R"+strconv.Itoa(i), rect(float64(i)*200, 0, float64(i)*200+100, 100)) // 1 hm² each, planned 100101
		p.CurrentUse = cur
		mustInsertParcel(t, s, p)
	}
	end, _ := time.Parse(time.DateOnly, "2026-12-31")
	rep, err := s.YearReport(ctx, 2026, end, planner.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table, class string
		want         any
	}{{"current_use", "01", int64(2)}, {"current_use", "", int64(1)}, {"land_use", "10", int64(3)}, {"land_use", "100101", int64(3)}} {
		if got := reportCell(t, rep, c.table, planner.SectionDistrict, "330108", "all_count", c.class); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.table, c.class, got, c.want)
		}
	}
}

// The table's CHECK is the one copy of the land-use-code pattern outside Go
// (an applied migration): it must be the Go pattern, and PostgreSQL's regex
// engine must judge codes as Go's does.
func TestLandUseCodeCheckIsTheGoPattern(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	var def string
	if err := s.Pool().QueryRow(ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'land_use_classes'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%code ~%'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	pattern := planning.LandUseCodePattern.String()
	if !strings.Contains(def, "'"+pattern+"'") {
		t.Fatalf("land_use_classes CHECK %s does not use the Go pattern %s", def, pattern)
	}
	for _, code := range []string{"10", "1001", "100101", "1", "100", "10010101", "M0", "10a1", " 1001", "1001\n", ""} {
		var db bool
		if err := s.Pool().QueryRow(ctx, `SELECT $1::text ~ $2::text`, code, pattern).Scan(&db); err != nil {
			t.Fatal(err)
		}
		if inGo := planning.LandUseCodePattern.MatchString(code); db != inGo {
			t.Errorf("%q: PostgreSQL says %v, Go says %v", code, db, inGo)
		}
	}
}

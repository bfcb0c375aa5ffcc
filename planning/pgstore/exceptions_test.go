package pgstore_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// A 单独选址 road outside the boundary is accepted with its exception; a
// State Council major project may sit on farmland; an exception without its
// document is refused; the tolerance is policy data.
func TestProtectedLineExceptions(t *testing.T) {
	s := worldStore(t)
	ctx := context.Background()
	for _, z := range []planning.ProtectedZone{
		{Kind: planning.ZoneDevBoundary, Name: "城镇开发边界", Outline: rect(-5000, -5000, 3000, 5000)},
		{Kind: planning.ZoneDevBoundary, Name: "城镇开发边界二", Outline: rect(3400, -100, 4100, 600)},
		{Kind: planning.ZoneFarmland, Name: "永久基本农田", Outline: rect(3500, 0, 4000, 500)},
	} {
		if _, err := s.InsertZone(ctx, z); err != nil {
			t.Fatal(err)
		}
	}
	road := parcel("ROAD", rect(2900, 0, 3100, 100)) // 10 000 m² outside the boundary
	road.LandUse, road.LineException, road.LineExceptionDocument = "1207", planning.LineExceptionSingleSite, "浙政土字〔2025〕88号"
	major := parcel("MAJOR", rect(3500, 0, 3600, 100)) // all on farmland
	major.LineException, major.LineExceptionDocument = planning.LineExceptionMajorProject, "国函〔2024〕12号"
	plain := parcel("PLAIN", rect(3700, 0, 3800, 100)) // on farmland, no exception
	edge := parcel("EDGE", rect(3999, 0, 4100, 0.5))   // 0.5 m² on farmland
	// 50 m² on farmland each: a 0.2 m seam 250 m long, and a square.
	seam := parcel("SEAM", rect(3999.8, 100, 4100, 350))
	side := 50 / math.Sqrt(50)
	square := parcel("SQUARE", rect(4000-side, 400, 4100, 400+side))
	for _, p := range []planning.Parcel{road, major, plain, edge, seam, square} {
		mustInsertParcel(t, s, p)
	}
	nodoc := parcel("NODOC", rect(2900, 200, 3100, 300))
	nodoc.LineException = planning.LineExceptionSingleSite
	if _, err := s.InsertParcel(ctx, nodoc); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "document") {
		t.Fatalf("exception without a document: %v", err)
	}
	check := func(code string) planner.Eligibility {
		t.Helper()
		e, err := s.CheckEligibility(ctx, planner.EligibilityQuery{ParcelCode: code, Precision: 7, Tolerance: planning.DefaultLineTolerance})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := check("ROAD")
	if !e.Eligible || e.InsideBoundary || e.ExceptionApplied != planning.LineExceptionSingleSite ||
		!strings.Contains(e.Verdict.Zh, "单独选址") || !strings.Contains(e.Verdict.Zh, "浙政土字〔2025〕88号") {
		t.Errorf("ROAD: %+v", e)
	}
	if e := check("MAJOR"); !e.Eligible || e.ExceptionApplied != planning.LineExceptionMajorProject || e.Farmland.M2 != 10000 ||
		!strings.Contains(e.Verdict.En, "State Council") {
		t.Errorf("MAJOR: %+v", e)
	}
	if e := check("PLAIN"); e.Eligible || e.ExceptionApplied != "" {
		t.Errorf("PLAIN: %+v", e)
	}
	if e := check("EDGE"); !e.Eligible || e.ToleranceM2 != 1 || e.SliverWidthM != 0.5 {
		t.Errorf("EDGE with the 1 m², 0.5 m policy: %+v", e)
	}
	// The sliver width: the seam is ignored whatever its area, the square
	// of the same area is not.
	if e := check("SEAM"); !e.Eligible || math.Abs(e.Farmland.M2-50) > 0.05 || math.Abs(e.FarmlandWidthM-0.2) > 0.005 {
		t.Errorf("SEAM with the 0.5 m width: %+v", e)
	}
	if e := check("SQUARE"); e.Eligible || math.Abs(e.Farmland.M2-50) > 0.05 || math.Abs(e.FarmlandWidthM-side) > 0.005 ||
		!strings.Contains(e.Verdict.Zh, "永久基本农田 50.0") {
		t.Errorf("SQUARE with the 0.5 m width: %+v", e)
	}
	// The search and the layers apply the same rule.
	search := func() []string {
		yes := true
		var got []string
		_, err := s.SearchParcels(ctx, planner.Search{Eligible: &yes, Limit: 10, Order: planner.OrderID}, func(b []byte) error {
			got = append(got, string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := search(); len(got) != 4 || !strings.Contains(got[0], `"line_exception":"single_site_infrastructure"`) ||
		!strings.Contains(got[3], `"code":"SEAM"`) {
		t.Errorf("eligible search: %d %v", len(got), got)
	}
	project := func() bool {
		t.Helper()
		var id int64
		if err := s.Pool().QueryRow(ctx, "SELECT id FROM parcels WHERE code = 'SEAM'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		pr, err := s.CreateProject(ctx, quota.Project{Code: "P-SEAM", Name: "seam", Category: allocation.General, District: "330108", ParcelIDs: []int64{id}})
		if err != nil {
			t.Fatal(err)
		}
		if pr, err = s.Project(ctx, pr.ID); err != nil {
			t.Fatal(err)
		}
		return pr.Need.Eligible
	}
	if !project() {
		t.Error("a project on the seam parcel is not eligible at 0.5 m")
	}
	// A bad policy is refused, naming the field, and nothing changes.
	err := s.SetLineTolerance(ctx, planning.LineTolerance{AreaM2: 1, WidthM: -0.5}, "")
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "sliver_width_m") {
		t.Errorf("negative width: %v", err)
	}
	if _, err := s.Pool().Exec(ctx, "UPDATE eligibility_policy SET sliver_width_m = -0.5"); err == nil || !strings.Contains(err.Error(), "eligibility_policy_sliver_width_m") {
		t.Errorf("negative width in the table: %v", err)
	}
	// The tolerance is data: at 0 m² and a width of 0 the 0.5 m² sliver
	// and the seam are conflicts.
	if err := s.SetLineTolerance(ctx, planning.LineTolerance{}, "no tolerance"); err != nil {
		t.Fatal(err)
	}
	if e := check("EDGE"); e.Eligible || e.ToleranceM2 != 0 || e.SliverWidthM != 0 {
		t.Errorf("EDGE with a 0 m², 0 m policy: %+v", e)
	}
	if e := check("SEAM"); e.Eligible || !strings.Contains(e.Verdict.En, "permanent basic farmland by 50.0") {
		t.Errorf("SEAM with the width off: %+v", e)
	}
	if got := search(); len(got) != 2 {
		t.Errorf("eligible search at 0 m²: %d", len(got))
	}
	yes := true
	n := 0
	if _, err := s.StreamLayer(ctx, planning.LayerQuery{Layer: "parcels", Limit: 10, Filter: &planning.ParcelFilter{Eligible: &yes}},
		func([]byte) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("eligible layer at 0 m²: %d %v", n, err)
	}
}

package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/paulmach/orb"
)

// at converts a metre offset from origin (EPSG:4549) to lon/lat.
func at(x, y float64) orb.Point { return geo.From4549(orb.Point{origin[0] + x, origin[1] + y}) }

// drect is rect with a vertex every 25 m or less along each side, so that
// edges straight in lon/lat follow the straight lines in metres to well
// under a millimetre and overlaps measure what the metres say.
func drect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	corners := [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	var ring orb.Ring
	for i := 0; i < 4; i++ {
		a, b := corners[i], corners[i+1]
		n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1])) / 25))
		for k := 0; k < n; k++ {
			f := float64(k) / float64(n)
			ring = append(ring, at(a[0]+(b[0]-a[0])*f, a[1]+(b[1]-a[1])*f))
		}
	}
	ring = append(ring, ring[0])
	return orb.MultiPolygon{{ring}}
}

// plannerWorld is a small world with known answers, laid out in metres
// east and north of origin:
//
//	330108 Binjiang   x -5000..5000, the core zone HTZ over all of it
//	330109 Xiaoshan   x  5000..15000, park BINXIAO x 6000..14500
//	development boundary x -5000..14000 (so x > 14000 is outside)
//	farmland          x 10000..11000, y 0..1000
//	red line          x 12000..13000, y -1000..0
//
// Parcels of Binxiao (200 m squares are 40,000 m² = 60 亩):
//
//	X1  100101 reserve        7000..7200 × 0..200       free, 60 亩
//	X2  100102 approved       8000..8200 × 0..200       free, 60 亩
//	X3  100101 reserve        7500..7650 × 500..650     free, 33.75 亩 (too small for 50 亩)
//	X4  100101 reserve        10900..11100 × 900..1100  10,000 m² on farmland
//	X5  100101 reserve        9000..9200 × 0..200       held by a project
//	X6  0802   reserve        7000..7200 × 1010..1210   research, not industry
//	X7  100101 supplied       8500..8700 × 1000..1200   supplied (stock: construction land)
//	X8  100103 expropriated   13900..14100 × 2000..2200 half outside the boundary
//	X10 100101 reserve        12500..12800 × -0.001..299.999, 135 亩, 0.3 m² on the red line (within tolerance)
//	X12 0901   completed      7400..7600 × 0..100       construction land
//	X13 0802   supplied       6850..6950 × -50..250
//
// plus in Xiaoshan outside the park X9 (100101 reserve, 14600..14800 ×
// 0..200) and in Binjiang a surface parcel U1 and the stratified
// underground right U2 under it.
type plannerWorld struct {
	s   *pgstore.Store
	ids map[string]int64
}

func newPlannerWorld(t *testing.T) *plannerWorld {
	t.Helper()
	s := openStore(t)
	ctx := context.Background()
	w := &plannerWorld{s: s, ids: map[string]int64{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang", Outline: drect(-5000, -5000, 5000, 5000)}))
	must(s.InsertDistrict(ctx, planning.District{Adcode: "330109", NameZh: "萧山区", NameEn: "Xiaoshan", Outline: drect(5000, -5000, 15000, 5000)}))
	must(s.InsertPark(ctx, planning.Park{Code: "HTZ", NameZh: "杭州高新区", NameEn: "High-tech Zone", Kind: planning.ParkCoreZone,
		HostDistrict: "330108", Outline: drect(-5000, -5000, 5000, 5000)}))
	must(s.InsertPark(ctx, planning.Park{Code: "BINXIAO", NameZh: "滨萧特别合作园", NameEn: "Binxiao", Kind: planning.ParkSpecialCooperationPark,
		HostDistrict: "330109", Outline: drect(6000, -4000, 14500, 4000)}))
	for _, z := range []planning.ProtectedZone{
		{Kind: planning.ZoneDevBoundary, Name: "城镇开发边界", Outline: drect(-5000, -5000, 14000, 5000)},
		{Kind: planning.ZoneFarmland, Name: "永久基本农田", Outline: drect(10000, 0, 11000, 1000)},
		{Kind: planning.ZoneRedLine, Name: "生态保护红线", Outline: drect(12000, -1000, 13000, 0)},
	} {
		_, err := s.InsertZone(ctx, z)
		must(err)
	}
	type spec struct {
		code, use      string
		status         planning.Status
		x0, y0, x1, y1 float64
		construction   bool
	}
	for _, p := range []spec{
		{"X1", "100101", planning.StatusReserve, 7000, 0, 7200, 200, false},
		{"X2", "100102", planning.StatusApproved, 8000, 0, 8200, 200, false},
		{"X3", "100101", planning.StatusReserve, 7500, 500, 7650, 650, false},
		{"X4", "100101", planning.StatusReserve, 10900, 900, 11100, 1100, false},
		{"X5", "100101", planning.StatusReserve, 9000, 0, 9200, 200, false},
		{"X6", "0802", planning.StatusReserve, 7000, 1010, 7200, 1210, false},
		{"X7", "100101", planning.StatusSupplied, 8500, 1000, 8700, 1200, true},
		{"X8", "100103", planning.StatusExpropriated, 13900, 2000, 14100, 2200, false},
		{"X10", "100101", planning.StatusReserve, 12500, -0.001, 12800, 299.999, false},
		{"X12", "0901", planning.StatusCompleted, 7400, 0, 7600, 100, true},
		{"X13", "0802", planning.StatusSupplied, 6850, -50, 6950, 250, true},
	} {
		pc := planning.Parcel{Code: p.code, District: "330109", Park: "BINXIAO", LandUse: p.use, Status: p.status,
			Outline: drect(p.x0, p.y0, p.x1, p.y1), Elevation: planning.Surface(), ConstructionLand: p.construction}
		if p.status != planning.StatusReserve {
			pc.ApprovedOn = pgtest.Day("2024-03-01")
		}
		if p.status.Supplied() {
			pc.SuppliedOn = pgtest.Day("2025-01-10")
			pc.SupplyMethod = planning.SupplySale
		}
		id, err := s.InsertParcel(ctx, pc)
		must(err)
		w.ids[p.code] = id
	}
	x9 := parcel("X9", drect(14600, 0, 14800, 200))
	x9.District = "330109"
	id, err := s.InsertParcel(ctx, x9)
	must(err)
	w.ids["X9"] = id
	u1 := parcel("U1", drect(0, 0, 100, 100))
	u1.LandUse, u1.Park, u1.Status, u1.ConstructionLand = "0802", "HTZ", planning.StatusInProduction, true
	w.ids["U1"], err = s.InsertParcel(ctx, u1)
	must(err)
	u2 := parcel("U2", drect(0, 0, 100, 100))
	bottom, top := -20.0, -5.0
	u2.LandUse, u2.Park, u2.Status, u2.Elevation, u2.ConstructionLand = "1208", "HTZ", planning.StatusSupplied, planning.Elevation{Bottom: &bottom, Top: &top}, true
	w.ids["U2"], err = s.InsertParcel(ctx, u2)
	must(err)
	_, err = s.CreateProject(ctx, quota.Project{Code: "PX5", Name: "占用X5的项目", Category: allocation.General, District: "330109",
		Park: "BINXIAO", ParcelIDs: []int64{w.ids["X5"]}})
	must(err)
	return w
}

// searchFeature is what a test reads of one search feature.
type searchFeature struct {
	ID         int64 `json:"id"`
	Properties struct {
		Code      string  `json:"code"`
		Status    string  `json:"status"`
		AreaM2    float64 `json:"area_m2"`
		Available bool    `json:"available"`
		Why       struct {
			DistanceM    *float64 `json:"distance_m"`
			OverlapM2    *float64 `json:"overlap_m2"`
			LandUseMatch string   `json:"land_use_match"`
			Eligibility  struct {
				Eligible   bool    `json:"eligible"`
				FarmlandM2 float64 `json:"farmland_m2"`
				RedLineM2  float64 `json:"red_line_m2"`
				OutsideM2  float64 `json:"outside_boundary_m2"`
			} `json:"eligibility"`
		} `json:"why"`
	} `json:"properties"`
}

// search runs a request body through Check and the store.
func (w *plannerWorld) search(t *testing.T, body string) ([]searchFeature, planner.SearchResult, error) {
	t.Helper()
	var req planner.SearchRequest
	if err := planning.DecodeJSON(strings.NewReader(body), 1<<20, planning.Textf("the request body"), &req); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	q, err := req.Check()
	if err != nil {
		return nil, planner.SearchResult{}, err
	}
	var out []searchFeature
	res, err := w.s.SearchParcels(context.Background(), q, func(f []byte) error {
		var sf searchFeature
		if err := json.Unmarshal(f, &sf); err != nil {
			t.Fatalf("feature is not JSON: %v\n%s", err, f)
		}
		out = append(out, sf)
		return nil
	})
	return out, res, err
}

func codesOf(fs []searchFeature) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Properties.Code)
	}
	return strings.Join(c, ",")
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func lonLatJSON(p orb.Point) string {
	b, _ := json.Marshal([]float64{p[0], p[1]})
	return string(b)
}

func rectJSON(x0, y0, x1, y1 float64) string {
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": drect(x0, y0, x1, y1)[0]})
	return string(b)
}

// "Free industrial parcels (工业 1001xx) of at least 50 亩 inside Binxiao,
// clear of every protected line, nearest first to this point."
func TestSearchFreeIndustrialNearestFirst(t *testing.T) {
	w := newPlannerWorld(t)
	body := `{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available"],"area":{"min":50,"unit":"mu"},"eligible":true},
		"near":` + lonLatJSON(at(7000, -1000)) + `,"order":"distance"}`
	fs, res, err := w.search(t, body)
	if err != nil {
		t.Fatal(err)
	}
	if got := codesOf(fs); got != "X1,X2,X10" {
		t.Fatalf("got %s, want X1,X2,X10 (X3 too small, X4 on farmland, X5 held by a project, X6 research, X7 supplied, X8 half outside the boundary, X9 outside Binxiao)", got)
	}
	for i, want := range []float64{1000, 1000 * math.Sqrt2, math.Hypot(5500, 999.999)} {
		if d := fs[i].Properties.Why.DistanceM; d == nil || !near(*d, want, 0.02) {
			t.Errorf("%s: distance %v, want %.2f m", fs[i].Properties.Code, d, want)
		}
		if e := fs[i].Properties.Why.Eligibility; !e.Eligible || !fs[i].Properties.Available || fs[i].Properties.Why.LandUseMatch != "1001" {
			t.Errorf("%s: why %+v", fs[i].Properties.Code, fs[i].Properties.Why)
		}
	}
	// X10 touches the red line by 0.3 m², inside the 1 m² tolerance: reported, not a conflict.
	if r := fs[2].Properties.Why.Eligibility.RedLineM2; !near(r, 0.3, 0.01) {
		t.Errorf("X10 red-line overlap %.3f m², want 0.3", r)
	}
	tot := res.Totals
	if tot.Count != 3 || !near(tot.M2, 170000, 0.5) || tot.Hm2 != 17 || tot.Mu != 255 || res.Next != "" {
		t.Errorf("totals %+v next %q", tot, res.Next)
	}

	// Without the eligibility filter X4 (farmland) and X8 (outside) come back, with why they would fail.
	fs, _, err = w.search(t, `{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available"],"area":{"min":50,"unit":"mu"},"eligible":false},"order":"id"}`)
	if err != nil {
		t.Fatal(err)
	}
	if codesOf(fs) != "X4,X8" {
		t.Fatalf("ineligible: %s", codesOf(fs))
	}
	if e := fs[0].Properties.Why.Eligibility; e.Eligible || !near(e.FarmlandM2, 10000, 0.05) {
		t.Errorf("X4: %+v", e)
	}
	if e := fs[1].Properties.Why.Eligibility; e.Eligible || !near(e.OutsideM2, 20000, 0.05) {
		t.Errorf("X8: %+v", e)
	}
}

// "All parcels inside this polygon I drew, grouped by status."
func TestSearchDrawnPolygonGroupedByStatus(t *testing.T) {
	w := newPlannerWorld(t)
	fs, res, err := w.search(t, `{"where":{"polygon":`+rectJSON(6950, -50, 8100, 250)+`},"group_by":"status","order":"id"}`)
	if err != nil {
		t.Fatal(err)
	}
	// X13 only shares the polygon's west edge: not inside.
	if codesOf(fs) != "X1,X2,X12" {
		t.Fatalf("got %s, want X1,X2,X12", codesOf(fs))
	}
	for i, want := range []float64{40000, 20000, 20000} {
		if o := fs[i].Properties.Why.OverlapM2; o == nil || !near(*o, want, 0.05) {
			t.Errorf("%s: overlap %v, want %.0f m²", fs[i].Properties.Code, o, want)
		}
	}
	tot := res.Totals
	if tot.Count != 3 || tot.Hm2 != 10 || tot.Mu != 150 || len(tot.ByStatus) != 3 {
		t.Fatalf("totals %+v", tot)
	}
	want := []struct {
		st planning.Status
		ha float64
	}{{planning.StatusApproved, 4}, {planning.StatusReserve, 4}, {planning.StatusCompleted, 2}} // lifecycle order: 储备 after approval
	for i, b := range tot.ByStatus {
		if b.Status != want[i].st || b.Count != 1 || b.Hm2 != want[i].ha || b.NameZh == "" {
			t.Errorf("by status %d: %+v, want %s %v hm²", i, b, want[i].st, want[i].ha)
		}
	}
}

// Within a distance of a point, nearest first, paged two at a time with the
// keyset cursor.
func TestSearchRadiusPagesByCursor(t *testing.T) {
	w := newPlannerWorld(t)
	base := `"where":{"point":` + lonLatJSON(at(7100, 100)) + `,"distance_m":1000},"limit":2`
	var got []string
	var dists []float64
	cursor := ""
	for page := 0; page < 10; page++ {
		body := "{" + base
		if cursor != "" {
			body += `,"cursor":"` + cursor + `"`
		}
		fs, res, err := w.search(t, body+"}")
		if err != nil {
			t.Fatal(err)
		}
		if res.Totals.Count != 6 {
			t.Fatalf("page %d: total %d, want 6", page, res.Totals.Count)
		}
		for _, f := range fs {
			got = append(got, f.Properties.Code)
			dists = append(dists, *f.Properties.Why.DistanceM)
		}
		if cursor = res.Next; cursor == "" {
			break
		}
	}
	want := []string{"X1", "X13", "X12", "X3", "X2", "X6"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pages gave %v, want %v", got, want)
	}
	for i, d := range []float64{0, 150, 300, 400 * math.Sqrt2, 900, 910} {
		if !near(dists[i], d, 0.02) {
			t.Errorf("%s at %.3f m, want %.2f", got[i], dists[i], d)
		}
	}
	// Radii on the edge: X2 lies 900 m away, X6 910 m (the exact test in
	// the band around the circle decides, not the polygons).
	for _, c := range []struct {
		radius string
		want   int64
	}{{"899.99", 4}, {"900.01", 5}, {"905", 5}, {"909.99", 5}, {"910.01", 6}} {
		_, res, err := w.search(t, `{"where":{"point":`+lonLatJSON(at(7100, 100))+`,"distance_m":`+c.radius+`}}`)
		if err != nil || res.Totals.Count != c.want {
			t.Errorf("radius %s m: %d parcels (%v), want %d", c.radius, res.Totals.Count, err, c.want)
		}
	}
}

func TestSearchStratifiedAndAreaUnits(t *testing.T) {
	w := newPlannerWorld(t)
	fs, _, err := w.search(t, `{"where":{"district":"330108"},"what":{"underground":true}}`)
	if err != nil || codesOf(fs) != "U2" {
		t.Fatalf("underground: %s %v", codesOf(fs), err)
	}
	fs, _, err = w.search(t, `{"where":{"district":"330108"},"what":{"underground":false}}`)
	if err != nil || codesOf(fs) != "U1" {
		t.Fatalf("surface: %s %v", codesOf(fs), err)
	}
	// 3.9..4.1 hm² is the 200 m squares of Binxiao; in m² the same.
	for _, area := range []string{`{"min":3.9,"max":4.1,"unit":"ha"}`, `{"min":39000,"max":41000,"unit":"m2"}`, `{"min":58.5,"max":61.5,"unit":"mu"}`} {
		fs, _, err = w.search(t, `{"where":{"park":"BINXIAO"},"what":{"area":`+area+`},"order":"id"}`)
		if err != nil || codesOf(fs) != "X1,X2,X4,X5,X6,X7,X8" {
			t.Errorf("%s: %s %v", area, codesOf(fs), err)
		}
	}
	// status list and available together.
	fs, _, err = w.search(t, `{"where":{"park":"BINXIAO"},"what":{"status":["available","completed"]},"order":"id"}`)
	if err != nil || codesOf(fs) != "X1,X2,X3,X4,X6,X8,X10,X12" {
		t.Errorf("available or completed: %s %v", codesOf(fs), err)
	}
}

func TestSearchRefusesWhatNamesNothing(t *testing.T) {
	w := newPlannerWorld(t)
	bow := `{"type":"Polygon","coordinates":[` + func() string {
		b, _ := json.Marshal([]orb.Point{at(0, 0), at(100, 100), at(100, 0), at(0, 100), at(0, 0)})
		return string(b)
	}() + `]}`
	cases := []struct{ body, field, say string }{
		{`{"where":{"park":"BINFOO"}}`, "where.park", "unknown park"},
		{`{"where":{"district":"330199"}}`, "where.district", "unknown district"},
		{`{"what":{"land_use":["1099"]}}`, "what.land_use", "1099"},
		{`{"where":{"polygon":` + bow + `}}`, "where.polygon", "Self-intersection"},
	}
	for _, c := range cases {
		_, _, err := w.search(t, c.body)
		var e *planning.Error
		if !errors.As(err, &e) || e.Code != planning.ErrInvalid || e.Details["field"] != c.field || !strings.Contains(e.Message, c.say) {
			t.Errorf("%s: %v (%+v)", c.body, err, e)
		}
	}
	// The bow-tie's crossing is at its centre: (50, 50).
	_, _, err := w.search(t, `{"where":{"polygon":`+bow+`}}`)
	var e *planning.Error
	errors.As(err, &e)
	loc, _ := json.Marshal(e.Details["location"])
	var pt struct{ Coordinates []float64 }
	json.Unmarshal(loc, &pt)
	if c := at(50, 50); len(pt.Coordinates) != 2 || !near(pt.Coordinates[0], c[0], 1e-6) || !near(pt.Coordinates[1], c[1], 1e-6) {
		t.Errorf("self-intersection at %v, want %v", pt.Coordinates, c)
	}
}

func (w *plannerWorld) eligibility(t *testing.T, q planner.EligibilityQuery) planner.Eligibility {
	t.Helper()
	q.Precision, q.Tolerance = 7, planning.DefaultLineTolerance
	e, err := w.s.CheckEligibility(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEligibilityExactOverlaps checks drawn shapes whose overlaps are known
// from their metres: inside, on farmland, on the red line, outside the
// boundary; and parcels by id and code.
func TestEligibilityExactOverlaps(t *testing.T) {
	w := newPlannerWorld(t)
	cases := []struct {
		name                  string
		shape                 orb.MultiPolygon
		eligible, inside      bool
		farm, red, out        float64
		newM2, stock, unknown float64
		basis                 string
		features              int
	}{
		{"inside, on no parcel", drect(7000, 2000, 7100, 2100), true, true, 0, 0, 0, 0, 0, 10000, planner.BasisUnknown, 0},
		{"on farmland", drect(10950, 100, 11250, 200), false, true, 5000, 0, 0, 0, 0, 30000, planner.BasisUnknown, 1},
		{"across the farmland corner", drect(10800, 800, 11200, 1200), false, true, 40000, 0, 0, 40000, 0, 120000, planner.BasisCoveredParcels, 1},
		{"on the red line", drect(12900, -100, 13100, 100), false, true, 0, 10000, 0, 0, 0, 40000, planner.BasisUnknown, 1},
		{"outside the boundary", drect(13950, 3000, 14150, 3100), false, false, 0, 0, 15000, 0, 0, 20000, planner.BasisUnknown, 1},
		{"over a free parcel", drect(6950, -50, 7250, 250), true, true, 0, 0, 0, 40000, 0, 50000, planner.BasisCoveredParcels, 0},
		{"over stock land", drect(7400, 0, 7600, 100), true, true, 0, 0, 0, 0, 20000, 0, planner.BasisCoveredParcels, 0},
	}
	for _, c := range cases {
		e := w.eligibility(t, planner.EligibilityQuery{Geometry: c.shape})
		if e.Eligible != c.eligible || e.InsideBoundary != c.inside || !near(e.Farmland.M2, c.farm, 0.05) || !near(e.RedLine.M2, c.red, 0.05) ||
			!near(e.OutsideBoundary.M2, c.out, 0.05) {
			t.Errorf("%s: eligible %v inside %v farmland %.2f red %.2f outside %.2f", c.name, e.Eligible, e.InsideBoundary,
				e.Farmland.M2, e.RedLine.M2, e.OutsideBoundary.M2)
		}
		nq := e.NewQuota
		if !near(nq.New.M2, c.newM2, 0.05) || !near(nq.Stock.M2, c.stock, 0.05) || !near(nq.Unknown.M2, c.unknown, 0.1) || nq.Basis != c.basis {
			t.Errorf("%s: new %.2f stock %.2f unknown %.2f basis %s; want %.0f %.0f %.0f %s", c.name, nq.New.M2, nq.Stock.M2, nq.Unknown.M2, nq.Basis,
				c.newM2, c.stock, c.unknown, c.basis)
		}
		if nq.Consumes != (c.newM2+c.unknown > 1) {
			t.Errorf("%s: consumes %v", c.name, nq.Consumes)
		}
		var fc struct {
			Type     string
			Features []struct {
				Geometry   map[string]any
				Properties struct {
					Kind   string  `json:"kind"`
					AreaM2 float64 `json:"area_m2"`
				}
			}
		}
		if err := json.Unmarshal(e.Overlaps, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != c.features {
			t.Errorf("%s: overlaps %s (%v)", c.name, e.Overlaps, err)
		}
		for _, f := range fc.Features {
			want := map[string]float64{"permanent_basic_farmland": c.farm, "ecological_red_line": c.red, "outside_boundary": c.out}[f.Properties.Kind]
			if !near(f.Properties.AreaM2, want, 0.05) || f.Geometry["type"] == nil {
				t.Errorf("%s: overlap feature %+v", c.name, f.Properties)
			}
		}
		if e.Verdict.Zh == "" || e.Verdict.En == "" {
			t.Errorf("%s: no verdict", c.name)
		}
	}
	// A parcel by id: X4 lies 10,000 m² on farmland and is not construction land.
	e := w.eligibility(t, planner.EligibilityQuery{ParcelID: w.ids["X4"]})
	if e.Eligible || !near(e.Farmland.M2, 10000, 0.05) || !near(e.Farmland.Mu, 15, 0.001) || !e.NewQuota.Consumes || e.Subject.ParcelCode != "X4" ||
		e.NewQuota.Basis != planner.BasisParcel || !strings.Contains(e.Verdict.Zh, "永久基本农田 10,000.00 平方米（15.00 亩）") {
		t.Errorf("X4: %+v", e)
	}
	// By code: X7 is already construction land: no new quota.
	e = w.eligibility(t, planner.EligibilityQuery{ParcelCode: "X7"})
	if !e.Eligible || e.NewQuota.Consumes || !near(e.NewQuota.Stock.M2, 40000, 0.05) || !strings.Contains(e.Verdict.En, "needs no new construction-land quota") {
		t.Errorf("X7: %+v", e)
	}
	if _, err := w.s.CheckEligibility(context.Background(), planner.EligibilityQuery{ParcelID: 999999, Precision: 7, Tolerance: planning.DefaultLineTolerance}); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("unknown parcel: %v", err)
	}
}

// TestInvalidDrawnShapesNameTheirFault: a self-intersecting drawn shape is
// refused by the eligibility check and the search alike, naming the fault
// and where it is.
func TestInvalidDrawnShapesNameTheirFault(t *testing.T) {
	w := newPlannerWorld(t)
	bowtie := orb.MultiPolygon{{{at(7000, 0), at(7200, 200), at(7200, 0), at(7000, 200), at(7000, 0)}}}
	_, err := w.s.CheckEligibility(context.Background(), planner.EligibilityQuery{Geometry: bowtie, Precision: 7, Tolerance: planning.DefaultLineTolerance})
	var de *planning.Error
	if !errors.As(err, &de) || de.Code != planning.ErrInvalid || !strings.Contains(de.Message, "Self-intersection") || de.Details["location"] == nil {
		t.Fatalf("eligibility of a bow-tie: %v", err)
	}
	_, err = w.s.SearchParcels(context.Background(), planner.Search{Polygon: bowtie, Limit: 10, Precision: 7, Tolerance: planning.DefaultLineTolerance},
		func([]byte) error { return nil })
	if !errors.As(err, &de) || de.Code != planning.ErrInvalid || !strings.Contains(de.Message, "Self-intersection") || de.Details["field"] != "where.polygon" {
		t.Fatalf("search in a bow-tie: %v", err)
	}
}

// "Approved but not yet supplied (批而未供) land in Binxiao": the search
// filters by the stock layer's own rules, as of today.
func TestSearchByStockKind(t *testing.T) {
	w := newPlannerWorld(t)
	ctx := context.Background()
	// Two Binxiao parcels become 批而未供 (approved a year ago, not supplied).
	if _, err := w.s.Pool().Exec(ctx, `UPDATE parcels SET approved_on = current_date - 400, supplied_on = NULL
		WHERE code IN ('X1', 'X2')`); err != nil {
		t.Fatal(err)
	}
	var want string
	if err := w.s.Pool().QueryRow(ctx, `SELECT coalesce(string_agg(code, ',' ORDER BY id), '') FROM parcels
		WHERE park_code = 'BINXIAO' AND approved_on <= current_date AND (supplied_on IS NULL OR supplied_on > current_date)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(want, "X1") {
		t.Fatalf("the world has no 批而未供 land in Binxiao: %q", want)
	}
	fs, _, err := w.search(t, `{"where":{"park":"BINXIAO"},"what":{"stock":["unsupplied"]},"order":"id","limit":1000}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := codesOf(fs); got != want {
		t.Fatalf("stock search: %s, want %s", got, want)
	}
	if _, _, err := w.search(t, `{"where":{"park":"BINXIAO"},"what":{"stock":["gold"]}}`); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "what.stock") {
		t.Fatalf("unknown stock kind: %v", err)
	}
}

// TestSearchSureBoxesChangeNoAnswer: a drawn polygon settles most parcels
// by a box test before the exact one (boxInsideSQL). Small squares on a
// grid around a point, some wholly inside, some across the edge, some just
// outside: the count and area of every search, by polygon and (as a check
// of the same grid) by radius, must be those measured in metres here, and
// for a polygon the box must be there to be tested.
func TestSearchSureBoxesChangeNoAnswer(t *testing.T) {
	w := newPlannerWorld(t)
	ctx := context.Background()
	px, py := -3000.0, 3000.0
	type sq struct{ x0, y0, x1, y1 float64 }
	var squares []sq
	for i := -9; i <= 9; i++ {
		for j := -9; j <= 9; j++ {
			x, y := px+float64(i)*34.3, py+float64(j)*33.1 // no square lies on a box's edge by design
			s := sq{x - 6, y - 4, x + 6, y + 4}
			pc := parcel(fmt.Sprintf("G%d_%d", i, j), drect(s.x0, s.y0, s.x1, s.y1))
			if _, err := w.s.InsertParcel(ctx, pc); err != nil {
				t.Fatal(err)
			}
			squares = append(squares, s)
		}
	}
	// dist is a square's distance from the point; overlap its area inside
	// the rectangle, in m².
	dist := func(s sq) float64 {
		return math.Hypot(math.Max(0, math.Max(s.x0-px, px-s.x1)), math.Max(0, math.Max(s.y0-py, py-s.y1)))
	}
	overlap := func(s sq, x0, y0, x1, y1 float64) float64 {
		return math.Max(0, math.Min(s.x1, x1)-math.Max(s.x0, x0)) * math.Max(0, math.Min(s.y1, y1)-math.Max(s.y0, y0))
	}
	check := func(body string, want func(sq) bool, box bool) {
		t.Helper()
		n, m2 := 0, 0.0
		for _, s := range squares {
			if want(s) {
				n++
				m2 += (s.x1 - s.x0) * (s.y1 - s.y0)
			}
		}
		var req planner.SearchRequest
		if err := planning.DecodeJSON(strings.NewReader(body), 1<<20, planning.Textf("the request body"), &req); err != nil {
			t.Fatal(err)
		}
		q, err := req.Check()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := pgstore.SureBox(ctx, w.s, q); err != nil || got != box {
			t.Errorf("%s: a box inside the polygon or radius: %v (%v), want %v", body, got, err, box)
		}
		_, res, err := w.search(t, body)
		if err != nil {
			t.Fatal(err)
		}
		if res.Totals.Count != int64(n) || !near(res.Totals.M2, m2, 0.01*float64(n)+0.01) {
			t.Errorf("%s: %d parcels, %.2f m²; want %d, %.2f m²", body, res.Totals.Count, res.Totals.M2, n, m2)
		}
	}
	for _, r := range []float64{40, 120, 200.5, 290} {
		for _, s := range squares {
			if d := dist(s); math.Abs(d-r) < 0.05 {
				t.Fatalf("radius %v: a square %.3f m away is too close to the edge to test", r, d)
			}
		}
		// Free land alone is read from free_parcel_boxes; with the district named, from parcels,
		// where the box inside the circle settles most squares.
		for _, where := range []string{"", `,"district":"330108"`} {
			check(fmt.Sprintf(`{"where":{"point":%s,"distance_m":%v%s},"what":{"status":["available"]},"order":"area_desc","limit":5}`, lonLatJSON(at(px, py)), r, where),
				func(s sq) bool { return dist(s) <= r }, true)
		}
	}
	for _, h := range []float64{70.05, 150.2, 260} {
		x0, y0, x1, y1 := px-h, py-h*0.8, px+h*1.1, py+h
		check(fmt.Sprintf(`{"where":{"polygon":%s},"group_by":"status","limit":5}`, rectJSON(x0, y0, x1, y1)),
			func(s sq) bool { return overlap(s, x0, y0, x1, y1) > 0.01 }, true)
	}
}

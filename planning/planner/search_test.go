package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// decode reads a request body the way the web layer does (strictly).
func decode(t *testing.T, body string) *SearchRequest {
	t.Helper()
	var r SearchRequest
	if err := planning.DecodeJSON(strings.NewReader(body), 1<<20, planning.Textf("the request body"), &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return &r
}

func TestSearchCheckConvertsUnitsAndDefaults(t *testing.T) {
	r := decode(t, `{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available","supplied"],
		"area":{"min":50,"max":3,"unit":"ha"},"eligible":true},"near":[120.25,30.12]}`)
	if _, err := r.Check(); err == nil || !strings.Contains(err.Error(), "what.area.min") {
		t.Fatalf("min > max: %v", err)
	}
	r = decode(t, `{"where":{"park":"BINXIAO"},"what":{"land_use":["1001"],"status":["available","supplied"],
		"area":{"min":50,"unit":"亩"},"eligible":true},"near":[120.25,30.12]}`)
	q, err := r.Check()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(*q.MinAreaM2-50*10000.0/15) > 1e-9 || q.MaxAreaM2 != nil {
		t.Errorf("50 亩 = %v m²", *q.MinAreaM2)
	}
	if !q.Available || len(q.Statuses) != 1 || q.Statuses[0] != planning.StatusSupplied {
		t.Errorf("statuses %v available %v", q.Statuses, q.Available)
	}
	if q.Order != OrderDistance || q.Limit != DefaultSearchLimit || q.Near == nil || q.Point != nil {
		t.Errorf("defaults: order %q limit %d near %v point %v", q.Order, q.Limit, q.Near, q.Point)
	}
	q2, _ := decode(t, `{"where":{"district":"330109"}}`).Check()
	if q2.Order != OrderAreaDesc {
		t.Errorf("without a point the default order is area_desc, got %q", q2.Order)
	}
}

func TestSearchCheckNamesTheField(t *testing.T) {
	bow := `{"type":"Polygon","coordinates":[[[120.2,30.1],[120.21,30.11],[120.21,30.1],[120.2,30.11],[120.2,30.1]]]}`
	cases := []struct{ body, field string }{
		{`{"what":{"land_use":["10a"]}}`, "what.land_use"},
		{`{"what":{"status":["sold"]}}`, "what.status"},
		{`{"what":{"area":{"min":5,"unit":"acre"}}}`, "what.area.unit"},
		{`{"what":{"area":{"min":5}}}`, "what.area.unit"},
		{`{"what":{"area":{"min":-5,"unit":"m2"}}}`, "what.area.min"},
		{`{"what":{"area":{"min":5,"unit":"m2","step":1}}}`, "what.area.step"},
		{`{"what":{"colour":"red"}}`, "what.colour"},
		{`{"where":{"parc":"BINFU"}}`, "where.parc"},
		{`{"where":{"district":"33010"}}`, "where.district"},
		{`{"where":{"point":[120.2,30.1]}}`, "where.distance_m"},
		{`{"where":{"distance_m":500}}`, "where.point"},
		{`{"where":{"point":[30.1,120.2],"distance_m":500}}`, "where.point"},
		{`{"where":{"point":[120.2,30.1],"distance_m":500000}}`, "where.distance_m"},
		{`{"where":{"polygon":{"type":"Point","coordinates":[120.2,30.1]}}}`, "where.polygon"},
		{`{"where":{"polygon":{"type":"Polygon","coordinates":[[[120.2,30.1],[120.21,30.1],[120.21,30.11]]]}}}`, "where.polygon"},
		{`{"where":{"polygon":{"type":"Polygon","coordinates":[[[520000,3341000],[520100,3341000],[520100,3341100],[520000,3341000]]]}}}`, "where.polygon"},
		{`{"near":[120.2]}`, "near"},
		{`{"order":"distance"}`, "order"},
		{`{"order":"price"}`, "order"},
		{`{"limit":50000}`, "limit"},
		{`{"group_by":"district"}`, "group_by"},
		{`{"cursor":"nonsense"}`, "cursor"},
	}
	for _, c := range cases {
		_, err := decode(t, c.body).Check()
		var e *planning.Error
		if !errors.As(err, &e) || e.Code != planning.ErrInvalid || e.Details["field"] != c.field || !strings.HasPrefix(e.Message, c.field+":") {
			t.Errorf("%s: got %v (%+v), want a 400 naming %s", c.body, err, e, c.field)
		}
	}
	// A self-intersecting polygon passes here: PostGIS says where it crosses.
	if _, err := decode(t, `{"where":{"polygon":`+bow+`}}`).Check(); err != nil {
		t.Errorf("bow-tie refused before the database: %v", err)
	}
	// A Feature wrapping a polygon is accepted.
	if q, err := decode(t, `{"where":{"polygon":{"type":"Feature","properties":{},"geometry":`+bow+`}}}`).Check(); err != nil || q.Polygon == nil {
		t.Errorf("Feature: %v", err)
	}
}

func TestCursorBelongsToItsSearch(t *testing.T) {
	q, err := decode(t, `{"where":{"park":"BINFU"},"order":"area_asc"}`).Check()
	if err != nil {
		t.Fatal(err)
	}
	c := Cursor{Order: q.Order, Value: 1234.5678901234567, ID: 42, Hash: q.Fingerprint()}
	text := c.Encode()
	back, err := DecodeCursor(text)
	if err != nil || back != c {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	q2, err := decode(t, `{"where":{"park":"BINFU"},"order":"area_asc","limit":5,"cursor":"`+text+`"}`).Check()
	if err != nil || q2.After == nil || q2.After.ID != 42 {
		t.Fatalf("same search, next page: %v %+v", err, q2.After)
	}
	if _, err := decode(t, `{"where":{"park":"BINXIAO"},"order":"area_asc","cursor":"`+text+`"}`).Check(); err == nil {
		t.Fatal("a cursor of another search was accepted")
	}
	if _, err := decode(t, `{"where":{"park":"BINFU"},"order":"area_desc","cursor":"`+text+`"}`).Check(); err == nil {
		t.Fatal("a cursor of another order was accepted")
	}
}

func TestEligibilityCheck(t *testing.T) {
	for _, body := range []string{`{}`, `{"parcel_id":1,"parcel_code":"X"}`} {
		var r EligibilityRequest
		json.NewDecoder(bytes.NewReader([]byte(body))).Decode(&r)
		if _, err := r.Check(); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
	var r EligibilityRequest
	json.Unmarshal([]byte(`{"parcel_id":7}`), &r)
	if q, err := r.Check(); err != nil || q.ParcelID != 7 {
		t.Errorf("parcel id: %+v %v", q, err)
	}
}

func TestVerdicts(t *testing.T) {
	e := Eligibility{Subject: Subject{Kind: "geometry"}, ToleranceM2: 1, Farmland: AreaOf(1234.5), OutsideBoundary: AreaOf(0.4),
		NewQuota: NewQuota{New: AreaOf(10000), Stock: AreaOf(5000), Unknown: AreaOf(2000)}}
	e.Decide()
	if e.Eligible || !e.InsideBoundary || !e.NewQuota.Consumes || !e.NewQuota.TreatedAsNew {
		t.Fatalf("decided %+v", e)
	}
	for _, want := range []string{"不能作为新增建设用地", "永久基本农田 1,234.50 平方米（1.85 亩）", "18.00 亩（1.20 公顷）", "3.00 亩不在已登记地块内"} {
		if !strings.Contains(e.Verdict.Zh, want) {
			t.Errorf("zh verdict %q lacks %q", e.Verdict.Zh, want)
		}
	}
	for _, want := range []string{"may not take new construction land", "1,234.50 m² (1.85 mu)", "18.00 mu (1.20 hm²)"} {
		if !strings.Contains(e.Verdict.En, want) {
			t.Errorf("en verdict %q lacks %q", e.Verdict.En, want)
		}
	}
	stock := Eligibility{Subject: Subject{Kind: "parcel"}, ToleranceM2: 1, NewQuota: NewQuota{Stock: AreaOf(5000)}}
	stock.Decide()
	if !stock.Eligible || stock.NewQuota.Consumes || !strings.Contains(stock.Verdict.Zh, "不占用新增建设用地计划指标") ||
		!strings.Contains(stock.Verdict.En, "needs no new construction-land quota") {
		t.Errorf("stock parcel: %+v", stock)
	}
	out := Eligibility{Subject: Subject{Kind: "parcel"}, ToleranceM2: 1, OutsideBoundary: AreaOf(300), RedLine: AreaOf(2),
		NewQuota: NewQuota{New: AreaOf(300)}}
	out.Decide()
	if out.Eligible || out.InsideBoundary || !strings.Contains(out.Verdict.Zh, "生态保护红线") || !strings.Contains(out.Verdict.En, "outside the urban development boundary") {
		t.Errorf("outside: %+v", out.Verdict)
	}
}

func TestEligibleWithExceptions(t *testing.T) {
	wide := func(m2 float64) planning.Overlap { return planning.Overlap{M2: m2, WidthM: 10} }
	seam := planning.Overlap{M2: 50, WidthM: 0.2} // 250 m along a shared edge
	square := planning.Overlap{M2: 50, WidthM: 7.07}
	policy := planning.LineTolerance{AreaM2: 1, WidthM: 0.5}
	for _, c := range []struct {
		farm, red, outside planning.Overlap
		tol                planning.LineTolerance
		x                  planning.LineException
		want               bool
	}{
		{wide(0), wide(0), wide(0), policy, "", true},
		{wide(0), wide(0), wide(0.9), policy, "", true},
		{wide(0), wide(0), wide(50), policy, "", false},
		{wide(0), wide(0), wide(50), policy, planning.LineExceptionSingleSite, true},
		{wide(20), wide(0), wide(50), policy, planning.LineExceptionSingleSite, false},
		{wide(20), wide(30), wide(0), policy, planning.LineExceptionMajorProject, true},
		{wide(20), wide(30), wide(50), policy, planning.LineExceptionMajorProject, false},
		// The sliver width: a seam is ignored whatever its area, the same
		// area as a square is not, and a width of 0 switches it off.
		{seam, seam, seam, policy, "", true},
		{square, wide(0), wide(0), policy, "", false},
		{wide(0), wide(0), square, policy, "", false},
		{seam, wide(0), wide(0), planning.LineTolerance{AreaM2: 1}, "", false},
		{wide(0), wide(0), planning.Overlap{M2: 50, WidthM: 0.5}, policy, "", false}, // exactly the width: counts
	} {
		if got := planning.Eligible(c.farm, c.red, c.outside, c.tol, c.x); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
	e := Eligibility{Subject: Subject{Kind: "parcel"}, ToleranceM2: 1, SliverWidthM: 0.5, Farmland: AreaOf(50), FarmlandWidthM: 0.2,
		RedLine: AreaOf(60), RedLineWidthM: 3, NewQuota: NewQuota{New: AreaOf(300)}}
	e.Decide()
	if e.Eligible || strings.Contains(e.Verdict.Zh, "永久基本农田") || !strings.Contains(e.Verdict.Zh, "生态保护红线 60.00 平方米") {
		t.Errorf("a farmland seam beside a red-line overlap: %+v", e.Verdict)
	}
	// The map marks what the policy counts: the red line, not the seam.
	if e.Conflicts != (Conflicts{Farmland: false, RedLine: true, OutsideBoundary: false}) {
		t.Errorf("conflicts %+v: want the red line only", e.Conflicts)
	}
}

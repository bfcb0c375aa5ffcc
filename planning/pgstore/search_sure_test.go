package pgstore_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

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
			t.Errorf("%s: a box inside the polygon: %v (%v), want %v", body, got, err, box)
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
		check(fmt.Sprintf(`{"where":{"point":%s,"distance_m":%v},"what":{"status":["available"]},"order":"area_desc","limit":5}`, lonLatJSON(at(px, py)), r),
			func(s sq) bool { return dist(s) <= r }, false)
	}
	for _, h := range []float64{70.05, 150.2, 260} {
		x0, y0, x1, y1 := px-h, py-h*0.8, px+h*1.1, py+h
		check(fmt.Sprintf(`{"where":{"polygon":%s},"group_by":"status","limit":5}`, rectJSON(x0, y0, x1, y1)),
			func(s sq) bool { return overlap(s, x0, y0, x1, y1) > 0.01 }, true)
	}
}

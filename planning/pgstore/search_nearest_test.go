package pgstore_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/paulmach/orb"
)

// nearestMatch is a parcel and its distance in metres.
type nearestMatch struct {
	id int64
	d  float64
}

// nearestWorld adds to the planner world a spiral of small parcels around
// the point p (metres of origin) in every direction: in EPSG:4490 degrees
// east and west count more than north and south, so the order by degrees
// is not the order in metres. Every third is supplied (not free land);
// every fifth has two underground rights under it with the same outline,
// so their distances tie exactly; and one parcel, with a right under it,
// holds p itself (distance 0, tied).
func nearestWorld(t *testing.T, px, py float64) *plannerWorld {
	t.Helper()
	w := newPlannerWorld(t)
	ctx := context.Background()
	add := func(code string, x0, y0, x1, y1 float64, status planning.Status, below int) {
		t.Helper()
		pc := parcel(code, drect(x0, y0, x1, y1))
		pc.Status = status
		if status.Supplied() {
			pc.ApprovedOn, pc.SuppliedOn, pc.SupplyMethod = pgtest.Day("2024-03-01"), pgtest.Day("2025-01-10"), planning.SupplySale
		}
		id, err := w.s.InsertParcel(ctx, pc)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		w.ids[code] = id
		for k := 0; k < below; k++ {
			u := parcel(fmt.Sprintf("%s-B%d", code, k+1), drect(x0, y0, x1, y1))
			top, bottom := -5-20*float64(k), -25-20*float64(k)
			u.LandUse, u.Elevation = "1208", planning.Elevation{Bottom: &bottom, Top: &top}
			if w.ids[u.Code], err = w.s.InsertParcel(ctx, u); err != nil {
				t.Fatalf("%s: %v", u.Code, err)
			}
		}
	}
	add("N0", px-10, py-10, px+10, py+10, planning.StatusReserve, 1)
	for i := 0; i < 48; i++ {
		a, r := float64(i)*2.39996, 60+23*float64(i) // the golden angle: no two squares meet
		x, y, h := px+r*math.Cos(a), py+r*math.Sin(a), 6+float64(i%4)*3
		status, below := planning.StatusReserve, 0
		if i%3 == 2 {
			status = planning.StatusSupplied
		}
		if i%5 == 0 {
			below = 2
		}
		add(fmt.Sprintf("N%d", i+1), x-h, y-h, x+h, y+h, status, below)
	}
	return w
}

// TestSearchNearestPagesExactly pages through nearest-first searches at
// several page sizes and checks the concatenated pages against every
// match measured one by one and sorted by (distance, id): the same order,
// no parcel twice, none left out, and the totals of all matches on every
// page.
func TestSearchNearestPagesExactly(t *testing.T) {
	px, py := -2000.0, -2000.0
	w := nearestWorld(t, px, py)
	ctx := context.Background()
	p := at(px, py)
	// brute measures every parcel that cond selects, in Go's order.
	brute := func(cond string) []nearestMatch {
		t.Helper()
		rows, err := w.s.Pool().Query(ctx, `SELECT id, ST_Distance(ST_Transform(geom, 4549), ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4549))
			FROM parcels t WHERE `+cond, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []nearestMatch
		for rows.Next() {
			var m nearestMatch
			if err := rows.Scan(&m.id, &m.d); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(out, func(a, b nearestMatch) int {
			if a.d != b.d {
				return map[bool]int{true: -1, false: 1}[a.d < b.d]
			}
			return int(a.id - b.id)
		})
		return out
	}
	cases := []struct {
		name, where, what, cond string
	}{
		{"everything", ``, `{}`, `true`},
		{"free land in Binjiang", `"district":"330108"`, `{"status":["available"]}`,
			`district_adcode = '330108' AND status IN ('approved', 'expropriated', 'reserve') AND id NOT IN (SELECT parcel_id FROM project_parcels)`},
		{"within 700 m", `"point":` + lonLatJSON(p) + `,"distance_m":700`, `{}`,
			`ST_DWithin(ST_Transform(geom, 4549), ST_Transform(ST_SetSRID(ST_MakePoint(` + fmt.Sprint(p[0]) + `, ` + fmt.Sprint(p[1]) + `), 4490), 4549), 700)`},
	}
	// Each search twice: its matches read once for totals and walk (as
	// few as these always are), and as a broad search would (counted
	// again, walked through the index).
	for _, shared := range []int{0, 3} {
		if shared > 0 {
			defer pgstore.SetNearestShared(shared)()
		}
		for _, c := range cases {
			name := c.name
			if shared > 0 {
				name += " (as a broad search)"
			}
			checkNearestPages(t, w, p, name, c.where, c.what, brute(c.cond))
		}
	}
	// The spiral must put other parcels first by degrees than by metres,
	// for first pages of several sizes, or the test above would not reach
	// the parcels the first, degree-ordered step misses.
	var differ []int64
	err := w.s.Pool().QueryRow(ctx, `WITH x AS (SELECT id, row_number() OVER (ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4490), id) AS deg,
			row_number() OVER (ORDER BY ST_Distance(ST_Transform(geom, 4549), ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4549)), id) AS m
		FROM parcels) SELECT array(SELECT k FROM generate_series(1, 40) k WHERE EXISTS (SELECT 1 FROM x WHERE m <= k AND deg > k))`, p[0], p[1]).Scan(&differ)
	if err != nil || len(differ) < 5 {
		t.Fatalf("the first k parcels by degrees differ from those by metres only for k in %v (%v)", differ, err)
	}
	t.Logf("the first k by degrees are not the first k by metres for k in %v", differ)
}

// checkNearestPages pages through the nearest-first search where, what at
// several page sizes and checks the pages against want, every match
// measured one by one in order.
func checkNearestPages(t *testing.T, w *plannerWorld, p orb.Point, name, where, what string, want []nearestMatch) {
	t.Helper()
	if len(want) < 20 {
		t.Fatalf("%s: only %d matches", name, len(want))
	}
	ties := 0
	for i := 1; i < len(want); i++ {
		if want[i].d == want[i-1].d {
			ties++
		}
	}
	if ties < 3 {
		t.Fatalf("%s: %d exact ties, the world should make some", name, ties)
	}
	for _, limit := range []int{1, 2, 3, 7, 25} {
		body := `{"where":{` + where + `},"what":` + what + `,"near":` + lonLatJSON(p) + `,"order":"distance","limit":` + fmt.Sprint(limit)
		var got []nearestMatch
		cursor := ""
		for page := 0; ; page++ {
			b := body
			if cursor != "" {
				b += `,"cursor":"` + cursor + `"`
			}
			fs, res, err := w.search(t, b+"}")
			if err != nil {
				t.Fatalf("%s, limit %d, page %d: %v", name, limit, page, err)
			}
			if res.Totals.Count != int64(len(want)) {
				t.Fatalf("%s, limit %d, page %d: total %d, want %d", name, limit, page, res.Totals.Count, len(want))
			}
			if len(fs) > limit || (res.Next != "" && len(fs) != limit) {
				t.Fatalf("%s, limit %d, page %d: %d features, next %q", name, limit, page, len(fs), res.Next)
			}
			for _, f := range fs {
				got = append(got, nearestMatch{f.ID, *f.Properties.Why.DistanceM})
			}
			if cursor = res.Next; cursor == "" {
				break
			}
			if page > len(want) {
				t.Fatalf("%s, limit %d: more pages than matches", name, limit)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s, limit %d: %d parcels over the pages, want %d", name, limit, len(got), len(want))
		}
		for i := range want {
			if got[i].id != want[i].id || !near(got[i].d, want[i].d, 0.005) {
				t.Fatalf("%s, limit %d: #%d is parcel %d at %.3f m, want %d at %.3f m", name, limit, i, got[i].id, got[i].d, want[i].id, want[i].d)
			}
		}
	}
}

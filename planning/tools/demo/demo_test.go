package demo

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestDeterministic(t *testing.T) {
	a := generate(t, Options{Parcels: 4000, Seed: 7})
	b := generate(t, Options{Parcels: 4000, Seed: 7})
	ha, na := hashParcels(a.Parcels)
	hb, nb := hashParcels(b.Parcels)
	if na != 4000 || nb != 4000 {
		t.Fatalf("counts %d, %d; want 4000", na, nb)
	}
	if ha != hb {
		t.Fatal("same seed gave different parcels")
	}
	again, _ := hashParcels(a.Parcels)
	if again != ha {
		t.Fatal("ranging the same dataset twice gave different parcels")
	}
	if !sameZones(a.Zones, b.Zones) {
		t.Fatal("same seed gave different zones")
	}
	c := generate(t, Options{Parcels: 4000, Seed: 8})
	hc, _ := hashParcels(c.Parcels)
	if hc == ha {
		t.Fatal("different seeds gave identical parcels")
	}
	// A different AsOf moves the dates, not the geometry.
	d := generate(t, Options{Parcels: 4000, Seed: 7, AsOf: time.Date(2025, 1, 15, 13, 0, 0, 0, time.UTC)})
	hd, _ := hashParcels(d.Parcels)
	if hd == ha {
		t.Fatal("a different AsOf gave identical parcels")
	}
}

func sameZones(a, b []planning.ProtectedZone) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Name != b[i].Name || a[i].Kind != b[i].Kind ||
			a[i].AreaM2 != b[i].AreaM2 || !orb.Equal(a[i].Outline, b[i].Outline) {
			return false
		}
	}
	return true
}

func TestConcurrentRanges(t *testing.T) {
	ds := generate(t, Options{Parcels: 3000, Seed: 3})
	want, _ := hashParcels(ds.Parcels)
	got := make(chan [32]byte, 3)
	for i := 0; i < 3; i++ {
		go func() { h, _ := hashParcels(ds.Parcels); got <- h }()
	}
	for i := 0; i < 3; i++ {
		if <-got != want {
			t.Fatal("concurrent ranges differ")
		}
	}
}

func TestExactCountsAndUniqueCodes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 17, 1000, 20000} {
		ds := generate(t, Options{Parcels: n, Seed: int64(n)})
		codes := map[string]bool{}
		count := 0
		for p := range ds.Parcels {
			count++
			if p.ID != int64(count) {
				t.Fatalf("N=%d: parcel %d has ID %d", n, count, p.ID)
			}
			if codes[p.Code] {
				t.Fatalf("N=%d: duplicate code %s", n, p.Code)
			}
			codes[p.Code] = true
			if !strings.HasPrefix(p.Code, p.District+"-") {
				t.Fatalf("N=%d: code %s does not start with the district %s", n, p.Code, p.District)
			}
		}
		if count != n {
			t.Fatalf("N=%d: got %d parcels", n, count)
		}
	}
}

func TestEarlyBreak(t *testing.T) {
	ds := generate(t, Options{Parcels: 500, Seed: 1})
	n := 0
	for range ds.Parcels {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("stopped after %d", n)
	}
}

func TestCodeFormat(t *testing.T) {
	ds := generate(t, Options{Parcels: 3000, Seed: 2})
	prefixes := map[string]string{
		ParkBinfu: "330111-BF-", ParkBinxiao: "330109-BX-", ParkHTZ: "330108-HT-",
	}
	for p := range ds.Parcels {
		code := strings.TrimSuffix(p.Code, "-U")
		if want, ok := prefixes[p.Park]; ok && !strings.HasPrefix(code, want) {
			t.Fatalf("%s in park %s: want prefix %s", p.Code, p.Park, want)
		}
		parts := strings.Split(code, "-")
		if len(parts) != 3 || len(parts[2]) < 6 {
			t.Fatalf("code %q is not like 330111-BF-000123", p.Code)
		}
		if strings.HasSuffix(p.Code, "-U") != p.Elevation.Underground() {
			t.Fatalf("%s: -U suffix must mark exactly the underground rights", p.Code)
		}
	}
}

func TestNoOverlaps(t *testing.T) {
	ps := collect(generate(t, Options{Parcels: 6000, Seed: 11}))
	rep := checkOverlaps(ps)
	if len(rep.violations) > 0 {
		t.Fatalf("%d overlapping pairs, e.g. %v", len(rep.violations), rep.violations[:min(5, len(rep.violations))])
	}
	// The check must have had something to check: neighbours that share
	// edges, and underground rights stacked under surface parcels.
	if rep.touching < len(ps)/2 {
		t.Fatalf("only %d touching pairs among %d parcels: the check saw too little", rep.touching, len(ps))
	}
	t.Logf("%d candidate pairs, %d touching, %d stacked", rep.pairs, rep.touching, rep.stacked)
}

func TestNoOverlapsSmallParcels(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 300k parcels")
	}
	// At 300k parcels the generator works at a finer level; check a window
	// in the middle of Xiaoshan's densest part and all of Binjiang's heart.
	ds := generate(t, Options{Parcels: 300000, Seed: 5})
	win := []orb.Bound{
		{Min: orb.Point{120.16, 30.17}, Max: orb.Point{120.19, 30.19}},
		{Min: orb.Point{120.19, 30.10}, Max: orb.Point{120.23, 30.125}},
		{Min: orb.Point{120.02, 30.04}, Max: orb.Point{120.06, 30.07}},
	}
	var ps []planning.Parcel
	smallest := math.Inf(1)
	for p := range ds.Parcels {
		b := p.Outline.Bound()
		for _, w := range win {
			if w.Intersects(b) {
				ps = append(ps, p)
				smallest = math.Min(smallest, p.AreaM2)
				break
			}
		}
	}
	if len(ps) < 2000 {
		t.Fatalf("only %d parcels in the windows", len(ps))
	}
	rep := checkOverlaps(ps)
	if len(rep.violations) > 0 {
		t.Fatalf("%d overlapping pairs, e.g. %v", len(rep.violations), rep.violations[:min(5, len(rep.violations))])
	}
	t.Logf("%d parcels, %d pairs, smallest %.0f m²", len(ps), rep.pairs, smallest)
}

func TestParcelGeometry(t *testing.T) {
	ds := generate(t, Options{Parcels: 20000, Seed: 4}) // enough to reach the district borders
	outlines := map[string]orb.MultiPolygon{}
	for _, d := range ds.Districts {
		outlines[d.Adcode] = d.Outline
	}
	footprints := map[string]bool{}
	var twins []planning.Parcel
	shapes := map[int]int{}
	for p := range ds.Parcels {
		if len(p.Outline) != 1 || len(p.Outline[0]) != 1 {
			t.Fatalf("%s: want one polygon without holes", p.Code)
		}
		if err := geo.ValidatePolygonal(p.Outline, 0); err != nil {
			t.Fatalf("%s: %v", p.Code, err)
		}
		ring := p.Outline[0][0]
		for _, pt := range ring {
			if !planar.MultiPolygonContains(outlines[p.District], pt) {
				t.Fatalf("%s: vertex %v outside district %s", p.Code, pt, p.District)
			}
		}
		m := metres(ring)
		a := shoelace(m)
		if a <= 0 {
			t.Fatalf("%s: outer ring is not counter-clockwise (area %f)", p.Code, a)
		}
		if selfIntersects(m) {
			t.Fatalf("%s: self-intersecting outline", p.Code)
		}
		if math.Abs(a-p.AreaM2) > 1e-3*a {
			t.Fatalf("%s: AreaM2 %.1f but the outline measures %.1f", p.Code, p.AreaM2, a)
		}
		if math.Abs(geo.AreaM2(p.Outline)-p.AreaM2) > 1e-3*a {
			t.Fatalf("%s: AreaM2 %.1f but geo.AreaM2 gives %.1f", p.Code, p.AreaM2, geo.AreaM2(p.Outline))
		}
		key := footprintKey(ring)
		if p.Elevation.Underground() {
			twins = append(twins, p)
			if !footprints[key] {
				t.Fatalf("%s: underground right without a surface parcel on the same footprint", p.Code)
			}
		} else {
			footprints[key] = true
			shapes[len(dropStraight(m))]++
		}
	}
	if len(twins) == 0 {
		t.Fatal("no stratified underground rights")
	}
	// Shapes: mostly quadrilaterals, but also chamfered (5) and L/step
	// shapes (6+), and some trapezoids/odd sizes rather than squares.
	if shapes[4] == 0 || shapes[5] == 0 || shapes[6]+shapes[7]+shapes[8] == 0 {
		t.Fatalf("shape mix by vertex count: %v", shapes)
	}
	t.Logf("vertex counts %v, %d underground", shapes, len(twins))
}

func footprintKey(r orb.Ring) string {
	var b strings.Builder
	for _, p := range r {
		b.WriteString(formatFloat(p[0]*1e7) + "," + formatFloat(p[1]*1e7) + ";")
	}
	return b.String()
}

func TestParcelSizes(t *testing.T) {
	ps := collect(generate(t, Options{Parcels: 3000, Seed: 9}))
	var sizes []float64
	for _, p := range ps {
		if !p.Elevation.Underground() {
			sizes = append(sizes, p.AreaM2)
		}
	}
	slices.Sort(sizes)
	median := sizes[len(sizes)/2]
	if median < 5000 || median > 50000 {
		t.Fatalf("median parcel %.0f m², want 0.5-5 ha at small N", median)
	}
	// No two parcels alike: sizes vary.
	distinct := map[int]bool{}
	for _, s := range sizes {
		distinct[int(s)] = true
	}
	if len(distinct) < len(sizes)*9/10 {
		t.Fatalf("only %d distinct sizes among %d parcels", len(distinct), len(sizes))
	}
	// Large N: parcels shrink to fit.
	ds := generate(t, Options{Parcels: 400000, Seed: 9})
	var sum float64
	n := 0
	for p := range ds.Parcels {
		if n == 50000 {
			break
		}
		sum += p.AreaM2
		n++
	}
	if mean := sum / float64(n); mean > median {
		t.Fatalf("mean parcel at 400k is %.0f m², not smaller than %.0f at 3k", mean, median)
	}
}

func TestBuiltinDistricts(t *testing.T) {
	ds := BuiltinDistricts()
	want := map[string][2]float64{ // km² ranges
		AdcodeBinjiang: {65, 80}, AdcodeXiaoshan: {900, 1500}, AdcodeFuyang: {1600, 2000},
	}
	if len(ds) != 3 {
		t.Fatalf("%d districts", len(ds))
	}
	for _, d := range ds {
		r, ok := want[d.Adcode]
		if !ok {
			t.Fatalf("unexpected district %s", d.Adcode)
		}
		if km2 := d.AreaM2 / 1e6; km2 < r[0] || km2 > r[1] {
			t.Errorf("%s: %.1f km², want %v", d.Adcode, km2, r)
		}
		if n := len(d.Outline[0][0]) - 1; n < 15 || n > 40 {
			t.Errorf("%s: %d vertices, want 15-40", d.Adcode, n)
		}
		if d.ParentAdcode != adcodeHangzhou || d.NameZh == "" || d.NameEn == "" {
			t.Errorf("%s: incomplete %+v", d.Adcode, d)
		}
		if err := geo.ValidatePolygonal(d.Outline, 0); err != nil {
			t.Errorf("%s: %v", d.Adcode, err)
		}
	}
	// Districts do not overlap: no sample point lies in two of them.
	b := ds[0].Outline.Bound().Union(ds[1].Outline.Bound()).Union(ds[2].Outline.Bound())
	both := 0
	for i := 0; i <= 300; i++ {
		for j := 0; j <= 300; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/300, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/300}
			in := 0
			for _, d := range ds {
				if planar.MultiPolygonContains(d.Outline, p) {
					in++
				}
			}
			if in > 1 {
				both++
			}
		}
	}
	if both > 0 {
		t.Fatalf("%d sample points lie in two districts", both)
	}
}

func TestParks(t *testing.T) {
	ds := generate(t, Options{Parcels: 0, Seed: 1})
	byCode := map[string]planning.Park{}
	for _, p := range ds.Parks {
		byCode[p.Code] = p
	}
	districts := map[string]planning.District{}
	for _, d := range ds.Districts {
		districts[d.Adcode] = d
	}
	if got := []string{ds.Parks[0].Code, ds.Parks[1].Code, ds.Parks[2].Code}; !slices.Equal(got, []string{"HTZ", "BINFU", "BINXIAO"}) || len(ds.Parks) != 3 {
		t.Fatalf("parks %v", got)
	}
	htz := byCode["HTZ"]
	if htz.Kind != planning.ParkCoreZone || htz.HostDistrict != AdcodeBinjiang || !orb.Equal(htz.Outline, districts[AdcodeBinjiang].Outline) {
		t.Fatalf("HTZ must be the core zone with the Binjiang outline")
	}
	check := func(code string, kind planning.ParkKind, host string, blocksKm2 []float64) {
		p := byCode[code]
		if p.Kind != kind || p.HostDistrict != host {
			t.Errorf("%s: kind %s host %s", code, p.Kind, p.HostDistrict)
		}
		if len(p.Outline) != len(blocksKm2) {
			t.Fatalf("%s: %d blocks, want %d", code, len(p.Outline), len(blocksKm2))
		}
		total := 0.0
		for i, poly := range p.Outline {
			a := geo.AreaM2(poly) / 1e6
			total += blocksKm2[i]
			if math.Abs(a-blocksKm2[i]) > 0.005*blocksKm2[i] {
				t.Errorf("%s block %d: %.4f km², want %.2f", code, i, a, blocksKm2[i])
			}
			ring := poly[0]
			if len(ring)-1 < 5 {
				t.Errorf("%s block %d: %d vertices, want a non-rectangular shape", code, i, len(ring)-1)
			}
			for _, pt := range ring {
				if !planar.MultiPolygonContains(districts[host].Outline, pt) {
					t.Errorf("%s block %d: vertex %v outside host %s", code, i, pt, host)
				}
			}
			if m := metres(ring); selfIntersects(m) {
				t.Errorf("%s block %d is not simple", code, i)
			}
		}
		if got := geo.AreaM2(p.Outline) / 1e6; math.Abs(got-total) > 0.005*total {
			t.Errorf("%s: %.4f km², want %.2f", code, got, total)
		}
		if math.Abs(p.AreaM2/1e6-total) > 0.005*total {
			t.Errorf("%s: AreaM2 %.4f km², want %.2f", code, p.AreaM2/1e6, total)
		}
	}
	check("BINFU", planning.ParkSpecialCooperationZone, AdcodeFuyang, []float64{5.8})
	check("BINXIAO", planning.ParkSpecialCooperationPark, AdcodeXiaoshan, []float64{7.13, 5.36, 1.0})
}

func TestParcelsByPark(t *testing.T) {
	ds := generate(t, Options{Parcels: 2000, Seed: 21})
	parks := map[string]orb.MultiPolygon{}
	for _, p := range ds.Parks {
		parks[p.Code] = p.Outline
	}
	count := map[string]int{}
	for p := range ds.Parcels {
		count[p.Park]++
		c, _ := planar.CentroidArea(p.Outline[0])
		inPark := ""
		for _, code := range []string{ParkBinfu, ParkBinxiao} {
			if planar.MultiPolygonContains(parks[code], c) {
				inPark = code
			}
		}
		switch {
		case inPark != "" && p.Park != inPark:
			t.Fatalf("%s: centroid in %s but park is %q", p.Code, inPark, p.Park)
		case p.Park == ParkBinfu || p.Park == ParkBinxiao:
			if inPark != p.Park {
				t.Fatalf("%s: park %s but centroid outside it", p.Code, p.Park)
			}
		case p.District == AdcodeBinjiang:
			if p.Park != ParkHTZ {
				t.Fatalf("%s: Binjiang parcel not in HTZ", p.Code)
			}
		case p.Park != "":
			t.Fatalf("%s: unexpected park %q", p.Code, p.Park)
		}
		if p.Park == ParkBinfu && p.District != AdcodeFuyang || p.Park == ParkBinxiao && p.District != AdcodeXiaoshan {
			t.Fatalf("%s: park %s but district %s (parks do not change affiliation)", p.Code, p.Park, p.District)
		}
	}
	inParks := count[ParkHTZ] + count[ParkBinfu] + count[ParkBinxiao]
	if inParks < 2000/2 || count[""] < 2000/10 || count[ParkBinfu] == 0 || count[ParkBinxiao] == 0 {
		t.Fatalf("share by park %v: want a large share in the parks and some outside", count)
	}
}

func TestLandUseMix(t *testing.T) {
	ds := generate(t, Options{Parcels: 5000, Seed: 13})
	type tally struct{ n, industrial, research, resCom, farm int }
	by := map[string]*tally{ParkBinfu: {}, ParkBinxiao: {}, ParkHTZ: {}, "": {}}
	allowed := map[string]bool{
		"100101": true, "100102": true, "100103": true, "0802": true, "0901": true, "0902": true,
		"070101": true, "070102": true, "0701": true, "0804": true, "0806": true, "1101": true,
		"1207": true, "1208": true, "1401": true, "1402": true, "16": true, "01": true, "0101": true,
	}
	for i := 1301; i <= 1312; i++ {
		allowed[formatFloat(float64(i))[:4]] = true
	}
	for p := range ds.Parcels {
		if !allowed[p.LandUse] {
			t.Fatalf("%s: land use %q not in the list", p.Code, p.LandUse)
		}
		if p.Affordable && p.LandUse != "0701" {
			t.Fatalf("%s: affordable on %s", p.Code, p.LandUse)
		}
		tl := by[p.Park]
		tl.n++
		switch {
		case strings.HasPrefix(p.LandUse, "1001"):
			tl.industrial++
		case p.LandUse == "0802":
			tl.research++
		}
		if p.LandUse == "0802" || p.LandUse == "0901" || p.LandUse == "0902" {
			tl.resCom++
		}
		if p.ConstructionLand != ConstructionClass(p.CurrentUse) {
			t.Fatalf("%s: construction land %v contradicts current use %s", p.Code, p.ConstructionLand, p.CurrentUse)
		}
		if p.CurrentUse == "01" || p.CurrentUse == "0101" {
			tl.farm++
			if p.Park != "" || (p.Status != planning.StatusPlanned && p.Status != planning.StatusFiled) {
				t.Fatalf("%s: farmland in park %q with status %s", p.Code, p.Park, p.Status)
			}
		}
	}
	share := func(a, n int) float64 { return float64(a) / float64(n) }
	bf, bx, htz, out := by[ParkBinfu], by[ParkBinxiao], by[ParkHTZ], by[""]
	if bf.n < 100 || bx.n < 100 || htz.n < 100 || out.n < 100 {
		t.Fatalf("too few parcels to judge: %d %d %d %d", bf.n, bx.n, htz.n, out.n)
	}
	if s := share(bf.industrial, bf.n); s < 0.5 {
		t.Errorf("Binfu industrial share %.2f, want >= 0.5", s)
	}
	if s := share(htz.resCom, htz.n); s < 0.5 {
		t.Errorf("Binjiang research/commercial share %.2f, want >= 0.5", s)
	}
	if si, sr := share(bx.industrial, bx.n), share(bx.research, bx.n); si < 0.2 || sr < 0.15 || si > 0.6 {
		t.Errorf("Binxiao industrial %.2f research %.2f, want a mix", si, sr)
	}
	if share(htz.industrial, htz.n) > 0.2 || share(bf.research, bf.n) > 0.25 {
		t.Errorf("mixes look swapped: Binjiang industrial %.2f, Binfu research %.2f", share(htz.industrial, htz.n), share(bf.research, bf.n))
	}
	if out.farm == 0 {
		t.Error("no farmland reserve outside the parks")
	}
}

func TestLifecycle(t *testing.T) {
	asOf := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	ds := generate(t, Options{Parcels: 20000, Seed: 17})
	first := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	rank := map[planning.Status]int{}
	for i, s := range planning.Statuses {
		rank[s.Code] = i
	}
	approvedRank := rank[planning.StatusApproved]
	var supplied, idle, idleDelay, approvedOnly, approvedOld, total, single, city, unsuppliedRest, unsuppliedStock, underground int
	for p := range ds.Parcels {
		total++
		if !p.Status.Valid() {
			t.Fatalf("%s: status %q", p.Code, p.Status)
		}
		r := rank[p.Status]
		if (p.ApprovedOn != nil) != (r >= approvedRank) {
			t.Fatalf("%s: status %s with ApprovedOn %v", p.Code, p.Status, p.ApprovedOn)
		}
		for _, d := range []*time.Time{p.ApprovedOn, p.SuppliedOn, p.ActualStartOn, p.CompletedOn} {
			if d != nil && (d.Before(first) || !d.Before(asOf)) {
				t.Fatalf("%s: date %v outside 2016..AsOf", p.Code, d)
			}
		}
		if p.Status.Supplied() != (p.SuppliedOn != nil) || p.Status.Supplied() != (p.AgreedStartOn != nil) {
			t.Fatalf("%s: status %s with SuppliedOn %v AgreedStartOn %v", p.Code, p.Status, p.SuppliedOn, p.AgreedStartOn)
		}
		if p.Elevation.Underground() {
			underground++
		}
		if p.Status.Supplied() {
			supplied++
			if !p.SuppliedOn.After(*p.ApprovedOn) {
				t.Fatalf("%s: supplied %v not after approved %v", p.Code, p.SuppliedOn, p.ApprovedOn)
			}
			if days := p.AgreedStartOn.Sub(*p.SuppliedOn).Hours() / 24; days < 90 || days > 366 {
				t.Fatalf("%s: agreed start %v days after supply", p.Code, days)
			}
			if !p.ConstructionLand {
				t.Fatalf("%s: supplied land must be construction land", p.Code)
			}
			if p.SupplyMethod != planning.SupplySale && p.SupplyMethod != planning.SupplyAllocation {
				t.Fatalf("%s: supply method %q", p.Code, p.SupplyMethod)
			}
			want := planning.SupplyAllocation
			if sold(p.LandUse, p.Affordable) {
				want = planning.SupplySale
			}
			if p.SupplyMethod != want {
				t.Fatalf("%s: %s (affordable %v) supplied by %s", p.Code, p.LandUse, p.Affordable, p.SupplyMethod)
			}
			started := p.Status != planning.StatusSupplied
			if started != (p.ActualStartOn != nil) {
				t.Fatalf("%s: status %s, ActualStartOn %v", p.Code, p.Status, p.ActualStartOn)
			}
			if p.ActualStartOn == nil && asOf.Sub(*p.AgreedStartOn) > 366*24*time.Hour {
				idle++
				if p.GovernmentDelay {
					idleDelay++
				}
			} else if p.GovernmentDelay {
				t.Fatalf("%s: government delay on a parcel that is not idle", p.Code)
			}
			done := r >= rank[planning.StatusCompleted]
			if done != (p.CompletedOn != nil) {
				t.Fatalf("%s: status %s, CompletedOn %v", p.Code, p.Status, p.CompletedOn)
			}
			if done && !p.CompletedOn.After(*p.ActualStartOn) {
				t.Fatalf("%s: completed before starting", p.Code)
			}
		} else {
			if p.SupplyMethod != planning.SupplyNone || p.ActualStartOn != nil || p.CompletedOn != nil {
				t.Fatalf("%s: unsupplied parcel with supply facts", p.Code)
			}
			if p.ApprovedOn != nil {
				approvedOnly++
				if asOf.Sub(*p.ApprovedOn) > 2*365*24*time.Hour {
					approvedOld++
				}
			}
			if p.CurrentUse == "01" || p.CurrentUse == "0101" {
				if p.ConstructionLand {
					t.Fatalf("%s: farmland counted as construction land", p.Code)
				}
			} else {
				unsuppliedRest++
				if p.ConstructionLand {
					unsuppliedStock++
				}
			}
		}
		switch p.ApprovalKind {
		case planning.ApprovalCityBatch:
			city++
		case planning.ApprovalSingleSite:
			single++
		}
		if !p.UpdatedAt.Before(asOf) || p.UpdatedAt.Before(p.CreatedAt) {
			t.Fatalf("%s: created %v updated %v", p.Code, p.CreatedAt, p.UpdatedAt)
		}
		checkIntensity(t, &p)
	}
	between := func(name string, got, lo, hi float64) {
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want %.2f..%.2f", name, got, lo, hi)
		}
	}
	between("idle share of supplied", float64(idle)/float64(supplied), 0.05, 0.11)
	between("government delay share of idle", float64(idleDelay)/float64(idle), 0.05, 0.5)
	between("approved-but-unsupplied share", float64(approvedOnly)/float64(total), 0.06, 0.15)
	between("approved 2+ years ago among them", float64(approvedOld)/float64(approvedOnly), 0.1, 0.95)
	between("stock share of the rest", float64(unsuppliedStock)/float64(unsuppliedRest), 0.3, 0.5)
	between("single-site share", float64(single)/float64(single+city), 0.05, 0.3)
	between("underground share", float64(underground)/float64(total), 0.002, 0.01)
}

func checkIntensity(t *testing.T, p *planning.Parcel) {
	t.Helper()
	farm := p.LandUse == "01" || p.LandUse == "0101"
	if farm && (p.PlotRatio != nil || p.BuildingDensity != nil || p.GreenRatio != nil) {
		t.Fatalf("%s: farmland with intensity indicators", p.Code)
	}
	if p.Elevation.Underground() || p.PlotRatio == nil {
		return
	}
	in := func(v *float64, lo, hi float64) bool { return v != nil && *v >= lo && *v <= hi }
	ok := true
	switch {
	case strings.HasPrefix(p.LandUse, "1001"):
		ok = in(p.PlotRatio, 1.2, 2.5) && in(p.BuildingDensity, 0.35, 0.6) && in(p.GreenRatio, 0.1, 0.2)
	case strings.HasPrefix(p.LandUse, "0701"):
		ok = in(p.PlotRatio, 2.0, 3.0) && in(p.BuildingDensity, 0.2, 0.3) && in(p.GreenRatio, 0.3, 0.35)
	default:
		ok = in(p.PlotRatio, 0, 6) && in(p.BuildingDensity, 0, 1) && in(p.GreenRatio, 0, 1)
	}
	if !ok {
		t.Fatalf("%s (%s): plot %v density %v green %v", p.Code, p.LandUse, *p.PlotRatio, p.BuildingDensity, p.GreenRatio)
	}
}

func TestZones(t *testing.T) {
	ds := generate(t, Options{Parcels: 1500, Seed: 23})
	parcels := collect(ds)
	kinds := map[planning.ZoneKind]int{}
	devOf := map[string]planning.ProtectedZone{}
	names := map[string]bool{}
	for i, z := range ds.Zones {
		if z.ID != int64(i+1) {
			t.Fatalf("zone %d has ID %d", i, z.ID)
		}
		if !z.Kind.Valid() || z.Name == "" || z.AreaM2 <= 0 {
			t.Fatalf("zone %+v", z)
		}
		if names[z.Name] {
			t.Fatalf("zone name %s twice", z.Name)
		}
		names[z.Name] = true
		if err := geo.ValidatePolygonal(z.Outline, 0); err != nil {
			t.Fatalf("zone %s: %v", z.Name, err)
		}
		kinds[z.Kind]++
		if z.Kind == planning.ZoneDevBoundary {
			for _, d := range ds.Districts {
				if strings.HasPrefix(z.Name, d.NameZh) {
					devOf[d.Adcode] = z
				}
			}
		}
	}
	if kinds[planning.ZoneDevBoundary] != 3 || len(devOf) != 3 {
		t.Fatalf("want one development boundary per district, got %v", devOf)
	}
	if kinds[planning.ZoneFarmland] < 5 || kinds[planning.ZoneRedLine] < 3 {
		t.Fatalf("zone kinds %v", kinds)
	}
	// Development boundaries enclose the parks and most parcels.
	for _, p := range ds.Parks {
		if p.Kind == planning.ParkCoreZone {
			continue
		}
		for _, poly := range p.Outline {
			for _, pt := range poly[0] {
				if !planar.MultiPolygonContains(devOf[p.HostDistrict].Outline, pt) {
					t.Fatalf("park %s vertex %v outside the development boundary", p.Code, pt)
				}
			}
		}
	}
	inside := 0
	for _, p := range parcels {
		c, _ := planar.CentroidArea(p.Outline[0])
		if planar.MultiPolygonContains(devOf[p.District].Outline, c) {
			inside++
		}
	}
	if inside < len(parcels)*9/10 {
		t.Errorf("only %d of %d parcels inside the development boundaries", inside, len(parcels))
	}
	// Deliberate conflicts: farmland and red line over some parcels.
	hits := func(z planning.ProtectedZone) int {
		zr := metres(z.Outline[0][0])
		zb := bounds(zr)
		n := 0
		for _, p := range parcels {
			pr := metres(p.Outline[0][0])
			if zb.Intersects(bounds(pr)) && overlapArea(pr, zr) > 1 {
				n++
			}
		}
		return n
	}
	farmHit, redHit, farmInPark := 0, 0, 0
	parkOutlines := []orb.MultiPolygon{}
	for _, p := range ds.Parks {
		if p.Kind != planning.ParkCoreZone {
			parkOutlines = append(parkOutlines, p.Outline)
		}
	}
	for _, z := range ds.Zones {
		switch z.Kind {
		case planning.ZoneFarmland:
			if hits(z) > 0 {
				farmHit++
			}
			c, _ := planar.CentroidArea(z.Outline[0])
			for _, po := range parkOutlines {
				if planar.MultiPolygonContains(po, c) {
					farmInPark++
				}
			}
		case planning.ZoneRedLine:
			if hits(z) > 0 {
				redHit++
			}
		}
	}
	if farmHit < 2 || redHit < 1 {
		t.Fatalf("farmland patches over parcels: %d (want >= 2), red lines touching parcels: %d (want >= 1)", farmHit, redHit)
	}
	if farmInPark > 2 || farmInPark*3 > kinds[planning.ZoneFarmland] {
		t.Fatalf("%d of %d farmland patches sit in parks; they should be mostly outside", farmInPark, kinds[planning.ZoneFarmland])
	}
}

func TestOptionsErrors(t *testing.T) {
	bad := []Options{
		{Parcels: -1},
		{Parcels: MaxParcels + 1},
		{Parcels: 10, AsOf: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Parcels: 10, Districts: BuiltinDistricts()[:2]},
		{Parcels: 10, Parks: []planning.Park{{Code: "X", Kind: "science_city", HostDistrict: AdcodeFuyang, Outline: builtinParks()[0].Outline}}},
		{Parcels: 10, Parks: []planning.Park{{Code: "X", Kind: planning.ParkFunctionalPark, HostDistrict: "999999", Outline: builtinParks()[0].Outline}}},
		{Parcels: 10, Parks: []planning.Park{{Code: "", Kind: planning.ParkFunctionalPark, HostDistrict: AdcodeFuyang, Outline: builtinParks()[0].Outline}}},
		{Parcels: 10, Parks: []planning.Park{{Code: "X", Kind: planning.ParkFunctionalPark, HostDistrict: AdcodeFuyang}}},
	}
	for i, o := range bad {
		_, err := Generate(o)
		if err == nil {
			t.Errorf("case %d: want an error", i)
			continue
		}
		if planning.CodeOf(err) != planning.ErrInvalid {
			t.Errorf("case %d: code %s (%v)", i, planning.CodeOf(err), err)
		}
	}
}

func TestMaxParcelsFit(t *testing.T) {
	if testing.Short() {
		t.Skip("plans ten million parcels")
	}
	ds := generate(t, Options{Parcels: MaxParcels, Seed: 1})
	n := 0
	for range ds.Parcels {
		n++
		if n == 1000 {
			break
		}
	}
}

func TestCustomParks(t *testing.T) {
	// A user park: one octagon in Fuyang; HTZ must be added from Binjiang.
	binfu := builtinParks()[0]
	custom := planning.Park{Code: "FYP", NameZh: "富阳功能园", Kind: planning.ParkFunctionalPark,
		HostDistrict: AdcodeFuyang, Outline: binfu.Outline}
	ds := generate(t, Options{Parcels: 1500, Seed: 2, Parks: []planning.Park{custom}})
	if len(ds.Parks) != 2 || ds.Parks[0].Code != ParkHTZ || ds.Parks[1].Code != "FYP" {
		t.Fatalf("parks %v", ds.Parks)
	}
	count := map[string]int{}
	for p := range ds.Parcels {
		count[p.Park]++
		if p.Park == "FYP" && !strings.HasPrefix(p.Code, "330111-FYP-") {
			t.Fatalf("code %s", p.Code)
		}
	}
	if count["FYP"] == 0 || count[ParkHTZ] == 0 || count[ParkBinfu] != 0 {
		t.Fatalf("counts %v", count)
	}
}

// The demo shows the cases of issue 14: mixed use, 单独选址 roads with their
// exception, handover dates, farmland today under a planned factory, and
// idle land of both causes.
func TestDemoShowsLandCases(t *testing.T) {
	ps := collect(generate(t, Options{Seed: 7, Parcels: 4000}))
	var mixed, roads, handed, farmPlanned, idleGov int
	for _, p := range ps {
		if p.CompatibleUse == "0701" && p.LandUse == "0901" && p.CompatibleShare != nil && *p.CompatibleShare == 0.3 {
			mixed++
		}
		if p.LineException == planning.LineExceptionSingleSite {
			if p.LandUse != "1207" || p.LineExceptionDocument == "" {
				t.Fatalf("%s: exception on %s with document %q", p.Code, p.LandUse, p.LineExceptionDocument)
			}
			roads++
		}
		if p.Status.Supplied() != (p.HandedOverOn != nil) {
			t.Fatalf("%s: status %s, handover %v", p.Code, p.Status, p.HandedOverOn)
		}
		if p.HandedOverOn != nil {
			handed++
		}
		if (p.CurrentUse == "01" || p.CurrentUse == "0101") && p.LandUse != p.CurrentUse {
			farmPlanned++
		}
		if p.GovernmentDelay {
			idleGov++
		}
	}
	if mixed == 0 || roads == 0 || handed == 0 || farmPlanned == 0 || idleGov == 0 {
		t.Errorf("mixed %d, exception roads %d, handed over %d, farmland with a planned use %d, government-delayed idle %d", mixed, roads, handed, farmPlanned, idleGov)
	}
}

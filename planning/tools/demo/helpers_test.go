package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// Test helpers: everything is re-measured from the lon/lat output, the way
// a consumer would see it.

func generate(t testing.TB, opts Options) *Dataset {
	t.Helper()
	ds, err := Generate(opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts.Parcels, err)
	}
	return ds
}

func collect(ds *Dataset) []planning.Parcel {
	var out []planning.Parcel
	for p := range ds.Parcels {
		out = append(out, p)
	}
	return out
}

// hashParcels digests every field of every parcel, coordinates included.
func hashParcels(seq func(func(planning.Parcel) bool)) ([32]byte, int) {
	h := sha256.New()
	n := 0
	for p := range seq {
		n++
		writeParcel(h, &p)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, n
}

func writeParcel(h hash.Hash, p *planning.Parcel) {
	var buf [8]byte
	u64 := func(v uint64) { binary.LittleEndian.PutUint64(buf[:], v); h.Write(buf[:]) }
	f64 := func(v float64) { u64(math.Float64bits(v)) }
	str := func(s string) { u64(uint64(len(s))); h.Write([]byte(s)) }
	pf := func(v *float64) {
		if v == nil {
			u64(1 << 63)
			return
		}
		f64(*v)
	}
	pt := func(v *time.Time) {
		if v == nil {
			u64(1 << 62)
			return
		}
		u64(uint64(v.UnixNano()))
	}
	u64(uint64(p.ID))
	str(p.Code)
	str(p.District)
	str(p.Park)
	str(p.LandUse)
	str(string(p.Status))
	for _, poly := range p.Outline {
		u64(uint64(len(poly)))
		for _, r := range poly {
			u64(uint64(len(r)))
			for _, c := range r {
				f64(c[0])
				f64(c[1])
			}
		}
	}
	f64(p.AreaM2)
	pf(p.PlotRatio)
	pf(p.BuildingDensity)
	pf(p.GreenRatio)
	for _, b := range []bool{p.Affordable, p.ConstructionLand, p.GovernmentDelay} {
		if b {
			u64(1)
		} else {
			u64(0)
		}
	}
	str(p.CurrentUse)
	str(string(p.SupplyMethod))
	str(string(p.ApprovalKind))
	pt(p.ApprovedOn)
	pt(p.SuppliedOn)
	pt(p.AgreedStartOn)
	pt(p.ActualStartOn)
	pt(p.CompletedOn)
	pf(p.Elevation.Bottom)
	pf(p.Elevation.Top)
	u64(uint64(p.CreatedAt.UnixNano()))
	u64(uint64(p.UpdatedAt.UnixNano()))
}

// metres returns the open outer ring of a parcel in EPSG:4549.
func metres(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for i, p := range r {
		if i == len(r)-1 && p == r[0] {
			break
		}
		out = append(out, geo.To4549(p))
	}
	return out
}

func shoelace(r []orb.Point) float64 {
	var s float64
	o := r[0]
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-o[0])*(r[i+1][1]-o[1]) - (r[i+1][0]-o[0])*(r[i][1]-o[1])
	}
	return s / 2
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

// dropStraight removes (nearly) collinear vertices.
func dropStraight(r []orb.Point) []orb.Point {
	out := append([]orb.Point(nil), r...)
	for changed := true; changed && len(out) > 3; {
		changed = false
		for i := 0; i < len(out) && len(out) > 3; i++ {
			a, b, c := out[(i+len(out)-1)%len(out)], out[i], out[(i+1)%len(out)]
			l := math.Hypot(c[0]-a[0], c[1]-a[1])
			if math.Abs(cross(a, b, c)) <= 1e-7*l*l || l == 0 {
				out = append(out[:i], out[i+1:]...)
				changed = true
				i--
			}
		}
	}
	return out
}

// triangulate ear-clips a simple ccw polygon.
func triangulate(r []orb.Point) [][3]orb.Point {
	poly := dropStraight(r)
	var tris [][3]orb.Point
	for guard := 0; len(poly) > 3 && guard < 1000; guard++ {
		n := len(poly)
		cut := false
		for i := 0; i < n; i++ {
			a, b, c := poly[(i+n-1)%n], poly[i], poly[(i+1)%n]
			if cross(a, b, c) <= 0 {
				continue
			}
			ear := true
			for j := 0; j < n; j++ {
				p := poly[j]
				if p == a || p == b || p == c {
					continue
				}
				if cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0 {
					ear = false
					break
				}
			}
			if ear {
				tris = append(tris, [3]orb.Point{a, b, c})
				poly = append(poly[:i], poly[i+1:]...)
				cut = true
				break
			}
		}
		if !cut {
			break
		}
	}
	if len(poly) == 3 {
		tris = append(tris, [3]orb.Point{poly[0], poly[1], poly[2]})
	}
	return tris
}

// clipConvex clips subject by the ccw convex polygon clip
// (Sutherland-Hodgman); the area of the result is right even for a
// non-convex subject.
func clipConvex(subject []orb.Point, clip []orb.Point) []orb.Point {
	out := subject
	for i := range clip {
		a, b := clip[i], clip[(i+1)%len(clip)]
		in := out
		out = nil
		if len(in) == 0 {
			break
		}
		prev := in[len(in)-1]
		for _, cur := range in {
			cin, pin := cross(a, b, cur) >= 0, cross(a, b, prev) >= 0
			if cin {
				if !pin {
					out = append(out, intersect(prev, cur, a, b))
				}
				out = append(out, cur)
			} else if pin {
				out = append(out, intersect(prev, cur, a, b))
			}
			prev = cur
		}
	}
	return out
}

func intersect(p, q, a, b orb.Point) orb.Point {
	d1 := cross(a, b, p)
	d2 := cross(a, b, q)
	t := d1 / (d1 - d2)
	return orb.Point{p[0] + (q[0]-p[0])*t, p[1] + (q[1]-p[1])*t}
}

// overlapArea is the area of the intersection of two simple polygons.
func overlapArea(a, b []orb.Point) float64 {
	var s float64
	for _, tri := range triangulate(a) {
		c := clipConvex(b, tri[:])
		if len(c) >= 3 {
			s += math.Abs(shoelace(c))
		}
	}
	return s
}

// selfIntersects reports whether two non-adjacent edges of r meet.
func selfIntersects(r []orb.Point) bool {
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		for j := i + 1; j < n; j++ {
			if j == i || (j+1)%n == i || (i+1)%n == j {
				continue
			}
			c, d := r[j], r[(j+1)%n]
			if segsCross(a, b, c, d) {
				return true
			}
		}
	}
	return false
}

func bounds(r []orb.Point) orb.Bound {
	b := orb.Bound{Min: r[0], Max: r[0]}
	for _, p := range r[1:] {
		b = b.Extend(p)
	}
	return b
}

// elevationsDisjoint reports whether two half-open ranges cannot meet.
func elevationsDisjoint(a, b planning.Elevation) bool {
	lo := func(e planning.Elevation) float64 {
		if e.Bottom == nil {
			return math.Inf(-1)
		}
		return *e.Bottom
	}
	hi := func(e planning.Elevation) float64 {
		if e.Top == nil {
			return math.Inf(1)
		}
		return *e.Top
	}
	return hi(a) <= lo(b) || hi(b) <= lo(a)
}

type overlapReport struct {
	pairs      int // candidate pairs examined
	touching   int // pairs that share an edge or vertex
	stacked    int // pairs that overlap with disjoint elevations
	violations []string
}

// checkOverlaps tests every pair of parcels whose bounds meet.
func checkOverlaps(ps []planning.Parcel) overlapReport {
	type item struct {
		ring []orb.Point
		b    orb.Bound
	}
	items := make([]item, len(ps))
	const cell = 250.0
	grid := map[[2]int][]int{}
	for i := range ps {
		r := metres(ps[i].Outline[0][0])
		items[i] = item{r, bounds(r)}
		b := items[i].b
		for x := int(math.Floor(b.Min[0] / cell)); x <= int(math.Floor(b.Max[0]/cell)); x++ {
			for y := int(math.Floor(b.Min[1] / cell)); y <= int(math.Floor(b.Max[1]/cell)); y++ {
				grid[[2]int{x, y}] = append(grid[[2]int{x, y}], i)
			}
		}
	}
	var rep overlapReport
	seen := map[[2]int]bool{}
	for _, ids := range grid {
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				i, j := ids[x], ids[y]
				if i > j {
					i, j = j, i
				}
				if seen[[2]int{i, j}] || !items[i].b.Intersects(items[j].b) {
					continue
				}
				seen[[2]int{i, j}] = true
				rep.pairs++
				if bad := tJunction(items[i].ring, items[j].ring); bad != "" {
					rep.violations = append(rep.violations, ps[i].Code+" / "+ps[j].Code+": "+bad)
				}
				a := overlapArea(items[i].ring, items[j].ring)
				if a < 0.01 {
					if sharesVertex(items[i].ring, items[j].ring) {
						rep.touching++
					}
					continue
				}
				if elevationsDisjoint(ps[i].Elevation, ps[j].Elevation) {
					rep.stacked++
					continue
				}
				if len(rep.violations) < 10 {
					rep.violations = append(rep.violations,
						ps[i].Code+" / "+ps[j].Code+": "+formatFloat(a)+" m²")
				} else {
					rep.violations = append(rep.violations, "")
				}
			}
		}
	}
	return rep
}

func sharesVertex(a, b []orb.Point) bool {
	for _, p := range a {
		for _, q := range b {
			if p == q {
				return true
			}
		}
	}
	return false
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// tJunction finds a vertex of one ring lying on an edge of the other
// without being a vertex there: neighbours must share every vertex of
// their common edge.
func tJunction(a, b []orb.Point) string {
	check := func(a, b []orb.Point) string {
		for _, p := range a {
			if slices.Contains(b, p) {
				continue
			}
			for k := range b {
				if distPointSeg(p, b[k], b[(k+1)%len(b)]) < 1e-3 {
					return "vertex " + formatFloat(p[0]) + "," + formatFloat(p[1]) + " lies on a neighbour's edge but is not its vertex"
				}
			}
		}
		return ""
	}
	if s := check(a, b); s != "" {
		return s
	}
	return check(b, a)
}

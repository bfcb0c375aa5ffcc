package pgstore

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// overlapShapes makes outlines of every kind the pre-filter meets: a
// mosaic of jittered quadrilaterals sharing slanted edges, some cut in two
// at the midpoints of their edges (T-junctions whose rounded midpoint may
// lie a hair inside the neighbour: a real overlap for PostGIS), some
// dented (not convex), with collinear and repeated points; overlapping
// stars; copies, copies moved by 1e-9, shapes inside others, a corner
// shared, holes, two parts, a bow tie (invalid), and one outline whose box
// covers most of the grid.
func overlapShapes(seed uint64) []orb.MultiPolygon {
	r := rand.New(rand.NewPCG(seed, 1))
	const n, c = 14, 1e-3
	x0, y0 := 120.2+r.Float64()*1e-3, 30.2+r.Float64()*1e-3
	var v [n + 1][n + 1]orb.Point
	for i := range n + 1 {
		for j := range n + 1 {
			v[i][j] = orb.Point{x0 + float64(i)*c + (r.Float64()-0.5)*0.6*c, y0 + float64(j)*c + (r.Float64()-0.5)*0.6*c}
		}
	}
	mid := func(a, b orb.Point) orb.Point { return orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2} }
	ring := func(pts ...orb.Point) orb.Ring { return append(orb.Ring(pts), pts[0]) }
	var out []orb.MultiPolygon
	for i := range n {
		for j := range n {
			a, b, cc, d := v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1]
			switch r.IntN(6) {
			case 0: // cut in two
				mb, mt := mid(a, b), mid(d, cc)
				out = append(out, orb.MultiPolygon{{ring(a, mb, mt, d)}}, orb.MultiPolygon{{ring(mb, b, cc, mt)}})
			case 1: // dented
				m := mid(a, b)
				in := mid(m, mid(a, cc))
				out = append(out, orb.MultiPolygon{{ring(a, in, b, cc, d)}})
			case 2: // a collinear point and a repeated one
				out = append(out, orb.MultiPolygon{{ring(a, b, b, mid(b, cc), cc, d)}})
			default:
				if r.IntN(2) == 0 {
					out = append(out, orb.MultiPolygon{{ring(a, b, cc, d)}})
				} else {
					out = append(out, orb.MultiPolygon{{ring(d, cc, b, a)}}) // clockwise
				}
			}
		}
	}
	// Stars, overlapping one another and the mosaic.
	star := func(cx, cy, rad float64, k int) orb.MultiPolygon {
		var pts []orb.Point
		for i := range 2 * k {
			rr := rad * (0.4 + 0.6*float64(i%2))
			a := float64(i) * math.Pi / float64(k)
			pts = append(pts, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		return orb.MultiPolygon{{ring(pts...)}}
	}
	for range 40 {
		out = append(out, star(x0+r.Float64()*n*c, y0+r.Float64()*n*c, c*(0.2+r.Float64()), 3+r.IntN(5)))
	}
	sq := func(x, y, s float64) orb.Ring {
		return ring(orb.Point{x, y}, orb.Point{x + s, y}, orb.Point{x + s, y + s}, orb.Point{x, y + s})
	}
	bx, by := x0+(n+2)*c, y0
	out = append(out,
		orb.MultiPolygon{{sq(bx, by, c)}}, orb.MultiPolygon{{sq(bx, by, c)}}, // copies
		orb.MultiPolygon{{sq(bx+2*c, by, c)}}, orb.MultiPolygon{{sq(bx+2*c+1e-9, by+1e-9, c)}}, // moved a hair
		orb.MultiPolygon{{sq(bx+4*c, by, c)}}, orb.MultiPolygon{{sq(bx+4.2*c, by+0.2*c, 0.3*c)}}, // inside
		orb.MultiPolygon{{sq(bx+6*c, by, c)}}, orb.MultiPolygon{{sq(bx+7*c, by+c, c)}}, // a corner shared
		orb.MultiPolygon{{sq(bx+8*c, by, c)}}, orb.MultiPolygon{{sq(bx+9*c, by, c)}}, // an edge shared
		orb.MultiPolygon{{sq(bx+10*c-1e-9, by, c)}}, // over the last one's edge by 1e-9
		orb.MultiPolygon{{ring(orb.Point{bx + 12*c, by}, orb.Point{bx + 13*c, by + c}, orb.Point{bx + 12*c, by + c})}}, // a slanted edge shared...
		orb.MultiPolygon{{ring(orb.Point{bx + 12*c, by}, orb.Point{bx + 13*c, by}, orb.Point{bx + 13*c, by + c})}},
		orb.MultiPolygon{{ring(orb.Point{bx + 12*c, by - c}, orb.Point{bx + 13*c, by - c}, orb.Point{bx + 13*c, by - 1e-9}, orb.Point{bx + 12*c, by + 1e-9})}}, // ...and a sliver under one
		orb.MultiPolygon{{sq(bx, by+2*c, 3*c), sq(bx+c, by+3*c, c)}}, orb.MultiPolygon{{sq(bx+1.2*c, by+3.2*c, 0.5*c)}},                                        // in a hole
		orb.MultiPolygon{{sq(bx+4*c, by+2*c, c)}, {sq(bx+6*c, by+2*c, c)}}, orb.MultiPolygon{{sq(bx+6.5*c, by+2.5*c, c)}}, // two parts
		orb.MultiPolygon{{ring(orb.Point{bx, by + 6*c}, orb.Point{bx + c, by + 7*c}, orb.Point{bx + c, by + 6*c}, orb.Point{bx, by + 7*c})}}, // bow tie
		orb.MultiPolygon{{sq(bx+0.5*c, by+6*c, c)}},
		orb.MultiPolygon{{ring(orb.Point{x0 - c, y0 - c}, orb.Point{x0 + n*c, y0 - c}, orb.Point{x0 - c, y0 + n*c})}}, // big
	)
	return out
}

// TestOverlapPrefilterKeepsEveryOverlap: every pair of outlines PostGIS
// finds sharing interior (ST_Relate '2********', both valid) is among the
// pairs the pre-filter hands to SQL, and each pair it drops is one PostGIS
// finds apart; and it drops most of the mosaic's neighbours, or it would
// save nothing.
func TestOverlapPrefilterKeepsEveryOverlap(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.pool.Exec(ctx, "CREATE TABLE lq_test_shapes (feature bigint PRIMARY KEY, geom geometry(MultiPolygon, 4490))"); err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(4) {
		shapes := overlapShapes(seed)
		o := geo.NewOutlines()
		rows := make([][]any, len(shapes))
		for i, mp := range shapes {
			g, err := geo.ToMultiPolygonGeom(mp, geo.SRIDStore)
			if err != nil {
				t.Fatal(err)
			}
			rows[i] = []any{int64(i + 1), g}
			o.Add(int64(i+1), mp)
		}
		if _, err := s.pool.Exec(ctx, "TRUNCATE lq_test_shapes"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"lq_test_shapes"}, []string{"feature", "geom"}, pgx.CopyFromRows(rows)); err != nil {
			t.Fatal(err)
		}
		kept, ok := o.PairsToCheck()
		if !ok {
			t.Fatal("the pre-filter gave up")
		}
		toSQL := map[[2]int64]bool{}
		for _, p := range kept {
			if toSQL[p] || p[0] >= p[1] {
				t.Fatalf("pair %v twice or not in order", p)
			}
			toSQL[p] = true
		}
		prows, err := s.pool.Query(ctx, `SELECT a.feature, b.feature, ST_IsValid(a.geom) AND ST_IsValid(b.geom) AND ST_Relate(a.geom, b.geom, '2********')
			FROM lq_test_shapes a JOIN lq_test_shapes b ON a.geom && b.geom AND a.feature < b.feature`)
		if err != nil {
			t.Fatal(err)
		}
		var boxes, overlaps, dropped int
		for prows.Next() {
			var p [2]int64
			var overlap bool
			if err := prows.Scan(&p[0], &p[1], &overlap); err != nil {
				t.Fatal(err)
			}
			boxes++
			if overlap {
				overlaps++
				if !toSQL[p] {
					t.Errorf("seed %d: features %d and %d overlap in PostGIS, but the pre-filter dropped the pair", seed, p[0], p[1])
				}
			}
			if !toSQL[p] {
				dropped++
			}
		}
		if err := prows.Err(); err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %d shapes, %d pairs whose boxes meet, %d overlapping, %d to SQL, %d dropped", seed, len(shapes), boxes, overlaps, len(kept), dropped)
		if overlaps < 20 || dropped < boxes/2 {
			t.Errorf("seed %d: %d overlaps and %d of %d pairs dropped: the shapes do not test the filter, or it drops too little", seed, overlaps, dropped, boxes)
		}
	}
}

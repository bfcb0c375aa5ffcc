package pgstore

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/paulmach/orb"
)

// loadWorld is one district and n x n parcels of 30 m every 40 m, plus
// extra parcels at the end.
func loadWorld(n int, extra ...planning.Parcel) Dataset {
	return Dataset{
		Districts: []planning.District{{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang", Outline: tileSquare(-3000, -3000, 6000)}},
		Parcels: func(yield func(planning.Parcel) bool) {
			for i := 0; i < n*n; i++ {
				p := planning.Parcel{Code: "L-" + strconv.Itoa(i), District: "330108", LandUse: "100101", Status: planning.StatusReserve,
					Outline: tileSquare(float64(i%n)*40, float64(i/n)*40, 30), Elevation: planning.Surface()}
				if !yield(p) {
					return
				}
			}
			for _, p := range extra {
				if !yield(p) {
					return
				}
			}
		},
	}
}

func TestLoadChecksSetBasedAsTheTriggersDo(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	count := func(table string) int {
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A bow-tie outline is refused, naming the parcel; nothing is stored.
	bowtie := planning.Parcel{Code: "BOWTIE", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
		Outline: orb.MultiPolygon{{{tileSquare(0, -500, 30)[0][0][0], tileSquare(30, -470, 1)[0][0][0], tileSquare(30, -500, 1)[0][0][0], tileSquare(0, -470, 1)[0][0][0], tileSquare(0, -500, 30)[0][0][0]}}}}
	_, err = s.Load(ctx, loadWorld(10, bowtie), false, nil)
	if planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "BOWTIE") || !strings.Contains(err.Error(), "not a valid polygon") {
		t.Fatalf("invalid outline: %v", err)
	}
	if count("parcels")+count("districts") != 0 {
		t.Fatal("a refused load left rows behind")
	}
	// An overlap at the same elevation is refused, naming both parcels.
	over := planning.Parcel{Code: "OVER", District: "330108", LandUse: "100101", Status: planning.StatusReserve, Elevation: planning.Surface(),
		Outline: tileSquare(20, 20, 30)} // over L-0 and its neighbours
	_, err = s.Load(ctx, loadWorld(10, over), false, nil)
	if planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "parcel OVER overlaps parcel L-0") {
		t.Fatalf("overlap: %v", err)
	}
	if count("parcels")+count("districts") != 0 {
		t.Fatal("a refused load left rows behind")
	}
	// A stratified right below ground over L-0 is no overlap; the load
	// measures areas, conflicts and cells as the triggers would.
	top := 0.0
	bottom := -20.0
	below := planning.Parcel{Code: "BELOW", District: "330108", LandUse: "100101", Status: planning.StatusSupplied,
		Elevation: planning.Elevation{Bottom: &bottom, Top: &top}, Outline: tileSquare(0, 0, 30)}
	rep, err := s.Load(ctx, loadWorld(10, below), false, nil)
	if err != nil || rep.Parcels != 101 || count("parcels") != 101 || count("parcel_conflicts") != 101 {
		t.Fatalf("load: %+v %v; %d parcels, %d conflict rows", rep, err, count("parcels"), count("parcel_conflicts"))
	}
	var off int
	s.pool.QueryRow(ctx, "SELECT count(*) FROM parcels WHERE abs(area_m2 - ST_Area(ST_Transform(geom, 4549))) > 1e-6 OR abs(area_m2 - 900) > 1").Scan(&off)
	if off != 0 {
		t.Fatalf("%d parcels with a wrong area", off)
	}
	if n := cellsDiffer(t, s); n != 0 {
		t.Fatalf("%d cell rows differ after the load", n)
	}
	// The row triggers are on again: an overlapping insert is refused.
	if _, err := s.InsertParcel(ctx, over); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("insert after the load: %v", err)
	}
	var ids []int64
	rows, _ := s.pool.Query(ctx, "SELECT id FROM parcels ORDER BY id LIMIT 2")
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("ids %v: parcels keep their order", ids)
	}
}

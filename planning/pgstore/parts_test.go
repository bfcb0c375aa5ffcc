package pgstore_test

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

// The whole Store still offers what the importer asks of it by interface
// (the classes' aliases come from its LandStore part).
var (
	_ imports.Store         = (*pgstore.Store)(nil)
	_ imports.ExportStore   = (*pgstore.Store)(nil)
	_ importer.ClassAliases = (*pgstore.Store)(nil)
)

// A caller that takes one part sees what the whole Store wrote: the parts
// share one pool.
func TestPartsShareThePool(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var land *pgstore.LandStore = s.LandStore
	if err := land.InsertDistrict(ctx, planning.District{Adcode: "330108", NameZh: "滨江区", NameEn: "Binjiang",
		ParentAdcode: "330100", Outline: rect(-500, -500, 500, 500)}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Count(ctx); err != nil || c.Districts != 1 {
		t.Fatalf("the whole store counts %d districts (%v), want the one its land part wrote", c.Districts, err)
	}
	var rules *pgstore.RuleStore = s.RuleStore
	if err := rules.SetLineTolerance(ctx, planning.LineTolerance{AreaM2: 7, WidthM: 0.5}, "test"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.TolerancePolicy(ctx); err != nil || p.AreaToleranceM2 != 7 || p.SliverWidthM != 0.5 {
		t.Fatalf("the whole store reads tolerance %+v (%v), want the one its rule part wrote", p, err)
	}
}

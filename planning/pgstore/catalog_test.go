package pgstore

import (
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/catalog"
)

// Every catalog column has its SQL here and every SQL is a catalog column:
// a column added to one side only fails here, before any database.
func TestEveryCatalogColumnHasSQL(t *testing.T) {
	if len(layers) != len(catalog.Layers) {
		t.Fatalf("%d SQL layers, %d catalog layers", len(layers), len(catalog.Layers))
	}
	for _, cat := range catalog.Layers {
		l, ok := layers[cat.Name]
		if !ok {
			t.Errorf("layer %s has no SQL", cat.Name)
			continue
		}
		for _, c := range cat.Columns {
			if l.cols[c.Name] == "" {
				t.Errorf("%s.%s has no SQL", cat.Name, c.Name)
			}
		}
		for name := range l.cols {
			if _, ok := cat.Column(name); !ok {
				t.Errorf("%s: SQL for %s, which the catalog lacks", cat.Name, name)
			}
		}
	}
}

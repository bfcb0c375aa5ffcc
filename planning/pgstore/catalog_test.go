package pgstore

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
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
		for _, names := range []map[string]string{l.cols, l.computed, l.renamed} {
			for name := range names {
				if _, ok := cat.Column(name); !ok {
					t.Errorf("%s: SQL for %s, which the catalog lacks", cat.Name, name)
				}
			}
		}
	}
}

// The columns derived from the catalog (a plain column's table column, an
// import field's column) are the migrated tables' columns: a catalog
// column added without its migration, or stored under another name
// without a renamed entry, fails here.
func TestDerivedColumnsExist(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	for name, l := range layers {
		have, err := columnsOf(ctx, s.pool, l.table)
		if err != nil {
			t.Fatal(err)
		}
		cat, _ := catalog.Find(name)
		for _, c := range cat.Columns {
			if _, computed := l.computed[c.Name]; !computed && !have[l.column(c.Name)] {
				t.Errorf("%s.%s: table %s has no column %s", name, c.Name, l.table, l.column(c.Name))
			}
		}
	}
	for layer, it := range importTables {
		have, err := columnsOf(ctx, s.pool, it.table)
		if err != nil {
			t.Fatal(err)
		}
		if !have[it.key] {
			t.Errorf("import %s: table %s has no key column %s", layer, it.table, it.key)
		}
		for f, col := range it.cols {
			if !have[col] {
				t.Errorf("import %s: field %s goes to %s.%s, which does not exist", layer, f, it.table, col)
			}
		}
		if layer == imports.Parcels && (it.cols["district"] != "district_adcode" || it.cols["main_share"] != "") {
			t.Errorf("parcels import columns: district -> %q, main_share -> %q", it.cols["district"], it.cols["main_share"])
		}
	}
}

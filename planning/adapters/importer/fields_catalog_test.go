package importer

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// The import fields and the catalog describe the same columns alike: the
// same value type, and what landquota writes (the column's name, its
// Shapefile name, its Chinese label) is read back.
func TestImportFieldsFollowTheCatalog(t *testing.T) {
	types := map[Kind]catalog.Type{Text: catalog.Text, Code: catalog.Text, Enum: catalog.Text, LandUse: catalog.Text, Adcode: catalog.Text,
		Float: catalog.Number, Int: catalog.Integer, Bool: catalog.Boolean, Date: catalog.Date}
	for _, l := range imports.Layers {
		cat, ok := catalog.Find(string(l))
		if !ok {
			t.Fatalf("layer %s is not in the catalog", l)
		}
		for _, f := range imports.Fields(l) {
			lower := make([]string, len(f.Aliases))
			for i, a := range f.Aliases {
				lower[i] = strings.ToLower(a)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(lower)))) != len(lower) {
				t.Errorf("%s.%s: an alias twice in %q", l, f.Name, f.Aliases)
			}
			c, ok := cat.Column(f.Name)
			if !ok {
				if f.Name != "main_share" { // stored, not shown: the catalog has no column for it
					t.Errorf("%s.%s is not in the catalog", l, f.Name)
				}
				continue
			}
			if types[f.Kind] != c.Type {
				t.Errorf("%s.%s: imported as %s, the catalog's type is %s", l, f.Name, f.Kind, c.Type)
			}
			if lower[0] != f.Name || !slices.Contains(lower, strings.ToLower(c.Shp)) || !slices.Contains(f.Aliases, c.Zh) {
				t.Errorf("%s.%s: aliases %q lack the name, Shapefile name %s or label %s", l, f.Name, f.Aliases, c.Shp, c.Zh)
			}
		}
	}
	// An export's Shapefile and spreadsheet names are read back as the
	// columns they were written from.
	mp, err := (*FieldMap)(nil).Resolve(imports.Parcels, []string{"CODE", "LAND_USE", "状态代码", "CUR_USE", "COMPAT_SH", "价款(万元)"})
	if err != nil {
		t.Fatal(err)
	}
	for field, src := range map[string]string{"code": "CODE", "land_use": "LAND_USE", "status": "状态代码", "current_use": "CUR_USE",
		"compatible_share": "COMPAT_SH", "land_price_wan": "价款(万元)"} {
		if got := mp.Source[imports.FieldIndex(imports.Parcels, field)]; got != src {
			t.Errorf("%s read from %q, want %q", field, got, src)
		}
	}
}

// The --field, --crosswalk and --default flags each add one trimmed
// name=value to their map (a default as a JSON string); an assignment
// without a name is refused, naming its flag.
func TestFieldMapFlags(t *testing.T) {
	var m FieldMap
	for _, err := range []error{m.Set(" land_use = DLBM "), m.SetCrosswalk("0810=1401"), m.SetDefault("status=approved")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if m.Fields["land_use"] != "DLBM" || m.Crosswalk["0810"] != "1401" || string(m.Defaults["status"]) != `"approved"` {
		t.Errorf("%+v", m)
	}
	for flag, set := range map[string]func(string) error{"field": m.Set, "crosswalk": m.SetCrosswalk, "default": m.SetDefault} {
		err := set("=x")
		var pe *planning.Error
		if !errors.As(err, &pe) || pe.Code != planning.ErrInvalid || pe.Details["field"] != flag || !strings.Contains(pe.Message, "--"+flag) {
			t.Errorf("--%s =x: %v", flag, err)
		}
	}
}

package catalog_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
)

func TestColumnsAreWellFormed(t *testing.T) {
	for _, l := range catalog.Layers {
		if _, ok := l.Column(l.ID); !ok {
			t.Errorf("%s: id column %q is not a column", l.Name, l.ID)
		}
		if l.TitleZh == "" || l.TitleEn == "" || l.Geometry == "" || l.MinZoom > l.MaxZoom {
			t.Errorf("%s: incomplete: %+v", l.Name, l)
		}
		names, shp := map[string]bool{}, map[string]bool{}
		for _, c := range l.Columns {
			if names[c.Name] {
				t.Errorf("%s.%s named twice", l.Name, c.Name)
			}
			names[c.Name] = true
			if c.Zh == "" || c.En == "" || c.In == 0 || c.Type == "" {
				t.Errorf("%s.%s: incomplete: %+v", l.Name, c.Name, c)
			}
			// DBF field names are at most 10 bytes and unique whatever the case.
			if c.Has(catalog.Export) != (c.Shp != "") || len(c.Shp) > 10 || shp[strings.ToUpper(c.Shp)] {
				t.Errorf("%s.%s: Shapefile name %q", l.Name, c.Name, c.Shp)
			}
			if c.Shp != "" {
				shp[strings.ToUpper(c.Shp)] = true
			}
			if c.Has(catalog.Tile) && c.Type == catalog.Object {
				t.Errorf("%s.%s: a tile attribute cannot hold an object", l.Name, c.Name)
			}
		}
	}
}

func TestEveryStatusAndZoneHasAColour(t *testing.T) {
	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	if len(catalog.StatusColors) != len(planning.Statuses) {
		t.Errorf("%d status colours for %d statuses", len(catalog.StatusColors), len(planning.Statuses))
	}
	for _, s := range planning.Statuses {
		if !hex.MatchString(catalog.StatusColors[string(s.Code)]) {
			t.Errorf("status %s: colour %q", s.Code, catalog.StatusColors[string(s.Code)])
		}
	}
	for _, k := range []planning.ZoneKind{planning.ZoneFarmland, planning.ZoneRedLine, planning.ZoneDevBoundary} {
		if !hex.MatchString(catalog.ZoneColors[string(k)]) {
			t.Errorf("zone %s: colour %q", k, catalog.ZoneColors[string(k)])
		}
	}
	if len(catalog.ZoneColors) != 3 || !hex.MatchString(catalog.DistrictColor) || !hex.MatchString(catalog.ParkColor) {
		t.Errorf("colours: zones %v, district %q, park %q", catalog.ZoneColors, catalog.DistrictColor, catalog.ParkColor)
	}
}

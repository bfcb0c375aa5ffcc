package pgstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

func TestSearchFeatureJSON(t *testing.T) {
	park, match := "BINXIAO", "1001"
	d, o := 1234.5678, 50.0
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	f := searchFeature{id: 7, geom: []byte(`{"type":"Point","coordinates":[120.1,30.2]}`), code: "A \"quoted\"\\ code\n\x01",
		district: "330109", park: &park, landUse: "100101", landUseZh: "一类工业用地", status: "reserve", statusZh: "储备",
		area: 3600.005, approvedOn: &day, farmland: planning.Overlap{M2: 0.4, WidthM: 0.3}, outside: planning.Overlap{M2: 2, WidthM: 1}, distance: &d, overlap: &o, useMatch: &match}
	b := f.appendJSON(nil, planning.DefaultLineTolerance)
	var got struct {
		ID         int64
		Geometry   map[string]any
		Properties map[string]any
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	p := got.Properties
	why := p["why"].(map[string]any)
	el := why["eligibility"].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", got.ID, int64(7)},
		{"geometry", got.Geometry["type"], "Point"},
		{"code", p["code"], "A \"quoted\"\\ code\n\x01"},
		{"park", p["park"], "BINXIAO"},
		{"land_use_zh", p["land_use_zh"], "一类工业用地"},
		{"area_m2", p["area_m2"], 3600.01},
		{"area_hm2", p["area_hm2"], 0.36},
		{"area_mu", p["area_mu"], 5.4},
		{"approved_on", p["approved_on"], "2024-03-01"},
		{"supplied_on", p["supplied_on"], nil},
		{"project_id", p["project_id"], nil},
		{"available", p["available"], true},
		{"distance_m", why["distance_m"], 1234.57},
		{"overlap_mu", why["overlap_mu"], 0.08},
		{"overlap_share", why["overlap_share"], 0.0139},
		{"land_use_match", why["land_use_match"], "1001"},
		{"eligible", el["eligible"], false}, // 2 m² outside the boundary, tolerance 1 m²
		{"inside_boundary", el["inside_boundary"], false},
		{"farmland_m2", el["farmland_m2"], 0.4},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v (%T), want %v", c.name, c.got, c.got, c.want)
		}
	}
	// Without a point, a polygon, a land-use filter or geometry: those keys
	// are absent, the geometry null; a held parcel is not available.
	pid := int64(3)
	f = searchFeature{id: 8, code: "B", district: "330108", landUse: "0802", status: "approved", projectID: &pid}
	b = f.appendJSON(nil, planning.DefaultLineTolerance)
	var bare map[string]any
	if err := json.Unmarshal(b, &bare); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	props := bare["properties"].(map[string]any)
	w := props["why"].(map[string]any)
	if bare["geometry"] != nil || props["park"] != nil || props["available"] != false || props["project_id"] != 3.0 || len(w) != 1 || w["eligibility"] == nil {
		t.Errorf("bare feature: %s", b)
	}
}

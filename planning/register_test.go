package planning_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// field is the field an invalid-input error names, or "" for any other error.
func field(err error) string {
	var e *planning.Error
	if errors.As(err, &e) && e.Code == planning.ErrInvalid {
		f, _ := e.Details["field"].(string)
		return f
	}
	return ""
}

func TestCheckLocalClass(t *testing.T) {
	ok := planning.LandUseClass{Code: " 100104 ", NameZh: "创新型产业用地", Source: "浙江省", Aliases: []string{" m0 "}}
	c := ok
	c.Aliases = slices.Clone(ok.Aliases)
	if err := c.CheckLocal(); err != nil {
		t.Fatal(err)
	}
	if c.Code != "100104" || c.ParentCode != "1001" || c.Level != 3 || !c.Local || !slices.Equal(c.Aliases, []string{"M0"}) {
		t.Errorf("tidied to %+v", c)
	}
	// Each change alone is refused, naming its field.
	for want, change := range map[string]func(*planning.LandUseClass){
		"code":        func(c *planning.LandUseClass) { c.Code = "10" },
		"parent_code": func(c *planning.LandUseClass) { c.ParentCode = "1002" },
		"name_zh":     func(c *planning.LandUseClass) { c.NameZh = " " },
		"source":      func(c *planning.LandUseClass) { c.Source = "" },
		"aliases":     func(c *planning.LandUseClass) { c.Aliases = []string{"0M"} },
	} {
		c := ok
		c.Aliases = slices.Clone(ok.Aliases)
		change(&c)
		if got := field(c.CheckLocal()); got != want {
			t.Errorf("%+v: refused naming %q, want %q", c, got, want)
		}
	}
}

func TestCheckEnclave(t *testing.T) {
	start, end := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	square := orb.Polygon{{{121.5, 31.2}, {121.501, 31.2}, {121.501, 31.201}, {121.5, 31.2}}}
	ok := planning.Enclave{Code: "SH_ZJ", NameZh: "上海飞地", City: "上海", Location: orb.Point{121.5, 31.2}, FloorAreaM2: 1200, Site: square}
	e := ok
	site, err := e.Check()
	if err != nil || e.Country != "CN" || len(site) != 1 {
		t.Fatalf("%v: country %q, site %v", err, e.Country, site)
	}
	for _, bad := range []struct {
		change func(*planning.Enclave)
		field  string
	}{
		{func(e *planning.Enclave) { e.Code = "sh" }, "code"},
		{func(e *planning.Enclave) { e.City = "" }, "city"},
		{func(e *planning.Enclave) { e.Country = "USA" }, "country"},
		{func(e *planning.Enclave) { e.Location = orb.Point{500000, 3300000} }, "location"},
		{func(e *planning.Enclave) { e.FloorAreaM2 = 0 }, "floor_area_m2"},
		{func(e *planning.Enclave) { e.LeaseStartOn, e.LeaseEndOn = &start, &end }, "lease_end_on"},
		{func(e *planning.Enclave) { e.Site = orb.Point{121.5, 31.2} }, "site"},
		{func(e *planning.Enclave) {
			e.Site = orb.Polygon{{{500000, 3300000}, {500100, 3300000}, {500000, 3300100}}}
		}, "site"},
	} {
		e := ok
		bad.change(&e)
		if _, err := e.Check(); field(err) != bad.field {
			t.Errorf("%+v: %v, want it refused naming %q", e, err, bad.field)
		}
	}
	e = ok
	e.Country, e.Site = " us ", nil
	if site, err := e.Check(); err != nil || site != nil || e.Country != "US" {
		t.Errorf("no site, country us: %v, %v, %q", site, err, e.Country)
	}
}

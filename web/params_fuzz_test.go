package web

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// requestError checks that a parser's error is one a client gets as a 4xx:
// a *planning.Error that is not internal, with a message.
func requestError(t *testing.T, err error) {
	t.Helper()
	var pe *planning.Error
	if !errors.As(err, &pe) || pe.Message == "" || statusOf(pe.Code) >= 500 {
		t.Fatalf("error %T %v would not be a 4xx", err, err)
	}
}

// FuzzParseBBox: a bbox (with or without bbox-crs) is refused with a 4xx or
// becomes a finite lon/lat box whose minimum is not above its maximum.
func FuzzParseBBox(f *testing.F) {
	f.Add("120.1,30.1,120.3,30.3", "")
	f.Add("510000,3330000,530000,3350000", "EPSG:4549")
	f.Add("30.1,120.1,30.3,120.3", "http://www.opengis.net/def/crs/EPSG/0/4490")
	f.Add("1e15,1e15,1e15,1e15", "EPSG:4549")
	f.Add("NaN,0,1,1", "")
	f.Add(",,,", "CRS84")
	f.Fuzz(func(t *testing.T, bbox, crs string) {
		for _, geographic := range []bool{true, false} {
			b, err := parseBBox(bbox, geographic)
			if err != nil {
				requestError(t, err)
				continue
			}
			if !finite(b.Min[0], b.Min[1], b.Max[0], b.Max[1]) || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
				t.Fatalf("parseBBox(%q) = %v", bbox, b)
			}
			if geographic && (b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90) {
				t.Fatalf("parseBBox(%q, geographic) = %v", bbox, b)
			}
		}
		v := url.Values{}
		if bbox != "" {
			v.Set("bbox", bbox)
		}
		if crs != "" {
			v.Set("bbox-crs", crs)
		}
		b, err := layerBBox(v)
		if err != nil {
			requestError(t, err)
			return
		}
		if b == nil {
			return
		}
		if !finite(b.Min[0], b.Min[1], b.Max[0], b.Max[1]) {
			// Metres far outside the Gauss-Krüger zone have no longitude
			// and latitude: the box becomes NaN, which matches nothing (an
			// empty page, not an error). Exports refuse it with a 400.
			if _, err := ParseExportQuery("parcels", v); err == nil {
				t.Fatalf("export accepted bbox %q in %q, which is %v in lon/lat", bbox, crs, *b)
			}
			return
		}
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("layerBBox(%q, %q) = %v", bbox, crs, *b)
		}
	})
}

// FuzzParseParcelFilter: any query string gives a 4xx or a filter whose
// values are all valid (statuses known, land-use codes well-formed, areas
// finite and ordered), and the layer parameters likewise.
func FuzzParseParcelFilter(f *testing.F) {
	f.Add("status=approved,supplied&land_use=10,1001&park=BINFU&district=330108&min_area=100&max_area=50&unit=mu")
	f.Add("eligible=true&updated_since=2026-01-31")
	f.Add("updated_since=2026-01-31T08:00:00%2B08:00&limit=10&precision=3&properties=code,area_mu")
	f.Add("min_area=1e400&unit=ha")
	f.Add("land_use=1%&status=%E5%82%A8%E5%A4%87")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		flt, err := parseParcelFilter(v)
		if err != nil {
			requestError(t, err)
		} else if flt != nil {
			for _, s := range flt.Statuses {
				if !s.Valid() {
					t.Fatalf("status %q", s)
				}
			}
			for _, c := range flt.LandUse {
				if !planning.LandUseCodePattern.MatchString(c) {
					t.Fatalf("land use %q", c)
				}
			}
			for _, a := range []*float64{flt.MinAreaM2, flt.MaxAreaM2} {
				if a != nil && (!finite(*a) || *a < 0) {
					t.Fatalf("area %v", *a)
				}
			}
			if flt.MinAreaM2 != nil && flt.MaxAreaM2 != nil && *flt.MinAreaM2 > *flt.MaxAreaM2 {
				t.Fatalf("min %v > max %v", *flt.MinAreaM2, *flt.MaxAreaM2)
			}
		}
		for _, layer := range []string{"parcels", "parks", "nonsense"} {
			q, err := parseCommon(layer, v, maxLimit)
			if err != nil {
				requestError(t, err)
				continue
			}
			if q.Limit < 1 || q.Limit > maxLimit || q.Precision < 0 || q.Precision > 15 {
				t.Fatalf("query %+v", q)
			}
		}
		if _, err := ParseExportQuery("parcels", v); err != nil {
			requestError(t, err)
		}
	})
}

// Every limit reads through countParam and every precision through
// decimalsParam: absent gives the default, and a refusal names the
// parameter in both languages.
func TestCountAndDecimalsParams(t *testing.T) {
	for _, c := range []struct {
		query   string
		want    int
		refused bool
	}{
		{"", 200, false},
		{"limit=1", 1, false},
		{"limit=5000", 5000, false},
		{"limit=0", 0, true},
		{"limit=5001", 0, true},
		{"limit=-3", 0, true},
		{"limit=1.5", 0, true},
		{"limit=ten", 0, true},
	} {
		v, _ := url.ParseQuery(c.query)
		n, err := countParam(v, "limit", 5000, 200)
		if c.refused {
			var e *planning.Error
			if err == nil || !errors.As(err, &e) || e.Details["parameter"] != "limit" ||
				!strings.Contains(e.In(planning.LangZh), "不是 1 至 5000 之间的整数") {
				t.Errorf("%q: %d %v; want a refusal naming limit, in Chinese too", c.query, n, err)
			}
			continue
		}
		if err != nil || n != c.want {
			t.Errorf("%q: %d %v; want %d", c.query, n, err, c.want)
		}
	}
	for q, want := range map[string]int{"": 6, "precision=0": 0, "precision=15": 15, "precision=16": -1, "precision=x": -1} {
		v, _ := url.ParseQuery(q)
		n, err := decimalsParam(v, 6)
		if (want < 0) != (err != nil) || (want >= 0 && n != want) {
			t.Errorf("%q: %d %v; want %d", q, n, err, want)
		}
	}
}

package web

import (
	"net/url"
	"testing"
)

func TestParseStockQueryKeepsItsPage(t *testing.T) {
	v, _ := url.ParseQuery("limit=50&precision=3&after=1200&kind=idle,unsupplied&asof=2026-06-30&district=330108")
	q, err := parseStockQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	if q.Limit != 50 || q.Precision != 3 || q.After != 1200 || len(q.Kinds) != 2 || q.AsOf.Format("2006-01-02") != "2026-06-30" || q.District != "330108" {
		t.Errorf("%+v", q)
	}
	for _, bad := range []string{"limit=0", "precision=16", "after=-1", "kind=gold", "asof=2026-02-30", "bbox=1,2,3"} {
		v, _ := url.ParseQuery(bad)
		if _, err := parseStockQuery(v); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

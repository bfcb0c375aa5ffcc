package planner

import (
	"encoding/json"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// An Area is one exact amount shown three ways, and gives that amount back.
func TestAreaShowsOneExactAmount(t *testing.T) {
	a := AreaOf(12349.995) // rounds once, half away from zero: 12350.00 m²
	if a.Amount() != 12350*amount.PerM2 || a.Hm2 != 1.24 || a.Mu != 18.53 {
		t.Errorf("AreaOf(12349.995) = %+v, amount %d", a, a.Amount())
	}
	b, _ := json.Marshal(a)
	if string(b) != `{"area_m2":12350,"area_hm2":1.24,"area_mu":18.53}` {
		t.Errorf("JSON %s", b)
	}
	for _, x := range []amount.Area{0, 1, 99, 123456789, -5} {
		if got := AreaFrom(x).Amount(); got != x {
			t.Errorf("AreaFrom(%d).Amount() = %d", x, got)
		}
	}
	// The need of a drawn shape adds exact amounts: 0.1 hm² + 0.2 hm² is 0.3 hm².
	nq := NewQuota{New: AreaFrom(100_000), Unknown: AreaFrom(200_000)}
	if nq.need() != 300_000 {
		t.Errorf("need %d", nq.need())
	}
	if m := (Measured{N: 5, M2: 500}).less(Measured{N: 2, M2: 120.5}); m != (Measured{N: 3, M2: 379.5}) {
		t.Errorf("less: %+v", m)
	}
}

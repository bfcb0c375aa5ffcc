package web

import (
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// amountM2 reads an area given in exactly one of m², hm² or 亩.
func amountM2(m2, hm2, mu *float64) (float64, error) {
	n := 0
	var v float64
	for _, c := range []struct {
		p     *float64
		scale float64
	}{{m2, 1}, {hm2, 10000}, {mu, 10000.0 / 15}} {
		if c.p != nil {
			n++
			v = *c.p * c.scale
		}
	}
	if n != 1 {
		return 0, planning.Errorf(planning.ErrInvalid, "amount: give exactly one of amount_m2, amount_hm2, amount_mu").WithDetail("field", "amount")
	}
	if !(v > 0) {
		return 0, planning.Errorf(planning.ErrInvalid, "amount: must be a positive area, got %s", fmt.Sprint(v)).WithDetail("field", "amount")
	}
	return quota.CheckAmount(v)
}

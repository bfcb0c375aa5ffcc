package web

import (
	"encoding/json"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// amountOf reads the area a request gives in exactly one of amount_m2,
// amount_hm2 or amount_mu; nil when none is given (the caller decides
// whether that is allowed). The fields stay raw JSON so amount.Parse reads
// the number's text exactly (0.1 hm² is 1000 m², not a float just above
// it) and can name the field when it is not a number.
func amountOf(m2, hm2, mu *json.RawMessage) (*amount.Area, error) {
	var given []string
	var a amount.Area
	for _, c := range []struct {
		field string
		v     *json.RawMessage
		unit  amount.Unit
	}{{"amount_m2", m2, amount.M2}, {"amount_hm2", hm2, amount.Hectare}, {"amount_mu", mu, amount.Mu}} {
		if c.v == nil {
			continue
		}
		given = append(given, c.field)
		v, err := amount.Parse(string(*c.v), c.unit)
		if err != nil {
			return nil, planning.Errorf(planning.ErrInvalid, "%s: %v", c.field, err).WithDetail("field", c.field)
		}
		a = v
	}
	switch {
	case len(given) == 0:
		return nil, nil
	case len(given) > 1:
		return nil, planning.Errorf(planning.ErrInvalid, "amount: give exactly one of amount_m2, amount_hm2, amount_mu, not %d", len(given)).WithDetail("field", "amount")
	}
	return &a, quota.CheckAmount(a)
}

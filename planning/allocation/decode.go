package allocation

import (
	"bytes"
	"math"

	"github.com/hangzhou-hitech/landquota/planning"
)

// DecodePolicy reads a policy from JSON (planning.DecodeJSON: unknown
// fields, wrong types and trailing data are refused, and every error is a
// *planning.Error with code invalid whose message and "field" detail name
// the JSON path, such as factors[2].wieght) and validates it.
func DecodePolicy(data []byte) (Policy, error) {
	// Fields a stored policy predates take their defaults: no earmark,
	// the default earmark categories, withholding below the floor.
	p := Policy{StockLinkage: StockLinkage{WithholdBelowFloor: true}}
	if err := planning.DecodeJSON(bytes.NewReader(data), 0, planning.Textf("the policy"), &p); err != nil {
		return Policy{}, err
	}
	if p.ParkEarmark.Categories == nil {
		p.ParkEarmark.Categories = DefaultEarmarkCategories()
	}
	p.Factors = inferRoles(p.Factors)
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// inferRoles gives every factor without a role the role of its kind
// (areas share, ratios coefficient). A policy in which no factor names a
// role was stored before roles existed, when every factor was a share and
// all the weights summed to 1. If they do, the share weights are rescaled
// to sum to 1 in their proportions, the ratios' weights become their
// exponents, and a policy with no area weight at all splits by
// project_need. (A valid new policy never sums to 1 with a ratio weight
// above 0, so for it the rescaling changes nothing.)
func inferRoles(fs []Factor) []Factor {
	legacy := len(fs) > 0
	for _, f := range fs {
		if f.Role != "" {
			legacy = false
		}
	}
	out := make([]Factor, len(fs))
	all := 0.0
	for i, f := range fs {
		all += f.Weight
		if f.Role == "" {
			f.Role = inferRole(f.Name)
		}
		out[i] = f
	}
	if !legacy || !finite(all) || math.Abs(all-1) > 1e-9 {
		return out // Validate judges it as it stands
	}
	return rescaleLegacy(out)
}

// rescaleLegacy makes the share weights of a legacy policy (roles just
// inferred) sum to 1 in their proportions, or splits by project_need when
// no area has a weight.
func rescaleLegacy(out []Factor) []Factor {
	weighted := func(f Factor) bool { return f.Role == RoleShare && finite(f.Weight) && f.Weight > 0 }
	sum := 0.0
	for _, f := range out {
		if weighted(f) {
			sum += f.Weight
		}
	}
	if sum == 0 {
		for i := range out {
			if out[i].Name == FactorProjectNeed {
				out[i].Weight = 1
				return out
			}
		}
		return append(out, Factor{Name: FactorProjectNeed, Role: RoleShare, Weight: 1})
	}
	for i := range out {
		if weighted(out[i]) {
			out[i].Weight /= sum
		}
	}
	return out
}

package allocation

import (
	"math"
	"sort"
)

// factorValue is district d's value of factor f.
func factorValue(f FactorName, a *acct) float64 {
	facts := &a.a.Facts
	switch f {
	case FactorSupplyRate5y:
		return facts.SupplyRate5y
	case FactorUnsuppliedDisposed:
		return float64(facts.UnsuppliedDisposed)
	case FactorIdleDisposed:
		return float64(facts.IdleDisposed)
	case FactorTaxPerMu:
		return facts.TaxPerMu
	case FactorValueAddedPerMu:
		return facts.ValueAddedPerMu
	case FactorProjectNeed:
		return float64(a.eligNeed)
	}
	return 0
}

// ratioKnown reports whether x is a known value of ratio factor f: a
// supply rate of 0 is a real (and bad) rate, a 亩均 figure of 0 means the
// district evaluation table has none.
func ratioKnown(f FactorName, x float64) bool { return f == FactorSupplyRate5y || x > 0 }

// splitTerms are the terms of the district split, kept for the notes.
type splitTerms struct {
	shares []float64   // share_i, summing to 1
	base   []float64   // base_i = Σ_share w_k · x_ik / Σ_j x_jk
	coef   []float64   // coef_i, the product of the multipliers
	parts  [][]float64 // parts[i][k]: the part x_ik / Σ_j x_jk of a share factor, the multiplier of the others
	means  []float64   // means[k]: mean of a coefficient factor over the districts with a known value
	norm   float64     // Σ_j base_j · coef_j
}

// factorShares computes the districts' (in ID order) shares:
//
//	base_i  = Σ_{k share} w_k · x_ik / Σ_j x_jk   (a factor on which every district is 0 is split equally)
//	coef_i  = Π_{k coefficient} clamp(x_ik / mean_j x_jk, 0.5, 1.5)^w_k · Π_{k threshold, x_ik < t_k} 0.5^w_k
//	share_i = base_i · coef_i / Σ_j base_j · coef_j
//
// An unknown ratio, or a mean of 0, gives the multiplier 1; coef_i > 0
// always, so a district with a base share keeps a share.
func factorShares(factors []Factor, ds []*acct) splitTerms {
	n := len(ds)
	t := splitTerms{shares: make([]float64, n), base: make([]float64, n), coef: make([]float64, n),
		parts: make([][]float64, n), means: make([]float64, len(factors))}
	for i := range ds {
		t.parts[i] = make([]float64, len(factors))
		t.coef[i] = 1
	}
	for k, f := range factors {
		switch f.role() {
		case RoleShare:
			t.shareFactor(k, f, ds)
		case RoleCoefficient:
			t.coefficientFactor(k, f, ds)
		case RoleThreshold:
			t.thresholdFactor(k, f, ds)
		}
	}
	for i := range ds {
		t.norm += t.base[i] * t.coef[i]
	}
	for i := range ds {
		if t.norm > 0 {
			t.shares[i] = t.base[i] * t.coef[i] / t.norm
		}
	}
	return t
}

// shareFactor adds share factor k to the base shares: each district's
// part of the total, or an equal part when every district is at 0.
func (t *splitTerms) shareFactor(k int, f Factor, ds []*acct) {
	total := 0.0
	for _, d := range ds {
		total += factorValue(f.Name, d)
	}
	for i, d := range ds {
		part := 1 / float64(len(ds))
		if total > 0 {
			part = factorValue(f.Name, d) / total
		}
		t.parts[i][k] = part
		t.base[i] += f.Weight * part
	}
}

// coefficientFactor multiplies each district's coefficient by its ratio to
// the mean of the known values, clamped, to the power of the weight (1
// when its value is unknown or the mean is 0).
func (t *splitTerms) coefficientFactor(k int, f Factor, ds []*acct) {
	sum, known := 0.0, 0
	for _, d := range ds {
		if x := factorValue(f.Name, d); ratioKnown(f.Name, x) {
			sum += x
			known++
		}
	}
	if known > 0 {
		t.means[k] = sum / float64(known)
	}
	for i, d := range ds {
		m := 1.0
		if x := factorValue(f.Name, d); ratioKnown(f.Name, x) && t.means[k] > 0 {
			m = math.Pow(min(max(x/t.means[k], coefMin), coefMax), f.Weight)
		}
		t.parts[i][k] = m
		t.coef[i] *= m
	}
}

// thresholdFactor multiplies the coefficient of each district below the
// threshold by 0.5^weight.
func (t *splitTerms) thresholdFactor(k int, f Factor, ds []*acct) {
	for i, d := range ds {
		m := 1.0
		if x := factorValue(f.Name, d); ratioKnown(f.Name, x) && x < *f.Threshold {
			m = math.Pow(coefMin, f.Weight)
		}
		t.parts[i][k] = m
		t.coef[i] *= m
	}
}

// apportion splits dist between districts in proportion to their shares,
// each within [lo, hi] (hi may be noCap): it finds λ with
// Σ clamp(λ·share_i, lo_i, hi_i) = dist (water filling), then rounds to
// whole units by largest remainder (ties to the earlier ID) without leaving
// the bounds. The caller has checked Σ lo <= dist. What the caps keep out
// of the split is returned as excess.
func apportion(dist Area, shares []float64, lo, hi []Area) (pools []Area, excess Area) {
	if len(shares) == 0 {
		return []Area{}, dist
	}
	return roundToUnits(dist, waterFill(float64(dist), shares, lo, hi), shares, lo, hi)
}

// waterFill is the real-valued split: clamp(λ·share_i, lo_i, hi_i) with λ
// such that they sum to D, or every district with a share at its cap when
// the caps cannot take D.
func waterFill(D float64, shares []float64, lo, hi []Area) []float64 {
	ideal := make([]float64, len(shares))
	// The most the split can place: districts with a share reach their
	// caps, districts without stay at their floors.
	limit, unbounded := 0.0, false
	for i := range shares {
		switch {
		case shares[i] <= 0:
			limit += float64(lo[i])
		case hi[i] == noCap:
			unbounded = true
		default:
			limit += float64(hi[i])
		}
	}
	if !unbounded && limit <= D {
		for i := range shares {
			if shares[i] > 0 {
				ideal[i] = float64(hi[i])
			} else {
				ideal[i] = float64(lo[i])
			}
		}
		return ideal
	}
	lam := fillLevel(D, shares, lo, hi)
	for i := range shares {
		ideal[i] = clampShare(lam, shares[i], lo[i], hi[i])
	}
	return ideal
}

// clampShare is lam·share within [lo, hi] (hi may be noCap).
func clampShare(lam, share float64, lo, hi Area) float64 {
	v := max(lam*share, float64(lo))
	if hi != noCap {
		v = min(v, float64(hi))
	}
	return v
}

// fillLevel finds λ with Σ clampShare(λ, …) = D: the sum is piecewise
// linear in λ, so it finds the piece between two breakpoints (where a
// district leaves its floor or reaches its cap) and solves it there.
func fillLevel(D float64, shares []float64, lo, hi []Area) float64 {
	f := func(lam float64) float64 {
		s := 0.0
		for i := range shares {
			s += clampShare(lam, shares[i], lo[i], hi[i])
		}
		return s
	}
	bps := []float64{0}
	for i := range shares {
		if shares[i] > 0 {
			bps = append(bps, float64(lo[i])/shares[i])
			if hi[i] != noCap {
				bps = append(bps, float64(hi[i])/shares[i])
			}
		}
	}
	sort.Float64s(bps)
	a, b := 0.0, math.Inf(1)
	for _, bp := range bps {
		if f(bp) >= D {
			b = bp
			break
		}
		a = bp
	}
	// On (a, b) the free districts are those strictly inside their
	// bounds at the midpoint; f(λ) = C + λ·S there.
	mid := a + 1
	if !math.IsInf(b, 1) {
		mid = (a + b) / 2
	}
	C, S := 0.0, 0.0
	for i := range shares {
		v := mid * shares[i]
		if shares[i] > 0 && v > float64(lo[i]) && (hi[i] == noCap || v < float64(hi[i])) {
			S += shares[i]
		} else {
			C += clampShare(mid, shares[i], lo[i], hi[i])
		}
	}
	if S > 0 {
		return (D - C) / S
	}
	return a
}

// roundToUnits rounds the ideal split to whole units: the floors of the
// ideal values within the bounds, then the remainder one unit at a time by
// largest fractional part (ties to the earlier ID). What the bounds keep
// out is returned as excess.
func roundToUnits(dist Area, ideal, shares []float64, lo, hi []Area) (pools []Area, excess Area) {
	n := len(shares)
	pools = make([]Area, n)
	var sum Area
	frac := make([]float64, n)
	for i := range ideal {
		v := Area(math.Floor(ideal[i]))
		v = max(v, lo[i])
		if hi[i] != noCap {
			v = min(v, hi[i])
		}
		pools[i] = v
		frac[i] = ideal[i] - math.Floor(ideal[i])
		sum += v
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return frac[order[x]] > frac[order[y]] })
	rem := dist - sum
	for rem > 0 && addUnits(pools, &rem, order, shares, hi) {
	}
	for rem < 0 && takeUnits(pools, &rem, order, lo) {
	}
	return pools, rem
}

// addUnits gives one more unit to each district with a share and room
// below its cap, in order, while *rem lasts; false when none could take one.
func addUnits(pools []Area, rem *Area, order []int, shares []float64, hi []Area) bool {
	moved := false
	for _, i := range order {
		if *rem == 0 {
			break
		}
		if shares[i] > 0 && (hi[i] == noCap || pools[i] < hi[i]) {
			pools[i]++
			*rem--
			moved = true
		}
	}
	return moved
}

// takeUnits takes one unit back from each district above its floor, in
// reverse order, while *rem is negative; false when none could give one.
func takeUnits(pools []Area, rem *Area, order []int, lo []Area) bool {
	moved := false
	for j := len(order) - 1; j >= 0 && *rem < 0; j-- {
		if i := order[j]; pools[i] > lo[i] {
			pools[i]--
			*rem++
			moved = true
		}
	}
	return moved
}

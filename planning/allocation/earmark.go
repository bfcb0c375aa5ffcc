package allocation

import (
	"math"
	"math/bits"
	"slices"
)

// earmarkPass is the second pass, after every district pool is solved:
// the park earmark (合作园增加用地指标) E = min(reserve, round(Available ×
// share)) is taken from the city reserve and split between the outermost
// parks receiving the tilt in proportion to the need their grantable
// projects of the earmark categories still have after pass 1 (splitShares).
// Each park then grants its share to those projects by the priority rule
// in score order, within the cap room its parks have left. Pass 1
// does not depend on the earmark, so the district pools and every grant
// outside the tilt parks stay as they are.
func (e *engine) earmarkPass() {
	e.parkEarmark = min(e.reserve, Area(math.Round(float64(e.in.Available)*e.c.earmarkShare)))
	if e.parkEarmark == 0 {
		return
	}
	cands := make([][]int, len(e.accts))
	for i := range e.projs {
		pj := &e.projs[i]
		if !pj.inExempt && pj.st == stGrantable {
			for u := pj.acct; u >= 0; u = e.accts[u].parent {
				e.accts[u].capUsed += pj.granted
			}
		}
		r := e.accts[pj.acct].tiltRoot
		if r < 0 || pj.st != stGrantable || !e.c.earmarkCat[pj.p.Category.index()] || pj.granted >= pj.p.Need {
			continue
		}
		cands[r] = append(cands[r], i)
		e.accts[r].earNeed += pj.p.Need - pj.granted
	}
	var parks []int // in ID order, as the accounts are
	var needs []Area
	for r := range e.accts {
		if len(cands[r]) > 0 {
			parks = append(parks, r)
			needs = append(needs, e.accts[r].earNeed)
		}
	}
	for k, s := range splitShares(e.parkEarmark, needs) {
		e.accts[parks[k]].earShare = s
		e.fillEarmark(parks[k], cands[parks[k]])
	}
}

// fillEarmark grants recipient park r's share to its candidate projects
// (in ID order) by score, then project id: the rest of the need if it
// fits, else what is left if that is at least the minimum grant (any
// amount for a project pass 1 granted in part). The caps of every park
// above a non-exempt project bind it, as in pass 1; district caps limit
// the split, not this city quota.
func (e *engine) fillEarmark(r int, cands []int) {
	slices.SortStableFunc(cands, func(x, y int) int { return int(sign(e.projs[y].q - e.projs[x].q)) })
	rem := e.accts[r].earShare
	for _, i := range cands {
		pj := &e.projs[i]
		out := pj.p.Need - pj.granted
		avail, bind := rem, -1
		if !pj.inExempt {
			for u := pj.acct; e.accts[u].parent >= 0; u = e.accts[u].parent {
				if a := &e.accts[u]; a.hasCap && a.room-a.capUsed < avail {
					avail, bind = max(0, a.room-a.capUsed), u
				}
			}
		}
		pj.earCand, pj.earAvail, pj.earBind = true, avail, bind
		g := Area(0)
		switch {
		case avail >= out:
			g = out
		case avail > 0 && (pj.granted > 0 || avail >= pj.base):
			g = avail
		}
		if g == 0 {
			continue
		}
		rem -= g
		pj.earmark = g
		pj.granted += g
		e.earmarkUsed += g
		e.objective += pj.q * int64(g)
		for u := pj.acct; u >= 0; u = e.accts[u].parent {
			e.accts[u].earmark += g
			if !pj.inExempt {
				e.accts[u].capUsed += g
			}
		}
	}
}

func sign(x int64) int64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// splitShares splits the earmark E between parks in proportion to their
// needs, never more than a need, in whole units. When the needs add up to
// E or less each park gets its need. Otherwise the D'Hondt (Jefferson)
// method: every park first gets ⌊E·need/Σneed⌋, then the few units left go
// one by one to the park with the smallest (units + 1) / need, ties to
// the earlier account id. Largest remainder would be the obvious rounding,
// but it is not monotone in E (the Alabama paradox: a larger E can give a
// park one unit less, and one unit less can cost an all-or-nothing
// project); D'Hondt hands out units in one fixed order, so a larger E
// never gives any park less. Products are exact in 128 bits.
func splitShares(E Area, needs []Area) []Area {
	shares := make([]Area, len(needs))
	var total Area
	for _, n := range needs {
		total += n
	}
	if total <= E {
		copy(shares, needs)
		return shares
	}
	left := E
	for i, n := range needs {
		hi, lo := bits.Mul64(uint64(E), uint64(n))
		q, _ := bits.Div64(hi, lo, uint64(total)) // hi < total since E < total
		shares[i] = Area(q)
		left -= shares[i]
	}
	for ; left > 0; left-- {
		best := -1
		for i, n := range needs {
			if n == 0 {
				continue
			}
			// (s_i+1)/n_i < (s_b+1)/n_b  ⇔  (s_i+1)·n_b < (s_b+1)·n_i
			if best < 0 || less128(uint64(shares[i]+1), uint64(needs[best]), uint64(shares[best]+1), uint64(n)) {
				best = i
			}
		}
		shares[best]++
	}
	return shares
}

// less128 reports a·b < c·d exactly.
func less128(a, b, c, d uint64) bool {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	return h1 < h2 || h1 == h2 && l1 < l2
}

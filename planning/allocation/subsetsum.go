package allocation

import "math/bits"

// Limits of the subset-sum DP, counted in units of the needs' greatest
// common divisor (0.01 m² at worst, 1 m² for needs in whole square
// metres): a capacity of at most 2^28 units (a 32 MiB bitset: 2 684 hm² at
// 0.01 m², far more in whole m²) and at most 2^30 item × 64-unit word
// steps (about a second). Larger districts go to the branch and bound.
const (
	dpMaxCapacity = 1 << 28
	dpMaxWork     = 1 << 30
)

// subsetSum solves exactly a district whose competing projects are all
// all-or-nothing, of one score and at one node of the tree: every set
// whose needs fit in what that node can draw is feasible, and the value is
// the score times the area granted, so the best set is the one with the
// largest total need within the capacity (subset sum), which no bound of
// the branch and bound prunes. A bitset of the reachable sums up to the
// capacity gives the largest; the set is rebuilt by divide and conquer
// (which sum each half contributes, then each half alone), so memory stays
// a few bitsets of the capacity instead of one per project, and the time
// about three passes of n shifts over the bitset. ok is false when the
// district does not have that shape or is beyond the limits.
func subsetSum(t *tree, items []titem) (solution, bool) {
	if len(items) < 2 || items[0].q <= 0 {
		return solution{}, false
	}
	q, node := items[0].q, items[0].node
	var total, g int64
	for i := range items {
		it := &items[i]
		if it.q != q || it.node != node || it.base != it.need {
			return solution{}, false
		}
		total += int64(it.need)
		g = gcd(g, int64(it.need))
	}
	capacity, _ := t.newState().avail(node)
	if total <= int64(capacity) {
		return solution{}, false // everything fits: the search takes it at its root
	}
	c := int64(capacity) / g
	if c > dpMaxCapacity || int64(len(items))*(c/64+1) > dpMaxWork {
		return solution{}, false
	}
	w := make([]int64, len(items))
	idx := make([]int, len(items))
	for i := range items {
		w[i], idx[i] = int64(items[i].need)/g, i
	}
	best := highestBit(reachable(w, idx, c))
	chosen := make([]bool, len(items))
	pick(w, idx, best, chosen)
	grants := make([]Area, len(items))
	var value int64
	for i, in := range chosen {
		if in {
			grants[i] = items[i].need
			value += q * int64(items[i].need)
		}
	}
	return solution{grants: grants, value: value, bound: value}, true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// reachable is the bitset of the sums up to c of subsets of the weights
// w[idx[k]]: bit s is set when some subset adds up to s.
func reachable(w []int64, idx []int, c int64) []uint64 {
	bs := make([]uint64, c/64+1)
	bs[0] = 1
	var top int64 // largest sum reachable so far, at most c
	for _, i := range idx {
		x := w[i]
		if x > c {
			continue
		}
		top = min(c, top+x)
		shiftOr(bs, x, top)
	}
	if r := uint(c%64 + 1); r < 64 {
		bs[len(bs)-1] &= 1<<r - 1 // sums above c
	}
	return bs
}

// shiftOr sets bs |= bs << x on the words holding bits 0..hi. Words are
// written from the top down, so every word read is still the old one.
func shiftOr(bs []uint64, x, hi int64) {
	ws, b := int(x/64), uint(x%64)
	for i := int(hi / 64); i >= ws; i-- {
		v := bs[i-ws] << b
		if b > 0 && i-ws-1 >= 0 {
			v |= bs[i-ws-1] >> (64 - b)
		}
		bs[i] |= v
	}
}

func highestBit(bs []uint64) int64 {
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i] != 0 {
			return int64(i)*64 + int64(63-bits.LeadingZeros64(bs[i]))
		}
	}
	return 0
}

// pick marks a subset of the items idx whose weights add up to exactly t
// (t is reachable): the sum a the first half contributes is the largest
// with a reachable there and t − a reachable in the second half.
func pick(w []int64, idx []int, t int64, chosen []bool) {
	switch {
	case t == 0:
		return
	case len(idx) == 1:
		chosen[idx[0]] = true // w[idx[0]] == t
		return
	}
	mid := len(idx) / 2
	left := reachable(w, idx[:mid], t)
	right := reachable(w, idx[mid:], t)
	a := meet(left, right, t)
	pick(w, idx[:mid], a, chosen)
	pick(w, idx[mid:], t-a, chosen)
}

// meet is the largest a <= t with bit a of left and bit t − a of right set,
// word by word: word k of the reversed right holds bits t−64k … t−64k−63.
func meet(left, right []uint64, t int64) int64 {
	for k := t / 64; k >= 0; k-- {
		rev := bits.Reverse64(get64(right, t-64*k-63))
		if v := left[k] & rev; v != 0 {
			return 64*k + int64(63-bits.LeadingZeros64(v))
		}
	}
	return 0 // unreachable: t is reachable, so some split exists
}

// get64 returns bits p … p+63 of bs (bit j of the word is bit p+j), zero
// outside the bitset.
func get64(bs []uint64, p int64) uint64 {
	if p < 0 {
		if p <= -64 {
			return 0
		}
		return bs[0] << uint(-p)
	}
	i, b := int(p/64), uint(p%64)
	var v uint64
	if i < len(bs) {
		v = bs[i] >> b
	}
	if b > 0 && i+1 < len(bs) {
		v |= bs[i+1] << (64 - b)
	}
	return v
}

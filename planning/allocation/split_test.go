package allocation

import (
	"math"
	"math/rand/v2"
	"testing"
)

// apportion: every unit accounted for, bounds kept, and districts strictly
// inside their bounds get amounts proportional to their shares (within one
// unit of rounding).
func TestApportionProperties(t *testing.T) {
	for seed := uint64(1); seed <= 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		n := 1 + rng.IntN(8)
		shares := make([]float64, n)
		lo := make([]Area, n)
		hi := make([]Area, n)
		sum := 0.0
		for i := range shares {
			if rng.IntN(6) > 0 {
				shares[i] = rng.Float64()
			}
			sum += shares[i]
		}
		if sum == 0 {
			shares[0], sum = 1, 1
		}
		dist := Area(rng.Int64N(1_000_000_000))
		var sumLo Area
		for i := range shares {
			shares[i] /= sum
			hi[i] = noCap
			if rng.IntN(3) == 0 {
				lo[i] = Area(rng.Int64N(int64(dist)/int64(n) + 1))
			}
			if rng.IntN(3) == 0 {
				hi[i] = lo[i] + Area(rng.Int64N(int64(dist)/int64(n)+1))
			}
			sumLo += lo[i]
		}
		if sumLo > dist {
			continue
		}
		pools, excess := apportion(dist, shares, lo, hi)
		var total Area
		for i, p := range pools {
			if p < lo[i] || (hi[i] != noCap && p > hi[i]) {
				t.Fatalf("seed %d: pool %d outside [%d, %d]", seed, p, lo[i], hi[i])
			}
			total += p
		}
		if total+excess != dist || excess < 0 {
			t.Fatalf("seed %d: %d + %d != %d", seed, total, excess, dist)
		}
		// Free districts share one λ (estimated from the largest share).
		free := func(i int) bool {
			return shares[i] > 0 && pools[i] > lo[i]+1 && (hi[i] == noCap || pools[i] < hi[i]-1)
		}
		ref := -1
		for i := range pools {
			if free(i) && (ref < 0 || shares[i] > shares[ref]) {
				ref = i
			}
		}
		for i, p := range pools {
			if ref < 0 || !free(i) {
				continue
			}
			want := float64(pools[ref]) / shares[ref] * shares[i]
			if math.Abs(float64(p)-want) > 2 {
				t.Fatalf("seed %d: district %d gets %d, λ·share = %.1f", seed, i, p, want)
			}
		}
		// Excess only when every district with a share is at its cap.
		if excess > 0 {
			for i := range pools {
				if shares[i] > 0 && (hi[i] == noCap || pools[i] < hi[i]) {
					t.Fatalf("seed %d: excess %d while district %d has room", seed, excess, i)
				}
			}
		}
	}
}

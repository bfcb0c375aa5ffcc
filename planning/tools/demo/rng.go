package demo

import "math/rand/v2"

// Determinism: every random decision comes from a PCG stream whose seed is
// derived from Options.Seed and the identity of the thing being decided (an
// area, a block, a zone...), never from iteration order, so any part of the
// world can be regenerated on its own and streaming needs no state.

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// mix hashes a sequence of words into one seed.
func mix(vals ...uint64) uint64 {
	h := uint64(0x6A09E667F3BCC909)
	for _, v := range vals {
		h = splitmix(h ^ v)
	}
	return h
}

// strHash is FNV-1a, for turning codes into seed words.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Stream tags keep the derived seeds of different purposes apart.
const (
	tagGrid uint64 = iota + 1
	tagArea
	tagPark
	tagStreets
	tagBlock
	tagZones
)

// rng is a reseedable PCG-backed generator.
type rng struct {
	src *rand.PCG
	*rand.Rand
}

func newRNG(seed uint64) *rng {
	src := rand.NewPCG(seed, splitmix(seed^0xA5A5A5A5A5A5A5A5))
	return &rng{src: src, Rand: rand.New(src)}
}

func (r *rng) reseed(seed uint64) { r.src.Seed(seed, splitmix(seed^0xA5A5A5A5A5A5A5A5)) }

// uniform returns a value in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// chance returns true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

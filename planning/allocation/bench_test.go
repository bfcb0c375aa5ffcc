package allocation

import (
	"math/rand/v2"
	"testing"
)

// bench10k is 10,000 projects over 50 accounts (25 districts, each with one
// park earmark, two in three of them cooperation parks), default policy
// plus floors and caps, demand twice the available quota.
func bench10k() (Input, Policy) {
	return genInstance(20250101, genOptions{districts: 25, parks: 1, exactParks: true, projects: 10_000, limits: true, supplyRatio: 0.5})
}

func benchRun(b *testing.B, m Method) {
	in, p := bench10k()
	if len(in.Accounts) != 50 || len(in.Projects) != 10_000 {
		b.Fatalf("%d accounts, %d projects", len(in.Accounts), len(in.Projects))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(in, p, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPriority10k(b *testing.B) { benchRun(b, MethodPriority) }

func BenchmarkOptimal10k(b *testing.B) { benchRun(b, MethodOptimal) }

// BenchmarkOptimal10kAllOrNothing is the harder case for the exact search:
// every category all-or-nothing, so no partial grant fills the slack.
func BenchmarkOptimal10kAllOrNothing(b *testing.B) {
	in, p := bench10k()
	for i := range p.Grants {
		p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(in, p, MethodOptimal); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubsetSumDistrict: 60 all-or-nothing projects of equal score in
// one district, needs 1-5 hm² in 0.01 m² units, the pool about 60% of the
// total need: subset sum, solved exactly by the DP.
func BenchmarkSubsetSumDistrict(b *testing.B) {
	rng := rand.New(rand.NewPCG(60, 1))
	needs := make([]Area, 60)
	for i := range needs {
		needs[i] = Area(1_000_000 + rng.IntN(4_000_001))
	}
	in, p := equalScoreDistrict(needs, 0.6)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(in, p, MethodOptimal)
		if err != nil || !r.Exact {
			b.Fatalf("exact %v, %v", r.Exact, err)
		}
	}
}

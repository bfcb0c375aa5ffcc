package demo

import "testing"

// benchGenerate measures Generate plus ranging over every parcel.
func benchGenerate(b *testing.B, n int) {
	b.ReportAllocs()
	for b.Loop() {
		ds := generate(b, Options{Parcels: n, Seed: 1})
		count := 0
		for range ds.Parcels {
			count++
		}
		if count != n {
			b.Fatalf("%d parcels", count)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/parcel")
}

func BenchmarkGenerate100k(b *testing.B) { benchGenerate(b, 100_000) }
func BenchmarkGenerate1M(b *testing.B)   { benchGenerate(b, 1_000_000) }

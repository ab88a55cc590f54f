package report

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkConnectivity measures the connectivity section (fits, block-mean
// heatmaps with insets, 200k-point scatter) at paper sizes.
func BenchmarkConnectivity(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			w := cauchyW(rng, n)
			learned := make([]float32, len(w))
			for i := range w {
				learned[i] = w[i] + float32(0.001*rng.NormFloat64())
			}
			b.ResetTimer()
			for range b.N {
				r := New(b.TempDir(), Meta{})
				if err := r.AddConnectivity(Connectivity{N: n, True: w, Learned: learned}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFullReport measures every section and Close on the test data.
func BenchmarkFullReport(b *testing.B) {
	s := newSynthetic(120, 900)
	b.ResetTimer()
	for range b.N {
		r := New(b.TempDir(), Meta{Script: "bench.ngs"})
		if err := addAll(r, s); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

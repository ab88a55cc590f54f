package nn

import (
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// forTiers runs f once for every kernel tier this CPU runs (generic first),
// with that tier's kernels in place.
func forTiers(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := kern
	defer func() { kern = saved }()
	for _, tier := range cpu.Supported() {
		kern = kernelsFor(tier)
		if kern.tier != tier {
			t.Fatalf("kernelsFor(%v) returned the %v kernels", tier, kern.tier)
		}
		t.Run(tier.String(), f)
	}
}

// useTier returns the kernels of tier t and a function restoring the
// current ones.
func useTier(t cpu.Tier) func() {
	saved := kern
	kern = kernelsFor(t)
	return func() { kern = saved }
}

// TestKernelGemm64Trans checks C (+)= Aᵀ·B with A read in place (the
// kernel's astep path) against float64 sums, for row counts around the
// 4-row block and strides longer than the rows.
func TestKernelGemm64Trans(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		if !hasGemm64() {
			t.Log("generic tier: gonum's Sgemm is used instead of the 64-column kernel")
			return
		}
		rng := rand.New(rand.NewSource(4))
		for _, sz := range [][3]int{{1, 1, 0}, {5, 3, 2}, {7, 11, 1}, {64, 9, 0}, {13, 130, 5}} {
			m, k, pad := sz[0], sz[1], sz[2]
			lda := m + pad
			a := randSlice(k*lda, 1, rng)[:(k-1)*lda+m]
			b := randSlice(k*64, 1, rng)
			for _, acc := range []bool{false, true} {
				c := randSlice(m*64, 1, rng)
				want := make([]float64, m*64)
				for r := 0; r < m; r++ {
					for col := 0; col < 64; col++ {
						if acc {
							want[r*64+col] = float64(c[r*64+col])
						}
						for kk := 0; kk < k; kk++ {
							want[r*64+col] += float64(a[kk*lda+r]) * float64(b[kk*64+col])
						}
					}
				}
				gemm64TransKernel(a, lda, b, c, m, k, acc)
				for i, w := range want {
					if d := float64(c[i]) - w; d > 1e-4*float64(k+1) || d < -1e-4*float64(k+1) {
						t.Fatalf("m=%d k=%d acc=%v: c[%d] = %g, expected %g", m, k, acc, i, c[i], w)
					}
				}
			}
		}
	})
}

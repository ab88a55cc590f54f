package nn

import (
	"math"
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

// useGoKernels installs the kernels of a purego build (none: gonum's Sgemm
// and Go loops, the reference paths) and returns a function restoring the
// current ones. On amd64 the generic tier has SSE2 kernels, so it is no
// longer that reference.
func useGoKernels() func() {
	saved := kern
	kern = kernelSet{tier: cpu.Generic}
	return func() { kern = saved }
}

// TestKernelGemm64Direct calls each tier's 64-column kernel itself on every
// row count 1–14 (each leftover of the 6-, 4-, 3-, 2- and 1-row blocks), k
// in 0, 1, 2, 7, 64, 65 and 200 (gemm64SSEBlocked's blocks of 64 and a
// remainder), A row-major and transposed (astep), B's row stride
// 64 or longer, with and without accumulation. The gaps between rows of A
// and B hold NaN, so that a read of a wrong element shows as NaN; C has a
// guard row past its end that must not be written.
func TestKernelGemm64Direct(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		if !hasGemm64() { // a purego build or another architecture
			if kern.tier != cpu.Generic {
				t.Fatalf("tier %v has no 64-column kernel", kern.tier)
			}
			return
		}
		rng := rand.New(rand.NewSource(31))
		nan := float32(math.NaN())
		for m := 1; m <= 14; m++ {
			for _, k := range []int{0, 1, 2, 7, 64, 65, 200} {
				for _, trans := range []bool{false, true} {
					for _, ldb := range []int{64, 67, 128} {
						for _, acc := range []bool{false, true} {
							// A(r, kk) = a[r·lda + kk·astep]: rows of length k with
							// stride k+3, or (transposed) rows of length m with
							// stride m+2; the gaps are NaN.
							lda, astep, alen := max(k, 1)+3, 1, m*(max(k, 1)+3)
							if trans {
								lda, astep, alen = 1, m+2, max(k, 1)*(m+2)
							}
							a := make([]float32, alen)
							for i := range a {
								a[i] = nan
							}
							for r := 0; r < m; r++ {
								for kk := 0; kk < k; kk++ {
									a[r*lda+kk*astep] = float32(rng.NormFloat64())
								}
							}
							b := make([]float32, max(k, 1)*ldb)
							for i := range b {
								b[i] = nan
							}
							for kk := 0; kk < k; kk++ {
								for j := 0; j < 64; j++ {
									b[kk*ldb+j] = float32(rng.NormFloat64())
								}
							}
							c := randSlice((m+1)*64, 1, rng)
							guard := append([]float32(nil), c[m*64:]...)
							want, tol := make([]float64, m*64), make([]float64, m*64)
							for r := 0; r < m; r++ {
								for j := 0; j < 64; j++ {
									if acc {
										want[r*64+j] = float64(c[r*64+j])
										tol[r*64+j] = math.Abs(want[r*64+j])
									}
									for kk := 0; kk < k; kk++ {
										p := float64(a[r*lda+kk*astep]) * float64(b[kk*ldb+j])
										want[r*64+j] += p
										tol[r*64+j] += math.Abs(p)
									}
								}
							}
							kern.gemm64(&a[0], lda, astep, &b[0], &c[0], m, k, acc, ldb)
							for i, w := range want {
								if d := math.Abs(float64(c[i]) - w); !(d <= 1e-6*tol[i]*float64(k+1)) {
									t.Fatalf("m=%d k=%d trans=%v ldb=%d acc=%v: c[%d] = %g, expected %g", m, k, trans, ldb, acc, i, c[i], w)
								}
							}
							for i, g := range guard {
								if math.Float32bits(c[m*64+i]) != math.Float32bits(g) {
									t.Fatalf("m=%d k=%d trans=%v ldb=%d acc=%v: C's guard row written at %d", m, k, trans, ldb, acc, i)
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestKernelGemm64Trans checks C (+)= Aᵀ·B with A read in place (the
// kernel's astep path) against float64 sums, for row counts around the
// 4-row block and strides longer than the rows.
func TestKernelGemm64Trans(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		if !hasGemm64() { // a purego build or another architecture
			if kern.tier != cpu.Generic {
				t.Fatalf("tier %v has no 64-column kernel", kern.tier)
			}
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

package linalg

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

// randMatrix returns rows×cols values in [-1, 1).
func randMatrix(rows, cols int, rng *rand.Rand) []float64 {
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	return x
}

// naiveGemm is Gemm by the definition, summing in order.
func naiveGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// TestKernelMicro checks each tier's micro-kernel alone against the
// generic sum on one mr×nr tile with a row stride longer than the tile.
func TestKernelMicro(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		mr, nr := kern.mr, kern.nr
		for _, k := range []int{0, 1, 2, 3, 17, 256} {
			for _, acc := range []bool{false, true} {
				a, b := randMatrix(k+1, mr, rng), randMatrix(k+1, nr, rng)
				ldc := nr + 3
				c := randMatrix(mr, ldc, rng)
				want := append([]float64(nil), c...)
				for r := 0; r < mr; r++ {
					for j := 0; j < nr; j++ {
						if !acc {
							want[r*ldc+j] = 0
						}
						for kk := 0; kk < k; kk++ {
							want[r*ldc+j] += a[kk*mr+r] * b[kk*nr+j]
						}
					}
				}
				if !acc {
					for r := 0; r < mr; r++ {
						c[r*ldc] = math.NaN() // overwritten without acc
					}
				}
				kern.kernel(k, &a[0], &b[0], &c[0], ldc, acc)
				for i := range c {
					if math.Abs(c[i]-want[i]) > 1e-12*float64(k+1) {
						t.Fatalf("k=%d acc=%v: c[%d] = %v, expected %v", k, acc, i, c[i], want[i])
					}
				}
			}
		}
	})
}

// TestKernelGemm checks Gemm on every tier against the definition for
// awkward shapes, both transposes, strides longer than the rows, and the
// alpha and beta cases, including sizes that cross the block sizes and run
// in parallel.
func TestKernelGemm(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {9, 17, 0}, {13, 29, 31}, {63, 65, 130}, {130, 70, 300}, {300, 9, 40}, {5, 2100, 3}, {200, 150, 260}}
	if testing.Short() {
		shapes = shapes[:7]
	}
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				ta, tb := tr[0], tr[1]
				ar, ac := m, k
				if ta {
					ar, ac = k, m
				}
				br, bc := k, n
				if tb {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+2, bc+1, n+3
				a := randMatrix(max(ar, 1), lda, rng)
				b := randMatrix(max(br, 1), ldb, rng)
				for _, ab := range [][2]float64{{1, 0}, {-1, 1}, {0.5, -2}} {
					c := randMatrix(m, ldc, rng)
					c[0] = math.NaN()
					if ab[1] != 0 {
						c[0] = 0.25
					}
					want := append([]float64(nil), c...)
					naiveGemm(ta, tb, m, n, k, ab[0], a, lda, b, ldb, ab[1], want, ldc)
					Gemm(ta, tb, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc)
					for i := range c {
						if d := math.Abs(c[i] - want[i]); !(d <= 1e-12*float64(k+4)) {
							t.Fatalf("%d×%d×%d transA=%v transB=%v alpha=%v beta=%v: c[%d] = %v, expected %v",
								m, n, k, ta, tb, ab[0], ab[1], i, c[i], want[i])
						}
					}
				}
			}
		}
	})
}

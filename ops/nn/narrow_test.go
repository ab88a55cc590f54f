package nn

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// naiveGemm64 is C = alpha·A·op(B) + beta·C in float64 (A m×k, row stride
// lda), and the sum of the products' magnitudes for each entry.
func naiveGemm64(transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, scale []float64) {
	want, scale = make([]float64, m*n), make([]float64, m*n)
	for r := 0; r < m; r++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for i := 0; i < k; i++ {
				var bv float32
				if transB {
					bv = b[j*ldb+i]
				} else {
					bv = b[i*ldb+j]
				}
				p := float64(a[r*lda+i]) * float64(bv)
				s += p
				abs += math.Abs(p)
			}
			want[r*n+j] = float64(alpha) * s
			scale[r*n+j] = math.Abs(float64(alpha)) * abs
			if beta != 0 { // beta = 0 ignores C, NaN included
				want[r*n+j] += float64(beta) * float64(c[r*ldc+j])
				scale[r*n+j] += math.Abs(float64(beta) * float64(c[r*ldc+j]))
			}
		}
	}
	return want, scale
}

// TestGemmUsesNarrow checks which products Gemm sends to the narrow paths:
// the training step's (batch × N times N × N), not transposed A, not more
// rows than narrowMaxRows, not tiny ones.
func TestGemmUsesNarrow(t *testing.T) {
	for _, c := range []struct {
		transA  bool
		m, n, k int
		want    bool
	}{
		{false, 8, 1000, 1000, true}, {false, 16, 8000, 8000, true}, {false, 1, 64, 64, true},
		{false, 17, 1000, 1000, false}, {true, 8, 1000, 1000, false}, {false, 8, 7, 7, false}, {false, 0, 100, 100, false},
	} {
		if got := useNarrow(c.transA, c.m, c.n, c.k); got != c.want {
			t.Errorf("useNarrow(%v, %d, %d, %d) = %v, want %v", c.transA, c.m, c.n, c.k, got, c.want)
		}
	}
}

// TestKernelGemmNarrowMatchesSums checks Gemm's narrow paths (A·B and A·Bᵀ
// with 1–16 rows of C) in every tier against float64 sums: awkward sizes
// around the 64-column strips and the 32-row blocks of B, row strides
// longer than the rows, alpha and beta other than 1 and 0, and NaN in C
// where beta is 0 (it must not survive).
func TestKernelGemmNarrowMatchesSums(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(19))
		sizes := [][2]int{{1, 1}, {1, 4096}, {4096, 1}, {7, 7}, {7, 700}, {63, 65}, {65, 63}, {64, 64}, {129, 97}, {1000, 1000}}
		for _, nk := range sizes {
			n, k := nk[0], nk[1]
			if testing.Short() && n*k > 100000 { // under qemu
				k = 130
			}
			for m := 1; m <= narrowMaxRows; m++ {
				if n*k > 100000 && m != 3 && m != narrowMaxRows { // keep the 1000×1000 case short
					continue
				}
				if testing.Short() && m%4 > 1 { // under qemu: 1, 4, 5, 8, 9, 12, 13, 16 rows
					continue
				}
				for _, transB := range []bool{false, true} {
					lda, ldc := k+m%3, n+(m+1)%3
					ldb := n + 2
					if transB {
						ldb = k + 3
					}
					brows, bcols := k, n
					if transB {
						brows, bcols = n, k
					}
					a := randSlice((m-1)*lda+k, 1, rng)
					b := randSlice((brows-1)*ldb+bcols, 1, rng) // ends at its last value
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, 0.25}} {
						alpha, beta := ab[0], ab[1]
						c := randSlice((m-1)*ldc+n, 1, rng)
						if beta == 0 {
							for q := range c {
								c[q] = float32(math.NaN())
							}
						}
						want, scale := naiveGemm64(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
						gemmNarrow(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
						for r := 0; r < m; r++ {
							for j := 0; j < n; j++ {
								got, w := float64(c[r*ldc+j]), want[r*n+j]
								if !(math.Abs(got-w) <= 1e-5*(scale[r*n+j]+1)) {
									t.Fatalf("transB=%v m=%d n=%d k=%d alpha=%v beta=%v: c[%d][%d] = %v, want %v",
										transB, m, n, k, alpha, beta, r, j, got, w)
								}
							}
						}
					}
				}
			}
		}
	})
}

// BenchmarkGemmNarrow times the training step's two products with the
// weight matrix at batch 8, gonum's Sgemm against the narrow path, in one
// run: msg = Ψ·Ŵᵀ (NT) and dΨ = dM·Ŵ (NN). The NN path runs the tier of
// NGS_CPU (this package's kernels), the NT path vec's kernel of the same
// tier. It reports wall and CPU time (ms) per product and the rate Ŵ is
// read at (GB/s of wall time).
func BenchmarkGemmNarrow(b *testing.B) {
	const m = 8
	for _, n := range []int{1000, 2048, 8000} {
		rng := rand.New(rand.NewSource(1))
		w := randSlice(n*n, 1, rng)
		a := randSlice(m*n, 1, rng)
		c := make([]float32, m*n)
		for _, transB := range []bool{true, false} {
			name := "NN"
			if transB {
				name = "NT"
			}
			for _, path := range []string{"gonum", "narrow"} {
				b.Run(fmt.Sprintf("N=%d/B=%d/%s/%s", n, m, name, path), func(b *testing.B) {
					cpu0 := cpuTime()
					for b.Loop() {
						if path == "gonum" {
							gonumGemm(false, transB, m, n, n, 1, a, n, w, n, 0, c, n)
						} else {
							gemmNarrow(transB, m, n, n, 1, a, n, w, n, 0, c, n)
						}
					}
					cpu := cpuTime() - cpu0
					b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "wall-ms/op")
					b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
					b.ReportMetric(float64(4*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}

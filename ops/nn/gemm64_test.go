package nn

import (
	"math/rand"
	"testing"
)

// TestKernelGemm64MatchesReference checks Gemm64 in every tier against
// direct sums, for row counts around the 6-, 4- and 3-row blocks (every
// leftover of each), short k and row strides longer than k.
func TestKernelGemm64MatchesReference(t *testing.T) {
	forTiers(t, testGemm64MatchesReference)
}

func testGemm64MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, sz := range [][3]int{{1, 1, 0}, {3, 5, 7}, {4, 64, 64}, {5, 2, 1}, {6, 1, 3}, {9, 13, 64}, {10, 7, 2}, {11, 3, 0}, {1027, 64, 70}} {
		m, k, pad := sz[0], sz[1], sz[2]
		lda := k + pad
		a := randSlice(m*lda, 1, rng)
		b := randSlice(k*64, 1, rng)
		for _, acc := range []bool{false, true} {
			c := randSlice(m*64, 1, rng)
			want := append([]float32(nil), c...)
			for r := 0; r < m; r++ {
				for col := 0; col < 64; col++ {
					var s float32
					if acc {
						s = want[r*64+col]
					}
					for kk := 0; kk < k; kk++ {
						s += a[r*lda+kk] * b[kk*64+col]
					}
					want[r*64+col] = s
				}
			}
			Gemm64(a, lda, b, c, m, k, acc)
			for i := range c {
				if d := c[i] - want[i]; d > 1e-3 || d < -1e-3 {
					t.Fatalf("m=%d k=%d acc=%v: c[%d] = %g, expected %g (kernel %v)", m, k, acc, i, c[i], want[i], kern.tier)
				}
			}
		}
	}
}

// BenchmarkGemm64 is the 64-column product of 8000 rows and k = 64 with
// the selected tier's kernel (NGS_CPU chooses a lower one) and with
// gonum's Sgemm, and the transposed product of the same size (trans).
func BenchmarkGemm64(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	m, k := 8000, 64
	a, w, c := randSlice(m*k, 1, rng), randSlice(k*64, 1, rng), make([]float32, m*64)
	b.Run("kernel", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Gemm64(a, k, w, c, m, k, false)
		}
		b.ReportMetric(float64(2*m*k*64)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("gonum", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			gonumGemm(false, false, m, 64, k, 1, a, k, w, 64, 0, c, 64)
		}
		b.ReportMetric(float64(2*m*k*64)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	// trans is the parameter gradient's product (paramGrad64 on one core):
	// C (64×64) = Aᵀ·B with A and B 8000×64, the kernel's astep path with
	// a long k.
	b.Run("trans", func(b *testing.B) {
		g, out := randSlice(m*64, 1, rng), make([]float32, 64*64)
		for i := 0; i < b.N; i++ {
			if hasGemm64() {
				gemm64TransKernel(a, 64, g, out, 64, m, false)
			} else {
				gonumGemm(true, false, 64, 64, m, 1, a, 64, g, 64, 0, out, 64)
			}
		}
		b.ReportMetric(float64(2*m*64*64)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// TestKernelMLPPathsAgree runs forward and backward of 64-wide MLPs with
// the kernels of every tier and with those of a purego build (gonum and Go:
// useGoKernels), and compares outputs and all gradients.
func TestKernelMLPPathsAgree(t *testing.T) {
	forTiers(t, testMLPPathsAgree)
}

func testMLPPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	spec := MLPSpec{In: 3, Hidden: 64, Out: 1, Layers: 4}
	m, _ := NewPaperMLP(spec, rng)
	rows := 1500
	x := randSlice(rows*3, 2, rng)
	dy := randSlice(rows, 1, rng)
	run := func(kernel bool) ([]float32, []float32, []float32) {
		if !kernel {
			defer useGoKernels()()
		}
		w := m.NewWork(rows)
		y := append([]float32(nil), m.Forward(w, x, rows)...)
		m.ZeroGrads()
		dx := make([]float32, len(x))
		m.Backward(w, append([]float32(nil), dy...), dx)
		return y, append([]float32(nil), m.Grads...), dx
	}
	y1, g1, dx1 := run(true) // the tier under test
	y2, g2, dx2 := run(false)
	for name, pair := range map[string][2][]float32{"output": {y1, y2}, "grads": {g1, g2}, "dx": {dx1, dx2}} {
		for i := range pair[0] {
			a, b := pair[0][i], pair[1][i]
			if d := a - b; d > 1e-3*(1+abs32(b)) || d < -1e-3*(1+abs32(b)) {
				t.Fatalf("%s[%d]: kernel %g, gonum %g", name, i, a, b)
			}
		}
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func TestMulTNMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	for _, sz := range [][3]int{{7, 5, 3}, {300, 130, 70}, {257, 64, 129}} {
		k, m, n := sz[0], sz[1], sz[2]
		a, b := randSlice(k*m, 1, rng), randSlice(k*n, 1, rng)
		got, want := make([]float32, m*n), make([]float32, m*n)
		MulTN(a, k, m, b, n, got, nil)
		Gemm(true, false, m, n, k, 1, a, m, b, n, 0, want, n)
		for i := range want {
			if d := got[i] - want[i]; d > 1e-3*(1+abs32(want[i])) || d < -1e-3*(1+abs32(want[i])) {
				t.Fatalf("k=%d m=%d n=%d: c[%d] = %g, expected %g", k, m, n, i, got[i], want[i])
			}
		}
	}
}

// TestGramTNMatchesGemm checks GramTN's upper triangle of AᵀA and its
// AᵀB against Gemm in every tier, with sizes that leave partial panels.
func TestGramTNMatchesGemm(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(22))
		for _, sz := range [][3]int{{7, 5, 3}, {300, 130, 70}, {257, 64, 129}} {
			k, m, n := sz[0], sz[1], sz[2]
			a, b := randSlice(k*m, 1, rng), randSlice(k*n, 1, rng)
			g, c := make([]float32, m*m), make([]float32, m*n)
			wantG, wantC := make([]float32, m*m), make([]float32, m*n)
			GramTN(a, k, m, g, b, n, c, nil)
			Gemm(true, false, m, m, k, 1, a, m, a, m, 0, wantG, m)
			Gemm(true, false, m, n, k, 1, a, m, b, n, 0, wantC, n)
			near := func(x, y float32) bool { d := x - y; return d <= 1e-3*(1+abs32(y)) && d >= -1e-3*(1+abs32(y)) }
			for i := 0; i < m; i++ {
				for j := i; j < m; j++ {
					if !near(g[i*m+j], wantG[i*m+j]) {
						t.Fatalf("k=%d m=%d: G[%d,%d] = %g, expected %g", k, m, i, j, g[i*m+j], wantG[i*m+j])
					}
				}
			}
			for i := range wantC {
				if !near(c[i], wantC[i]) {
					t.Fatalf("k=%d m=%d n=%d: C[%d] = %g, expected %g", k, m, n, i, c[i], wantC[i])
				}
			}
		}
	})
}

// TestKernelGemmMatchesReference checks Gemm in every tier against direct
// sums for every transpose combination, alpha and beta, row strides longer
// than the rows, column counts that leave a partial 64-column panel, and row
// counts on both sides of gemmPanelMinRows.
func TestKernelGemmMatchesReference(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(4))
		for _, sz := range [][3]int{{gemmPanelMinRows + 5, 70, 33}, {gemmPanelMinRows - 1, 9, 64}, {300, 130, 1}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, 0.25}} {
					testGemmCase(t, rng, tr[0], tr[1], m, n, k, ab[0], ab[1])
				}
			}
		}
	})
}

func testGemmCase(t *testing.T, rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32) {
	t.Helper()
	ar, ac, br, bc := m, k, k, n
	if transA {
		ar, ac = k, m
	}
	if transB {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+3, bc+1, n+2
	a, b := randSlice(ar*lda, 1, rng), randSlice(br*ldb, 1, rng)
	c := randSlice(m*ldc, 1, rng)
	want := append([]float32(nil), c...)
	at := func(i, kk int) float32 {
		if transA {
			return a[kk*lda+i]
		}
		return a[i*lda+kk]
	}
	bt := func(kk, j int) float32 {
		if transB {
			return b[j*ldb+kk]
		}
		return b[kk*ldb+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for kk := 0; kk < k; kk++ {
				s += at(i, kk) * bt(kk, j)
			}
			want[i*ldc+j] = alpha*s + beta*want[i*ldc+j]
		}
	}
	Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	for i := range c {
		if d := c[i] - want[i]; d > 2e-3 || d < -2e-3 {
			t.Fatalf("%v/%v m=%d n=%d k=%d α=%g β=%g: c[%d] = %g, expected %g (kernel %v)", transA, transB, m, n, k, alpha, beta, i, c[i], want[i], kern.tier)
		}
	}
}

// BenchmarkGemmPanels is Fig 3's input-estimate product at a tenth of its
// rows (1000 frames × 2048 senders times 1024 receivers' rows of Ŵ,
// transposed) through Gemm's panel path and through gonum's Sgemm.
func BenchmarkGemmPanels(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	m, n, k := 1000, 1024, 2048
	a, w, c := randSlice(m*k, 1, rng), randSlice(n*k, 1, rng), make([]float32, m*n)
	flops := float64(2 * m * n * k)
	b.Run("panels", func(b *testing.B) {
		if !hasGemm64() {
			b.Skip("no 64-column kernel in this tier")
		}
		for i := 0; i < b.N; i++ {
			gemmPanels(false, true, m, n, k, 1, a, k, w, k, 0, c, n)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("gonum", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			gonumGemm(false, true, m, n, k, 1, a, k, w, k, 0, c, n)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

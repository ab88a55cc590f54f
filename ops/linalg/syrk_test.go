package linalg

import (
	"math"
	"math/rand"
	"testing"
)

// SyrkUpperTN matches the full product AᵀA on and above the diagonal, adds
// to what c held, and leaves c's entries below the diagonal blocks alone.
func TestSyrkUpperTN(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{1, 7, 128, 129, 300} {
		k, lda, ldc := 37, n+3, n+5
		a := randMatrix(k, lda, rng)
		c := randMatrix(n, ldc, rng)
		want := append([]float64(nil), c...)
		Gemm(true, false, n, n, k, 0.5, a, lda, a, lda, 1, want, ldc)
		got := append([]float64(nil), c...)
		SyrkUpperTN(n, k, 0.5, a, lda, got, ldc)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				g, w := got[i*ldc+j], want[i*ldc+j]
				switch {
				case j >= i && math.Abs(g-w) > 1e-12*(1+math.Abs(w)):
					t.Fatalf("n=%d: c[%d,%d] = %g, want %g", n, i, j, g, w)
				case j < i && g != c[i*ldc+j] && math.Abs(g-w) > 1e-12*(1+math.Abs(w)):
					t.Fatalf("n=%d: c[%d,%d] below the diagonal = %g, neither what it held (%g) nor the product (%g)", n, i, j, g, c[i*ldc+j], w)
				}
			}
		}
		if n > 128 && got[(n-1)*ldc] != c[(n-1)*ldc] {
			t.Errorf("n=%d: the corner below the diagonal blocks was written", n)
		}
	}
}

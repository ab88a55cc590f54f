package linalg

import (
	"math"
	"math/rand"
	"testing"
)

// The recursive triangular products match a full GEMM with the lower
// triangle, across the recursion's block size, and leave b alone.
func TestTriangularProducts(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, size := range []int{1, 50, trmmBlock, trmmBlock + 1, 300} {
		m := 37
		ldl := size + 2
		l := randMatrix(size, ldl, rng)
		for i := 0; i < size; i++ {
			for j := i + 1; j < ldl; j++ {
				l[i*ldl+j] = 0
			}
		}
		check := func(what string, got, want []float64, ld, rows, cols int) {
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					if d := math.Abs(got[i*ld+j] - want[i*ld+j]); d > 1e-11*(1+math.Abs(want[i*ld+j])) {
						t.Fatalf("%s, size %d: [%d,%d] = %g, want %g", what, size, i, j, got[i*ld+j], want[i*ld+j])
					}
				}
			}
		}
		// b·L with b m×size
		b := randMatrix(m, size+1, rng)
		keep := append([]float64(nil), b...)
		want := make([]float64, m*(size+3))
		got := append([]float64(nil), want...)
		Gemm(false, false, m, size, size, 1, b, size+1, l, ldl, 0, want, size+3)
		trmmRightLower(m, size, b, size+1, l, ldl, got, size+3)
		check("b·L", got, want, size+3, m, size)
		// −L·b with b size×m
		b2 := randMatrix(size, m+2, rng)
		want2 := make([]float64, size*m)
		got2 := make([]float64, size*m)
		Gemm(false, false, size, m, size, -1, l, ldl, b2, m+2, 0, want2, m)
		trmmLeftLower(size, m, -1, l, ldl, b2, m+2, got2, m)
		check("−L·b", got2, want2, m, size, m)
		for k := range keep {
			if b[k] != keep[k] {
				t.Fatalf("size %d: b changed", size)
			}
		}
	}
}

package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernels runs f once with the pure-Go fallback and, where available, once
// with the assembly kernel.
func kernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func(old bool) { ForceGeneric = old }(ForceGeneric)
	ForceGeneric = true
	t.Run("generic", f)
	ForceGeneric = false
	if hasAVX512 {
		t.Run("avx512", f)
	}
}

func randomSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for k := range s {
		s[k] = float32(rng.NormFloat64())
	}
	return s
}

// TestMatVecMatchesFloat64 checks every row count 0..9 and column count
// 0..80 (all tails of the 32-, 16- and masked loops) with a row stride
// longer than the vector, against sums in float64. The matrix slice ends at
// the last used value, so a read past it would fault or be caught.
func TestMatVecMatchesFloat64(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for rows := 0; rows <= 9; rows++ {
			for cols := 0; cols <= 80; cols++ {
				lda := cols + 3
				a := randomSlice(rng, max(0, (rows-1)*lda+cols))
				x := randomSlice(rng, cols)
				y := make([]float32, rows)
				for r := range y {
					y[r] = 99
				}
				if err := MatVec(y, a, lda, x); err != nil {
					t.Fatal(err)
				}
				for r := range y {
					var want, scale float64
					for j := range cols {
						p := float64(a[r*lda+j]) * float64(x[j])
						want += p
						scale += math.Abs(p)
					}
					if math.Abs(float64(y[r])-want) > 1e-6*(scale+1) {
						t.Fatalf("rows %d cols %d: y[%d] = %v, want %v", rows, cols, r, y[r], want)
					}
				}
			}
		}
	})
}

func TestDot(t *testing.T) {
	kernels(t, func(t *testing.T) {
		a := []float32{1, 2, 3, 4, 5}
		b := []float32{2, 0.5, -1, 0.25, 10, 7}
		if got := Dot(a, b); got != 2+1-3+1+50 {
			t.Fatalf("Dot = %v, want 51", got)
		}
		if got := Dot(nil, b); got != 0 {
			t.Fatalf("Dot of an empty slice = %v, want 0", got)
		}
	})
}

func TestMatVecShapeErrors(t *testing.T) {
	y := make([]float32, 3)
	if err := MatVec(y, make([]float32, 11), 4, make([]float32, 4)); err == nil {
		t.Error("11 values for 3 rows of stride 4 and 4 columns: want an error")
	}
	if err := MatVec(y, make([]float32, 12), 3, make([]float32, 4)); err == nil {
		t.Error("row stride 3 shorter than 4 columns: want an error")
	}
	if err := MatVec(y, make([]float32, 12), 4, make([]float32, 4)); err != nil {
		t.Errorf("exact fit: %v", err)
	}
}

// BenchmarkMatVec reports the rate W is read at for a square N×N product.
func BenchmarkMatVec(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		for _, generic := range []bool{false, true} {
			b.Run(fmt.Sprintf("N=%d/generic=%v", n, generic), func(b *testing.B) {
				defer func(old bool) { ForceGeneric = old }(ForceGeneric)
				ForceGeneric = generic
				rng := rand.New(rand.NewPCG(1, 2))
				a, x, y := randomSlice(rng, n*n), randomSlice(rng, n), make([]float32, n)
				for b.Loop() {
					matVec(y, a, n, x)
				}
				b.ReportMetric(float64(4*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

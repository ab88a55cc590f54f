package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// kernels runs f once for every tier this CPU runs (generic first), with
// that tier's kernel in place.
func kernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func(k matVecKernel, tr cpu.Tier) { kernel, tier = k, tr }(kernel, tier)
	for _, tr := range cpu.Supported() {
		kernel, tier = kernelFor(tr)
		if tier != tr {
			t.Fatalf("kernelFor(%v) returned the %v kernel", tr, tier)
		}
		t.Run(tr.String(), f)
	}
}

func randomSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for k := range s {
		s[k] = float32(rng.NormFloat64())
	}
	return s
}

// TestKernelMatVecMatchesFloat64 checks every row count 0..9 and column count
// 0..80 (all tails of the 32-, 16- and masked loops) with a row stride
// longer than the vector, against sums in float64. The matrix slice ends at
// the last used value, so a read past it would fault or be caught.
func TestKernelMatVecMatchesFloat64(t *testing.T) {
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

// TestKernelDot checks Dot in every tier, including an empty slice.
func TestKernelDot(t *testing.T) {
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

// BenchmarkMatVec reports the rate W is read at for a square N×N product,
// for every tier this CPU runs.
func BenchmarkMatVec(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		for _, tr := range cpu.Supported() {
			b.Run(fmt.Sprintf("N=%d/%v", n, tr), func(b *testing.B) {
				defer func(k matVecKernel, t cpu.Tier) { kernel, tier = k, t }(kernel, tier)
				kernel, tier = kernelFor(tr)
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

// TestKernelMatVecGoMatchesFloat64 checks the pure-Go kernel (the generic
// tier where gonum has no assembly) on row counts around its 4-row block.
func TestKernelMatVecGoMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for rows := 0; rows <= 9; rows++ {
		for _, cols := range []int{1, 2, 7, 33} {
			lda := cols + 2
			a := randomSlice(rng, rows*lda)
			x := randomSlice(rng, cols)
			y := make([]float32, rows)
			matVecGo(y, a, lda, x)
			for r := range y {
				var want, scale float64
				for j, v := range x {
					want += float64(a[r*lda+j]) * float64(v)
					scale += math.Abs(float64(a[r*lda+j]) * float64(v))
				}
				if math.Abs(float64(y[r])-want) > 1e-6*(scale+1) {
					t.Fatalf("rows %d cols %d: y[%d] = %v, want %v", rows, cols, r, y[r], want)
				}
			}
		}
	}
}

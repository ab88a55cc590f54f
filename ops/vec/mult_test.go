package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelMulTMatchesFloat64 checks MulT in every tier against float64
// sums: 1–16 vectors, W with 1, 7, 63, 65 and 1000 rows and columns (k =
// 1000 gives blocks of 8 rows, 7 gives blocks of 1168; 1000 rows split
// over two goroutines end in partial blocks),
// strides longer than the rows, and slices that end at their last value.
func TestKernelMulTMatchesFloat64(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(19, 16))
		for _, nk := range [][2]int{{1, 1}, {7, 7}, {63, 65}, {65, 63}, {1000, 7}, {7, 1000}, {1000, 1000}} {
			n, k := nk[0], nk[1]
			if testing.Short() && n*k > 100000 { // under qemu
				n = 130
			}
			for m := 1; m <= 16; m++ {
				if n*k > 100000 && m != 3 && m != 16 {
					continue
				}
				lda, ldw, ldc := k+1, k+2, n+3
				a := randomSlice(rng, (m-1)*lda+k)
				w := randomSlice(rng, (n-1)*ldw+k)
				c := randomSlice(rng, (m-1)*ldc+n)
				if err := MulT(c, ldc, a, lda, w, ldw, m, n, k); err != nil {
					t.Fatal(err)
				}
				for r := 0; r < m; r++ {
					for j := 0; j < n; j++ {
						var want, scale float64
						for i := 0; i < k; i++ {
							p := float64(a[r*lda+i]) * float64(w[j*ldw+i])
							want += p
							scale += math.Abs(p)
						}
						if got := float64(c[r*ldc+j]); math.Abs(got-want) > 1e-6*(scale+1) {
							t.Fatalf("m=%d n=%d k=%d: c[%d][%d] = %v, want %v", m, n, k, r, j, got, want)
						}
					}
				}
			}
		}
	})
}

// TestMulTShapes checks MulT's shape errors and its empty products.
func TestMulTShapes(t *testing.T) {
	c := make([]float32, 6)
	if err := MulT(c, 3, make([]float32, 8), 4, make([]float32, 12), 4, 2, 3, 4); err != nil {
		t.Errorf("exact fit: %v", err)
	}
	if err := MulT(c[:5], 3, make([]float32, 8), 4, make([]float32, 12), 4, 2, 3, 4); err == nil {
		t.Error("C too short: want an error")
	}
	if err := MulT(c, 3, make([]float32, 7), 4, make([]float32, 12), 4, 2, 3, 4); err == nil {
		t.Error("A too short: want an error")
	}
	if err := MulT(c, 3, make([]float32, 8), 4, make([]float32, 11), 4, 2, 3, 4); err == nil {
		t.Error("W too short: want an error")
	}
	if err := MulT(c, 2, make([]float32, 8), 4, make([]float32, 12), 4, 2, 3, 4); err == nil {
		t.Error("C's stride shorter than its rows: want an error")
	}
	c[0] = 5
	if err := MulT(c, 3, nil, 0, nil, 0, 2, 3, 0); err != nil || c[0] != 0 {
		t.Errorf("k = 0: err %v, c[0] = %v, want C cleared", err, c[0])
	}
}

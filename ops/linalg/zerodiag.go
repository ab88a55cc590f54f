package linalg

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/par"
)

// ZeroDiagonal is the zero-diagonal least-squares solve shared by ops/gnn
// (the trainer's exact Ŵ solve) and ops/eval (the oracle baseline). Given
// H = A⁻¹ (size×size, full symmetric, row-major) for the regularised Gram
// matrix A = G + ρI of the senders, and the cross products B (size×r, row
// stride ldb; column c is Ψᵀ·y_c for receiver c), it returns Z (r×size,
// row-major, in dst when dst holds enough values): row c is the x
// minimising xᵀAx − 2 xᵀb_c subject to x[s] = 0, s = self[c] being
// receiver c's own position among the senders:
//
//	x = H·b_c − H[:, s]·(H·b_c)[s] / H[s, s],   Z[c, s] = 0.
//
// Its entries other than s solve the reduced system A_{−s,−s} x = b_{−s},
// so one inverse serves every receiver: one GEMM (Bᵀ·H) and O(size) work
// per receiver. A receiver with self[c] < 0 (not among the senders) gets
// x = H·b_c unconstrained; one with H[s, s] ≤ 0 (a pseudo-inverse that
// dropped it) gets x = H·b_c with x[s] = 0.
func ZeroDiagonal(h []float64, size int, b []float64, ldb, r int, self []int, dst []float64) []float64 {
	if len(h) < size*size || len(self) != r {
		panic(fmt.Sprintf("linalg: ZeroDiagonal of a %d×%d inverse given %d values and %d receivers' positions for %d receivers", size, size, len(h), len(self), r))
	}
	if len(dst) < r*size {
		dst = make([]float64, r*size)
	}
	z := dst[:r*size]
	if size == 0 || r == 0 {
		return z
	}
	// Z = Bᵀ·H (H symmetric), r×size.
	Gemm(true, false, r, size, size, 1, b, ldb, h, size, 0, z, size)
	par.For(r, 16, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			s := self[c]
			if s < 0 {
				continue
			}
			if s >= size {
				panic(fmt.Sprintf("linalg: ZeroDiagonal receiver %d is sender %d, outside [0, %d)", c, s, size))
			}
			row := z[c*size : (c+1)*size]
			if hs := h[s*size+s]; hs > 0 {
				lambda := row[s] / hs
				hRow := h[s*size : (s+1)*size] // = H[:, s]
				for q := range row {
					row[q] -= lambda * hRow[q]
				}
			}
			row[s] = 0
		}
	})
	return z
}

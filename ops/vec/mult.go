package vec

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/par"
)

// mulTBlockBytes is the size of the block of rows of W that MulT keeps in
// the cache (L1) while it multiplies it by every vector of A: W is read
// from memory once, the vectors once per block; blocks have at least 4
// rows. 32 KB took 1.7 CPU ms for 8 vectors and N = 2048 where 96, 192 and
// 512 KB took 2.3–2.5 (BenchmarkGemmNarrow in ops/nn), and the same
// 25–26 ms at N = 8000.
const mulTBlockBytes = 32 << 10

// mulTMinRows is the least number of rows of W worth a goroutine.
const mulTMinRows = 64

// MulT sets c[r*ldc+j] = Σ_i a[r*lda+i]·w[j*ldw+i] for r < m, j < n, i < k:
// the product C = A·Wᵀ of m row vectors (A is m×k, row stride lda) with a
// row-major n×k matrix W (row stride ldw), C m×n with row stride ldc. It is
// built for few vectors and a large W (a batch of frames times a network's
// weight matrix): the rows of W are split over goroutines, and each block
// of rows that fits in the cache is multiplied by all m vectors with the
// matrix-vector kernel of the selected tier, so that W is read from memory
// once instead of m times. It returns an error when a slice is too short
// for its shape.
func MulT(c []float32, ldc int, a []float32, lda int, w []float32, ldw int, m, n, k int) error {
	if err := checkMulT(len(c), ldc, len(a), lda, len(w), ldw, m, n, k); err != nil {
		return err
	}
	mulT(c, ldc, a, lda, w, ldw, m, n, k)
	return nil
}

// checkMulT validates the shapes of MulT.
func checkMulT(lc, ldc, la, lda, lw, ldw, m, n, k int) error {
	switch {
	case m < 0 || n < 0 || k < 0:
		return fmt.Errorf("vec: negative shape %d×%d×%d", m, n, k)
	case m == 0 || n == 0:
		return nil
	case ldc < n:
		return fmt.Errorf("vec: row stride %d of C is shorter than its %d columns", ldc, n)
	case lc < (m-1)*ldc+n:
		return fmt.Errorf("vec: C has %d values, expected at least %d", lc, (m-1)*ldc+n)
	case k == 0:
		return nil
	case lda < k:
		return fmt.Errorf("vec: row stride %d of A is shorter than its %d columns", lda, k)
	case la < (m-1)*lda+k:
		return fmt.Errorf("vec: A has %d values, expected at least %d", la, (m-1)*lda+k)
	}
	return checkMatVec(n, lw, ldw, k)
}

// mulT is MulT without the checks.
func mulT(c []float32, ldc int, a []float32, lda int, w []float32, ldw int, m, n, k int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for r := 0; r < m; r++ {
			clear(c[r*ldc : r*ldc+n])
		}
		return
	}
	block := max(4, mulTBlockBytes/(4*k)/4*4)
	par.For(n, mulTMinRows, func(lo, hi int) {
		for j0 := lo; j0 < hi; j0 += block {
			j1 := min(hi, j0+block)
			wb := w[j0*ldw : (j1-1)*ldw+k]
			for r := 0; r < m; r++ {
				matVec(c[r*ldc+j0:r*ldc+j1], wb, ldw, a[r*lda:r*lda+k])
			}
		}
	})
}

package nn

import (
	"github.com/ngs-lab/ngs/internal/par"
	"github.com/ngs-lab/ngs/ops/vec"
)

// Narrow products: a batch of a few frames (rows) times a large square
// weight matrix, C = A·Bᵀ (the training step's messages Ψ·Ŵᵀ) and C = A·B
// (the backward dΨ = dM·Ŵ). gonum's Sgemm blocks for many rows and the
// 64-column panels need ≥ gemmPanelMinRows rows to pay for their packing,
// so with few rows both read the big matrix from memory several times and
// run on one core. The narrow paths read it once, split over the cores.

// narrowMaxRows is the most rows of C that Gemm sends to the narrow paths;
// narrowMinWork the least n·k (smaller products stay on gonum).
const (
	narrowMaxRows = 16
	narrowMinWork = 64 * 64
)

// useNarrow reports whether Gemm runs the product on a narrow path.
func useNarrow(transA bool, m, n, k int) bool {
	return !transA && m >= 1 && m <= narrowMaxRows && n >= 1 && k >= 1 && n*k >= narrowMinWork
}

// gemmNarrow is Gemm (without transposed A) for few rows of C: C =
// alpha·A·op(B) + beta·C with A m×k, op(B) k×n.
func gemmNarrow(transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if transB {
		gemmNarrowNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmNarrowNN(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmNarrowNT is C = alpha·A·Bᵀ + beta·C with B n×k: every row of B is
// dotted with the m rows of A by vec.MulT (blocks of B's rows kept in the
// cache while all m rows pass, the matrix-vector kernel of the selected
// tier).
func gemmNarrowNT(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if alpha == 1 && beta == 0 {
		if err := vec.MulT(c, ldc, a, lda, b, ldb, m, n, k); err != nil {
			panic("nn: " + err.Error()) // shapes come from Gemm's caller: a bug there
		}
		return
	}
	t := make([]float32, m*n)
	if err := vec.MulT(t, n, a, lda, b, ldb, m, n, k); err != nil {
		panic("nn: " + err.Error())
	}
	for r := 0; r < m; r++ {
		scaleInto(c[r*ldc:r*ldc+n], t[r*n:(r+1)*n], alpha, beta)
	}
}

// scaleInto sets dst = alpha·src + beta·dst (dst overwritten when beta is 0,
// so that NaNs in it do not survive).
func scaleInto(dst, src []float32, alpha, beta float32) {
	dst = dst[:len(src)]
	if beta == 0 {
		for q, v := range src {
			dst[q] = alpha * v
		}
		return
	}
	for q, v := range src {
		dst[q] = alpha*v + beta*dst[q]
	}
}

// narrowKBlock is how many rows of B the NN path takes at a time: each
// column strip of those rows is packed (64 columns, 8 KB) and multiplied
// by the matching columns of A while it is in the L1 cache.
const narrowKBlock = 32

// gemmNarrowNN is C = alpha·A·B + beta·C with B k×n: the columns of B are
// split over goroutines in 64-column strips; each goroutine walks B a block
// of narrowKBlock rows at a time (so that it reads those rows left to right,
// once), packs each strip of the block and adds A's matching columns times
// it into its m×64 accumulators with the 64-column kernel (on amd64 the
// generic tier's SSE2 one too). Without a 64-column kernel it runs gonum's
// Sgemm: a Go kernel (C's rows held in the cache in 256-column blocks, four
// rows of B added at a time) took twice gonum's CPU time at N = 1000 and
// 2048, B = 8, on amd64, where gonum's inner loops are SSE assembly.
func gemmNarrowNN(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	_ = a[(m-1)*lda+k-1]
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	if !hasGemm64() { // see above
		gonumGemm(false, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	strips := (n + 63) / 64
	par.For(strips, 2, func(s0, s1 int) {
		acc := make([]float32, (s1-s0)*m*64)
		panel := make([]float32, narrowKBlock*64)
		for k0 := 0; k0 < k; k0 += narrowKBlock {
			kb := min(narrowKBlock, k-k0)
			for s := s0; s < s1; s++ {
				c0 := s * 64
				w := min(64, n-c0)
				dst := acc[(s-s0)*m*64 : (s-s0+1)*m*64]
				if w == 64 { // B's strip read in place
					gemm64StridedKernel(a[k0:], lda, b[k0*ldb+c0:], ldb, dst, m, kb, k0 > 0)
					continue
				}
				for i := 0; i < kb; i++ {
					row := b[(k0+i)*ldb+c0 : (k0+i)*ldb+c0+w]
					dst := panel[i*64 : (i+1)*64]
					copy(dst, row)
					if w < 64 {
						clear(dst[w:])
					}
				}
				gemm64Kernel(a[k0:], lda, panel[:kb*64], dst, m, kb, k0 > 0)
			}
		}
		for s := s0; s < s1; s++ {
			c0 := s * 64
			w := min(64, n-c0)
			for r := 0; r < m; r++ {
				src := acc[((s-s0)*m+r)*64 : ((s-s0)*m+r)*64+w]
				scaleInto(c[r*ldc+c0:r*ldc+c0+w], src, alpha, beta)
			}
		}
	})
}

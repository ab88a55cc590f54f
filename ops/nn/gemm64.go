package nn

// Gemm64 computes C = A·B (or C += A·B with acc) where A is m×k with row
// stride lda, and B (k×64) and C (m×64) have row stride 64. It uses the
// 64-column assembly kernel of the selected tier (AVX-512, AVX2 or NEON;
// on amd64 the generic tier's is SSE2; see internal/cpu), splitting the
// rows of A over goroutines, and gonum's Sgemm where the tier has no
// kernel (the generic tier on arm64 and other architectures, and every
// -tags purego build).
func Gemm64(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	if m == 0 {
		return
	}
	_ = a[(m-1)*lda+k-1]
	_ = b[k*64-1]
	_ = c[m*64-1]
	if !hasGemm64() {
		beta := float32(0)
		if acc {
			beta = 1
		}
		Gemm(false, false, m, 64, k, 1, a, lda, b, 64, beta, c, 64)
		return
	}
	ParallelRows(m, func(lo, hi int) {
		gemm64Kernel(a[lo*lda:], lda, b, c[lo*64:], hi-lo, k, acc)
	})
}

// gemmPanelMinRows is the least number of rows of C for which Gemm packs
// 64-column panels of op(B) for the assembly kernel: packing costs k·n
// copies, worth it only when each panel serves many rows.
const gemmPanelMinRows = 128

// gemmPanels is Gemm on the 64-column assembly kernel: each 64-column panel
// of op(B) is packed once (k×64), every row block of op(A) is multiplied by
// it in parallel, and the panel of C is set to alpha·product + beta·C.
// op(A) is read in place (strided when transposed). Only called when
// hasGemm64.
func gemmPanels(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panel := make([]float32, k*64)
	out := make([]float32, m*64)
	for c0 := 0; c0 < n; c0 += 64 {
		w := min(64, n-c0)
		packPanel(panel, b, ldb, transB, c0, w, k)
		ParallelRows(m, func(lo, hi int) {
			if transA {
				gemm64TransKernel(a[lo:], lda, panel, out[lo*64:], hi-lo, k, false)
			} else {
				gemm64Kernel(a[lo*lda:], lda, panel, out[lo*64:], hi-lo, k, false)
			}
			for i := lo; i < hi; i++ {
				dst, src := c[i*ldc+c0:i*ldc+c0+w], out[i*64:i*64+w]
				if beta == 0 {
					for q, v := range src {
						dst[q] = alpha * v
					}
					continue
				}
				for q, v := range src {
					dst[q] = alpha*v + beta*dst[q]
				}
			}
		})
	}
}

// packPanel copies columns c0..c0+w-1 of op(B) (k rows) into the k×64 panel,
// zero-padding the columns past w.
func packPanel(panel, b []float32, ldb int, transB bool, c0, w, k int) {
	if transB {
		clear(panel)
		for q := 0; q < w; q++ {
			row := b[(c0+q)*ldb : (c0+q)*ldb+k]
			for r, v := range row {
				panel[r*64+q] = v
			}
		}
		return
	}
	for r := 0; r < k; r++ {
		dst := panel[r*64 : (r+1)*64]
		copy(dst, b[r*ldb+c0:r*ldb+c0+w])
		clear(dst[w:])
	}
}

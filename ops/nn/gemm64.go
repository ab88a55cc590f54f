package nn

// Gemm64 computes C = A·B (or C += A·B with acc) where A is m×k with row
// stride lda, and B (k×64) and C (m×64) have row stride 64. It uses the
// 64-column assembly kernel of the selected tier (AVX-512, AVX2 or NEON;
// see internal/cpu), splitting the rows of A over goroutines, and gonum's
// Sgemm in the generic tier.
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

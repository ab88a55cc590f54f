package linalg

// SyrkUpperTN adds alpha·AᵀA to the upper triangle (diagonal included) of
// the n×n matrix c (row stride ldc), A being k×n (row stride lda): the
// symmetric half of Gemm(true, false, n, n, k, alpha, a, lda, a, lda, 1, c,
// ldc) for about half its work. It recurses on halves of the columns: the
// off-diagonal block by GEMM, diagonal blocks of at most 128 columns by a
// full GEMM, which also updates their part below the diagonal; the other
// entries below the diagonal are left as they are.
func SyrkUpperTN(n, k int, alpha float64, a []float64, lda int, c []float64, ldc int) {
	if n <= 128 {
		Gemm(true, false, n, n, k, alpha, a, lda, a, lda, 1, c, ldc)
		return
	}
	n1 := half(n)
	SyrkUpperTN(n1, k, alpha, a, lda, c, ldc)
	Gemm(true, false, n1, n-n1, k, alpha, a, lda, a[n1:], lda, 1, c[n1:], ldc)
	SyrkUpperTN(n-n1, k, alpha, a[n1:], lda, c[n1*ldc+n1:], ldc)
}

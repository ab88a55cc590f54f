package linalg

// trmmBlock is the size at or below which the triangular products below
// multiply the whole square block by GEMM (the zeros above its diagonal
// included) instead of recursing.
const trmmBlock = 128

// trmmRightLower sets the m×n matrix c (stride ldc) to b·L: b is m×n
// (stride ldb) and L the n×n lower triangle of l (stride ldl; the entries
// above its diagonal must be zero). Recursive in n, so about half the
// multiply-adds of a full GEMM: with L = [[A, 0], [B, C]] and b = [b₁ b₂],
// b·L = [b₁·A + b₂·B, b₂·C].
func trmmRightLower(m, n int, b []float64, ldb int, l []float64, ldl int, c []float64, ldc int) {
	if n <= trmmBlock {
		Gemm(false, false, m, n, n, 1, b, ldb, l, ldl, 0, c, ldc)
		return
	}
	n1 := half(n)
	trmmRightLower(m, n1, b, ldb, l, ldl, c, ldc)
	Gemm(false, false, m, n1, n-n1, 1, b[n1:], ldb, l[n1*ldl:], ldl, 1, c, ldc)
	trmmRightLower(m, n-n1, b[n1:], ldb, l[n1*ldl+n1:], ldl, c[n1:], ldc)
}

// trmmLeftLower sets the m×n matrix c (stride ldc) to alpha·L·b: L is the
// m×m lower triangle of l (stride ldl; zeros above its diagonal) and b is
// m×n (stride ldb). Recursive in m, about half a full GEMM's work: with
// L = [[A, 0], [B, C]] and b = [b₁; b₂], L·b = [A·b₁; B·b₁ + C·b₂].
func trmmLeftLower(m, n int, alpha float64, l []float64, ldl int, b []float64, ldb int, c []float64, ldc int) {
	if m <= trmmBlock {
		Gemm(false, false, m, n, m, alpha, l, ldl, b, ldb, 0, c, ldc)
		return
	}
	m1 := half(m)
	trmmLeftLower(m1, n, alpha, l, ldl, b, ldb, c, ldc)
	trmmLeftLower(m-m1, n, alpha, l[m1*ldl+m1:], ldl, b[m1*ldb:], ldb, c[m1*ldc:], ldc)
	Gemm(false, false, m-m1, n, m1, alpha, l[m1*ldl:], ldl, b, ldb, 1, c[m1*ldc:], ldc)
}

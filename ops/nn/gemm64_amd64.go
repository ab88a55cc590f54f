//go:build amd64 && !purego

package nn

import "github.com/ngs-lab/ngs/internal/cpu"

// hasGemm64 reports whether the AVX-512 kernel for 64-wide products runs here.
var hasGemm64 = cpu.AVX512F

// gemm64AVX512 computes C[r][0:64] (+)= Σ_kk A[r][kk]·B[kk][0:64] for r < m
// (A row stride lda, B and C row stride 64; C overwritten unless acc).
//
//go:noescape
func gemm64AVX512(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool)

// gemm64Kernel calls the assembly kernel with A row-major (row stride lda).
func gemm64Kernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	if m == 0 {
		return
	}
	gemm64AVX512(&a[0], lda, 1, &b[0], &c[0], m, k, acc)
}

// gemm64TransKernel is C (+)= Aᵀ·B where A is k×m row-major with row
// stride lda: A is read in place, without a transposed copy.
func gemm64TransKernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	if m == 0 || k == 0 {
		return
	}
	_ = a[(k-1)*lda+m-1]
	gemm64AVX512(&a[0], 1, lda, &b[0], &c[0], m, k, acc)
}

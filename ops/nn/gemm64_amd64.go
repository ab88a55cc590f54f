//go:build amd64 && !purego

package nn

// hasGemm64 reports whether the AVX-512 kernel for 64-wide products runs here.
var hasGemm64 = detectAVX512F()

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
func xgetbv0() (eax, edx uint32)

// detectAVX512F checks the CPU flag and that the OS saves the ZMM state.
func detectAVX512F() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(1<<27) == 0 { // OSXSAVE
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&0xe6 != 0xe6 { // SSE, AVX, opmask, ZMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}

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

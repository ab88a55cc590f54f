//go:build !amd64 || purego

package nn

// hasGemm64 is false where there is no assembly kernel: gonum's Sgemm is used.
var hasGemm64 = false

func gemm64Kernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	panic("nn: gemm64Kernel called without an assembly kernel")
}

func gemm64TransKernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	panic("nn: gemm64TransKernel called without an assembly kernel")
}

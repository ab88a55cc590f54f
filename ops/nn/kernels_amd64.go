//go:build amd64 && !purego

package nn

import "github.com/ngs-lab/ngs/internal/cpu"

// gemm64AVX512 and gemm64AVX2 are kernelSet.gemm64 (AVX-512: four rows by
// 64 columns at a time; AVX2: four rows by 16 columns).
//
//go:noescape
func gemm64AVX512(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

//go:noescape
func gemm64AVX2(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

// gemm64SSE is kernelSet.gemm64 of the generic tier on amd64, in SSE and
// SSE2 only, which every amd64 CPU has (three rows by 16 columns at a
// time, then two rows, then one).
//
//go:noescape
func gemm64SSE(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

// sineAVX512 (16 values at a time, constants c) and sineAVX2 (8 at a time,
// constants c8) are kernelSet.sine.
//
//go:noescape
func sineAVX512(h, dh *float32, n int, c *[16]uint32, om float32) int

//go:noescape
func sineAVX2(h, dh *float32, n int, c8 *[16][8]uint32, om float32) int

// kernelsFor returns the kernels of tier t. The generic tier runs the SSE2
// kernels (the amd64 baseline) for the 64-column product and the ReLU, and
// Go for the sine; built with -tags purego it has no kernels at all
// (kernels_other.go: gonum's Sgemm and Go).
func kernelsFor(t cpu.Tier) kernelSet {
	switch t {
	case cpu.AVX512:
		return kernelSet{tier: t, gemm64: gemm64AVX512, sineBlock: 16,
			sine: func(h, dh *float32, n int, om float32) int { return sineAVX512(h, dh, n, &sineConsts, om) },
			relu: reluAVX512, reluGrad: reluGradAVX512, reluBlock: 16}
	case cpu.AVX2:
		return kernelSet{tier: t, gemm64: gemm64AVX2, sineBlock: 8,
			sine: func(h, dh *float32, n int, om float32) int { return sineAVX2(h, dh, n, &sineConsts8, om) },
			relu: reluAVX2, reluGrad: reluGradAVX2, reluBlock: 8}
	}
	return kernelSet{tier: cpu.Generic, gemm64: gemm64SSE,
		relu: reluSSE, reluGrad: reluGradSSE, reluBlock: 4}
}

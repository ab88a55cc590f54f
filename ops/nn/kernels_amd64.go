//go:build amd64 && !purego

package nn

import (
	"unsafe"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// gemm64AVX512 and gemm64AVX2 are kernelSet.gemm64 (AVX-512: four rows by
// 64 columns at a time; AVX2: four rows by 16 columns).
//
//go:noescape
func gemm64AVX512(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

//go:noescape
func gemm64AVX2(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

// gemm64SSE is kernelSet.gemm64 in SSE and SSE2 only, which every amd64
// CPU has (three rows by 16 columns at a time, then two rows, then one).
// The generic tier calls it through gemm64SSEBlocked.
//
//go:noescape
func gemm64SSE(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

// sseKBlock is how many rows of B (kk values) gemm64SSEBlocked passes to
// gemm64SSE at a time: 64 rows of B are 16 KB, which stay in the L1 cache
// while every block of rows of C passes over them (once per 16-column
// strip).
const sseKBlock = 64

// gemm64SSEBlocked is kernelSet.gemm64 of the generic tier on amd64:
// gemm64SSE on blocks of sseKBlock rows of B, C accumulating from the
// second block on. gemm64SSE passes over all of B once per three rows and
// 16 columns of C, so with a long k (the parameter gradient's Aᵀ·B over
// all the batch's rows) B came from beyond the L2 cache each time:
// BenchmarkGemm64/trans (k = 8000) went from 26 to 40 GFLOP/s with the
// blocks (2026-12-03, AMD EPYC Zen 5, one core).
func gemm64SSEBlocked(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int) {
	if k <= sseKBlock {
		gemm64SSE(a, lda, astep, b, c, m, k, acc, ldb)
		return
	}
	for k0 := 0; k0 < k; k0 += sseKBlock {
		ak := (*float32)(unsafe.Add(unsafe.Pointer(a), 4*k0*astep)) // A(0, k0)
		bk := (*float32)(unsafe.Add(unsafe.Pointer(b), 4*k0*ldb))   // B[k0][0]
		gemm64SSE(ak, lda, astep, bk, c, m, min(sseKBlock, k-k0), acc || k0 > 0, ldb)
	}
}

// sineAVX512 (16 values at a time, constants c) and sineAVX2 (8 at a time,
// constants c8) are kernelSet.sine.
//
//go:noescape
func sineAVX512(h, dh *float32, n int, c *[16]uint32, om float32) int

//go:noescape
func sineAVX2(h, dh *float32, n int, c8 *[16][8]uint32, om float32) int

// kernelsFor returns the kernels of tier t. The generic tier runs SSE2
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
	return kernelSet{tier: cpu.Generic, gemm64: gemm64SSEBlocked,
		relu: reluSSE, reluGrad: reluGradSSE, reluBlock: 4}
}

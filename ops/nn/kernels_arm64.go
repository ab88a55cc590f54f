//go:build arm64 && !purego

package nn

import "github.com/ngs-lab/ngs/internal/cpu"

// gemm64NEON is kernelSet.gemm64: four rows by 16 columns at a time.
//
//go:noescape
func gemm64NEON(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)

// sineNEON is kernelSet.sine, 4 values at a time (constants c).
//
//go:noescape
func sineNEON(h, dh *float32, n int, c *[16]uint32, om float32) int

// kernelsFor returns the kernels of tier t.
func kernelsFor(t cpu.Tier) kernelSet {
	if t == cpu.NEON {
		return kernelSet{tier: t, gemm64: gemm64NEON, sineBlock: 4,
			sine: func(h, dh *float32, n int, om float32) int { return sineNEON(h, dh, n, &sineConsts, om) },
			relu: reluNEON, reluGrad: reluGradNEON, reluBlock: 4}
	}
	return kernelSet{tier: cpu.Generic}
}

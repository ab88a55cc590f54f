//go:build arm64 && !purego

package nn

import "github.com/ngs-lab/ngs/internal/cpu"

// gemm64NEON is kernelSet.gemm64: four rows by 16 columns at a time.
//
//go:noescape
func gemm64NEON(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool)

// kernelsFor returns the kernels of tier t. The NEON tier has the 64-column
// product; its sine is sineActivateGo (Go's assembler lacks the vector
// float multiply, compare and select that a NEON sine needs).
func kernelsFor(t cpu.Tier) kernelSet {
	if t == cpu.NEON {
		return kernelSet{tier: t, gemm64: gemm64NEON}
	}
	return kernelSet{tier: cpu.Generic}
}

//go:build arm64 && !purego

package linalg

import "github.com/ngs-lab/ngs/internal/cpu"

// kernelNEON is kernelSet.kernel: 4 rows by 8 columns.
//
//go:noescape
func kernelNEON(k int, a, b, c *float64, ldc int, acc bool)

// kernelsFor returns the kernels of tier t.
func kernelsFor(t cpu.Tier) kernelSet {
	if t == cpu.NEON {
		return kernelSet{tier: t, mr: 4, nr: 8, kernel: kernelNEON}
	}
	return genericKernels()
}

//go:build arm64 && !purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// matVecNEON is matVecKernel.
//
//go:noescape
func matVecNEON(y, a *float32, lda int, x *float32, rows, cols int)

// kernelFor returns the kernel of tier t and the tier it belongs to.
func kernelFor(t cpu.Tier) (matVecKernel, cpu.Tier) {
	if t == cpu.NEON {
		return matVecNEON, t
	}
	return nil, cpu.Generic
}

//go:build amd64 && !purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// matVecAVX512 and matVecAVX2 are matVecKernel.
//
//go:noescape
func matVecAVX512(y, a *float32, lda int, x *float32, rows, cols int)

//go:noescape
func matVecAVX2(y, a *float32, lda int, x *float32, rows, cols int)

// kernelFor returns the kernel of tier t and the tier it belongs to.
func kernelFor(t cpu.Tier) (matVecKernel, cpu.Tier) {
	switch t {
	case cpu.AVX512:
		return matVecAVX512, t
	case cpu.AVX2:
		return matVecAVX2, t
	}
	return nil, cpu.Generic
}

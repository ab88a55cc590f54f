//go:build amd64 && !purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// matVecHalfAVX512 and matVecHalfAVX2 are halfKernel.
//
//go:noescape
func matVecHalfAVX512(y *float32, a *uint16, lda int, x *float32, rows, cols int)

//go:noescape
func matVecHalfAVX2(y *float32, a *uint16, lda int, x *float32, rows, cols int)

// hasF16C reports whether the CPU has the F16C half conversions.
func hasF16C() bool

// halfKernelFor returns the half kernel of tier t: AVX-512 converts halves
// itself, AVX2 needs F16C (every AVX2 CPU made so far has it).
func halfKernelFor(t cpu.Tier) halfKernel {
	switch {
	case t == cpu.AVX512:
		return matVecHalfAVX512
	case t == cpu.AVX2 && hasF16C():
		return matVecHalfAVX2
	}
	return nil
}

//go:build amd64 && !purego

package linalg

import "github.com/ngs-lab/ngs/internal/cpu"

// kernelAVX512 (8 rows by 16 columns) and kernelAVX2 (6 rows by 8 columns)
// are kernelSet.kernel.
//
//go:noescape
func kernelAVX512(k int, a, b, c *float64, ldc int, acc bool)

//go:noescape
func kernelAVX2(k int, a, b, c *float64, ldc int, acc bool)

// kernelsFor returns the kernels of tier t.
func kernelsFor(t cpu.Tier) kernelSet {
	switch t {
	case cpu.AVX512:
		return kernelSet{tier: t, mr: 8, nr: 16, kernel: kernelAVX512}
	case cpu.AVX2:
		return kernelSet{tier: t, mr: 6, nr: 8, kernel: kernelAVX2}
	}
	return genericKernels()
}

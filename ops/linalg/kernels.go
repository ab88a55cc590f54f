package linalg

import "github.com/ngs-lab/ngs/internal/cpu"

// kernelSet is the micro-kernel of one tier (internal/cpu). The kernel
// computes C[0:mr][0:nr] (+)= Σ_kk a[kk·mr + r]·b[kk·nr + j] over kk < k,
// with C row-major of row stride ldc (elements), overwritten unless acc: a
// and b are packed panels (see packA and packB).
type kernelSet struct {
	tier   cpu.Tier
	mr, nr int
	kernel func(k int, a, b, c *float64, ldc int, acc bool)
}

// kern is the kernel set of the tier chosen at start-up; tests switch it
// with useTier.
var kern = kernelsFor(cpu.Selected())

// genericKernels is the Go micro-kernel's set, 4×4.
func genericKernels() kernelSet {
	return kernelSet{tier: cpu.Generic, mr: 4, nr: 4, kernel: kernelGo}
}

// Tier returns the kernel tier the package runs (see internal/cpu).
func Tier() cpu.Tier { return kern.tier }

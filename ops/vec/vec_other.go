//go:build !(amd64 || arm64) || purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// kernelFor returns the generic kernel: no assembly is built here.
func kernelFor(t cpu.Tier) (matVecKernel, cpu.Tier) { return nil, cpu.Generic }

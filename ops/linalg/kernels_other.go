//go:build !(amd64 || arm64) || purego

package linalg

import "github.com/ngs-lab/ngs/internal/cpu"

// kernelsFor returns the generic kernels: no assembly is built here.
func kernelsFor(t cpu.Tier) kernelSet { return genericKernels() }

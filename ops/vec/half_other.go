//go:build !amd64 || purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// halfKernelFor returns nil: halves are converted in Go here.
func halfKernelFor(cpu.Tier) halfKernel { return nil }

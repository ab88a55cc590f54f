//go:build amd64 && !purego

package vec

import "github.com/ngs-lab/ngs/internal/cpu"

// hasAVX512 reports whether the CPU and OS support the AVX-512F kernel.
var hasAVX512 = cpu.AVX512F

// matVecAVX512 sets y[r] = Σ_j a[r*lda+j]·x[j] for r < rows, j < cols
// (rows ≥ 1, cols ≥ 1).
//
//go:noescape
func matVecAVX512(y, a *float32, lda int, x *float32, rows, cols int)

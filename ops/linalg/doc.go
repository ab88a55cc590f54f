// Package linalg is the dense float64 linear algebra of the exact Ŵ solve:
// a blocked, parallel matrix product (Gemm) on assembly micro-kernels, a
// blocked lower Cholesky factorisation with a 1-norm condition estimate and
// the SPD inverse built on it, and the zero-diagonal least-squares solve
// that ops/gnn (the trainer) and ops/eval (the oracle baseline) share.
//
// Matrices are row-major []float64 with an explicit row stride. The
// micro-kernels follow the tier that internal/cpu selects (AVX-512 or AVX2
// with FMA on amd64, NEON on arm64, a Go kernel everywhere); NGS_CPU forces
// a lower tier. Work is split over cores with internal/par.
//
// float64 throughout: the Gram matrices solved here are ill-conditioned
// (condition numbers of 10⁸ and beyond), so float32 would lose the solution.
package linalg

// Package vec holds float32 kernels for dense matrix-vector products, one
// per tier of internal/cpu (chosen once at start-up, lowered with NGS_CPU):
// AVX-512 and AVX2 FMA kernels on amd64 and a NEON kernel on arm64 (four
// rows at a time), and a generic one in Go that computes the same sums;
// MatVecHalf is the same product with the matrix in half precision.
package vec

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/cpu"
	"gonum.org/v1/gonum/blas/blas32"
)

// matVecKernel sets y[r] = Σ_j a[r*lda+j]·x[j] for r < rows, j < cols
// (rows ≥ 1, cols ≥ 1); nil in the generic tier.
type matVecKernel func(y, a *float32, lda int, x *float32, rows, cols int)

// kernel is the matrix-vector kernel of the tier chosen at start-up
// (tests switch it); tier is that tier.
var kernel, tier = kernelFor(cpu.Selected())

// MatVec sets y[r] = Σ_j a[r*lda+j]·x[j] for r < len(y), j < len(x): the
// product of a row-major matrix (row stride lda, rows at least len(x) long)
// with x. It returns an error when a is too short for len(y) rows.
func MatVec(y, a []float32, lda int, x []float32) error {
	if err := checkMatVec(len(y), len(a), lda, len(x)); err != nil {
		return err
	}
	matVec(y, a, lda, x)
	return nil
}

// checkMatVec validates the shapes of a matrix-vector product.
func checkMatVec(rows, size, lda, cols int) error {
	if rows == 0 {
		return nil
	}
	if lda < cols {
		return fmt.Errorf("vec: row stride %d is shorter than the vector (%d)", lda, cols)
	}
	if need := (rows-1)*lda + cols; size < need {
		return fmt.Errorf("vec: matrix has %d values, expected at least %d for %d rows of stride %d", size, need, rows, lda)
	}
	return nil
}

// matVec is MatVec without the checks; shapes must be valid.
func matVec(y, a []float32, lda int, x []float32) {
	if len(y) == 0 {
		return
	}
	if len(x) == 0 {
		clear(y)
		return
	}
	if kernel != nil {
		kernel(&y[0], &a[0], lda, &x[0], len(y), len(x))
		return
	}
	matVecGeneric(y, a, lda, x)
}

// matVecGeneric is the generic tier: where gonum has an assembly dot
// product (amd64) one gonum Sdot per row, elsewhere matVecGo.
func matVecGeneric(y, a []float32, lda int, x []float32) {
	if !gonumDotAsm {
		matVecGo(y, a, lda, x)
		return
	}
	n := len(x)
	xv := blas32.Vector{N: n, Inc: 1, Data: x}
	for r := range y {
		y[r] = blas32.Dot(blas32.Vector{N: n, Inc: 1, Data: a[r*lda : r*lda+n]}, xv)
	}
}

// Dot returns Σ_j a[j]·b[j] over the shorter length.
func Dot(a, b []float32) float32 {
	n := min(len(a), len(b))
	var y [1]float32
	matVec(y[:], a[:n], n, b[:n])
	return y[0]
}

// matVecGo is the pure-Go kernel: four rows at a time share the loads of x,
// each row with its own sum.
func matVecGo(y, a []float32, lda int, x []float32) {
	n := len(x)
	r := 0
	for ; r+4 <= len(y); r += 4 {
		a0 := a[r*lda : r*lda+n]
		a1 := a[(r+1)*lda : (r+1)*lda+n]
		a2 := a[(r+2)*lda : (r+2)*lda+n]
		a3 := a[(r+3)*lda : (r+3)*lda+n]
		var s0, s1, s2, s3 float32
		for j, v := range x {
			s0 += a0[j] * v
			s1 += a1[j] * v
			s2 += a2[j] * v
			s3 += a3[j] * v
		}
		y[r], y[r+1], y[r+2], y[r+3] = s0, s1, s2, s3
	}
	for ; r < len(y); r++ {
		row := a[r*lda : r*lda+n]
		var s float32
		for j, v := range x {
			s += row[j] * v
		}
		y[r] = s
	}
}

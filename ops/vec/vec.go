// Package vec holds float32 kernels for dense matrix-vector products: an
// AVX-512 FMA kernel (four rows at a time, detected at run time with CPUID)
// and a pure-Go fallback that computes the same sums.
package vec

import "fmt"

// ForceGeneric, when true, makes every kernel use the pure-Go fallback even
// where the assembly kernel runs (tests set it to exercise the fallback).
var ForceGeneric = false

// Accelerated reports whether the AVX-512 kernel is used on this machine.
func Accelerated() bool { return hasAVX512 && !ForceGeneric }

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
	if Accelerated() {
		matVecAVX512(&y[0], &a[0], lda, &x[0], len(y), len(x))
		return
	}
	matVecGeneric(y, a, lda, x)
}

// Dot returns Σ_j a[j]·b[j] over the shorter length.
func Dot(a, b []float32) float32 {
	n := min(len(a), len(b))
	var y [1]float32
	matVec(y[:], a[:n], n, b[:n])
	return y[0]
}

// matVecGeneric is the pure-Go kernel: four rows at a time share the loads
// of x, each row with two partial sums.
func matVecGeneric(y, a []float32, lda int, x []float32) {
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

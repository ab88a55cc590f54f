package linalg

import (
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestZeroDiagonalMatchesReducedSolves checks every receiver's row against
// gonum's solve of the reduced system A_{−s,−s} x = b_{−s} (sender s
// removed), for receivers among the senders and outside them, with B of a
// row stride longer than its rows.
func TestZeroDiagonalMatchesReducedSolves(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(7))
		const size, r, pad = 45, 50, 3
		a := randomSPD(size, rng)
		ldb := r + pad
		b := randMatrix(size, ldb, rng)
		self := make([]int, r)
		for c := range self {
			self[c] = (c * 7) % size
			if c%9 == 4 {
				self[c] = -1 // a receiver that is not a sender
			}
		}
		var chol Cholesky
		if !chol.Factorize(append([]float64(nil), a...), size) {
			t.Fatal("Factorize failed")
		}
		z := ZeroDiagonal(chol.Inverse(nil), size, b, ldb, r, self, nil)
		for c := 0; c < r; c++ {
			s := self[c]
			var keep []int
			for q := 0; q < size; q++ {
				if q != s {
					keep = append(keep, q)
				}
			}
			red := mat.NewDense(len(keep), len(keep), nil)
			rhs := mat.NewVecDense(len(keep), nil)
			for p, i := range keep {
				rhs.SetVec(p, b[i*ldb+c])
				for q, j := range keep {
					red.Set(p, q, a[i*size+j])
				}
			}
			var x mat.VecDense
			if err := x.SolveVec(red, rhs); err != nil {
				t.Fatal(err)
			}
			for p, i := range keep {
				if d := math.Abs(z[c*size+i] - x.AtVec(p)); d > 1e-8*(1+math.Abs(x.AtVec(p))) {
					t.Fatalf("receiver %d (sender %d): z[%d] = %v, reduced solve %v", c, s, i, z[c*size+i], x.AtVec(p))
				}
			}
			if s >= 0 && z[c*size+s] != 0 {
				t.Fatalf("receiver %d: own weight %v, expected 0", c, z[c*size+s])
			}
		}
	})
}

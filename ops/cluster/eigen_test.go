package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// randomGram returns xᵀx for an n×m matrix x whose columns have decreasing
// scales, so the leading eigenvalues are distinct; rank caps the rank.
func randomGram(n, m, rank int, seed uint64) blas64.General {
	rng := rand.New(rand.NewPCG(seed, 9))
	x := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			x.Set(i, j, rng.NormFloat64()*math.Pow(0.97, float64(j)))
		}
	}
	if rank < m {
		factor := mat.NewDense(m, m, nil)
		for i := 0; i < rank; i++ {
			for j := 0; j < m; j++ {
				factor.Set(i, j, rng.NormFloat64())
			}
		}
		x.Mul(x, factor) // columns now span a rank-dimensional space
	}
	return gramOf(x, true)
}

func TestSubspaceIterationMatchesFullEigen(t *testing.T) {
	for _, rank := range []int{200, 1} {
		g := randomGram(300, 200, rank, uint64(rank))
		want, wantValues, err := fullEigenvectors(mat.NewSymDense(200, slices.Clone(g.Data)), 2)
		if err != nil {
			t.Fatal(err)
		}
		got, values, ok := subspaceEigenvectors(g, 2)
		if !ok {
			t.Fatalf("rank %d: subspace iteration did not converge", rank)
		}
		for c := 0; c < 2; c++ {
			if math.Abs(values[c]-wantValues[c]) > 1e-8*wantValues[0] {
				t.Fatalf("rank %d: eigenvalue %d = %v, want %v", rank, c, values[c], wantValues[c])
			}
			if rank == 1 && c == 1 {
				continue // the second eigenvector of a rank-1 matrix is arbitrary
			}
			for i := 0; i < 200; i++ {
				if math.Abs(got.At(i, c)-want.At(i, c)) > 1e-6 {
					t.Fatalf("rank %d: eigenvector %d entry %d = %v, want %v", rank, c, i, got.At(i, c), want.At(i, c))
				}
			}
		}
	}
}

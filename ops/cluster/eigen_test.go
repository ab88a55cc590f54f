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

func TestMedianMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 200; trial++ {
		values := make([]float64, 1+rng.IntN(40))
		for i := range values {
			values[i] = float64(rng.IntN(7)) // many ties
		}
		sorted := slices.Clone(values)
		slices.Sort(sorted)
		m := len(sorted) / 2
		want := sorted[m]
		if len(sorted)%2 == 0 {
			want = (sorted[m-1] + sorted[m]) / 2
		}
		if got := median(values); got != want {
			t.Fatalf("median of %v = %v, want %v", sorted, got, want)
		}
	}
}

func TestGramOfSplitsInnerDimensionCorrectly(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, shape := range [][2]int{{10, 300}, {300, 10}} {
		a := mat.NewDense(shape[0], shape[1], nil)
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < shape[1]; j++ {
				a.Set(i, j, rng.NormFloat64())
			}
		}
		for _, columns := range []bool{true, false} {
			var want mat.Dense
			if columns {
				want.Mul(a.T(), a)
			} else {
				want.Mul(a, a.T())
			}
			g := gramOf(a, columns)
			if got := mat.NewDense(g.Rows, g.Cols, g.Data); !mat.EqualApprox(got, &want, 1e-9) {
				t.Fatalf("%v columns=%v: Gram matrix differs from the direct product", shape, columns)
			}
		}
	}
}

package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

const (
	// fullEigenMaxSize is the largest matrix decomposed in full; larger ones
	// use subspace iteration, which needs only a few matrix products when
	// just the leading components are wanted.
	fullEigenMaxSize = 64
	// subspaceOversampling extra vectors speed up convergence of the leading k.
	subspaceOversampling = 8
	// subspaceMaxIterations bounds subspace iteration before falling back to
	// the full decomposition.
	subspaceMaxIterations = 300
	// subspaceTolerance is the relative residual ‖Gv − λv‖ / λ₁ at which a
	// Ritz pair is accepted.
	subspaceTolerance = 1e-10
)

// leadingEigenvectors returns the k eigenvectors of the positive
// semi-definite g with largest eigenvalues (as columns, each oriented so that
// its largest-magnitude entry is positive) and those eigenvalues, in
// decreasing order.
// g is given in full (both triangles).
func leadingEigenvectors(g blas64.General, k int) (*mat.Dense, []float64, error) {
	if g.Rows > fullEigenMaxSize {
		if vectors, values, ok := subspaceEigenvectors(g, k); ok {
			return vectors, values, nil
		}
	}
	return fullEigenvectors(mat.NewSymDense(g.Rows, g.Data), k)
}

// fullEigenvectors computes every eigenpair with LAPACK and keeps the leading k.
func fullEigenvectors(g *mat.SymDense, k int) (*mat.Dense, []float64, error) {
	var eig mat.EigenSym
	if !eig.Factorize(g, true) {
		return nil, nil, fmt.Errorf("cluster: PCA eigendecomposition did not converge")
	}
	values := eig.Values(nil)
	var vectors mat.Dense
	eig.VectorsTo(&vectors)
	size := len(values)
	lead := mat.NewDense(size, k, nil)
	leadValues := make([]float64, k)
	for c := 0; c < k; c++ {
		src := size - 1 - c // EigenSym sorts ascending
		leadValues[c] = values[src]
		col := mat.Col(nil, src, &vectors)
		orientBySign(col)
		lead.SetCol(c, col)
	}
	return lead, leadValues, nil
}

// subspaceEigenvectors finds the leading k eigenpairs by block subspace
// iteration with Rayleigh–Ritz extraction, from a fixed pseudo-random start
// (so results are deterministic). It reports false when it has not converged
// within subspaceMaxIterations.
func subspaceEigenvectors(full blas64.General, k int) (*mat.Dense, []float64, bool) {
	m := full.Rows
	p := min(m, k+subspaceOversampling)
	rng := rand.New(rand.NewPCG(0x5eed, uint64(m)))
	basis := make([]float64, p*m) // p row vectors of length m
	for i := range basis {
		basis[i] = rng.NormFloat64()
	}
	orthonormaliseRows(basis, p, m, rng)
	image := make([]float64, p*m)
	for iter := 0; iter < subspaceMaxIterations; iter++ {
		// image = basis·G, i.e. the rows are (G·q_r)ᵀ since G is symmetric.
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, rowBlock(basis, p, m), full, 0, rowBlock(image, p, m))
		vectors, values, residual := rayleighRitz(basis, image, p, m, k)
		if residual <= subspaceTolerance*math.Max(math.Abs(values[0]), math.SmallestNonzeroFloat64) {
			return vectors, values, true
		}
		basis, image = image, basis
		orthonormaliseRows(basis, p, m, rng)
	}
	return nil, nil, false
}

// rowBlock views rows×cols row-major data as a blas64.General.
func rowBlock(data []float64, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// orthonormaliseRows makes the rows of the rows×cols block orthonormal by
// modified Gram–Schmidt applied twice; a row that vanishes (a rank-deficient
// block) is replaced by a fresh random direction.
func orthonormaliseRows(block []float64, rows, cols int, rng *rand.Rand) {
	for r := 0; r < rows; r++ {
		row := block[r*cols : (r+1)*cols]
		for attempt := 0; ; attempt++ {
			for pass := 0; pass < 2; pass++ {
				for s := 0; s < r; s++ {
					prev := block[s*cols : (s+1)*cols]
					blas64.Axpy(-dot(prev, row), vector(prev), vector(row))
				}
			}
			if norm := math.Sqrt(dot(row, row)); norm > 1e-12 || attempt == 3 {
				blas64.Scal(1/math.Max(norm, 1e-300), vector(row))
				break
			}
			for i := range row {
				row[i] = rng.NormFloat64()
			}
		}
	}
}

// rayleighRitz extracts the leading k Ritz pairs of G from an orthonormal
// basis (rows q_r) and its image (rows G·q_r), returning the Ritz vectors as
// columns, the Ritz values in decreasing order, and the largest residual
// norm ‖G·v − λ·v‖ among them.
func rayleighRitz(basis, image []float64, p, m, k int) (*mat.Dense, []float64, float64) {
	projected := mat.NewSymDense(p, nil)
	for r := 0; r < p; r++ {
		for s := r; s < p; s++ {
			projected.SetSym(r, s, dot(basis[r*m:(r+1)*m], image[s*m:(s+1)*m]))
		}
	}
	small, values, err := fullEigenvectors(projected, k)
	if err != nil {
		return nil, []float64{math.Inf(1)}, math.Inf(1)
	}
	vectors := mat.NewDense(m, k, nil)
	var worst float64
	for c := 0; c < k; c++ {
		v, gv := make([]float64, m), make([]float64, m)
		for r := 0; r < p; r++ {
			y := small.At(r, c)
			blas64.Axpy(y, vector(basis[r*m:(r+1)*m]), vector(v))
			blas64.Axpy(y, vector(image[r*m:(r+1)*m]), vector(gv))
		}
		blas64.Axpy(-values[c], vector(v), vector(gv))
		worst = math.Max(worst, math.Sqrt(dot(gv, gv)))
		orientBySign(v)
		vectors.SetCol(c, v)
	}
	return vectors, values, worst
}

// dot is the inner product of two equal-length vectors.
func dot(a, b []float64) float64 {
	return blas64.Dot(vector(a), vector(b))
}

// vector views a slice as a unit-stride blas64.Vector.
func vector(data []float64) blas64.Vector {
	return blas64.Vector{N: len(data), Inc: 1, Data: data}
}

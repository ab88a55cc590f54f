package cluster

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/internal/par"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// PCA projects points onto their first k principal components and returns the
// n×k scores (the centred data times the leading right singular vectors).
// It works on whichever Gram matrix is smaller (n×n or d×d), so n = 8000
// curves sampled on 1000 points need one 1000×1000 Gram matrix, whose leading
// eigenvectors come from subspace iteration (a full eigendecomposition only
// at size ≤ 64, or if the iteration stalls). Each component's sign is fixed
// so that its largest-magnitude loading is positive, which makes the result
// deterministic. k must lie in [1, min(n, d)].
func PCA(points [][]float64, k int) ([][]float64, error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, err
	}
	n := len(points)
	if k < 1 || k > n || k > d {
		return nil, fmt.Errorf("cluster: PCA needs 1 ≤ k ≤ min(points, dimensions) = min(%d, %d), got k = %d", n, d, k)
	}
	centred := centredMatrix(points, d)
	var scores *mat.Dense
	if n <= d {
		scores, err = scoresFromRowGram(centred, k)
	} else {
		scores, err = scoresFromColumnGram(centred, k)
	}
	if err != nil {
		return nil, err
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = mat.Row(nil, i, scores)
	}
	return out, nil
}

// centredMatrix returns the n×d matrix of points with each column's mean removed.
func centredMatrix(points [][]float64, d int) *mat.Dense {
	n := len(points)
	x := mat.NewDense(n, d, flatten(points, d))
	raw := x.RawMatrix().Data
	for c := 0; c < d; c++ {
		var s float64
		for i := 0; i < n; i++ {
			s += raw[i*d+c]
		}
		m := s / float64(n)
		for i := 0; i < n; i++ {
			raw[i*d+c] -= m
		}
	}
	return x
}

// gramOf returns aᵀa when columns is true, a·aᵀ otherwise, as a full
// (both triangles) row-major matrix. SYRK computes the upper triangle (half
// the work of a GEMM); it runs on one core, so the inner dimension is split
// among GOMAXPROCS workers whose partial Gram matrices are summed.
func gramOf(a *mat.Dense, columns bool) blas64.General {
	raw := a.RawMatrix()
	size, inner, trans := raw.Rows, raw.Cols, blas.NoTrans
	if columns {
		size, inner, trans = raw.Cols, raw.Rows, blas.Trans
	}
	workers := par.Workers(inner, 64)
	partials := make([][]float64, workers)
	par.Split(inner, workers, func(w, lo, hi int) {
		partials[w] = make([]float64, size*size)
		part := raw
		if columns { // rows lo..hi of a
			part.Rows, part.Data = hi-lo, raw.Data[lo*raw.Stride:]
		} else { // columns lo..hi of a
			part.Cols, part.Data = hi-lo, raw.Data[lo:]
		}
		upper := blas64.Symmetric{Uplo: blas.Upper, N: size, Stride: size, Data: partials[w]}
		blas64.Syrk(trans, 1, part, 0, upper)
	})
	g := partials[0]
	for i := 0; i < size; i++ {
		for j := i; j < size; j++ {
			for _, p := range partials[1:] {
				g[i*size+j] += p[i*size+j]
			}
			g[j*size+i] = g[i*size+j]
		}
	}
	return blas64.General{Rows: size, Cols: size, Stride: size, Data: g}
}

// orientBySign flips v so that its largest-magnitude entry is positive.
func orientBySign(v []float64) {
	if signOfLargest(v) < 0 {
		for i := range v {
			v[i] = -v[i]
		}
	}
}

// scoresFromColumnGram computes the scores x·V from the d×d matrix xᵀx.
func scoresFromColumnGram(x *mat.Dense, k int) (*mat.Dense, error) {
	v, _, err := leadingEigenvectors(gramOf(x, true), k)
	if err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	scores := mat.NewDense(n, k, nil)
	scores.Mul(x, v)
	return scores, nil
}

// scoresFromRowGram computes the scores U·S from the n×n matrix x·xᵀ, whose
// eigenvectors are U and eigenvalues S². The sign of each component is then
// fixed by its loadings xᵀu so that both paths agree.
func scoresFromRowGram(x *mat.Dense, k int) (*mat.Dense, error) {
	u, values, err := leadingEigenvectors(gramOf(x, false), k)
	if err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	scores := mat.NewDense(n, k, nil)
	for c := 0; c < k; c++ {
		col := mat.Col(nil, c, u)
		var loadings mat.VecDense
		loadings.MulVec(x.T(), mat.NewVecDense(n, col))
		sign := signOfLargest(loadings.RawVector().Data)
		scale := sign * math.Sqrt(math.Max(values[c], 0))
		for i := range col {
			col[i] *= scale
		}
		scores.SetCol(c, col)
	}
	return scores, nil
}

// signOfLargest returns the sign (+1 or -1) of v's largest-magnitude entry.
func signOfLargest(v []float64) float64 {
	best := 0
	for i, x := range v {
		if math.Abs(x) > math.Abs(v[best]) {
			best = i
		}
	}
	if len(v) > 0 && v[best] < 0 {
		return -1
	}
	return 1
}

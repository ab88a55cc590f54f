package eval

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// framesPerChunk is how many frames NormalEquations.Add converts to float64
// and multiplies at once: large enough for an efficient GEMM, small enough
// (8 MB at N = 1000) to stay in memory cheaply.
const framesPerChunk = 512

// NormalEquations accumulates, over frames, the Gram matrix G = ΨᵀΨ and the
// cross products B = ΨᵀY of the linear model Y ≈ Ψ·Wᵀ (Ψ and Y are frames×N:
// Ψ[t, j] is sender j's message at frame t, Y[t, i] receiver i's target). It
// is built in float64 with one SYRK and one GEMM per chunk of frames, so frames can be
// added in batches (the trainer) or all at once (LeastSquaresW).
type NormalEquations struct {
	n      int
	frames int
	// products is N×2N row-major: columns [0, N) hold G (upper triangle
	// only), columns [N, 2N) hold B.
	products []float64
	chunk    []float64 // framesPerChunk×2N scratch holding [Ψ | Y]
}

// NewNormalEquations returns empty normal equations for n neurons.
func NewNormalEquations(n int) (*NormalEquations, error) {
	if n < 2 {
		return nil, fmt.Errorf("eval: least squares needs at least 2 neurons, got %d", n)
	}
	return &NormalEquations{n: n, products: make([]float64, 2*n*n)}, nil
}

// Frames returns how many frames have been added.
func (e *NormalEquations) Frames() int { return e.frames }

// MeanGramDiagonal returns the mean of G's diagonal, the average Σ_t Ψ[t,j]²
// per sender: multiply a relative ridge (say 1e-6) by it to get a ridge for
// SolveZeroDiagonal that does not depend on the number of frames.
func (e *NormalEquations) MeanGramDiagonal() float64 {
	var s float64
	for i := 0; i < e.n; i++ {
		s += e.products[i*2*e.n+i]
	}
	return s / float64(e.n)
}

// Reset forgets every frame added so far.
func (e *NormalEquations) Reset() {
	clear(e.products)
	e.frames = 0
}

// Add accumulates frames rows of Ψ and Y (both frames×N, row-major).
func (e *NormalEquations) Add(psi, y []float32, frames int) error {
	n := e.n
	if frames < 0 || len(psi) != frames*n || len(y) != frames*n {
		return fmt.Errorf("eval: least squares got Ψ of %d and Y of %d values, expected %d frames × %d neurons = %d each",
			len(psi), len(y), frames, n, frames*n)
	}
	if e.chunk == nil {
		e.chunk = make([]float64, framesPerChunk*2*n)
	}
	for start := 0; start < frames; start += framesPerChunk {
		rows := min(framesPerChunk, frames-start)
		if err := e.fillChunk(psi, y, start, rows); err != nil {
			return err
		}
		messages := blas64.General{Rows: rows, Cols: n, Stride: 2 * n, Data: e.chunk}
		targets := blas64.General{Rows: rows, Cols: n, Stride: 2 * n, Data: e.chunk[n:]}
		// G's upper triangle by SYRK (half the work of a GEMM; measured twice
		// as fast here), B by GEMM.
		gram := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: 2 * n, Data: e.products}
		cross := blas64.General{Rows: n, Cols: n, Stride: 2 * n, Data: e.products[n:]}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // SYRK runs on one core: overlap it with the parallel GEMM
			defer wg.Done()
			blas64.Syrk(blas.Trans, 1, messages, 1, gram)
		}()
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, messages, targets, 1, cross)
		wg.Wait()
	}
	e.frames += frames
	return nil
}

// fillChunk copies frames [start, start+rows) of Ψ and Y side by side into
// the float64 scratch, rejecting NaN and infinite values.
func (e *NormalEquations) fillChunk(psi, y []float32, start, rows int) error {
	n := e.n
	for r := 0; r < rows; r++ {
		src := (start + r) * n
		dst := e.chunk[r*2*n : (r+1)*2*n]
		for j := 0; j < n; j++ {
			p, q := float64(psi[src+j]), float64(y[src+j])
			if math.IsNaN(p+q) || math.IsInf(p+q, 0) {
				return fmt.Errorf("eval: least squares input at frame %d, neuron %d is not finite (Ψ = %v, Y = %v)", start+r, j, p, q)
			}
			dst[j], dst[n+j] = p, q
		}
	}
	return nil
}

// SolveZeroDiagonal returns the N×N matrix Ŵ (row-major, float32) that
// minimises ‖Y − Ψ·Ŵᵀ‖² + ridge·‖Ŵ‖² subject to Ŵ[i,i] = 0, exactly. The
// ridge is absolute (in units of Σ_t Ψ²; see MeanGramDiagonal). Memory: the
// accumulated products (16·N² bytes) plus 16·N² bytes during the solve, so
// about 2 GB at N = 8000.
//
// Row i solves (G + λI)_{-i,-i} w = B_{-i,i}, the normal equations with
// sender i removed. Instead of N separate (N−1)×(N−1) solves, it inverts
// A = G + λI once (H = A⁻¹, by Cholesky) and uses the constrained solution
// of A x = b + μ·e_i with x_i = 0: x = H b + μ H e_i, and x_i = 0 gives
// μ = −(H b)_i / H_ii, so
//
//	x = H b − H[:, i] · (H b)_i / H_ii.
//
// Its rows other than i satisfy A_{-i,-i} x_{-i} = b_{-i}, which is the
// reduced system. With Xᵀ = Bᵀ H computed by one GEMM, Ŵ[i, j] =
// Xᵀ[i, j] − H[i, j]·Xᵀ[i, i]/H[i, i]: two O(N³) factorisation steps and one
// GEMM in all, then O(N²) per-row assembly spread over goroutines.
//
// It fails when A is not positive definite (fewer frames than neurons, or
// messages that are linearly dependent) and ridge is 0; a small ridge > 0
// then regularises the problem, but beware: on Fig 2 dynamics (N = 1000,
// Ψ = tanh u) G is very ill-conditioned (condition ≈ 2·10¹⁴ at 5000 frames),
// the information about W sits in its smallest eigenvalues, and even a ridge
// of 10⁻⁶·MeanGramDiagonal drops the recovered W's R² from 0.99998 to 0.65.
// Prefer ridge 0 with enough frames (there: R² 1.000000 at 10,000 frames);
// this is also why G is accumulated in float64.
func (e *NormalEquations) SolveZeroDiagonal(ridge float64) ([]float32, error) {
	n := e.n
	if ridge < 0 || math.IsNaN(ridge) || math.IsInf(ridge, 0) {
		return nil, fmt.Errorf("eval: least-squares ridge must be a finite number ≥ 0, got %v", ridge)
	}
	if e.frames == 0 {
		return nil, fmt.Errorf("eval: least squares has no frames, expected at least one call to Add")
	}
	inverse, err := e.regularisedInverse(ridge)
	if err != nil {
		return nil, err
	}
	// Xᵀ = Bᵀ H (H symmetric), B being columns [N, 2N) of products.
	cross := blas64.General{Rows: n, Cols: n, Stride: 2 * n, Data: e.products[n:]}
	h := blas64.General{Rows: n, Cols: n, Stride: n, Data: inverse}
	solution := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, cross, h, 0, solution)
	return removeSelfWeights(solution.Data, inverse, n), nil
}

// regularisedInverse returns (G + ridge·I)⁻¹ as a full N×N row-major matrix.
func (e *NormalEquations) regularisedInverse(ridge float64) ([]float64, error) {
	n := e.n
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		copy(a[i*n+i:(i+1)*n], e.products[i*2*n+i:i*2*n+n]) // upper triangle of G
		a[i*n+i] += ridge
	}
	factor, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: a})
	if !ok {
		return nil, fmt.Errorf("eval: the %d×%d Gram matrix of the messages (from %d frames) is not positive definite with ridge %g: expected at least as many frames as neurons and linearly independent messages; pass a small ridge > 0",
			n, n, e.frames, ridge)
	}
	if _, ok := lapack64.Potri(factor); !ok {
		return nil, fmt.Errorf("eval: inverting the %d×%d Gram matrix failed (ridge %g)", n, n, ridge)
	}
	for i := 0; i < n; i++ { // mirror the upper triangle into the lower one
		for j := i + 1; j < n; j++ {
			a[j*n+i] = a[i*n+j]
		}
	}
	return a, nil
}

// removeSelfWeights applies Ŵ[i, j] = Xᵀ[i, j] − H[i, j]·Xᵀ[i, i]/H[i, i]
// with Ŵ[i, i] = 0, over row blocks in parallel.
func removeSelfWeights(xt, h []float64, n int) []float32 {
	w := make([]float32, n*n)
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	var wg sync.WaitGroup
	for worker := 0; worker < workers; worker++ {
		wg.Add(1)
		go func(first int) {
			defer wg.Done()
			for i := first; i < n; i += workers {
				row, hRow := xt[i*n:(i+1)*n], h[i*n:(i+1)*n]
				factor := row[i] / hRow[i]
				for j := range row {
					w[i*n+j] = float32(row[j] - hRow[j]*factor)
				}
				w[i*n+i] = 0
			}
		}(worker)
	}
	wg.Wait()
	return w
}

// LeastSquaresW returns the N×N connectivity Ŵ (row-major, zero diagonal)
// minimising ‖Y − Ψ·Ŵᵀ‖² + ridge·‖Ŵ‖² for Ψ and Y of frames×n values
// (row-major). See NormalEquations.SolveZeroDiagonal for the method.
func LeastSquaresW(psi, y []float32, frames, n int, ridge float64) ([]float32, error) {
	equations, err := NewNormalEquations(n)
	if err != nil {
		return nil, err
	}
	if err := equations.Add(psi, y, frames); err != nil {
		return nil, err
	}
	return equations.SolveZeroDiagonal(ridge)
}

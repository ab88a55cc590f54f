package eval

import (
	"errors"
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/linalg"
)

// framesPerChunk is how many frames NormalEquations.Add converts to float64
// and multiplies at once: large enough for an efficient GEMM, small enough
// (8 MB at N = 1000) to stay in memory cheaply.
const framesPerChunk = 512

// NormalEquations accumulates, over frames, the Gram matrix G = ΨᵀΨ and the
// cross products B = ΨᵀY of the linear model Y ≈ Ψ·Wᵀ: Ψ is frames×N
// (Ψ[t, j] is sender j's message at frame t) and Y is frames×R, one column
// per receiver (R = N, all receivers in order, unless built by
// NewReceiverNormalEquations). It is built in float64 with one SYRK and one
// GEMM per chunk of frames, so frames can be added in batches (the trainer)
// or all at once (LeastSquaresW).
type NormalEquations struct {
	n         int
	receivers []int // global index of each Y column
	frames    int
	// products is N×(N+R) row-major: columns [0, N) hold G (its upper
	// triangle; below it only partly), columns [N, N+R) hold B.
	products []float64
	chunk    []float64 // framesPerChunk×(N+R) scratch holding [Ψ | Y]
}

// NewNormalEquations returns empty normal equations for n neurons, every
// neuron a receiver: Add takes Y of frames×n and SolveZeroDiagonal returns
// the full n×n Ŵ.
func NewNormalEquations(n int) (*NormalEquations, error) {
	all := make([]int, max(n, 0))
	for i := range all {
		all[i] = i
	}
	return NewReceiverNormalEquations(n, all)
}

// NewReceiverNormalEquations returns empty normal equations for the listed
// receivers (indices in [0, n)) of an n-neuron network: Add takes Y with one
// column per listed receiver, and SolveZeroDiagonal returns their rows of Ŵ
// (len(receivers)×n). This serves models whose messages depend on the
// receiver (N5: ψ*(u_j, a_i, a_j)): group receivers that share an embedding
// and solve each group with its own Ψ.
func NewReceiverNormalEquations(n int, receivers []int) (*NormalEquations, error) {
	if n < 2 {
		return nil, fmt.Errorf("eval: least squares needs at least 2 neurons, got %d", n)
	}
	if len(receivers) == 0 {
		return nil, fmt.Errorf("eval: least squares needs at least one receiver, got none")
	}
	for c, i := range receivers {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("eval: receiver %d is neuron %d, expected a neuron in [0, %d)", c, i, n)
		}
	}
	width := n + len(receivers)
	return &NormalEquations{n: n, receivers: append([]int(nil), receivers...), products: make([]float64, n*width)}, nil
}

// width is the row length of products and chunk: N + R.
func (e *NormalEquations) width() int { return e.n + len(e.receivers) }

// Frames returns how many frames have been added.
func (e *NormalEquations) Frames() int { return e.frames }

// MeanGramDiagonal returns the mean of G's diagonal, the average Σ_t Ψ[t,j]²
// per sender: multiply a relative ridge (say 1e-6) by it to get a ridge for
// SolveZeroDiagonal that does not depend on the number of frames.
func (e *NormalEquations) MeanGramDiagonal() float64 {
	var s float64
	for i := 0; i < e.n; i++ {
		s += e.products[i*e.width()+i]
	}
	return s / float64(e.n)
}

// Reset forgets every frame added so far.
func (e *NormalEquations) Reset() {
	clear(e.products)
	e.frames = 0
}

// Add accumulates frames rows of Ψ (frames×N) and Y (frames×R), row-major.
func (e *NormalEquations) Add(psi, y []float32, frames int) error {
	n, r, width := e.n, len(e.receivers), e.width()
	if frames < 0 || len(psi) != frames*n || len(y) != frames*r {
		return fmt.Errorf("eval: least squares got Ψ of %d and Y of %d values, expected %d frames × %d senders = %d and %d frames × %d receivers = %d",
			len(psi), len(y), frames, n, frames*n, frames, r, frames*r)
	}
	if e.chunk == nil {
		e.chunk = make([]float64, framesPerChunk*width)
	}
	for start := 0; start < frames; start += framesPerChunk {
		rows := min(framesPerChunk, frames-start)
		if err := e.fillChunk(psi, y, start, rows); err != nil {
			return err
		}
		// G += ΨᵀΨ (its upper triangle, the one the solve reads) and
		// B += Ψᵀ·Y: the chunk's first n columns are Ψ, the others Y.
		linalg.SyrkUpperTN(n, rows, 1, e.chunk, width, e.products, width)
		linalg.Gemm(true, false, n, r, rows, 1, e.chunk, width, e.chunk[n:], width, 1, e.products[n:], width)
	}
	e.frames += frames
	return nil
}

// fillChunk copies frames [start, start+rows) of Ψ and Y side by side into
// the float64 scratch, rejecting NaN and infinite values.
func (e *NormalEquations) fillChunk(psi, y []float32, start, rows int) error {
	n, r, width := e.n, len(e.receivers), e.width()
	for row := 0; row < rows; row++ {
		t := start + row
		dst := e.chunk[row*width : (row+1)*width]
		for j, v := range psi[t*n : (t+1)*n] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("eval: least-squares message Ψ at frame %d, sender %d is %v, expected a finite number", t, j, v)
			}
			dst[j] = float64(v)
		}
		for c, v := range y[t*r : (t+1)*r] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("eval: least-squares target Y at frame %d, receiver column %d is %v, expected a finite number", t, c, v)
			}
			dst[n+c] = float64(v)
		}
	}
	return nil
}

// SolveZeroDiagonal returns the rows of Ŵ (R×N, row-major, float32; the
// full N×N matrix when every neuron is a receiver) that minimise
// ‖Y − Ψ·Ŵᵀ‖² + ridge·‖Ŵ‖² with each receiver's self-weight Ŵ[i,i] = 0,
// exactly. The ridge is absolute (in units of Σ_t Ψ²; see MeanGramDiagonal).
// Memory: the accumulated products (16·N² bytes for all receivers) plus
// 16·N² bytes during the solve (18·N² at its peak), so about 2 GB at
// N = 8000.
//
// The solve is ops/linalg's zero-diagonal least squares, the trainer's
// too (linalg.FactorZeroDiagonal documents the method and the rule for the
// diagonal): A = G + ridge·I is inverted once by Cholesky and every
// receiver's constrained row follows from the inverse with one GEMM. The
// oracle's rule is the exact one: the given ridge only, no senders set
// aside as flat, and an error instead of a raised ridge or a
// pseudo-inverse.
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
	n, r := e.n, len(e.receivers)
	if ridge < 0 || math.IsNaN(ridge) || math.IsInf(ridge, 0) {
		return nil, fmt.Errorf("eval: least-squares ridge must be a finite number ≥ 0, got %v", ridge)
	}
	if e.frames == 0 {
		return nil, fmt.Errorf("eval: least squares has no frames, expected at least one call to Add")
	}
	sys, err := linalg.FactorZeroDiagonal(linalg.Gram{N: n, G: e.products, LD: e.width()}, linalg.RidgeRule{Ridge: ridge, Scale: 1})
	if errors.Is(err, linalg.ErrNotPositiveDefinite) {
		return nil, fmt.Errorf("eval: the %d×%d Gram matrix of the messages (from %d frames) is not positive definite with ridge %g: expected at least as many frames as neurons and linearly independent messages; pass a small ridge > 0",
			n, n, e.frames, ridge)
	}
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	// B is columns [N, N+R) of products.
	z := sys.Solve(e.products[n:], e.width(), r, e.receivers, nil)
	return sys.Weights(z, r, e.receivers), nil
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

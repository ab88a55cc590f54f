package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/linalg"
)

// Settings of the robust least-squares solve.
const (
	// maxCond is the largest condition number accepted from a Cholesky
	// factorisation: the Gram matrix comes from float32 tables, so weaker
	// directions are noise.
	maxCond = 1e8
	// maxRidge is the largest ridge (relative to the mean Gram diagonal)
	// tried before the pseudo-inverse.
	maxRidge = 1e-2
	// pinvCut drops eigenvalues below pinvCut·λmax in the pseudo-inverse.
	pinvCut = 1e-8
)

// robustRule is the trainer's regularisation of the exact Ŵ solve: the
// ridge (relative to the mean Gram diagonal, at least 10⁻¹²) raised tenfold
// while the system is singular or its condition number exceeds maxCond, up
// to maxRidge, then a pseudo-inverse: the solve never fails.
func robustRule(ridge float64) linalg.RidgeRule {
	return linalg.RidgeRule{Ridge: math.Max(ridge, 1e-12), MaxRidge: maxRidge, MaxCond: maxCond, PinvCut: pinvCut}
}

// flatSenders returns the senders whose ψ* column is constant over the F
// Gram frames to float32 precision: standard deviation below 10⁻⁵·(1 +
// |mean|). Such a column cannot be told apart from another constant column
// or from φ*'s offset, so the data do not determine its weights. (A column
// that varies a little still identifies its weights in noise-free data; the
// ridge, not exclusion, handles those.) sums and squares are the columns'
// sums and sums of squares in float64.
func flatSenders(sums, squares []float64, frames int) []int {
	f := float64(frames)
	var flat []int
	for j := range sums {
		mean := sums[j] / f
		std := math.Sqrt(math.Max(squares[j]/f-mean*mean, 0))
		if std < 1e-5*(1+math.Abs(mean)) {
			flat = append(flat, j)
		}
	}
	return flat
}

// robustSolve returns Ŵ (N×N, receiver-major) minimising, for every
// receiver i, ‖r_i − Ψ ŵ_i‖² + ρ·‖ŵ_i‖² subject to ŵ_i[i] = 0, given G =
// ΨᵀΨ and C = Ψᵀ R (column i for receiver i), both N×N in float64: the
// zero-diagonal solve of ops/linalg (linalg.FactorZeroDiagonal, which
// documents the method and the rule for the diagonal) under robustRule.
//
// The flat senders (constant columns) are solved for together: they add
// one constant per receiver, b_i = Σ_{j flat} ŵ_i[j]·m_j with m_j their
// constant ψ*, which the solve fits as an intercept; b_i is then spread over
// them in the minimum-norm way, ŵ_i[j] = b_i·m_j/Σ_k m_k². Leaving the
// constant out instead would push it onto the other senders' weights, or
// onto φ*, which cannot hold a per-receiver constant once neurons share
// embeddings. sums and rsum are Ψ's and R's column sums over the frames.
// work, when not nil, lends the factorisation its buffers.
func robustSolve(gram, cross []float64, n int, ridge float64, flat []int, sums, rsum []float64, frames int, work *linalg.Workspace) ([]float32, SolveReport) {
	sys := newLSSystem(gram, n, ridge, flat, sums, frames, work)
	if sys.size == 0 {
		return make([]float32, n*n), sys.rep
	}
	return sys.weights(sys.solveRHS(cross, rsum)), sys.rep
}

// lsSystem is the factorised system of robustSolve (a
// linalg.ZeroDiagonalSystem over all N receivers) with its report in the
// trainer's terms, ready for any number of right-hand sides (the own-term
// columns of ownterm.go reuse it).
type lsSystem struct {
	*linalg.ZeroDiagonalSystem
	n, size int
	rep     SolveReport
}

// newLSSystem factorises the system of robustSolve (see there) for the
// N×N Gram matrix gram; size 0 means every sender is flat. work, when not
// nil, lends it its buffers (the system is valid until work's next use).
func newLSSystem(gram []float64, n int, ridge float64, flat []int, sums []float64, frames int, work *linalg.Workspace) *lsSystem {
	sys, err := linalg.FactorZeroDiagonal(linalg.Gram{N: n, G: gram, LD: n, Flat: flat, Sums: sums, Frames: frames, Work: work}, robustRule(ridge))
	if err != nil {
		// robustRule has a pseudo-inverse fallback: only a malformed
		// system (a bug of the caller) gets here.
		panic("gnn: " + err.Error())
	}
	return &lsSystem{ZeroDiagonalSystem: sys, n: n, size: sys.Size(), rep: solveReport(sys, ridge)}
}

// solveReport is the trainer's report of a factorised system: linalg's
// regularisation, with "none: every sender's ψ* is flat" when no sender
// is active and neither a raised ridge nor the pseudo-inverse was needed
// (for the flat senders' intercept alone), and the starting ridge when
// there was nothing to factorise.
func solveReport(sys *linalg.ZeroDiagonalSystem, ridge float64) SolveReport {
	reg := sys.Report()
	rep := SolveReport{Method: reg.Method, Ridge: reg.Ridge, Cond: reg.Cond, Rank: reg.Rank}
	if sys.Size() == 0 {
		rep.Ridge = ridge
	}
	if sys.Active() == 0 && (reg.Method == "cholesky" || reg.Method == "none") {
		rep.Method = "none: every sender's ψ* is flat"
	}
	return rep
}

// solveRHS returns Z (n×size, row-major): row i is receiver i's solution
// over the system's unknowns with its own weight held at 0, for the cross
// products cross (n×n, column i for receiver i, row j for sender j) and,
// with an intercept, rsum (the right sides' column sums). The first call
// reuses the factor's storage when it is large enough.
func (sys *lsSystem) solveRHS(cross, rsum []float64) []float64 {
	return sys.Solve(cross, sys.n, sys.n, nil, rsum)
}

// weights turns the solutions Z of solveRHS into Ŵ (n×n, receiver-major):
// the active senders' weights as solved, and the intercept spread over the
// flat senders in the minimum-norm way.
func (sys *lsSystem) weights(z []float64) []float32 {
	return sys.Weights(z, sys.n, nil)
}

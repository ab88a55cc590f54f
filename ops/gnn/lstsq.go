package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
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
// ΨᵀΨ and C = Ψᵀ R (column i for receiver i), both N×N in float64. ρ starts
// at ridge·mean(diag G) and grows tenfold while the system is singular or
// its condition number exceeds maxCond, up to maxRidge; past that a
// pseudo-inverse (eigenvalues below pinvCut·λmax dropped) gives the
// minimum-norm solution. With X = G⁻¹C the constrained solution is
// ŵ_i = x_i − λ_i·G⁻¹e_i, λ_i = x_i[i] / (G⁻¹)_ii.
//
// The flat senders (constant columns) are solved for together: they add
// one constant per receiver, b_i = Σ_{j flat} ŵ_i[j]·m_j with m_j their
// constant ψ*, which the solve fits as an intercept; b_i is then spread over
// them in the minimum-norm way, ŵ_i[j] = b_i·m_j/Σ_k m_k². Leaving the
// constant out instead would push it onto the other senders' weights, or
// onto φ*, which cannot hold a per-receiver constant once neurons share
// embeddings. sums and rsum are Ψ's and R's column sums over the frames.
func robustSolve(gram, cross []float64, n int, ridge float64, flat []int, sums, rsum []float64, frames int) ([]float32, SolveReport) {
	sys := newLSSystem(gram, n, ridge, flat, sums, frames)
	if sys.size == 0 {
		return make([]float32, n*n), sys.rep
	}
	return sys.weights(sys.solveRHS(cross, rsum)), sys.rep
}

// lsSystem is the factorised system of robustSolve: the regularised
// inverse over the active senders (and the intercept of the flat ones),
// ready for any number of right-hand sides (the own-term columns of
// ownterm.go reuse it).
type lsSystem struct {
	n, na, size int
	active, pos []int
	flat        []int
	sums        []float64
	frames      int
	flatNorm    float64
	intercept   bool
	inv, spare  []float64
	rep         SolveReport
}

// newLSSystem factorises the system of robustSolve (see there); size 0
// means every sender is flat.
func newLSSystem(gram []float64, n int, ridge float64, flat []int, sums []float64, frames int) *lsSystem {
	rep := SolveReport{Method: "cholesky", Ridge: ridge}
	active, pos := activeSenders(n, flat)
	na := len(active)
	var flatNorm float64
	for _, j := range flat {
		m := sums[j] / float64(frames)
		flatNorm += m * m
	}
	intercept := len(flat) > 0 && flatNorm > 1e-12
	size := na
	if intercept {
		size++
	}
	sys := &lsSystem{n: n, na: na, size: size, active: active, pos: pos, flat: flat, sums: sums,
		frames: frames, flatNorm: flatNorm, intercept: intercept}
	if na == 0 {
		rep.Method = "none: every sender's ψ* is flat"
	}
	if size == 0 {
		sys.rep = rep
		return sys
	}
	// Gram and cross products of the system: the active senders, then the
	// intercept (a column of ones) when there is one.
	at := func(p, q int) float64 {
		switch {
		case p < na && q < na:
			return gram[active[p]*n+active[q]]
		case p < na:
			return sums[active[p]]
		case q < na:
			return sums[active[q]]
		}
		return float64(frames)
	}
	var meanDiag float64
	for p := 0; p < size; p++ {
		meanDiag += at(p, p)
	}
	meanDiag = math.Max(meanDiag/float64(size), 1e-300)
	var whole []float64 // A is the Gram matrix itself when no sender is flat
	if na == n {
		whole = gram
	}
	sys.inv, sys.spare = invertRegularised(at, whole, size, meanDiag, &rep)
	sys.rep = rep
	return sys
}

// solveRHS returns Z (n×size, row-major): row i is receiver i's solution
// over the system's unknowns with its own weight held at 0, for the cross
// products cross (n×n, column i for receiver i, row j for sender j) and,
// with an intercept, rsum (the right sides' column sums). The first call
// reuses the factor's storage when it is large enough.
func (sys *lsSystem) solveRHS(cross, rsum []float64) []float64 {
	n, na, size := sys.n, sys.na, sys.size
	// Cross products of the system, size×n: row p for sender active[p],
	// then the intercept's (R's column sums); cross itself when no sender
	// is flat.
	c := cross
	if na != n {
		c = make([]float64, size*n)
		for p, j := range sys.active {
			copy(c[p*n:(p+1)*n], cross[j*n:(j+1)*n])
		}
		if sys.intercept {
			copy(c[na*n:(na+1)*n], rsum)
		}
	}
	z := linalg.ZeroDiagonal(sys.inv, size, c, n, n, sys.pos, sys.spare)
	sys.spare = nil // z may live in it now
	return z
}

// weights turns the solutions Z of solveRHS into Ŵ (n×n, receiver-major):
// the active senders' weights as solved, and the intercept spread over the
// flat senders in the minimum-norm way.
func (sys *lsSystem) weights(z []float64) []float32 {
	n, na, size := sys.n, sys.na, sys.size
	w := make([]float32, n*n)
	frames := float64(sys.frames)
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := z[i*size : (i+1)*size]
			for q, j := range sys.active {
				if j != i {
					w[i*n+j] = float32(row[q])
				}
			}
			if sys.intercept {
				// spread over the flat senders other than i itself
				norm := sys.flatNorm
				if sys.pos[i] < 0 {
					mi := sys.sums[i] / frames
					norm -= mi * mi
				}
				if norm > 1e-12 {
					b := row[na]
					for _, j := range sys.flat {
						if j != i {
							w[i*n+j] = float32(b * sys.sums[j] / frames / norm)
						}
					}
				}
			}
		}
	})
	return w
}

// activeSenders lists the senders not in flat, and each neuron's position
// in that list (-1 for a flat one).
func activeSenders(n int, flat []int) (active, pos []int) {
	pos = make([]int, n)
	skip := make([]bool, n)
	for _, j := range flat {
		skip[j] = true
	}
	for j := 0; j < n; j++ {
		pos[j] = -1
		if !skip[j] {
			pos[j] = len(active)
			active = append(active, j)
		}
	}
	return active, pos
}

// invertRegularised returns the inverse (size×size, full symmetric,
// row-major) of the matrix A (entries at(p, q), read from its upper
// triangle) plus ρI, raising ρ (and recording it in rep) until the
// Cholesky factorisation (ops/linalg) succeeds with a condition number ≤
// maxCond, or the pseudo-inverse past maxRidge. gram, when not nil, is A
// itself (size×size, row-major: no sender flat), read directly. spare is
// size² values of scratch (the factor's storage) that the caller may
// reuse.
func invertRegularised(at func(p, q int) float64, gram []float64, size int, meanDiag float64, rep *SolveReport) (inv, spare []float64) {
	a := make([]float64, size*size)
	// fill writes A + reg·I into a's lower triangle (linalg's Cholesky
	// reads that one), entry (p, q) from at(q, p), q ≤ p, so along the
	// rows of the Gram matrix; straight from gram when A is gram itself.
	fill := func(reg float64) { linalg.FillLower(a, size, reg, at) }
	if gram != nil {
		fill = func(reg float64) { linalg.FillLowerMatrix(a, size, reg, gram, size) }
	}
	start := math.Max(rep.Ridge, 1e-12)
	for r := start; r <= maxRidge*1.0001; r *= 10 {
		fill(r * meanDiag)
		var chol linalg.Cholesky
		if ok := chol.Factorize(a, size); ok && chol.Cond() <= maxCond {
			rep.Ridge, rep.Cond, rep.Rank = r, chol.Cond(), size
			if r > start*1.0001 {
				rep.Method = "cholesky+ridge"
			}
			return chol.Inverse(nil), a
		}
	}
	rep.Method, rep.Ridge = "pseudo-inverse", 0
	sym := mat.NewSymDense(size, nil)
	for p := 0; p < size; p++ {
		for q := p; q < size; q++ {
			sym.SetSym(p, q, at(p, q))
		}
	}
	return pseudoInverse(sym, rep), a
}

// pseudoInverse returns V·diag(1/λ)·Vᵀ (row-major, full) over the
// eigenvalues λ ≥ pinvCut·λmax.
func pseudoInverse(sym *mat.SymDense, rep *SolveReport) []float64 {
	na := sym.SymmetricDim()
	var eig mat.EigenSym
	out := make([]float64, na*na)
	if !eig.Factorize(sym, true) {
		return out // no factorisation: Ŵ stays 0 for these senders
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	lmax := 0.0
	for _, l := range vals {
		lmax = math.Max(lmax, l)
	}
	v := mat.DenseCopyOf(&vecs).RawMatrix() // stride na
	scaled := make([]float64, na*na)
	kept := 0
	for k, l := range vals {
		f := 0.0
		if l > pinvCut*lmax {
			f = 1 / l
			kept++
		}
		for r := 0; r < na; r++ {
			scaled[r*na+k] = v.Data[r*v.Stride+k] * f
		}
	}
	linalg.Gemm(false, true, na, na, na, 1, scaled, na, v.Data, v.Stride, 0, out, na)
	rep.Rank, rep.Cond = kept, math.Inf(1)
	return out
}

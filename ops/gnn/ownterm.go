package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
)

// The own-term columns of the exact Ŵ solve.
//
// Each receiver's own term φ*(u_i) is, in a sparse network, reproduced by
// the other neurons' ψ*(u_j) almost exactly (Supp 8 at 5 % fill, N = 1000,
// T = 20,000: to 1 − R² = 7.5e-8): near its plateaus a neuron follows its
// inputs, so its own term is nearly minus its coupling. A solve of Ŵ alone
// against du − φ* then lets Ŵ absorb whatever φ* has not yet learned
// through the other neurons, the residual left to Adam is ~0, and φ* never
// learns the own term (it stays flat at 0 and W R² ≈ 0). The data still
// identify W once the own term has columns of its own: least squares with
// φ inside its true family (α + β·u + γ·tanh u, partialled out) recovers W
// to R² 0.9999 from the same frames.
//
// So the solve gives every receiver i a few columns of its own, functions
// of u_i alone, and solves them jointly with its row of Ŵ:
//
//	min ‖r_i − Ψ ŵ_i − B_i c_i‖² + ρ‖ŵ_i‖²,  ŵ_ii = 0,  r_i = du_i − φ*(u_i),
//
// with B_i's columns u_i, ψ*(u_i) and φ*(u_i). These are the terms a
// neuron's own dynamics are built from in the models of the paper and its
// supplements: a leak (u), the neuron's own transfer ψ* (exactly what the
// zero diagonal of Ŵ leaves out: a self-coupling Ŵ_ii·ψ*(u_i) is φ*'s to
// carry) and the current φ* itself (so that any shape φ* has learned is
// kept, rescaled where the data ask for it). No constant: phi_zero pins
// φ*(0) and a per-receiver offset already has a column through Ŵ (Σ_j ŵ_ij
// ψ̄*_j). No ridge on c_i: ρ then makes Ŵ the dearer way to explain the
// own term, where without these columns it was the only way.
//
// Numerics decide whether this works. In a sparse network the own term is
// reproduced by the others so closely that the information separating it
// from the coupling sits in ΨᵀΨ's eigenvalues some 10¹² below the largest.
// The first version of this solve (session 6) formed the products in
// float32 blocks, could therefore only be factorised with a ridge of
// 10⁻⁵–10⁻⁴, and eliminated c_i through the Gram inverse (Frisch–Waugh:
// S_i − U_iᵀP_iU_i, a difference of two nearly equal numbers). With the
// true ψ and φ* = 0 it recovered W at N = 1000, 5 % fill only to R² 0.47,
// and to 0.01–0.74 at N = 100 over eight wiring draws. Now (session 11):
//
//   - every product over the Gram frames is float64 (addOwn);
//   - the ridge is chosen on the validation frames from 10⁻¹³ up;
//   - ψ*(u_i) enters as Ψ's own column with ŵ_ii left free, and u_i and
//     φ*(u_i) are bordered onto the Cholesky factor L of ΨᵀΨ: with
//     Y_i = L⁻¹U_i (U_i = ΨᵀB_i), the Schur complement S_i − Y_iᵀY_i keeps
//     its digits (solveOwnBordered).
//
// With the true ψ and φ* = 0 that recovers W at N = 1000, 5 % fill to R²
// 1.0000, and at N = 100 on seeds 1–7 of 8 at 10 % fill
// (TestOwnTermSolveSparse). The cost is three float64 products per block of frames instead
// of one float32 product, and one more N³ (L⁻¹) per solve. The fitted own
// term B_i c_i is then applied to φ* (refitOwnTerm): φ* learns it, and the
// next solve finds c_i ≈ 0.

// ownBasisK is the number of own-term columns per receiver: u_i, ψ*(u_i),
// φ*(u_i).
const ownBasisK = 3

// ownCrossCols are the own columns (indices into ownBasis) bordered onto
// the Gram matrix: u_i and φ*(u_i). ψ*(u_i) is Ψ's own column i, taken by
// leaving ŵ_ii free.
var ownCrossCols = [2]int{0, 2}

// ownMaxCond is the largest condition estimate accepted by the own-term
// solve, whose Gram matrix is float64 throughout. Its ridges (ownRidges)
// reach far below the float32 solve's, because a sparse network's coupling
// lives in the Gram matrix's small eigenvalues (at N = 1000, 5 % fill,
// with the true ψ and φ: W R² 1.0000 at a ridge of 10⁻¹², 0.91 at 10⁻⁸).
const ownMaxCond = 1e15

// Settings of the φ* refit toward the fitted own term.
const (
	ownRefitGrid  = 24   // points per neuron over its activity range
	ownRefitRows  = 8192 // most points per refit (N = 1000: every third neuron)
	ownRefitSteps = 100  // Adam steps per solve
	ownRefitLR    = 5e-3
	// ownDropCol drops an own column whose variance left after the other
	// neurons' ψ* is below this fraction of its own (no information of its
	// own: float rounding).
	ownDropCol = 1e-12
	// ownEigCut drops eigen-directions of the scaled K×K system below this
	// fraction of its largest eigenvalue.
	ownEigCut = 1e-9
)

// ownTerm holds the sums of the own-term columns over the Gram frames and
// the last solve's coefficients.
type ownTerm struct {
	vals  []float32   // K blocks of rows×N: the columns' values in one block of frames
	cross [][]float64 // per column of ownCrossCols, N×N: [j*N+i] = Σ_t ψ*_tj·b_k(u_ti) (sender j, receiver i)
	// psi64 and col64 hold one block of frames' ψ* and one other column in
	// float64 for the products.
	psi64, col64 []float64
	sq           []float64   // N×K×K: Σ_t b_k(u_ti)·b_l(u_ti)
	rhs          []float64   // N×K: Σ_t b_k(u_ti)·r_ti
	sums         [][]float64 // K of N: Σ_t b_k(u_ti)
	coef         []float64   // N×K: the last solve's c_i (nil when the solve had none)
	// bias is the last bordered solve's constant per receiver (nil when the
	// solve had none): the receiver's own constant term, which the model
	// keeps as Model.bias rather than φ*, since φ* cannot hold a
	// per-receiver constant once neurons share embeddings.
	bias []float64
}

// ownTermApplies says whether the solve adds the own-term columns: not for
// models whose receivers are grouped (N5 has its own solve) and not with a
// hidden input (its rows are solved with the input, omega.go); and only
// when AlternatingConfig.OwnTerm asks for them.
func (s *wSolver) ownTermApplies() bool {
	m := s.m
	return s.cfg.OwnTerm && !m.spec.receiverGrouped() && m.inputIndex == nil && m.etab == nil
}

// ownBasis writes neuron i's own-term columns at activity v into b:
// u_i, ψ*(u_i), φ*(u_i), and with a fourth entry in b the constant 1
// (the sparse solve's own columns, stepOwnK).
func (s *wSolver) ownBasis(tb tables, i int, v float32, b []float32) {
	b[0] = v
	b[1] = tb.psiOf(i, v)
	b[2] = s.interp(tb.phi, i, s.cfg.Grid, v)
	if len(b) > ownBasisK {
		b[ownBasisK] = 1
	}
}

// startOwn clears the own-term sums before an accumulation.
func (s *wSolver) startOwn() {
	n := s.data.N
	o := s.own
	if o == nil {
		o = &ownTerm{}
		s.own = o
		for range ownCrossCols {
			o.cross = append(o.cross, make([]float64, n*n))
		}
		for k := 0; k < ownBasisK; k++ {
			o.sums = append(o.sums, make([]float64, n))
		}
		o.sq = make([]float64, n*ownBasisK*ownBasisK)
		o.rhs = make([]float64, n*ownBasisK)
	}
	for _, c := range o.cross {
		clear(c)
	}
	for _, c := range o.sums {
		clear(c)
	}
	clear(o.sq)
	clear(o.rhs)
	o.coef, o.bias = nil, nil
}

// addOwn adds one block of Gram frames (psiMat and resid filled for them)
// to the Gram matrix, the cross products and the own-term sums, every
// product in float64 (linalg.Gemm): a sparse network's coupling sits in
// directions of ΨᵀΨ some 10¹² below its largest, which float32 products
// lose (see the top of this file).
func (s *wSolver) addOwn(tb tables, frames []int) {
	n, rows, o := s.data.N, len(frames), s.own
	blk := rows * n
	if len(o.vals) < ownBasisK*blk {
		o.vals = make([]float32, ownBasisK*gramBlock*n)
		o.psi64 = make([]float64, gramBlock*n)
		o.col64 = make([]float64, gramBlock*n)
	}
	s.ownColumns(tb, frames, o.vals, blk, ownBasisK)
	psi, col := o.psi64[:blk], o.col64[:blk]
	widen(psi, s.psiMat[:blk])
	linalg.Gemm(true, false, n, n, rows, 1, psi, n, psi, n, 1, s.gram, n)
	widen(col, s.resid[:blk])
	linalg.Gemm(true, false, n, n, rows, 1, psi, n, col, n, 1, s.cross, n)
	for k, c := range ownCrossCols {
		widen(col, o.vals[c*blk:(c+1)*blk])
		linalg.Gemm(true, false, n, n, rows, 1, psi, n, col, n, 1, o.cross[k], n)
	}
	kk := ownBasisK * ownBasisK
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sq := o.sq[i*kk : (i+1)*kk]
			rhs := o.rhs[i*ownBasisK : (i+1)*ownBasisK]
			b := make([]float64, ownBasisK)
			for k := 0; k < rows; k++ {
				r := float64(s.resid[k*n+i])
				for c := 0; c < ownBasisK; c++ {
					b[c] = float64(o.vals[c*blk+k*n+i])
				}
				for c := 0; c < ownBasisK; c++ {
					o.sums[c][i] += b[c]
					rhs[c] += b[c] * r
					for d := 0; d < ownBasisK; d++ {
						sq[c*ownBasisK+d] += b[c] * b[d]
					}
				}
			}
		}
	})
}

// ownColumns writes the first k own columns of ownBasis for the given
// frames into own (column c of frame q and receiver i at c*ld + q*n + i).
func (s *wSolver) ownColumns(tb tables, frames []int, own []float32, ld, k int) {
	n := s.data.N
	nn.ParallelRows(len(frames), func(q0, q1 int) {
		b := make([]float32, k)
		for q := q0; q < q1; q++ {
			u := s.data.U[frames[q]*n : (frames[q]+1)*n]
			for i, v := range u {
				s.ownBasis(tb, i, v, b)
				for c, x := range b {
					own[c*ld+q*n+i] = x
				}
			}
		}
	})
}

// widen copies src into dst as float64, in parallel.
func widen(dst []float64, src []float32) {
	nn.ParallelRows(len(src), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			dst[k] = float64(src[k])
		}
	})
}

// solveOwnBordered is the exact solve with the own-term columns: for every
// receiver i, the least-squares fit of r_i = du_i − φ*(u_i) by Ψŵ_i with
// ŵ_ii free (it multiplies ψ*(u_i), the own column that Ψ already holds)
// and the columns u_i and φ*(u_i), on the Cholesky factor L of ΨᵀΨ over
// the active senders (flat senders get weight 0). With Y_i = L⁻¹U_i (U_i
// the own columns' cross products with the senders) and y_i = L⁻¹Ψᵀr_i,
// the own coefficients solve the 2×2 Schur system (S_i − Y_iᵀY_i)·c_i =
// B_iᵀr_i − Y_iᵀy_i and ŵ_i = L⁻ᵀ(y_i − Y_i c_i): the bordered Cholesky,
// whose Schur complements keep their digits where the Frisch–Waugh form on
// the inverse (S_i − U_iᵀG⁻¹U_i) cancels them away.
//
// The ridge (relative to the mean diagonal) is chosen on the validation
// frames among ownRidges: the smallest recovers a sparse W exactly once φ*
// and ψ* are right, but while ψ* is still wrong it turns ψ*'s errors into
// large weights. Each candidate is raised tenfold while the factorisation
// fails or its condition exceeds ownMaxCond. Without validation frames the
// smallest that factorises is taken. It returns Ŵ with a zero diagonal and
// the own coefficients in s.own.coef, in ownBasis's order (u_i, ψ*(u_i),
// φ*(u_i)); ok is false when no ridge up to maxRidge factorised (the
// caller then solves without the columns).
func (s *wSolver) solveOwnBordered(tb tables, flat []int) (w []float32, rep SolveReport, ok bool) {
	n := s.data.N
	active, pos := activeSenderIndex(n, flat)
	if len(active) == 0 {
		return nil, rep, false
	}
	if len(s.val) > 0 {
		s.fill(tb, s.val)
	}
	best := math.Inf(1)
	var bestCoef, bestBias []float64
	for _, r0 := range ownRidges {
		cw, coef, bias, crep, done := s.borderedAt(active, pos, r0)
		if !done {
			continue
		}
		if len(s.val) == 0 {
			w, rep, bestCoef, bestBias = cw, crep, coef, bias
			break
		}
		s.own.coef, s.own.bias = coef, bias
		if e := s.ownValError(tb, cw); e < best {
			best, w, rep, bestCoef, bestBias = e, cw, crep, coef, bias
		}
	}
	s.own.coef, s.own.bias = bestCoef, bestBias
	return w, rep, w != nil
}

// ownRidges are the ridges solveOwnBordered tries (relative to the mean
// Gram diagonal).
var ownRidges = []float64{1e-13, 1e-10, 1e-7, 1e-4}

// borderedAt is solveOwnBordered's solve at one starting ridge r0.
func (s *wSolver) borderedAt(active, pos []int, r0 float64) (w []float32, coef, bias []float64, rep SolveReport, ok bool) {
	n, o, na := s.data.N, s.own, len(active)
	var chol linalg.Cholesky
	ridge, cond := s.factorActive(&chol, active, r0)
	if cond == 0 {
		return nil, nil, nil, rep, false
	}
	rep = SolveReport{Method: "cholesky, own-term columns (float64)", Ridge: ridge, Cond: cond, Rank: na}
	if ridge > r0*1.0001 {
		rep.Method = "cholesky+ridge, own-term columns (float64)"
	}
	// Rows per receiver: y_i, then Y_i's two columns, over the active
	// senders; the constant column's row is the same for every receiver.
	y := gatherRows(s.cross, n, active)
	yc := [2][]float64{gatherRows(o.cross[0], n, active), gatherRows(o.cross[1], n, active)}
	one := make([]float64, na)
	for p, j := range active {
		one[p] = s.colSum[j]
	}
	k := len(ownCrossCols)
	if s.constant {
		k++
	}
	chol.ForwardRows(y, n)
	chol.ForwardRows(yc[0], n)
	chol.ForwardRows(yc[1], n)
	chol.ForwardRows(one, 1)
	coef, bias = make([]float64, n*ownBasisK), make([]float64, n)
	nn.ParallelRows(n, func(lo, hi int) {
		sys := newBorderedRow(k)
		for i := lo; i < hi; i++ {
			yi := y[i*na : (i+1)*na]
			cols := [3][]float64{yc[0][i*na : (i+1)*na], yc[1][i*na : (i+1)*na], one}
			c := sys.solve(o, s, i, yi, cols[:k])
			for p, bp := range ownCrossCols {
				coef[i*ownBasisK+bp] = c[p]
			}
			if s.constant {
				bias[i] = c[len(ownCrossCols)]
			}
			for p, cp := range c {
				if cp != 0 {
					for q, v := range cols[p] {
						yi[q] -= cp * v
					}
				}
			}
		}
	})
	if !s.constant {
		bias = nil
	}
	linv := chol.InverseFactor(nil)
	wa := make([]float64, n*na)
	linalg.Gemm(false, false, n, na, na, 1, y, na, linv, na, 0, wa, na)
	w = make([]float32, n*n)
	for i := 0; i < n; i++ {
		for p, j := range active {
			w[i*n+j] = float32(wa[i*na+p])
		}
		if pos[i] >= 0 { // ŵ_ii is the own ψ* term's coefficient
			coef[i*ownBasisK+1] = wa[i*na+pos[i]]
			w[i*n+i] = 0
		}
	}
	return w, coef, bias, rep, true
}

// borderedRow is one receiver's Schur system of the bordered solve: its
// own columns u_i and φ*(u_i) (ownCrossCols) and the constant 1.
type borderedRow struct {
	a          *mat.SymDense
	b, diag, s []float64
}

func newBorderedRow(k int) *borderedRow {
	return &borderedRow{a: mat.NewSymDense(k, nil), b: make([]float64, k), diag: make([]float64, k), s: make([]float64, k*k)}
}

// solve returns receiver i's coefficients of the own columns and of the
// constant, given y_i = L⁻¹Ψᵀr_i and the columns' L⁻¹Ψᵀb (cols, in the
// order u_i, φ*(u_i), 1).
func (r *borderedRow) solve(o *ownTerm, s *wSolver, i int, yi []float64, cols [][]float64) []float64 {
	k, kk := len(cols), ownBasisK*ownBasisK
	sq, br := o.sq[i*kk:(i+1)*kk], o.rhs[i*ownBasisK:(i+1)*ownBasisK]
	last := len(ownCrossCols) // the constant's index, when k has it
	// Inner products of the own columns and the constant over the frames.
	for p, bp := range ownCrossCols {
		for q, bq := range ownCrossCols {
			r.s[p*k+q] = sq[bp*ownBasisK+bq]
		}
		if last < k {
			r.s[p*k+last], r.s[last*k+p] = o.sums[bp][i], o.sums[bp][i]
		}
		r.b[p] = br[bp]
	}
	if last < k {
		r.s[last*k+last], r.b[last] = float64(len(s.frames)), s.rsum[i]
	}
	for p := 0; p < k; p++ {
		r.b[p] -= dotF64(cols[p], yi)
		r.diag[p] = r.s[p*k+p]
		for q := p; q < k; q++ {
			r.a.SetSym(p, q, r.s[p*k+q]-dotF64(cols[p], cols[q]))
		}
	}
	return solveSmallSym(r.a, r.b, r.diag)
}

// ownValError is the mean squared error over the validation frames of
// Ŵ = w with the own terms of s.own.coef.
func (s *wSolver) ownValError(tb tables, w []float32) float64 {
	return s.valError(tb, w, true) // psirefit.go
}

// factorActive factorises ΨᵀΨ over the active senders plus the ridge
// (relative to its mean diagonal), from r0 up tenfold to maxRidge
// until the factorisation succeeds with a condition below ownMaxCond, and
// returns the ridge and the condition estimate (0: no ridge worked).
func (s *wSolver) factorActive(chol *linalg.Cholesky, active []int, r0 float64) (ridge, cond float64) {
	n, na := s.data.N, len(active)
	var md float64
	for _, j := range active {
		md += s.gram[j*n+j]
	}
	md = math.Max(md/float64(na), 1e-300)
	f := make([]float64, na*na)
	for r := r0; r <= maxRidge*1.0001; r *= 10 {
		nn.ParallelRows(na, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				row := s.gram[active[p]*n:]
				for q := 0; q <= p; q++ {
					f[p*na+q] = row[active[q]]
				}
				f[p*na+p] += r * md
			}
		})
		if chol.Factorize(f, na) && chol.Cond() <= ownMaxCond {
			return r, chol.Cond()
		}
	}
	return 0, 0
}

// activeSenderIndex returns the senders not in flat, in order, and each
// neuron's position among them (−1 for a flat one).
func activeSenderIndex(n int, flat []int) (active, pos []int) {
	pos = make([]int, n)
	for _, j := range flat {
		pos[j] = -1
	}
	for j := range pos {
		if pos[j] == 0 {
			pos[j] = len(active)
			active = append(active, j)
		}
	}
	return active, pos
}

// gatherRows returns the n×len(active) matrix whose row i is column i of
// the n×n sender-major cross (entry [j·n+i]: sender j, receiver i) over the
// active senders.
func gatherRows(cross []float64, n int, active []int) []float64 {
	na := len(active)
	out := make([]float64, n*na)
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for p, j := range active {
				out[i*na+p] = cross[j*n+i]
			}
		}
	})
	return out
}

// dotF64 returns Σ x[k]·y[k].
func dotF64(x, y []float64) float64 {
	var s float64
	for k, v := range x {
		s += v * y[k]
	}
	return s
}

// ownCols are one own-term column's cross products with the senders over
// the system's unknowns (U_k: the rows of linalg.ZeroDiagonalSystem's
// Restrict): receiver c's entry at unknown p is c[p·ld + off + c].
type ownCols struct {
	c       []float64
	ld, off int
}

// ownJoint is one joint solve of receivers' rows of Ŵ with k own-term
// columns each, against the one factorised Gram inverse (Frisch–Waugh; see
// the top of this file and n5own.go). N2's solve (solveOwn) and N5's group
// solve (solveGroupOwn) differ only in where these numbers come from: N2
// solves every neuron against one Gram matrix with the columns u_i, ψ*(u_i),
// φ*(u_i); N5 solves each receiver group against its own, with ψ* of the
// group's embedding.
type ownJoint struct {
	k, size int
	// z holds the residual's zero-diagonal solutions P_i Ψᵀr_i (r×size),
	// replaced in place by the joint ones, ŵ_i = P_i (Ψᵀr_i − U_i c_i).
	z []float64
	// y holds, per own column k, its zero-diagonal solutions P_i U_ik
	// (r×size each).
	y [][]float64
	// u holds, per own column k, its cross products U_k.
	u []ownCols
	// bb (r×k×k, upper triangle read) and br (r×k) are the own columns'
	// inner products B_iᵀB_i and B_iᵀr_i over the Gram frames.
	bb, br []float64
}

// solve solves the r receivers' own-term coefficients c_i (the minimum-norm
// solution of (S_i − U_iᵀP_iU_i) c_i = B_iᵀr_i − U_iᵀP_iΨᵀr_i by
// solveSmallSym), writes them into coef at receivers[c]·k (receivers nil:
// receiver c is neuron c), and removes U_i c_i's share from z.
func (j *ownJoint) solve(r int, receivers []int, coef []float64) {
	k, size := j.k, j.size
	nn.ParallelRows(r, func(lo, hi int) {
		a := mat.NewSymDense(k, nil)
		b := make([]float64, k)
		diag := make([]float64, k)
		for c := lo; c < hi; c++ {
			zc := j.z[c*size : (c+1)*size]
			bb, br := j.bb[c*k*k:(c+1)*k*k], j.br[c*k:(c+1)*k]
			for p := 0; p < k; p++ {
				uk := j.u[p]
				var uz float64
				for q := 0; q < size; q++ {
					uz += uk.c[q*uk.ld+uk.off+c] * zc[q]
				}
				b[p] = br[p] - uz
				diag[p] = bb[p*k+p]
				for l := p; l < k; l++ {
					yl := j.y[l][c*size : (c+1)*size]
					var uy float64
					for q := 0; q < size; q++ {
						uy += uk.c[q*uk.ld+uk.off+c] * yl[q]
					}
					a.SetSym(p, l, bb[p*k+l]-uy)
				}
			}
			x := solveSmallSym(a, b, diag)
			i := c
			if receivers != nil {
				i = receivers[c]
			}
			copy(coef[i*k:(i+1)*k], x)
			for p, xp := range x {
				if xp == 0 {
					continue
				}
				yp := j.y[p][c*size : (c+1)*size]
				for q := range zc {
					zc[q] -= xp * yp[q]
				}
			}
		}
	})
}

// solveSmallSym solves the K×K symmetric positive semi-definite system
// a·c = b in the minimum-norm way after Jacobi scaling: a column whose
// remaining diagonal is below ownDropCol of its raw sum of squares (diag)
// is left at 0 (no information of its own beyond the other neurons' ψ*),
// and eigen-directions below ownEigCut of the largest are dropped
// (linalg.MinNormSolve). The N2 and the N5 own-term solves share it.
func solveSmallSym(a *mat.SymDense, b, diag []float64) []float64 {
	k := len(b)
	c := make([]float64, k)
	var keep []int
	for p := 0; p < k; p++ {
		if d := a.At(p, p); d > 0 && d > ownDropCol*diag[p] {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return c
	}
	m := len(keep)
	scale := make([]float64, m)
	for q, p := range keep {
		scale[q] = 1 / math.Sqrt(a.At(p, p))
	}
	sa := mat.NewSymDense(m, nil)
	for q, p := range keep {
		for r := q; r < m; r++ {
			sa.SetSym(q, r, a.At(p, keep[r])*scale[q]*scale[r])
		}
	}
	sb := make([]float64, m)
	for q, p := range keep {
		sb[q] = b[p] * scale[q]
	}
	x := linalg.MinNormSolve(sa, sb, ownEigCut)
	for q, p := range keep {
		c[p] = x[q] * scale[q]
	}
	return c
}

// addOwnPrediction adds α·B_i c_i to the predictions pred (frames×N) of the
// given frames (c_i has ownBasisK or stepOwnK entries, as s.own.coef's
// length says).
func (s *wSolver) addOwnPrediction(tb tables, frames []int, pred []float32, alpha float64) {
	n, coef := s.data.N, s.own.coef
	kc := len(coef) / n
	nn.ParallelRows(len(frames), func(lo, hi int) {
		b := make([]float32, kc)
		for k := lo; k < hi; k++ {
			u := s.data.U[frames[k]*n : (frames[k]+1)*n]
			for i, v := range u {
				s.ownBasis(tb, i, v, b)
				var add float64
				for c := 0; c < kc; c++ {
					add += coef[i*kc+c] * float64(b[c])
				}
				if s.own.bias != nil {
					add += s.own.bias[i]
				}
				pred[k*n+i] += float32(alpha * add)
			}
		}
	})
}

// refitOwnTerm trains φ* toward φ* + α·B_i c_i over every neuron's activity
// range (ownRefitGrid points each, ownRefitSteps Adam steps), so that φ*
// carries the own term the solve fitted. It returns the relative squared
// error left (mean squared error of φ* against the targets over their
// variance), or NaN when there was nothing to refit.
func (s *wSolver) refitOwnTerm(tb tables, alpha float64) float64 {
	o := s.own
	if o == nil || o.coef == nil || alpha == 0 {
		return math.NaN()
	}
	m, n := s.m, s.data.N
	stride, offset := s.refitSubset()
	var pick []int
	for i := offset; i < n; i += stride {
		pick = append(pick, i)
	}
	// The embeddings move too where only φ* sees them: the own terms differ
	// per neuron (per type), and φ* can tell neurons apart only by a_i.
	trainA := m.spec.EmbeddingDim > 0 && m.spec.PsiShared() && !s.freezeA && m.freezeEpochs == 0
	return s.refitPhiOwn(ownRefit{pick: pick, k: len(o.coef) / n, coef: o.coef, alpha: alpha,
		steps: ownRefitSteps, lr: ownRefitLR, trainA: trainA,
		basis: func(p int, v float32, b []float32) { s.ownBasis(tb, pick[p], v, b) }})
}

// refitSubset returns the stride and offset of the neurons a refit of φ*
// toward the fitted own terms takes (every stride-th from offset): all of
// them up to ownRefitRows points, beyond a subset whose offset changes with
// the step count from solve to solve (φ* is shared, so the others follow).
func (s *wSolver) refitSubset() (stride, offset int) {
	stride = (s.data.N*ownRefitGrid + ownRefitRows - 1) / ownRefitRows
	offset = int((uint64(s.m.track.Steps)*0x9E3779B97F4A7C15)>>33) % stride
	return stride, offset
}

// ownRefit is one refit of φ* toward its fitted own terms; what differs
// between N2 (refitOwnTerm) and N5 (n5RefitPhi) is data: the neurons, their
// own columns, the Adam schedule, and whether the embeddings move.
type ownRefit struct {
	pick  []int                               // the neurons refitted, in row order
	k     int                                 // own columns per neuron
	basis func(p int, v float32, b []float32) // writes pick[p]'s own columns at activity v into b
	coef  []float64                           // N×k: the solve's c_i
	alpha float64                             // the share of the solve applied
	steps int                                 // Adam steps
	lr    float64                             // Adam learning rate
	// trainA moves the embeddings with φ*; keepGrads restores φ*'s
	// gradients afterwards (else they are left at zero).
	trainA, keepGrads bool
}

// refitPhiOwn trains φ* toward φ*(u, a_i) + α·B_i(u)·c_i on ownRefitGrid
// points over each picked neuron's activity range, and returns the relative
// squared error left (mean squared error of φ* against the targets over
// their variance).
func (s *wSolver) refitPhiOwn(r ownRefit) float64 {
	m, n, g := s.m, s.data.N, ownRefitGrid
	d := m.spec.EmbeddingDim
	rows := len(r.pick) * g
	x := make([]float32, rows*(1+d))
	target := make([]float32, rows)
	b := make([]float32, r.k)
	for p, i := range r.pick {
		step := (s.hi[i] - s.lo[i]) / float32(g-1)
		for k := 0; k < g; k++ {
			v := s.lo[i] + float32(k)*step
			row := p*g + k
			xr := x[row*(1+d) : (row+1)*(1+d)]
			xr[0] = v
			copy(xr[1:], m.a[i*d:(i+1)*d])
			r.basis(p, v, b)
			var add float64
			for c := 0; c < r.k; c++ {
				add += r.coef[i*r.k+c] * float64(b[c])
			}
			target[row] = float32(r.alpha * add)
		}
	}
	w := m.phi.NewWork(rows)
	cur := m.phi.Forward(w, x, rows)
	var mean, vr float64
	for row := range target {
		target[row] += cur[row]
		mean += float64(target[row])
	}
	mean /= float64(rows)
	for _, t := range target {
		vr += (float64(t) - mean) * (float64(t) - mean)
	}
	var saved []float32
	if r.keepGrads {
		saved = append([]float32(nil), m.phi.Grads...)
	}
	opt := nn.NewAdam()
	opt.Add("phi", m.phi.Params, m.phi.Grads, r.lr)
	var dx, ga []float32
	if r.trainA {
		dx = make([]float32, rows*(1+d))
		ga = make([]float32, n*d)
		opt.Add("a", m.a, ga, r.lr)
	}
	dy := make([]float32, rows)
	var mse float64
	for st := 0; st <= r.steps; st++ {
		if r.trainA && st > 0 {
			for p, i := range r.pick {
				for k := 0; k < g; k++ {
					copy(x[(p*g+k)*(1+d)+1:(p*g+k+1)*(1+d)], m.a[i*d:(i+1)*d])
				}
			}
		}
		y := m.phi.Forward(w, x, rows)
		mse = 0
		for row := range y {
			diff := y[row] - target[row]
			mse += float64(diff) * float64(diff)
			dy[row] = 2 * diff / float32(rows)
		}
		if st == r.steps {
			break
		}
		m.phi.ZeroGrads()
		m.phi.Backward(w, dy, dx)
		if r.trainA {
			clear(ga)
			for row := 0; row < rows; row++ {
				i := r.pick[row/g]
				for e := 0; e < d; e++ {
					ga[i*d+e] += dx[row*(1+d)+1+e]
				}
			}
		}
		opt.Step()
	}
	if r.keepGrads {
		copy(m.phi.Grads, saved)
	} else {
		m.phi.ZeroGrads()
	}
	return mse / math.Max(vr, 1e-30)
}

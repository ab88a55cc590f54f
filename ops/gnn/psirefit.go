package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
)

// A shared ψ* as a curve, for the joint steps of psistep.go.
//
// For fixed Ŵ and φ* the model du_i − φ*(u_i) = Σ_j ŵ_ij ψ*(u_j) is linear
// in ψ*. With ψ* piecewise linear on K knots over the activity range,
// ψ*(u) = Σ_b θ_b h_b(u) (h_b the hat functions), it is linear in θ:
//
//	r_ti = Σ_b θ_b F_t[b, i],  F_t[b, i] = Σ_j ŵ_ij h_b(u_tj),
//
// F_t costs two scaled copies of a column of Ŵ per sender (each u_tj lies in
// one cell, touching two hats), so a frame costs 2N² multiply-adds and no
// N² tensor is formed. Solving θ alone for fixed Ŵ (alternating least
// squares) crawls: in a sparse network Ŵ's rows absorb most of a change of
// ψ*, so each alternation moves little (N = 400, 5 % fill, from
// tanh(0.5u): W R² 0.83 → 0.89 in five alternations). The step of
// psistep.go is Gauss–Newton on the variable-projection problem, where Ŵ's
// rows are projected out (0.83 → 0.988 in one step).

// psiCurve is a shared ψ* given by its values at evenly spaced knots.
type psiCurve struct {
	lo, hi float32
	vals   []float32
}

// at interpolates the curve at u (linearly extrapolated beyond its ends).
func (c *psiCurve) at(u float32) float32 {
	return lerp(c.vals, (u-c.lo)*float32(len(c.vals)-1)/(c.hi-c.lo))
}

// psiRefitFrames is the most frames a joint step reads (strided over the
// Gram frames): psiKnots unknowns from N equations per frame, and each
// row's support well below the frame count.
const psiRefitFrames = 1000

// psiRefitBlock is the number of frames whose F_t are stacked for one
// product.
const psiRefitBlock = 32

// psiRefitSmooth is the weight of the second-difference penalty on θ,
// relative to the mean diagonal of the normal equations: it fills knots the
// data rarely reach without bending the well-sampled ones.
const psiRefitSmooth = 1e-4

// psiKnotsOf samples the solve's shared ψ* table at knots evenly spaced
// points over [lo, hi].
func psiKnotsOf(tb tables, lo, hi float32, knots int) []float64 {
	th := make([]float64, knots)
	for k := range th {
		u := lo + (hi-lo)*float32(k)/float32(knots-1)
		th[k] = float64(lerp(tb.shared, (u-tb.sharedLo)*tb.sharedScale))
	}
	return th
}

// solveStep solves (M + μ·diag(M) + λDᵀD)δ = g − λDᵀDθ0 with a small
// Levenberg–Marquardt damping μ (psiStepDamping) and a second-difference
// smoothing λ of θ0 + δ (psiRefitSmooth times M's mean diagonal); it
// returns δ = 0 when the system does not factorise.
func solveStep(m, g, theta0 []float64, k int) []float64 {
	var tr float64
	for i := 0; i < k; i++ {
		tr += m[i*k+i]
	}
	lam := psiRefitSmooth * tr / float64(k)
	sym := mat.NewSymDense(k, nil)
	rhs := append([]float64(nil), g...)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			sym.SetSym(i, j, m[i*k+j])
		}
		sym.SetSym(i, i, m[i*k+i]*(1+psiStepDamping)+1e-12*tr)
	}
	d := [3]float64{1, -2, 1}
	for r := 0; r+2 < k; r++ {
		var dt float64
		for p := 0; p < 3; p++ {
			dt += d[p] * theta0[r+p]
		}
		for p := 0; p < 3; p++ {
			rhs[r+p] -= lam * d[p] * dt
			for q := p; q < 3; q++ {
				sym.SetSym(r+p, r+q, sym.At(r+p, r+q)+lam*d[p]*d[q])
			}
		}
	}
	var chol mat.Cholesky
	delta := make([]float64, k)
	if !chol.Factorize(sym) {
		return delta
	}
	x := mat.NewVecDense(k, delta)
	if chol.SolveVecTo(x, mat.NewVecDense(k, rhs)) != nil {
		return make([]float64, k)
	}
	return delta
}

// psiStepDamping is the Levenberg–Marquardt damping of the Gauss–Newton
// step, relative to each diagonal entry: ψ*'s scale is free against Ŵ's,
// so the reduced matrix is singular along θ itself.
const psiStepDamping = 1e-3

// subsetGram returns ΨᵀΨ (N×N, float64, both triangles) over the given
// frames, in float32 blocks of gramBlock frames summed in float64.
func (s *wSolver) subsetGram(tb tables, frames []int) []float64 {
	n := s.data.N
	g := make([]float64, n*n)
	for b0 := 0; b0 < len(frames); b0 += gramBlock {
		fr := frames[b0:min(b0+gramBlock, len(frames))]
		s.fillRaw(tb, fr)
		s.scratch = nn.GramTN(s.psiMat[:len(fr)*n], len(fr), n, s.blockG, s.resid[:len(fr)*n], n, s.blockC, s.scratch)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				g[i*n+j] += float64(s.blockG[i*n+j])
			}
		}
	}
	mirrorUpper(g, n)
	return g
}

// psiKnots is the number of knots of the shared ψ*'s Gauss–Newton step.
const psiKnots = 96

// psiStepApplies says whether a solve is followed by a Gauss–Newton step
// on the shared ψ*: only after the sparse solve (whose rows have supports
// small enough for the step's per-row blocks), for a shared ψ* and no
// hidden input.
func (s *wSolver) psiStepApplies() bool {
	return s.cfg.SparsePenalty > 0 && s.m.spec.PsiShared() && !s.m.spec.receiverGrouped() &&
		s.m.inputIndex == nil && s.m.etab == nil && !s.useOwn
}

// valError is the mean squared error of Ŵ = w on the validation frames
// with the tables tb, with own the own terms of s.own.coef added (+Inf
// without validation frames, so that no step is undone for want of them).
func (s *wSolver) valError(tb tables, w []float32, own bool) float64 {
	n, v := s.data.N, len(s.val)
	if v == 0 {
		return math.Inf(1)
	}
	s.fill(tb, s.val)
	pred := make([]float32, v*n)
	nn.Gemm(false, true, v, n, n, 1, s.psiMat[:v*n], n, w, n, 0, pred, n)
	if own {
		s.addOwnPrediction(tb, s.val, pred, 1)
	}
	var e float64
	for k, p := range pred {
		d := float64(s.resid[k] - p)
		e += d * d
	}
	return e / float64(len(pred))
}

package gnn

import (
	"sync"

	"github.com/ngs-lab/ngs/ops/linalg"
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
)

// The exact refit of a shared ψ* given Ŵ.
//
// For fixed Ŵ and φ* the model du_i − φ*(u_i) = Σ_j ŵ_ij ψ*(u_j) is linear
// in ψ*. With ψ* piecewise linear on K knots over the activity range,
// ψ*(u) = Σ_b θ_b h_b(u) (h_b the hat functions), it is linear in θ:
//
//	r_ti = Σ_b θ_b F_t[b, i],  F_t[b, i] = Σ_j ŵ_ij h_b(u_tj),
//
// and θ is a least-squares solve of K unknowns from N equations per frame.
// F_t costs two scaled copies of a column of Ŵ per sender (each u_tj lies in
// one cell, touching two hats), so a frame costs 2N² multiply-adds and no
// N² tensor is formed.

// psiCurve is a shared ψ* given by its values at evenly spaced knots.
type psiCurve struct {
	lo, hi float32
	vals   []float32
}

// at interpolates the curve at u (constant beyond the knots).
func (c *psiCurve) at(u float32) float32 {
	return lerp(c.vals, (u-c.lo)*float32(len(c.vals)-1)/(c.hi-c.lo))
}

// psiRefitFrames is the most frames a ψ* refit reads (strided over the Gram
// frames): K ≤ 64 unknowns from N equations per frame.
const psiRefitFrames = 1000

// psiRefitBlock is the number of frames whose F_t are stacked for one
// product.
const psiRefitBlock = 32

// psiRefitSmooth is the weight of the second-difference penalty on θ,
// relative to the mean diagonal of the normal equations: it fills knots the
// data rarely reach without bending the well-sampled ones.
const psiRefitSmooth = 1e-4

// fitSharedPsi solves for the shared ψ* on knots points over the whole
// activity range, given the model's Ŵ and φ* (tb.phi), by least squares
// over (up to psiRefitFrames of) the Gram frames.
func (s *wSolver) fitSharedPsi(tb tables, knots int) *psiCurve {
	n := s.data.N
	lo, hi := s.lo[0], s.hi[0]
	for i := range s.lo {
		lo, hi = min(lo, s.lo[i]), max(hi, s.hi[i])
	}
	scale := float32(knots-1) / (hi - lo)
	wt := make([]float32, n*n) // sender-major Ŵᵀ
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			wt[j*n+i] = s.m.w[i*n+j]
		}
	}
	frames := strided(s.frames, psiRefitFrames)
	ata := make([]float32, knots*knots)
	atb := make([]float32, knots)
	a64 := make([]float64, knots*knots)
	b64 := make([]float64, knots)
	f := make([]float32, knots*psiRefitBlock*n)
	y := make([]float32, psiRefitBlock*n)
	for b0 := 0; b0 < len(frames); b0 += psiRefitBlock {
		fr := frames[b0:min(b0+psiRefitBlock, len(frames))]
		s.fillRaw(tb, fr)
		cols := len(fr) * n
		clear(f)
		nn.ParallelRows(len(fr), func(k0, k1 int) {
			for k := k0; k < k1; k++ {
				u := s.data.U[fr[k]*n : (fr[k]+1)*n]
				for j, v := range u {
					p := (v - lo) * scale
					c := min(max(int(p), 0), knots-2)
					t := min(max(p-float32(c), 0), 1)
					col := wt[j*n : (j+1)*n]
					f0 := f[c*psiRefitBlock*n+k*n:]
					f1 := f[(c+1)*psiRefitBlock*n+k*n:]
					for i, w := range col {
						f0[i] += (1 - t) * w
						f1[i] += t * w
					}
				}
				copy(y[k*n:(k+1)*n], s.resid[k*n:(k+1)*n])
			}
		})
		ld := psiRefitBlock * n
		nn.Gemm(false, true, knots, knots, cols, 1, f, ld, f, ld, 0, ata, knots)
		nn.Gemm(false, true, knots, 1, cols, 1, f, ld, y, ld, 0, atb, 1)
		for k, v := range ata {
			a64[k] += float64(v)
		}
		for k, v := range atb {
			b64[k] += float64(v)
		}
	}
	theta := solveSmooth(a64, b64, knots)
	vals := make([]float32, knots)
	for k, v := range theta {
		vals[k] = float32(v)
	}
	return &psiCurve{lo: lo, hi: hi, vals: vals}
}

// solveSmooth solves (A + λDᵀD)θ = b for the K×K normal equations A, with
// D the second-difference operator and λ = psiRefitSmooth times A's mean
// diagonal.
func solveSmooth(a, b []float64, k int) []float64 {
	var tr float64
	for i := 0; i < k; i++ {
		tr += a[i*k+i]
	}
	lam := psiRefitSmooth * tr / float64(k)
	sym := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			sym.SetSym(i, j, a[i*k+j])
		}
	}
	d := [3]float64{1, -2, 1}
	for r := 0; r+2 < k; r++ {
		for p := 0; p < 3; p++ {
			for q := p; q < 3; q++ {
				sym.SetSym(r+p, r+q, sym.At(r+p, r+q)+lam*d[p]*d[q])
			}
		}
	}
	var chol mat.Cholesky
	theta := make([]float64, k)
	if !chol.Factorize(sym) {
		return theta
	}
	x := mat.NewVecDense(k, theta)
	if err := chol.SolveVecTo(x, mat.NewVecDense(k, b)); err != nil {
		return make([]float64, k)
	}
	for i := range theta {
		if math.IsNaN(theta[i]) {
			return make([]float64, k)
		}
	}
	return theta
}

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

// gnSharedPsi takes one Gauss–Newton step of variable projection on the
// shared ψ*'s knot values θ, with Ŵ's rows solved on their supports (the
// model's non-zero weights): the step δ solves
//
//	(Σ_i A_i − B_iᵀ G_i⁻¹ B_i + μ·diag) δ = Σ_i F^iᵀ r_i,
//
// where F^i (frames×K) is receiver i's prediction's derivative in θ, r_i its
// residual, G_i the Gram block of its support and B_i = Ψ_Sᵀ F^i. The
// Schur term removes from each direction of θ what Ŵ's rows would absorb
// by moving, so the step is the one of the joint problem (alternating
// solves of θ alone crawl along exactly those directions).
func (s *wSolver) gnSharedPsi(tb tables, knots int) *psiCurve {
	n := s.data.N
	lo, hi := s.lo[0], s.hi[0]
	for i := range s.lo {
		lo, hi = min(lo, s.lo[i]), max(hi, s.hi[i])
	}
	theta0 := psiKnotsOf(tb, lo, hi, knots)
	scale := float32(knots-1) / (hi - lo)
	wt := make([]float32, n*n)
	support := make([][]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			wt[j*n+i] = s.m.w[i*n+j]
			if s.m.w[i*n+j] != 0 {
				support[i] = append(support[i], j)
			}
		}
	}
	frames := strided(s.frames, psiRefitFrames)
	bmat := make([][]float64, n) // B_iᵀ, K×|S_i|
	for i := range bmat {
		bmat[i] = make([]float64, len(support[i])*knots)
	}
	a64 := make([]float64, knots*knots)
	g64 := make([]float64, knots)
	ata := make([]float32, knots*knots)
	atr := make([]float32, knots)
	blk := psiRefitBlock
	f := make([]float32, knots*blk*n)
	r := make([]float32, blk*n)
	ld := blk * n
	for b0 := 0; b0 < len(frames); b0 += blk {
		fr := frames[b0:min(b0+blk, len(frames))]
		rows := len(fr)
		s.fillRaw(tb, fr)
		// r = resid − ψ Ŵᵀ
		copy(r, s.resid[:rows*n])
		nn.Gemm(false, true, rows, n, n, -1, s.psiMat[:rows*n], n, s.m.w, n, 1, r, n)
		clear(f)
		nn.ParallelRows(rows, func(k0, k1 int) {
			for k := k0; k < k1; k++ {
				u := s.data.U[fr[k]*n : (fr[k]+1)*n]
				for j, v := range u {
					p := (v - lo) * scale
					c := min(max(int(p), 0), knots-2)
					t := min(max(p-float32(c), 0), 1)
					col := wt[j*n : (j+1)*n]
					f0 := f[c*ld+k*n:]
					f1 := f[(c+1)*ld+k*n:]
					for i, w := range col {
						f0[i] += (1 - t) * w
						f1[i] += t * w
					}
				}
			}
		})
		cols := rows * n
		nn.Gemm(false, true, knots, knots, cols, 1, f, ld, f, ld, 0, ata, knots)
		nn.Gemm(false, true, knots, 1, cols, 1, f, ld, r, ld, 0, atr, 1)
		for k, v := range ata {
			a64[k] += float64(v)
		}
		for k, v := range atr {
			g64[k] += float64(v)
		}
		nn.ParallelRows(n, func(i0, i1 int) {
			fi := make([]float64, knots)
			for i := i0; i < i1; i++ {
				sup, bi := support[i], bmat[i]
				for k := 0; k < rows; k++ {
					for b := range fi {
						fi[b] = float64(f[b*ld+k*n+i])
					}
					psi := s.psiMat[k*n : (k+1)*n]
					m := len(sup)
					for b, v := range fi {
						row := bi[b*m : (b+1)*m]
						for p, j := range sup {
							row[p] += float64(psi[j]) * v
						}
					}
				}
			}
		})
	}
	// M = A − Σ_i B_iᵀ G_i⁻¹ B_i, G_i the support's Gram block over the
	// same frames (so that M is a Schur complement, positive semidefinite).
	gsub := s.subsetGram(tb, frames)
	var mu sync.Mutex
	nn.ParallelRows(n, func(i0, i1 int) {
		local := make([]float64, knots*knots)
		for i := i0; i < i1; i++ {
			sup := support[i]
			m := len(sup)
			if m == 0 {
				continue
			}
			g := make([]float64, m*m)
			for p, j := range sup {
				for q, l := range sup {
					g[p*m+q] = gsub[j*n+l]
				}
				g[p*m+p] *= 1 + 1e-9
			}
			var ch linalg.Cholesky
			if !ch.Factorize(g, m) {
				continue
			}
			x := bmat[i] // K×m, each row becomes L⁻¹·(column of B_i)
			ch.ForwardRows(x, knots)
			for b := 0; b < knots; b++ {
				for c := b; c < knots; c++ {
					v := dotF64(x[b*m:(b+1)*m], x[c*m:(c+1)*m])
					local[b*knots+c] += v
					if c != b {
						local[c*knots+b] += v
					}
				}
			}
		}
		mu.Lock()
		for k, v := range local {
			a64[k] -= v
		}
		mu.Unlock()
	})
	delta := solveStep(a64, g64, theta0, knots)
	vals := make([]float32, knots)
	for k := range vals {
		vals[k] = float32(theta0[k] + delta[k])
	}
	return &psiCurve{lo: lo, hi: hi, vals: vals}
}

// solveStep solves (M + μ·diag(M) + λDᵀD)δ = g − λDᵀDθ0 with a small
// Levenberg–Marquardt damping μ and the second-difference smoothing λ of
// solveSmooth.
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

// Settings of the shared ψ*'s MLP refit toward a solved curve.
const (
	psiFitPoints = 512  // evenly spaced points over the curve's range
	psiFitSteps  = 1500 // most Adam steps per refit
	psiFitLR     = 1e-3
	// psiFitTol stops the refit once the root mean squared error is below
	// this fraction of the curve's RMS.
	psiFitTol = 2e-3
)

// refitSharedPsiTo trains a shared ψ*'s MLP toward the curve c by Adam on
// psiFitPoints points of its range; only ψ*'s parameters change. It returns
// the relative RMS error reached.
func (m *Model) refitSharedPsiTo(c *psiCurve) float64 {
	x := make([]float32, psiFitPoints)
	target := make([]float32, psiFitPoints)
	var ss float64
	for k := range x {
		x[k] = c.lo + (c.hi-c.lo)*float32(k)/float32(psiFitPoints-1)
		target[k] = c.at(x[k])
		ss += float64(target[k]) * float64(target[k])
	}
	ss /= psiFitPoints
	opt := nn.NewAdam()
	opt.Add("psi", m.psi.Params, m.psi.Grads, psiFitLR)
	w := m.psi.NewWork(psiFitPoints)
	dy := make([]float32, psiFitPoints)
	rel := math.Inf(1)
	for step := 0; ; step++ {
		y := m.psi.Forward(w, x, psiFitPoints)
		var mse float64
		for r := range y {
			d := float64(y[r] - target[r])
			mse += d * d
			dy[r] = float32(2 * d / psiFitPoints)
		}
		rel = math.Sqrt(mse / psiFitPoints / math.Max(ss, 1e-30))
		if rel < psiFitTol || step == psiFitSteps {
			break
		}
		m.psi.ZeroGrads()
		m.psi.Backward(w, dy, nil)
		opt.Step()
	}
	m.psi.ZeroGrads()
	return rel
}

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

// psiStep moves the shared ψ* and Ŵ together, after a committed sparse
// solve read with the tables tb: a Gauss–Newton step of ψ*'s knot values
// (gnSharedPsi), ψ*'s MLP refitted to the new curve, and each row of Ŵ
// solved again by least squares on its support with the new ψ*. The step
// stands unless it makes the validation error collapseFactor times worse
// (then ψ* and Ŵ are restored). It returns the step's size relative to
// ψ*'s knot values (NaN when it was undone) and the tables now in force.
func (s *wSolver) psiStep(tb tables) (float64, tables) {
	oldPsi := append([]float32(nil), s.m.psi.Params...)
	before := s.valError(tb, s.m.w)
	curve := s.gnSharedPsi(tb, psiKnots)
	theta0 := psiKnotsOf(tb, curve.lo, curve.hi, psiKnots)
	s.m.refitSharedPsiTo(curve)
	next := s.tables()
	s.accumulate(next)
	w := s.refitSupports()
	after := s.valError(next, w)
	if after > before*collapseFactor || math.IsNaN(after) {
		copy(s.m.psi.Params, oldPsi)
		return math.NaN(), tb
	}
	copy(s.m.w, w)
	var dd, tt float64
	for k, v := range curve.vals {
		d := float64(v) - theta0[k]
		dd += d * d
		tt += theta0[k] * theta0[k]
	}
	return math.Sqrt(dd / math.Max(tt, 1e-30)), next
}

// refitSupports solves each row of Ŵ by least squares on its support (the
// model's non-zero weights) over the Gram matrix and cross products of the
// last accumulate; rows without a support stay 0.
func (s *wSolver) refitSupports() []float32 {
	n := s.data.N
	w := make([]float32, n*n)
	nn.ParallelRows(n, func(lo, hi int) {
		c := make([]float64, n)
		row := make([]float64, n)
		for i := lo; i < hi; i++ {
			for j := 0; j < n; j++ {
				c[j] = s.cross[j*n+i]
				row[j] = float64(s.m.w[i*n+j])
			}
			relaxed, support := relaxRow(s.gram, n, c, row)
			for _, j := range support {
				w[i*n+j] = float32(relaxed[j])
			}
		}
	})
	return w
}

// valError is the mean squared error of Ŵ = w on the validation frames
// with the tables tb (+Inf without validation frames, so that no step is
// undone for want of them).
func (s *wSolver) valError(tb tables, w []float32) float64 {
	n, v := s.data.N, len(s.val)
	if v == 0 {
		return math.Inf(1)
	}
	s.fill(tb, s.val)
	pred := make([]float32, v*n)
	nn.Gemm(false, true, v, n, n, 1, s.psiMat[:v*n], n, w, n, 0, pred, n)
	var e float64
	for k, p := range pred {
		d := float64(s.resid[k] - p)
		e += d * d
	}
	return e / float64(len(pred))
}

package gnn

import (
	"math"
	"slices"
	"sync"

	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/nn"
)

// The joint step of ψ*, Ŵ and each receiver's own term after a sparse
// solve (psirefit.go explains the step on ψ*).
//
// Every receiver i is fitted on its support S_i (the senders the sparse
// solve kept) and stepOwnK columns of its own, o_i = (u_i, ψ*(u_i),
// φ*(u_i), 1), as the own-term solve does (ownterm.go): in a sparse network a
// receiver's own dynamics are nearly reproduced by its inputs, so whatever
// φ* has not learned would otherwise be fitted by the wrong senders and the
// wrong ψ*. The rows' systems are built on a strided subset of the Gram
// frames: ΨᵀΨ once for all rows (a float32 product per block, summed in
// float64), and per row the own columns' products, all over the same
// frames, so that the Gauss–Newton matrix is a true Schur complement.

// stepOwnK is the number of own columns of the sparse solve and its joint
// steps: ownBasis's three and a constant. ψ*'s offset is free against the
// rows (ψ* + b adds b·Σ_j ŵ_ij to receiver i), so each row needs a
// constant of its own: at N = 1000, 5 % fill, with the true ψ shifted by
// 0.5 and the true supports, W R² was 0.986 without one, against 1.0000
// unshifted.
const stepOwnK = ownBasisK + 1

// rowSystems are the per-receiver least-squares systems over [Ψ_S, o_i]
// on a set of frames, and, for the Gauss–Newton step, the derivative
// products with ψ*'s knot values.
type rowSystems struct {
	n, knots int
	support  [][]int
	gram     []float64   // N×N: ΨᵀΨ over the frames
	os       [][]float64 // per row, stepOwnK×|S|: Σ_t o_k ψ_S
	oo       [][]float64 // per row, stepOwnK×stepOwnK: Σ_t o_k o_l
	cs       [][]float64 // per row, |S|: Σ_t ψ_S r_i (r = du − φ*)
	co       [][]float64 // per row, stepOwnK: Σ_t o_k r_i
	bs       [][]float64 // per row, K×|S|: Σ_t F_t[b,i] ψ_S (Gauss–Newton only)
	bo       [][]float64 // per row, K×stepOwnK: Σ_t F_t[b,i] o_k
	a        []float64   // K×K: Σ_t F_t F_tᵀ
	g        []float64   // K: Σ_t F_t (r − Ŵψ)
}

// supports returns each receiver's senders with a non-zero weight in Ŵ.
func supports(w []float32, n int) [][]int {
	out := make([][]int, n)
	for i := 0; i < n; i++ {
		for j, v := range w[i*n : (i+1)*n] {
			if v != 0 {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// knotRange is the range of ψ*'s knots: the whole activity range.
func (s *wSolver) knotRange() (lo, hi float32) {
	lo, hi = s.lo[0], s.hi[0]
	for i := range s.lo {
		lo, hi = min(lo, s.lo[i]), max(hi, s.hi[i])
	}
	return lo, hi
}

// rowFit is the rows' joint fit at the current ψ*: Ŵ (zero diagonal) and
// each row's own coefficients (N×stepOwnK, in ownBasis's order).
type rowFit struct {
	w    []float32
	coef []float64
}

// buildRowSystems accumulates the rows' systems over frames with the
// tables tb; with knots > 0 also the Gauss–Newton products of ψ*'s knot
// values at the rows' joint fit `at` (the residual is that fit's, and F_t
// is Ŵ times the hat functions of the senders' activities, plus each
// row's own ψ* coefficient times the hats of its own activity: the own
// column ψ*(u_i) moves with ψ* too).
func (s *wSolver) buildRowSystems(tb tables, frames []int, support [][]int, knots int, at *rowFit) *rowSystems {
	n := s.data.N
	rs := &rowSystems{n: n, knots: knots, support: support, gram: s.subsetGram(tb, frames)}
	alloc := func(per func(m int) int) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, per(len(support[i])))
		}
		return out
	}
	rs.os = alloc(func(m int) int { return stepOwnK * m })
	rs.oo = alloc(func(int) int { return stepOwnK * stepOwnK })
	rs.cs = alloc(func(m int) int { return m })
	rs.co = alloc(func(int) int { return stepOwnK })
	var wt, f, r []float32
	var lo, scale float32
	blk := psiRefitBlock
	ld := blk * n
	if knots > 0 {
		rs.bs = alloc(func(m int) int { return knots * m })
		rs.bo = alloc(func(int) int { return knots * stepOwnK })
		rs.a = make([]float64, knots*knots)
		rs.g = make([]float64, knots)
		wt = transposeSquare(at.w, n)
		for i := 0; i < n; i++ {
			wt[i*n+i] = float32(at.coef[i*stepOwnK+1]) // ψ*(u_i)'s own coefficient
		}
		f = make([]float32, knots*ld)
		r = make([]float32, ld)
		var hi float32
		lo, hi = s.knotRange()
		scale = float32(knots-1) / (hi - lo)
	}
	own := make([]float32, stepOwnK*ld)
	for b0 := 0; b0 < len(frames); b0 += blk {
		fr := frames[b0:min(b0+blk, len(frames))]
		rows := len(fr)
		s.fillRaw(tb, fr)
		s.ownColumns(tb, fr, own, ld, stepOwnK)
		if knots > 0 {
			copy(r, s.resid[:rows*n])
			nn.Gemm(false, true, rows, n, n, -1, s.psiMat[:rows*n], n, at.w, n, 1, r, n)
			subtractOwn(r, own, at.coef, rows, n, ld)
			scatterHats(s.data.U, fr, n, wt, lo, scale, knots, f, ld)
			rs.addDerivative(f, r, rows*n, ld)
		}
		rs.addRows(s.psiMat, s.resid, own, f, rows, ld)
	}
	return rs
}

// subtractOwn takes each row's fitted own term Σ_k c_ik o_k(t) off the
// residuals r of a block of frames (own columns as ownColumns writes them).
func subtractOwn(r, own []float32, coef []float64, rows, n, ld int) {
	nn.ParallelRows(rows, func(q0, q1 int) {
		for q := q0; q < q1; q++ {
			for i := 0; i < n; i++ {
				var fit float64
				for k := 0; k < stepOwnK; k++ {
					fit += coef[i*stepOwnK+k] * float64(own[k*ld+q*n+i])
				}
				r[q*n+i] -= float32(fit)
			}
		}
	})
}

// transposeSquare returns the n×n matrix w transposed.
func transposeSquare(w []float32, n int) []float32 {
	t := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			t[j*n+i] = w[i*n+j]
		}
	}
	return t
}

// scatterHats writes F_t = Ŵ·H_t for the given frames into f (knot b of
// frame q and receiver i at b*ld + q*n + i), from wt = Ŵᵀ: each sender's
// activity touches two hats, which take its column of Ŵ scaled by the
// interpolation weights.
func scatterHats(u []float32, frames []int, n int, wt []float32, lo, scale float32, knots int, f []float32, ld int) {
	clear(f)
	nn.ParallelRows(len(frames), func(q0, q1 int) {
		for q := q0; q < q1; q++ {
			for j, v := range u[frames[q]*n : (frames[q]+1)*n] {
				p := (v - lo) * scale
				c := min(max(int(p), 0), knots-2)
				t := min(max(p-float32(c), 0), 1)
				f0, f1 := f[c*ld+q*n:], f[(c+1)*ld+q*n:]
				for i, w := range wt[j*n : (j+1)*n] {
					f0[i] += (1 - t) * w
					f1[i] += t * w
				}
			}
		}
	})
}

// addDerivative adds one block's Σ F Fᵀ and Σ F r (cols columns of f and r
// in use, row stride ld) to the Gauss–Newton matrix and gradient.
func (rs *rowSystems) addDerivative(f, r []float32, cols, ld int) {
	k := rs.knots
	ata := make([]float32, k*k)
	atr := make([]float32, k)
	nn.Gemm(false, true, k, k, cols, 1, f, ld, f, ld, 0, ata, k)
	nn.Gemm(false, true, k, 1, cols, 1, f, ld, r, ld, 0, atr, 1)
	for x, v := range ata {
		rs.a[x] += float64(v)
	}
	for x, v := range atr {
		rs.g[x] += float64(v)
	}
}

// addRows adds one block of frames to every row's own and cross sums.
func (rs *rowSystems) addRows(psi, resid, own, f []float32, rows, ld int) {
	n, kn := rs.n, rs.knots
	nn.ParallelRows(n, func(i0, i1 int) {
		o := make([]float64, stepOwnK)
		fi := make([]float64, kn)
		for i := i0; i < i1; i++ {
			sup := rs.support[i]
			m := len(sup)
			for q := 0; q < rows; q++ {
				ps := psi[q*n : (q+1)*n]
				ri := float64(resid[q*n+i])
				for k := range o {
					o[k] = float64(own[k*ld+q*n+i])
					rs.co[i][k] += o[k] * ri
					for l := range o[:k+1] {
						rs.oo[i][k*stepOwnK+l] += o[k] * float64(own[l*ld+q*n+i])
					}
				}
				for p, j := range sup {
					x := float64(ps[j])
					rs.cs[i][p] += x * ri
					for k, ok := range o {
						rs.os[i][k*m+p] += ok * x
					}
				}
				if kn == 0 {
					continue
				}
				for b := range fi {
					fi[b] = float64(f[b*ld+q*n+i])
				}
				for b, v := range fi {
					row := rs.bs[i][b*m : (b+1)*m]
					for p, j := range sup {
						row[p] += float64(ps[j]) * v
					}
					for k, ok := range o {
						rs.bo[i][b*stepOwnK+k] += ok * v
					}
				}
			}
		}
	})
}

// factor returns the Cholesky factor of row i's Gram matrix over
// [Ψ_S, o_i] (order |S| + stepOwnK, or |S| without own), with
// factorRidged's ridge.
func (rs *rowSystems) factor(i int, own bool) (linalg.Cholesky, bool) {
	n, sup := rs.n, rs.support[i]
	m := len(sup)
	size := m
	if own {
		size += stepOwnK
	}
	return factorRidged(make([]float64, size*size), size, func(g []float64) {
		for p, j := range sup {
			for q, l := range sup {
				g[p*size+q] = rs.gram[j*n+l]
			}
			for k := 0; own && k < stepOwnK; k++ {
				g[p*size+m+k] = rs.os[i][k*m+p]
				g[(m+k)*size+p] = rs.os[i][k*m+p]
			}
		}
		for k := 0; own && k < stepOwnK; k++ {
			for l := 0; l <= k; l++ {
				v := rs.oo[i][k*stepOwnK+l]
				g[(m+k)*size+m+l], g[(m+l)*size+m+k] = v, v
			}
		}
	})
}

// factorRidged returns the Cholesky factor of the size×size matrix that
// fill writes into g, with a ridge relative to each diagonal raised from
// 10⁻⁹ (×100 at a time, g refilled each time) until it factorises; ok is
// false when none up to 10⁻³ does.
func factorRidged(g []float64, size int, fill func(g []float64)) (ch linalg.Cholesky, ok bool) {
	for ridge := 1e-9; ridge <= 1e-3; ridge *= 100 {
		fill(g)
		var scaleSum float64
		for d := 0; d < size; d++ {
			scaleSum += g[d*size+d]
		}
		floor := 1e-12 * scaleSum / float64(size)
		for d := 0; d < size; d++ {
			g[d*size+d] += ridge*g[d*size+d] + floor
		}
		if ch.Factorize(g, size) {
			return ch, true
		}
	}
	return ch, false
}

// schur returns Σ_i B_iᵀ G_i⁻¹ B_i over the rows whose system factorises
// (B_i = [Ψ_S, o_i]ᵀ F^i), the part of the Gauss–Newton matrix that Ŵ's
// rows and the own terms take back.
func (rs *rowSystems) schur() []float64 {
	kn := rs.knots
	out := make([]float64, kn*kn)
	var mu sync.Mutex
	nn.ParallelRows(rs.n, func(i0, i1 int) {
		local := make([]float64, kn*kn)
		for i := i0; i < i1; i++ {
			m := len(rs.support[i])
			size := m + stepOwnK
			ch, ok := rs.factor(i, true)
			if !ok {
				continue
			}
			x := make([]float64, kn*size) // row b: (B_i's column b)ᵀ
			for b := 0; b < kn; b++ {
				copy(x[b*size:b*size+m], rs.bs[i][b*m:(b+1)*m])
				copy(x[b*size+m:(b+1)*size], rs.bo[i][b*stepOwnK:(b+1)*stepOwnK])
			}
			ch.ForwardRows(x, kn)
			for b := 0; b < kn; b++ {
				for c := b; c < kn; c++ {
					v := dotF64(x[b*size:(b+1)*size], x[c*size:(c+1)*size])
					local[b*kn+c] += v
					if c != b {
						local[c*kn+b] += v
					}
				}
			}
		}
		mu.Lock()
		for k, v := range local {
			out[k] += v
		}
		mu.Unlock()
	})
	return out
}

// solveRows fits every row on Ψ_S, with own the own columns too, by least
// squares: it returns Ŵ (zero off the supports; a row whose system does
// not factorise keeps old's) and, with own, the own coefficients
// (N×stepOwnK, in ownBasis's order; zero for such a row).
func (rs *rowSystems) solveRows(old []float32, own bool) (w []float32, coef []float64) {
	n := rs.n
	w = make([]float32, n*n)
	coef = make([]float64, n*stepOwnK)
	nn.ParallelRows(n, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			sup := rs.support[i]
			m := len(sup)
			if m == 0 {
				continue
			}
			ch, ok := rs.factor(i, own)
			if !ok {
				copy(w[i*n:(i+1)*n], old[i*n:(i+1)*n])
				continue
			}
			x := append([]float64(nil), rs.cs[i]...)
			if own {
				x = append(x, rs.co[i]...)
			}
			ch.SolveVec(x)
			for p, j := range sup {
				w[i*n+j] = float32(x[p])
			}
			if own {
				copy(coef[i*stepOwnK:(i+1)*stepOwnK], x[m:])
			}
		}
	})
	return w, coef
}

// psiStep moves the shared ψ*, Ŵ and φ* together after a committed sparse
// solve read with the tables tb:
//
//  1. every row is fitted on its support and its own columns at the
//     current ψ* (the inner solution of the variable projection);
//  2. a Gauss–Newton step of ψ*'s knot values at that fit, with the rows
//     and their own columns projected out. The residual is the joint fit's,
//     and the derivative includes the own column ψ*(u_i), which moves with
//     ψ* as the senders' columns do. (Taking the residual of Ŵ alone and
//     leaving ψ*(u_i) out of the derivative stalled ψ* 2–4 % off tanh:
//     from session 18's full-scale 5 % model, W R² 0.96 → 0.984 in eight
//     solves; with both, ψ* came within 0.6 % in one step and W R² to
//     0.991);
//  3. the new curve is made the model's ψ* (Model.psiCurve), and the rows
//     are fitted again with it; those rows are Ŵ's new rows;
//  4. ψ*'s offset is moved to where the rows need the least constant
//     (recentre), and φ* is trained toward the own terms they fitted (as
//     the own-term solve does, refitOwnTerm).
//
// Ŵ is taken from the joint fit with the own columns, not solved again
// against the refitted φ*: φ* carries the own terms only as far as its MLP
// and the not yet separated embeddings can, and a row solved against it
// gives its senders what φ* misses (reduced Supp 8 at 5 % fill: W R² 0.72
// that way, 0.83 from the joint fit). The step stands unless the joint
// fit at the new ψ* leaves the validation error collapseFactor times worse
// than at the old one; then ψ* stays, and the rows take their fit at the
// old ψ*. It returns the step's size relative to ψ*'s spread over the data
// (NaN when undone) and the tables now in force.
func (s *wSolver) psiStep(tb tables) (float64, tables) {
	m, n := s.m, s.data.N
	frames := strided(s.frames, psiRefitFrames)
	support := supports(m.w, n)
	if s.own == nil {
		s.own = &ownTerm{}
	}
	var at rowFit
	at.w, at.coef = s.buildRowSystems(tb, frames, support, 0, nil).solveRows(m.w, true)
	s.own.coef = at.coef
	before := s.valError(tb, at.w, true)
	rs := s.buildRowSystems(tb, frames, support, psiKnots, &at)
	lo, hi := s.knotRange()
	theta0 := psiKnotsOf(tb, lo, hi, psiKnots)
	mat := rs.a
	for k, v := range rs.schur() {
		mat[k] -= v
	}
	delta := solveStep(mat, rs.g, theta0, psiKnots)
	q := s.quantiles(frames, psiQuantiles)
	start := curveOf(theta0, lo, hi)
	curve := keepScale(start, delta, q)
	step := curveChange(start, curve, q)
	oldCurve := m.psiCurve
	m.psiCurve = curve
	next := s.tables()
	w, coef := s.buildRowSystems(next, frames, support, 0, nil).solveRows(at.w, true)
	s.own.coef = coef
	after := s.valError(next, w, true)
	if after > before*collapseFactor || math.IsNaN(after) {
		// the step is undone; the rows keep their joint fit at the old ψ*
		m.psiCurve, step = oldCurve, math.NaN()
		w, s.own.coef = at.w, at.coef
	}
	m.psiCurve = recentre(m.psiCurve, w, s.own.coef, n)
	s.refitOwnTerm(s.tables(), 1)
	s.own.coef = nil
	copy(m.w, w)
	return step, s.tables()
}

// recentre returns the curve c shifted by the offset that leaves the rows'
// constants (the last own column) smallest, and moves those constants
// (coef, N×stepOwnK) to match; Ŵ = w is unchanged. Shifting ψ* by −b
// changes receiver i's fit by −b·(Σ_j ŵ_ij + c_i,ψ) (c_i,ψ: its own ψ*
// coefficient), which its constant takes back. The model itself has no
// per-neuron constant (φ* tells neurons apart only by their embeddings),
// so the fit must need as little of one as ψ*'s offset allows.
func recentre(c *psiCurve, w []float32, coef []float64, n int) *psiCurve {
	k := stepOwnK
	slope := make([]float64, n)
	var num, den float64
	for i := 0; i < n; i++ {
		for _, v := range w[i*n : (i+1)*n] {
			slope[i] += float64(v)
		}
		slope[i] += coef[i*k+1]
		num += coef[i*k+k-1] * slope[i]
		den += slope[i] * slope[i]
	}
	if den == 0 {
		return c
	}
	b := num / den // the constants are best matched by −(−b)·slope
	out := &psiCurve{lo: c.lo, hi: c.hi, vals: make([]float32, len(c.vals))}
	for q, v := range c.vals {
		out.vals[q] = v + float32(b)
	}
	for i := 0; i < n; i++ {
		coef[i*k+k-1] -= b * slope[i]
	}
	return out
}

// keepScale returns the curve start + δ moved and rescaled to start's mean
// and spread (standard deviation) over the data's quantiles q, and turned
// to its sign there (when start is not flat there). ψ*'s offset, scale and
// sign are free against Ŵ's rows and their own columns (the constant
// among them takes the offset), so the Gauss–Newton matrix is singular
// along them and the damping alone would set them; the rows solved after
// the step take up the scale. (Scaling by the largest knot value let the
// far ends, where few data constrain the curve, set the scale; keeping
// the RMS without the mean let a drifting offset shrink the shape.)
func keepScale(start *psiCurve, delta []float64, q []float32) *psiCurve {
	vals := make([]float32, len(start.vals))
	for k, v := range start.vals {
		vals[k] = v + float32(delta[k])
	}
	c := &psiCurve{lo: start.lo, hi: start.hi, vals: vals}
	var ms, mc float64
	for _, u := range q {
		ms, mc = ms+float64(start.at(u)), mc+float64(c.at(u))
	}
	ms, mc = ms/float64(len(q)), mc/float64(len(q))
	var oo, nn2, on float64
	for _, u := range q {
		a, b := float64(start.at(u))-ms, float64(c.at(u))-mc
		oo, nn2, on = oo+a*a, nn2+b*b, on+a*b
	}
	f := 1.0
	if oo > 1e-12*float64(len(q))*(1+ms*ms) && nn2 > 0 {
		f = math.Sqrt(oo / nn2)
		if on < 0 {
			f = -f
		}
	}
	for k, v := range vals {
		vals[k] = float32((float64(v)-mc)*f + ms)
	}
	return c
}

// quantiles returns k quantiles of the activities over the given frames
// (every neuron's), in increasing order.
func (s *wSolver) quantiles(frames []int, k int) []float32 {
	n := s.data.N
	all := make([]float32, 0, len(frames)*n)
	for _, f := range frames {
		all = append(all, s.data.U[f*n:(f+1)*n]...)
	}
	slices.Sort(all)
	out := make([]float32, k)
	for q := range out {
		out[q] = all[(2*q+1)*len(all)/(2*k)]
	}
	return out
}

// psiFirstSolves is the number of sparse solves, each followed by a ψ*
// step, that the first solve of training makes before Adam resumes: the
// joint steps converge over several solves, and Adam's steps in between
// add nothing while ψ* is still far off.
const psiFirstSolves = 4

// linearizePsi replaces the shared ψ* by its least-squares line over the
// data's quantiles: the first ψ* step starts from ψ*'s linear part, not
// from the warm-up's curve, whose shape (fitted with Ŵ by Adam alone) can
// lie far from any monotone function and then needs many more joint steps
// (at N = 300, 5 % fill: W R² 0.18 after 8 solves from an untrained ψ*,
// 0.98 from a line).
func (s *wSolver) linearizePsi() {
	q := s.quantiles(strided(s.frames, psiRefitFrames), psiQuantiles)
	psi, _ := s.m.Psi(q, nil, nil)
	var mu, mv float64
	for k, u := range q {
		mu += float64(u)
		mv += float64(psi[k])
	}
	mu /= float64(len(q))
	mv /= float64(len(q))
	var suv, suu float64
	for k, u := range q {
		du := float64(u) - mu
		suv += du * (float64(psi[k]) - mv)
		suu += du * du
	}
	if suu == 0 || suv == 0 {
		return // ψ* flat or no spread: nothing to start from
	}
	b := suv / suu
	lo, hi := s.knotRange()
	line := &psiCurve{lo: lo, hi: hi, vals: make([]float32, psiKnots)}
	for k := range line.vals {
		u := float64(lo) + float64(hi-lo)*float64(k)/float64(psiKnots-1)
		line.vals[k] = float32(mv + b*(u-mu))
	}
	s.m.psiCurve = line
}

// curveChange is the RMS change from the curve start to c over the data's
// quantiles q, relative to start's RMS there.
func curveChange(start, c *psiCurve, q []float32) float64 {
	var dd, oo float64
	for _, u := range q {
		a, d := float64(start.at(u)), float64(c.at(u)-start.at(u))
		dd, oo = dd+d*d, oo+a*a
	}
	return math.Sqrt(dd / math.Max(oo, 1e-30))
}

// curveOf is the curve through the knot values theta over [lo, hi].
func curveOf(theta []float64, lo, hi float32) *psiCurve {
	c := &psiCurve{lo: lo, hi: hi, vals: make([]float32, len(theta))}
	for k, v := range theta {
		c.vals[k] = float32(v)
	}
	return c
}

// psiQuantiles is the number of the data's quantiles at which a step's
// scale, sign and size are measured.
const psiQuantiles = 256

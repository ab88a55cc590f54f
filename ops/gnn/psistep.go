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
// solve kept) and three columns of its own, o_i = (u_i, ψ*(u_i), φ*(u_i)),
// as the own-term solve does (ownterm.go): in a sparse network a
// receiver's own dynamics are nearly reproduced by its inputs, so whatever
// φ* has not learned would otherwise be fitted by the wrong senders and the
// wrong ψ*. The rows' systems are built on a strided subset of the Gram
// frames: ΨᵀΨ once for all rows (a float32 product per block, summed in
// float64), and per row the own columns' products, all over the same
// frames, so that the Gauss–Newton matrix is a true Schur complement.

// rowSystems are the per-receiver least-squares systems over [Ψ_S, o_i]
// on a set of frames, and, for the Gauss–Newton step, the derivative
// products with ψ*'s knot values.
type rowSystems struct {
	n, knots int
	support  [][]int
	gram     []float64   // N×N: ΨᵀΨ over the frames
	os       [][]float64 // per row, ownBasisK×|S|: Σ_t o_k ψ_S
	oo       [][]float64 // per row, ownBasisK×ownBasisK: Σ_t o_k o_l
	cs       [][]float64 // per row, |S|: Σ_t ψ_S r_i (r = du − φ*)
	co       [][]float64 // per row, ownBasisK: Σ_t o_k r_i
	bs       [][]float64 // per row, K×|S|: Σ_t F_t[b,i] ψ_S (Gauss–Newton only)
	bo       [][]float64 // per row, K×ownBasisK: Σ_t F_t[b,i] o_k
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

// buildRowSystems accumulates the rows' systems over frames with the
// tables tb; with knots > 0 also the Gauss–Newton products of ψ*'s knot
// values (F_t is Ŵ times the hat functions of the senders' activities).
func (s *wSolver) buildRowSystems(tb tables, frames []int, support [][]int, knots int) *rowSystems {
	n := s.data.N
	rs := &rowSystems{n: n, knots: knots, support: support, gram: s.subsetGram(tb, frames)}
	alloc := func(per func(m int) int) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, per(len(support[i])))
		}
		return out
	}
	rs.os = alloc(func(m int) int { return ownBasisK * m })
	rs.oo = alloc(func(int) int { return ownBasisK * ownBasisK })
	rs.cs = alloc(func(m int) int { return m })
	rs.co = alloc(func(int) int { return ownBasisK })
	var wt, f, r []float32
	var lo, scale float32
	blk := psiRefitBlock
	ld := blk * n
	if knots > 0 {
		rs.bs = alloc(func(m int) int { return knots * m })
		rs.bo = alloc(func(int) int { return knots * ownBasisK })
		rs.a = make([]float64, knots*knots)
		rs.g = make([]float64, knots)
		wt = transposeSquare(s.m.w, n)
		f = make([]float32, knots*ld)
		r = make([]float32, ld)
		var hi float32
		lo, hi = s.knotRange()
		scale = float32(knots-1) / (hi - lo)
	}
	own := make([]float32, ownBasisK*ld)
	for b0 := 0; b0 < len(frames); b0 += blk {
		fr := frames[b0:min(b0+blk, len(frames))]
		rows := len(fr)
		s.fillRaw(tb, fr)
		s.ownColumns(tb, fr, own, ld)
		if knots > 0 {
			copy(r, s.resid[:rows*n])
			nn.Gemm(false, true, rows, n, n, -1, s.psiMat[:rows*n], n, s.m.w, n, 1, r, n)
			scatterHats(s.data.U, fr, n, wt, lo, scale, knots, f, ld)
			rs.addDerivative(f, r, rows*n, ld)
		}
		rs.addRows(s.psiMat, s.resid, own, f, rows, ld)
	}
	return rs
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
		o := make([]float64, ownBasisK)
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
						rs.oo[i][k*ownBasisK+l] += o[k] * float64(own[l*ld+q*n+i])
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
						rs.bo[i][b*ownBasisK+k] += ok * v
					}
				}
			}
		}
	})
}

// factor returns the Cholesky factor of row i's Gram matrix over
// [Ψ_S, o_i] (order |S| + ownBasisK), with a ridge relative to each diagonal
// raised from 10⁻⁹ until it factorises; ok is false when none up to 10⁻³
// does.
func (rs *rowSystems) factor(i int, own bool) (ch linalg.Cholesky, ok bool) {
	n, sup := rs.n, rs.support[i]
	m := len(sup)
	size := m
	if own {
		size += ownBasisK
	}
	g := make([]float64, size*size)
	for ridge := 1e-9; ridge <= 1e-3; ridge *= 100 {
		for p, j := range sup {
			for q, l := range sup {
				g[p*size+q] = rs.gram[j*n+l]
			}
			for k := 0; own && k < ownBasisK; k++ {
				g[p*size+m+k] = rs.os[i][k*m+p]
				g[(m+k)*size+p] = rs.os[i][k*m+p]
			}
		}
		for k := 0; own && k < ownBasisK; k++ {
			for l := 0; l <= k; l++ {
				v := rs.oo[i][k*ownBasisK+l]
				g[(m+k)*size+m+l], g[(m+l)*size+m+k] = v, v
			}
		}
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
			size := m + ownBasisK
			ch, ok := rs.factor(i, true)
			if !ok {
				continue
			}
			x := make([]float64, kn*size) // row b: (B_i's column b)ᵀ
			for b := 0; b < kn; b++ {
				copy(x[b*size:b*size+m], rs.bs[i][b*m:(b+1)*m])
				copy(x[b*size+m:(b+1)*size], rs.bo[i][b*ownBasisK:(b+1)*ownBasisK])
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
// (N×ownBasisK, in ownBasis's order; zero for such a row).
func (rs *rowSystems) solveRows(old []float32, own bool) (w []float32, coef []float64) {
	n := rs.n
	w = make([]float32, n*n)
	coef = make([]float64, n*ownBasisK)
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
				copy(coef[i*ownBasisK:(i+1)*ownBasisK], x[m:])
			}
		}
	})
	return w, coef
}

// psiStep moves the shared ψ*, Ŵ and φ* together after a committed sparse
// solve read with the tables tb:
//
//  1. a Gauss–Newton step of ψ*'s knot values, with Ŵ's rows (on their
//     supports) and the own columns projected out;
//  2. the new curve made the model's ψ* (Model.psiCurve);
//  3. every row of Ŵ and its own columns solved again with the new ψ*;
//     the rows are Ŵ's new rows, and φ* is trained toward the own terms
//     they fitted (as the own-term solve does, refitOwnTerm).
//
// Ŵ is taken from the joint fit with the own columns, not solved again
// against the refitted φ*: φ* carries the own terms only as far as its MLP
// and the not yet separated embeddings can, and a row solved against it
// gives its senders what φ* misses (reduced Supp 8 at 5 % fill: W R² 0.72
// that way, 0.83 from the joint fit). The step stands unless the joint
// fit leaves the validation error collapseFactor times worse than the
// sparse solve's; then ψ* and Ŵ stay as they were. It returns the step's
// size relative to ψ*'s RMS over the data (NaN when undone) and the tables
// now in force.
func (s *wSolver) psiStep(tb tables) (float64, tables) {
	m, n := s.m, s.data.N
	before := s.valError(tb, m.w, false)
	frames := strided(s.frames, psiRefitFrames)
	support := supports(m.w, n)
	rs := s.buildRowSystems(tb, frames, support, psiKnots)
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
	w, coef := s.buildRowSystems(next, frames, support, 0).solveRows(m.w, true)
	if s.own == nil {
		s.own = &ownTerm{}
	}
	s.own.coef = coef
	after := s.valError(next, w, true)
	if after > before*collapseFactor || math.IsNaN(after) {
		s.own.coef = nil
		m.psiCurve = oldCurve
		return math.NaN(), tb
	}
	s.refitOwnTerm(next, 1)
	s.own.coef = nil
	final := s.tables()
	copy(m.w, w)
	return step, final
}

// keepScale returns the curve start + δ rescaled to start's RMS over the
// data's quantiles q and turned to its sign there (when start is not flat
// there).
// ψ*'s scale and sign are free against Ŵ's, and the Gauss–Newton matrix
// is singular along θ0, so the step's scale is set by the damping alone;
// the rows solved after the step take up the scale. (Scaling by the
// largest knot value let the far ends, where few data constrain the curve,
// set the scale.)
func keepScale(start *psiCurve, delta []float64, q []float32) *psiCurve {
	vals := make([]float32, len(start.vals))
	for k, v := range start.vals {
		vals[k] = v + float32(delta[k])
	}
	c := &psiCurve{lo: start.lo, hi: start.hi, vals: vals}
	var oo, nn2, on float64
	for _, u := range q {
		a, b := float64(start.at(u)), float64(c.at(u))
		oo, nn2, on = oo+a*a, nn2+b*b, on+a*b
	}
	if oo > 1e-12*float64(len(q)) && nn2 > 0 {
		f := float32(math.Sqrt(oo / nn2))
		if on < 0 {
			f = -f
		}
		for k := range vals {
			vals[k] *= f
		}
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

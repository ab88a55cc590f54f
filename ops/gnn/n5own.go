package gnn

import (
	"github.com/ngs-lab/ngs/ops/nn"
)

// Own-term columns of the N5 group solve.
//
// A receiver's own term φ*(u_i, a_i) is confounded with its coupling: near
// its plateaus a neuron follows its inputs, so a dense row of Ŵ over the
// other neurons' ψ* imitates much of −c·u_i + s·tanh(u_i). In N5 this is
// worse than in N2: the receivers with wide transfer functions (w_i = 4, 8 in
// Supp 14) see nearly linear messages ψ(u_j/w_i), and a linear combination
// of the other neurons' u_j reproduces a leak −c·u_i well. A solve of Ŵ
// alone against du − φ* therefore lets Ŵ absorb whatever φ* has not learned
// yet; the residual left to Adam is small, φ* never learns the own terms
// (φ* R² 0.3–0.7, one slope for every type in the runs of sessions 5–6), the
// embeddings get no type signal from φ*, and Ŵ stays biased. Least squares
// with the true ψ per receiver (N = 200, Supp 14's network, 5000 frames):
// with the true φ, raw W R² 1.000; with φ* = 0, 0.155; with the columns u_i,
// 1 and a half-learned φ (the true one halved plus a wrong bump), 0.998.
//
// So each receiver i gets n5OwnK columns of its own, functions of u_i alone:
// u_i, its own transfer ψ*(u_i, a_G, a_i) (the zero diagonal of Ŵ leaves it
// out) and the current φ*(u_i, a_i), solved jointly with its row of Ŵ:
//
//	min ‖r_i − Ψ_G ŵ_i − B_i c_i‖² (+ ridge on ŵ_i),  ŵ_ii = 0,  r_i = du_i − φ*(u_i).
//
// With P_i the zero-diagonal solve of receiver i against the group's
// factorised Gram matrix, U_i = Ψ_Gᵀ B_i and S_i = B_iᵀ B_i (Frisch–Waugh):
// c_i solves (S_i − U_iᵀ P_i U_i) c_i = B_iᵀ r_i − U_iᵀ P_i Ψ_Gᵀ r_i and
// ŵ_i = P_i (Ψ_Gᵀ r_i − U_i c_i). One factorisation per group serves all
// its members' n5OwnK + 1 right-hand sides. φ* is then refitted toward
// φ* + B_i c_i (n5RefitPhi), so that the next solve finds c_i ≈ 0 and Adam
// sees a φ* that already differs per neuron.

// n5MaxOwnK is the number of own-term columns per receiver: u_i, ψ*(u_i),
// φ*(u_i) and the constant 1 (n5OwnConst), which the model keeps as its
// bias (Model.bias) rather than φ*'s.
const n5MaxOwnK = 4

// n5OwnK is the number of own-term columns this solve uses: the constant
// only when it fits the receivers' constants (wSolver.constant), so that
// the solves during training carry no column of zeros.
func (s *wSolver) n5OwnK() int {
	if s.constant {
		return n5MaxOwnK
	}
	return n5MaxOwnK - 1
}

// n5OwnConst is the index of the constant among the own-term columns.
const n5OwnConst = 3

// n5OwnTerms switches the own-term columns of the N5 solve on (a test
// compares with them off).
var n5OwnTerms = true

// Settings of the φ* refit toward the fitted own terms (its grid and
// subset are N2's: ownRefitGrid, ownRefitRows).
const (
	n5RefitSteps = 60   // Adam steps per solve
	n5RefitLR    = 2e-3 // Adam learning rate of the refit
)

// n5OwnBasis writes receiver i's own-term columns at activity v into b:
// v, the group's ψ*(v, a_G, a_i) (table psiTab), φ*(v, a_i) (table phi)
// and 1 when the solve fits the receivers' constants (wSolver.constant;
// else 0, and n5OwnK leaves that column out).
func (s *wSolver) n5OwnBasis(psiTab, phi []float32, i int, v float32, b *[n5MaxOwnK]float32) {
	g := s.cfg.Grid
	b[0] = v
	b[1] = s.interp(psiTab, i, g, v)
	b[2] = s.interp(phi, i, g, v)
	b[n5OwnConst] = 0
	if s.constant {
		b[n5OwnConst] = 1
	}
}

// n5GroupSums are the sums of one group's solve over the Gram frames.
type n5GroupSums struct {
	members []int
	cols    int       // m·(1+K): per member its residual, then the K own columns (block-major)
	cross   []float64 // N×cols: Ψ_Gᵀ·[R | B_1 | … | B_K]
	ysum    []float64 // cols: column sums of [R | B]
	small   []float64 // m×(1+K)×(1+K): per member [r, b_1..b_K]ᵀ[r, b_1..b_K]
}

// accumulateGroupOwn builds the group's Gram matrix (s.gram), ψ*'s column
// sums and squares (s.colSum, s.colSq) and the sums of n5GroupSums over the
// Gram frames.
func (s *wSolver) accumulateGroupOwn(psiTab, phi []float32, members []int) *n5GroupSums {
	n, m := s.data.N, len(members)
	k1 := 1 + s.n5OwnK()
	cols := m * k1
	acc := &n5GroupSums{members: members, cols: cols, cross: make([]float64, n*cols),
		ysum: make([]float64, cols), small: make([]float64, m*k1*k1)}
	clear(s.gram)
	clear(s.colSum)
	clear(s.colSq)
	y := make([]float32, gramBlock*cols)
	blockC := make([]float32, n*cols)
	g := s.cfg.Grid
	for b0 := 0; b0 < len(s.frames); b0 += gramBlock {
		fr := s.frames[b0:min(b0+gramBlock, len(s.frames))]
		rows := len(fr)
		nn.ParallelRows(rows, func(lo, hi int) {
			var b [n5MaxOwnK]float32
			for r := lo; r < hi; r++ {
				f := fr[r]
				u := s.data.U[f*n : (f+1)*n]
				du := s.data.DU[f*n : (f+1)*n]
				for j, v := range u {
					s.psiMat[r*n+j] = s.interp(psiTab, j, g, v)
				}
				row := y[r*cols : (r+1)*cols]
				for c, i := range members {
					row[c] = du[i] - s.interp(phi, i, g, u[i])
					s.n5OwnBasis(psiTab, phi, i, u[i], &b)
					for q := 0; q < k1-1; q++ {
						row[(q+1)*m+c] = b[q]
					}
				}
			}
		})
		s.scratch = nn.MulTN(s.psiMat[:rows*n], rows, n, s.psiMat[:rows*n], n, s.blockG, s.scratch)
		s.scratch = nn.MulTN(s.psiMat[:rows*n], rows, n, y[:rows*cols], cols, blockC, s.scratch)
		nn.ParallelRows(n, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				for q := j * n; q < (j+1)*n; q++ {
					s.gram[q] += float64(s.blockG[q])
				}
				for q := j * cols; q < (j+1)*cols; q++ {
					acc.cross[q] += float64(blockC[q])
				}
			}
		})
		for r := 0; r < rows; r++ {
			for j, v := range s.psiMat[r*n : (r+1)*n] {
				s.colSum[j] += float64(v)
				s.colSq[j] += float64(v) * float64(v)
			}
			row := y[r*cols : (r+1)*cols]
			for q, v := range row {
				acc.ysum[q] += float64(v)
			}
		}
		nn.ParallelRows(m, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				sm := acc.small[c*k1*k1 : (c+1)*k1*k1]
				for r := 0; r < rows; r++ {
					row := y[r*cols : (r+1)*cols]
					var v [1 + n5MaxOwnK]float64
					for q := 0; q < k1; q++ {
						v[q] = float64(row[q*m+c])
					}
					for p := 0; p < k1; p++ {
						for q := p; q < k1; q++ {
							sm[p*k1+q] += v[p] * v[q]
						}
					}
				}
			}
		})
	}
	return acc
}

// solveGroupOwn solves the group's rows of Ŵ jointly with each member's
// own-term columns (see the top of this file; the joint solve is ownJoint,
// N2's too) and writes them into w (N×N) and the members' coefficients into
// coef (N×K). With own false it solves Ŵ alone (coef untouched). The
// system is robustSolve's (newLSSystem on the group's Gram matrix): ridge
// raised until well conditioned, a pseudo-inverse as the last resort, flat
// senders as one intercept spread over them.
func (s *wSolver) solveGroupOwn(acc *n5GroupSums, flat []int, own bool, w []float32, coef []float64) SolveReport {
	n := s.data.N
	members, cols, m := acc.members, acc.cols, len(acc.members)
	k1 := cols / m
	ko := k1 - 1 // own columns
	sys := newLSSystem(s.gram, n, s.cfg.Ridge, flat, s.colSum, len(s.frames), nil)
	if sys.size == 0 {
		for _, i := range members {
			clear(w[i*n : (i+1)*n])
		}
		return sys.rep
	}
	// right sides: the members' residuals, then (own) block by block their
	// K own columns; receiver of column q: members[q%m]
	r := cols
	if !own {
		r = m // the residual columns only
	}
	receivers := make([]int, r)
	for q := range receivers {
		receivers[q] = members[q%m]
	}
	c, ldc := sys.Restrict(acc.cross, cols, r, acc.ysum)
	z := sys.SolveRestricted(c, ldc, r, receivers)
	size := sys.size
	if own {
		j := ownJoint{k: ko, size: size, z: z[:m*size],
			bb: make([]float64, m*ko*ko), br: make([]float64, m*ko)}
		for k := 0; k < ko; k++ {
			j.u = append(j.u, ownCols{c: c, ld: ldc, off: (k + 1) * m})
			j.y = append(j.y, z[(k+1)*m*size:(k+2)*m*size])
		}
		// B_iᵀB_i and B_iᵀr_i from the members' [r, b_1..b_K] products
		for ci := 0; ci < m; ci++ {
			sm := acc.small[ci*k1*k1 : (ci+1)*k1*k1]
			for k := 0; k < ko; k++ {
				j.br[ci*ko+k] = sm[k+1]
				for l := k; l < ko; l++ {
					j.bb[(ci*ko+k)*ko+l] = sm[(k+1)*k1+l+1]
				}
			}
		}
		j.solve(m, members, coef)
	}
	nn.ParallelRows(m, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			i := members[ci]
			sys.Row(z[ci*size:(ci+1)*size], i, w[i*n:(i+1)*n])
		}
	})
	return sys.rep
}

// n5RefitPhi trains φ* toward φ*(u, a_i) + α·B_i(u)·c_i (the constant
// left out: the model's bias takes it) over every
// receiver's activity range (ownRefitGrid points each, n5RefitSteps Adam
// steps; refitPhiOwn, N2's refit too), so that φ* carries the own terms the
// solve fitted (tabs: each group's ψ* table, for the ψ* column of B_i).
// Beyond ownRefitRows points it refits a subset of the neurons
// (refitSubset). The embeddings stay: ψ* sees them too (N5), and the
// solved designs would change under Ŵ.
func (s *wSolver) n5RefitPhi(groups [][]int, tabs [][]float32, phi []float32, coef []float64, alpha float64) {
	if alpha == 0 {
		return
	}
	stride, offset := s.refitSubset()
	var pick, group []int // neuron, its group
	for gi, grp := range groups {
		for _, i := range grp {
			if i%stride == offset {
				pick, group = append(pick, i), append(group, gi)
			}
		}
	}
	s.refitPhiOwn(ownRefit{pick: pick, k: s.n5OwnK(), coef: coef, alpha: alpha,
		steps: n5RefitSteps, lr: n5RefitLR, keepGrads: true,
		basis: func(p int, v float32, b []float32) {
			var a [n5MaxOwnK]float32
			s.n5OwnBasis(tabs[group[p]], phi, pick[p], v, &a)
			a[n5OwnConst] = 0 // the constant is the model's bias, not φ*'s
			copy(b, a[:len(b)])
		}})
}

package gnn

import (
	"math"
	"slices"

	"github.com/ngs-lab/ngs/ops/nn"
)

// The exact Ŵ solve of the N5 variant. With ψ*(u_j, a_i, a_j) the design
// matrix of receiver i's row is Ψ⁽ⁱ⁾[k, j] = ψ*(u_kj, a_i, a_j), which
// depends on the receiver. Receivers are grouped as the N5 messages are
// (n5Groups: one group per distinct embedding after clustering, a few
// k-means groups before): every member of group G shares the receiver
// embedding a_G that ψ* sees, hence the Gram matrix Ψ_Gᵀ Ψ_G. Each group's
// rows are solved exactly with its own Gram matrix, by the same robust
// solve as N2 and N4 (ridge, pseudo-inverse, flat senders); the cost of a
// solve is that of an N2 solve times the number of groups. One damping
// factor over all rows, from the validation frames, as for the other
// variants.

// solveN5 replaces the model's Ŵ by the group-wise least-squares solution,
// each receiver's row solved jointly with its own-term columns (n5own.go;
// unless n5OwnTerms is off), damped by the validation frames, and refits
// φ* toward the fitted own terms; it never fails.
func (s *wSolver) solveN5() SolveReport {
	m, n := s.m, s.data.N
	groups, centres := m.n5Groups()
	phi := s.tabulate(false)
	owned := make([]bool, n)
	for i := range owned {
		owned[i] = m.inputIndex == nil || m.inputIndex[i] < 0
	}
	w := append([]float32(nil), m.w...)
	var coef []float64
	if n5OwnTerms {
		coef = make([]float64, n*s.n5OwnK())
	}
	var rep SolveReport
	flatAll := true
	flatSeen := map[int]bool{}
	tabs := make([][]float32, len(groups))
	for gi, g := range groups {
		tabs[gi] = s.tabulateGroup(centres[gi])
		acc := s.accumulateGroupOwn(tabs[gi], phi, g)
		flat := flatSenders(s.colSum, s.colSq, len(s.frames))
		wg := append([]float32(nil), w...)
		r := s.solveGroupOwn(acc, flat, coef != nil, wg, coef)
		mergeReports(&rep, r, gi == 0)
		for _, j := range flat {
			flatSeen[j] = true
		}
		if len(flat) < n {
			flatAll = false
		}
		for _, i := range g {
			if owned[i] {
				copy(w[i*n:(i+1)*n], wg[i*n:(i+1)*n])
			}
		}
	}
	for j := range flatSeen {
		rep.Flat = append(rep.Flat, j)
	}
	slices.Sort(rep.Flat)
	rep.Applied, rep.ValBefore, rep.ValAfter, rep.PsiStep = 1, math.NaN(), math.NaN(), math.NaN()
	if len(s.val) > 0 {
		rep.Applied, rep.ValBefore, rep.ValAfter = s.dampN5(w, owned, groups, tabs, phi, coef)
	}
	rep = s.commit(w, owned, rep, flatAll)
	if coef != nil && !flatAll && s.constant {
		fit := make([]float64, n)
		for i := range fit {
			fit[i] = coef[i*s.n5OwnK()+n5OwnConst]
			if !owned[i] && m.bias != nil {
				fit[i] = float64(m.bias[i])
			}
		}
		m.moveBias(fit, rep.Applied)
	}
	if coef != nil && !flatAll {
		s.n5RefitPhi(groups, tabs, phi, coef, rep.Applied)
	}
	return rep
}

// mergeReports folds one group's solve report into the whole solve's: the
// least favourable method, ridge, condition number and rank.
func mergeReports(all *SolveReport, r SolveReport, first bool) {
	if first {
		*all = r
		all.Flat = nil
		return
	}
	if r.Method != "cholesky" {
		all.Method = r.Method
	}
	all.Ridge = math.Max(all.Ridge, r.Ridge)
	all.Cond = math.Max(all.Cond, r.Cond)
	all.Rank = min(all.Rank, r.Rank)
}

// tabulateGroup evaluates ψ*(u, a_G, a_j) on cfg.Grid points over every
// sender j's range; the result is N×Grid.
func (s *wSolver) tabulateGroup(ag []float32) []float32 {
	m, n, g := s.m, s.data.N, s.cfg.Grid
	d := m.spec.EmbeddingDim
	u := make([]float32, n*g)
	ai := make([]float32, n*g*d)
	aj := make([]float32, n*g*d)
	for j := 0; j < n; j++ {
		step := (s.hi[j] - s.lo[j]) / float32(g-1)
		for k := 0; k < g; k++ {
			r := j*g + k
			u[r] = s.lo[j] + float32(k)*step
			copy(ai[r*d:(r+1)*d], ag)
			copy(aj[r*d:(r+1)*d], m.a[j*d:(j+1)*d])
		}
	}
	out, _ := m.Psi(u, ai, aj)
	return out
}

// fillGroup writes the group's ψ* (frames×N, from its table psiTab) into
// psiMat and du − φ* of its members (frames×|G|) into resid.
func (s *wSolver) fillGroup(psiTab, phi []float32, members []int, frames []int) {
	n, g := s.data.N, s.cfg.Grid
	k := len(members)
	nn.ParallelRows(len(frames), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			fr := frames[r]
			u := s.data.U[fr*n : (fr+1)*n]
			y := s.data.DU[fr*n : (fr+1)*n]
			for j, v := range u {
				s.psiMat[r*n+j] = s.interp(psiTab, j, g, v)
			}
			for c, i := range members {
				s.resid[r*k+c] = y[i] - s.interp(phi, i, g, u[i])
			}
		}
	})
}

// dampN5 is damp for the group-wise solve: the validation error of the
// owned rows before and after, each group's rows predicted with its own ψ*
// (and after, with the fitted own terms coef when not nil), and one factor
// α for all rows (see damp). It returns α and the validation
// mean squared errors before and after.
func (s *wSolver) dampN5(w []float32, owned []bool, groups [][]int, tabs [][]float32, phi []float32, coef []float64) (applied, before, after float64) {
	n, v := s.data.N, len(s.val)
	old := s.m.w
	var rd, dd, rr float64
	rows := 0
	for gi, g := range groups {
		var mine []int
		for _, i := range g {
			if owned[i] {
				mine = append(mine, i)
			}
		}
		if len(mine) == 0 {
			continue
		}
		k := len(mine)
		rows += k
		s.fillGroup(tabs[gi], phi, mine, s.val)
		wOld := make([]float32, k*n)
		wNew := make([]float32, k*n)
		for c, i := range mine {
			copy(wOld[c*n:(c+1)*n], old[i*n:(i+1)*n])
			copy(wNew[c*n:(c+1)*n], w[i*n:(i+1)*n])
		}
		pOld := make([]float32, v*k)
		pNew := make([]float32, v*k)
		nn.Gemm(false, true, v, k, n, 1, s.psiMat[:v*n], n, wOld, n, 0, pOld, k)
		nn.Gemm(false, true, v, k, n, 1, s.psiMat[:v*n], n, wNew, n, 0, pNew, k)
		if b := s.m.bias; b != nil { // the current constants, which the solve replaces
			for f := 0; f < v; f++ {
				for c, i := range mine {
					pOld[f*k+c] += b[i]
				}
			}
		}
		if coef != nil { // the own terms the solve fitted change the prediction too
			var b [n5MaxOwnK]float32
			ko := s.n5OwnK()
			for f, fr := range s.val {
				u := s.data.U[fr*n : (fr+1)*n]
				for c, i := range mine {
					s.n5OwnBasis(tabs[gi], phi, i, u[i], &b)
					var add float64
					for q := 0; q < ko; q++ {
						add += coef[i*ko+q] * float64(b[q])
					}
					pNew[f*k+c] += float32(add)
				}
			}
		}
		for q := range pOld {
			r := float64(s.resid[q] - pOld[q])
			d := float64(pNew[q] - pOld[q])
			rd += r * d
			dd += d * d
			rr += r * r
		}
	}
	return dampOwned(w, old, owned, n, valSums{rd: rd, dd: dd, rr: rr, count: rows * v})
}

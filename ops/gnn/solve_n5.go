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

// solveN5 replaces the model's Ŵ by the group-wise least-squares solution
// (damped by the validation frames); it never fails.
func (s *wSolver) solveN5() SolveReport {
	m, n := s.m, s.data.N
	groups, centres := m.n5Groups()
	phi := s.tabulate(false)
	owned := make([]bool, n)
	for i := range owned {
		owned[i] = m.inputIndex == nil || m.inputIndex[i] < 0
	}
	w := append([]float32(nil), m.w...)
	var rep SolveReport
	flatAll := true
	flatSeen := map[int]bool{}
	tabs := make([][]float32, len(groups))
	for gi, g := range groups {
		tabs[gi] = s.tabulateGroup(centres[gi])
		s.accumulateGroup(tabs[gi], phi, g)
		flat := flatSenders(s.colSum, s.colSq, len(s.frames))
		wg, r := robustSolve(s.gram, s.cross, n, s.cfg.Ridge, flat, s.colSum, s.rsum, len(s.frames))
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
	rep.Applied, rep.ValBefore, rep.ValAfter = 1, math.NaN(), math.NaN()
	if len(s.val) > 0 {
		rep.Applied, rep.ValBefore, rep.ValAfter = s.dampN5(w, owned, groups, tabs, phi)
	}
	return s.commit(w, owned, rep, flatAll)
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

// accumulateGroup builds the group's float64 Gram matrix Ψ_Gᵀ Ψ_G, the
// cross products with its members' residuals (column i for member i, zero
// elsewhere), ψ*'s column sums and sums of squares and the members'
// residual sums over the Gram frames.
func (s *wSolver) accumulateGroup(psiTab, phi []float32, members []int) {
	n, k := s.data.N, len(members)
	clear(s.gram)
	clear(s.cross)
	clear(s.colSum)
	clear(s.colSq)
	clear(s.rsum)
	for b0 := 0; b0 < len(s.frames); b0 += gramBlock {
		fr := s.frames[b0:min(b0+gramBlock, len(s.frames))]
		s.fillGroup(psiTab, phi, members, fr)
		rows := len(fr)
		s.scratch = nn.MulTN(s.psiMat[:rows*n], rows, n, s.psiMat[:rows*n], n, s.blockG, s.scratch)
		s.scratch = nn.MulTN(s.psiMat[:rows*n], rows, n, s.resid[:rows*k], k, s.blockC[:n*k], s.scratch)
		nn.ParallelRows(n, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				for q := j * n; q < (j+1)*n; q++ {
					s.gram[q] += float64(s.blockG[q])
				}
				for c, i := range members {
					s.cross[j*n+i] += float64(s.blockC[j*k+c])
				}
			}
		})
		for r := 0; r < rows; r++ {
			for j, v := range s.psiMat[r*n : (r+1)*n] {
				s.colSum[j] += float64(v)
				s.colSq[j] += float64(v) * float64(v)
			}
			for c, i := range members {
				s.rsum[i] += float64(s.resid[r*k+c])
			}
		}
	}
}

// dampN5 is damp for the group-wise solve: the validation error of the
// owned rows before and after, each group's rows predicted with its own ψ*,
// and one factor α for all rows (see damp). It returns α and the validation
// mean squared errors before and after.
func (s *wSolver) dampN5(w []float32, owned []bool, groups [][]int, tabs [][]float32, phi []float32) (applied, before, after float64) {
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

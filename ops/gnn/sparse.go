package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
)

// The sparse solve (AlternatingConfig.SparsePenalty > 0) replaces the
// least-squares solve of Ŵ by the relaxed lasso: for every receiver row,
// coordinate descent on ½wᵀGw − cᵀw + λ‖w‖₁ (the lasso on the Gram matrix),
// λ being SparsePenalty times the row's largest |c_j|, reached along a short
// path of larger penalties, then a least-squares refit on the senders it
// kept.
//
// The penalty is a setting, not chosen on the validation frames: with ψ*
// off, a larger support always fits held-out frames of the same recording
// better (it absorbs ψ*'s error), so validation picks the dense solve even
// where the lasso's W is far closer (N = 400, 5 % fill, ψ* 10 % off:
// validation error 33 for least squares, W R² 0.82; 154 at penalty 1e-3,
// W R² 0.98).
//
// With the joint steps (psistep.go) the lasso sees each receiver's own
// columns too, projected out of G and c (sparseown.go), and the relaxed
// refit is the joint one.
//
// Why: in a sparse network the activity is nearly collinear, and the
// coupling sits in Gram eigenvalues 10¹² below the largest. Least squares
// reaches W there only with the true ψ and float64 products; with ψ* off by
// 10 % of its width it scored W R² 0.17 (Supp 8's network at N = 1000, 5 %
// fill), where the relaxed lasso scored 0.975 (docs/RESULTS.md, session 17).

// sparsePath are the penalties, relative to each row's largest |c_j|,
// that lead the path down to the penalty asked for (each warm-starts the
// next, which makes coordinate descent far faster than a cold start).
var sparsePath = []float64{0.03, 0.01, 3e-3}

// lassoRounds and lassoSweeps bound the coordinate descent at one penalty:
// lassoRounds sweeps over every sender, each followed by at most
// lassoSweeps over the active senders. The refit on the support makes a
// loose convergence enough, and the bound keeps a solve's cost fixed where
// ψ* is still far off and the Gram matrix badly conditioned.
const (
	lassoRounds = 3
	lassoSweeps = 50
)

// lassoTol stops the sweeps at one penalty once no weight changes the
// prediction by more than this fraction of the best single sender's fit.
const lassoTol = 1e-5

// The support bound is the largest fraction of the senders a row may
// keep: a row's path stops at the last penalty within it (for a row that
// keeps more already at the path's first penalty, see solveSparse). While
// ψ* is still far off, the lasso spreads a row's weight over many senders
// to absorb ψ*'s error, and the joint steps fit each row on its support
// from psiRefitFrames frames: the bound is supportBoundEarly then. Once a joint step has settled ψ* (it moved by
// less than psiSettledStep of its spread) the bound rises to
// supportBoundSettled, since with the own columns projected out the lasso
// keeps about twice the true senders (Supp 8 at N = 1000: 148 per row at
// 5 % fill, 380 at 20 %). At 20 % fill the early bound alone held rows
// to recall 0.47 and W R² 0.93; lifting it from there gave 0.998 in one
// solve, where the settled bound from the start (ψ* a line) gave 0.11
// (docs/RESULTS.md, session 20).
const (
	supportBoundEarly   = 0.25
	supportBoundSettled = 0.9
)

// psiSettledStep is the joint step's size, relative to ψ*'s spread over
// the data, below which ψ* counts as settled.
const psiSettledStep = 0.01

// supportBound is the sparse solve's support bound now (see above).
func (s *wSolver) supportBound() float64 {
	if s.psiSettled {
		return supportBoundSettled
	}
	return supportBoundEarly
}

// solveSparse solves Ŵ row by row by the relaxed lasso at the penalty
// s.cfg.SparsePenalty (see the top of this file); dense is the
// least-squares solution, which the rows whose support grows past the
// support bound already at the path's first penalty keep. It returns the
// new Ŵ and the number of rows that kept least squares. With joint steps
// (s.steps) no row keeps least squares: one that passes the bound already
// at the first penalty keeps that penalty's senders, since a step fits
// each row on its support from psiRefitFrames frames and a row of all the
// senders is neither determined there nor cheap. At 50 % fill (N = 1000,
// ψ* from a line) the rows so kept took ψ* to within 7 % of tanh and W R²
// to 0.81 under the early bound, and to 0.994 once it lifted
// (docs/RESULTS.md, session 20).
func (s *wSolver) solveSparse(dense []float32, flat []int) ([]float32, int) {
	n := s.data.N
	skip := make([]bool, n)
	for _, j := range flat {
		skip[j] = true
	}
	path := []float64{}
	for _, f := range sparsePath {
		if f > s.cfg.SparsePenalty {
			path = append(path, f)
		}
	}
	path = append(path, s.cfg.SparsePenalty)
	bound := s.supportBound()
	out := make([]float32, n*n)
	kept := make([]bool, n)
	nn.ParallelRows(n, func(lo, hi int) {
		c := make([]float64, n)
		w := make([]float64, n)
		r := make([]float64, n)
		last := make([]float64, n)
		var proj, lastY []float64
		var own ownProjection
		for i := lo; i < hi; i++ {
			var pr *ownProjection // the own columns, when summed (sparseown.go)
			if s.ownSums {
				s.projectionFor(i, &own)
				pr = &own
			}
			cmax, fit := 0.0, 0.0
			for j := 0; j < n; j++ {
				c[j] = s.cross[j*n+i]
				if d := s.gram[j*n+j]; !skip[j] && j != i && d > 0 {
					cmax = math.Max(cmax, math.Abs(c[j]))
					fit = math.Max(fit, math.Abs(c[j])/math.Sqrt(d))
				}
			}
			clear(w)
			copy(r, c)
			pr.restart()
			under := false // w holds a solution within the bound
			for _, frac := range path {
				copy(last, w)
				if pr != nil {
					lastY = append(lastY[:0], pr.y...)
				}
				lassoRow(s.gram, n, i, skip, frac*cmax, lassoTol*fit, w, r, pr)
				if float64(nonZeros(w)) > bound*float64(n) {
					if !under && s.steps {
						under = true // the first penalty's senders (see solveSparse)
						break
					}
					copy(w, last)
					if pr != nil {
						copy(pr.y, lastY)
					}
					break
				}
				under = true
			}
			if !under {
				kept[i] = true
				copy(out[i*n:(i+1)*n], dense[i*n:(i+1)*n])
				continue
			}
			proj = proj[:0]
			for j := range c {
				proj = append(proj, pr.target(j, c[j]))
			}
			relaxed, support := relaxRow(s.gram, n, proj, w, pr)
			for _, j := range support {
				out[i*n+j] = float32(relaxed[j])
			}
		}
	})
	denseRows := 0
	for _, k := range kept {
		if k {
			denseRows++
		}
	}
	return out, denseRows
}

// lassoRow runs coordinate descent on receiver i's row w (warm start) for
// ½wᵀGw − cᵀw + lam‖w‖₁ with w_i = 0 and the skipped senders at 0, with
// pr (when not nil) the own columns projected out of G and c; r holds
// c − Gw and is kept up to date (and pr's y with it). Sweeps over all
// senders alternate with sweeps over the senders with a non-zero weight
// (the active set), which update r only on that set; they stop once no
// weight moves the prediction by more than tol.
func lassoRow(g []float64, n, i int, skip []bool, lam, tol float64, w, r []float64, pr *ownProjection) {
	var active []int
	var delta []float64 // each active weight's change over the active sweeps
	for round := 0; round < lassoRounds; round++ {
		if lassoSweep(g, n, i, skip, lam, w, r, nil, nil, pr) <= tol {
			return
		}
		active = active[:0]
		for j, x := range w {
			if x != 0 {
				active = append(active, j)
			}
		}
		delta = append(delta[:0], make([]float64, len(active))...)
		for sweep := 0; sweep < lassoSweeps; sweep++ {
			if lassoSweep(g, n, i, skip, lam, w, r, active, delta, pr) <= tol {
				break
			}
		}
		for p, j := range active { // bring r up to date outside the active set
			d := delta[p]
			if d == 0 {
				continue
			}
			row := g[j*n : (j+1)*n]
			inA := 0
			for k := range r {
				if inA < len(active) && active[inA] == k {
					inA++
					continue
				}
				r[k] -= row[k] * d
			}
		}
	}
}

// lassoSweep is one coordinate-descent sweep of lassoRow: over every sender
// (active nil; r updated in full), or over the active senders only (r
// updated on them, each weight's total change added to delta, which is
// aligned with active). It returns the largest change of the prediction,
// |Δw_j|·√G_jj.
func lassoSweep(g []float64, n, i int, skip []bool, lam float64, w, r []float64, active []int, delta []float64, pr *ownProjection) float64 {
	most := 0.0
	update := func(j, p int) {
		gjj := g[j*n+j]
		if j == i || skip[j] || gjj <= 0 {
			return
		}
		d, rj := pr.reduced(j, gjj, r[j])
		if d <= 1e-12*gjj { // ψ*(u_j) lies in the receiver's own columns
			return
		}
		z := rj + d*w[j]
		nw := 0.0
		if z > lam {
			nw = (z - lam) / d
		} else if z < -lam {
			nw = (z + lam) / d
		}
		dw := nw - w[j]
		if dw == 0 {
			return
		}
		w[j] = nw
		pr.moved(j, dw)
		row := g[j*n : (j+1)*n]
		if active == nil {
			for k := range r {
				r[k] -= row[k] * dw
			}
		} else {
			for _, k := range active {
				r[k] -= row[k] * dw
			}
			delta[p] += dw
		}
		most = math.Max(most, math.Abs(dw)*math.Sqrt(d))
	}
	if active == nil {
		for j := 0; j < n; j++ {
			update(j, -1)
		}
	} else {
		for p, j := range active {
			update(j, p)
		}
	}
	return most
}

// relaxRow refits w by least squares on its support (the senders with a
// non-zero weight), with pr's own columns projected out (c is then c̃),
// returning the refitted row and the support; where the support's Gram
// block cannot be factorised, it returns w itself.
func relaxRow(g []float64, n int, c, w []float64, pr *ownProjection) ([]float64, []int) {
	var support []int
	for j, x := range w {
		if x != 0 {
			support = append(support, j)
		}
	}
	out := make([]float64, n)
	copy(out, w)
	if len(support) == 0 {
		return out, support
	}
	a := mat.NewSymDense(len(support), nil)
	b := mat.NewVecDense(len(support), nil)
	for p, j := range support {
		for q := p; q < len(support); q++ {
			a.SetSym(p, q, pr.entry(j, support[q], g[j*n+support[q]]))
		}
		a.SetSym(p, p, pr.entry(j, j, g[j*n+j])+1e-9*g[j*n+j])
		b.SetVec(p, c[j])
	}
	var chol mat.Cholesky
	if !chol.Factorize(a) {
		return out, support
	}
	var x mat.VecDense
	if chol.SolveVecTo(&x, b) != nil {
		return out, support
	}
	for p, j := range support {
		out[j] = x.AtVec(p)
	}
	return out, support
}

// nonZeros counts the non-zero entries of w.
func nonZeros(w []float64) int {
	c := 0
	for _, x := range w {
		if x != 0 {
			c++
		}
	}
	return c
}

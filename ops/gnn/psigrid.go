package gnn

import (
	"github.com/ngs-lab/ngs/ops/nn"
)

// DefaultPsiGrid is the number of points of the grid through which the
// trainer evaluates a shared ψ* (TrainConfig.PsiGrid).
const DefaultPsiGrid = 2048

// psiGrid evaluates a shared ψ* (variant N2: ψ*(u_j) alone, the same
// function for every sender) during training through its values on a fixed
// grid over the data's activity range, linearly interpolated. A batch of B
// frames then runs ψ*'s MLP forward and backward over the grid's points
// instead of over its B·N rows (2,048 points against 16,000 rows at
// N = 1000 and 128,000 at N = 8000), and edge_diff's shifted values come
// from the same grid at no MLP cost.
//
// What trains is the piecewise-linear interpolant of ψ* through the grid
// points, and its gradient is exact for that interpolant: each row's
// gradient goes to its two neighbouring grid points with the interpolation
// weights, and the MLP's backward pass runs over the grid. A ReLU MLP is
// itself piecewise linear, so the interpolant differs from it only in the
// grid cells that hold one of its kinks, by at most the cell width times
// the change of slope there (a few 10⁻⁴ for the ranges of the paper's
// networks). The exact solves already read ψ* from a table (solve.go); the
// model outside training (rollouts, reports) evaluates the MLP itself.
type psiGrid struct {
	lo, scale float32   // grid point k is at lo + k/scale
	in        []float32 // the grid points (ψ*'s inputs, one column)
}

// newPsiGrid returns a grid of points over [lo − margin, hi + margin], or
// nil when points < 2 or the range is empty.
func newPsiGrid(lo, hi, margin float32, points int) *psiGrid {
	lo, hi = lo-margin, hi+margin
	if points < 2 || !(hi > lo) {
		return nil
	}
	g := &psiGrid{lo: lo, scale: float32(points-1) / (hi - lo), in: make([]float32, points)}
	for k := range g.in {
		g.in[k] = lo + (hi-lo)*float32(k)/float32(points-1)
	}
	return g
}

// cell returns the grid cell k (clamped to [0, points−2]) and the
// fraction t of the way from point k to k+1 at which u lies; t falls
// outside [0, 1] beyond the grid's ends (linear extrapolation).
func (g *psiGrid) cell(u float32) (k int, t float32) {
	p := (u - g.lo) * g.scale
	k = int(p)
	if k < 0 {
		k = 0
	} else if k > len(g.in)-2 {
		k = len(g.in) - 2
	}
	return k, p - float32(k)
}

// gridWork holds a batch's ψ* grid pass: the MLP's buffers over the grid's
// points, the values interpolated for the batch's rows, and the gradient
// with respect to the grid values.
type gridWork struct {
	grid *psiGrid
	w    *nn.Work
	tab  []float32 // ψ* at the grid points (a view into w)
	vals []float32 // the rows' interpolated ψ*
	dTab []float32 // loss gradient w.r.t. tab
	// curveTab holds the grid values of Model.psiCurve when it is set.
	curveTab []float32
}

// usePsiGrid makes the batches of wk evaluate ψ* through grid (nil: the
// MLP row by row). Only a shared ψ* on the product path may use one.
func (m *Model) usePsiGrid(wk *batchWork, grid *psiGrid) {
	if grid == nil || !m.spec.PsiShared() || m.spec.receiverGrouped() {
		wk.grid = nil
		return
	}
	wk.grid = &gridWork{grid: grid, w: m.psi.NewWork(len(grid.in)),
		vals: make([]float32, wk.B*wk.N), dTab: make([]float32, len(grid.in))}
}

// forwardGrid evaluates ψ* over the grid and interpolates it at the first
// rows values of u; it returns the rows' values and clears the grid
// gradient for the backward pass.
func (m *Model) forwardGrid(gw *gridWork, u []float32, rows int) []float32 {
	if c := m.psiCurve; c != nil {
		if len(gw.curveTab) != len(gw.grid.in) {
			gw.curveTab = make([]float32, len(gw.grid.in))
		}
		for k, u := range gw.grid.in {
			gw.curveTab[k] = c.at(u)
		}
		gw.tab = gw.curveTab
	} else {
		gw.tab = m.psi.Forward(gw.w, gw.grid.in, len(gw.grid.in))
	}
	clear(gw.dTab)
	out := gw.vals[:rows]
	nn.ParallelRows(rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			out[r] = gw.at(u[r])
		}
	})
	return out
}

// at interpolates the grid's current ψ* at u.
func (gw *gridWork) at(u float32) float32 {
	k, t := gw.grid.cell(u)
	return gw.tab[k] + t*(gw.tab[k+1]-gw.tab[k])
}

// scatter adds the gradient d of ψ* interpolated at u to the grid values.
func (gw *gridWork) scatter(u, d float32) {
	k, t := gw.grid.cell(u)
	gw.dTab[k] += d * (1 - t)
	gw.dTab[k+1] += d * t
}

// backwardGrid adds the gradients dPsi of the rows at u (and whatever
// edge_diff scattered already) into ψ*'s parameter gradients through the
// grid.
func (m *Model) backwardGrid(gw *gridWork, u, dPsi []float32) {
	for r, d := range dPsi {
		if d != 0 {
			gw.scatter(u[r], d)
		}
	}
	if m.psiCurve == nil { // the curve is not trained by Adam
		m.psi.Backward(gw.w, gw.dTab, nil)
	}
}

// forwardPsi evaluates ψ* for the first rows rows of the batch: through the
// grid when wk has one, from the joint steps' shared curve or the grouped
// steps' curves when the model has them, else the MLP row by row.
func (m *Model) forwardPsi(wk *batchWork, rows int) []float32 {
	if wk.grid != nil {
		return m.forwardGrid(wk.grid, wk.u, rows)
	}
	if c := m.psiCurve; c != nil && m.spec.PsiShared() {
		return wk.curveRows(rows, func(int) *psiCurve { return c })
	}
	if cs := m.neuronGroupPsi(); cs != nil && m.psiGrouped { // Adam holds ψ* (no backward)
		return wk.curveRows(rows, func(r int) *psiCurve { return cs[r%wk.N] })
	}
	if wk.psiW == nil {
		wk.psiW = m.psi.NewWork(wk.B * wk.N)
	}
	return m.psi.Forward(wk.psiW, wk.psiIn[:rows*m.spec.psiIn()], rows)
}

// curveRows returns ψ* read from curves for the first rows rows of the
// batch: curve(r) at the row's activity.
func (wk *batchWork) curveRows(rows int, curve func(r int) *psiCurve) []float32 {
	if len(wk.curveVals) < rows {
		wk.curveVals = make([]float32, wk.B*wk.N)
	}
	out := wk.curveVals[:rows]
	for r := range out {
		out[r] = curve(r).at(wk.u[r])
	}
	return out
}

// trainingPsiGrid is the grid of cfg.PsiGrid points over the data's
// activity range through which training evaluates a shared ψ*, widened by
// twice edge_diff's shift; nil when the setting is off or ψ* is not shared.
func trainingPsiGrid(m *Model, d Data, cfg TrainConfig) *psiGrid {
	if cfg.PsiGrid < 0 || !m.spec.PsiShared() || m.spec.receiverGrouped() || len(d.U) == 0 {
		return nil
	}
	lo, hi := d.U[0], d.U[0]
	for _, v := range d.U {
		lo, hi = min(lo, v), max(hi, v)
	}
	return newPsiGrid(lo, hi, 2*edgeDiffShift(m.xnorm), cfg.PsiGrid)
}

package gnn

import (
	"math"
	"slices"

	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/nn"
)

// The joint step of ψ* per sender group (N4, and per pair of groups for
// N5), after a dense solve.
//
// When ψ* takes the sender's embedding (ψ*(u_j, a_j), variant N4) and the
// clustering step has put every embedding on its cluster's median, ψ* is
// one curve per cluster, and the model du_i − φ*(u_i) = Σ_j ŵ_ij ψ*_g(j)(u_j)
// is bilinear in Ŵ and the curves' knot values, as for the shared ψ* of
// psistep.go. Adam moves those curves slowly against the exact solves: at
// full scale, Supp 13's W R² was 0.87 after 20 epochs and 0.97 after 40.
// The step here is Gauss–Newton on the variable-projection problem, with
// every curve's knots together:
//
//   - receivers in a strided subset fit their rows on all senders, and,
//     where the solve has them (N5, own_term), on the own columns (u_i,
//     ψ*(u_i), φ*(u_i), 1), as the sparse step's rows do;
//   - the knots' Gauss–Newton matrix is Σ_i F_iᵀF_i − (X_iᵀF_i)ᵀ(X_iᵀX_i)⁻¹X_iᵀF_i,
//     with X_i row i's design and F_i the derivative of its prediction in
//     the knots (Ŵ's row times the senders' hats, in their group's block,
//     plus the own ψ* coefficient times the receiver's hats);
//   - each curve keeps its mean, spread and sign (keepScale), which are
//     free against Ŵ's columns;
//   - the new curves become the model's ψ* at the groups' embeddings
//     (Model.psiGroups, groupcurves.go: the solves, the training batches,
//     the report and symbolic regression read them), ψ*'s MLP is trained
//     toward them, and Ŵ is solved again. The step stands only when that
//     solve fits the validation frames better than the one before.
//
// A subset of the rows suffices: the knots are few (groupKnots per group)
// against the rows' equations, and each row costs a factorisation of order
// N. The steps start while the clustering step holds a and ψ* (its
// freeze); once one stands, Adam holds ψ* and a for the rest of training
// (its steps moved the curves away again: at full scale Supp 13's live
// W R² fell from 0.95 to 0.86 in the epoch after the freeze), and the
// steps go on in every epoch, until in each epoch a step moves the curves
// by less than groupSettledStep, does not improve the fit, or
// groupMaxSteps have stood.

// groupKnots is the number of knots of each group's curve.
const groupKnots = 64

// maxPsiGroups is the most sender groups the step takes (G·groupKnots
// unknowns).
const maxPsiGroups = 16

// groupStepRows is the most receivers whose rows estimate the step.
const groupStepRows = 96

// groupStepFrames is the most frames a step reads, per sender: each row
// fits N + 3 coefficients.
const groupStepFrames = 4

// groupRefitSteps, groupRefitLR and groupRefitDecay are the Adam steps,
// starting rate and final fraction of it that train ψ*'s MLP toward the
// stepped curves.
const (
	groupRefitSteps = 1500
	groupRefitLR    = 1e-3
	groupRefitDecay = 0.1
)

// groupedPsiSteps switches the step on (a test compares without it).
var groupedPsiSteps = true

// senderGroups returns every neuron's group, the groups' embeddings, and
// whether the step applies: ψ* takes the sender's embedding (and perhaps
// the receiver's, N5, but not the receiver's activity), and the embeddings
// sit on 2 to maxPsiGroups distinct values (the clustering step's medians).
func (m *Model) senderGroups() (label []int, emb [][]float32, ok bool) {
	sp := m.spec
	if !sp.PsiTakes(SenderEmbedding) || sp.PsiTakes(ReceiverActivity) {
		return nil, nil, false
	}
	n, d := sp.N, sp.EmbeddingDim
	label = make([]int, n)
	for i := 0; i < n; i++ {
		a := m.a[i*d : (i+1)*d]
		g := slices.IndexFunc(emb, func(e []float32) bool { return slices.Equal(e, a) })
		if g < 0 {
			if len(emb) == maxPsiGroups {
				return nil, nil, false
			}
			g = len(emb)
			emb = append(emb, slices.Clone(a))
		}
		label[i] = g
	}
	return label, emb, len(emb) >= 2
}

// groupStepApplies says whether a solve is followed by a grouped step now.
func (s *wSolver) groupStepApplies() (label []int, emb [][]float32, ok bool) {
	m := s.m
	if !groupedPsiSteps || !m.holdsPsiAndA() || s.cfg.SparsePenalty > 0 || m.inputIndex != nil || m.etab != nil {
		return nil, nil, false
	}
	label, emb, ok = m.senderGroups()
	if !ok {
		return nil, nil, false
	}
	if s.groupSettledIn == m.epochs+1 {
		return nil, nil, false
	}
	return label, emb, true
}

// solveWithGroupStep is a solve, a grouped step of ψ*, and a second solve
// at the new ψ*; the step is undone (ψ*'s MLP and Ŵ restored) when the
// second solve's validation error is above the first's. A step that is
// undone or smaller than groupSettledStep, or the groupMaxSteps-th that
// stands, ends the steps for the epoch.
func (s *wSolver) solveWithGroupStep(label []int, emb [][]float32) SolveReport {
	rep := s.solveOnce()
	if rep.Applied == 0 || math.IsNaN(rep.ValAfter) {
		return rep
	}
	psi := slices.Clone(s.m.psi.Params)
	w := slices.Clone(s.m.w)
	curves := s.m.psiGroups
	tb := s.lastTables
	if tb == nil || s.m.spec.receiverGrouped() { // the N5 solve keeps no tables
		t := s.tables()
		tb = &t
	}
	step := s.groupedPsiStep(*tb, label, emb)
	if math.IsNaN(step) {
		return rep
	}
	next := s.solveOnce()
	if !(next.ValAfter <= rep.ValAfter) {
		copy(s.m.psi.Params, psi)
		copy(s.m.w, w)
		s.m.psiGroups = curves
		if s.lastTables != nil {
			t := s.tables()
			s.lastTables = &t
		}
		rep.PsiStep = math.NaN()
		s.last = rep
		s.groupSettledIn = s.m.epochs + 1 // no more steps this epoch
		return rep
	}
	s.m.psiGrouped = true
	if s.groupStepsIn != s.m.epochs+1 {
		s.groupStepsIn, s.groupSteps = s.m.epochs+1, 0
	}
	s.groupSteps++
	if step < groupSettledStep || s.groupSteps >= groupMaxSteps {
		s.groupSettledIn = s.m.epochs + 1
	}
	next.PsiStep = step
	s.last = next
	return next
}

// groupedPsiStep moves ψ*'s curves per sender group by one Gauss–Newton
// step at the rows' joint fit read with tables tb, and trains ψ*'s MLP
// toward them. With ψ* taking the receiver's embedding too (N5), every
// receiver group has curves of its own, one per sender group, and the step
// is taken per receiver group: a row's prediction depends on its own
// group's curves only. It returns the step's size relative to the curves'
// spread (NaN when no row's system factorised).
func (s *wSolver) groupedPsiStep(tb tables, label []int, emb [][]float32) float64 {
	n, groups := s.data.N, len(emb)
	frames := strided(s.frames, min(len(s.frames), max(groupStepFrames*n, 2000)))
	lo, hi := s.knotRange()
	grid := knotGrid(lo, hi, groupCurvePoints)
	q := make([][]float32, groups)
	for g := range q {
		q[g] = groupQuantiles(s.data.U, frames, n, label, g, psiQuantiles)
	}
	var recv [][]float32 // the receivers' embeddings of the blocks (nil: one block, N4)
	blocks := [][]int{seq(n)}
	if s.m.spec.PsiTakes(ReceiverEmbedding) {
		recv, blocks = emb, make([][]int, groups)
		for i, g := range label {
			blocks[g] = append(blocks[g], i)
		}
	}
	var points, targets, recvs, sends [][]float32
	var next []GroupPsi
	var step float64
	curves := 0
	for b, members := range blocks {
		var ar []float32
		btb := tb
		if recv != nil {
			ar = recv[b]
			tab := s.tabulateGroup(ar)
			btb = tables{phi: tb.phi, psiOf: func(i int, v float32) float32 { return s.interp(tab, i, s.cfg.Grid, v) }}
		}
		rows := strided(members, min(len(members), max(groupStepRows/len(blocks), 16)))
		delta, ok := s.blockStep(btb, frames, rows, label, groups, ar, emb)
		if !ok {
			continue
		}
		// The step's knots are coarser than ψ*'s MLP: the new curve is
		// the MLP's, sampled finely, plus the interpolated step.
		fine := s.groupCurveValues(ar, emb, grid)
		for g := 0; g < groups; g++ {
			start := &psiCurve{lo: lo, hi: hi, vals: fine[g*groupCurvePoints : (g+1)*groupCurvePoints]}
			coarse := curveOf(delta[g*groupKnots:(g+1)*groupKnots], lo, hi)
			d := make([]float64, groupCurvePoints)
			for k, u := range grid {
				d[k] = float64(coarse.at(u))
			}
			curve := keepScale(start, d, q[g])
			next = append(next, GroupPsi{Recv: ar, Send: emb[g], Lo: curve.lo, Hi: curve.hi, Vals: curve.vals})
			c := curveChange(start, curve, q[g])
			step += c * c
			curves++
			// The MLP is trained toward the curve where the data are:
			// at the sender group's quantiles.
			at := make([]float32, len(q[g]))
			for k, u := range q[g] {
				at[k] = curve.at(u)
			}
			points, targets = append(points, q[g]), append(targets, at)
			recvs, sends = append(recvs, ar), append(sends, emb[g])
		}
	}
	if curves == 0 {
		return math.NaN()
	}
	s.m.refitPsiCurves(recvs, sends, points, targets, groupRefitSteps, groupRefitLR)
	s.m.psiGroups = next // read in place of the MLP where the embeddings match
	return math.Sqrt(step / float64(curves))
}

// blockStep is the Gauss–Newton step of the curves (receiver embedding ar,
// nil for N4; every sender group's) from the given rows, read with the
// tables tb: the knot values' change, group-major, and whether any row's
// system factorised.
func (s *wSolver) blockStep(tb tables, frames, rows, label []int, groups int, ar []float32, emb [][]float32) ([]float64, bool) {
	n, t := s.data.N, len(frames)
	psi, resid, own := s.groupFill(tb, frames)
	gram := s.subsetGram(tb, frames)
	lo, hi := s.knotRange()
	scale := float32(groupKnots-1) / (hi - lo)
	// The rows take own columns where the solve has them (N5, and the
	// own-term solve), so that the step improves the model the solve fits.
	k := 0
	if s.ownTermApplies() || (s.m.spec.receiverGrouped() && n5OwnTerms) {
		k = stepOwnK
	}
	ws := newGroupRowWork(t, n, groups*groupKnots, k)
	solved := 0
	for _, i := range rows { // each row's products and factorisation run in parallel
		if ws.row(i, psi, resid, own, gram, s.data.U, frames, label, lo, scale) {
			solved++
		}
	}
	if solved == 0 {
		return nil, false
	}
	theta0 := widen64(s.groupCurveValues(ar, emb, knotGrid(lo, hi, groupKnots)))
	return solveGroupStep(ws.m, ws.g, theta0, groups), true
}

// groupCurvePoints is the number of evenly spaced points of each group's
// curve (Model.psiGroups): the MLP sampled finely plus the interpolated
// step. At 1024 over Supp 13's activity range, linear interpolation of
// tanh(u) is off by under 1e-4.
const groupCurvePoints = 1024

// seq returns 0, 1, …, n−1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// groupFill evaluates ψ* per sender, du − φ* per receiver and the own
// columns over the frames (each t×n, frame-major).
func (s *wSolver) groupFill(tb tables, frames []int) (psi, resid, own []float32) {
	n, t, grid := s.data.N, len(frames), s.cfg.Grid
	psi, resid = make([]float32, t*n), make([]float32, t*n)
	own = make([]float32, stepOwnK*t*n)
	nn.ParallelRows(t, func(q0, q1 int) {
		b := make([]float32, stepOwnK)
		for q := q0; q < q1; q++ {
			u := s.data.U[frames[q]*n : (frames[q]+1)*n]
			y := s.data.DU[frames[q]*n : (frames[q]+1)*n]
			for i, v := range u {
				psi[q*n+i] = tb.psiOf(i, v)
				resid[q*n+i] = y[i] - s.interp(tb.phi, i, grid, v)
				s.ownBasis(tb, i, v, b)
				for k, x := range b {
					own[k*t*n+q*n+i] = x
				}
			}
		}
	})
	return psi, resid, own
}

// knotGrid returns k points evenly spaced over [lo, hi].
func knotGrid(lo, hi float32, k int) []float32 {
	out := make([]float32, k)
	for q := range out {
		out[q] = lo + (hi-lo)*float32(q)/float32(k-1)
	}
	return out
}

// groupCurveValues samples ψ*'s MLP on the points grid for every sender
// embedding of emb (group-major), with the receiver embedding ar where ψ*
// takes one.
func (s *wSolver) groupCurveValues(ar []float32, emb [][]float32, grid []float32) []float32 {
	d := s.m.spec.EmbeddingDim
	u := make([]float32, 0, len(emb)*len(grid))
	ai := make([]float32, 0, len(emb)*len(grid)*d)
	aj := make([]float32, 0, len(emb)*len(grid)*d)
	for _, e := range emb {
		for _, v := range grid {
			u = append(u, v)
			aj = append(aj, e...)
			if ar != nil {
				ai = append(ai, ar...)
			} else {
				ai = append(ai, e...)
			}
		}
	}
	v, _ := s.m.Psi(u, ai, aj)
	return v
}

// widen64 returns x as float64.
func widen64(x []float32) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = float64(v)
	}
	return out
}

// groupQuantiles returns k quantiles of the activities of group g's
// neurons over the frames.
func groupQuantiles(u []float32, frames []int, n int, label []int, g, k int) []float32 {
	var all []float32
	for _, f := range frames {
		for i, v := range u[f*n : (f+1)*n] {
			if label[i] == g {
				all = append(all, v)
			}
		}
	}
	slices.Sort(all)
	out := make([]float32, k)
	for q := range out {
		out[q] = all[(2*q+1)*len(all)/(2*k)]
	}
	return out
}

// solveGroupStep is solveStep with the second-difference smoothing inside
// each group's block of knots only.
func solveGroupStep(m, g, theta0 []float64, groups int) []float64 {
	k := groups * groupKnots
	var tr float64
	for i := 0; i < k; i++ {
		tr += m[i*k+i]
	}
	lam := psiRefitSmooth * tr / float64(k)
	a := slices.Clone(m)
	rhs := slices.Clone(g)
	for i := 0; i < k; i++ {
		a[i*k+i] = m[i*k+i]*(1+psiStepDamping) + 1e-12*tr
	}
	d := [3]float64{1, -2, 1}
	for gr := 0; gr < groups; gr++ {
		for r := gr * groupKnots; r+2 < (gr+1)*groupKnots; r++ {
			var dt float64
			for p := 0; p < 3; p++ {
				dt += d[p] * theta0[r+p]
			}
			for p := 0; p < 3; p++ {
				rhs[r+p] -= lam * d[p] * dt
				for q := 0; q < 3; q++ {
					a[(r+p)*k+r+q] += lam * d[p] * d[q]
				}
			}
		}
	}
	var ch linalg.Cholesky
	if !ch.Factorize(a, k) {
		return make([]float64, k)
	}
	ch.SolveVec(rhs)
	return rhs
}

// groupRowWork holds one row's buffers of a grouped step and the sums
// over the rows: the knots' Gauss–Newton matrix m and gradient g.
type groupRowWork struct {
	t, n, kn int
	k        int       // own columns per row: 0 or stepOwnK
	cols     []float32 // t×(stepOwnK+1): the row's own columns and du − φ*
	cross    []float32 // n×(stepOwnK+1): Ψᵀ·cols
	coef     []float32 // n: the row's Ŵ (0 at i)
	pred     []float32 // t
	f        []float32 // t×kn: the derivative in the knots
	pf       []float32 // n×kn: Ψᵀ·f
	of       []float32 // stepOwnK×kn: own columnsᵀ·f
	fr       []float32 // kn×(kn+1): fᵀ·[f, r]
	gi       []float64 // the row's Gram matrix
	x        []float64 // kn×size: (X_iᵀ f)ᵀ
	m, g     []float64
}

func newGroupRowWork(t, n, kn, k int) *groupRowWork {
	size := n - 1 + k
	return &groupRowWork{t: t, n: n, kn: kn, k: k,
		cols: make([]float32, t*(k+1)), cross: make([]float32, n*(k+1)),
		coef: make([]float32, n), pred: make([]float32, t), f: make([]float32, t*(kn+1)),
		pf: make([]float32, n*(kn+1)), of: make([]float32, k*(kn+1)), fr: make([]float32, (kn+1)*(kn+1)),
		gi: make([]float64, size*size), x: make([]float64, kn*size),
		m: make([]float64, kn*kn), g: make([]float64, kn)}
}

// row adds receiver i's part of the step: its joint fit on the senders
// j ≠ i and its own columns, the derivative of that fit's prediction in
// the knots, and the derivative's part that the row's coefficients do not
// take back. It is false when the row's system does not factorise.
func (ws *groupRowWork) row(i int, psi, resid, own []float32, gram []float64, u []float32, frames, label []int, lo, scale float32) bool {
	t, n, kn, ok := ws.t, ws.n, ws.kn, ws.k
	c := ok + 1
	for q := 0; q < t; q++ {
		for k := 0; k < ok; k++ {
			ws.cols[q*c+k] = own[k*t*n+q*n+i]
		}
		ws.cols[q*c+ok] = resid[q*n+i]
	}
	nn.Gemm(true, false, n, c, t, 1, psi, n, ws.cols, c, 0, ws.cross, c)
	var oo [stepOwnK + 1][stepOwnK + 1]float64 // own columns and du − φ*, against each other
	for q := 0; q < t; q++ {
		row := ws.cols[q*c : (q+1)*c]
		for k := range row {
			for l := 0; l <= k; l++ {
				oo[k][l] += float64(row[k]) * float64(row[l])
			}
		}
	}
	ch, factored := ws.factor(i, gram, &oo)
	if !factored {
		return false
	}
	size := n - 1 + ok
	beta := make([]float64, size)
	for p, j := range others(i, n) {
		beta[p] = float64(ws.cross[j*c+ok])
	}
	for k := 0; k < ok; k++ {
		beta[n-1+k] = oo[ok][k]
	}
	ch.SolveVec(beta)
	clear(ws.coef)
	for p, j := range others(i, n) {
		ws.coef[j] = float32(beta[p])
	}
	var own1 float32 // ψ*(u_i)'s coefficient
	if ok > 0 {
		own1 = float32(beta[n-1+1])
	}
	nn.Gemm(false, false, t, 1, n, 1, psi, n, ws.coef, 1, 0, ws.pred, 1)
	// f's last column is the row's residual at its joint fit.
	ld := kn + 1
	clear(ws.f)
	for q := 0; q < t; q++ {
		r := float64(ws.cols[q*c+ok]) - float64(ws.pred[q])
		for k := 0; k < ok; k++ {
			r -= beta[n-1+k] * float64(ws.cols[q*c+k])
		}
		fq := ws.f[q*ld : (q+1)*ld]
		fq[kn] = float32(r)
		for j, v := range u[frames[q]*n : (frames[q]+1)*n] {
			w := ws.coef[j]
			if j == i {
				w = own1
			}
			if w == 0 {
				continue
			}
			p := (v - lo) * scale
			b := min(max(int(p), 0), groupKnots-2)
			tt := min(max(p-float32(b), 0), 1)
			b += label[j] * groupKnots
			fq[b] += (1 - tt) * w
			fq[b+1] += tt * w
		}
	}
	nn.Gemm(true, false, n, ld, t, 1, psi, n, ws.f, ld, 0, ws.pf, ld)
	if ok > 0 {
		nn.Gemm(true, false, ok, ld, t, 1, ws.cols, c, ws.f, ld, 0, ws.of, ld)
	}
	nn.Gemm(true, false, kn, ld, t, 1, ws.f, ld, ws.f, ld, 0, ws.fr, ld)
	for b := 0; b < kn; b++ {
		xb := ws.x[b*size : (b+1)*size]
		for p, j := range others(i, n) {
			xb[p] = float64(ws.pf[j*ld+b])
		}
		for k := 0; k < ok; k++ {
			xb[n-1+k] = float64(ws.of[k*ld+b])
		}
	}
	ch.ForwardRows(ws.x, kn)
	for b := 0; b < kn; b++ {
		ws.g[b] += float64(ws.fr[b*ld+kn])
		for e := 0; e < kn; e++ {
			ws.m[b*kn+e] += float64(ws.fr[b*ld+e]) - dotF64(ws.x[b*size:(b+1)*size], ws.x[e*size:(e+1)*size])
		}
	}
	return true
}

// others returns the senders of receiver i: 0, …, n−1 without i.
func others(i, n int) []int {
	out := make([]int, 0, n-1)
	for j := 0; j < n; j++ {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// factor returns the Cholesky factor of row i's Gram matrix over the
// senders j ≠ i and its ws.k own columns (order N − 1 + ws.k), with
// factorRidged's ridge.
func (ws *groupRowWork) factor(i int, gram []float64, oo *[stepOwnK + 1][stepOwnK + 1]float64) (linalg.Cholesky, bool) {
	n, k1 := ws.n, ws.k
	c := k1 + 1
	size := n - 1 + k1
	sent := others(i, n)
	return factorRidged(ws.gi, size, func(g []float64) {
		for p, j := range sent {
			row := g[p*size : (p+1)*size]
			for q, l := range sent {
				row[q] = gram[j*n+l]
			}
			for k := 0; k < k1; k++ {
				v := float64(ws.cross[j*c+k])
				row[n-1+k] = v
				g[(n-1+k)*size+p] = v
			}
		}
		for k := 0; k < k1; k++ {
			for l := 0; l <= k; l++ {
				g[(n-1+k)*size+n-1+l], g[(n-1+l)*size+n-1+k] = oo[k][l], oo[k][l]
			}
		}
	})
}

// refitPsiCurves trains ψ*'s MLP for steps Adam steps (rate lr, falling
// to lr·groupRefitDecay) toward target curves: curve c takes the values
// targets[c] at the activities points[c], for the receiver embedding
// recv[c] (nil where ψ* takes none) and the sender embedding send[c]. It
// returns the final mean squared error.
func (m *Model) refitPsiCurves(recv, send, points, targets [][]float32, steps int, lr float64) float64 {
	var u, ai, aj, target []float32
	for c, e := range send {
		for k, v := range points[c] {
			u = append(u, v)
			aj = append(aj, e...)
			if recv[c] != nil {
				ai = append(ai, recv[c]...)
			}
			target = append(target, targets[c][k])
		}
	}
	rows := len(u)
	x := m.psiInputs(u, ai, aj)
	opt := nn.NewAdam()
	group, _ := opt.Add("psi", m.psi.Params, m.psi.Grads, lr)
	w := m.psi.NewWork(rows)
	dy := make([]float32, rows)
	var mse float64
	for s := 0; s <= steps; s++ {
		y := m.psi.Forward(w, x, rows)
		mse = 0
		for r := range y {
			diff := float64(y[r] - target[r])
			mse += diff * diff
			dy[r] = float32(2 * diff / float64(rows))
		}
		mse /= float64(rows)
		if s == steps {
			break
		}
		m.psi.ZeroGrads()
		m.psi.Backward(w, dy, nil)
		// The rate falls geometrically to lr·groupRefitDecay: a fresh Adam
		// moves every parameter by about lr at first, which a ψ* already
		// close to its targets must not keep.
		group.LR = lr * math.Pow(groupRefitDecay, float64(s)/float64(max(steps-1, 1)))
		opt.Step()
	}
	m.psi.ZeroGrads()
	return mse
}

// psiInputs lays out ψ*'s MLP input rows for sender activities u, receiver
// embeddings ai (read only where ψ* takes them) and sender embeddings aj,
// in the order of the model's ψ* arguments.
func (m *Model) psiInputs(u, ai, aj []float32) []float32 {
	in, d := m.spec.psiIn(), m.spec.EmbeddingDim
	x := make([]float32, len(u)*in)
	off := 0
	for _, name := range m.spec.PsiArgList() {
		w := m.spec.inputWidth(name)
		for r := range u {
			switch name {
			case SenderActivity:
				x[r*in+off] = u[r]
			case SenderEmbedding:
				copy(x[r*in+off:r*in+off+w], aj[r*d:(r+1)*d])
			case ReceiverEmbedding:
				copy(x[r*in+off:r*in+off+w], ai[r*d:(r+1)*d])
			}
		}
		off += w
	}
	return x
}

// groupSettledStep is the step size below which the grouped steps stop
// for the epoch, and groupMaxSteps the most steps that stand in one epoch.
// (At full scale a step costs about 10 s at N = 1000, and after the first
// few the steps stay near 0.3 % while the fit gains little.)
const (
	groupSettledStep = 0.005
	groupMaxSteps    = 6
)

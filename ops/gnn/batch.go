package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
)

// batchWork holds every buffer of one forward/backward pass over B frames,
// allocated once and reused by every step.
type batchWork struct {
	B, N, D int

	u, y  []float32 // B×N activity and target of the batch
	tNorm []float32 // B normalised times k/T (for Ω*)
	frame []int     // B frame indices (for the input table)
	psiIn []float32 // B·N × psiIn
	phiIn []float32 // B·N × (1+D)
	psiW  *nn.Work  // allocated on first use (not with a ψ* grid)
	// curveVals holds ψ* read from Model.psiCurve (without a ψ* grid) or
	// from the group curves (Model.psiGroups).
	curveVals []float32
	phiW      *nn.Work
	psiOut    []float32 // B×N = Ψ (view into psiW)
	phiOut    []float32 // B×N = Φ (view into phiW)
	msg       []float32 // B×N messages Ψ·Ŵᵀ
	e         []float32 // B×N external input (nil without Ω*)
	pred      []float32 // B×N
	dPred     []float32 // B×N
	dMsg      []float32 // B×N
	dPsi      []float32 // B×N
	dPhi      []float32 // B×N
	dPsiIn    []float32 // B·N × psiIn
	dPhiIn    []float32 // B·N × (1+D)

	// Ω*: B·K rows of (x, y, t).
	omIn  []float32
	omW   *nn.Work
	omOut []float32
	dOm   []float32

	// phi_zero: N rows (0, a_i).
	pzIn  []float32
	pzW   *nn.Work
	dPz   []float32
	dPzIn []float32

	// edge_diff: ψ at u+δ, and a second pass at u for ψ-only gradients (N4).
	edIn      []float32
	edW, edW0 *nn.Work
	dEd, dEd0 []float32
	edVals    []float32 // ψ* at u+δ from the grid (grid only)
	n5        *n5Work   // N5 receiver-group buffers

	// grid, when set, evaluates a shared ψ* through its values on a grid
	// (psigrid.go) instead of row by row.
	grid *gridWork

	// singletons says whether the embeddings are trained; it no longer
	// changes the N5 receiver groups (n5Groups in n5.go).
	singletons bool

	// fromData is set once frames of the data are loaded: only then does
	// the input table (indexed by frame) give e; otherwise Ω* does.
	fromData bool
}

func (m *Model) newBatchWork(b int) *batchWork {
	n, d := m.spec.N, m.spec.EmbeddingDim
	rows := b * n
	pin := m.spec.psiIn()
	wk := &batchWork{B: b, N: n, D: d,
		u: make([]float32, rows), y: make([]float32, rows), tNorm: make([]float32, b), frame: make([]int, b),
		psiIn: make([]float32, rows*pin), phiIn: make([]float32, rows*(1+d)),
		phiW: m.phi.NewWork(rows),
		msg:  make([]float32, rows), pred: make([]float32, rows), dPred: make([]float32, rows),
		dMsg: make([]float32, rows), dPsi: make([]float32, rows), dPhi: make([]float32, rows),
		dPsiIn: make([]float32, rows*pin), dPhiIn: make([]float32, rows*(1+d)),
	}
	if m.omega != nil {
		k := len(m.spec.Omega.Neurons)
		wk.e = make([]float32, rows)
		wk.omIn = make([]float32, b*k*3)
		wk.omW = m.omega.NewWork(b * k)
		wk.dOm = make([]float32, b*k)
	}
	return wk
}

// ensurePenaltyWork allocates the phi_zero and edge_diff buffers on first use.
func (m *Model) ensurePenaltyWork(wk *batchWork, phiZero, edgeDiff bool) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	if phiZero && wk.pzW == nil {
		wk.pzIn = make([]float32, n*(1+d))
		wk.pzW = m.phi.NewWork(n)
		wk.dPz = make([]float32, n)
		wk.dPzIn = make([]float32, n*(1+d))
	}
	if edgeDiff && wk.grid != nil {
		if wk.dEd == nil {
			wk.dEd = make([]float32, wk.B*n)
			wk.edVals = make([]float32, wk.B*n)
		}
		return
	}
	if edgeDiff && wk.edW == nil {
		rows := wk.B * n
		wk.edIn = make([]float32, rows*m.spec.psiIn())
		wk.edW = m.psi.NewWork(rows)
		wk.dEd = make([]float32, rows)
		if !m.spec.PsiShared() {
			wk.edW0 = m.psi.NewWork(rows)
			wk.dEd0 = make([]float32, rows)
		}
	}
}

// loadFrames copies the batch's frames into wk.u and wk.y.
func (wk *batchWork) loadFrames(d Data, frames []int) {
	n := wk.N
	for b, f := range frames {
		copy(wk.u[b*n:(b+1)*n], d.U[f*n:(f+1)*n])
		copy(wk.y[b*n:(b+1)*n], d.DU[f*n:(f+1)*n])
		wk.tNorm[b] = float32(f) / float32(d.T)
		wk.frame[b] = f
	}
	wk.fromData = true
}

// fillInputs builds the φ* and ψ* input rows from wk.u and the embeddings.
// A ψ* row belongs to one neuron, sender and receiver at once, so each of
// ψ*'s inputs (PsiArgList) is that neuron's activity or embedding: (u_j)
// for N2, (u_j, a_j) for N4, (u_j, a_j, a_j) for N5 (used by edge_diff and
// as the self term).
func (m *Model) fillInputs(wk *batchWork, rows int) {
	d, n := wk.D, wk.N
	pin := m.spec.psiIn()
	args := m.spec.PsiArgList()
	nn.ParallelRows(rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			i := r % n
			ai := m.a[i*d : (i+1)*d]
			ph := wk.phiIn[r*(1+d) : (r+1)*(1+d)]
			ph[0] = wk.u[r]
			copy(ph[1:], ai)
			ps := wk.psiIn[r*pin : (r+1)*pin]
			off := 0
			for _, in := range args {
				if in == SenderActivity || in == ReceiverActivity {
					ps[off] = wk.u[r]
					off++
				} else {
					off += copy(ps[off:off+d], ai)
				}
			}
		}
	})
}

// forward computes wk.pred for the first b frames loaded in wk.u (b ≤ B).
// For N2 and N4, Ψ is one value per neuron and frame and the messages are
// the single product Ψ·Ŵᵀ.
func (m *Model) forward(wk *batchWork, b int) {
	n := wk.N
	rows := b * n
	m.fillInputs(wk, rows)
	wk.phiOut = m.phi.Forward(wk.phiW, wk.phiIn[:rows*(1+wk.D)], rows)
	if m.spec.receiverGrouped() {
		m.messagesN5(wk, b, wk.singletons)
	} else {
		wk.psiOut = m.forwardPsi(wk, rows)
		nn.Gemm(false, true, b, n, n, 1, wk.psiOut, n, m.w, n, 0, wk.msg, n)
	}
	if m.omega != nil {
		m.forwardOmega(wk, b)
	}
	mode := m.inputMode()
	nn.ParallelRows(rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			switch mode {
			case Multiplicative:
				wk.pred[r] = wk.phiOut[r] + wk.e[r]*wk.msg[r]
			case Additive:
				wk.pred[r] = wk.phiOut[r] + wk.msg[r] + wk.e[r]
			default:
				wk.pred[r] = wk.phiOut[r] + wk.msg[r]
			}
		}
	})
	m.addBias(wk.pred[:rows], n)
}

// addBias adds each receiver's constant term (Model.bias) to pred, frames
// of n values each; nothing without one.
func (m *Model) addBias(pred []float32, n int) {
	if m.bias == nil {
		return
	}
	for r := range pred {
		pred[r] += m.bias[r%n]
	}
}

func (m *Model) inputMode() InputMode {
	if m.omega == nil {
		return NoInput
	}
	return m.spec.Omega.Mode
}

// forwardOmega fills wk.e from Ω* at the batch's times (from the input
// table when training uses one).
func (m *Model) forwardOmega(wk *batchWork, b int) {
	o := m.spec.Omega
	k := len(o.Neurons)
	if m.etab != nil && wk.fromData {
		m.fillFromTable(wk, b)
		return
	}
	for f := 0; f < b; f++ {
		for q := 0; q < k; q++ {
			r := (f*k + q) * 3
			wk.omIn[r], wk.omIn[r+1], wk.omIn[r+2] = o.X[q], o.Y[q], wk.tNorm[f]
		}
	}
	wk.omOut = m.omega.Forward(wk.omW, wk.omIn[:b*k*3], b*k)
	fill := float32(0)
	if o.Mode == Multiplicative {
		fill = 1
	}
	n := wk.N
	for r := 0; r < b*n; r++ {
		wk.e[r] = fill
	}
	for f := 0; f < b; f++ {
		for q, i := range o.Neurons {
			wk.e[f*n+i] = omegaToE(o.Mode, wk.omOut[f*k+q])
		}
	}
}

// stepOptions says which gradients and penalties a step needs.
type stepOptions struct {
	gradW, gradA, gradPsi, gradOmega bool
	phiZero, edgeDiff, wL1           float64
	delta                            float32 // edge_diff shift
}

// lossAndGrad runs forward and backward over the frames loaded in wk and
// accumulates gradients into the model's gradient slices (which the caller
// zeroes). It returns the data loss ‖pred − y‖ and the total loss.
func (m *Model) lossAndGrad(wk *batchWork, opt stepOptions) (data, total float64) {
	b, n := wk.B, wk.N
	rows := b * n
	wk.singletons = opt.gradA
	m.forward(wk, b)
	var ss float64
	for r := 0; r < rows; r++ {
		dv := float64(wk.pred[r] - wk.y[r])
		ss += dv * dv
	}
	data = math.Sqrt(ss)
	inv := float32(0)
	if data > 0 {
		inv = float32(1 / data)
	}
	mode := m.inputMode()
	for r := 0; r < rows; r++ {
		g := (wk.pred[r] - wk.y[r]) * inv
		wk.dPred[r], wk.dPhi[r], wk.dMsg[r] = g, g, g
		if mode == Multiplicative {
			wk.dMsg[r] = g * wk.e[r]
		}
	}
	total = data
	if m.spec.receiverGrouped() {
		return m.finishN5(wk, opt, data)
	}
	// Messages: dΨ = dM·Ŵ, dŴ = dMᵀ·Ψ (diagonal masked).
	nn.Gemm(false, false, b, n, n, 1, wk.dMsg, n, m.w, n, 0, wk.dPsi, n)
	if opt.gradW {
		nn.Gemm(true, false, n, n, b, 1, wk.dMsg, n, wk.psiOut, n, 1, m.gw, n)
		for i := 0; i < n; i++ {
			m.gw[i*n+i] = 0
		}
	}
	if opt.gradOmega && m.omega != nil {
		m.backwardOmega(wk, b)
	}
	if opt.edgeDiff > 0 && opt.gradPsi {
		total += m.edgeDiffTerm(wk, opt)
	}
	d := wk.D
	pin := m.spec.psiIn()
	// In the product path ψ* takes the sender's embedding (N4) or none (N2).
	embedded := !m.spec.PsiShared()
	if opt.gradPsi || (opt.gradA && embedded) {
		var dx []float32
		if opt.gradA && embedded {
			dx = wk.dPsiIn[:rows*pin]
		}
		if !opt.gradPsi {
			defer restore(m.psi.Grads, append([]float32(nil), m.psi.Grads...))
		}
		if wk.grid != nil {
			m.backwardGrid(wk.grid, wk.u[:rows], wk.dPsi[:rows]) // dx is nil: ψ* takes no embedding
		} else {
			m.psi.Backward(wk.psiW, wk.dPsi, dx)
		}
		if dx != nil {
			addEmbeddingGrad(m.ga, dx, n, d, pin, 1)
		}
	}
	var dx []float32
	if opt.gradA {
		dx = wk.dPhiIn[:rows*(1+d)]
	}
	m.phi.Backward(wk.phiW, wk.dPhi, dx)
	if dx != nil {
		addEmbeddingGrad(m.ga, dx, n, d, 1+d, 1)
	}
	if opt.phiZero > 0 {
		total += m.phiZeroTerm(wk, opt.phiZero*float64(b), opt.gradA)
	}
	if opt.wL1 > 0 && opt.gradW {
		total += m.wL1Term(opt.wL1)
	}
	return data, total
}

func restore(dst, src []float32) { copy(dst, src) }

// finishN5 is the backward pass and penalties for the N5 variant.
func (m *Model) finishN5(wk *batchWork, opt stepOptions, data float64) (float64, float64) {
	b, n, d := wk.B, wk.N, wk.D
	total := data
	if opt.gradOmega && m.omega != nil {
		m.backwardOmega(wk, b)
	}
	m.backwardN5(wk, b, opt)
	if opt.edgeDiff > 0 && opt.gradPsi {
		total += m.edgeDiffTerm(wk, opt) // on rows (u_j, a_j, a_j)
	}
	var dx []float32
	if opt.gradA {
		dx = wk.dPhiIn[:b*n*(1+d)]
	}
	m.phi.Backward(wk.phiW, wk.dPhi, dx)
	if dx != nil {
		addEmbeddingGrad(m.ga, dx, n, d, 1+d, 1)
	}
	if opt.phiZero > 0 {
		total += m.phiZeroTerm(wk, opt.phiZero*float64(b), opt.gradA)
	}
	if opt.wL1 > 0 && opt.gradW {
		total += m.wL1Term(opt.wL1)
	}
	return data, total
}

// addEmbeddingGrad adds the embedding columns 1..d of input gradients
// (rows of width `width`, row r belonging to neuron r mod n) into ga.
func addEmbeddingGrad(ga, dx []float32, n, d, width int, scale float32) {
	rows := len(dx) / width
	for r := 0; r < rows; r++ {
		i := r % n
		g := ga[i*d : (i+1)*d]
		src := dx[r*width+1 : r*width+1+d]
		for k := range g {
			g[k] += scale * src[k]
		}
	}
}

// backwardOmega propagates the gradient of e into Ω*.
func (m *Model) backwardOmega(wk *batchWork, b int) {
	if m.etab != nil {
		return // e comes from the input table, not from Ω*
	}
	o := m.spec.Omega
	k, n := len(o.Neurons), wk.N
	for f := 0; f < b; f++ {
		for q, i := range o.Neurons {
			r := f*n + i
			var de float32
			if o.Mode == Multiplicative {
				de = wk.dPred[r] * wk.msg[r]
			} else {
				de = wk.dPred[r]
			}
			if o.Mode == Additive {
				wk.dOm[f*k+q] = de
			} else {
				wk.dOm[f*k+q] = de * 2 * wk.omOut[f*k+q]
			}
		}
	}
	m.omega.Backward(wk.omW, wk.dOm[:b*k], nil)
}

// phiZeroTerm adds coeff·‖φ*(0, a_i)‖ over all i and its gradients.
func (m *Model) phiZeroTerm(wk *batchWork, coeff float64, gradA bool) float64 {
	n, d := wk.N, wk.D
	m.ensurePenaltyWork(wk, true, false)
	for i := 0; i < n; i++ {
		wk.pzIn[i*(1+d)] = 0
		copy(wk.pzIn[i*(1+d)+1:(i+1)*(1+d)], m.a[i*d:(i+1)*d])
	}
	v := m.phi.Forward(wk.pzW, wk.pzIn, n)
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	norm := math.Sqrt(ss)
	if norm == 0 {
		return 0
	}
	s := float32(coeff / norm)
	for i, x := range v {
		wk.dPz[i] = s * x
	}
	var dx []float32
	if gradA {
		dx = wk.dPzIn
	}
	m.phi.Backward(wk.pzW, wk.dPz, dx)
	if dx != nil {
		addEmbeddingGrad(m.ga, dx, n, d, 1+d, 1)
	}
	return coeff * norm
}

// edgeDiffTerm adds Σ_b coeff·‖ReLU(ψ*(u_bj) − ψ*(u_bj+δ))‖_j; only ψ*'s
// parameters receive its gradient.
func (m *Model) edgeDiffTerm(wk *batchWork, opt stepOptions) float64 {
	b, n := wk.B, wk.N
	rows := b * n
	pin := m.spec.psiIn()
	m.ensurePenaltyWork(wk, false, true)
	var shifted []float32
	if wk.grid != nil {
		shifted = wk.edVals[:rows]
		for r := range shifted {
			shifted[r] = wk.grid.at(wk.u[r] + opt.delta)
		}
	} else {
		copy(wk.edIn, wk.psiIn[:rows*pin])
		for r := 0; r < rows; r++ {
			wk.edIn[r*pin] += opt.delta
		}
		shifted = m.psi.Forward(wk.edW, wk.edIn, rows)
	}
	base := wk.psiOut
	dBase := wk.dPsi // N2: add into the main ψ gradient (a is not an input)
	if wk.edW0 != nil {
		base = m.psi.Forward(wk.edW0, wk.psiIn[:rows*pin], rows)
		dBase = wk.dEd0
		clear(dBase)
	}
	var total float64
	for f := 0; f < b; f++ {
		var ss float64
		for j := 0; j < n; j++ {
			if v := base[f*n+j] - shifted[f*n+j]; v > 0 {
				ss += float64(v) * float64(v)
			}
		}
		norm := math.Sqrt(ss)
		total += opt.edgeDiff * norm
		for j := 0; j < n; j++ {
			r := f*n + j
			wk.dEd[r] = 0
			if v := base[r] - shifted[r]; v > 0 && norm > 0 {
				g := float32(opt.edgeDiff/norm) * v
				dBase[r] += g
				wk.dEd[r] = -g
			}
		}
	}
	if wk.grid != nil {
		// The shifted values' gradient joins the grid's, which the main
		// backward pass sends through ψ*'s MLP once.
		for r, g := range wk.dEd[:rows] {
			if g != 0 {
				wk.grid.scatter(wk.u[r]+opt.delta, g)
			}
		}
		return total
	}
	m.psi.Backward(wk.edW, wk.dEd, nil)
	if wk.edW0 != nil {
		m.psi.Backward(wk.edW0, wk.dEd0, nil)
	}
	return total
}

// wL1Term adds coeff·Σ|Ŵ| and its subgradient. It runs only while Ŵ
// trains: with Ŵ frozen (solved exactly) the term is a constant of the step.
func (m *Model) wL1Term(coeff float64) float64 {
	var s float64
	c := float32(coeff)
	n := m.spec.N
	for i := 0; i < n; i++ {
		row, grad := m.w[i*n:(i+1)*n], m.gw[i*n:(i+1)*n]
		for j, v := range row {
			switch {
			case v > 0:
				s += float64(v)
				grad[j] += c
			case v < 0:
				s -= float64(v)
				grad[j] -= c
			}
		}
		grad[i] = 0
	}
	return coeff * s
}

package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// wSolver computes, for fixed φ*, ψ* and embeddings, the Ŵ that minimises
// Σ_k ‖du_k − φ*_k − Ŵ·ψ*_k‖² over an evenly strided subset of the training
// frames, with Ŵ's diagonal constrained to 0 (variable projection's inner
// solve). With a hidden input Ω* it solves the rows of the neurons Ω* does
// not drive, and Adam trains the others (each input neuron's e_i(t) would
// need a Gram matrix of its own).
//
// To keep the solve cheap, φ* and ψ* are tabulated on a fine grid over each
// neuron's activity range and linearly interpolated (ReLU MLPs are piecewise
// linear, so the tables are accurate); the Adam steps between solves use the
// exact MLPs.
//
// The solve cannot fail: the Gram matrix is accumulated in float64, senders
// whose ψ* is flat over the data are left out (their column of Ŵ is 0), and a
// singular or ill-conditioned system gets more ridge and, as a last resort, a
// pseudo-inverse (see robustSolve). Each solve is then scored on held-out
// validation frames and applied per receiver row only as far as it lowers
// that row's validation error (see damp).
type wSolver struct {
	// constant makes the own-term solves (ownterm.go, n5own.go) fit each
	// receiver's constant term with its row, kept as the model's bias: the
	// final solve's (trainer.finish). Any other solve drops the bias.
	constant bool
	m        *Model
	data     Data
	cfg      AlternatingConfig
	frames   []int     // Gram frames (training frames only)
	val      []int     // validation frames used to score solves
	lo, hi   []float32 // per-neuron activity range over the data
	scale    []float32 // per neuron (Grid−1)/(hi−lo): table points per unit of u
	psiMat   []float32 // block×N: ψ* per frame and sender
	resid    []float32 // block×N: du − φ* per frame and receiver
	blockG   []float32 // N×N: one block's ΨᵀΨ
	blockC   []float32 // N×N: one block's Ψᵀ·resid
	gram     []float64 // N×N: ΨᵀΨ over all Gram frames
	cross    []float64 // N×N: Ψᵀ·resid
	colSum   []float64 // N: Σ_k ψ*_kj
	colSq    []float64 // N: Σ_k ψ*_kj²
	rsum     []float64 // N: Σ_k resid_ki
	scratch  []float32 // workspace of nn.MulTN
	last     SolveReport
	// lastTables are the φ*/ψ* tables of the last solve (reused by the
	// input estimate of omega.go).
	lastTables *tables
	bins       *binSums // per-bin sums for the additive input rows (omega.go)
	own        *ownTerm // own-term columns of the solve (ownterm.go); nil when off
	useOwn     bool     // whether the current solve has own-term columns
	// ownSums says whether the accumulation sums the own columns: for the
	// own-term solve and for the sparse solve with joint steps, whose lasso
	// projects them out (sparseown.go).
	ownSums bool
	// freezeA keeps the embeddings where they are in the own-term refit
	// (TrainConfig.FreezeEmbedding).
	freezeA bool
	solved  bool // a solve has been committed (Moved has a reference)
	// work keeps the float64 factor and inverse between solves.
	work linalg.Workspace
	// steps says whether the sparse solves are followed by joint steps of
	// ψ* (psistep.go): from the first sparse solve on.
	steps bool
	// psiSettled says a joint step has settled ψ*, which lifts the sparse
	// solve's support bound (sparse.go).
	psiSettled bool
	// groupSettledIn is 1 + the epoch in which the grouped ψ* steps
	// settled or one was undone (groupstep.go); 0 when none has.
	groupSettledIn int
	// groupSteps counts the grouped steps that stood in the epoch
	// groupStepsIn − 1.
	groupSteps, groupStepsIn int
}

// gramBlock is the number of frames multiplied in float32 before their
// product is added to the float64 Gram matrix.
const gramBlock = 512

// dropFrames: a Gram pass drops the recording's resident pages
// (Data.DropResident) after every dropFrames frames and at its end, so that
// its memory does not grow with the frames it reads. The kernel maps a
// mapped file's cached pages around each one read (fault-around, 64 KB),
// so 20,000 strided frames of Supp 11 left 3.5 GB resident; faulting the
// next solve's frames back in from the page cache costs a fraction of a
// second.
const dropFrames = 4096

// SolveReport says what one exact Ŵ solve did.
type SolveReport struct {
	// Method is "cholesky", or "cholesky+ridge" when the ridge had to be
	// raised, or "pseudo-inverse" when no ridge made the system well
	// conditioned.
	Method string
	Ridge  float64 // ridge used, relative to the mean Gram diagonal
	Cond   float64 // condition number estimate of the regularised system
	Rank   int     // senders' directions solved for (fewer than the active senders with the pseudo-inverse)
	Flat   []int   // senders whose ψ* was flat over the data (Ŵ column set to 0)
	// Applied is the mean fraction of the solve applied per row (1: the
	// solve as is; 0: every row kept its previous Ŵ); ValBefore and
	// ValAfter are the validation mean squared errors of the solved rows.
	Applied             float64
	ValBefore, ValAfter float64
	// OwnRefit is the relative squared error of φ* against the own term
	// the solve fitted, after its refit (NaN when the solve had no
	// own-term columns; see ownterm.go).
	OwnRefit float64
	// Penalty is the sparse solve's L1 penalty, relative to each row's
	// largest correlation (0: the least-squares solve; see sparse.go), and
	// DenseRows the rows that kept their least-squares solution.
	Penalty   float64
	DenseRows int
	// PsiStep is the size of the Gauss–Newton step of the shared ψ* that
	// followed the sparse solve, relative to ψ*'s values (psirefit.go; NaN
	// when there was none or it was undone).
	PsiStep float64
	// Moved is how far the solve moved Ŵ, free of ψ*'s scale: 1 − ρ² of
	// the committed rows' off-diagonal weights against the previous
	// solve's (NaN for the first solve or a rejected one). It needs no
	// truth; the settled stopping rule reads it.
	Moved float64
}

// newWSolver prepares the solves over the training frames train (Gram
// frames strided evenly among them) scored on the validation frames val.
func newWSolver(m *Model, d Data, cfg AlternatingConfig, train, val []int) *wSolver {
	n := d.N
	f := cfg.Frames
	if f <= 0 {
		f = max(10*n, 10_000)
	}
	f = min(f, len(train))
	s := &wSolver{m: m, data: d, cfg: cfg}
	for k := 0; k < f; k++ {
		s.frames = append(s.frames, train[int(int64(k)*int64(len(train))/int64(f))])
	}
	s.val = val
	s.lo, s.hi = activityRange(d)
	s.scale = make([]float32, n)
	for i := range s.scale {
		s.scale[i] = float32(cfg.Grid-1) / (s.hi[i] - s.lo[i])
	}
	rows := max(gramBlock, len(s.val))
	s.psiMat = make([]float32, rows*n)
	s.resid = make([]float32, rows*n)
	s.blockG = make([]float32, n*n)
	s.blockC = make([]float32, n*n)
	s.gram = make([]float64, n*n)
	s.cross = make([]float64, n*n)
	s.colSum = make([]float64, n)
	s.colSq = make([]float64, n)
	s.rsum = make([]float64, n)
	return s
}

// activityRange returns every neuron's minimum and maximum over the data,
// widened to at least 2e-3 so that tables over it are well defined.
func activityRange(d Data) (lo, hi []float32) {
	n := d.N
	lo, hi = make([]float32, n), make([]float32, n)
	for i := 0; i < n; i++ {
		lo[i], hi[i] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	for k := 0; k < d.T; k++ {
		row := d.U[k*n : (k+1)*n]
		for i, v := range row {
			lo[i] = min(lo[i], v)
			hi[i] = max(hi[i], v)
		}
	}
	for i := range lo {
		if hi[i]-lo[i] < 1e-6 {
			lo[i] -= 1e-3
			hi[i] += 1e-3
		}
	}
	return lo, hi
}

// tables are φ* and ψ* tabulated for one solve. A shared ψ* (N2) is one
// fine table, shared[k] at u = sharedLo + k/sharedScale.
type tables struct {
	phi                   []float32
	psiOf                 func(i int, v float32) float32
	shared                []float32
	sharedLo, sharedScale float32
}

func (s *wSolver) tables() tables {
	tb := tables{phi: s.tabulate(false)}
	g := s.cfg.Grid
	if s.m.spec.PsiShared() {
		// ψ*(u) is the same for every sender: one fine table.
		tab, lo, hi := s.tabulateShared()
		if c := s.m.psiCurve; c != nil { // the joint steps' ψ* (psistep.go)
			tab, lo, hi = c.vals, c.lo, c.hi
		}
		scale := float32(len(tab)-1) / (hi - lo)
		tb.shared, tb.sharedLo, tb.sharedScale = tab, lo, scale
		tb.psiOf = func(_ int, v float32) float32 { return lerp(tab, (v-lo)*scale) }
	} else {
		psiTab := s.tabulate(true)
		tb.psiOf = func(i int, v float32) float32 { return s.interp(psiTab, i, g, v) }
	}
	return tb
}

// fill writes ψ* and du − φ* of the given frames into psiMat and resid;
// with an input table, the input neurons' residuals are turned into
// targets of Ŵ's row alone (inputTarget, omega.go).
func (s *wSolver) fill(tb tables, frames []int) {
	s.fillRaw(tb, frames)
	if s.m.etab != nil {
		s.inputTargets(frames)
	}
}

// fillRaw writes ψ* and du − φ* of the given frames into psiMat and resid.
func (s *wSolver) fillRaw(tb tables, frames []int) {
	n, g := s.data.N, s.cfg.Grid
	nn.ParallelRows(len(frames), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			fr := frames[k]
			u := s.data.U[fr*n : (fr+1)*n]
			y := s.data.DU[fr*n : (fr+1)*n]
			psi, resid := s.psiMat[k*n:(k+1)*n], s.resid[k*n:(k+1)*n]
			if tb.shared != nil {
				for i, v := range u {
					psi[i] = lerp(tb.shared, (v-tb.sharedLo)*tb.sharedScale)
				}
			} else {
				for i, v := range u {
					psi[i] = tb.psiOf(i, v)
				}
			}
			for i, v := range u {
				resid[i] = y[i] - s.interp(tb.phi, i, g, v)
			}
		}
	})
}

// accumulate builds the float64 Gram matrix ΨᵀΨ, the cross products Ψᵀ·R
// and ψ*'s column sums and sums of squares over the Gram frames, in blocks of gramBlock frames.
func (s *wSolver) accumulate(tb tables) {
	n := s.data.N
	clear(s.gram)
	clear(s.cross)
	clear(s.colSum)
	clear(s.colSq)
	clear(s.rsum)
	s.startBinSums() // issue 14 (omega.go)
	if s.ownSums {
		s.startOwn()
	}
	defer s.data.dropResident()
	for b0 := 0; b0 < len(s.frames); b0 += gramBlock {
		if b0 > 0 && b0%dropFrames < gramBlock {
			s.data.dropResident()
		}
		fr := s.frames[b0:min(b0+gramBlock, len(s.frames))]
		s.fill(tb, fr)
		rows := len(fr)
		s.addBinSums(fr) // issue 14 (omega.go)
		if s.ownSums {
			s.addOwn(tb, fr) // float64 products, the Gram's too (ownterm.go)
		} else {
			s.addGram32(rows)
		}
		for k := 0; k < rows; k++ {
			for j, v := range s.psiMat[k*n : (k+1)*n] {
				s.colSum[j] += float64(v)
				s.colSq[j] += float64(v) * float64(v)
			}
			for i, v := range s.resid[k*n : (k+1)*n] {
				s.rsum[i] += float64(v)
			}
		}
	}
	mirrorUpper(s.gram, n)
}

// addGram32 adds one block of rows Gram frames (psiMat and resid filled for
// them) to the Gram matrix and the cross products: float32 products of at
// most gramBlock frames, summed in float64.
func (s *wSolver) addGram32(rows int) {
	n := s.data.N
	s.scratch = nn.GramTN(s.psiMat[:rows*n], rows, n, s.blockG, s.resid[:rows*n], n, s.blockC, s.scratch)
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := i * n; j < (i+1)*n; j++ {
				s.cross[j] += float64(s.blockC[j])
			}
			for j := i*n + i; j < (i+1)*n; j++ { // GramTN's upper triangle
				s.gram[j] += float64(s.blockG[j])
			}
		}
	})
}

// mirrorUpper copies the upper triangle of the n×n matrix a onto its lower
// triangle.
func mirrorUpper(a []float64, n int) {
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := 0; j < i; j++ {
				a[i*n+j] = a[j*n+i]
			}
		}
	})
}

// solve replaces the model's Ŵ (the rows it owns) by the constrained
// least-squares solution, damped per row by the validation frames. It never
// fails; what it had to do is in the returned report.
func (s *wSolver) solve() SolveReport {
	if label, emb, ok := s.groupStepApplies(); ok {
		return s.solveWithGroupStep(label, emb) // groupstep.go
	}
	if s.solved || !s.psiStepApplies() {
		return s.solveOnce()
	}
	// The first sparse solve: ψ* restarts from its line and the joint
	// steps begin (psistep.go).
	s.steps = true
	s.linearizePsi()
	var rep SolveReport
	for k := 0; k < psiFirstSolves; k++ {
		rep = s.solveOnce()
	}
	return rep
}

// solveOnce is one solve of Ŵ (solve's work).
func (s *wSolver) solveOnce() SolveReport {
	if s.m.spec.receiverGrouped() {
		return s.solveN5() // one Gram matrix per receiver group (solve_n5.go)
	}
	m, n := s.m, s.data.N
	tb := s.tables()
	s.lastTables = &tb
	s.useOwn = s.ownTermApplies()
	s.ownSums = s.useOwn || (s.steps && s.psiStepApplies())
	s.accumulate(tb)
	flat := flatSenders(s.colSum, s.colSq, len(s.frames))
	var w []float32
	var rep SolveReport
	ownDone := false
	if s.useOwn { // joint with each receiver's own-term columns (ownterm.go)
		w, rep, ownDone = s.solveOwnBordered(tb, flat)
		s.useOwn = ownDone
	}
	if !ownDone {
		w, rep = robustSolve(s.gram, s.cross, n, s.cfg.Ridge, flat, s.colSum, s.rsum, len(s.frames), &s.work)
		if s.cfg.SparsePenalty > 0 && len(flat) < n {
			w, rep.DenseRows = s.solveSparse(w, flat) // sparse.go
			rep.Penalty = s.cfg.SparsePenalty
		}
	}
	rep.Flat = flat
	s.solveInputRows(w, flat) // issue 14: additive input rows jointly with e (omega.go)
	owned := make([]bool, n)
	for i := range owned {
		owned[i] = m.inputIndex == nil || m.inputIndex[i] < 0 || m.etab != nil
	}
	rep.Applied, rep.ValBefore, rep.ValAfter, rep.OwnRefit = 1, math.NaN(), math.NaN(), math.NaN()
	// The sparse solve with joint steps fits its rows with the own columns
	// projected out (sparseown.go), so Ŵ alone does not predict the
	// validation frames: its guard is the joint step's (psiStep).
	joint := s.ownSums && !s.useOwn
	if len(s.val) > 0 && !joint {
		s.fill(tb, s.val)
		rep.Applied, rep.ValBefore, rep.ValAfter = s.damp(w, s.dampRows(owned))
	}
	rep = s.commit(w, owned, rep, len(flat) == n)
	if s.useOwn && rep.Applied > 0 && s.own.bias != nil {
		m.moveBias(s.own.bias, rep.Applied)
	}
	rep.PsiStep = math.NaN()
	if s.steps && s.psiStepApplies() && len(flat) < n {
		var next tables
		rep.PsiStep, next = s.psiStep(tb) // psistep.go
		s.psiSettled = s.psiSettled || rep.PsiStep < psiSettledStep
		s.lastTables = &next
		s.last = rep
	}
	if s.useOwn && len(flat) < n {
		rep.OwnRefit = s.refitOwnTerm(tb, rep.Applied) // φ* takes the fitted own term
		s.last = rep
	}
	return rep
}

// commit copies the owned rows of the solved w into the model's Ŵ, unless
// every sender was flat (then Ŵ is kept and the trainer rolls back), and
// records rep as the last solve's report.
func (s *wSolver) commit(w []float32, owned []bool, rep SolveReport, flatAll bool) SolveReport {
	n := s.data.N
	rep.Moved = math.NaN()
	if flatAll {
		rep.Applied = 0
	} else {
		if s.solved {
			rep.Moved = moved(s.m.w, w, owned, n)
		}
		if !s.constant {
			s.m.bias = nil // this Ŵ was solved without the receivers' constants
		}
		s.solved = true
		for i := 0; i < n; i++ {
			if owned[i] {
				copy(s.m.w[i*n:(i+1)*n], w[i*n:(i+1)*n])
			}
		}
	}
	s.last = rep
	return rep
}

// moveBias moves the model's receiver constants (Model.bias, from 0 when
// it has none) the share applied of the way to fit, a solve's.
func (m *Model) moveBias(fit []float64, applied float64) {
	if m.bias == nil {
		m.bias = make([]float32, len(fit))
	}
	for i, b := range fit {
		m.bias[i] += float32(applied * (b - float64(m.bias[i])))
	}
}

// moved is 1 − ρ² between the off-diagonal entries of the owned rows of
// w and old (both N×N, receiver-major): 0 when w is old times any non-zero
// factor, 1 when they are uncorrelated, NaN when w is constant.
func moved(old, w []float32, owned []bool, n int) float64 {
	fit := metrics.FitEach(func(visit func(x, y float64)) {
		for i := 0; i < n; i++ {
			if !owned[i] {
				continue
			}
			for j := 0; j < n; j++ {
				if j != i {
					visit(float64(w[i*n+j]), float64(old[i*n+j]))
				}
			}
		}
	})
	return max(0, 1-fit.R2)
}

// solveOver solves as solve does, with frames as the Gram frames.
func (s *wSolver) solveOver(frames []int) SolveReport {
	saved := s.frames
	s.frames = frames
	defer func() { s.frames = saved }()
	return s.solve()
}

// dampMargin is how much worse (relative) a solve may make the validation
// error and still stand whole: a solve that leaves it below
// (1 + dampMargin) = collapseFactor times the old error stands.
const dampMargin = collapseFactor - 1

// damp scores the solved Ŵ (w) against the model's current one on the
// validation frames (psiMat and resid hold them), over the owned rows. A
// solve stands unless it makes the validation error more than dampMargin
// worse; then w is replaced by Ŵ_old + α·(w − Ŵ_old) with the α in [0, 1)
// that minimises the validation error (a quadratic in α; α = 0 rejects the
// solve). The margin matters: the solve is the exact step of variable
// projection, and φ*, ψ* trained between solves co-adapt to the current Ŵ,
// so a new solve is often worse on held-out frames at first; rejecting
// those locked Fig 2 (N = 1000) at W R² 0.44 for good, and with a 50 %
// margin Supp 12 (32 types, whose φ* are far from learned when the solves
// begin: every solve was rejected) at R² 0.19. The guard is therefore one
// against collapse only (a singular system's huge weights are worse by
// orders of magnitude); the choice of the best fit by validation happens per
// epoch (trackEpoch, finish). One α for
// all rows: per-row factors estimated on a few hundred correlated frames
// proved too noisy and stalled convergence. It returns α and the validation
// mean squared errors before and after.
func (s *wSolver) damp(w []float32, owned []bool) (applied, before, after float64) {
	n, v := s.data.N, len(s.val)
	old := s.m.w
	pOld := make([]float32, v*n)
	pNew := make([]float32, v*n)
	nn.Gemm(false, true, v, n, n, 1, s.psiMat[:v*n], n, old, n, 0, pOld, n)
	nn.Gemm(false, true, v, n, n, 1, s.psiMat[:v*n], n, w, n, 0, pNew, n)
	if s.useOwn && s.own.coef != nil {
		s.addOwnPrediction(*s.lastTables, s.val, pNew, 1) // the own term's change
	}
	s.m.addBias(pOld, n) // the current constants, which the solve replaces
	var rd, dd, rr float64
	rows := 0
	for i := 0; i < n; i++ {
		if !owned[i] {
			continue
		}
		rows++
		for k := 0; k < v; k++ {
			r := float64(s.resid[k*n+i] - pOld[k*n+i])
			d := float64(pNew[k*n+i] - pOld[k*n+i])
			rd += r * d
			dd += d * d
			rr += r * r
		}
	}
	return dampOwned(w, old, owned, n, valSums{rd: rd, dd: dd, rr: rr, count: rows * v})
}

// valSums are the validation sums of a solve against the current Ŵ over
// count residuals: rd = Σ r·d, dd = Σ d², rr = Σ r², where r is the
// residual with the current Ŵ and d the change of the prediction.
type valSums struct {
	rd, dd, rr float64
	count      int
}

// dampOwned applies the damping rule of damp to the owned rows of the
// solved w, given the validation sums: w stands unless it makes the
// validation error more than dampMargin worse; then it becomes old +
// α·(w − old) with the α in [0, 1] that minimises that error. It returns α
// and the validation mean squared errors before and after.
func dampOwned(w, old []float32, owned []bool, n int, v valSums) (applied, before, after float64) {
	if v.count == 0 {
		return 1, math.NaN(), math.NaN()
	}
	cnt := float64(v.count)
	full := v.rr - 2*v.rd + v.dd
	if full <= v.rr*(1+dampMargin) || v.dd == 0 {
		return 1, v.rr / cnt, full / cnt
	}
	a := math.Max(0, math.Min(1, v.rd/v.dd))
	af := float32(a)
	for i := 0; i < n; i++ {
		if owned[i] {
			for j := i * n; j < (i+1)*n; j++ {
				w[j] = old[j] + af*(w[j]-old[j])
			}
		}
	}
	return a, v.rr / cnt, (v.rr - 2*a*v.rd + a*a*v.dd) / cnt
}

// tabulate evaluates ψ* (psi) or φ* on cfg.Grid points over every neuron's
// range (with that neuron's embedding); the result is N×Grid.
func (s *wSolver) tabulate(psi bool) []float32 {
	m, n, g := s.m, s.data.N, s.cfg.Grid
	d := m.spec.EmbeddingDim
	u := make([]float32, n*g)
	a := make([]float32, n*g*d)
	for i := 0; i < n; i++ {
		step := (s.hi[i] - s.lo[i]) / float32(g-1)
		for k := 0; k < g; k++ {
			u[i*g+k] = s.lo[i] + float32(k)*step
			copy(a[(i*g+k)*d:(i*g+k+1)*d], m.a[i*d:(i+1)*d])
		}
	}
	var out []float32
	if psi {
		out, _ = m.Psi(u, a, a)
	} else {
		out, _ = m.Phi(u, a)
	}
	return out
}

// tabulateShared evaluates ψ*(u) (variant N2) on 16·Grid points over the
// range of all neurons.
func (s *wSolver) tabulateShared() (tab []float32, lo, hi float32) {
	lo, hi = s.lo[0], s.hi[0]
	for i := range s.lo {
		lo, hi = min(lo, s.lo[i]), max(hi, s.hi[i])
	}
	gs := 16 * s.cfg.Grid
	u := make([]float32, gs)
	for k := range u {
		u[k] = lo + (hi-lo)*float32(k)/float32(gs-1)
	}
	tab, _ = s.m.Psi(u, nil, nil)
	return tab, lo, hi
}

// lerp interpolates tab at fractional index p (clamped to the table).
func lerp(tab []float32, p float32) float32 {
	k := int(p)
	if k < 0 {
		k = 0
	} else if k > len(tab)-2 {
		k = len(tab) - 2
	}
	t := p - float32(k)
	return tab[k] + t*(tab[k+1]-tab[k])
}

// interp linearly interpolates neuron i's table of g (= cfg.Grid) points
// at v.
func (s *wSolver) interp(tab []float32, i, g int, v float32) float32 {
	p := (v - s.lo[i]) * s.scale[i]
	k := int(p)
	if k < 0 {
		k = 0
	} else if k > g-2 {
		k = g - 2
	}
	t := p - float32(k)
	row := tab[i*g : (i+1)*g]
	return row[k] + t*(row[k+1]-row[k])
}

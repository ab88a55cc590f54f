package gnn

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/linalg"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// CheckpointFile is the name of the checkpoint inside TrainConfig.CheckpointDir.
const CheckpointFile = "checkpoint.gob"

// FitFile is the name of the trained model (the fit that Train returns,
// written when training ends) inside TrainConfig.CheckpointDir; Load reads it.
const FitFile = "fit.gob"

// collapseFactor: an epoch whose validation loss exceeds the best one by
// this factor is taken for a collapse and rolled back.
const collapseFactor = 4

// Train builds a model from spec (seeded by cfg.Seed), or with cfg.Resume
// loads the checkpoint in cfg.CheckpointDir (which must exist and match
// spec), and trains it on data until it has completed cfg.Epochs epochs (or
// converged, with UntilConverged). On cancellation of ctx it returns the
// model so far together with an error wrapping ctx.Err(); the checkpoint
// of the last completed epoch stays on disk.
func Train(ctx context.Context, spec ModelSpec, data Data, cfg TrainConfig) (m *Model, err error) {
	defer recoverInto(&err)
	spec = spec.WithDefaults()
	if !spec.Fused() {
		return TrainGraph(ctx, spec, data, cfg) // no fused kernel: the gorgonia graph
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if m, err = startModel(spec, cfg); err != nil {
		return nil, err
	}
	return m, TrainModel(ctx, m, data, cfg)
}

// loadForResume loads dir's checkpoint; a missing folder or file is an error
// (never a silent fresh start).
func loadForResume(spec ModelSpec, dir string) (*Model, error) {
	if dir == "" {
		return nil, fmt.Errorf("gnn: resume needs a checkpoint directory")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("gnn: resume: checkpoint folder %s does not exist (set resume = false to start afresh)", dir)
	}
	path := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("gnn: resume: no %s in %s: no epoch was completed there (set resume = false to start afresh)", CheckpointFile, dir)
	}
	m, err := Load(path)
	if err != nil {
		return nil, err
	}
	if err := sameShape(m.spec, spec); err != nil {
		return nil, fmt.Errorf("gnn: checkpoint %s: %w", path, err)
	}
	return m, nil
}

// recoverInto turns a panic from a kernel into an error (no panic reaches a user).
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("gnn: internal error (a bug): %v", r)
	}
}

// TrainModel continues training m on data until it has completed cfg.Epochs
// epochs (epochs already done count; schedules use absolute epoch numbers).
// With validation on, the model it leaves is the best of the last phase by
// validation loss (a phase starts when an epoch-end hook changes the
// embeddings or φ*, as clustering does). Cancellation behaves as in Train.
func TrainModel(ctx context.Context, m *Model, data Data, cfg TrainConfig) (err error) {
	defer recoverInto(&err)
	if data.N != m.spec.N {
		return fmt.Errorf("gnn: data has %d neurons, the model %d", data.N, m.spec.N)
	}
	if err := data.Validate(); err != nil {
		return err
	}
	if cfg.Solver == "" {
		cfg.Solver = DefaultSolver(m.spec)
	}
	cfg = cfg.withDefaults(data.T)
	if err := cfg.validate(m.spec, data); err != nil {
		return err
	}
	t := newTrainer(m, data, cfg)
	t.warnConstant()
	return t.run(ctx)
}

// trainer is the state of one Train call: the shared epoch schedule
// (epochLoop) and what the fused kernels and the alternating solver add.
type trainer struct {
	epochLoop
	wk *batchWork
	// train and val split the frames; valSub are the scored validation frames.
	train, val, valSub []int
	valWork            *batchWork
	solver             *wSolver
	lastSolve          SolveReport
	solveNote          string
	// warned records what was already reported, so that a solve's warning
	// is given once per method and once per flat sender.
	warnedMethod map[string]bool
	warnedFlat   map[int]bool
	frames       []int // the current batch's frame indices
	// lastGood are φ*, ψ*, a (and Ω*) as the last solve that found ψ*
	// alive used them, at step lastGoodStep: Ŵ is that solve's until the
	// next one, so together they are a consistent fit to go back to.
	lastGood     *params
	lastGoodStep int
}

func newTrainer(m *Model, data Data, cfg TrainConfig) *trainer {
	prepareModel(m, data, cfg)
	t := &trainer{epochLoop: epochLoop{m: m, data: data, cfg: cfg}}
	t.train, t.val = splitFrames(data.T, cfg.Validation)
	t.valSub = strided(t.val, cfg.ValidationFrames)
	t.adam = nn.NewAdam()
	lr := cfg.LR
	if cfg.Solver == SolverAlternating {
		lr = cfg.Alternating.LR
	}
	wlr := lr.W
	if wlr <= 0 {
		wlr = 1e-3 // unused: the alternating solver freezes Ŵ's group
	}
	t.adam.Add("W", m.w, m.gw, wlr)
	t.adam.Add("phi", m.phi.Params, m.phi.Grads, lr.Phi)
	t.adam.Add("psi", m.psi.Params, m.psi.Grads, lr.Psi)
	alr := lr.Embedding
	if alr <= 0 {
		alr = 1e-3 // unused: the embeddings are frozen
	}
	t.adam.Add("a", m.a, m.ga, alr)
	if m.omega != nil {
		t.adam.Add("omega", m.omega.Params, m.omega.Grads, lr.Omega)
	}
	for _, s := range m.track.Adam {
		if g := t.adam.Group(s.Name); g != nil {
			g.SetMoments(s.M, s.V, s.T)
		}
	}
	t.initInputTable() // issue 14: e learned or given as a table (omega.go)
	t.wk = m.newBatchWork(cfg.Batch)
	if len(t.valSub) > 0 {
		t.valWork = m.newBatchWork(min(32, len(t.valSub)))
	}
	if grid := trainingPsiGrid(m, data, cfg); grid != nil {
		m.usePsiGrid(t.wk, grid)
		if t.valWork != nil {
			m.usePsiGrid(t.valWork, grid)
		}
	}
	if cfg.Solver == SolverAlternating {
		t.solver = newWSolver(m, data, cfg.Alternating, t.train, t.valSub)
		t.solver.freezeA = cfg.FreezeEmbedding // the own-term refit leaves a alone (ownterm.go)
	}
	return t
}

// splitFrames holds out a fraction of the T frames as validation frames, in
// up to 20 evenly spaced contiguous blocks (neighbouring frames are
// correlated, so blocks test generalisation better than scattered frames).
// With frac ≤ 0, or too few frames, every frame trains.
func splitFrames(T int, frac float64) (train, val []int) {
	blocks := min(20, T/20)
	if frac <= 0 || blocks < 1 {
		train = make([]int, T)
		for k := range train {
			train[k] = k
		}
		return train, nil
	}
	vlen := max(1, int(frac*float64(T)/float64(blocks)))
	isVal := make([]bool, T)
	for b := 0; b < blocks; b++ {
		lo, hi := b*T/blocks, (b+1)*T/blocks
		start := (lo + hi - vlen) / 2
		for k := max(start, lo); k < min(start+vlen, hi); k++ {
			isVal[k] = true
		}
	}
	for k, v := range isVal {
		if v {
			val = append(val, k)
		} else {
			train = append(train, k)
		}
	}
	return train, val
}

// strided picks at most k elements of xs, evenly spaced.
func strided(xs []int, k int) []int {
	k = min(k, len(xs))
	out := make([]int, k)
	for i := range out {
		out[i] = xs[int(int64(i)*int64(len(xs))/int64(k))]
	}
	return out
}

// warnConstant names the neurons whose activity never changes: their ψ* is
// flat, so the data cannot determine their column of Ŵ.
func (t *trainer) warnConstant() {
	n := t.data.N
	var lo, hi []float32
	if t.solver != nil {
		lo, hi = t.solver.lo, t.solver.hi // one pass over the data is enough
	} else {
		lo, hi = activityRange(t.data)
	}
	var idle []int
	for i := 0; i < n; i++ {
		if hi[i]-lo[i] <= 2.01e-3 && t.isConstant(i) {
			idle = append(idle, i)
		}
	}
	if len(idle) > 0 {
		t.warn("the activity of %s is constant over the data: the outgoing weights (columns of Ŵ) cannot be determined; the solve gives them only the per-receiver constant they add, spread in the minimum-norm way", neuronList(idle))
	}
}

func (t *trainer) isConstant(i int) bool {
	n, first := t.data.N, t.data.U[i]
	for k := 1; k < t.data.T; k++ {
		if t.data.U[k*n+i] != first {
			return false
		}
	}
	return true
}

// neuronList names up to 10 neurons.
func neuronList(idx []int) string {
	s := "neuron"
	if len(idx) > 1 {
		s += "s"
	}
	for k, i := range idx {
		if k == 10 {
			return s + fmt.Sprintf(" … (%d in all)", len(idx))
		}
		if k > 0 {
			s += ","
		}
		s += fmt.Sprintf(" %d", i)
	}
	return s
}

// run trains through the shared epoch schedule (epochLoop.run), with
// Train's steps: the phase's learning rates and, when due, a solve of Ŵ
// before each Adam step.
func (t *trainer) run(ctx context.Context) error {
	t.data.dropResident() // checks, scale and ranges read every frame
	t.setPhase()
	return t.epochLoop.run(ctx, t)
}

// trainStep is the epoch loop's step: the phase's learning rates, the
// alternating solver's solve of Ŵ when due, then one Adam step.
func (t *trainer) trainStep(epoch, _ int) (float64, error) {
	m, cfg := t.m, t.cfg
	if m.track.Steps%dropSteps == 0 {
		t.data.dropResident() // the batches' frames since the last drop
	}
	t.setPhase()
	if t.solveDue() {
		first := m.track.Steps == max(cfg.Alternating.WarmupSteps, 0)
		if m.inputIndex != nil && first {
			// Adam now trains only the input neurons' rows.
			t.adam.Group("W").Reset()
		}
		rep := t.solver.solve()
		t.noteSolve(rep)
		if first {
			t.decideRamp(rep)
			t.setPhase() // this step's rates follow the decision
		}
		t.afterSolve() // issue 14: anchor the input rows, re-estimate e
		if err := t.settled(); err != nil {
			return t.step(t.options(epoch)), err
		}
	}
	return t.step(t.options(epoch)), nil
}

// settled applies the UntilSettled rule after a solve: an error wrapping
// errSettled once the median Moved of the last settleWindow solves is below
// cfg.Settle (after MinEpochs epochs), else nil.
func (t *trainer) settled() error {
	tr, cfg := &t.m.track, t.cfg
	if cfg.Until != UntilSettled {
		return nil
	}
	if !math.IsNaN(t.lastSolve.Moved) {
		tr.Moves = append(tr.Moves, t.lastSolve.Moved)
	}
	if t.m.epochs < cfg.MinEpochs || len(tr.Moves) < settleWindow {
		return nil
	}
	last := slices.Clone(tr.Moves[len(tr.Moves)-settleWindow:])
	slices.Sort(last)
	if med := last[settleWindow/2]; med < cfg.Settle {
		return fmt.Errorf("%w after %d steps: the last %d solves moved Ŵ by a median 1 − ρ² of %.2g, below settle = %g",
			errSettled, tr.Steps+1, settleWindow, med, cfg.Settle)
	}
	return nil
}

// progressNote is the last solve's summary and the last validation loss.
func (t *trainer) progressNote() (string, float64) {
	if v := t.m.track.ValLosses; len(v) > 0 {
		return t.solveNote, v[len(v)-1]
	}
	return t.solveNote, math.NaN()
}

// trackEpoch scores the epoch on the validation frames, keeps the best fit
// of the phase, and rolls back a collapse.
func (t *trainer) trackEpoch(epoch int, newPhase bool) {
	tr := &t.m.track
	val := t.validate()
	tr.ValLosses = append(tr.ValLosses, val)
	if math.IsNaN(val) {
		return
	}
	switch {
	case newPhase || math.IsNaN(tr.BestVal):
		t.keepBest(epoch, val)
	case val > collapseFactor*tr.BestVal:
		t.rollback(fmt.Sprintf("epoch %d: validation loss %.4g is over %d× the best (%.4g, epoch %d): the fit collapsed", epoch, val, collapseFactor, tr.BestVal, tr.BestEpoch))
		tr.SinceBest++
	case val < tr.BestVal:
		improved := val < tr.BestVal*(1-t.cfg.Tolerance)
		since := tr.SinceBest + 1
		t.keepBest(epoch, val)
		if !improved {
			tr.SinceBest = since
		}
	default:
		tr.SinceBest++
	}
}

// recoverCollapse handles a solve that found ψ* flat for every sender (its
// ReLUs died in the Adam steps since the last solve; the solve kept Ŵ): it
// restores the functions of the last solve that found ψ* alive, which
// together with the kept Ŵ are that solve's fit, halves the learning rates
// and restarts Adam's moments, which pointed into the collapse. Going back
// 50 steps, rather than to the best epoch, keeps the progress made since
// then (a rollback to an early epoch could cost the rest of the run). With
// no such solve it falls back to rollback.
func (t *trainer) recoverCollapse() {
	if t.lastGood == nil {
		t.rollback("solve of Ŵ: ψ* became flat for every sender (the fit collapsed; Ŵ kept)")
		return
	}
	t.m.track.LRScale /= 2
	t.warn("solve of Ŵ: ψ* became flat for every sender (the fit collapsed); restored φ*, ψ* and a of the solve at step %d and halved the learning rates", t.lastGoodStep)
	t.m.restoreFunctions(t.lastGood)
	t.adam.Reset()
	t.setPhase()
}

// rollback restores the best fit so far (when there is one), halves the
// learning rates and warns with why.
func (t *trainer) rollback(why string) {
	tr := &t.m.track
	tr.LRScale /= 2
	if tr.Best == nil {
		t.warn("%s; no earlier fit to restore: halved the learning rates", why)
	} else {
		t.warn("%s; restored epoch %d's fit and halved the learning rates", why, tr.BestEpoch)
		t.m.restoreParams(tr.Best)
	}
	t.adam.Reset()
	t.setPhase()
}

func (t *trainer) keepBest(epoch int, val float64) {
	tr := &t.m.track
	tr.BestVal, tr.BestEpoch, tr.SinceBest, tr.Best = val, epoch, 0, t.m.snapshot()
}

// converged applies the UntilConverged rule.
func (t *trainer) converged() bool {
	tr, cfg := t.m.track, t.cfg
	return cfg.Until == UntilConverged && t.m.epochs >= cfg.MinEpochs && t.m.epochs < cfg.Epochs &&
		!math.IsNaN(tr.BestVal) && tr.SinceBest >= cfg.Patience
}

// finish solves Ŵ once more for the final φ*, ψ*, over the final Gram
// frames (every training frame by default), and leaves the model at the
// best fit of the last phase by validation loss. When the best fit is an
// earlier epoch's, it gets the same final solve, kept if it does not make
// its validation loss worse.
func (t *trainer) finish() {
	m, tr := t.m, &t.m.track
	defer t.finishInput() // issue 14: e for the final fit, and Ω* fitted to it
	defer t.stepsDone()   // the solves are over
	solving := t.solver != nil && !t.warmingUp()
	if solving {
		// The final solve also fits each receiver's constant (the model's
		// bias): what an offset of ψ* or φ* would otherwise push onto Ŵ.
		// Only here: fitted during training it took the place of φ*'s
		// learning (Supp 13 collapsed at epoch 3, docs/RESULTS.md session 24).
		t.solver.constant = true
		t.noteSolve(t.solver.solveOver(t.finalFrames()))
	}
	val := t.validate()
	if math.IsNaN(val) || tr.Best == nil {
		return
	}
	if val <= tr.BestVal {
		tr.BestVal, tr.BestEpoch, tr.Best = val, m.epochs-1, m.snapshot()
		return
	}
	m.restoreParams(tr.Best)
	if !solving {
		return
	}
	t.noteSolve(t.solver.solveOver(t.finalFrames()))
	if v := t.validate(); v <= tr.BestVal {
		tr.BestVal, tr.Best = v, m.snapshot()
		return
	}
	m.restoreParams(tr.Best)
}

// dropSteps is how many steps' batches of a mapped recording stay resident
// before training drops them (Data.DropResident): each frame read maps the
// pages around it too, 0.5 MB a frame in Supp 11's warm-up.
const dropSteps = 64

// stepsDone lets the solver's workspace go at an epoch's end and after the
// final solve (1 GB at N = 8000, which the hooks, the checkpoint and the
// report must not find still held; the next solve allocates it again), and
// the recording's pages that the epoch read.
func (t *trainer) stepsDone() {
	if t.solver != nil {
		t.solver.work = linalg.Workspace{}
	}
	t.data.dropResident()
}

// finalFrames are the Gram frames of the last solve: Alternating.FinalFrames
// of the training frames, evenly strided (all of them by default).
func (t *trainer) finalFrames() []int {
	if f := t.cfg.Alternating.FinalFrames; f > 0 {
		return strided(t.train, f)
	}
	return t.train
}

// validate returns the mean squared error of the model's du/dt on the
// scored validation frames (NaN without validation).
func (t *trainer) validate() float64 {
	if len(t.valSub) == 0 {
		return math.NaN()
	}
	wk, n := t.valWork, t.data.N
	wk.singletons = false
	var ss float64
	for b0 := 0; b0 < len(t.valSub); b0 += wk.B {
		fr := t.valSub[b0:min(b0+wk.B, len(t.valSub))]
		wk.loadFrames(t.data, fr)
		t.m.forward(wk, len(fr))
		for r := 0; r < len(fr)*n; r++ {
			d := float64(wk.pred[r] - wk.y[r])
			ss += d * d
		}
	}
	return ss / float64(len(t.valSub)*n)
}

// noteSolve warns when a solve had to work around a degenerate system
// (once for each new situation) and keeps its summary for progress reports.
func (t *trainer) noteSolve(rep SolveReport) {
	if t.warnedMethod == nil {
		t.warnedMethod, t.warnedFlat = map[string]bool{}, map[int]bool{}
	}
	if rep.Method != "cholesky" && !t.warnedMethod[rep.Method] {
		t.warnedMethod[rep.Method] = true
		switch rep.Method {
		case "cholesky+ridge":
			t.warn("solve of Ŵ: the Gram matrix of ψ* is ill-conditioned; ridge raised to %g (relative to its mean diagonal)", rep.Ridge)
		default:
			t.warn("solve of Ŵ: the Gram matrix of ψ* is singular even with ridge %g; used a pseudo-inverse (rank %d)", maxRidge, rep.Rank)
		}
	}
	var fresh []int
	for _, j := range rep.Flat {
		if !t.warnedFlat[j] {
			t.warnedFlat[j] = true
			fresh = append(fresh, j)
		}
	}
	if len(fresh) > 0 {
		t.warn("solve of Ŵ: ψ* is flat over the data for %s: while it stays so their columns of Ŵ carry only a per-receiver constant", neuronList(fresh))
	}
	if len(rep.Flat) == t.data.N {
		t.recoverCollapse()
	} else {
		t.lastGood, t.lastGoodStep = t.m.functions(), t.m.track.Steps
	}
	t.lastSolve = rep
	t.solveNote = fmt.Sprintf("last solve: %s, %d flat senders, %.0f%% applied", rep.Method, len(rep.Flat), 100*rep.Applied)
	if rep.ValBefore > 0 {
		t.solveNote += fmt.Sprintf(", validation ×%.3g", rep.ValAfter/rep.ValBefore)
	}
	if !math.IsNaN(rep.Moved) {
		t.solveNote += fmt.Sprintf(", Ŵ moved %.2g", rep.Moved)
	}
	if rep.Penalty > 0 {
		t.solveNote += fmt.Sprintf(", L1 penalty %.2g (%d dense rows)", rep.Penalty, rep.DenseRows)
		if !math.IsNaN(rep.PsiStep) {
			t.solveNote += fmt.Sprintf(", ψ* step %.2g", rep.PsiStep)
		}
	}
}

// warmingUp says whether the alternating solver is still in its Adam warm-up.
func (t *trainer) warmingUp() bool {
	return t.solver != nil && t.m.track.Steps < t.cfg.Alternating.WarmupSteps
}

// setPhase sets the learning rates (times the track's LRScale and the
// LRDecay schedule's factor) and Ŵ's
// freezing for the current phase: TrainConfig.LR for the adam solver; for
// the alternating solver the warm-up's rates, then the alternating rates
// with Ŵ frozen.
func (t *trainer) setPhase() {
	lr, frozenW := t.cfg.LR, false
	if t.solver != nil {
		lr = t.cfg.Alternating.WarmupLR
		if !t.warmingUp() {
			lr, frozenW = t.rampedLR(), !t.cfg.Alternating.AdamW && (t.m.inputIndex == nil || t.m.etab != nil)
		}
	}
	scale := t.m.track.LRScale * t.lrFactor()
	for _, g := range []struct {
		name string
		v    float64
	}{{"W", lr.W}, {"phi", lr.Phi}, {"psi", lr.Psi}, {"a", lr.Embedding}, {"omega", t.cfg.LR.Omega}} {
		if grp := t.adam.Group(g.name); grp != nil && g.v > 0 {
			grp.LR = g.v * scale
		}
	}
	if psi := t.adam.Group("psi"); psi != nil {
		// A shared ψ* under joint steps moves with them alone
		// (psistep.go).
		psi.Frozen = t.m.psiCurve != nil
	}
	w := t.adam.Group("W")
	w.Frozen = frozenW
	if frozenW {
		w.Release() // Ŵ stays frozen from here on: its moments are N² memory for nothing
	}
}

// decideRamp sets the rate ramp after the first solve (rep):
// Alternating.RampSteps when given, else autoRampSteps if the solve made
// the validation error worse than the warm-up's Ŵ, else none.
func (t *trainer) decideRamp(rep SolveReport) {
	tr, a := &t.m.track, t.cfg.Alternating
	switch {
	case a.RampSteps != 0:
		tr.Ramp = max(a.RampSteps, 0)
	case rep.ValBefore > 0 && rep.ValAfter > rep.ValBefore:
		tr.Ramp = autoRampSteps
		t.warn("the first solve of Ŵ fits the validation frames %.3g× worse than the warm-up's Ŵ: the MLPs' rates rise to solve_lr over %d steps instead of at once", rep.ValAfter/rep.ValBefore, autoRampSteps)
	}
}

// rampedLR is the alternating phase's learning rates, on their way from the
// warm-up's over the track's Ramp steps (see decideRamp):
// warm·(alt/warm)^x with x the fraction of the ramp done. Ŵ's rate (used
// only with AdamW) is not ramped.
func (t *trainer) rampedLR() LearningRates {
	a := t.cfg.Alternating
	lr := a.LR
	steps := t.m.track.Ramp
	if steps <= 0 {
		return lr
	}
	x := float64(t.m.track.Steps-max(a.WarmupSteps, 0)) / float64(steps)
	if x >= 1 {
		return lr
	}
	x = max(x, 0)
	ramp := func(warm, alt float64) float64 {
		if warm <= 0 || alt <= 0 {
			return alt
		}
		return warm * math.Pow(alt/warm, x)
	}
	lr.Phi, lr.Psi, lr.Embedding = ramp(a.WarmupLR.Phi, a.LR.Phi), ramp(a.WarmupLR.Psi, a.LR.Psi), ramp(a.WarmupLR.Embedding, a.LR.Embedding)
	return lr
}

// solveDue says whether the alternating solver re-solves Ŵ before this
// step: every SolveEvery steps after the warm-up (at once when it ends); in
// the hybrid (AdamW) mode without warm-up the solves start after SolveEvery
// steps.
func (t *trainer) solveDue() bool {
	if t.solver == nil || t.warmingUp() {
		return false
	}
	steps := t.m.track.Steps
	since := steps - max(t.cfg.Alternating.WarmupSteps, 0)
	if since%t.cfg.Alternating.SolveEvery != 0 {
		return false
	}
	return !t.cfg.Alternating.AdamW || steps > 0
}

func (t *trainer) options(epoch int) stepOptions {
	m, cfg := t.m, t.cfg
	frozenPA := m.holdsPsiAndA()
	return stepOptions{
		gradW:     !t.adam.Group("W").Frozen,
		gradA:     !cfg.FreezeEmbedding && !frozenPA,
		gradPsi:   !frozenPA && m.psiCurve == nil, // the joint steps move ψ*'s curve alone (psistep.go)
		gradOmega: m.omega != nil,
		phiZero:   cfg.Penalties.PhiZero.At(epoch),
		edgeDiff:  cfg.Penalties.EdgeDiff.At(epoch),
		wL1:       cfg.Penalties.WL1.At(epoch),
		delta:     edgeDiffShift(m.xnorm),
	}
}

// step draws a batch of training frames, computes gradients and applies
// Adam; it returns the data loss.
func (t *trainer) step(opt stepOptions) float64 {
	if len(t.frames) != t.cfg.Batch {
		t.frames = make([]int, t.cfg.Batch)
	}
	frames := t.frames
	for k := range frames {
		frames[k] = t.train[t.rng.Intn(len(t.train))]
	}
	t.wk.loadFrames(t.data, frames)
	t.zeroGrads()
	data, _ := t.m.lossAndGrad(t.wk, opt)
	t.maskSolvedRows()
	t.adam.Step()
	t.m.track.Steps++
	return data
}

// maskSolvedRows zeroes the gradient of the Ŵ rows that the alternating
// solver owns when a hidden input leaves the other rows to Adam.
func (t *trainer) maskSolvedRows() {
	m := t.m
	if t.solver == nil || m.inputIndex == nil || t.warmingUp() {
		return
	}
	n := m.spec.N
	for i, k := range m.inputIndex {
		if k < 0 {
			clear(m.gw[i*n : (i+1)*n])
		}
	}
}

func (t *trainer) zeroGrads() {
	m := t.m
	if !t.adam.Group("W").Frozen {
		clear(m.gw) // with Ŵ frozen nothing accumulates there
	}
	clear(m.ga)
	m.phi.ZeroGrads()
	m.psi.ZeroGrads()
	if m.omega != nil {
		m.omega.ZeroGrads()
	}
}

// ConnectivityFit fits the corrected Ŵ against trueW (SPEC §4) with
// eval.Connectivity, the one connectivity fit (over the off-diagonal
// entries): R² and slope of corrected = slope·true + intercept. The model's
// XNorm must be set (it is after training).
func ConnectivityFit(m *Model, trueW []float32, gain float64) (metrics.Fit, error) {
	if len(trueW) != len(m.w) {
		return metrics.Fit{}, fmt.Errorf("gnn: true W has %d entries, expected %d", len(trueW), len(m.w))
	}
	if m.xnorm <= 0 {
		return metrics.Fit{}, fmt.Errorf("gnn: model has no xnorm yet (train it or SetXNorm)")
	}
	wc, err := CorrectedW(m, m.xnorm, gain)
	if err != nil {
		return metrics.Fit{}, err
	}
	score, err := eval.Connectivity(wc, trueW, m.spec.N)
	return score.Fit, err
}

// saveTrainingState writes m as dir/file with the hooks' state
// (cfg.SaveExtra) and, with cfg.KeepAdamMoments, adam's moments: the
// checkpoint of Train and of TrainGraph.
func saveTrainingState(m *Model, adam *nn.Adam, cfg TrainConfig, dir, file string) error {
	if cfg.SaveExtra != nil {
		extra, err := cfg.SaveExtra()
		if err != nil {
			return err
		}
		m.track.Extra = extra
	}
	m.track.Adam = m.track.Adam[:0]
	if cfg.KeepAdamMoments {
		for _, g := range adam.Groups {
			if g.Frozen {
				continue // Ŵ's N² moments while the solver owns it: not needed to resume
			}
			mm, vv, tt := g.Moments()
			m.track.Adam = append(m.track.Adam, AdamMoments{Name: g.Name, M: mm, V: vv, T: tt})
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gnn: checkpoint directory: %w", err)
	}
	return m.Save(filepath.Join(dir, file))
}

// edgeDiffShift is edge_diff's shift δ of ψ*'s input: xnorm/150.
func edgeDiffShift(xnorm float64) float32 { return float32(xnorm / 150) }

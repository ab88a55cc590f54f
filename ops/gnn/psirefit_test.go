package gnn

import (
	"context"
	"math"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// linearPsiModel returns a model for n neurons whose shared ψ* is the line
// 0.2·u (the truth of the test networks is tanh) and whose φ* is 0.
func linearPsiModel(t *testing.T, n int) *Model {
	t.Helper()
	m, err := NewModel(ModelSpec{N: n, Psi: NetSpec{Hidden: 32, Layers: 3}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	zeroPhi(m)
	if rel := m.refitSharedPsiTo(&psiCurve{lo: -20, hi: 20, vals: []float32{-4, 4}}, nil); rel > 0.02 {
		t.Fatalf("ψ* refit to a line: relative error %.3g", rel)
	}
	return m
}

// TestPsiStepRecoversSparseW: in a sparse network (5 % fill) with ψ* far
// from the truth (a line where the truth is tanh) and φ* = 0 (the truth is
// −c·u + s·tanh u, different per type), least squares does not reach W. The
// sparse solve's joint steps of ψ*, Ŵ and the own terms recover W and
// ψ*'s shape within a few solves.
func TestPsiStepRecoversSparseW(t *testing.T) {
	n, frames := 300, 20000
	sim := sparseFig2(n, frames, 0.05, 3)
	train, val := splitFrames(frames, 0.1)
	cfg := TrainConfig{}.withDefaults(frames).Alternating
	ls := linearPsiModel(t, n)
	newWSolver(ls, sim.Data, cfg, train, strided(val, 500)).solve()
	base := metrics.LinearFit(sim.W, ls.w).R2

	m := linearPsiModel(t, n)
	cfg.SparsePenalty = 1e-3
	s := newWSolver(m, sim.Data, cfg, train, strided(val, 500))
	var r2 float64
	for it := 0; it < 4; it++ { // the first makes psiFirstSolves solves
		rep := s.solve()
		r2 = metrics.LinearFit(sim.W, m.w).R2
		t.Logf("solve %d: W R² %.4f, ψ* step %.3g", it, r2, rep.PsiStep)
		if math.IsNaN(rep.PsiStep) {
			t.Errorf("solve %d: the ψ* step was undone", it)
		}
	}
	shape := metrics.FitEach(func(visit func(x, y float64)) {
		for k := 0; k <= 100; k++ {
			u := -5 + 0.1*float32(k)
			visit(math.Tanh(float64(u)), float64(m.psiCurve.at(u)))
		}
	})
	t.Logf("least squares W R² %.4f; joint steps %.4f, ψ* against tanh R² %.4f", base, r2, shape.R2)
	if base > 0.8 || r2 < 0.95 || shape.R2 < 0.99 {
		t.Errorf("W R² %.4f by least squares and %.4f by the joint steps, ψ* against tanh R² %.4f; want least squares below 0.8, the steps ≥ 0.95 and ψ* ≥ 0.99", base, r2, shape.R2)
	}
}

// TestSparseTrainingRecoversW trains on a 5 % network with the sparse
// solve: after the Adam warm-up (whose ψ* has no particular shape), the
// first solve starts ψ* from its line, and the joint steps of the solves
// that follow recover W.
func TestSparseTrainingRecoversW(t *testing.T) {
	n, frames := 300, 20000
	sim := sparseFig2(n, frames, 0.05, 3)
	cfg := TrainConfig{Epochs: 3, Batch: 16, StepsPerEpoch: 300, Seed: 16,
		Alternating: AlternatingConfig{SolveEvery: 100, WarmupSteps: 300, SparsePenalty: 1e-3, Frames: 10000,
			LR: LearningRates{Phi: 1e-2, Psi: 1e-2, Embedding: 1e-2}},
		LR:        LearningRates{W: 1e-2, Phi: 2e-3, Psi: 2e-3, Embedding: 2e-3},
		Penalties: Penalties{PhiZero: Always(1)}, TrueW: sim.W}
	var last Progress
	cfg.OnProgress = func(p Progress) { last = p }
	m, err := Train(context.Background(), ModelSpec{N: n, EmbeddingDim: 2}, sim.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := ConnectivityFit(m, sim.W, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("W R² %.4f slope %.3f; last solve: %s", fit.R2, fit.Slope, last.Message)
	if fit.R2 < 0.95 {
		t.Errorf("W R² %.4f after sparse training, want ≥ 0.95", fit.R2)
	}
}

// TestPsiCurveCheckpoint: a model whose shared ψ* is a curve evaluates it
// through Psi, and keeps it through a checkpoint and a snapshot.
func TestPsiCurveCheckpoint(t *testing.T) {
	m := linearPsiModel(t, 4)
	m.psiCurve = &psiCurve{lo: -2, hi: 2, vals: []float32{-1, 0.5, 1}}
	u := []float32{-2, -1, 0, 1, 3}
	want := []float32{-1, -0.25, 0.5, 0.75, 1.25} // linear beyond the ends
	check := func(what string, m *Model) {
		got, err := m.Psi(u, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if math.Abs(float64(got[k]-want[k])) > 1e-6 {
				t.Errorf("%s: ψ*(%g) = %g, want %g", what, u[k], got[k], want[k])
			}
		}
	}
	check("model", m)
	loaded := saveAndLoad(t, m)
	check("loaded", loaded)
	snap := m.snapshot()
	m.psiCurve = nil
	m.restoreParams(snap)
	check("restored", m)
}

// Settings of the shared ψ*'s MLP refit toward a solved curve.
const (
	psiFitPoints = 512  // points: half evenly spaced over the range, half at the data's quantiles
	psiFitSteps  = 4000 // most Adam steps per refit
	psiFitLR     = 3e-3
	psiFitLREnd  = 3e-5
	// psiFitTol stops the refit once the root mean squared error is below
	// this fraction of the curve's RMS.
	psiFitTol = 1e-3
)

// refitSharedPsiTo (a test helper) trains a shared ψ*'s MLP toward the curve c by Adam on
// psiFitPoints points: half spread evenly over the curve's range, half at
// the given activities (the data's quantiles, where ψ*'s accuracy
// matters; evenly spread when nil). Only ψ*'s parameters change. It
// returns the relative RMS error reached.
func (m *Model) refitSharedPsiTo(c *psiCurve, quantiles []float32) float64 {
	x := make([]float32, psiFitPoints)
	target := make([]float32, psiFitPoints)
	var ss float64
	for k := range x {
		x[k] = c.lo + (c.hi-c.lo)*float32(k)/float32(psiFitPoints-1)
		if k%2 == 1 && len(quantiles) > 0 {
			x[k] = quantiles[k/2*len(quantiles)/(psiFitPoints/2)]
		}
		target[k] = c.at(x[k])
		ss += float64(target[k]) * float64(target[k])
	}
	ss /= psiFitPoints
	opt := nn.NewAdam()
	grp, _ := opt.Add("psi", m.psi.Params, m.psi.Grads, psiFitLR)
	w := m.psi.NewWork(psiFitPoints)
	dy := make([]float32, psiFitPoints)
	rel := math.Inf(1)
	for step := 0; ; step++ {
		y := m.psi.Forward(w, x, psiFitPoints)
		var mse float64
		for r := range y {
			d := float64(y[r] - target[r])
			mse += d * d
			dy[r] = float32(2 * d / psiFitPoints)
		}
		rel = math.Sqrt(mse / psiFitPoints / math.Max(ss, 1e-30))
		if rel < psiFitTol || step == psiFitSteps {
			break
		}
		m.psi.ZeroGrads()
		m.psi.Backward(w, dy, nil)
		// The rate decays geometrically to psiFitLREnd: Adam's noise at a
		// fixed rate left errors of 5 to 20 %.
		grp.LR = psiFitLR * math.Pow(psiFitLREnd/psiFitLR, float64(step)/psiFitSteps)
		opt.Step()
	}
	m.psi.ZeroGrads()
	return rel
}

// TestSettledBoundAtDenserFill: at 20 % and 50 % fill the lasso, with the
// own columns projected out, keeps more senders than the early support
// bound allows. Under it the rows stop at a larger penalty (at 50 % at the
// path's first, with no row falling back to least squares); once a joint
// step has settled ψ* the bound lifts, and the rows it had cut recover W.
func TestSettledBoundAtDenserFill(t *testing.T) {
	for _, fill := range []float64{0.2, 0.5} {
		n, frames := 200, 20000
		sim := sparseFig2(n, frames, fill, 3)
		train, val := splitFrames(frames, 0.1)
		cfg := TrainConfig{}.withDefaults(frames).Alternating
		cfg.SparsePenalty = 1e-3
		m := linearPsiModel(t, n)
		s := newWSolver(m, sim.Data, cfg, train, strided(val, 500))
		var early, r2 float64
		denseRows := 0
		for it := 0; it < 6; it++ {
			settled := s.psiSettled
			rep := s.solve()
			denseRows = max(denseRows, rep.DenseRows)
			r2 = metrics.LinearFit(sim.W, m.w).R2
			t.Logf("fill %.1f, solve %d: W R² %.4f, ψ* step %.3g, bound %.2f, %d rows least squares", fill, it, r2, rep.PsiStep, s.supportBound(), rep.DenseRows)
			if !settled {
				early = r2
			}
		}
		if !s.psiSettled || denseRows > 0 || r2 < 0.99 || r2 < early+0.02 {
			t.Errorf("fill %.1f: settled %v, %d rows least squares, W R² %.4f after the bound lifted, %.4f before; want settled, none, ≥ 0.99 and 0.02 above", fill, s.psiSettled, denseRows, r2, early)
		}
	}
}

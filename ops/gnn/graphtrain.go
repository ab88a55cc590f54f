package gnn

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/ngs-lab/ngs/ops/nn"
)

// TrainGraph trains a model through its gorgonia graph (graphloss.go):
// gorgonia's autodiff gives the gradients of the loss and Adam trains Ŵ,
// φ*, ψ* and the embeddings. It trains any list of ψ* inputs the language
// allows, those with no fused kernel (spec.Fused() false, variant Graph)
// included; Train is the fast path for the fused variants.
//
// It runs Train's schedule, the one epoch loop both share (epochLoop:
// epochs of StepsPerEpoch steps of Batch frames drawn with the same
// per-epoch seeds, Adam reset at each epoch end unless KeepAdamMoments,
// frozen embeddings or ψ* after clustering, OnEpochEnd hooks, progress with
// the live R² against TrueW, checkpoints, Resume and the saved fit), with
// the learning-rate decay and the phi_zero, W_L1 and edge_diff schedules,
// on every frame: it holds out no validation frames and has no exact solve of Ŵ. It
// refuses what only Train does: solver "alternating", until "converged"
// and a hidden input Ω*. For a ψ* of the receiver (u[i] or a[i])
// every step evaluates ψ* on B·N² edges: keep N small.
func TrainGraph(ctx context.Context, spec ModelSpec, data Data, cfg TrainConfig) (m *Model, err error) {
	defer recoverInto(&err)
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if data.N != spec.N {
		return nil, fmt.Errorf("gnn: data has %d neurons, the model %d", data.N, spec.N)
	}
	if err := data.Validate(); err != nil {
		return nil, err
	}
	if cfg.Solver == "" {
		cfg.Solver = SolverAdam
	}
	if cfg.Validation > 0 && cfg.OnWarning != nil {
		cfg.OnWarning(fmt.Sprintf("ψ*(%s) trains through the gorgonia graph, which holds out no validation frames: validation = %g is ignored",
			strings.Join(spec.PsiArgList(), ", "), cfg.Validation))
	}
	cfg = cfg.withDefaults(data.T)
	if err := cfg.validateGraph(spec, data); err != nil {
		return nil, err
	}
	if m, err = startModel(spec, cfg); err != nil {
		return nil, err
	}
	t, err := newGraphTrainer(m, data, cfg)
	if err != nil {
		return nil, err
	}
	defer t.loss.close()
	return m, t.epochLoop.run(ctx, t)
}

// validateGraph checks cfg for TrainGraph, naming what only Train supports.
func (c TrainConfig) validateGraph(spec ModelSpec, d Data) error {
	what := fmt.Sprintf("ψ*(%s) trains through the gorgonia graph", strings.Join(spec.PsiArgList(), ", "))
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("gnn: train needs epochs ≥ 1, found %d", c.Epochs)
	case c.Batch < 1:
		return fmt.Errorf("gnn: train needs batch ≥ 1, found %d", c.Batch)
	case d.T < c.Batch:
		return fmt.Errorf("gnn: data has %d frames, fewer than the batch of %d", d.T, c.Batch)
	case c.Solver != SolverAdam:
		return fmt.Errorf("gnn: %s, by Adam: solver %q needs a fused kernel (use solver \"adam\")", what, c.Solver)
	case c.Until != UntilEpochs:
		return fmt.Errorf("gnn: %s, which stops after its epochs: until %q needs validation frames (use until \"epochs\")", what, c.Until)
	case spec.Omega != nil:
		return fmt.Errorf("gnn: %s, which does not learn a hidden input Ω*", what)
	case c.TrueW != nil && len(c.TrueW) != spec.N*spec.N:
		return fmt.Errorf("gnn: TrueW has %d entries, expected N²=%d", len(c.TrueW), spec.N*spec.N)
	case c.Resume && c.CheckpointDir == "":
		return fmt.Errorf("gnn: resume needs a checkpoint directory")
	case !(c.LRDecay > 0 && c.LRDecay <= 1):
		return fmt.Errorf("gnn: setting lr_decay must be in (0, 1], found %v", c.LRDecay)
	}
	for _, lr := range []struct {
		name string
		v    float64
		need bool
	}{{"W", c.LR.W, true}, {"phi", c.LR.Phi, true}, {"psi", c.LR.Psi, true}, {"embedding", c.LR.Embedding, !c.FreezeEmbedding}} {
		if lr.need && !(lr.v > 0) {
			return fmt.Errorf("gnn: learning rate %s must be > 0, found %g", lr.name, lr.v)
		}
	}
	return nil
}

// graphTrainer is the state of one TrainGraph call: the shared epoch
// schedule (epochLoop) and the gorgonia graph's loss.
type graphTrainer struct {
	epochLoop
	loss   *graphLoss
	base   map[string]float64 // each group's learning rate before the decay
	frames []int              // the current batch's frame indices
}

func newGraphTrainer(m *Model, data Data, cfg TrainConfig) (*graphTrainer, error) {
	prepareModel(m, data, cfg)
	t := &graphTrainer{epochLoop: epochLoop{m: m, data: data, cfg: cfg, adam: nn.NewAdam()},
		base: map[string]float64{}, frames: make([]int, cfg.Batch)}
	alr := cfg.LR.Embedding
	if !(alr > 0) {
		alr = 1e-3 // unused: the embeddings are frozen
	}
	for _, g := range []struct {
		name          string
		params, grads []float32
		lr            float64
	}{{"W", m.w, m.gw, cfg.LR.W}, {"phi", m.phi.Params, m.phi.Grads, cfg.LR.Phi},
		{"psi", m.psi.Params, m.psi.Grads, cfg.LR.Psi}, {"a", m.a, m.ga, alr}} {
		if _, err := t.adam.Add(g.name, g.params, g.grads, g.lr); err != nil {
			return nil, fmt.Errorf("gnn: %w", err)
		}
		t.base[g.name] = g.lr
	}
	for _, s := range m.track.Adam {
		if g := t.adam.Group(s.Name); g != nil {
			if err := g.SetMoments(s.M, s.V, s.T); err != nil {
				return nil, fmt.Errorf("gnn: resume: %w", err)
			}
		}
	}
	var err error
	p := cfg.Penalties
	t.loss, err = m.newGraphLoss(cfg.Batch, p.PhiZero.Coeff != 0, p.WL1.Coeff != 0, p.EdgeDiff.Coeff != 0)
	return t, err
}

// trainStep is the epoch loop's step: a batch of frames from the epoch's
// stream, the loss and its gradients through the graph, the decayed
// learning rates and one Adam step.
func (t *graphTrainer) trainStep(epoch, step int) (float64, error) {
	m, cfg, frames := t.m, t.cfg, t.frames
	for k := range frames {
		frames[k] = t.rng.Intn(t.data.T)
	}
	data, _, err := t.loss.run(t.data, frames, graphPenalties{phiZero: cfg.Penalties.PhiZero.At(epoch),
		wL1: cfg.Penalties.WL1.At(epoch), edgeDiff: cfg.Penalties.EdgeDiff.At(epoch), delta: m.xnorm / 150})
	if err != nil {
		return 0, err
	}
	if math.IsNaN(data) || math.IsInf(data, 0) {
		return 0, fmt.Errorf("gnn: the loss became %g in epoch %d, step %d (lower the learning rates)", data, epoch, step+1)
	}
	f := t.lrFactor()
	for _, g := range t.adam.Groups {
		g.LR = t.base[g.Name] * f
	}
	t.adam.Step()
	m.track.Steps++
	return data, nil
}

// stepsDone does nothing: TrainGraph's steps keep no memory of their own.
func (t *graphTrainer) stepsDone() {}

// trackEpoch does nothing: TrainGraph holds out no validation frames.
func (t *graphTrainer) trackEpoch(int, bool) {}

// converged is false: TrainGraph stops after its epochs.
func (t *graphTrainer) converged() bool { return false }

// finish does nothing: TrainGraph has no final solve.
func (t *graphTrainer) finish() {}

// progressNote names the graph; there is no validation loss.
func (t *graphTrainer) progressNote() (string, float64) { return "gorgonia graph", math.NaN() }

// predictGraph is Predict for a ψ* with no fused kernel: φ*(u_i, a_i) plus
// Σ_j Ŵ[i,j]·ψ*(inputs of edge i←j), with e as in predictInto.
func (m *Model) predictGraph(u, e []float32) []float32 {
	n, d := m.spec.N, m.spec.EmbeddingDim
	phi, _ := m.Phi(u, m.a)
	uj, ui := make([]float32, n*n), make([]float32, n*n)
	ai, aj := make([]float32, n*n*d), make([]float32, n*n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			r := i*n + j
			uj[r], ui[r] = u[j], u[i]
			copy(ai[r*d:(r+1)*d], m.a[i*d:(i+1)*d])
			copy(aj[r*d:(r+1)*d], m.a[j*d:(j+1)*d])
		}
	}
	psi, _ := m.PsiAt(uj, ui, ai, aj)
	out := make([]float32, n)
	for i := range out {
		var msg float32
		for j := 0; j < n; j++ {
			msg += m.w[i*n+j] * psi[i*n+j]
		}
		switch {
		case e == nil:
			out[i] = phi[i] + msg
		case m.spec.Omega != nil && m.spec.Omega.Mode == Additive:
			out[i] = phi[i] + msg + e[i]
		default:
			out[i] = phi[i] + e[i]*msg
		}
	}
	return out
}

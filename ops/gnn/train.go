package gnn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// CheckpointFile is the name of the checkpoint inside TrainConfig.CheckpointDir.
const CheckpointFile = "checkpoint.gob"

// Train builds a model from spec (seeded by cfg.Seed), or with cfg.Resume
// loads the checkpoint in cfg.CheckpointDir (which must match spec), and
// trains it on data until it has completed cfg.Epochs epochs. On
// cancellation of ctx it saves a checkpoint (when a directory is set) and
// returns the model so far together with an error wrapping ctx.Err().
func Train(ctx context.Context, spec ModelSpec, data Data, cfg TrainConfig) (m *Model, err error) {
	defer recoverInto(&err)
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if cfg.Resume {
		if cfg.CheckpointDir == "" {
			return nil, fmt.Errorf("gnn: resume needs a checkpoint directory")
		}
		path := filepath.Join(cfg.CheckpointDir, CheckpointFile)
		if _, statErr := os.Stat(path); statErr == nil {
			m, err = Load(path)
			if err != nil {
				return nil, err
			}
			if err := sameShape(m.spec, spec); err != nil {
				return nil, fmt.Errorf("gnn: checkpoint %s: %w", path, err)
			}
		}
	}
	if m == nil {
		if m, err = NewModel(spec, cfg.Seed); err != nil {
			return nil, err
		}
	}
	return m, TrainModel(ctx, m, data, cfg)
}

// recoverInto turns a panic from a kernel into an error (no panic reaches a user).
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("gnn: internal error (a bug): %v", r)
	}
}

// TrainModel continues training m on data until it has completed cfg.Epochs
// epochs (epochs already done count; schedules use absolute epoch numbers).
// Cancellation behaves as in Train.
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
	return t.run(ctx)
}

// trainer is the state of one Train call.
type trainer struct {
	m     *Model
	data  Data
	cfg   TrainConfig
	adam  *nn.Adam
	wk    *batchWork
	rng   *rand.Rand
	start time.Time
	steps int // optimiser steps taken in this call
	// progress accumulation
	lossSum   float64
	lossCount int
	lastTime  time.Time
	lastSteps int
	solver    *wSolver
	frames    []int // the current batch's frame indices
}

func newTrainer(m *Model, data Data, cfg TrainConfig) *trainer {
	if cfg.XNorm > 0 {
		m.xnorm = cfg.XNorm
	} else if m.xnorm == 0 {
		m.xnorm = DefaultXNorm(data.U)
	}
	t := &trainer{m: m, data: data, cfg: cfg,
		rng: rand.New(rand.NewSource(cfg.Seed + 7919*int64(m.epochs+1)))}
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
	if cfg.FreezeEmbedding {
		for k := range m.a {
			m.a[k] = 1
		}
	}
	t.wk = m.newBatchWork(cfg.Batch)
	if cfg.Solver == SolverAlternating {
		t.solver = newWSolver(m, data, cfg.Alternating)
	}
	return t
}

func (t *trainer) run(ctx context.Context) error {
	t.start, t.lastTime = time.Now(), time.Now()
	m, cfg := t.m, t.cfg
	for m.epochs < cfg.Epochs {
		epoch := m.epochs
		frozenPA := m.freezeEpochs > 0
		t.adam.Group("a").Frozen = cfg.FreezeEmbedding || frozenPA
		t.adam.Group("psi").Frozen = frozenPA
		var epochLoss float64
		for step := 0; step < cfg.StepsPerEpoch; step++ {
			if err := ctx.Err(); err != nil {
				return t.cancelled(err)
			}
			t.setPhase()
			if t.solveDue() {
				if t.m.inputIndex != nil && t.steps == max(cfg.Alternating.WarmupSteps, 0) {
					// Adam now trains only the input neurons' rows.
					t.adam.Group("W").Reset()
				}
				if err := t.solver.solve(); err != nil {
					return err
				}
			}
			loss := t.step(t.options(epoch))
			epochLoss += loss
			t.report(epoch, step+1)
		}
		m.losses = append(m.losses, epochLoss/float64(cfg.StepsPerEpoch))
		m.epochs++
		if frozenPA {
			m.freezeEpochs--
		}
		if !cfg.KeepAdamMoments {
			t.adam.Reset()
		}
		if err := t.checkpoint(); err != nil {
			return err
		}
		if cfg.OnEpochEnd != nil {
			if err := cfg.OnEpochEnd(epoch, m); err != nil {
				return fmt.Errorf("gnn: epoch %d hook: %w", epoch, err)
			}
		}
	}
	if t.solver != nil && !t.warmingUp() {
		// Finish with Ŵ optimal for the final φ*, ψ*.
		return t.solver.solve()
	}
	return nil
}

// warmingUp says whether the alternating solver is still in its Adam warm-up.
func (t *trainer) warmingUp() bool {
	return t.solver != nil && t.steps < t.cfg.Alternating.WarmupSteps
}

// setPhase sets the learning rates and Ŵ's freezing for the current phase:
// TrainConfig.LR for the adam solver; for the alternating solver the
// warm-up's rates, then the alternating rates with Ŵ frozen.
func (t *trainer) setPhase() {
	lr, frozenW := t.cfg.LR, false
	if t.solver != nil {
		lr = t.cfg.Alternating.WarmupLR
		if !t.warmingUp() {
			lr, frozenW = t.cfg.Alternating.LR, !t.cfg.Alternating.AdamW && t.m.inputIndex == nil
		}
	}
	for _, g := range []struct {
		name string
		v    float64
	}{{"W", lr.W}, {"phi", lr.Phi}, {"psi", lr.Psi}, {"a", lr.Embedding}} {
		if g.v > 0 {
			t.adam.Group(g.name).LR = g.v
		}
	}
	t.adam.Group("W").Frozen = frozenW
}

// solveDue says whether the alternating solver re-solves Ŵ before this
// step: every SolveEvery steps after the warm-up (at once when it ends); in
// the hybrid (AdamW) mode without warm-up the solves start after SolveEvery
// steps.
func (t *trainer) solveDue() bool {
	if t.solver == nil || t.warmingUp() {
		return false
	}
	since := t.steps - max(t.cfg.Alternating.WarmupSteps, 0)
	if since%t.cfg.Alternating.SolveEvery != 0 {
		return false
	}
	return !t.cfg.Alternating.AdamW || t.steps > 0
}

func (t *trainer) options(epoch int) stepOptions {
	m, cfg := t.m, t.cfg
	frozenPA := m.freezeEpochs > 0
	return stepOptions{
		gradW:     !t.adam.Group("W").Frozen,
		gradA:     !cfg.FreezeEmbedding && !frozenPA,
		gradPsi:   !frozenPA,
		gradOmega: m.omega != nil,
		phiZero:   cfg.Penalties.PhiZero.At(epoch),
		edgeDiff:  cfg.Penalties.EdgeDiff.At(epoch),
		wL1:       cfg.Penalties.WL1.At(epoch),
		delta:     float32(m.xnorm / 150),
	}
}

// step draws a batch, computes gradients and applies Adam; it returns the data loss.
func (t *trainer) step(opt stepOptions) float64 {
	if len(t.frames) != t.cfg.Batch {
		t.frames = make([]int, t.cfg.Batch)
	}
	frames := t.frames
	for k := range frames {
		frames[k] = t.rng.Intn(t.data.T)
	}
	t.wk.loadFrames(t.data, frames)
	t.zeroGrads()
	data, _ := t.m.lossAndGrad(t.wk, opt)
	t.maskSolvedRows()
	t.adam.Step()
	t.steps++
	t.lossSum += data
	t.lossCount++
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
	clear(m.gw)
	clear(m.ga)
	m.phi.ZeroGrads()
	m.psi.ZeroGrads()
	if m.omega != nil {
		m.omega.ZeroGrads()
	}
}

func (t *trainer) report(epoch, step int) {
	cfg := t.cfg
	if cfg.OnProgress == nil || (step%cfg.ProgressEvery != 0 && step != cfg.StepsPerEpoch) {
		return
	}
	now := time.Now()
	dt := now.Sub(t.lastTime).Seconds()
	p := Progress{Epoch: epoch, Step: step, StepsPerEpoch: cfg.StepsPerEpoch,
		Loss: t.lossSum / math.Max(1, float64(t.lossCount)), R2: math.NaN(), Slope: math.NaN(),
		Elapsed: now.Sub(t.start).Seconds()}
	if dt > 0 {
		p.StepsPerSecond = float64(t.steps-t.lastSteps) / dt
		p.FramesPerSecond = p.StepsPerSecond * float64(cfg.Batch)
	}
	if cfg.TrueW != nil {
		if fit, err := ConnectivityFit(t.m, cfg.TrueW, cfg.TrueGain); err == nil {
			p.R2, p.Slope = fit.R2, fit.Slope
		}
	}
	cfg.OnProgress(p)
	t.lossSum, t.lossCount = 0, 0
	t.lastTime, t.lastSteps = time.Now(), t.steps
}

// ConnectivityFit fits the plateau-corrected Ŵ against trueW (SPEC §4) over
// all N² entries: R² and slope of corrected = slope·true + intercept. The
// model's XNorm must be set (it is after training).
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
	return metrics.LinearFit(trueW, wc), nil
}

func (t *trainer) checkpoint() error {
	if t.cfg.CheckpointDir == "" {
		return nil
	}
	if err := os.MkdirAll(t.cfg.CheckpointDir, 0o755); err != nil {
		return fmt.Errorf("gnn: checkpoint directory: %w", err)
	}
	return t.m.Save(filepath.Join(t.cfg.CheckpointDir, CheckpointFile))
}

// cancelled saves a checkpoint of the current epoch state and wraps ctx's error.
func (t *trainer) cancelled(cause error) error {
	if err := t.checkpoint(); err != nil {
		return errors.Join(fmt.Errorf("gnn: training cancelled: %w", cause), err)
	}
	return fmt.Errorf("gnn: training cancelled after %d epochs (checkpoint saved: %v): %w",
		t.m.epochs, t.cfg.CheckpointDir != "", cause)
}

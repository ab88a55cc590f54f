package gnn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ngs-lab/ngs/ops/nn"
)

// epochLoop is the training schedule that Train (trainer) and TrainGraph
// (graphTrainer) share, and the state it keeps:
//
//   - epochs of StepsPerEpoch steps until the model has completed
//     cfg.Epochs (epochs already done count);
//   - one random stream per epoch, seeded by the seed and the epoch number,
//     so that a resumed run draws what an uninterrupted one would;
//   - the embeddings and ψ* frozen for the epochs a hook asked
//     (FreezeEmbeddingAndPsi), the embeddings for the whole run with
//     FreezeEmbedding;
//   - the mean data loss of each epoch (Model.Losses); Adam's moments reset
//     at each epoch's end unless KeepAdamMoments;
//   - the OnEpochEnd hook, then the trainer's epoch-end bookkeeping, the
//     checkpoint, and an early stop when the trainer says so;
//   - progress every ProgressEvery steps and at each epoch's end, with the
//     live R² against TrueW;
//   - the trained fit saved as FitFile in CheckpointDir at the end.
//
// The trainer supplies its step and the rest through epochTrainer.
type epochLoop struct {
	m    *Model
	data Data
	cfg  TrainConfig
	adam *nn.Adam
	rng  *rand.Rand // the current epoch's stream
	// progress accumulation
	start     time.Time
	lossSum   float64
	lossCount int
	lastTime  time.Time
	lastSteps int
}

// epochTrainer is what a trainer adds to epochLoop.run.
type epochTrainer interface {
	// trainStep runs step (from 0) of epoch: one batch drawn from the
	// epoch's stream and one Adam step (and whatever the trainer does
	// before it). It returns the batch's data loss; an error wrapping
	// errSettled (with the loss of a step that ran) ends the epoch after
	// this step and training after the epoch's end.
	trainStep(epoch, step int) (float64, error)
	// stepsDone runs after an epoch's last step, before its hook: memory
	// that only the steps use goes, so that it does not add to the epoch
	// end's (the hook's, the checkpoint's).
	stepsDone()
	// trackEpoch runs after epoch's hook (newPhase: the hook changed the
	// embeddings or φ*) and before its checkpoint.
	trackEpoch(epoch int, newPhase bool)
	// converged says, after an epoch's checkpoint, whether training stops
	// before cfg.Epochs.
	converged() bool
	// finish runs once the epochs are done, before the fit is saved.
	finish()
	// progressNote is the progress message and the validation loss (NaN
	// without validation).
	progressNote() (string, float64)
}

// errSettled is wrapped by the error with which a trainer's step says that
// Ŵ has settled (TrainConfig.Until UntilSettled).
var errSettled = errors.New("training settled")

// run trains until the model has completed cfg.Epochs epochs or tr says it
// converged or settled.
func (l *epochLoop) run(ctx context.Context, tr epochTrainer) error {
	m, cfg := l.m, l.cfg
	l.start, l.lastTime = time.Now(), time.Now()
	for m.epochs < cfg.Epochs {
		epoch := m.epochs
		l.rng = rand.New(rand.NewSource(cfg.Seed + 7919*int64(epoch+1)))
		frozen := m.freezeEpochs > 0
		l.adam.Group("a").Frozen = cfg.FreezeEmbedding || m.holdsPsiAndA()
		l.adam.Group("psi").Frozen = m.holdsPsiAndA()
		var epochLoss float64
		var settled error
		steps := 0
		for step := 0; step < cfg.StepsPerEpoch && settled == nil; step++ {
			if err := ctx.Err(); err != nil {
				return l.cancelled(err)
			}
			loss, err := tr.trainStep(epoch, step)
			if errors.Is(err, errSettled) {
				settled = err // this step ran; the epoch ends after it
			} else if err != nil {
				return err
			}
			epochLoss += loss
			l.lossSum += loss
			l.lossCount++
			steps++
			l.report(epoch, step+1, tr)
		}
		tr.stepsDone()
		m.losses = append(m.losses, epochLoss/float64(steps))
		m.epochs++
		if frozen {
			m.freezeEpochs--
		}
		if !cfg.KeepAdamMoments {
			l.adam.Reset()
		}
		changed, err := l.runHook(epoch)
		if err != nil {
			return err
		}
		tr.trackEpoch(epoch, changed)
		l.checkpoint()
		if settled != nil {
			l.warn("%v", settled)
			break
		}
		if tr.converged() {
			l.warn("training converged after %d epochs: the validation loss has not improved by more than %g for %d epochs", m.epochs, cfg.Tolerance, cfg.Patience)
			break
		}
	}
	tr.finish()
	if dir := cfg.CheckpointDir; dir != "" {
		if err := m.Save(filepath.Join(dir, FitFile)); err != nil {
			l.warn("the trained fit was not saved to %s: %v", dir, err)
		}
	}
	return nil
}

// prepareModel sets what training needs before the first step: the model's
// activity scale (cfg.XNorm, else the data's unless the model has one) and,
// with FreezeEmbedding, embeddings of 1.
func prepareModel(m *Model, data Data, cfg TrainConfig) {
	if cfg.XNorm > 0 {
		m.xnorm = cfg.XNorm
	} else if m.xnorm == 0 {
		m.xnorm = DefaultXNorm(data.U, data.N)
	}
	if cfg.FreezeEmbedding {
		for k := range m.a {
			m.a[k] = 1
		}
	}
}

// startModel builds the model to train from spec (seeded by cfg.Seed), or
// with cfg.Resume loads the checkpoint in cfg.CheckpointDir and passes its
// hooks' state to cfg.OnResume.
func startModel(spec ModelSpec, cfg TrainConfig) (*Model, error) {
	if !cfg.Resume {
		return NewModel(spec, cfg.Seed)
	}
	m, err := loadForResume(spec, cfg.CheckpointDir)
	if err != nil {
		return nil, err
	}
	if cfg.OnResume != nil {
		if err := cfg.OnResume(m.CheckpointExtra()); err != nil {
			return nil, fmt.Errorf("gnn: resume: %w", err)
		}
	}
	return m, nil
}

// warn passes a message to cfg.OnWarning.
func (l *epochLoop) warn(format string, args ...any) {
	if l.cfg.OnWarning != nil {
		l.cfg.OnWarning(fmt.Sprintf(format, args...))
	}
}

// lrFactor is the LRDecay schedule's factor on the learning rates at the
// current step: 1 for the first half of the run's steps, then a cosine
// down to LRDecay at the last step.
func (l *epochLoop) lrFactor() float64 {
	total := float64(l.cfg.Epochs * l.cfg.StepsPerEpoch)
	half, s := total/2, float64(l.m.track.Steps)
	if l.cfg.LRDecay >= 1 || s <= half {
		return 1
	}
	x := math.Min(1, (s-half)/(total-half))
	return l.cfg.LRDecay + (1-l.cfg.LRDecay)*0.5*(1+math.Cos(math.Pi*x))
}

// runHook runs cfg.OnEpochEnd and says whether it changed the embeddings or
// φ* (a clustering step), which starts a new phase for Train's best-fit
// choice.
func (l *epochLoop) runHook(epoch int) (bool, error) {
	if l.cfg.OnEpochEnd == nil {
		return false, nil
	}
	m := l.m
	a, phi := append([]float32(nil), m.a...), append([]float32(nil), m.phi.Params...)
	if err := l.cfg.OnEpochEnd(epoch, m); err != nil {
		return false, fmt.Errorf("gnn: epoch %d hook: %w", epoch, err)
	}
	return !slices.Equal(a, m.a) || !slices.Equal(phi, m.phi.Params), nil
}

// report sends progress every ProgressEvery steps and at the epoch's end:
// the mean data loss since the last report, speed, tr's note and
// validation loss, and the live R² and slope against TrueW.
func (l *epochLoop) report(epoch, step int, tr epochTrainer) {
	cfg := l.cfg
	if cfg.OnProgress == nil || (step%cfg.ProgressEvery != 0 && step != cfg.StepsPerEpoch) {
		return
	}
	now := time.Now()
	note, val := tr.progressNote()
	p := Progress{Epoch: epoch, Step: step, StepsPerEpoch: cfg.StepsPerEpoch,
		Loss: l.lossSum / math.Max(1, float64(l.lossCount)), R2: math.NaN(), Slope: math.NaN(),
		Elapsed: now.Sub(l.start).Seconds(), Validation: val, Message: note}
	if dt := now.Sub(l.lastTime).Seconds(); dt > 0 {
		p.StepsPerSecond = float64(l.m.track.Steps-l.lastSteps) / dt
		p.FramesPerSecond = p.StepsPerSecond * float64(cfg.Batch)
	}
	if cfg.TrueW != nil {
		if fit, err := ConnectivityFit(l.m, cfg.TrueW, cfg.TrueGain); err == nil {
			p.R2, p.Slope = fit.R2, fit.Slope
		}
	}
	cfg.OnProgress(p)
	l.lossSum, l.lossCount = 0, 0
	l.lastTime, l.lastSteps = time.Now(), l.m.track.Steps
}

// checkpoint writes the epoch-end state (hooks included) when a directory
// is set. A failed write warns and training goes on: the epoch in memory is
// never discarded.
func (l *epochLoop) checkpoint() {
	dir := l.cfg.CheckpointDir
	if dir == "" {
		return
	}
	if err := saveTrainingState(l.m, l.adam, l.cfg, dir, CheckpointFile); err != nil {
		l.warn("checkpoint after epoch %d not written (training goes on): %v", l.m.epochs-1, err)
	}
}

// cancelled wraps ctx's error; the checkpoint of the last completed epoch
// (if any) stays, so that a resumed run continues exactly.
func (l *epochLoop) cancelled(cause error) error {
	saved := l.cfg.CheckpointDir != "" && l.m.epochs > 0
	if saved {
		if _, err := os.Stat(filepath.Join(l.cfg.CheckpointDir, CheckpointFile)); err != nil {
			saved = false
		}
	}
	if saved {
		return fmt.Errorf("gnn: training cancelled during epoch %d (the checkpoint of epoch %d is in %s): %w",
			l.m.epochs, l.m.epochs-1, l.cfg.CheckpointDir, cause)
	}
	return errors.Join(fmt.Errorf("gnn: training cancelled during epoch %d (no checkpoint)", l.m.epochs), cause)
}

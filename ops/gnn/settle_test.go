package gnn

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestMovedIsScaleFree: 1 − ρ² between successive solves ignores ψ*'s
// scale (and the diagonal and rows not owned), is 0 for a rescaled Ŵ and
// near 1 for an unrelated one.
func TestMovedIsScaleFree(t *testing.T) {
	const n = 60
	rng := rand.New(rand.NewSource(3))
	old, scaled, other := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for k := range old {
		old[k] = float32(rng.NormFloat64())
		scaled[k] = -2.5 * old[k]
		other[k] = float32(rng.NormFloat64())
	}
	owned := make([]bool, n)
	for i := range owned {
		owned[i] = i%3 != 0
	}
	for i := 0; i < n; i++ {
		scaled[i*n+i] = 99 // the diagonal is not compared
		if !owned[i] {
			scaled[i*n+(i+1)%n] = 42 // nor the rows the solve does not own
		}
	}
	if m := moved(old, scaled, owned, n); m > 1e-6 {
		t.Errorf("moved between Ŵ and −2.5·Ŵ = %g, expected 0", m)
	}
	if m := moved(old, other, owned, n); m < 0.95 {
		t.Errorf("moved between unrelated matrices = %g, expected near 1", m)
	}
	if m := moved(old, make([]float32, n*n), owned, n); !math.IsNaN(m) {
		t.Errorf("moved to an all-zero Ŵ = %g, expected NaN (no correlation defined)", m)
	}
}

// TestUntilSettled stops at the first solve after MinEpochs at which the
// median movement of the last five solves is below Settle, mid-epoch, and
// then still makes the final solve; with the Adam solver the rule is refused.
func TestUntilSettled(t *testing.T) {
	sim := smallFig2()
	var warnings []string
	cfg := TrainConfig{Epochs: 20, Batch: 16, StepsPerEpoch: 200, Seed: 1, Until: UntilSettled, Settle: 0.5, MinEpochs: 2,
		Penalties: Penalties{PhiZero: Always(1)}, Alternating: AlternatingConfig{WarmupSteps: 100, SolveEvery: 20, Frames: 2000},
		OnWarning: func(s string) { warnings = append(warnings, s) }}
	m, err := Train(context.Background(), ModelSpec{N: sim.N}, sim.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Epochs 0 and 1 hold 300 / 20 = 15 solves, so the rule may fire at the
	// first solve of epoch 2: after step 400 + 1.
	if m.EpochsDone() != 3 || m.track.Steps != 401 {
		t.Errorf("stopped after %d epochs and %d steps, expected 3 epochs and 401 steps (warnings %q)", m.EpochsDone(), m.track.Steps, warnings)
	}
	if len(warnings) == 0 || !strings.Contains(warnings[len(warnings)-1], "training settled after 401 steps") {
		t.Errorf("warnings %q, expected the last to say training settled after 401 steps", warnings)
	}
	if m.track.Steps%cfg.StepsPerEpoch == 0 {
		t.Errorf("stopped at an epoch boundary (%d steps): the rule should stop mid-epoch", m.track.Steps)
	}
	c := cfg
	c.Solver, c.LR = SolverAdam, LearningRates{W: 1e-3, Phi: 1e-3, Psi: 1e-3, Embedding: 1e-3}
	if _, err := Train(context.Background(), ModelSpec{N: sim.N}, sim.Data, c); err == nil || !strings.Contains(err.Error(), "solver alternating") {
		t.Errorf("until settled with the Adam solver: error %v, expected one asking for the alternating solver", err)
	}
	c = cfg
	c.Settle = 1.5
	if _, err := Train(context.Background(), ModelSpec{N: sim.N}, sim.Data, c); err == nil || !strings.Contains(err.Error(), "setting settle") {
		t.Errorf("settle 1.5: error %v, expected one naming the setting", err)
	}
}

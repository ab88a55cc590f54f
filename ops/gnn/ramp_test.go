package gnn

import (
	"math"
	"testing"
)

// After the warm-up the MLPs' rates rise geometrically from the warm-up's
// to the alternating phase's over RampSteps steps, and jump at once
// without a ramp.
func TestRampedLRRisesGeometrically(t *testing.T) {
	cfg := TrainConfig{Alternating: AlternatingConfig{WarmupSteps: 100, RampSteps: 100,
		WarmupLR: LearningRates{W: 1e-2, Phi: 2e-3, Psi: 2e-3, Embedding: 1e-3},
		LR:       LearningRates{Phi: 1e-2, Psi: 1e-2, Embedding: 1e-2}}}
	tr := &trainer{epochLoop: epochLoop{m: &Model{}, cfg: cfg}}
	for _, c := range []struct {
		step     int
		phi, emb float64
	}{{100, 2e-3, 1e-3}, {150, math.Sqrt(2e-3 * 1e-2), math.Sqrt(1e-3 * 1e-2)}, {200, 1e-2, 1e-2}, {900, 1e-2, 1e-2}} {
		tr.m.track.Steps = c.step
		lr := tr.rampedLR()
		if math.Abs(lr.Phi-c.phi) > 1e-12 || math.Abs(lr.Psi-c.phi) > 1e-12 || math.Abs(lr.Embedding-c.emb) > 1e-12 {
			t.Errorf("step %d: φ %g, ψ %g, a %g; want %g, %g, %g", c.step, lr.Phi, lr.Psi, lr.Embedding, c.phi, c.phi, c.emb)
		}
	}
	tr.cfg.Alternating.RampSteps = 0
	tr.m.track.Steps = 100
	if lr := tr.rampedLR(); lr.Phi != 1e-2 {
		t.Errorf("without a ramp φ's rate is %g right after the warm-up, want 1e-2", lr.Phi)
	}
}

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
	tr := &trainer{epochLoop: epochLoop{m: &Model{track: track{Ramp: 100}}, cfg: cfg}}
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
	tr.m.track.Ramp = 0
	tr.m.track.Steps = 100
	if lr := tr.rampedLR(); lr.Phi != 1e-2 {
		t.Errorf("without a ramp φ's rate is %g right after the warm-up, want 1e-2", lr.Phi)
	}
}

// The default ramp is decided at the first solve: a ramp of autoRampSteps
// when that solve fit the validation frames worse than the warm-up's Ŵ,
// none when it fit them better; a given RampSteps (or a negative one, for
// none) overrides the decision.
func TestRampDecidedAtFirstSolve(t *testing.T) {
	for _, c := range []struct {
		given, want   int
		before, after float64
	}{
		{0, autoRampSteps, 1, 1.8}, {0, 0, 1, 0.99}, {0, 0, math.NaN(), math.NaN()},
		{300, 300, 1, 0.5}, {-1, 0, 1, 1.8},
	} {
		var warned []string
		tr := &trainer{epochLoop: epochLoop{m: &Model{}, cfg: TrainConfig{Alternating: AlternatingConfig{RampSteps: c.given},
			OnWarning: func(s string) { warned = append(warned, s) }}}}
		tr.decideRamp(SolveReport{ValBefore: c.before, ValAfter: c.after})
		if tr.m.track.Ramp != c.want {
			t.Errorf("RampSteps %d, validation %g → %g: ramp %d, want %d", c.given, c.before, c.after, tr.m.track.Ramp, c.want)
		}
		if auto := c.given == 0 && c.want > 0; auto != (len(warned) == 1) {
			t.Errorf("RampSteps %d, validation %g → %g: warnings %q", c.given, c.before, c.after, warned)
		}
	}
}

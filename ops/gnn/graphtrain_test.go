package gnn

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestGraphLossMatchesFusedKernels checks the gorgonia graph of the loss
// (gorgonia's own operations and autodiff) against the fused kernels of
// Train on the forms both cover (ψ*(u[j]), ψ*(u[j], a[j]) by a matrix product,
// ψ*(u[j], a[i], a[j]) on every edge; phi_zero, W_L1 and, but for N5,
// edge_diff on; relu and tanh): same loss, same gradients of Ŵ, a, φ* and ψ*.
func TestGraphLossMatchesFusedKernels(t *testing.T) {
	for _, c := range []struct {
		v   Variant
		act string
	}{{N2, "relu"}, {N4, "relu"}, {N4, "tanh"}, {N5, "relu"}, {N5, "tanh"}} {
		t.Run(string(c.v)+"/"+c.act, func(t *testing.T) {
			n, b := 9, 3
			if c.v == N5 {
				// One receiver group per neuron: the fused N5 kernel is
				// exact (no quantised groups) up to n5ExactGroups.
				n = n5ExactGroups
			}
			rng := rand.New(rand.NewSource(4))
			net := NetSpec{Hidden: 16, Activation: c.act}
			m, err := NewModel(ModelSpec{N: n, Variant: c.v, Phi: net, Psi: net}, 2)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.a {
				m.a[k] = float32(rng.NormFloat64())
			}
			d := smallData(n, 10, rng)
			frames := []int{1, 4, 8}
			const phiZero, wL1 = 0.7, 0.01
			// edge_diff on N2 and N4, whose fused rows (one per sender) the
			// graph's are; the fused N5 kernel takes it on (u_j, a_j, a_j)
			// only, the graph on every edge.
			edgeDiff := 0.0
			if c.v != N5 {
				edgeDiff = 3
			}
			m.xnorm = 3
			delta := m.xnorm / 150
			gl, err := m.newGraphLoss(b, true, true, edgeDiff > 0)
			if err != nil {
				t.Fatal(err)
			}
			defer gl.close()
			data, total, err := gl.run(d, frames, graphPenalties{phiZero: phiZero, wL1: wL1, edgeDiff: edgeDiff, delta: delta})
			if err != nil {
				t.Fatal(err)
			}
			got := [][]float32{append([]float32(nil), m.phi.Grads...), append([]float32(nil), m.psi.Grads...),
				append([]float32(nil), m.gw...), append([]float32(nil), m.ga...)}
			clear(m.gw)
			clear(m.ga)
			m.phi.ZeroGrads()
			m.psi.ZeroGrads()
			wk := m.newBatchWork(b)
			wk.loadFrames(d, frames)
			wantData, wantTotal := m.lossAndGrad(wk, stepOptions{gradW: true, gradA: true, gradPsi: true, phiZero: phiZero, wL1: wL1,
				edgeDiff: edgeDiff, delta: float32(delta)})
			if e := relErr(data, wantData, 1e-6); e > 1e-5 {
				t.Errorf("data loss: graph %g, kernels %g", data, wantData)
			}
			if e := relErr(total, wantTotal, 1e-6); e > 1e-5 {
				t.Errorf("total loss: graph %g, kernels %g", total, wantTotal)
			}
			for k, ref := range [][]float32{m.phi.Grads, m.psi.Grads, m.gw, m.ga} {
				var worst float64
				for i := range ref {
					worst = max(worst, relErr(float64(got[k][i]), float64(ref[i]), 1e-3))
				}
				if worst > 1e-3 {
					t.Errorf("gradient of %s: worst relative difference %.3g", []string{"phi", "psi", "W", "a"}[k], worst)
				}
			}
		})
	}
}

// TestTrainGraphRecoversW trains a model whose ψ* takes the sender's and
// the receiver's activity, ψ*(u[j], u[i]), which has no fused kernel,
// through the gorgonia graph on a small simulated network (N = 24, tanh
// coupling, 40 transients of 100 frames) and checks the plateau-corrected Ŵ
// against the true W. Train itself refuses the model and names TrainGraph.
func TestTrainGraphRecoversW(t *testing.T) {
	n := 24
	w := cauchyW(n, 1)
	data := restarts(n, 40, 100, 0.02, w)
	spec := ModelSpec{N: n, Variant: Graph, PsiArgs: []string{SenderActivity, ReceiverActivity},
		Phi: NetSpec{Hidden: 16}, Psi: NetSpec{Hidden: 16, Activation: "tanh"}}
	cfg := TrainConfig{Epochs: 2, Batch: 4, StepsPerEpoch: 500, Seed: 3, TrueW: w,
		LR:        LearningRates{W: 2e-2, Phi: 1e-2, Psi: 1e-2, Embedding: 1e-2},
		Penalties: Penalties{PhiZero: Always(1)}}
	var last Progress
	cfg.OnProgress = func(p Progress) { last = p }
	// Train sends a ψ* with no fused kernel to TrainGraph.
	m, err := Train(context.Background(), spec, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := ConnectivityFit(m, w, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("R² %.4f slope %.3f; losses %v; %.0f steps/s", fit.R2, fit.Slope, m.Losses(), last.StepsPerSecond)
	// Measured: R² 0.9937, slope 0.993 (1000 steps, about 4 s).
	if fit.R2 < 0.97 {
		t.Errorf("corrected Ŵ vs true W: R² %.4f, expected ≥ 0.97", fit.R2)
	}
	if math.Abs(fit.Slope-1) > 0.1 {
		t.Errorf("corrected Ŵ vs true W: slope %.3f, expected 1 ± 0.1", fit.Slope)
	}
	if math.Abs(last.R2-fit.R2) > 1e-6 {
		t.Errorf("live R² %.4f differs from the final %.4f", last.R2, fit.R2)
	}
	if l := m.Losses(); len(l) != 2 || !(l[1] < 0.5*l[0]) {
		t.Errorf("epoch losses %v: expected 2, the second below half the first", l)
	}
}

// restarts simulates runs trajectories of the test network (simulateN2),
// each of frames frames from its own random start and without burn-in:
// the transients sample the transfer function over its whole range, which
// one long trajectory of a small network (whose activity saturates) does
// not.
func restarts(n, runs, frames int, dt float64, w []float32) Data {
	d := Data{N: n, T: runs * frames}
	for r := 0; r < runs; r++ {
		s := simulateN2(n, frames, 0, dt, w, int64(100+r))
		d.U = append(d.U, s.Data.U...)
		d.DU = append(d.DU, s.Data.DU...)
	}
	return d
}

// TestTrainGraphResumeMatches stops a graph-trained model (ψ*(u[j], a[i]),
// another form with no fused kernel, every penalty on) after one epoch and
// resumes it from its checkpoint: the result equals two uninterrupted
// epochs.
func TestTrainGraphResumeMatches(t *testing.T) {
	n := 10
	w := cauchyW(n, 2)
	data := restarts(n, 10, 50, 0.02, w)
	spec := ModelSpec{N: n, Variant: Graph, PsiArgs: []string{SenderActivity, ReceiverEmbedding},
		Phi: NetSpec{Hidden: 8}, Psi: NetSpec{Hidden: 8}}
	cfg := TrainConfig{Epochs: 2, Batch: 4, StepsPerEpoch: 30, Seed: 7, LRDecay: 1,
		LR:        LearningRates{W: 1e-2, Phi: 1e-2, Psi: 1e-2, Embedding: 1e-2},
		Penalties: Penalties{PhiZero: Always(1), WL1: Always(1e-3), EdgeDiff: Always(10)}, CheckpointDir: t.TempDir()}
	whole, err := TrainGraph(context.Background(), spec, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.CheckpointDir = t.TempDir()
	cfg.Epochs = 1
	if _, err := TrainGraph(context.Background(), spec, data, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Epochs, cfg.Resume = 2, true
	resumed, err := TrainGraph(context.Background(), spec, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.EpochsDone() != 2 {
		t.Fatalf("resumed model has %d epochs, expected 2", resumed.EpochsDone())
	}
	for name, pair := range map[string][2][]float32{"W": {whole.W(), resumed.W()}, "a": {whole.Embeddings(), resumed.Embeddings()},
		"psi": {whole.psi.Params, resumed.psi.Params}, "phi": {whole.phi.Params, resumed.phi.Params}} {
		for k := range pair[0] {
			if pair[0][k] != pair[1][k] {
				t.Fatalf("%s[%d]: uninterrupted %g, resumed %g", name, k, pair[0][k], pair[1][k])
			}
		}
	}
	if fmt.Sprint(whole.Losses()) != fmt.Sprint(resumed.Losses()) {
		t.Errorf("losses: uninterrupted %v, resumed %v", whole.Losses(), resumed.Losses())
	}
	// A checkpoint of another ψ* form is refused.
	other := spec
	other.PsiArgs = []string{SenderActivity, ReceiverActivity}
	if _, err := TrainGraph(context.Background(), other, data, cfg); err == nil || !strings.Contains(err.Error(), "psi(u[j], a[i])") {
		t.Errorf("resuming psi(u[j], u[i]) from a psi(u[j], a[i]) checkpoint: got %v, expected a shape error", err)
	}
}

// TestTrainGraphRefusesWhatNeedsFusedKernels checks the settings only Train
// supports: each is refused with the setting named, and a validation
// fraction is ignored with a warning.
func TestTrainGraphRefusesWhatNeedsFusedKernels(t *testing.T) {
	n := 6
	d := smallData(n, 40, rand.New(rand.NewSource(1)))
	spec := ModelSpec{N: n, Variant: Graph, PsiArgs: []string{SenderActivity, ReceiverActivity}, Phi: NetSpec{Hidden: 4}, Psi: NetSpec{Hidden: 4}}
	base := TrainConfig{Epochs: 1, Batch: 2, StepsPerEpoch: 2, LR: LearningRates{W: 1e-3, Phi: 1e-3, Psi: 1e-3, Embedding: 1e-3}}
	for _, c := range []struct {
		edit func(*TrainConfig, *ModelSpec)
		want string
	}{
		{func(c *TrainConfig, _ *ModelSpec) { c.Solver = SolverAlternating }, `solver "alternating"`},
		{func(c *TrainConfig, _ *ModelSpec) { c.Until = UntilConverged }, `until "converged"`},
		{func(c *TrainConfig, _ *ModelSpec) { c.LR.Psi = 0 }, "learning rate psi"},
		{func(_ *TrainConfig, s *ModelSpec) { s.PsiArgs = []string{ReceiverActivity} }, "must take the sender's activity u[j]"},
		{func(_ *TrainConfig, s *ModelSpec) {
			s.Omega = &OmegaSpec{Neurons: []int{0}, X: []float32{0}, Y: []float32{0}}
		}, "hidden input"},
	} {
		cfg, sp := base, spec
		c.edit(&cfg, &sp)
		if _, err := TrainGraph(context.Background(), sp, d, cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
	var warnings []string
	cfg := base
	cfg.Validation = 0.2
	cfg.OnWarning = func(s string) { warnings = append(warnings, s) }
	if _, err := TrainGraph(context.Background(), spec, d, cfg); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "validation = 0.2 is ignored") {
		t.Errorf("warnings %q, want one saying validation is ignored", warnings)
	}
}

package gnn

import (
	"context"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// omegaSpec declares Ω* on the first k neurons of a small grid.
func omegaSpec(n, k int) ModelSpec {
	o := &OmegaSpec{Siren: nn.SirenSpec{Hidden: 16, HiddenLayers: 2, Omega0: 3}}
	for i := 0; i < k; i++ {
		o.Neurons = append(o.Neurons, i)
		o.X = append(o.X, float32(i%4)/3)
		o.Y = append(o.Y, float32(i/4)/3)
	}
	return ModelSpec{N: n, Omega: o}
}

// TestSolveLeavesInputRowsToAdam checks that with a hidden input the exact
// solve writes only the rows of neurons that Ω* does not drive.
func TestSolveLeavesInputRowsToAdam(t *testing.T) {
	sim := smallFig2()
	m, err := NewModel(omegaSpec(sim.N, 10), 1)
	if err != nil {
		t.Fatal(err)
	}
	m.xnorm = DefaultXNorm(sim.Data.U, sim.Data.N)
	for k := range m.w {
		m.w[k] = 7
	}
	train, val := splitFrames(sim.Data.T, 0.1)
	s := newWSolver(m, sim.Data, TrainConfig{}.withDefaults(sim.Data.T).Alternating, train, val)
	s.solve()
	n := sim.N
	for i := 0; i < n; i++ {
		changed := m.w[i*n+(i+1)%n] != 7
		if input := i < 10; changed == input {
			t.Fatalf("row %d (input neuron: %v) changed: %v", i, input, changed)
		}
	}
}

// TestAlternatingWithHiddenInput trains with Ω* on 10 of 100 neurons (the
// true input is e = 1) and checks that Ŵ is recovered on the solved rows.
func TestAlternatingWithHiddenInput(t *testing.T) {
	sim := smallFig2()
	cfg := fig2Config(sim.W)
	cfg.Epochs, cfg.LR.Omega, cfg.Solver = 4, 1e-4, SolverAlternating
	m, err := Train(context.Background(), omegaSpec(sim.N, 10), sim.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := CorrectedW(m, m.XNorm(), 10)
	if err != nil {
		t.Fatal(err)
	}
	n := sim.N
	var solved, inputs [2][]float32
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			k := 0
			if i < 10 {
				k = 1
			}
			solved[k] = append(solved[k], sim.W[i*n+j])
			inputs[k] = append(inputs[k], w[i*n+j])
		}
	}
	r2Solved, r2Input := metrics.R2(solved[0], inputs[0]), metrics.R2(solved[1], inputs[1])
	t.Logf("R² of Ŵ: %.4f on the 90 solved rows, %.4f on the 10 input rows (Adam)", r2Solved, r2Input)
	if r2Solved < 0.95 {
		t.Errorf("solved rows: R² %.4f, expected ≥ 0.95", r2Solved)
	}
}

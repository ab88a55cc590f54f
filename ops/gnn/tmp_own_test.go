package gnn

import (
	"math"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// TestPsiStepRecoversSparseW: in a sparse network (5 % fill) neither the
// least-squares nor the sparse solve reaches W while ψ* is far from the
// truth; the Gauss–Newton step on the shared ψ* that follows each sparse
// solve moves ψ* and Ŵ together, and a few solves from a linear ψ* (the
// truth is tanh) recover both.
func TestTmpOwn(t *testing.T) {
	n, frames := 300, 20000
	sim := sparseFig2(n, frames, 0.05, 3)
	d := sim.Data
	train, val := splitFrames(frames, 0.1)
	m, err := NewModel(ModelSpec{N: n, Psi: NetSpec{Hidden: 32, Layers: 3}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	last := m.phi.Layers[len(m.phi.Layers)-1]
	clear(last.W)
	clear(last.B)
	lin := &psiCurve{lo: -20, hi: 20, vals: []float32{-4, 4}} // ψ* = 0.2·u
	if rel := m.refitSharedPsiTo(lin, nil); rel > 0.02 {
		t.Fatalf("ψ* refit to a line: relative error %.3g", rel)
	}
	cfg := TrainConfig{}.withDefaults(frames).Alternating
	cfg.SparsePenalty = 1e-3
	s := newWSolver(m, d, cfg, train, strided(val, 500))
	var first, r2 float64
	for it := 0; it < 8; it++ {
		rep := s.solve()
		r2 = metrics.LinearFit(sim.W, m.w).R2
		if it == 0 {
			first = r2
		}
		t.Logf("solve %d: W R² %.4f, ψ* step %.3g", it, r2, rep.PsiStep)
		if math.IsNaN(rep.PsiStep) {
			t.Errorf("solve %d: the ψ* step was undone", it)
		}
	}
	shape := metrics.FitEach(func(visit func(x, y float64)) {
		u := make([]float32, 101)
		for k := range u {
			u[k] = -5 + 0.1*float32(k)
		}
		psi, _ := m.Psi(u, nil, nil)
		for k, v := range psi {
			visit(math.Tanh(float64(u[k])), float64(v))
		}
	})
	if r2 < 0.95 || first > 0.8 || shape.R2 < 0.99 {
		t.Errorf("W R² %.4f after the first solve (and step) and %.4f at the end, ψ* against tanh R² %.4f; want the first below 0.8, the end ≥ 0.95 and ψ* ≥ 0.99", first, r2, shape.R2)
	}
}

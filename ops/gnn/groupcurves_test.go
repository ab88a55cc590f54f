package gnn

import (
	"math"
	"testing"
)

// TestGroupCurvesAreThePsi: once a grouped step stands, ψ* is the group
// curves the step set, wherever it is read: Psi (the solves, the report),
// the training batches' forward pass, a checkpoint and the best-fit
// snapshot.
func TestGroupCurvesAreThePsi(t *testing.T) {
	n, frames := 100, 8000
	sim := simulateN4(n, frames, cauchyW(n, 3), 4)
	train, val := splitFrames(frames, 0.1)
	cfg := TrainConfig{}.withDefaults(frames).Alternating
	m := n4GroupModel(t, sim)
	s := newWSolver(m, sim.Data, cfg, train, strided(val, 500))
	if rep := s.solve(); !(rep.PsiStep > 0) {
		t.Fatalf("the first grouped step did not stand (step %g)", rep.PsiStep)
	}
	if len(m.psiGroups) != 4 || !m.psiGrouped {
		t.Fatalf("%d group curves after a step (grouped %v); want one per type, 4", len(m.psiGroups), m.psiGrouped)
	}
	// Psi reads each neuron's curve, and so does a training batch.
	wk := m.newBatchWork(1)
	wk.loadFrames(sim.Data, []int{train[len(train)/2]})
	m.fillInputs(wk, n)
	batch := m.forwardPsi(wk, n)
	curves := m.neuronGroupPsi()
	psi, err := m.Psi(wk.u[:n], m.a, m.a)
	if err != nil {
		t.Fatal(err)
	}
	mlp := evalMLP(m.psi, wk.psiIn[:n*m.spec.psiIn()], n)
	var apart float64
	for i := 0; i < n; i++ {
		want := curves[i].at(wk.u[i])
		if psi[i] != want || batch[i] != want {
			t.Fatalf("neuron %d: Psi %g, batch %g; want its curve's %g", i, psi[i], batch[i], want)
		}
		apart = max(apart, math.Abs(float64(mlp[i]-want)))
	}
	if apart == 0 {
		t.Errorf("ψ*'s MLP matches the curves exactly: the test cannot tell which is read")
	}
	// A checkpoint and a snapshot keep the curves.
	l := saveAndLoad(t, m)
	got, _ := l.Psi(wk.u[:n], l.a, l.a)
	snap := m.snapshot()
	saved := m.psiGroups
	m.psiGroups = nil
	m.restoreParams(snap)
	again, _ := m.Psi(wk.u[:n], m.a, m.a)
	for i := range got {
		if got[i] != psi[i] || again[i] != psi[i] {
			t.Fatalf("neuron %d: ψ* %g after a checkpoint, %g after a snapshot; want %g", i, got[i], again[i], psi[i])
		}
	}
	if len(m.psiGroups) != len(saved) {
		t.Fatalf("%d curves after restoring the snapshot, want %d", len(m.psiGroups), len(saved))
	}
}

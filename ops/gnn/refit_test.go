package gnn

import (
	"math"
	"testing"
)

// RefitPhi fits neurons that share an embedding and a target curve once,
// weighted by their number: its loss is still the mean over all N·g rows,
// and neurons that differ are all fitted.
func TestRefitPhiWeighsSharedNeurons(t *testing.T) {
	m, err := NewModel(ModelSpec{N: 9}, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := m.Embeddings()
	for i := range a {
		a[i] = float32((i / 2) % 3) // neurons 0,3,6 / 1,4,7 / 2,5,8 share embeddings
	}
	if err := m.SetEmbeddings(a); err != nil {
		t.Fatal(err)
	}
	grid := []float32{-2, -1, 0, 1, 2}
	g := len(grid)
	targets := make([]float32, m.N()*g)
	for i := 0; i < m.N(); i++ {
		for k, r := range grid {
			targets[i*g+k] = -r * float32(1+i%3)
		}
	}
	targets[8*g] = 5 // neuron 8 shares 2's and 5's embedding, not their target
	if first, weight := distinctNeurons(m.Embeddings(), 2, targets, g); len(first) != 4 || weight[0] != 3 || weight[3] != 1 {
		t.Fatalf("distinct neurons %v with weights %v, want 4 groups (3, 3, 2, 1)", first, weight)
	}
	curves := m.SamplePhi(grid)
	var want float64
	for r := range curves {
		d := float64(curves[r] - targets[r])
		want += d * d
	}
	want /= float64(len(curves))
	got, err := m.RefitPhi(grid, targets, 0, 1e-2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-6*want {
		t.Errorf("RefitPhi's loss %g, the mean over all neurons' rows %g", got, want)
	}
	after, _ := m.RefitPhi(grid, targets, 300, 1e-2)
	if !(after < 0.2*want) {
		t.Errorf("RefitPhi: loss %g → %g after 300 steps, expected at least fivefold lower", want, after)
	}
}

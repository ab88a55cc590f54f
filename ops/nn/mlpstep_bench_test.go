package nn

import (
	"math/rand"
	"testing"
)

// BenchmarkMLPStep is one forward and backward pass (parameter and input
// gradients) of Fig 2's φ* (inputs u and a 2-d embedding, two hidden ReLU
// layers of 64, one output) over 16 frames of 1000 neurons (16 000 rows),
// as in one training step; it reports wall and CPU milliseconds per pass.
func BenchmarkMLPStep(b *testing.B) {
	const rows = 16000
	rng := rand.New(rand.NewSource(1))
	m, err := NewPaperMLP(MLPSpec{In: 3, Hidden: 64, Out: 1, Layers: 3}, rng)
	if err != nil {
		b.Fatal(err)
	}
	x, dy, dx := randSlice(rows*3, 2, rng), randSlice(rows, 1, rng), make([]float32, rows*3)
	w := m.NewWork(rows)
	cpu0 := cpuTime()
	for b.Loop() {
		m.Forward(w, x, rows)
		m.Backward(w, dy, dx)
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "wall-ms/op")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/op")
}

package nn

import (
	"math/rand"
	"testing"
)

// BenchmarkSirenStep is one forward and backward pass of the paper's Ω*
// SIREN (3 → 5×128 sine layers → 1, ω0 = 30) over 4096 rows.
func BenchmarkSirenStep(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	m, err := NewSiren(SirenSpec{In: 3, Hidden: 128, HiddenLayers: 5, Out: 1, Omega0: 30}, rng)
	if err != nil {
		b.Fatal(err)
	}
	const rows = 4096
	x := randSlice(rows*3, 1, rng)
	dy := randSlice(rows, 1, rng)
	w := m.NewWork(rows)
	g := make([]float32, rows)
	b.ResetTimer()
	for b.Loop() {
		m.Forward(w, x, rows)
		copy(g, dy)
		m.ZeroGrads()
		m.Backward(w, g, nil)
	}
}

package gnn

import (
	"math/rand"
	"testing"
)

// BenchmarkSolve times one alternating Ŵ solve at N = 1000 over 10,000 frames.
func BenchmarkSolve(b *testing.B) {
	n, frames := 1000, 10000
	d := smallData(n, frames, rand.New(rand.NewSource(1)))
	m, _ := NewModel(ModelSpec{N: n}, 1)
	train, val := splitFrames(frames, 0.1)
	s := newWSolver(m, d, TrainConfig{}.withDefaults(frames).Alternating, train, strided(val, 512))
	for i := 0; i < b.N; i++ {
		s.solve()
	}
}

package eval

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// randomMessagesAndTargets returns frames×n messages tanh(3ξ) and targets ξ:
// the solve's cost does not depend on the values, only on their shape.
func randomMessagesAndTargets(frames, n int) (psi, y []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	psi = make([]float32, frames*n)
	y = make([]float32, frames*n)
	for k := range psi {
		psi[k] = float32(math.Tanh(3 * rng.NormFloat64()))
		y[k] = float32(rng.NormFloat64())
	}
	return psi, y
}

// BenchmarkLeastSquaresW1000x10000 is the report's baseline and the trainer's
// variable-projection solve at Fig 2 size: N = 1000, T = 10,000 frames.
func BenchmarkLeastSquaresW1000x10000(b *testing.B) {
	const frames, n = 10000, 1000
	psi, y := randomMessagesAndTargets(frames, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		equations, err := NewNormalEquations(n)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := equations.Add(psi, y, frames); err != nil {
			b.Fatal(err)
		}
		accumulated := time.Now()
		if _, err := equations.SolveZeroDiagonal(1e-6); err != nil {
			b.Fatal(err)
		}
		b.Logf("Gram and cross products %.2f s, solve %.2f s", accumulated.Sub(start).Seconds(), time.Since(accumulated).Seconds())
	}
}

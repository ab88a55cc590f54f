package gnn

import (
	"math"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/ngs-lab/ngs/ops/connect"
)

// fig2Params are the [g, s, c] rows of the Fig 2 neuron types.
var fig2Params = [][3]float64{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}}

// simulation is a small N2 simulator for the tests (the project's simulator
// lives elsewhere): Cauchy wiring scaled by N^-0.7 with |s| > 25 zeroed,
// u0 ~ N(0, 5²), Euler dt with a burn-in, types in contiguous blocks.
type simulation struct {
	N, T  int
	W     []float32 // receiver-major
	Types []int
	Data  Data
}

// cauchyW draws an n×n Cauchy connectivity with the production generator
// (connect.Cauchy, as a script's W = cauchy() draws it: clipped at 25,
// scaled by N^-0.7 below 2000 neurons, zero diagonal) from a PCG stream
// seeded with seed, as the scripts' generators are seeded. (Not from a
// math/rand source: the low bits of its lagged-Fibonacci generator, which
// math/rand/v2's Float64 reads, gave W draws whose Fig 2 dynamics leave
// the messages' Gram matrix singular at N = 100.)
func cauchyW(n int, seed uint64) []float32 {
	w, err := connect.Cauchy(n, 0, 0, randv2.New(randv2.NewPCG(seed, seed)))
	if err != nil {
		panic(err) // n ≥ 1 in every test
	}
	return w
}

// simulateN2 integrates du/dt = -c·u + s·tanh(u) + g·Σ_j W[i,j]·tanh(u_j).
func simulateN2(n, frames, burnin int, dt float64, w []float32, seed int64) simulation {
	th := make([]float64, n)
	return simulateEuler(n, frames, burnin, len(fig2Params), dt, w, seed, func(types []int, u, du []float64) {
		for j := range u {
			th[j] = math.Tanh(u[j])
		}
		for i := 0; i < n; i++ {
			p := fig2Params[types[i]]
			var s float64
			row := w[i*n : (i+1)*n]
			for j, wij := range row {
				s += float64(wij) * th[j]
			}
			du[i] = -p[2]*u[i] + p[1]*th[i] + p[0]*s
		}
	})
}

// simulateEuler is the test simulators' Euler loop: kinds types in
// contiguous blocks, u0 ~ N(0, 5²) from a math/rand source seeded with
// seed, then burnin steps of dt and frames recorded steps; rate writes
// du/dt at u into du (types: each neuron's type).
func simulateEuler(n, frames, burnin, kinds int, dt float64, w []float32, seed int64, rate func(types []int, u, du []float64)) simulation {
	rng := rand.New(rand.NewSource(seed))
	types := make([]int, n)
	for i := range types {
		types[i] = min(i*kinds/n, kinds-1)
	}
	u := make([]float64, n)
	for i := range u {
		u[i] = 5 * rng.NormFloat64()
	}
	du := make([]float64, n)
	sim := simulation{N: n, T: frames, W: w, Types: types}
	sim.Data = Data{U: make([]float32, frames*n), DU: make([]float32, frames*n), T: frames, N: n}
	for k := -burnin; k < frames; k++ {
		rate(types, u, du)
		if k >= 0 {
			for i := 0; i < n; i++ {
				sim.Data.U[k*n+i] = float32(u[i])
				sim.Data.DU[k*n+i] = float32(du[i])
			}
		}
		for i := range u {
			u[i] += dt * du[i]
		}
	}
	return sim
}

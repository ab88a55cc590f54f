package gnn

import (
	"math"
	"math/rand"
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

func cauchyW(n int, rng *rand.Rand) []float32 {
	w := make([]float32, n*n)
	scale := math.Pow(float64(n), -0.7)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := math.Tan(math.Pi * (rng.Float64() - 0.5))
			if i == j || math.Abs(s) > 25 {
				continue
			}
			w[i*n+j] = float32(s * scale)
		}
	}
	return w
}

// simulateN2 integrates du/dt = -c·u + s·tanh(u) + g·Σ_j W[i,j]·tanh(u_j).
func simulateN2(n, frames, burnin int, dt float64, w []float32, seed int64) simulation {
	rng := rand.New(rand.NewSource(seed))
	types := make([]int, n)
	for i := range types {
		types[i] = min(i*len(fig2Params)/n, len(fig2Params)-1)
	}
	u := make([]float64, n)
	for i := range u {
		u[i] = 5 * rng.NormFloat64()
	}
	th := make([]float64, n)
	du := make([]float64, n)
	deriv := func() {
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
	}
	sim := simulation{N: n, T: frames, W: w, Types: types}
	sim.Data = Data{U: make([]float32, frames*n), DU: make([]float32, frames*n), T: frames, N: n}
	for k := -burnin; k < frames; k++ {
		deriv()
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

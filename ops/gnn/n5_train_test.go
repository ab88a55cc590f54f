package gnn

import (
	"context"
	"math"
	"testing"
	"time"
)

// n5Params are the [a, s, w] rows of Supp 14's neuron types (g = 10, h = 0).
var n5Params = [][3]float64{{1, 1, 1}, {1, 2, 2}, {2, 1, 4}, {2, 2, 8}}

// simulateN5 integrates Supp 14's rule du/dt = −a·u + s·tanh(u) +
// g·Σ_j W[i,j]·(tanh(u_j/w_i) − u_j·ln(w_j)/50): the transfer depends on
// the receiver's width w_i and the sender's w_j.
func simulateN5(n, frames, burnin int, dt float64, w []float32, seed int64) simulation {
	return simulateEuler(n, frames, burnin, len(n5Params), dt, w, seed, func(types []int, u, du []float64) {
		for i := 0; i < n; i++ {
			p := n5Params[types[i]]
			var s float64
			for j := 0; j < n; j++ {
				if wij := float64(w[i*n+j]); wij != 0 {
					s += wij * (math.Tanh(u[j]/p[2]) - u[j]*math.Log(n5Params[types[j]][2])/50)
				}
			}
			du[i] = -p[0]*u[i] + p[1]*math.Tanh(u[i]) + 10*s
		}
	})
}

// On a small N5 network the alternating solver (group-wise exact solves of
// Ŵ) recovers W better than Adam on every parameter after the same number
// of steps (600 of batch 16). In the same wall time Adam takes more steps,
// since the alternating recipe also solves; at N = 80 it then catches up
// (docs/RESULTS.md, issue 15).
//
// The wiring is the production generator's draw with seed 1. Over seeds
// 1–6 the alternating solver led Adam on every draw (W R² 0.353/0.119,
// 0.455/0.138, 0.187/0.058, 0.596/0.168, 0.099/0.012, 0.383/0.048) and
// reached this test's 0.3 on four of them (with the math/rand copy of the
// generator used before, seed 5: 0.40 against 0.26).
func TestN5AlternatingBeatsAdam(t *testing.T) {
	n := 80
	w := cauchyW(n, 1)
	sim := simulateN5(n, 8000, 1000, 0.01, w, 6)
	spec := ModelSpec{N: n, Variant: N5}
	base := TrainConfig{Epochs: 2, Batch: 16, StepsPerEpoch: 300, Seed: 3,
		LR:        LearningRates{W: 1e-2, Phi: 2e-3, Psi: 2e-3, Embedding: 2e-3},
		Penalties: Penalties{PhiZero: Always(1)}}
	alt := base
	alt.Alternating = AlternatingConfig{WarmupSteps: 300, SolveEvery: 25, Frames: 4000, Grid: 128}
	start := time.Now()
	ma, err := Train(context.Background(), spec, sim.Data, alt)
	if err != nil {
		t.Fatal(err)
	}
	altTime := time.Since(start)
	adam := base
	adam.Solver = SolverAdam
	start = time.Now()
	md, err := Train(context.Background(), spec, sim.Data, adam)
	if err != nil {
		t.Fatal(err)
	}
	adamTime := time.Since(start)
	fa, err := ConnectivityFit(ma, w, 10)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := ConnectivityFit(md, w, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("600 steps: alternating W R² %.3f (slope %.3f, %v), adam %.3f (slope %.3f, %v)",
		fa.R2, fa.Slope, altTime.Round(time.Millisecond), fd.R2, fd.Slope, adamTime.Round(time.Millisecond))
	if !(fa.R2 > fd.R2+0.08) || fa.R2 < 0.3 {
		t.Errorf("alternating W R² %.3f, adam %.3f: want alternating ≥ 0.3 and 0.08 above adam", fa.R2, fd.R2)
	}
}

// Package input provides the external input sources of a simulation: each
// fills e (one value per neuron) for a step and tells the grid positions of
// its input neurons. Sources: the visual movie of Fig 3, oscillations,
// triggered decaying oscillations, a host callback field and a T×N .npy file.
// During burn-in every source gives e = 0 for every neuron.
package input

import (
	"fmt"
	"math"
)

// Step identifies the simulation step a source fills e for.
type Step struct {
	// Frame is the recorded frame k in [0, Frames); negative during burn-in.
	Frame int
	// Frames is T, the number of simulated frames after burn-in.
	Frames int
	// Time is the simulation time t of the step.
	Time float64
	// Dt is the Euler step.
	Dt float64
	// Burnin marks the unrecorded steps before frame 0.
	Burnin bool
}

// Source fills the external input of every neuron for one step.
type Source interface {
	// Fill sets e[i] for every neuron i (len(e) = N) at step s.
	Fill(e []float32, s Step) error
	// Positions returns the input neurons and their grid positions
	// (x, y in [0,1]), in the same order.
	Positions() (neurons []int, x, y []float32)
}

// zero sets every value of e to 0.
func zero(e []float32) {
	for i := range e {
		e[i] = 0
	}
}

// GridPositions lays n neurons row-major on the smallest square grid that
// holds them and returns their indices and positions in [0,1].
func GridPositions(n int) (neurons []int, x, y []float32) {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	scale := float32(1)
	if side > 1 {
		scale = 1 / float32(side-1)
	}
	neurons, x, y = make([]int, n), make([]float32, n), make([]float32, n)
	for i := 0; i < n; i++ {
		neurons[i] = i
		x[i] = float32(i%side) * scale
		y[i] = float32(i/side) * scale
	}
	return neurons, x, y
}

// checkLength verifies that e has one value per neuron of the source.
func checkLength(e []float32, n int, what string) error {
	if len(e) != n {
		return fmt.Errorf("input: %s built for %d neurons was asked to fill %d values", what, n, len(e))
	}
	return nil
}

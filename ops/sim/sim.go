// Package sim simulates networks of rate neurons (SPEC §1.2): explicit Euler
// on a du/dt rule of package eqn, process noise after every step, an optional
// external input, recording of u, the noise-free du/dt and e in memory and/or
// streamed to .npy files. The fast path compiles each Euler step to a
// gorgonia graph of custom ops; Reference is an independent plain-Go loop.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/input"
)

// Network describes what to simulate.
type Network struct {
	// N is the number of neurons.
	N int
	// Types holds each neuron's type index (length N); it is recorded, the
	// rule reads parameters only.
	Types []int
	// Params holds each named parameter for every neuron (length N each).
	Params map[string][]float32
	// Rule is du/dt.
	Rule *eqn.Expr
	// W is the N×N row-major weight matrix, W[i*N+j] from sender j to
	// receiver i. Its diagonal is ignored (sums run over j ≠ i).
	W []float32
	// U0 is the initial state (length N); when nil, u(0) is drawn from
	// Normal(U0Mean, U0Std²) with the run's seed.
	U0 []float32
	// U0Mean and U0Std parametrise the initial-state distribution.
	U0Mean, U0Std float64
	// Noise is σ: after each step u ← u + σ·ξ, ξ ~ Normal(0,1), not scaled by dt.
	Noise float64
	// Input is the external input source; nil means e = 1 for every neuron.
	Input input.Source
}

// Record selects what a run records.
type Record uint8

// What can be recorded.
const (
	// RecordU records the activity u.
	RecordU Record = 1 << iota
	// RecordDU records the noise-free du/dt at the recorded state.
	RecordDU
	// RecordE records the external input e.
	RecordE
)

// Progress reports how far a run is.
type Progress struct {
	// Step counts steps done, burn-in included, out of Steps.
	Step, Steps int
	// Burnin is true while the burn-in runs.
	Burnin bool
}

// Options control a run.
type Options struct {
	// Dt is the Euler step (SPEC: 0.01).
	Dt float64
	// Frames is T, the number of steps simulated after burn-in.
	Frames int
	// Burnin is the number of unrecorded steps before frame 0.
	Burnin int
	// Record selects u, du and e; zero means RecordU|RecordDU.
	Record Record
	// Neurons restricts recording to these neurons (nil: all).
	Neurons []int
	// Stride records every Stride-th frame (0 or 1: every frame).
	Stride int
	// OutDir, when set, receives u.npy, du.npy, e.npy (streamed, recorded
	// frames × recorded neurons), W.npy, types.npy and params.npy (N×P,
	// columns in ParamOrder).
	OutDir string
	// FilesOnly skips the in-memory copies (for runs too large for memory).
	FilesOnly bool
	// FS creates the files under OutDir; nil is the unconfined file
	// system. It opens regular files only.
	FS *fsys.FS
	// Progress, when set, is called from the running goroutine now and then.
	Progress func(Progress)
	// Seed seeds the initial state and the noise (PCG with Seed, Seed).
	Seed uint64
	// Unroll is the number of Euler steps per graph run (0: automatic).
	Unroll int
	// HalfWeights rounds W to the nearest half-precision (binary16) values
	// in place before the run and streams a half copy in the coupling
	// product: half the memory traffic per step, which bounds the step time
	// once W outgrows the caches (N in the thousands). W.npy and the caller's
	// Network hold the rounded weights, so the recording's truth is exactly
	// the simulated network.
	HalfWeights bool
}

// Result is what a run recorded.
type Result struct {
	// Frames is the number of recorded frames.
	Frames int
	// Neurons are the recorded neurons (columns of U, DU and E).
	Neurons []int
	// U, DU and E are Frames×len(Neurons) row-major, nil when not recorded
	// or when FilesOnly.
	U, DU, E []float32
	// Final is the state after the last step.
	Final []float32
	// Files lists the files written, by name ("u", "du", "e", "W", "types", "params").
	Files map[string]string
	// Written gives, for each streamed file ("u", "du", "e"), the rows it
	// holds and its header states: after a write error, fewer than Frames.
	Written map[string]int
}

// ParamOrder returns the parameter names in the column order of params.npy.
func ParamOrder(params map[string][]float32) []string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// DivergenceError reports a state that became infinite or NaN.
type DivergenceError struct {
	// Frame is the frame whose state diverged (zero or negative in
	// burn-in: frame 0 is the state the burn-in ends with).
	Frame int
	// Burnin is the run's number of burn-in steps.
	Burnin int
	// Neuron is the first neuron found non-finite.
	Neuron int
	// Value is its value.
	Value float32
}

func (e *DivergenceError) Error() string {
	step := e.Frame + e.Burnin // the Euler step that produced it, from the start of the burn-in
	where := fmt.Sprintf("at frame %d (step %d counted from the start of the burn-in)", e.Frame, step)
	if e.Frame <= 0 && e.Burnin > 0 {
		where = fmt.Sprintf("during burn-in, at step %d of its %d", step, e.Burnin)
	}
	return fmt.Sprintf("sim: activity diverged %s: neuron %d has u = %v (try a smaller dt or weaker coupling, and check W, u0 and the input for extreme values)", where, e.Neuron, e.Value)
}

// withDefaults validates a network and options and fills defaults.
func withDefaults(net *Network, opt Options) (Options, error) {
	if net == nil || net.Rule == nil {
		return opt, fmt.Errorf("sim: the network has no du/dt rule")
	}
	n := net.N
	switch {
	case n <= 0:
		return opt, fmt.Errorf("sim: the network needs at least one neuron, found N = %d", n)
	case len(net.W) != n*n:
		return opt, fmt.Errorf("sim: W has %d values, expected N×N = %d", len(net.W), n*n)
	case net.U0 != nil && len(net.U0) != n:
		return opt, fmt.Errorf("sim: u0 has %d values, expected N = %d", len(net.U0), n)
	case net.Types != nil && len(net.Types) != n:
		return opt, fmt.Errorf("sim: types has %d values, expected N = %d", len(net.Types), n)
	case !(opt.Dt > 0) || math.IsInf(opt.Dt, 0):
		return opt, fmt.Errorf("sim: dt must be positive, found %g", opt.Dt)
	case opt.Frames < 0 || opt.Burnin < 0 || opt.Stride < 0:
		return opt, fmt.Errorf("sim: frames, burnin and stride must not be negative, found %d, %d, %d", opt.Frames, opt.Burnin, opt.Stride)
	case net.Noise < 0 || math.IsNaN(net.Noise):
		return opt, fmt.Errorf("sim: noise must be ≥ 0, found %g", net.Noise)
	}
	if opt.Record == 0 {
		opt.Record = RecordU | RecordDU
	}
	if opt.Stride == 0 {
		opt.Stride = 1
	}
	if opt.Neurons == nil {
		opt.Neurons = make([]int, n)
		for i := range opt.Neurons {
			opt.Neurons[i] = i
		}
	}
	for _, i := range opt.Neurons {
		if i < 0 || i >= n {
			return opt, fmt.Errorf("sim: recorded neuron %d is outside [0, %d)", i, n)
		}
	}
	if opt.FilesOnly && opt.OutDir == "" {
		return opt, fmt.Errorf("sim: FilesOnly needs an output directory")
	}
	return opt, nil
}

// recordedFrames is the number of frames a run records.
func recordedFrames(opt Options) int { return (opt.Frames + opt.Stride - 1) / opt.Stride }

// initialState returns u(0): the network's U0 or draws from rng.
func initialState(net *Network, rng *rand.Rand) []float32 {
	u := make([]float32, net.N)
	if net.U0 != nil {
		copy(u, net.U0)
		return u
	}
	for i := range u {
		u[i] = float32(net.U0Mean + net.U0Std*rng.NormFloat64())
	}
	return u
}

// newRand returns the run's random generator.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// stepTime returns the time and input step of step s (s < 0 in burn-in).
func stepInfo(s int, opt Options) input.Step {
	return input.Step{Frame: s, Frames: opt.Frames, Time: float64(s) * opt.Dt, Dt: opt.Dt, Burnin: s < 0}
}

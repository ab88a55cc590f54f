package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/vec"
)

// defaultUnroll is the number of Euler steps per graph run: it amortises the
// TapeMachine's fixed cost per RunAll (about 50 µs) over many steps while the
// block buffers stay small (4 arrays of 32×N floats).
const defaultUnroll = 32

// Run simulates net with explicit Euler (SPEC §1.2): burn-in steps first
// (unrecorded), then opt.Frames steps, recording u, the noise-free du/dt at
// the recorded state and e every Stride-th frame. After each step
// u ← u + σ·ξ. The step runs as a gorgonia graph of custom ops unrolled
// opt.Unroll steps deep. A state that turns infinite or NaN stops the run with
// a *DivergenceError; the frames recorded before it are returned with the
// error and the files are closed validly. Runs are deterministic for a seed.
func Run(ctx context.Context, net *Network, opt Options) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sim: internal error (a bug, please report it): %v", r)
		}
	}()
	opt, err = withDefaults(net, opt)
	if err != nil {
		return nil, err
	}
	prog, err := eqn.Compile(net.Rule, eqn.Binding{N: net.N, Params: net.Params})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var half []uint16
	if opt.HalfWeights {
		half = vec.RoundToHalf(net.W)
	}
	rec, err := newRecorder(net, opt)
	if err != nil {
		return nil, err
	}
	coupler := newCoupler(net.N, prog.Terms(), half)
	defer coupler.close()
	r := &runner{net: net, opt: opt, rec: rec, rng: newRand(opt.Seed),
		kern: &stepKernels{n: net.N, prog: prog, coupler: coupler,
			dt: float32(opt.Dt), sigma: float32(net.Noise), w: net.W}}
	r.u = initialState(net, r.rng)
	err = r.loop(ctx)
	if cerr := rec.close(); err == nil {
		err = cerr
	}
	rec.res.Final = r.u
	return rec.res, err
}

// runner holds the state of one Run.
type runner struct {
	net    *Network
	opt    Options
	rec    *recorder
	kern   *stepKernels
	rng    *rand.Rand
	u      []float32
	blocks map[int]*block
}

// loop runs all steps block by block.
func (r *runner) loop(ctx context.Context) error {
	unroll := r.opt.Unroll
	if unroll <= 0 {
		unroll = defaultUnroll
	}
	total := r.opt.Burnin + r.opt.Frames
	r.blocks = map[int]*block{}
	for s0 := -r.opt.Burnin; s0 < r.opt.Frames; s0 += unroll {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := r.block(min(unroll, r.opt.Frames-s0))
		if err != nil {
			return err
		}
		if err := r.runBlock(b, s0); err != nil {
			return err
		}
		if r.opt.Progress != nil {
			done := s0 + b.steps + r.opt.Burnin
			r.opt.Progress(Progress{Step: done, Steps: total, Burnin: s0+b.steps <= 0})
		}
	}
	return nil
}

// block returns the (cached) graph of the given number of steps.
func (r *runner) block(steps int) (*block, error) {
	if b, ok := r.blocks[steps]; ok {
		return b, nil
	}
	b, err := newBlock(r.kern, steps)
	if err != nil {
		return nil, fmt.Errorf("sim: building the step graph: %w", err)
	}
	r.blocks[steps] = b
	return b, nil
}

// runBlock runs the steps s0 .. s0+steps-1 and records their frames.
func (r *runner) runBlock(b *block, s0 int) error {
	n := r.net.N
	copy(b.states[:n], r.u)
	if err := r.fillInputs(b, s0); err != nil {
		return err
	}
	if err := b.run(); err != nil {
		return err
	}
	diverged := b.steps
	var derr *DivergenceError
	for k := 1; k <= b.steps && derr == nil; k++ {
		for i, v := range b.states[k*n : (k+1)*n] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				diverged, derr = k, &DivergenceError{Frame: s0 + k, Burnin: r.opt.Burnin, Neuron: i, Value: v}
				break
			}
		}
	}
	for k := 0; k < diverged; k++ {
		s := s0 + k
		if s < 0 || s%r.opt.Stride != 0 {
			continue
		}
		var e []float32
		if r.net.Input != nil {
			e = b.e[k*n : (k+1)*n]
		}
		if err := r.rec.add(b.states[k*n:(k+1)*n], b.derivs[k*n:(k+1)*n], e); err != nil {
			return err
		}
	}
	if derr != nil {
		return derr
	}
	copy(r.u, b.states[b.steps*n:])
	return nil
}

// fillInputs sets the times, inputs and noise of a block's steps.
func (r *runner) fillInputs(b *block, s0 int) error {
	n := r.net.N
	for k := 0; k < b.steps; k++ {
		step := stepInfo(s0+k, r.opt)
		b.times[k] = step.Time
		e := b.e[k*n : (k+1)*n]
		if r.net.Input != nil {
			if err := r.net.Input.Fill(e, step); err != nil {
				return err
			}
		} else if e[0] != 1 {
			for i := range e {
				e[i] = 1
			}
		}
		if r.net.Noise > 0 {
			for i := range n {
				b.noise[k*n+i] = float32(r.rng.NormFloat64())
			}
		}
	}
	return nil
}

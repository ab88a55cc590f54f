package sim

import (
	"context"
	"math"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// Reference runs the same simulation as Run with straightforward code: for
// every step it evaluates du/dt by walking the rule's tree per neuron and
// summing every sum_j edge by edge in float64 (eqn.Direct, N² evaluations),
// then takes the Euler step and adds the noise, drawing random numbers in the
// same order as Run. It keeps results in memory only and exists to check Run
// on small networks.
func Reference(ctx context.Context, net *Network, opt Options) (*Result, error) {
	opt, err := withDefaults(net, opt)
	if err != nil {
		return nil, err
	}
	rng := newRand(opt.Seed)
	u := initialState(net, rng)
	e := make([]float32, net.N)
	res := &Result{Neurons: opt.Neurons}
	b := eqn.Binding{N: net.N, Params: net.Params}
	for s := -opt.Burnin; s < opt.Frames; s++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		step := stepInfo(s, opt)
		var ev []float32
		if net.Input != nil {
			if err := net.Input.Fill(e, step); err != nil {
				return res, err
			}
			ev = e
		}
		du, err := eqn.Direct(net.Rule, b, net.W, u, ev, step.Time)
		if err != nil {
			return res, err
		}
		if s >= 0 && s%opt.Stride == 0 {
			res.record(opt, u, du, ev)
		}
		for i := range u {
			u[i] = float32(float64(u[i]) + opt.Dt*du[i])
		}
		if net.Noise > 0 {
			for i := range u {
				u[i] += float32(net.Noise * rng.NormFloat64())
			}
		}
		for i, v := range u {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return res, &DivergenceError{Frame: s + 1, Burnin: opt.Burnin, Neuron: i, Value: v}
			}
		}
	}
	res.Final = u
	return res, nil
}

// record appends one frame of the selected neurons to the in-memory result.
func (r *Result) record(opt Options, u []float32, du []float64, e []float32) {
	r.Frames++
	for _, i := range opt.Neurons {
		if opt.Record&RecordU != 0 {
			r.U = append(r.U, u[i])
		}
		if opt.Record&RecordDU != 0 {
			r.DU = append(r.DU, float32(du[i]))
		}
		if opt.Record&RecordE != 0 {
			v := float32(1)
			if e != nil {
				v = e[i]
			}
			r.E = append(r.E, v)
		}
	}
}

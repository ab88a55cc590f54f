package gnn

import (
	"fmt"
	"math"
)

// Predict returns the model's du/dt for one frame of activity u (N values);
// e is the external input (N values) for models with Ω*, or nil to use Ω*
// at normalised time t.
func (m *Model) Predict(u, e []float32, t float32) (_ []float32, err error) {
	defer recoverInto(&err)
	n := m.spec.N
	if len(u) != n {
		return nil, fmt.Errorf("gnn: Predict needs %d activities, found %d", n, len(u))
	}
	if e != nil && len(e) != n {
		return nil, fmt.Errorf("gnn: Predict needs %d external inputs, found %d", n, len(e))
	}
	wk := m.newBatchWork(1)
	return m.predictInto(wk, u, e, t), nil
}

// predictInto runs the batched forward pass on one frame.
func (m *Model) predictInto(wk *batchWork, u, e []float32, t float32) []float32 {
	if !m.spec.Fused() {
		return m.predictGraph(u, e)
	}
	copy(wk.u, u)
	wk.tNorm[0] = t
	m.forward(wk, 1)
	if e != nil {
		mode := Multiplicative
		if m.spec.Omega != nil {
			mode = m.spec.Omega.Mode
		}
		for i := range wk.pred {
			if mode == Additive {
				wk.pred[i] = wk.phiOut[i] + wk.msg[i] + e[i]
			} else {
				wk.pred[i] = wk.phiOut[i] + e[i]*wk.msg[i]
			}
		}
		m.addBias(wk.pred, len(wk.pred))
	}
	return append([]float32(nil), wk.pred...)
}

// Rollout integrates the learned dynamics with explicit Euler from u0 (N
// values) for `steps` steps of dt and returns the (steps+1)×N trajectory,
// u0 first. ext, when not nil, is the external input per step (steps×N),
// entering as the model's input mode (multiplicative if the model has none);
// otherwise a model with Ω* uses Ω* at t = k/steps.
func (m *Model) Rollout(u0 []float32, dt float64, steps int, ext []float32) (_ []float32, err error) {
	defer recoverInto(&err)
	n := m.spec.N
	if len(u0) != n {
		return nil, fmt.Errorf("gnn: Rollout needs %d initial activities, found %d", n, len(u0))
	}
	if ext != nil && len(ext) != steps*n {
		return nil, fmt.Errorf("gnn: Rollout external input needs steps×N=%d values, found %d", steps*n, len(ext))
	}
	if !(dt > 0) || steps < 0 {
		return nil, fmt.Errorf("gnn: Rollout needs dt > 0 and steps ≥ 0, found dt=%g steps=%d", dt, steps)
	}
	wk := m.newBatchWork(1)
	out := make([]float32, (steps+1)*n)
	copy(out, u0)
	for k := 0; k < steps; k++ {
		cur := out[k*n : (k+1)*n]
		var e []float32
		if ext != nil {
			e = ext[k*n : (k+1)*n]
		}
		du := m.predictInto(wk, cur, e, float32(k)/float32(max(steps, 1)))
		next := out[(k+1)*n : (k+2)*n]
		for i := range next {
			next[i] = cur[i] + float32(dt)*du[i]
			if math.IsNaN(float64(next[i])) || math.IsInf(float64(next[i]), 0) {
				return out[:(k+2)*n], fmt.Errorf("gnn: rollout diverged at step %d, neuron %d", k+1, i)
			}
		}
	}
	return out, nil
}

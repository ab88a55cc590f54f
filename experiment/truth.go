package experiment

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// trueFunctions evaluates a network's own update and transfer functions on a
// grid of u, per type: phi[k] is the rule's local part (the coupling sums set
// to zero) for a neuron of type k at u = grid, psi[k] the first coupling
// term's sender factor S(u) of a sender of type k. psi is nil when the rule
// has no coupling term.
func trueFunctions(net *Network, grid []float32) (phi, psi [][]float32, err error) {
	g := len(grid)
	for k := range net.Kinds {
		params := map[string][]float32{}
		for name := range net.Params {
			v := make([]float32, g)
			for r := range v {
				v[r] = float32(net.Kinds[k].Params[name])
			}
			params[name] = v
		}
		prog, err := eqn.Compile(net.Rule, eqn.Binding{N: g, Params: params})
		if err != nil {
			return nil, nil, fmt.Errorf("true functions of type %s: %w", net.Kinds[k].Name, err)
		}
		prog.EvalSenders(grid, nil, 0)
		terms := prog.Terms()
		if len(terms) > 0 {
			psi = append(psi, append([]float32(nil), terms[0].Senders[0]...))
		}
		for _, t := range terms {
			for r := range t.Coupled {
				t.Coupled[r] = 0
			}
		}
		du := make([]float32, g)
		prog.EvalReceivers(du, grid, nil, 0)
		phi = append(phi, du)
	}
	return phi, psi, nil
}

// senderAndLocal evaluates, for frames of activity, the true sender factor
// S(u_j) of the rule's single coupling term and the local part of du/dt
// (everything but the sum). ok is false when the rule is not of the form
// local + R·Σ_j W[i,j]·S(j) with one ungrouped term and a constant R.
func senderAndLocal(net *Network, u []float32, frames int) (s, local []float32, r float64, ok bool, err error) {
	n := net.N
	prog, err := eqn.Compile(net.Rule, eqn.Binding{N: n, Params: net.Params})
	if err != nil {
		return nil, nil, 0, false, err
	}
	terms := prog.Terms()
	if len(terms) != 1 || terms[0].Grouped || eqn.Uses(net.Rule, eqn.Input) {
		return nil, nil, 0, false, nil
	}
	rv, constant := constantReceiver(terms[0].Receiver, net)
	if !constant || rv == 0 {
		return nil, nil, 0, false, nil
	}
	s = make([]float32, frames*n)
	local = make([]float32, frames*n)
	for f := 0; f < frames; f++ {
		row := u[f*n : (f+1)*n]
		prog.EvalSenders(row, nil, 0)
		copy(s[f*n:], terms[0].Senders[0])
		for k := range terms[0].Coupled {
			terms[0].Coupled[k] = 0
		}
		prog.EvalReceivers(local[f*n:(f+1)*n], row, nil, 0)
	}
	return s, local, rv, true, nil
}

// constantReceiver is the value of a receiver factor that is the same for
// every neuron (a number, or a parameter all types share).
func constantReceiver(x *eqn.Expr, net *Network) (float64, bool) {
	switch x.Kind {
	case eqn.Const:
		return x.Value, true
	case eqn.Param:
		v := net.Params[x.Name]
		for _, y := range v {
			if y != v[0] {
				return 0, false
			}
		}
		return float64(v[0]), len(v) > 0
	case eqn.Binary:
		if x.Func == eqn.Mul {
			a, ok1 := constantReceiver(x.Args[0], net)
			b, ok2 := constantReceiver(x.Args[1], net)
			return a * b, ok1 && ok2
		}
	}
	return 0, false
}

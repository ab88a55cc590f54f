package pipeline

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// Truth is the true network a fit is compared with: its wiring, each
// neuron's type and parameters, and the rule du/dt.
type Truth struct {
	N int
	// W is N×N row-major, W[i*N+j] from sender j to receiver i; nil when
	// there is no ground truth (a recording without the true network).
	W []float32
	// Types gives each neuron's type; TypeNames and TypeParams give each
	// type's name and parameter values.
	Types      []int
	TypeNames  []string
	TypeParams []map[string]float64
	// Params holds each parameter per neuron.
	Params map[string][]float32
	Rule   *eqn.Expr
	// Gain is the coupling gain g when all types share it (used by the Ŵ
	// correction); 1 otherwise.
	Gain float64
}

// known reports whether there is a true network to compare with.
func (t *Truth) known() bool { return t.W != nil }

// trueFunctions evaluates a network's own update and transfer functions on a
// grid of u, per type: phi[k] is the rule's local part (the coupling sums set
// to zero) for a neuron of type k at u = grid, psi[k] the first coupling
// term's sender factor S(u) of a sender of type k. psi is nil when the rule
// has no coupling term.
func trueFunctions(net *Truth, grid []float32) (phi, psi [][]float32, err error) {
	g := len(grid)
	for k := range net.TypeParams {
		params := map[string][]float32{}
		for name := range net.Params {
			v := make([]float32, g)
			for r := range v {
				v[r] = float32(net.TypeParams[k][name])
			}
			params[name] = v
		}
		prog, err := eqn.Compile(net.Rule, eqn.Binding{N: g, Params: params})
		if err != nil {
			return nil, nil, fmt.Errorf("true functions of type %s: %w", typeName(net.TypeNames, k), err)
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

// couplingSplit evaluates the true rule's single coupling term for the
// least-squares baseline: the sender factor S(u_j), the local part of
// du/dt (everything but the sum) and the factor F_i that multiplies the sum
// (g, g·e, ...), so that du_i = local_i + F_i·Σ_j W[i,j]·S(u_j).
type couplingSplit struct {
	n    int
	prog *eqn.Program
	term *eqn.BoundTerm
	one  []float32
}

// newCouplingSplit compiles net's rule; ok is false when the rule has more
// than one coupling term or a grouped (N5) one, which have no such split.
func newCouplingSplit(net *Truth) (c *couplingSplit, ok bool, err error) {
	prog, err := eqn.Compile(net.Rule, eqn.Binding{N: net.N, Params: net.Params})
	if err != nil {
		return nil, false, err
	}
	terms := prog.Terms()
	if len(terms) != 1 || terms[0].Grouped {
		return nil, false, nil
	}
	return &couplingSplit{n: net.N, prog: prog, term: terms[0], one: make([]float32, net.N)}, true, nil
}

// eval fills s, local and factor (frames×N each) for frames of activity u
// and input e (nil when there is none).
func (c *couplingSplit) eval(u, e []float32, frames int, s, local, factor []float32) {
	n := c.n
	for f := 0; f < frames; f++ {
		row := u[f*n : (f+1)*n]
		var erow []float32
		if e != nil {
			erow = e[f*n : (f+1)*n]
		}
		c.prog.EvalSenders(row, erow, 0)
		copy(s[f*n:], c.term.Senders[0])
		fill(c.term.Coupled, 0)
		c.prog.EvalReceivers(local[f*n:(f+1)*n], row, erow, 0)
		fill(c.term.Coupled, 1)
		c.prog.EvalReceivers(c.one, row, erow, 0)
		for i := 0; i < n; i++ {
			factor[f*n+i] = c.one[i] - local[f*n+i]
		}
	}
}

func fill(x []float32, v float32) {
	for k := range x {
		x[k] = v
	}
}

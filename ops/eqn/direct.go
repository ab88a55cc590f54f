package eqn

import "fmt"

// Direct evaluates du/dt for every neuron by walking the expression tree in
// float64, summing every Sum_j over all senders j ≠ i edge by edge. It costs
// N² evaluations of each summand and exists as an independent reference for
// tests and small networks. e may be nil (1 for every neuron).
func Direct(rule *Expr, b Binding, w, u, e []float32, t float64) ([]float64, error) {
	if err := Validate(rule); err != nil {
		return nil, err
	}
	n := b.N
	if len(u) != n || len(w) != n*n || (e != nil && len(e) != n) {
		return nil, fmt.Errorf("eqn: Direct needs u of %d, W of %d and e of %d values; found %d, %d, %d", n, n*n, n, len(u), len(w), len(e))
	}
	for _, name := range ParamNames(rule) {
		if len(b.Params[name]) != n {
			return nil, fmt.Errorf("eqn: parameter %q has %d values, expected %d", name, len(b.Params[name]), n)
		}
	}
	d := direct{b: b, w: w, u: u, e: e, t: t}
	out := make([]float64, n)
	for i := range out {
		out[i] = d.eval(rule, i, -1)
	}
	return out, nil
}

type direct struct {
	b       Binding
	w, u, e []float32
	t       float64
}

func (d *direct) eval(x *Expr, i, j int) float64 {
	pick := func(side Side) int {
		if side == Sender {
			return j
		}
		return i
	}
	switch x.Kind {
	case Const:
		return x.Value
	case Time:
		return d.t
	case State:
		return float64(d.u[pick(x.Side)])
	case Param:
		return float64(d.b.Params[x.Name][pick(x.Side)])
	case Input:
		if d.e == nil {
			return 1
		}
		return float64(d.e[i])
	case Weight:
		return float64(d.w[i*d.b.N+j])
	case Sum:
		total := 0.0
		for s := 0; s < d.b.N; s++ {
			if s != i {
				total += d.eval(x.Args[0], i, s)
			}
		}
		return total
	case Unary:
		return UnaryValue(x.Func, d.eval(x.Args[0], i, j))
	}
	return BinaryValue(x.Func, d.eval(x.Args[0], i, j), d.eval(x.Args[1], i, j))
}

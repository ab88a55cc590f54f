package stdlib

import (
	"math"

	"github.com/ngs-lab/ngs/ops/mathfn"
	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	// The one-argument functions come from ops/mathfn, the table the
	// equations and symbolic regression use too.
	for _, f := range mathfn.All() {
		runtime.Register(&runtime.Builtin{Name: f.Name, Doc: f.Name + "(x): elementwise on numbers, lists and tensors",
			Params: []runtime.Param{{Name: "x"}}, Fn: unaryFn(f.F)})
	}
	runtime.Register(&runtime.Builtin{Name: "min", Doc: "min(a, b, ...) or min(list or tensor): the smallest value", Variadic: true, Params: []runtime.Param{{Name: "x"}}, Fn: extremum(math.Min)})
	runtime.Register(&runtime.Builtin{Name: "max", Doc: "max(a, b, ...) or max(list or tensor): the largest value", Variadic: true, Params: []runtime.Param{{Name: "x"}}, Fn: extremum(math.Max)})
	runtime.RegisterValue("pi", runtime.Number(math.Pi), "the ratio of a circle's circumference to its diameter", true)
	runtime.RegisterValue("inf", runtime.Number(math.Inf(1)), "positive infinity", true)
}

func unaryFn(f func(float64) float64) func(c *runtime.Call) (runtime.Value, error) {
	return func(c *runtime.Call) (runtime.Value, error) {
		switch x := c.Arg(0).(type) {
		case runtime.Number:
			return runtime.Number(f(float64(x))), nil
		case *runtime.Tensor:
			return runtime.MapTensor(x, func(v float32) float32 { return float32(f(float64(v))) }), nil
		case *runtime.List:
			out := &runtime.List{Elems: make([]runtime.Value, len(x.Elems))}
			for i, e := range x.Elems {
				n, ok := e.(runtime.Number)
				if !ok {
					return nil, c.ArgError(0, "list element %d is a %s, not a number", i, e.Type())
				}
				out.Elems[i] = runtime.Number(f(float64(n)))
			}
			return out, nil
		}
		return nil, c.ArgError(0, "expected a number, list or tensor, found %s", c.Arg(0).Type())
	}
}

func extremum(pick func(a, b float64) float64) func(c *runtime.Call) (runtime.Value, error) {
	return func(c *runtime.Call) (runtime.Value, error) {
		vals := c.Args
		if len(vals) == 1 {
			xs, err := numbers(c, 0)
			if err != nil {
				return nil, err
			}
			if len(xs) == 0 {
				return nil, c.ArgError(0, "no values: the sequence is empty")
			}
			best := xs[0]
			for _, x := range xs[1:] {
				best = pick(best, x)
			}
			return runtime.Number(best), nil
		}
		best := 0.0
		for i := range vals {
			x, err := c.NumberArg(i)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				best = x
			}
			best = pick(best, x)
		}
		return runtime.Number(best), nil
	}
}

// numbers reads argument i (a list of numbers, a tensor or a number) as
// float64 values.
func numbers(c *runtime.Call, i int) ([]float64, error) {
	switch x := c.Arg(i).(type) {
	case runtime.Number:
		return []float64{float64(x)}, nil
	case *runtime.Tensor:
		out := make([]float64, len(x.Data))
		for k, v := range x.Data {
			out[k] = float64(v)
		}
		return out, nil
	case *runtime.List:
		out := make([]float64, len(x.Elems))
		for k, e := range x.Elems {
			n, ok := e.(runtime.Number)
			if !ok {
				return nil, c.ArgError(i, "list element %d is a %s, not a number", k, e.Type())
			}
			out[k] = float64(n)
		}
		return out, nil
	}
	return nil, c.ArgError(i, "expected a list or tensor of numbers, found %s", c.Arg(i).Type())
}

package stdlib

import (
	"math"

	"github.com/ngs-lab/ngs/runtime"
)

// Random builtins draw from the run's source, seeded by `seed N`. With
// shape arguments (n = ... or shape = [..]) they return tensors.

func init() {
	shape := runtime.Param{Name: "shape", Default: runtime.None, Keyword: true, Doc: "a number or list: return a tensor of this shape"}
	for _, b := range []*runtime.Builtin{
		{Name: "rand", Doc: "rand(shape = nil): uniform in [0, 1)", Params: []runtime.Param{shape}, Fn: randFn},
		{Name: "uniform", Doc: "uniform(lo = 0, hi = 1, shape = nil): uniform in [lo, hi)",
			Params: []runtime.Param{{Name: "lo", Default: runtime.Number(0)}, {Name: "hi", Default: runtime.Number(1)}, shape}, Fn: uniformFn},
		{Name: "normal", Doc: "normal(mean = 0, std = 1, shape = nil): Gaussian",
			Params: []runtime.Param{{Name: "mean", Default: runtime.Number(0)}, {Name: "std", Default: runtime.Number(1)}, shape}, Fn: normalFn},
		{Name: "randint", Doc: "randint(lo, hi, shape = nil): integer in [lo, hi)",
			Params: []runtime.Param{{Name: "lo"}, {Name: "hi"}, shape}, Fn: randintFn},
	} {
		runtime.Register(b)
	}
}

// draw returns one number or a tensor of the requested shape.
func draw(c *runtime.Call, f func() float64) (runtime.Value, error) {
	v := c.Get("shape")
	var req []float64
	switch s := v.(type) {
	case runtime.Nil:
		return runtime.Number(f()), nil
	case runtime.Number:
		req = []float64{float64(s)}
	case *runtime.List:
		for _, e := range s.Elems {
			n, ok := e.(runtime.Number)
			if !ok {
				return nil, c.NamedError("shape", "expected numbers, found %s", e.Type())
			}
			req = append(req, float64(n))
		}
	default:
		return nil, c.NamedError("shape", "expected a number or a list, found %s", v.Type())
	}
	dims, err := tensorShape(c, req, func(i int, format string, args ...any) error {
		return c.NamedError("shape", format, args...)
	})
	if err != nil {
		return nil, err
	}
	t := runtime.NewTensor(dims...)
	for i := range t.Data {
		t.Data[i] = float32(f())
		if i&(1<<20-1) == 1<<20-1 {
			if err := c.Cancelled(); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

func randFn(c *runtime.Call) (runtime.Value, error) {
	r := c.Rand()
	return draw(c, r.Float64)
}

func uniformFn(c *runtime.Call) (runtime.Value, error) {
	lo, err := c.Number("lo")
	if err != nil {
		return nil, err
	}
	hi, err := c.Number("hi")
	if err != nil {
		return nil, err
	}
	r := c.Rand()
	return draw(c, func() float64 { return lo + (hi-lo)*r.Float64() })
}

func normalFn(c *runtime.Call) (runtime.Value, error) {
	mean, err := c.Number("mean")
	if err != nil {
		return nil, err
	}
	std, err := c.Number("std")
	if err != nil {
		return nil, err
	}
	if std < 0 {
		return nil, c.Errorf("std must not be negative, found %v", std)
	}
	r := c.Rand()
	return draw(c, func() float64 { return mean + std*r.NormFloat64() })
}

func randintFn(c *runtime.Call) (runtime.Value, error) {
	lo, err := c.Number("lo")
	if err != nil {
		return nil, err
	}
	hi, err := c.Number("hi")
	if err != nil {
		return nil, err
	}
	if hi <= lo {
		return nil, c.Errorf("hi (%v) must be greater than lo (%v)", hi, lo)
	}
	l, h := math.Ceil(lo), math.Ceil(hi)
	r := c.Rand()
	return draw(c, func() float64 { return l + float64(r.Int63n(int64(h-l))) })
}

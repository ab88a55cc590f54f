package stdlib

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/runtime"
)

// maxElements bounds tensors built by scripts (1 Gi float32 = 4 GiB).
const maxElements = 1 << 28

func init() {
	for _, b := range []*runtime.Builtin{
		{Name: "tensor", Doc: "tensor(list): a float32 tensor from a (nested) list of numbers", Params: []runtime.Param{{Name: "values"}}, Fn: tensorFn},
		{Name: "zeros", Doc: "zeros(d1, d2, ...): a tensor of zeros", Variadic: true, Params: []runtime.Param{{Name: "d1"}}, Fn: zerosFn},
		{Name: "linspace", Doc: "linspace(start, stop, n): n evenly spaced numbers from start to stop, as a tensor",
			Params: []runtime.Param{{Name: "start"}, {Name: "stop"}, {Name: "n"}}, Fn: linspaceFn},
		{Name: "shape", Doc: "shape(t): a tensor's shape as a list", Params: []runtime.Param{{Name: "t"}}, Fn: shapeFn},
		{Name: "sum", Doc: "sum(x): the sum of a list or tensor", Params: []runtime.Param{{Name: "x"}}, Fn: reduce(sumOf)},
		{Name: "mean", Doc: "mean(x): the mean of a list or tensor", Params: []runtime.Param{{Name: "x"}}, Fn: reduce(meanOf)},
		{Name: "std", Doc: "std(x): the population standard deviation of a list or tensor", Params: []runtime.Param{{Name: "x"}}, Fn: reduce(stdOf)},
	} {
		runtime.Register(b)
	}
}

func tensorFn(c *runtime.Call) (runtime.Value, error) {
	if t, ok := c.Arg(0).(*runtime.Tensor); ok {
		return &runtime.Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}, nil
	}
	t := &runtime.Tensor{}
	if err := flatten(c, c.Arg(0), 0, t); err != nil {
		return nil, err
	}
	return t, nil
}

// flatten appends the numbers of a nested list to t, fixing its shape from
// the first element at each depth and rejecting ragged lists.
func flatten(c *runtime.Call, v runtime.Value, depth int, t *runtime.Tensor) error {
	switch x := v.(type) {
	case runtime.Number:
		if depth != len(t.Shape) {
			return c.ArgError(0, "ragged list: a number where a list of length %d was expected", t.Shape[depth])
		}
		t.Data = append(t.Data, float32(x))
		return nil
	case *runtime.List:
		if depth == len(t.Shape) {
			if len(t.Data) > 0 {
				return c.ArgError(0, "ragged list: a list where a number was expected")
			}
			t.Shape = append(t.Shape, len(x.Elems))
		} else if t.Shape[depth] != len(x.Elems) {
			return c.ArgError(0, "ragged list: lengths %d and %d at depth %d", t.Shape[depth], len(x.Elems), depth+1)
		}
		for _, e := range x.Elems {
			if err := flatten(c, e, depth+1, t); err != nil {
				return err
			}
		}
		return nil
	}
	return c.ArgError(0, "tensor needs numbers or lists of numbers, found %s", v.Type())
}

func zerosFn(c *runtime.Call) (runtime.Value, error) {
	dims := make([]float64, len(c.Args))
	for i := range c.Args {
		d, err := c.NumberArg(i)
		if err != nil {
			return nil, err
		}
		dims[i] = d
	}
	shape, err := tensorShape(c, dims, func(i int, format string, args ...any) error { return c.ArgError(i, format, args...) })
	if err != nil {
		return nil, err
	}
	return runtime.NewTensor(shape...), nil
}

// tensorShape converts requested dimensions to a shape after checking
// that each is a non-negative integer, that the element count stays within
// maxElements and that its float32 data fits in memory. fail positions an
// error at dimension i.
func tensorShape(c *runtime.Call, dims []float64, fail func(i int, format string, args ...any) error) ([]int, error) {
	shape := make([]int, len(dims))
	total := 1.0
	for i, d := range dims {
		if !(d >= 0) || d != math.Trunc(d) {
			return nil, fail(i, "a dimension must be a non-negative integer, found %v", d)
		}
		if d > maxElements {
			return nil, fail(i, "dimension %g is larger than the %d elements a tensor may hold", d, maxElements)
		}
		shape[i] = int(d)
		total *= d
	}
	if total > maxElements {
		return nil, c.Errorf("a tensor of shape %v would have %.4g elements, more than the %d a tensor may hold", shape, total, maxElements)
	}
	if err := c.CheckMemory(fmt.Sprintf("a tensor of shape %v", shape), 4*total, "use smaller dimensions"); err != nil {
		return nil, err
	}
	return shape, nil
}

func linspaceFn(c *runtime.Call) (runtime.Value, error) {
	start, err := c.Number("start")
	if err != nil {
		return nil, err
	}
	stop, err := c.Number("stop")
	if err != nil {
		return nil, err
	}
	nf, err := c.Number("n")
	if err != nil {
		return nil, err
	}
	if !(nf >= 1) || nf != math.Trunc(nf) || nf > maxElements {
		return nil, c.ArgError(2, "n must be a positive integer of at most %d, found %v", maxElements, nf)
	}
	if err := c.CheckMemory(fmt.Sprintf("linspace of %g points", nf), 4*nf, "use fewer points"); err != nil {
		return nil, err
	}
	n := int(nf)
	t := runtime.NewTensor(n)
	for i := range t.Data {
		if n == 1 {
			t.Data[i] = float32(start)
			continue
		}
		t.Data[i] = float32(start + (stop-start)*float64(i)/float64(n-1))
	}
	return t, nil
}

func shapeFn(c *runtime.Call) (runtime.Value, error) {
	t, ok := c.Arg(0).(*runtime.Tensor)
	if !ok {
		return nil, c.ArgError(0, "expected a tensor, found %s", c.Arg(0).Type())
	}
	out := &runtime.List{}
	for _, d := range t.Shape {
		out.Elems = append(out.Elems, runtime.Number(d))
	}
	return out, nil
}

func reduce(f func([]float64) float64) func(c *runtime.Call) (runtime.Value, error) {
	return func(c *runtime.Call) (runtime.Value, error) {
		xs, err := numbers(c, 0)
		if err != nil {
			return nil, err
		}
		if len(xs) == 0 {
			return nil, c.ArgError(0, "no values: the sequence is empty")
		}
		return runtime.Number(f(xs)), nil
	}
}

func sumOf(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func meanOf(xs []float64) float64 { return sumOf(xs) / float64(len(xs)) }

func stdOf(xs []float64) float64 {
	m := meanOf(xs)
	s := 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)))
}

package stdlib

import (
	"fmt"
	"math"
	"strings"

	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	for _, b := range []*runtime.Builtin{
		{Name: "print", Doc: "print(values...): write values separated by spaces, then a newline",
			Variadic: true, Params: []runtime.Param{{Name: "sep", Default: runtime.String(" "), Keyword: true}}, Fn: printFn},
		{Name: "format", Doc: `format(fmt, values...): format with Go verbs, e.g. format("%.3f", x)`,
			Variadic: true, Params: []runtime.Param{{Name: "fmt"}}, Fn: formatFn},
		{Name: "str", Doc: "str(x): x as a string", Params: []runtime.Param{{Name: "x"}}, Fn: strFn},
		{Name: "len", Doc: "len(x): length of a list, string, record or first axis of a tensor", Params: []runtime.Param{{Name: "x"}}, Fn: lenFn},
		{Name: "range", Doc: "range(stop) or range(start, stop, step = 1): a list of numbers",
			Params: []runtime.Param{{Name: "start"}, {Name: "stop", Default: runtime.None}, {Name: "step", Default: runtime.Number(1)}}, Fn: rangeFn},
		{Name: "type", Doc: "type(x): the name of x's kind", Params: []runtime.Param{{Name: "x"}}, Fn: typeFn},
	} {
		runtime.Register(b)
	}
}

func printFn(c *runtime.Call) (runtime.Value, error) {
	sep, err := c.NamedString("sep", " ")
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	_, err = fmt.Fprintln(c.Out(), strings.Join(parts, sep))
	return runtime.None, err
}

func formatFn(c *runtime.Call) (runtime.Value, error) {
	f, ok := c.Arg(0).(runtime.String)
	if !ok {
		return nil, c.ArgError(0, "expected a format string, found %s", c.Arg(0).Type())
	}
	args := make([]any, 0, len(c.Args)-1)
	for _, a := range c.Args[1:] {
		args = append(args, goValue(a))
	}
	s := fmt.Sprintf(string(f), args...)
	if strings.Contains(s, "%!") {
		return nil, c.Errorf("format %q does not fit its %d values: %s", string(f), len(args), s)
	}
	return runtime.String(s), nil
}

// goValue converts a value for fmt: numbers that are integers format with
// %d as well as %f.
func goValue(v runtime.Value) any {
	switch x := v.(type) {
	case runtime.Number:
		return formatNumber(float64(x))
	case runtime.String:
		return string(x)
	case runtime.Bool:
		return bool(x)
	}
	return v.String()
}

// formatNumber wraps a number so that %d, %f, %g, %e, %v and %s all work.
type formatNumber float64

// Format implements fmt.Formatter.
func (n formatNumber) Format(f fmt.State, verb rune) {
	v := float64(n)
	switch verb {
	case 'd', 'x', 'X', 'o', 'b', 'c':
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			fmt.Fprintf(f, fmt.FormatString(f, verb), int64(v))
			return
		}
		fmt.Fprintf(f, "%%!%c(non-integer %v)", verb, v)
	case 'v', 's':
		fmt.Fprintf(f, strings.Replace(fmt.FormatString(f, verb), string(verb), "s", 1), runtime.Number(v).String())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), v)
	}
}

func strFn(c *runtime.Call) (runtime.Value, error) {
	return runtime.String(c.Arg(0).String()), nil
}

func typeFn(c *runtime.Call) (runtime.Value, error) {
	return runtime.String(c.Arg(0).Type()), nil
}

func lenFn(c *runtime.Call) (runtime.Value, error) {
	switch x := c.Arg(0).(type) {
	case *runtime.List:
		return runtime.Number(len(x.Elems)), nil
	case runtime.String:
		return runtime.Number(len([]rune(string(x)))), nil
	case *runtime.Record:
		return runtime.Number(x.Len()), nil
	case *runtime.Tensor:
		if len(x.Shape) == 0 {
			return runtime.Number(1), nil
		}
		return runtime.Number(x.Shape[0]), nil
	}
	return nil, c.ArgError(0, "len needs a list, string, record or tensor, found %s", c.Arg(0).Type())
}

// maxRange bounds range() so that a typo cannot exhaust memory (a list
// element costs about 24 bytes).
const maxRange = 10_000_000

func rangeFn(c *runtime.Call) (runtime.Value, error) {
	start, err := c.NumberArg(0)
	if err != nil {
		return nil, err
	}
	stop := start
	start = 0
	if _, isNil := c.Get("stop").(runtime.Nil); !isNil {
		start = stop
		if stop, err = c.Number("stop"); err != nil {
			return nil, err
		}
	}
	step, err := c.Number("step")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, c.Errorf("step must not be zero")
	}
	n := math.Ceil((stop - start) / step)
	if math.IsNaN(n) {
		return nil, c.Errorf("range(%g, %g, %g) is not a finite range", start, stop, step)
	}
	if n > maxRange {
		return nil, c.Errorf("range of %.0f elements is too long (limit %d)", n, maxRange)
	}
	if n <= 0 {
		return &runtime.List{}, nil
	}
	if err := c.Interp.CheckList(int(n)); err != nil {
		return nil, c.Errorf("%v", err)
	}
	out := &runtime.List{Elems: make([]runtime.Value, int(n))}
	for i := range out.Elems {
		out.Elems[i] = runtime.Number(start + float64(i)*step)
		if i&(1<<16-1) == 1<<16-1 {
			if err := c.Cancelled(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func init() {
	runtime.Register(&runtime.Builtin{Name: "outpath", Doc: "outpath(p): p resolved against the output directory (ngs run --out)",
		Params: []runtime.Param{{Name: "p", Default: runtime.String("")}}, Fn: outpathFn})
}

func outpathFn(c *runtime.Call) (runtime.Value, error) {
	p, ok := c.Get("p").(runtime.String)
	if !ok {
		return nil, c.ArgError(0, "expected a string, found %s", c.Get("p").Type())
	}
	resolved, err := c.ResolvePath(string(p))
	if err != nil {
		return nil, err
	}
	return runtime.String(resolved), nil
}

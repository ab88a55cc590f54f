package experiment

import (
	"fmt"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/input"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// InputSpec is the value of movie(...), oscillation(...), triggered(...),
// field(...) or a T×N tensor given as a network's input: a recipe for the
// external input e that simulate turns into a source.
type InputSpec struct {
	Kind     string // "movie", "oscillation", "triggered", "field", "table"
	Path     string // movie file
	Inputs   int    // number of input neurons (movie)
	Amp      float64
	Freq     float64
	Trigger  input.TriggerOptions
	Fn       runtime.Value // field function of (t, i, x, y)
	Table    *runtime.Tensor
	interp   *runtime.Interp
	position lang.Pos
}

// Type implements runtime.Value.
func (*InputSpec) Type() string { return "input" }

// String names the input.
func (s *InputSpec) String() string {
	switch s.Kind {
	case "movie":
		return fmt.Sprintf("movie(%q, neurons = %d)", s.Path, s.Inputs)
	case "oscillation":
		return fmt.Sprintf("oscillation(amplitude = %g, frequency = %g)", s.Amp, s.Freq)
	}
	return s.Kind + "(...)"
}

// source builds the input source for a network of n neurons.
func (s *InputSpec) source(n int, seed uint64) (input.Source, error) {
	rng := rand.New(rand.NewPCG(seed, 0x51ed2701))
	switch s.Kind {
	case "movie":
		o := npy.Options{}
		if s.interp != nil {
			o = npyOptions(s.interp, false)
		}
		return input.LoadMovieWith(o, s.Path, s.Inputs, n)
	case "oscillation":
		return input.NewOscillation(n, s.Amp, s.Freq, rng), nil
	case "triggered":
		return input.NewTriggered(n, s.Trigger, rng)
	case "table":
		if len(s.Table.Shape) != 2 || s.Table.Shape[1] != n {
			return nil, fmt.Errorf("the input table must be frames×%d, found shape %v", n, s.Table.Shape)
		}
		if err := nonFiniteError("the input table", s.Table.Data, s.Table.Shape); err != nil {
			return nil, err
		}
		return input.NewTable(s.Table.Data, s.Table.Shape[0], n)
	case "field":
		fn := s.Fn
		in := s.interp
		return input.NewField(n, func(t float64, i int, x, y float64) float64 {
			v, err := in.CallValue(fn, []runtime.Value{runtime.Number(t), runtime.Number(i), runtime.Number(x), runtime.Number(y)}, nil, s.position)
			if err != nil {
				panic(fieldError{err})
			}
			num, ok := v.(runtime.Number)
			if !ok {
				panic(fieldError{fmt.Errorf("the input field must return a number, found %s", v.Type())})
			}
			return float64(num)
		}), nil
	}
	return nil, fmt.Errorf("unknown input %q", s.Kind)
}

// fieldError carries a script error out of a field callback.
type fieldError struct{ err error }

func (f fieldError) Error() string { return f.err.Error() }

func inputBuiltins() []*runtime.Builtin {
	return []*runtime.Builtin{
		{
			Name:   "movie",
			Doc:    "movie(file, neurons = K): the visual input of Fig 3, a frames×H×W .npy movie mapped onto the first K neurons (SPEC §1.4)",
			Params: []runtime.Param{{Name: "file"}, {Name: "neurons", Default: runtime.Number(1024)}},
			Fn: func(c *runtime.Call) (runtime.Value, error) {
				path, ok := c.Arg(0).(runtime.String)
				if !ok {
					return nil, c.ArgError(0, "movie needs a file name, found %s", c.Arg(0).Type())
				}
				resolved, err := c.ResolveInput(string(path))
				if err != nil {
					return nil, c.ArgError(0, "%v", err)
				}
				k, err := c.Number("neurons")
				if err != nil {
					return nil, err
				}
				if k < 1 || k != float64(int(k)) {
					return nil, c.NamedError("neurons", "neurons must be a whole number ≥ 1, found %g", k)
				}
				return &InputSpec{Kind: "movie", Path: resolved, Inputs: int(k), interp: c.Interp, position: c.Pos}, nil
			},
		},
		{
			Name:   "oscillation",
			Doc:    "oscillation(amplitude = A, frequency = f): e_i = A_i·cos(2πft) with A_i ~ U(-A, A)",
			Params: []runtime.Param{{Name: "amplitude", Default: runtime.Number(1)}, {Name: "frequency", Default: runtime.Number(1)}},
			Fn: func(c *runtime.Call) (runtime.Value, error) {
				a, err := c.Number("amplitude")
				if err != nil {
					return nil, err
				}
				f, err := c.Number("frequency")
				if err != nil {
					return nil, err
				}
				return &InputSpec{Kind: "oscillation", Amp: a, Freq: f, position: c.Pos}, nil
			},
		},
		{
			Name: "triggered",
			Doc:  "triggered(events = 10, fraction = 0.1, amplitude = 1, frequency = 1, decay = 1): impulses on random subsets, each followed by a decaying oscillation",
			Params: []runtime.Param{{Name: "events", Default: runtime.Number(10)}, {Name: "fraction", Default: runtime.Number(0.1)},
				{Name: "amplitude", Default: runtime.Number(1)}, {Name: "frequency", Default: runtime.Number(1)}, {Name: "decay", Default: runtime.Number(1)}},
			Fn: func(c *runtime.Call) (runtime.Value, error) {
				var vals [5]float64
				for k, name := range []string{"events", "fraction", "amplitude", "frequency", "decay"} {
					v, err := c.Number(name)
					if err != nil {
						return nil, err
					}
					vals[k] = v
				}
				return &InputSpec{Kind: "triggered", position: c.Pos, Trigger: input.TriggerOptions{
					Events: int(vals[0]), Fraction: vals[1], Amplitude: vals[2], Frequency: vals[3], Decay: vals[4]}}, nil
			},
		},
		{
			Name:   "field",
			Doc:    "field(f): an input given by a function f(t, i, x, y) of time, neuron index and grid position",
			Params: []runtime.Param{{Name: "f"}},
			Fn: func(c *runtime.Call) (runtime.Value, error) {
				switch c.Arg(0).(type) {
				case *runtime.Function, *runtime.Builtin, runtime.Callable:
				default:
					return nil, c.ArgError(0, "field needs a function of (t, i, x, y), found %s", c.Arg(0).Type())
				}
				return &InputSpec{Kind: "field", Fn: c.Arg(0), interp: c.Interp, position: c.Pos}, nil
			},
		},
	}
}

// input reads the network's input setting.
func (b *networkBuilder) input() error {
	s, ok := b.settings["input"]
	if !ok {
		return nil
	}
	v, err := b.d.Interp.Eval(s.Value, b.env)
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case *InputSpec:
		if v.Kind == "movie" && v.Inputs > b.net.N {
			return lang.Errorf(s.Value.Position(), "the movie drives %d input neurons but the network has only %d", v.Inputs, b.net.N)
		}
		b.net.Input = v
	case *runtime.Tensor:
		b.net.Input = &InputSpec{Kind: "table", Table: v, position: s.Value.Position()}
	default:
		return lang.Errorf(s.Value.Position(), "input must be movie(...), oscillation(...), triggered(...), field(f) or a frames×N tensor, found %s", v.Type())
	}
	return nil
}

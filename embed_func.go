package ngs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// Param is a parameter of a host function. A parameter without a Default
// is required unless Optional is set; the first parameters may be passed
// by position or by name, the rest only by name when Keyword is set.
type Param struct {
	Name string
	// Default is the value used when the script does not pass the
	// parameter (converted with FromGo); nil makes the parameter required
	// unless Optional is set.
	Default any
	// Optional marks a parameter without a default as optional; Args.Has
	// reports whether the script passed it.
	Optional bool
	// Keyword parameters can only be passed by name.
	Keyword bool
	// Doc describes the parameter for :help.
	Doc string
}

// Function is a Go function that scripts call like a builtin. Make one
// with Func.
type Function struct {
	name   string
	doc    string
	params []Param
	fn     func(Args) (any, error)
}

// Func wraps a Go function as a builtin named name. doc is the one-line
// description `:help name` shows; params are its parameters in positional
// order. fn receives the arguments and returns a value FromGo can convert
// (nil for none) or an error, which the script sees at the call site.
// Problems with the definition (an empty name, a default of an unsupported
// type) are reported by Compile.
func Func(name, doc string, params []Param, fn func(args Args) (any, error)) *Function {
	return &Function{name: name, doc: doc, params: append([]Param(nil), params...), fn: fn}
}

// Name is the name scripts call the function by.
func (f *Function) Name() string { return f.name }

// register adds f to reg, failing on a duplicate name.
func (f *Function) register(reg *runtime.Registry) error {
	b, err := f.builtin()
	if err != nil {
		return err
	}
	if err := reg.TryRegister(b); err != nil {
		return fmt.Errorf("host function %q: %w", f.name, err)
	}
	return nil
}

// builtin converts f to a runtime builtin.
func (f *Function) builtin() (*runtime.Builtin, error) {
	if f == nil || !isIdentifier(f.name) {
		return nil, fmt.Errorf("host function: name %q is not an identifier", nameOf(f))
	}
	if f.fn == nil {
		return nil, fmt.Errorf("host function %q: the Go function is nil", f.name)
	}
	b := &runtime.Builtin{Name: f.name, Doc: f.doc, Fn: f.call}
	seen := map[string]bool{}
	for _, p := range f.params {
		if !isIdentifier(p.Name) || seen[p.Name] {
			return nil, fmt.Errorf("host function %q: parameter name %q is not an identifier or is repeated", f.name, p.Name)
		}
		seen[p.Name] = true
		rp := runtime.Param{Name: p.Name, Doc: p.Doc, Keyword: p.Keyword}
		switch {
		case p.Default != nil:
			v, err := FromGo(p.Default)
			if err != nil {
				return nil, fmt.Errorf("host function %q: default of %s: %w", f.name, p.Name, err)
			}
			rp.Default = v
		case p.Optional:
			rp.Default = runtime.None
		}
		b.Params = append(b.Params, rp)
	}
	return b, nil
}

func nameOf(f *Function) string {
	if f == nil {
		return "<nil>"
	}
	return f.name
}

// call runs the Go function, turning its panics and errors into script
// errors at the call.
func (f *Function) call(c *runtime.Call) (v runtime.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, c.Errorf("host function panicked: %v", r)
		}
	}()
	x, err := f.fn(Args{call: c})
	if err != nil {
		var le *lang.Error
		if errors.As(err, &le) {
			return nil, err
		}
		return nil, c.Errorf("%v", err)
	}
	v, err = FromGo(x)
	if err != nil {
		return nil, c.Errorf("result: %v", err)
	}
	return v, nil
}

// Args are the arguments of one call of a host function.
type Args struct {
	call *runtime.Call
}

// Context is the run's context; long-running functions should stop when
// it is done.
func (a Args) Context() context.Context { return a.call.Ctx() }

// Has reports whether the script passed parameter name.
func (a Args) Has(name string) bool {
	_, _, ok := a.call.Lookup(name)
	return ok
}

// Value returns parameter name (passed or its default) as a script value.
func (a Args) Value(name string) runtime.Value { return a.call.Get(name) }

// Any returns parameter name converted to a Go value (see ToGo).
func (a Args) Any(name string) (any, error) {
	x, err := ToGo(a.call.Get(name))
	if err != nil {
		return nil, a.errorf(name, "%v", err)
	}
	return x, nil
}

// Float returns parameter name as a number.
func (a Args) Float(name string) (float64, error) { return a.call.Number(name) }

// String returns parameter name as a string.
func (a Args) String(name string) (string, error) {
	v := a.call.Get(name)
	s, ok := v.(runtime.String)
	if !ok {
		return "", a.errorf(name, "expected a string, found %s", v.Type())
	}
	return string(s), nil
}

// Bool returns parameter name as a bool.
func (a Args) Bool(name string) (bool, error) {
	v := a.call.Get(name)
	b, ok := v.(runtime.Bool)
	if !ok {
		return false, a.errorf(name, "expected true or false, found %s", v.Type())
	}
	return bool(b), nil
}

// Float32s returns parameter name, a tensor or a list of numbers, as a
// new []float32.
func (a Args) Float32s(name string) ([]float32, error) {
	switch v := a.call.Get(name).(type) {
	case *runtime.Tensor:
		return append([]float32(nil), v.Data...), nil
	case *runtime.List:
		out := make([]float32, len(v.Elems))
		for i, e := range v.Elems {
			n, ok := e.(runtime.Number)
			if !ok {
				return nil, a.errorf(name, "element %d: expected a number, found %s", i, e.Type())
			}
			out[i] = float32(n)
		}
		return out, nil
	default:
		return nil, a.errorf(name, "expected a tensor or a list of numbers, found %s", v.Type())
	}
}

// Matrix returns parameter name, a 2-D tensor, as a new gonum matrix.
func (a Args) Matrix(name string) (*mat.Dense, error) {
	v := a.call.Get(name)
	t, ok := v.(*runtime.Tensor)
	if !ok || len(t.Shape) != 2 {
		return nil, a.errorf(name, "expected a 2-D tensor, found %s", describe(v))
	}
	m, _ := tensorToGo(t).(*mat.Dense)
	return m, nil
}

// Path returns parameter name, a string path, resolved against the run's
// output directory and checked against its root (RunConfig.Root): open
// files with Open and Create, which hold to the root at the moment of
// opening (a path checked here may still lead out through a symbolic link
// created later).
func (a Args) Path(name string) (string, error) {
	p, err := a.String(name)
	if err != nil {
		return "", err
	}
	return a.call.ResolvePath(p)
}

// Open opens parameter name, a string path taken like Path, for reading
// through the run's file system: confined to RunConfig.Root with os.Root,
// and refusing anything but a regular file.
func (a Args) Open(name string) (*os.File, error) {
	p, err := a.Path(name)
	if err != nil {
		return nil, err
	}
	f, err := a.call.FS().Open(p)
	if err != nil {
		return nil, a.errorf(name, "%v", err)
	}
	return f, nil
}

// Create creates or truncates parameter name, a string path taken like
// Path, through the run's file system (see Open), making its folder.
func (a Args) Create(name string) (*os.File, error) {
	p, err := a.Path(name)
	if err != nil {
		return nil, err
	}
	fs := a.call.FS()
	if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, a.errorf(name, "%v", err)
	}
	f, err := fs.Create(p)
	if err != nil {
		return nil, a.errorf(name, "%v", err)
	}
	return f, nil
}

func (a Args) errorf(name, format string, args ...any) error {
	return a.call.NamedError(name, format, args...)
}

func describe(v runtime.Value) string {
	if t, ok := v.(*runtime.Tensor); ok {
		return fmt.Sprintf("a tensor of %d dimensions", len(t.Shape))
	}
	return v.Type()
}

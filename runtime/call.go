package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"

	"github.com/ngs-lab/ngs/lang"
)

// NamedValue is an evaluated named argument.
type NamedValue struct {
	Name  string
	Value Value
	Pos   lang.Pos
}

// Call is what a builtin or Callable receives.
type Call struct {
	// Interp runs the script: c.Interp.Eval(expr, env), c.Interp.Exec(block, env).
	Interp *Interp
	// Env is the calling environment.
	Env *Env
	// Pos is the position of the call; Node the call's syntax (nil when
	// called from Go).
	Pos  lang.Pos
	Node *lang.Call
	// Name is the builtin's name as registered.
	Name string
	// Args are the positional arguments, ArgPos their positions.
	Args   []Value
	ArgPos []lang.Pos
	// Named are the named arguments in source order.
	Named []NamedValue
	// Block is the unevaluated trailing block, or nil.
	Block *lang.Block
	// Params are the callee's parameters (for the helpers below).
	Params []Param
}

// Ctx is the run's context; long loops should check Ctx().Err().
func (c *Call) Ctx() context.Context { return c.Interp.Context() }

// Out is where print writes.
func (c *Call) Out() io.Writer { return c.Interp.Out() }

// OutDir is the directory relative output paths resolve against.
func (c *Call) OutDir() string { return c.Interp.OutDir() }

// Rand is the run's random source, seeded by `seed N`.
func (c *Call) Rand() *rand.Rand { return c.Interp.Rand() }

// ResolvePath resolves a path against the output directory and validates it
// with the host's root restriction hook.
func (c *Call) ResolvePath(path string) (string, error) {
	p, err := c.Interp.ResolvePath(path)
	if err != nil {
		return "", c.Errorf("%v", err)
	}
	return p, nil
}

// Arg returns positional argument i, or None when absent.
func (c *Call) Arg(i int) Value {
	if i < 0 || i >= len(c.Args) {
		return None
	}
	return c.Args[i]
}

// Errorf returns an error positioned at the call.
func (c *Call) Errorf(format string, args ...any) error {
	return lang.Errorf(c.Pos, "%s: %s", c.Name, fmt.Sprintf(format, args...))
}

// ArgError returns an error positioned at positional argument i.
func (c *Call) ArgError(i int, format string, args ...any) error {
	pos := c.Pos
	if i >= 0 && i < len(c.ArgPos) {
		pos = c.ArgPos[i]
	}
	return lang.Errorf(pos, "%s: argument %d: %s", c.Name, i+1, fmt.Sprintf(format, args...))
}

// NamedError returns an error positioned at the named argument name.
func (c *Call) NamedError(name string, format string, args ...any) error {
	pos := c.Pos
	for _, n := range c.Named {
		if n.Name == name {
			pos = n.Pos
		}
	}
	return lang.Errorf(pos, "%s: %s: %s", c.Name, name, fmt.Sprintf(format, args...))
}

// Lookup finds parameter name among the named arguments, then at its
// positional index in Params. ok is false when the caller did not pass it.
func (c *Call) Lookup(name string) (v Value, pos lang.Pos, ok bool) {
	for _, n := range c.Named {
		if n.Name == name {
			return n.Value, n.Pos, true
		}
	}
	for i, p := range c.Params {
		if p.Name == name && i < len(c.Args) && !p.Keyword {
			return c.Args[i], c.ArgPos[i], true
		}
	}
	return nil, c.Pos, false
}

// Get returns parameter name as passed, or its declared default (None
// when it has none).
func (c *Call) Get(name string) Value {
	if v, _, ok := c.Lookup(name); ok {
		return v
	}
	for _, p := range c.Params {
		if p.Name == name && p.Default != nil {
			return p.Default
		}
	}
	return None
}

// Number returns parameter name (named, positional or default) as a number.
func (c *Call) Number(name string) (float64, error) {
	v, pos, ok := c.Lookup(name)
	if !ok {
		v = c.Get(name)
	}
	n, isNum := v.(Number)
	if !isNum {
		return 0, lang.Errorf(pos, "%s: %s must be a number, found %s", c.Name, name, v.Type())
	}
	return float64(n), nil
}

// NamedNumber returns parameter name as a number, or def when not passed.
func (c *Call) NamedNumber(name string, def float64) (float64, error) {
	if _, _, ok := c.Lookup(name); !ok {
		return def, nil
	}
	return c.Number(name)
}

// NamedString returns parameter name as a string, or def when not passed.
func (c *Call) NamedString(name string, def string) (string, error) {
	v, pos, ok := c.Lookup(name)
	if !ok {
		return def, nil
	}
	s, isStr := v.(String)
	if !isStr {
		return "", lang.Errorf(pos, "%s: %s must be a string, found %s", c.Name, name, v.Type())
	}
	return string(s), nil
}

// NamedBool returns parameter name as a bool, or def when not passed.
func (c *Call) NamedBool(name string, def bool) (bool, error) {
	v, pos, ok := c.Lookup(name)
	if !ok {
		return def, nil
	}
	b, isBool := v.(Bool)
	if !isBool {
		return false, lang.Errorf(pos, "%s: %s must be true or false, found %s", c.Name, name, v.Type())
	}
	return bool(b), nil
}

// NumberArg returns positional argument i as a number.
func (c *Call) NumberArg(i int) (float64, error) {
	n, ok := c.Arg(i).(Number)
	if !ok {
		return 0, c.ArgError(i, "expected a number, found %s", c.Arg(i).Type())
	}
	return float64(n), nil
}

// DeclCall is what a declaration handler receives.
type DeclCall struct {
	Interp *Interp
	// Env is the environment the declaration appears in.
	Env *Env
	// Decl is the declaration's syntax: Kind, Name, Block.
	Decl *lang.Decl
}

// Errorf returns an error positioned at the declaration.
func (d *DeclCall) Errorf(format string, args ...any) error {
	return lang.Errorf(d.Decl.At, "%s %s: %s", d.Decl.Kind, d.Decl.Name, fmt.Sprintf(format, args...))
}

// ErrorAt returns an error positioned at a node of the declaration.
func (d *DeclCall) ErrorAt(n lang.Node, format string, args ...any) error {
	return lang.Errorf(n.Position(), format, args...)
}

// Ctx is the run's context.
func (d *DeclCall) Ctx() context.Context { return d.Interp.Context() }

// positioned gives err the position pos unless it already has one.
func positioned(err error, pos lang.Pos, prefix string) error {
	var le *lang.Error
	if errors.As(err, &le) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return cancelled(pos, err)
	}
	var list lang.ErrorList
	if errors.As(err, &list) {
		return err
	}
	if prefix != "" {
		return lang.Errorf(pos, "%s: %v", prefix, err)
	}
	return lang.Errorf(pos, "%v", err)
}

package runtime

import (
	"fmt"
	"strconv"

	"github.com/ngs-lab/ngs/lang"
)

func (in *Interp) eval(e lang.Expr, env *Env) (Value, error) {
	switch e := e.(type) {
	case *lang.NumberLit:
		return Number(e.Value), nil
	case *lang.StringLit:
		return String(e.Value), nil
	case *lang.BoolLit:
		return Bool(e.Value), nil
	case *lang.NilLit:
		return None, nil
	case *lang.Name:
		if v, ok := env.Lookup(e.Name); ok {
			return v, nil
		}
		return nil, lang.Errorf(e.At, "undefined: %s%s", e.Name, hint(e.Name, env.AllNames()))
	case *lang.ListLit:
		elems, err := in.evalList(e.Elems, env)
		if err != nil {
			return nil, err
		}
		return &List{Elems: elems}, nil
	case *lang.RecordLit:
		r := NewRecord()
		for _, f := range e.Fields {
			v, err := in.eval(f.Value, env)
			if err != nil {
				return nil, err
			}
			r.Set(f.Key, v)
		}
		return r, nil
	case *lang.Unary:
		return in.unary(e, env)
	case *lang.Binary:
		return in.binary(e, env)
	case *lang.SumJ:
		return nil, lang.Errorf(e.At, "sum_j is only meaningful inside a network equation")
	case *lang.Call:
		return in.call(e, env)
	case *lang.Index:
		return in.index(e, env)
	case *lang.Slice:
		return in.slice(e, env)
	case *lang.Field:
		return in.field(e, env)
	case *lang.Lambda:
		return &Function{Params: e.Params, Expr: e.Body, Closure: env, Pos: e.At}, nil
	}
	return nil, lang.Errorf(e.Position(), "internal error: cannot evaluate %T", e)
}

func (in *Interp) evalList(es []lang.Expr, env *Env) ([]Value, error) {
	out := make([]Value, len(es))
	for i, e := range es {
		v, err := in.eval(e, env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (in *Interp) unary(e *lang.Unary, env *Env) (Value, error) {
	x, err := in.eval(e.X, env)
	if err != nil {
		return nil, err
	}
	if e.Op == "not" {
		return Bool(!Truth(x)), nil
	}
	switch v := x.(type) {
	case Number:
		if e.Op == "-" {
			return -v, nil
		}
		return v, nil
	case *Tensor:
		if e.Op == "+" {
			return v, nil
		}
		return MapTensor(v, func(f float32) float32 { return -f }), nil
	}
	return nil, lang.Errorf(e.At, "cannot apply unary %s to a %s", e.Op, x.Type())
}

func (in *Interp) binary(e *lang.Binary, env *Env) (Value, error) {
	x, err := in.eval(e.X, env)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "and":
		if !Truth(x) {
			return Bool(false), nil
		}
		y, err := in.eval(e.Y, env)
		if err != nil {
			return nil, err
		}
		return Bool(Truth(y)), nil
	case "or":
		if Truth(x) {
			return Bool(true), nil
		}
		y, err := in.eval(e.Y, env)
		if err != nil {
			return nil, err
		}
		return Bool(Truth(y)), nil
	}
	y, err := in.eval(e.Y, env)
	if err != nil {
		return nil, err
	}
	if err := in.checkConcat(e.Op, x, y); err != nil {
		return nil, sizeError(e.At, err)
	}
	v, err := Binary(e.Op, x, y)
	if err != nil {
		return nil, lang.Errorf(e.At, "%v", err)
	}
	return v, nil
}

// call evaluates a call expression.
func (in *Interp) call(e *lang.Call, env *Env) (Value, error) {
	if err := in.tick(e.At); err != nil {
		return nil, err
	}
	fn, err := in.eval(e.Fn, env)
	if err != nil {
		return nil, err
	}
	c := &Call{Interp: in, Env: env, Pos: e.At, Node: e, Name: e.Name, Block: e.Block,
		ArgPos: make([]lang.Pos, len(e.Args))}
	if c.Args, err = in.evalList(e.Args, env); err != nil {
		return nil, err
	}
	for i, a := range e.Args {
		c.ArgPos[i] = a.Position()
	}
	for _, n := range e.Named {
		v, err := in.eval(n.Value, env)
		if err != nil {
			return nil, err
		}
		c.Named = append(c.Named, NamedValue{Name: n.Name, Value: v, Pos: n.At})
	}
	return in.invoke(fn, c)
}

// CallValue calls fn (a user function, builtin or Callable) from Go, e.g.
// a builtin applying a script function. pos is used for errors.
func (in *Interp) CallValue(fn Value, args []Value, named []NamedValue, pos lang.Pos) (Value, error) {
	c := &Call{Interp: in, Env: in.globals, Pos: pos, Args: args, Named: named, ArgPos: make([]lang.Pos, len(args))}
	for i := range c.ArgPos {
		c.ArgPos[i] = pos
	}
	return in.invoke(fn, c)
}

func (in *Interp) invoke(fn Value, c *Call) (Value, error) {
	in.depth++
	defer func() { in.depth-- }()
	if in.depth > MaxCallDepth {
		return nil, lang.Errorf(c.Pos, "calls nested too deeply (more than %d): is there a recursion without an end?", MaxCallDepth)
	}
	switch f := fn.(type) {
	case *Builtin:
		return in.callBuiltin(f, c)
	case *Function:
		return in.callFunction(f, c)
	case Callable:
		if c.Name == "" {
			c.Name = f.Type()
		}
		v, err := in.guard(c, func() (Value, error) { return f.CallValue(c) })
		if err != nil {
			return nil, positioned(err, c.Pos, c.Name)
		}
		return orNone(v), nil
	}
	return nil, lang.Errorf(c.Pos, "cannot call a %s", fn.Type())
}

func orNone(v Value) Value {
	if v == nil {
		return None
	}
	return v
}

// guard runs a Go callback, turning a panic into an internal error at the
// call's position.
func (in *Interp) guard(c *Call, fn func() (Value, error)) (v Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &lang.Error{Pos: c.Pos, Internal: true,
				Msg: fmt.Sprintf("internal error in %s: this is a bug in ngs, not in your script (%v)", c.Name, r)}
		}
	}()
	return fn()
}

func (in *Interp) callBuiltin(b *Builtin, c *Call) (Value, error) {
	c.Name, c.Params = b.Name, b.Params
	if err := checkBuiltinArgs(b, c); err != nil {
		return nil, err
	}
	v, err := in.guard(c, func() (Value, error) { return b.Fn(c) })
	if err != nil {
		return nil, positioned(err, c.Pos, b.Name)
	}
	return orNone(v), nil
}

// checkBuiltinArgs enforces the builtin's declared arity at run time too
// (a builtin may be reached through a variable the checker cannot see).
func checkBuiltinArgs(b *Builtin, c *Call) error {
	sym := b.Symbol()
	if len(c.Args) > sym.Positional && !sym.Variadic {
		return lang.Errorf(c.Pos, "%s takes at most %d positional arguments, found %d", b.Name, sym.Positional, len(c.Args))
	}
	for _, n := range c.Named {
		if !contains(sym.Params, n.Name) && !sym.AnyNamed {
			return lang.Errorf(n.Pos, "%s has no parameter %q%s", b.Name, n.Name, hint(n.Name, sym.Params))
		}
	}
	for i := 0; i < sym.Required; i++ {
		if _, _, ok := c.Lookup(sym.Params[i]); !ok {
			return lang.Errorf(c.Pos, "%s: missing argument %s", b.Name, sym.Params[i])
		}
	}
	// The declared types, checked before running by the checker for
	// literals, are checked here for every value (nil means "the default").
	for _, p := range b.Params {
		if p.Type.Kinds == 0 {
			continue
		}
		v, pos, ok := c.Lookup(p.Name)
		if !ok {
			continue
		}
		if _, isNil := v.(Nil); isNil {
			continue
		}
		if err := CheckType(p.Type, v, pos, b.Name+": "+p.Name); err != nil {
			return err
		}
	}
	return nil
}

// KindOf returns the kind of v as lang.Type describes values, with its
// value for a number or a string.
func KindOf(v Value) (k lang.Kinds, num float64, str string) {
	switch x := v.(type) {
	case Number:
		return lang.KindNumber, float64(x), ""
	case String:
		return lang.KindString, 0, string(x)
	case Bool:
		return lang.KindBool, 0, ""
	case *List:
		return lang.KindList, 0, ""
	case *Record:
		return lang.KindRecord, 0, ""
	}
	return lang.KindOther, 0, ""
}

// CheckType returns an error at pos, naming what, when t does not admit v:
// the run-time side of the checks that schemas drive.
func CheckType(t lang.Type, v Value, pos lang.Pos, what string) error {
	k, num, str := KindOf(v)
	if ok, msg := t.Admits(k, true, num, str); !ok {
		found := v.String()
		if k == lang.KindString {
			found = strconv.Quote(str)
		} else if k == lang.KindOther || k == lang.KindList || k == lang.KindRecord {
			found = "a " + v.Type()
		}
		return lang.Errorf(pos, "%s %s, found %s%s", what, msg, found, t.Hint(str))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (in *Interp) callFunction(f *Function, c *Call) (Value, error) {
	name := f.Name
	if name == "" {
		name = "function"
	}
	if len(c.Args) > len(f.Params) {
		return nil, lang.Errorf(c.Pos, "%s takes %d arguments, found %d", name, len(f.Params), len(c.Args))
	}
	env := NewEnv(f.Closure)
	set := map[string]bool{}
	for i, a := range c.Args {
		env.vars[f.Params[i].Name] = &binding{value: a}
		set[f.Params[i].Name] = true
	}
	for _, n := range c.Named {
		if !hasParam(f.Params, n.Name) {
			return nil, lang.Errorf(n.Pos, "%s has no parameter %q", name, n.Name)
		}
		if set[n.Name] {
			return nil, lang.Errorf(n.Pos, "%s: argument %s given twice", name, n.Name)
		}
		env.vars[n.Name] = &binding{value: n.Value}
		set[n.Name] = true
	}
	for _, p := range f.Params {
		if set[p.Name] {
			continue
		}
		if p.Default == nil {
			return nil, lang.Errorf(c.Pos, "%s: missing argument %s", name, p.Name)
		}
		v, err := in.eval(p.Default, f.Closure)
		if err != nil {
			return nil, err
		}
		env.vars[p.Name] = &binding{value: v}
	}
	if f.Expr != nil {
		return in.eval(f.Expr, env)
	}
	fr := &frame{ret: None}
	if _, err := in.execBlock(f.Body, env, fr); err != nil {
		return nil, err
	}
	return fr.ret, nil
}

func hasParam(ps []lang.Param, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (in *Interp) field(e *lang.Field, env *Env) (Value, error) {
	x, err := in.eval(e.X, env)
	if err != nil {
		return nil, err
	}
	a, ok := x.(HasAttrs)
	if !ok {
		return nil, lang.Errorf(e.At, "a %s has no fields (looking up .%s)", x.Type(), e.Name)
	}
	v, err := a.Attr(e.Name)
	if err != nil {
		return nil, positioned(err, e.At, "")
	}
	return v, nil
}

// checkConcat refuses a list or string concatenation beyond the limits
// before it is built.
func (in *Interp) checkConcat(op string, x, y Value) error {
	if op != "+" {
		return nil
	}
	switch a := x.(type) {
	case *List:
		if b, ok := y.(*List); ok {
			return in.CheckList(len(a.Elems) + len(b.Elems))
		}
	case String:
		if b, ok := y.(String); ok {
			return in.CheckString(len(a) + len(b))
		}
	}
	return nil
}

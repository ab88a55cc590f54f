package runtime

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/lang"
)

type flow int

const (
	flowNext flow = iota
	flowBreak
	flowContinue
	flowReturn
)

func flowWord(f flow) string {
	switch f {
	case flowBreak:
		return "break"
	case flowContinue:
		return "continue"
	}
	return "return"
}

// frame carries a function call's return value.
type frame struct {
	ret Value
}

func (in *Interp) execBlock(b *lang.Block, env *Env, fr *frame) (flow, error) {
	for _, s := range b.Stmts {
		fl, err := in.exec(s, env, fr)
		if err != nil || fl != flowNext {
			return fl, err
		}
	}
	return flowNext, nil
}

func (in *Interp) exec(s lang.Stmt, env *Env, fr *frame) (flow, error) {
	if err := in.tick(s.Position()); err != nil {
		return flowNext, err
	}
	switch s := s.(type) {
	case *lang.ExprStmt:
		_, err := in.eval(s.X, env)
		return flowNext, err
	case *lang.Assign:
		return flowNext, in.assign(s, env)
	case *lang.Seed:
		return flowNext, in.seed(s, env)
	case *lang.Setting, *lang.Const, *lang.FnDecl, *lang.FuncEq, *lang.DerivEq:
		return flowNext, in.define(s, env)
	case *lang.If:
		return in.ifStmt(s, env, fr)
	case *lang.For:
		return in.forStmt(s, env, fr)
	case *lang.While:
		return in.whileStmt(s, env, fr)
	case *lang.Break:
		return flowBreak, nil
	case *lang.Continue:
		return flowContinue, nil
	case *lang.Return:
		fr.ret = None
		if s.Value != nil {
			v, err := in.eval(s.Value, env)
			if err != nil {
				return flowNext, err
			}
			fr.ret = v
		}
		return flowReturn, nil
	case *lang.Decl:
		return flowNext, in.decl(s, env)
	case *lang.NamedBlock:
		return flowNext, in.namedBlock(s, env)
	case *lang.Every:
		return flowNext, nil
	}
	return flowNext, lang.Errorf(s.Position(), "internal error: cannot execute %T", s)
}

// define binds the name a definition statement introduces: a setting, a
// constant, a function, or (in settings blocks run generically) a function
// equation f(x) = e or a derivative equation du/dt = e, bound as "du/dt".
func (in *Interp) define(s lang.Stmt, env *Env) error {
	switch s := s.(type) {
	case *lang.Setting:
		v, err := in.eval(s.Value, env)
		if err != nil {
			return err
		}
		return in.bind(env, s.Name, v, s.At)
	case *lang.Const:
		v, err := in.eval(s.Value, env)
		if err != nil {
			return err
		}
		if err := env.DefineConst(s.Name, v, s.At); err != nil {
			return lang.Errorf(s.At, "%v", err)
		}
		return nil
	case *lang.FnDecl:
		f := &Function{Name: s.Name, Params: s.Params, Expr: s.Expr, Body: s.Body, Closure: env, Pos: s.At}
		return in.bind(env, s.Name, f, s.At)
	case *lang.FuncEq:
		params := make([]lang.Param, len(s.Params))
		for i, p := range s.Params {
			params[i] = lang.Param{At: s.At, Name: p}
		}
		return in.bind(env, s.Name, &Function{Name: s.Name, Params: params, Expr: s.Body, Closure: env, Pos: s.At}, s.At)
	case *lang.DerivEq:
		name := "d" + s.State + "/dt"
		return in.bind(env, name, &Function{Name: name, Expr: s.Body, Closure: env, Pos: s.At}, s.At)
	}
	return lang.Errorf(s.Position(), "internal error: %T is not a definition", s)
}

func (in *Interp) bind(env *Env, name string, v Value, pos lang.Pos) error {
	if err := env.Set(name, v); err != nil {
		return lang.Errorf(pos, "%v", err)
	}
	return nil
}

func (in *Interp) seed(s *lang.Seed, env *Env) error {
	v, over := in.overrides["seed"]
	if !over || env != in.globals {
		var err error
		if v, err = in.eval(s.Value, env); err != nil {
			return err
		}
	}
	n, ok := v.(Number)
	if !ok || float64(n) != math.Trunc(float64(n)) {
		return lang.Errorf(s.Value.Position(), "seed must be an integer, found %s", v)
	}
	in.Seed(int64(n))
	return nil
}

func (in *Interp) assign(s *lang.Assign, env *Env) error {
	if n, ok := s.Target.(*lang.Name); ok && env == in.globals {
		if v, over := in.overrides[n.Name]; over {
			return in.bind(env, n.Name, v, s.At)
		}
	}
	v, err := in.eval(s.Value, env)
	if err != nil {
		return err
	}
	switch t := s.Target.(type) {
	case *lang.Name:
		return in.bind(env, t.Name, v, s.At)
	case *lang.Index:
		return in.assignIndex(t, v, env)
	case *lang.Field:
		x, err := in.eval(t.X, env)
		if err != nil {
			return err
		}
		r, ok := x.(*Record)
		if !ok {
			return lang.Errorf(t.At, "cannot set field %s of a %s (only records have settable fields)", t.Name, x.Type())
		}
		r.Set(t.Name, v)
		return nil
	}
	return lang.Errorf(s.At, "cannot assign to this expression")
}

func (in *Interp) assignIndex(t *lang.Index, v Value, env *Env) error {
	x, err := in.eval(t.X, env)
	if err != nil {
		return err
	}
	idx, err := in.evalList(t.Indices, env)
	if err != nil {
		return err
	}
	switch c := x.(type) {
	case *List:
		i, err := listIndex(idx, len(c.Elems), t.At)
		if err != nil {
			return err
		}
		c.Elems[i] = v
		return nil
	case *Record:
		key, ok := idx[0].(String)
		if len(idx) != 1 || !ok {
			return lang.Errorf(t.At, "a record is indexed by one string key")
		}
		c.Set(string(key), v)
		return nil
	case *Tensor:
		n, ok := v.(Number)
		if !ok {
			return lang.Errorf(t.At, "a tensor element must be a number, found %s", v.Type())
		}
		off, err := tensorOffset(c, idx, t.At)
		if err != nil {
			return err
		}
		c.Data[off] = float32(n)
		return nil
	}
	return lang.Errorf(t.At, "cannot assign to an element of a %s", x.Type())
}

func (in *Interp) ifStmt(s *lang.If, env *Env, fr *frame) (flow, error) {
	c, err := in.eval(s.Cond, env)
	if err != nil {
		return flowNext, err
	}
	if Truth(c) {
		return in.execBlock(s.Then, env, fr)
	}
	if s.Else != nil {
		return in.execBlock(s.Else, env, fr)
	}
	return flowNext, nil
}

func (in *Interp) forStmt(s *lang.For, env *Env, fr *frame) (flow, error) {
	seq, err := in.eval(s.Iter, env)
	if err != nil {
		return flowNext, err
	}
	items, err := iterate(seq, s.Iter.Position())
	if err != nil {
		return flowNext, err
	}
	for i := 0; i < items.n; i++ {
		if err := in.tickLoop(s.At, s.Body); err != nil {
			return flowNext, err
		}
		if err := in.bind(env, s.Var, items.at(i), s.At); err != nil {
			return flowNext, err
		}
		fl, err := in.execBlock(s.Body, env, fr)
		if err != nil {
			return flowNext, err
		}
		if fl == flowBreak {
			break
		}
		if fl == flowReturn {
			return fl, nil
		}
	}
	return flowNext, nil
}

// sequence is something a for loop walks.
type sequence struct {
	n  int
	at func(i int) Value
}

func iterate(v Value, pos lang.Pos) (sequence, error) {
	switch x := v.(type) {
	case *List:
		elems := append([]Value(nil), x.Elems...)
		return sequence{len(elems), func(i int) Value { return elems[i] }}, nil
	case *Tensor:
		if len(x.Shape) == 0 {
			break
		}
		return sequence{x.Shape[0], func(i int) Value { return tensorRow(x, i) }}, nil
	case String:
		runes := []rune(string(x))
		return sequence{len(runes), func(i int) Value { return String(runes[i]) }}, nil
	case *Record:
		keys := append([]string(nil), x.keys...)
		return sequence{len(keys), func(i int) Value { return String(keys[i]) }}, nil
	}
	return sequence{}, lang.Errorf(pos, "cannot loop over a %s: expected a list, tensor, string, record or range(...)", v.Type())
}

func (in *Interp) whileStmt(s *lang.While, env *Env, fr *frame) (flow, error) {
	for {
		if err := in.tickLoop(s.At, s.Body); err != nil {
			return flowNext, err
		}
		c, err := in.eval(s.Cond, env)
		if err != nil {
			return flowNext, err
		}
		if !Truth(c) {
			return flowNext, nil
		}
		fl, err := in.execBlock(s.Body, env, fr)
		if err != nil {
			return flowNext, err
		}
		if fl == flowBreak {
			return flowNext, nil
		}
		if fl == flowReturn {
			return fl, nil
		}
	}
}

func (in *Interp) decl(s *lang.Decl, env *Env) error {
	spec, ok := in.registry.Decl(s.Kind)
	if !ok || spec.Handler == nil {
		return lang.Errorf(s.At, "no handler is registered for %q declarations: this build of ngs does not implement them", s.Kind)
	}
	v, err := spec.Handler(&DeclCall{Interp: in, Env: env, Decl: s})
	if err != nil {
		return positioned(err, s.At, fmt.Sprintf("%s %s", s.Kind, s.Name))
	}
	if v == nil {
		v = None
	}
	return in.bind(env, s.Name, v, s.At)
}

// namedBlock evaluates `kind name { settings }` into a record bound to
// name (or to kind when unnamed).
func (in *Interp) namedBlock(s *lang.NamedBlock, env *Env) error {
	inner := NewEnv(env)
	if err := in.Exec(s.Block, inner); err != nil {
		return err
	}
	r := NewRecord()
	for _, st := range s.Block.Stmts {
		if set, ok := st.(*lang.Setting); ok {
			v, _ := inner.Local(set.Name)
			r.Set(set.Name, v)
		}
	}
	name := s.Name
	if name == "" {
		name = s.Kind
	}
	return in.bind(env, name, r, s.At)
}

package runtime

import (
	"sort"

	"github.com/ngs-lab/ngs/lang"
)

// Env is a scope of bindings with an optional parent.
type Env struct {
	parent *Env
	vars   map[string]*binding
}

type binding struct {
	value Value
	konst bool
	pos   lang.Pos
}

// NewEnv makes an empty scope inside parent (nil for a root scope).
func NewEnv(parent *Env) *Env { return &Env{parent: parent, vars: map[string]*binding{}} }

// Parent returns the enclosing scope, or nil.
func (e *Env) Parent() *Env { return e.parent }

// Lookup finds name in this scope or an enclosing one.
func (e *Env) Lookup(name string) (Value, bool) {
	for s := e; s != nil; s = s.parent {
		if b, ok := s.vars[name]; ok {
			return b.value, true
		}
	}
	return nil, false
}

// Local finds name in this scope only.
func (e *Env) Local(name string) (Value, bool) {
	b, ok := e.vars[name]
	if !ok {
		return nil, false
	}
	return b.value, true
}

// Set binds name in this scope. It fails on a constant of this scope.
func (e *Env) Set(name string, v Value) error {
	if b, ok := e.vars[name]; ok {
		if b.konst {
			return errConst(name, b.pos)
		}
		b.value = v
		return nil
	}
	e.vars[name] = &binding{value: v}
	return nil
}

// DefineConst binds name as a constant in this scope.
func (e *Env) DefineConst(name string, v Value, pos lang.Pos) error {
	if b, ok := e.vars[name]; ok && b.konst {
		return errConst(name, b.pos)
	}
	e.vars[name] = &binding{value: v, konst: true, pos: pos}
	return nil
}

// IsConst reports whether name is a constant of this scope.
func (e *Env) IsConst(name string) bool {
	b, ok := e.vars[name]
	return ok && b.konst
}

func errConst(name string, pos lang.Pos) error {
	if pos.IsValid() {
		return &constError{msg: "cannot assign to constant " + name + " (declared at " + pos.String() + ")"}
	}
	return &constError{msg: "cannot assign to constant " + name}
}

type constError struct{ msg string }

// Error returns the message.
func (c *constError) Error() string { return c.msg }

// Names returns the names bound in this scope, sorted.
func (e *Env) Names() []string {
	out := make([]string, 0, len(e.vars))
	for k := range e.vars {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// AllNames returns the names visible from this scope.
func (e *Env) AllNames() []string {
	seen := map[string]bool{}
	var out []string
	for s := e; s != nil; s = s.parent {
		for k := range s.vars {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

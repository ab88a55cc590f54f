package runtime

import (
	"fmt"
	"sort"
)

// Clone returns a new registry holding the same builtins, predeclared
// values and declaration handlers as r. Hosts clone Default and add their
// own builtins to the copy, leaving Default untouched.
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := NewRegistry()
	for name, b := range r.builtins {
		c.builtins[name] = b
	}
	for name, v := range r.values {
		c.values[name] = v
	}
	for kw, d := range r.decls {
		c.decls[kw] = d
	}
	return c
}

// TryRegister adds a builtin like Register but returns an error, instead of
// panicking, when the builtin is incomplete or its name is already taken by
// a builtin or a predeclared value.
func (r *Registry) TryRegister(b *Builtin) error {
	if b == nil || b.Name == "" || b.Fn == nil {
		return fmt.Errorf("a builtin needs a name and a Go function")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.builtins[b.Name]; dup {
		return fmt.Errorf("builtin %q is registered twice", b.Name)
	}
	if _, dup := r.values[b.Name]; dup {
		return fmt.Errorf("builtin %q clashes with the predeclared value %s", b.Name, b.Name)
	}
	r.builtins[b.Name] = b
	return nil
}

// ValueNames returns the names of the predeclared values (pi, ...), sorted.
func (r *Registry) ValueNames() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.values))
	for name := range r.values {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ValueDoc returns the documentation of a predeclared value.
func (r *Registry) ValueDoc(name string) (doc string, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.values[name]
	return v.doc, ok
}

// DeclKeywords returns the registered declaration keywords, sorted.
func (r *Registry) DeclKeywords() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.decls))
	for kw := range r.decls {
		out = append(out, kw)
	}
	sort.Strings(out)
	return out
}

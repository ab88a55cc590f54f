package runtime

import (
	"fmt"
	"sort"
	"sync"

	"github.com/ngs-lab/ngs/lang"
)

// DeclHandler evaluates a declaration such as `network fig2 { ... }`; the
// value it returns is bound to the declaration's name.
type DeclHandler func(d *DeclCall) (Value, error)

// DeclSpec registers a declaration keyword.
type DeclSpec struct {
	Keyword string
	// Locals are names the declaration's block may use without defining
	// them (for network: u, i, j, W, e, t, N, x, y).
	Locals []string
	// Block describes what the declaration's block holds (settings,
	// sub-blocks, equations); nil leaves it unchecked.
	Block *lang.BlockSchema
	// Doc is a one-line description for :help.
	Doc     string
	Handler DeclHandler
}

// Registry holds the builtins, predeclared values and declaration handlers
// that scripts see. Register into it during init; it is safe for
// concurrent use.
type Registry struct {
	mu       sync.RWMutex
	builtins map[string]*Builtin
	values   map[string]predeclared
	decls    map[string]DeclSpec
}

type predeclared struct {
	value Value
	doc   string
	konst bool
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry {
	return &Registry{builtins: map[string]*Builtin{}, values: map[string]predeclared{}, decls: map[string]DeclSpec{}}
}

// Default is the registry used when options name none. The stdlib
// packages register into it from their init functions.
var Default = NewRegistry()

// Register adds a builtin to the Default registry. It panics on a
// duplicate name (a programming error found at start-up).
func Register(b *Builtin) { Default.Register(b) }

// RegisterValue adds a predeclared value (e.g. pi) to the Default registry.
func RegisterValue(name string, v Value, doc string, constant bool) {
	Default.RegisterValue(name, v, doc, constant)
}

// RegisterDecl adds a declaration keyword to the Default registry.
func RegisterDecl(spec DeclSpec) { Default.RegisterDecl(spec) }

// Register adds a builtin.
func (r *Registry) Register(b *Builtin) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b.Name == "" || b.Fn == nil {
		panic("runtime.Register: a builtin needs a Name and an Fn")
	}
	if _, dup := r.builtins[b.Name]; dup {
		panic(fmt.Sprintf("runtime.Register: builtin %q registered twice", b.Name))
	}
	r.builtins[b.Name] = b
}

// RegisterValue adds a predeclared value.
func (r *Registry) RegisterValue(name string, v Value, doc string, constant bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.values[name] = predeclared{value: v, doc: doc, konst: constant}
}

// RegisterDecl adds or replaces a declaration keyword.
func (r *Registry) RegisterDecl(spec DeclSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decls[spec.Keyword] = spec
}

// Builtin returns the builtin called name.
func (r *Registry) Builtin(name string) (*Builtin, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	b, ok := r.builtins[name]
	return b, ok
}

// Builtins returns all builtins sorted by name (for :help).
func (r *Registry) Builtins() []*Builtin {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Builtin, 0, len(r.builtins))
	for _, b := range r.builtins {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Decls returns the declaration keywords, sorted (for :help and
// completion).
func (r *Registry) Decls() []DeclSpec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]DeclSpec, 0, len(r.decls))
	for _, d := range r.decls {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Keyword < out[j].Keyword })
	return out
}

// Decl returns the declaration handler for keyword.
func (r *Registry) Decl(keyword string) (DeclSpec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.decls[keyword]
	return d, ok
}

// CheckConfig describes the registry to the static checker, plus host
// names that will be predeclared at run time.
func (r *Registry) CheckConfig(host []string) lang.CheckConfig {
	r.mu.RLock()
	defer r.mu.RUnlock()
	cfg := lang.CheckConfig{Predeclared: map[string]lang.Symbol{}, DeclKinds: map[string][]string{}, Decls: map[string]*lang.BlockSchema{}}
	for name, b := range r.builtins {
		cfg.Predeclared[name] = b.Symbol()
	}
	for name, v := range r.values {
		cfg.Predeclared[name] = symbolOf(name, v.value, v.konst)
	}
	for _, name := range host {
		cfg.Predeclared[name] = lang.Symbol{Name: name, Callable: true, Variadic: true, AnyNamed: true}
	}
	for kw, d := range r.decls {
		cfg.DeclKinds[kw] = append([]string(nil), d.Locals...)
		if d.Block != nil {
			cfg.Decls[kw] = d.Block
		}
	}
	return cfg
}

func symbolOf(name string, v Value, konst bool) lang.Symbol {
	if b, ok := v.(*Builtin); ok {
		s := b.Symbol()
		s.Name, s.Constant = name, konst
		return s
	}
	_, callable := v.(Callable)
	_, fn := v.(*Function)
	return lang.Symbol{Name: name, Constant: konst, Callable: callable || fn, Variadic: true, AnyNamed: true}
}

// populate binds the registry's builtins and values into env.
func (r *Registry) populate(env *Env) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for name, b := range r.builtins {
		env.vars[name] = &binding{value: b}
	}
	for name, v := range r.values {
		env.vars[name] = &binding{value: v.value, konst: v.konst}
	}
}

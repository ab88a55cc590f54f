package lang

import (
	"fmt"
	"sort"
)

// Check runs the static checks on f and returns every error found as an
// ErrorList, or nil. The checks: undefined names (with a "did you mean"
// hint), the arity and named arguments of calls to user functions and to
// builtins that declare their parameters, duplicate definitions (functions,
// types in a network, parameters in a type, settings in a block,
// equations), assignment to a constant, break/continue/return outside a
// loop or function, unknown declaration keywords, and, in a network, names
// used in equations that are a parameter of some types but not of all.
// Where the configuration gives schemas (CheckConfig.Decls, Symbol.Block,
// Symbol.Types), blocks are checked against them too: unknown settings and
// sub-blocks (with a "did you mean"), literal values of the wrong type or
// out of range, equations where a block has none, calls in equations to
// functions the schema does not allow, and hooks (their unit, and the
// names they may use).
func Check(f *File, cfg CheckConfig) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = ErrorList{{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Internal: true,
				Msg: fmt.Sprintf("internal error: this is a bug in the ngs checker (%v)", r)}}
		}
	}()
	if cfg.DeclKinds == nil {
		cfg.DeclKinds = map[string][]string{}
	}
	c := &checker{cfg: cfg}
	global := c.newScope(nil, scopeGlobal)
	c.collect(global, f.Stmts)
	c.stmts(global, f.Stmts)
	c.errs.Sort()
	if len(c.errs) > MaxErrors {
		last := c.errs[MaxErrors-1].Pos
		c.errs = append(c.errs[:MaxErrors:MaxErrors], Errorf(last, "too many errors (%d); only the first %d are shown", len(c.errs), MaxErrors))
	}
	return c.errs.Err()
}

// MaxErrors is how many check errors are reported; the rest are counted.
const MaxErrors = 100

// maxHints bounds the "did you mean" searches, which cost one pass over
// the visible names each.
const maxHints = 200

type scopeKind int

const (
	scopeGlobal scopeKind = iota
	scopeFunction
	scopeSettings
)

// entry is one name defined in a scope.
type entry struct {
	pos   Pos
	konst bool
	fn    *FnDecl
	eq    *FuncEq
	// plain counts non-function definitions; arity is only checked for a
	// name that is never reassigned.
	plain int
	// local marks an equation-local name (u, i, j, ...).
	local bool
}

type scope struct {
	parent *scope
	kind   scopeKind
	names  map[string]*entry
	// net is set in the scope of a network's equations.
	net *network
	// equations, in a network block, is the scope its equations see: the
	// equation locals and the network's functions, but not its settings.
	equations *scope
	// schema, in a settings scope, says which settings, sub-blocks,
	// equations and hooks the block may hold (nil: unchecked).
	schema *BlockSchema
}

// network holds what the equation check needs about a block with
// equations (a network).
type network struct {
	types  []*NamedBlock
	params []map[string]bool
	// funcs, when not nil, are the functions equations may call: the
	// block's function equations and the schema's EquationFuncs.
	funcs map[string]bool
	// allowed lists the schema's EquationFuncs for messages; kind is the
	// declaration keyword (network).
	allowed []string
	kind    string
}

type checker struct {
	cfg   CheckConfig
	errs  ErrorList
	loops int
	funcs int
	hints int
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.errs = append(c.errs, Errorf(pos, format, args...))
}

func (c *checker) newScope(parent *scope, kind scopeKind) *scope {
	return &scope{parent: parent, kind: kind, names: map[string]*entry{}}
}

// ---- definitions ----

// collect records the names a code block defines in s (recursing into
// if/for/while bodies, which share their enclosing scope).
func (c *checker) collect(s *scope, stmts []Stmt) {
	for _, st := range stmts {
		switch st := st.(type) {
		case *Assign:
			if n, ok := st.Target.(*Name); ok {
				c.defineVar(s, n.Name, st.At)
			}
		case *Const:
			c.defineConst(s, st.Name, st.At)
		case *FnDecl:
			c.defineFn(s, st)
		case *Decl:
			c.defineVar(s, st.Name, st.NameAt)
		case *For:
			c.defineVar(s, st.Var, st.At)
			c.collect(s, st.Body.Stmts)
		case *While:
			c.collect(s, st.Body.Stmts)
		case *If:
			c.collect(s, st.Then.Stmts)
			if st.Else != nil {
				c.collect(s, st.Else.Stmts)
			}
		}
	}
}

func (c *checker) predeclaredConst(name string) bool {
	sym, ok := c.cfg.Predeclared[name]
	return ok && sym.Constant || c.cfg.Consts[name]
}

func (c *checker) defineVar(s *scope, name string, pos Pos) {
	if e := c.lookupEntry(s, name); e != nil && e.konst {
		c.errorf(pos, "cannot assign to constant %s (declared at %d:%d)", name, e.pos.Line, e.pos.Col)
		return
	}
	if c.predeclaredConst(name) {
		c.errorf(pos, "cannot assign to constant %s (it is predeclared)", name)
		return
	}
	e := s.names[name]
	if e == nil {
		e = &entry{pos: pos}
		s.names[name] = e
	}
	e.plain++
}

func (c *checker) defineConst(s *scope, name string, pos Pos) {
	if e := s.names[name]; e != nil {
		if e.konst {
			c.errorf(pos, "cannot assign to constant %s (declared at %d:%d)", name, e.pos.Line, e.pos.Col)
		} else {
			c.errorf(pos, "cannot declare %s constant: it is already defined at %d:%d", name, e.pos.Line, e.pos.Col)
		}
		return
	}
	if c.predeclaredConst(name) {
		c.errorf(pos, "cannot assign to constant %s (it is predeclared)", name)
		return
	}
	s.names[name] = &entry{pos: pos, konst: true, plain: 1}
}

func (c *checker) defineFn(s *scope, fn *FnDecl) {
	e := s.names[fn.Name]
	switch {
	case e != nil && e.fn != nil:
		c.errorf(fn.At, "duplicate definition of function %s (first defined at %d:%d)", fn.Name, e.fn.At.Line, e.fn.At.Col)
		return
	case e != nil && e.konst:
		c.errorf(fn.At, "cannot assign to constant %s (declared at %d:%d)", fn.Name, e.pos.Line, e.pos.Col)
		return
	case c.predeclaredConst(fn.Name):
		c.errorf(fn.At, "cannot assign to constant %s (it is predeclared)", fn.Name)
		return
	case e == nil:
		e = &entry{pos: fn.At}
		s.names[fn.Name] = e
	}
	e.fn = fn
}

// ---- lookups ----

func (c *checker) lookupEntry(s *scope, name string) *entry {
	for ; s != nil; s = s.parent {
		if e, ok := s.names[name]; ok {
			return e
		}
	}
	return nil
}

// defined reports whether name is visible from s.
func (c *checker) defined(s *scope, name string) bool {
	if c.lookupEntry(s, name) != nil || c.cfg.Globals[name] {
		return true
	}
	_, ok := c.cfg.Predeclared[name]
	return ok
}

// visible lists every name visible from s, innermost scope first (for
// hints; Closest prefers earlier names on ties).
func (c *checker) visible(s *scope) []string {
	var out []string
	for ; s != nil; s = s.parent {
		out = append(out, sortedKeys(s.names)...)
		if s.net != nil {
			for _, ps := range s.net.params {
				out = append(out, sortedKeys(ps)...)
			}
		}
	}
	out = append(out, sortedKeys(c.cfg.Globals)...)
	out = append(out, sortedKeys(c.cfg.Predeclared)...)
	return append(out, sortedKeys(Keywords)...)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *checker) undefined(s *scope, n *Name) {
	msg := "undefined: " + n.Name
	c.hints++
	if c.hints > maxHints {
		c.errorf(n.At, "%s", msg)
		return
	}
	if best := Closest(n.Name, c.visible(s)); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	c.errorf(n.At, "%s", msg)
}

// ---- statements ----

func (c *checker) stmts(s *scope, list []Stmt) {
	for _, st := range list {
		c.stmt(s, st)
	}
}

func (c *checker) block(s *scope, b *Block) {
	if b != nil {
		c.stmts(s, b.Stmts)
	}
}

func (c *checker) stmt(s *scope, st Stmt) {
	switch st := st.(type) {
	case *ExprStmt:
		c.expr(s, st.X)
	case *Assign:
		c.assign(s, st)
	case *Const:
		c.expr(s, st.Value)
	case *Seed:
		c.expr(s, st.Value)
	case *FnDecl:
		c.function(s, st)
	case *If:
		c.expr(s, st.Cond)
		c.block(s, st.Then)
		c.block(s, st.Else)
	case *For:
		c.expr(s, st.Iter)
		c.loop(s, st.Body)
	case *While:
		c.expr(s, st.Cond)
		c.loop(s, st.Body)
	case *Break, *Continue:
		if c.loops == 0 {
			c.errorf(st.Position(), "%s outside a loop", keywordOf(st))
		}
	case *Return:
		if c.funcs == 0 {
			c.errorf(st.At, "return outside a function")
		}
		if st.Value != nil {
			c.expr(s, st.Value)
		}
	case *Decl:
		c.decl(s, st)
	case *Setting:
		c.expr(s, st.Value)
		c.setting(s, st)
	case *NamedBlock:
		c.settings(s, st.Block, st, nil, c.subBlock(s, st))
	case *FuncEq:
		c.equationAllowed(s, st.At)
		c.funcEq(equationScope(s), st)
	case *DerivEq:
		c.equationAllowed(s, st.At)
		c.equationBody(equationScope(s), st.Body)
	case *Every:
		c.expr(s, st.Count)
		c.hook(s, st)
	}
}

// equationScope is the scope a network's equations are checked in (s
// itself outside networks).
func equationScope(s *scope) *scope {
	if s.equations != nil {
		return s.equations
	}
	return s
}

func keywordOf(st Stmt) string {
	if _, ok := st.(*Break); ok {
		return "break"
	}
	return "continue"
}

func (c *checker) loop(s *scope, body *Block) {
	c.loops++
	c.block(s, body)
	c.loops--
}

func (c *checker) assign(s *scope, a *Assign) {
	c.expr(s, a.Value)
	switch t := a.Target.(type) {
	case *Name:
		// Defined by collect; a constant in an enclosing scope is still
		// an error when a function assigns it.
		if s.kind == scopeFunction {
			if e := c.lookupEntry(s.parent, t.Name); e != nil && e.konst && s.names[t.Name] != nil && !s.names[t.Name].konst {
				c.errorf(a.At, "cannot assign to constant %s (declared at %d:%d)", t.Name, e.pos.Line, e.pos.Col)
			}
		}
	case *Index:
		c.expr(s, t.X)
		c.exprs(s, t.Indices)
	case *Field:
		c.expr(s, t.X)
	}
}

// function checks a fn declaration's body in its own scope.
func (c *checker) function(s *scope, fn *FnDecl) {
	fs := c.params(s, fn.Params)
	loops := c.loops
	c.loops = 0
	c.funcs++
	if fn.Expr != nil {
		c.expr(fs, fn.Expr)
	} else {
		c.collect(fs, fn.Body.Stmts)
		c.block(fs, fn.Body)
	}
	c.funcs--
	c.loops = loops
}

// params makes a function scope holding params, checking their defaults in
// the enclosing scope and rejecting duplicates.
func (c *checker) params(s *scope, params []Param) *scope {
	fs := c.newScope(s, scopeFunction)
	for _, p := range params {
		if p.Default != nil {
			c.expr(s, p.Default)
		}
		if e, dup := fs.names[p.Name]; dup {
			c.errorf(p.At, "duplicate parameter %s (first at %d:%d)", p.Name, e.pos.Line, e.pos.Col)
			continue
		}
		fs.names[p.Name] = &entry{pos: p.At, plain: 1}
	}
	return fs
}

// decl checks `kind name { ... }`.
func (c *checker) decl(s *scope, d *Decl) {
	locals, ok := c.cfg.DeclKinds[d.Kind]
	if !ok {
		kinds := make([]string, 0, len(c.cfg.DeclKinds))
		for k := range c.cfg.DeclKinds {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		msg := fmt.Sprintf("unknown declaration keyword %q", d.Kind)
		if best := Closest(d.Kind, kinds); best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		}
		c.errorf(d.At, "%s", msg)
		return
	}
	schema := c.cfg.Decls[d.Kind]
	var net *network
	if schema != nil && schema.Equations {
		net = c.network(d, schema)
	}
	c.settings(s, d.Block, nil, &declInfo{locals: locals, net: net}, schema)
}

// declInfo is what a declaration adds to its block's scope.
type declInfo struct {
	locals []string
	net    *network
}

// network collects the parameter blocks (neuron types) of a block with
// equations and their parameters, reporting duplicate types and duplicate
// parameters; a parameter block's declared settings (count, fraction) are
// not parameters.
func (c *checker) network(d *Decl, schema *BlockSchema) *network {
	net := &network{kind: d.Kind}
	if len(schema.EquationFuncs) > 0 {
		net.funcs = map[string]bool{}
		for _, f := range schema.EquationFuncs {
			net.funcs[f] = true
		}
		net.allowed = schema.EquationFuncs
		for _, st := range d.Block.Stmts {
			if eq, ok := st.(*FuncEq); ok {
				net.funcs[eq.Name] = true
			}
		}
	}
	seen := map[string]*NamedBlock{}
	for _, st := range d.Block.Stmts {
		nb, ok := st.(*NamedBlock)
		if !ok {
			continue
		}
		sub := schema.Blocks[nb.Kind]
		if sub == nil || !sub.Params {
			continue
		}
		if nb.Name == "" {
			continue // reported by the block check
		}
		if first, dup := seen[nb.Name]; dup {
			c.errorf(nb.At, "duplicate %s %s in %s %s (first defined at %d:%d)", nb.Kind, nb.Name, d.Kind, d.Name, first.At.Line, first.At.Col)
			continue
		}
		seen[nb.Name] = nb
		params := map[string]bool{}
		for _, ts := range nb.Block.Stmts {
			if set, ok := ts.(*Setting); ok {
				if _, declared := sub.Setting(set.Name); !declared {
					params[set.Name] = true
				}
			}
		}
		net.types = append(net.types, nb)
		net.params = append(net.params, params)
	}
	return net
}

// settings checks a settings block: its settings, function equations and
// named blocks are defined for the whole block; duplicates are errors.
func (c *checker) settings(s *scope, b *Block, owner *NamedBlock, info *declInfo, schema *BlockSchema) {
	bs := c.newScope(s, scopeSettings)
	bs.schema = schema
	if info != nil {
		for _, l := range info.locals {
			bs.names[l] = &entry{plain: 1, local: true}
		}
	}
	c.collectSettings(bs, b, owner)
	if info != nil && info.net != nil {
		eq := c.newScope(s, scopeSettings)
		eq.net = info.net
		for name, e := range bs.names {
			if e.local || e.eq != nil {
				eq.names[name] = e
			}
		}
		bs.equations = eq
	}
	c.block(bs, b)
}

func (c *checker) collectSettings(bs *scope, b *Block, owner *NamedBlock) {
	what := "setting"
	where := "this block"
	if owner != nil && owner.Kind == "type" {
		what, where = "parameter", "type "+owner.Name
	} else if owner != nil {
		where = owner.Kind + " block"
	}
	firsts := map[string]Pos{}
	dup := func(key string, pos Pos, format string, args ...any) bool {
		if first, ok := firsts[key]; ok {
			c.errorf(pos, format+" (first defined at %d:%d)", append(args, first.Line, first.Col)...)
			return true
		}
		firsts[key] = pos
		return false
	}
	for _, st := range b.Stmts {
		switch st := st.(type) {
		case *Setting:
			if !dup("s:"+st.Name, st.At, "duplicate %s %s in %s", what, st.Name, where) {
				old := bs.names[st.Name]
				bs.names[st.Name] = &entry{pos: st.At, plain: 1, local: old != nil && old.local}
			}
		case *FuncEq:
			if !dup("f:"+st.Name, st.At, "duplicate definition of function %s", st.Name) {
				bs.names[st.Name] = &entry{pos: st.At, eq: st}
			}
		case *DerivEq:
			dup("d:"+st.State, st.At, "duplicate equation d%s/dt", st.State)
		case *NamedBlock:
			if st.Name != "" && st.Kind != "type" {
				if !dup("b:"+st.Kind+" "+st.Name, st.At, "duplicate %s %s", st.Kind, st.Name) {
					bs.names[st.Name] = &entry{pos: st.At, plain: 1}
				}
			} else if st.Name == "" {
				dup("b:"+st.Kind, st.At, "duplicate %s block", st.Kind)
			}
		}
	}
}

func (c *checker) funcEq(s *scope, eq *FuncEq) {
	fs := c.newScope(s, scopeFunction)
	for _, p := range eq.Params {
		if _, dup := fs.names[p]; dup {
			c.errorf(eq.At, "duplicate parameter %s in %s", p, eq.Name)
		}
		fs.names[p] = &entry{pos: eq.At, plain: 1}
	}
	c.equationBody(fs, eq.Body)
}

// equationBody checks an equation's right-hand side; in a network, names
// that some but not all types define are reported.
func (c *checker) equationBody(s *scope, body Expr) {
	c.expr(s, body)
}

// typeParam reports, for a name used in a network equation, whether some
// type defines it, and the first type that does not.
func typeParam(net *network, name string) (some bool, missing *NamedBlock) {
	for i, ps := range net.params {
		if ps[name] {
			some = true
		} else if missing == nil {
			missing = net.types[i]
		}
	}
	return some, missing
}

// ---- expressions ----

func (c *checker) exprs(s *scope, es []Expr) {
	for _, e := range es {
		c.expr(s, e)
	}
}

func (c *checker) expr(s *scope, e Expr) {
	switch e := e.(type) {
	case *Name:
		c.name(s, e)
	case *ListLit:
		c.exprs(s, e.Elems)
	case *RecordLit:
		for _, f := range e.Fields {
			c.expr(s, f.Value)
		}
	case *Unary:
		c.expr(s, e.X)
	case *Binary:
		c.expr(s, e.X)
		c.expr(s, e.Y)
	case *SumJ:
		c.expr(s, e.Term)
	case *Call:
		c.call(s, e)
	case *Index:
		c.expr(s, e.X)
		c.exprs(s, e.Indices)
	case *Slice:
		c.expr(s, e.X)
		if e.Lo != nil {
			c.expr(s, e.Lo)
		}
		if e.Hi != nil {
			c.expr(s, e.Hi)
		}
	case *Field:
		c.expr(s, e.X)
	case *Lambda:
		fs := c.params(s, e.Params)
		c.expr(fs, e.Body)
	}
}

// name resolves a name use. Inside a network, a name that is a parameter
// of some types must be one of every type.
func (c *checker) name(s *scope, n *Name) {
	if net := networkOf(s); net != nil && !c.definedBelowNetwork(s, n.Name) {
		if some, missing := typeParam(net, n.Name); some {
			if missing != nil {
				c.errorf(n.At, "parameter %s is used in an equation but type %s does not define it", n.Name, missing.Name)
			}
			return
		}
	}
	if !c.defined(s, n.Name) {
		c.undefined(s, n)
	}
}

// networkOf returns the network whose equations s belongs to, if any.
func networkOf(s *scope) *network {
	for ; s != nil; s = s.parent {
		if s.net != nil {
			return s.net
		}
	}
	return nil
}

// definedBelowNetwork reports whether name is bound by a scope inside the
// network (equation parameters, locals, network settings and functions).
func (c *checker) definedBelowNetwork(s *scope, name string) bool {
	for ; s != nil; s = s.parent {
		if _, ok := s.names[name]; ok {
			return true
		}
		if s.net != nil {
			return false
		}
	}
	return false
}

func (c *checker) call(s *scope, call *Call) {
	c.equationCall(s, call)
	c.expr(s, call.Fn)
	c.exprs(s, call.Args)
	seen := map[string]bool{}
	for _, n := range call.Named {
		if seen[n.Name] {
			c.errorf(n.At, "argument %s given twice", n.Name)
		}
		seen[n.Name] = true
		c.expr(s, n.Value)
	}
	if call.Name != "" {
		c.arity(s, call)
	}
	if call.Block != nil {
		var schema *BlockSchema
		if e := c.lookupEntry(s, call.Name); e == nil && call.Name != "" && !c.cfg.Globals[call.Name] {
			schema = c.cfg.Predeclared[call.Name].Block
		}
		c.settings(s, call.Block, nil, nil, schema)
	}
}

// arity checks a call to a user function or a builtin with known
// parameters.
func (c *checker) arity(s *scope, call *Call) {
	e := c.lookupEntry(s, call.Name)
	switch {
	case e != nil && e.fn != nil && e.plain == 0:
		c.checkUserCall(call, e.fn)
	case e != nil && e.eq != nil:
		if len(call.Args) != len(e.eq.Params) || len(call.Named) > 0 {
			c.errorf(call.At, "%s takes %d argument%s, found %d", call.Name, len(e.eq.Params), plural(len(e.eq.Params)), len(call.Args)+len(call.Named))
		}
	case e == nil && !c.cfg.Globals[call.Name]:
		if sym, ok := c.cfg.Predeclared[call.Name]; ok && sym.Callable {
			c.checkBuiltinCall(call, sym)
		} else if ok {
			c.errorf(call.At, "%s is not a function", call.Name)
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (c *checker) checkUserCall(call *Call, fn *FnDecl) {
	names := make([]string, len(fn.Params))
	required := 0
	for i, p := range fn.Params {
		names[i] = p.Name
		if p.Default == nil {
			required = i + 1
		}
	}
	c.checkArgs(call, names, len(names), required, false, false)
}

func (c *checker) checkBuiltinCall(call *Call, sym Symbol) {
	c.checkArgs(call, sym.Params, sym.Positional, sym.Required, sym.Variadic, sym.AnyNamed)
	typeOf := func(name string) (Type, bool) {
		for i, p := range sym.Params {
			if p == name && i < len(sym.Types) {
				return sym.Types[i], true
			}
		}
		return Type{}, false
	}
	for i, a := range call.Args {
		if i < sym.Positional && i < len(sym.Types) {
			c.value(a, sym.Types[i], fmt.Sprintf("%s: argument %s", call.Name, sym.Params[i]))
		}
	}
	for _, n := range call.Named {
		if t, ok := typeOf(n.Name); ok {
			c.value(n.Value, t, fmt.Sprintf("%s: %s", call.Name, n.Name))
		}
	}
}

// checkArgs checks positional count, named names and required parameters.
func (c *checker) checkArgs(call *Call, params []string, positional, required int, variadic, anyNamed bool) {
	if len(call.Args) > positional && !variadic {
		c.errorf(call.At, "%s takes %s, found %d", call.Name, countArgs(required, positional), len(call.Args)+len(call.Named))
		return
	}
	given := map[string]bool{}
	for i := range call.Args {
		if i < positional {
			given[params[i]] = true
		}
	}
	for _, n := range call.Named {
		known := false
		for _, p := range params {
			known = known || p == n.Name
		}
		switch {
		case !known && !anyNamed:
			msg := fmt.Sprintf("%s has no parameter %q", call.Name, n.Name)
			var free []string
			for _, p := range params {
				if !given[p] {
					free = append(free, p)
				}
			}
			if best := Closest(n.Name, free); best != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", best)
			}
			c.errorf(n.At, "%s", msg)
		case known && given[n.Name]:
			c.errorf(n.At, "%s: argument %s given twice (by position and by name)", call.Name, n.Name)
		}
		given[n.Name] = true
	}
	for i := 0; i < required && i < len(params); i++ {
		if !given[params[i]] {
			c.errorf(call.At, "%s takes %s, found %d (missing %s)", call.Name, countArgs(required, positional), len(call.Args)+len(call.Named), params[i])
			return
		}
	}
}

func countArgs(required, total int) string {
	switch {
	case required == total:
		return fmt.Sprintf("%d argument%s", total, plural(total))
	}
	return fmt.Sprintf("%d to %d arguments", required, total)
}

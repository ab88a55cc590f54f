package lang

import (
	"regexp"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// converter turns the participle parse tree into the AST, classifying
// `lhs = rhs` statements by their shape and the block's context.
type converter struct {
	file string
	errs ErrorList
}

func (c *converter) errorf(pos Pos, format string, args ...any) {
	c.errs = append(c.errs, Errorf(pos, format, args...))
}

func (c *converter) pos(p lexer.Position) Pos {
	q := toPos(p)
	if q.File == "" {
		q.File = c.file
	}
	return q
}

func (c *converter) stmts(list []*gStmt, ctx BlockContext, top bool) []Stmt {
	out := make([]Stmt, 0, len(list))
	for _, g := range list {
		if s := c.stmt(g, ctx, top); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (c *converter) block(g *gBlock, ctx BlockContext) *Block {
	if g == nil {
		return nil
	}
	return &Block{At: c.pos(g.Pos), End: c.pos(g.Close.Pos), Stmts: c.stmts(g.Stmts, ctx, false), Context: ctx}
}

func (c *converter) stmt(g *gStmt, ctx BlockContext, top bool) Stmt {
	at := c.pos(g.Pos)
	switch {
	case g.Fn != nil:
		return c.fn(at, g.Fn, ctx)
	case g.If != nil:
		return c.ifStmt(at, g.If, ctx)
	case g.For != nil:
		return &For{At: at, Var: g.For.Var, Iter: g.For.Iter, Body: c.block(g.For.Body, ctx)}
	case g.While != nil:
		return &While{At: at, Cond: g.While.Cond, Body: c.block(g.While.Body, ctx)}
	case g.Break:
		return &Break{At: at}
	case g.Continue:
		return &Continue{At: at}
	case g.Return != nil:
		return &Return{At: at, Value: g.Return.Value}
	case g.Const != nil:
		return &Const{At: at, Name: g.Const.Name, Value: g.Const.Value}
	case g.Seed != nil:
		return &Seed{At: at, Value: g.Seed.Value}
	case g.Every != nil:
		if ctx != SettingsBlock {
			c.errorf(at, "an 'every' hook is only allowed inside a trailing or declaration block, e.g. train(...) { every 4 epochs { ... } }")
		}
		return &Every{At: at, Count: g.Every.Count, Unit: g.Every.Unit, Block: c.block(g.Every.Body, SettingsBlock)}
	case g.Named != nil:
		return c.named(at, g.Named, ctx, top)
	case g.Simple != nil:
		return c.simple(at, g.Simple, ctx)
	}
	c.errorf(at, "internal error: unknown statement")
	return nil
}

func (c *converter) fn(at Pos, g *gFn, ctx BlockContext) Stmt {
	params := make([]Param, len(g.Params))
	for i, p := range g.Params {
		params[i] = Param{At: c.pos(p.Pos), Name: p.Name, Default: p.Default}
	}
	return &FnDecl{At: at, Name: g.Name, Params: params, Expr: g.Expr, Body: c.block(g.Body, CodeBlock)}
}

func (c *converter) ifStmt(at Pos, g *gIf, ctx BlockContext) *If {
	s := &If{At: at, Cond: g.Cond, Then: c.block(g.Then, ctx)}
	switch {
	case g.ElseIf != nil:
		inner := c.ifStmt(g.ElseIf.Cond.Position(), g.ElseIf, ctx)
		s.Else = &Block{At: inner.At, End: inner.At, Stmts: []Stmt{inner}, Context: ctx}
	case g.Else != nil:
		s.Else = c.block(g.Else, ctx)
	}
	return s
}

// named handles `kind name { }` (a declaration in code, a named block in
// settings) and `kind { }` (settings only).
func (c *converter) named(at Pos, g *gNamed, ctx BlockContext, top bool) Stmt {
	body := c.block(g.Body, SettingsBlock)
	if ctx == SettingsBlock {
		nb := &NamedBlock{At: at, Kind: g.Kind, Block: body}
		if g.Name != nil {
			nb.Name = g.Name.Name
		}
		return nb
	}
	if g.Name == nil {
		c.errorf(at, "a declaration needs a name: write %s NAME { ... }", g.Kind)
		return nil
	}
	return &Decl{At: at, Kind: g.Kind, Name: g.Name.Name, NameAt: c.pos(g.Name.Pos), Block: body}
}

// simple classifies `expr`, `lhs = rhs` and trailing blocks.
func (c *converter) simple(at Pos, g *gSimple, ctx BlockContext) Stmt {
	value := g.LHS
	if g.Assign != nil {
		value = g.RHS
		if value == nil {
			c.errorf(c.pos(g.Assign.Pos), "expected an expression after \"=\"")
			return nil
		}
	}
	if g.Block != nil {
		call, ok := value.(*Call)
		if !ok {
			c.errorf(c.pos(g.Block.Pos), "a block { ... } here must follow a call, e.g. train(m, data) { epochs = 10 }")
			return nil
		}
		call.Block = c.block(g.Block, SettingsBlock)
	}
	if g.Assign == nil {
		return &ExprStmt{At: at, X: g.LHS}
	}
	if ctx == SettingsBlock {
		return c.equation(at, g.LHS, value)
	}
	return c.assignment(at, g.LHS, value)
}

// equation classifies `name = e`, `f(u) = e` and `du/dt = e` in settings.
func (c *converter) equation(at Pos, lhs, rhs Expr) Stmt {
	switch l := lhs.(type) {
	case *Name:
		return &Setting{At: at, Name: l.Name, Value: rhs}
	case *Call:
		if l.Name == "" || len(l.Named) > 0 || l.Block != nil {
			break
		}
		params := make([]string, len(l.Args))
		for i, a := range l.Args {
			n, ok := a.(*Name)
			if !ok {
				c.errorf(a.Position(), "a function equation's parameters must be names, e.g. psi(u) = tanh(u)")
				return nil
			}
			params[i] = n.Name
		}
		return &FuncEq{At: at, Name: l.Name, Params: params, Body: rhs}
	case *Binary:
		if state, ok := derivative(l); ok {
			return &DerivEq{At: at, State: state, Body: rhs}
		}
	}
	c.errorf(at, "cannot assign here: in a block, the left of \"=\" must be a name, f(x) or du/dt")
	return nil
}

// derivative recognises du/dt and returns "u".
func derivative(b *Binary) (string, bool) {
	num, ok1 := b.X.(*Name)
	den, ok2 := b.Y.(*Name)
	if b.Op != "/" || !ok1 || !ok2 || den.Name != "dt" || len(num.Name) < 2 || !strings.HasPrefix(num.Name, "d") {
		return "", false
	}
	return num.Name[1:], true
}

func (c *converter) assignment(at Pos, lhs, rhs Expr) Stmt {
	switch l := lhs.(type) {
	case *Name, *Index, *Field:
		return &Assign{At: at, Target: lhs, Value: rhs}
	case *Call:
		if l.Name != "" {
			c.errorf(at, "cannot assign to a call; to define a function write fn %s(...) = ...", l.Name)
			return nil
		}
	case *Binary:
		if _, ok := derivative(l); ok {
			c.errorf(at, "a derivative equation is only allowed inside a network block")
			return nil
		}
	}
	c.errorf(at, "cannot assign to this expression: the left of \"=\" must be a name, x[i] or r.field")
	return nil
}

// grammarDetail matches participle's "(expected ...)" suffix.
var grammarDetail = regexp.MustCompile(` \(expected (.*)\)$`)

// plainExpectation matches an expectation list of quoted tokens only.
var plainExpectation = regexp.MustCompile(`^(an expression|"[^"]*"|<[a-z]+>)( or ("[^"]*"|<[a-z]+>))*$`)

// cleanMessage rewrites participle's token names in an error message and
// drops an expectation that names grammar rules.
func cleanMessage(msg string) string {
	msg = strings.ReplaceAll(msg, "(expected Expr)", "(expected an expression)")
	if m := grammarDetail.FindStringSubmatch(msg); m != nil && !plainExpectation.MatchString(m[1]) {
		msg = strings.TrimSuffix(msg, m[0])
	}
	r := strings.NewReplacer(`"\n"`, "end of line", `"<EOF>"`, "end of file", "<EOF>", "end of file", `token ";"`, `";"`, "(expected Expr)", "(expected an expression)", "expected Expr", "expected an expression")
	return r.Replace(msg)
}

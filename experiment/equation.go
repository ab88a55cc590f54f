package experiment

import (
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/eqn"
)

// maxInlineDepth bounds the inlining of network functions that call each other,
// so a recursive psi(u) = psi(u) is an error instead of a hang.
const maxInlineDepth = 64

// equationCompiler turns the AST of a network's equations into the eqn IR:
// network functions are inlined, type parameters become per-neuron parameter
// nodes and every other name must be a number known to the script.
type equationCompiler struct {
	n      int
	params map[string]bool
	funcs  map[string]*lang.FuncEq
	// global resolves a name that is neither local nor a parameter to a number.
	global func(name string) (float64, bool)
}

// compile compiles x with the function parameters in scope bound to subst.
func (c *equationCompiler) compile(x lang.Expr, subst map[string]*eqn.Expr, depth int) (*eqn.Expr, error) {
	switch x := x.(type) {
	case *lang.NumberLit:
		return eqn.Num(x.Value), nil
	case *lang.Name:
		return c.name(x, subst)
	case *lang.Index:
		return c.index(x)
	case *lang.Unary:
		return c.unary(x, subst, depth)
	case *lang.Binary:
		return c.binary(x, subst, depth)
	case *lang.SumJ:
		term, err := c.compile(x.Term, subst, depth)
		if err != nil {
			return nil, err
		}
		return eqn.SumJ(term), nil
	case *lang.Call:
		return c.call(x, subst, depth)
	}
	return nil, lang.Errorf(x.Position(), "this kind of expression cannot appear in an equation (expected numbers, names, arithmetic, function calls, u[j], W[i,j] and sum_j)")
}

func (c *equationCompiler) name(x *lang.Name, subst map[string]*eqn.Expr) (*eqn.Expr, error) {
	if v, ok := subst[x.Name]; ok {
		return v, nil
	}
	switch x.Name {
	case "u":
		return eqn.U(eqn.Receiver), nil
	case "e":
		return eqn.E(), nil
	case "t":
		return eqn.T(), nil
	case "N":
		return eqn.Num(float64(c.n)), nil
	case "W":
		return nil, lang.Errorf(x.At, "W must be indexed as W[i,j] inside sum_j")
	case "i", "j":
		return nil, lang.Errorf(x.At, "%s is an index: use it inside brackets, as in u[%s]", x.Name, x.Name)
	}
	if c.params[x.Name] {
		return eqn.P(x.Name, eqn.Receiver), nil
	}
	if v, ok := c.global(x.Name); ok {
		return eqn.Num(v), nil
	}
	return nil, lang.Errorf(x.At, "unknown name %q in an equation: expected a type parameter, u, e, t, N, a network function or a number defined in the script", x.Name)
}

// side reads the index of u[i], c[j]: i is the receiver, j the sender.
func side(x lang.Expr) (eqn.Side, bool) {
	n, ok := x.(*lang.Name)
	if !ok {
		return 0, false
	}
	switch n.Name {
	case "i":
		return eqn.Receiver, true
	case "j":
		return eqn.Sender, true
	}
	return 0, false
}

func (c *equationCompiler) index(x *lang.Index) (*eqn.Expr, error) {
	base, ok := x.X.(*lang.Name)
	if !ok {
		return nil, lang.Errorf(x.At, "only u, e, W and type parameters can be indexed in an equation")
	}
	if base.Name == "W" {
		if len(x.Indices) != 2 {
			return nil, lang.Errorf(x.At, "W takes two indices, W[i,j], found %d", len(x.Indices))
		}
		si, ok1 := side(x.Indices[0])
		sj, ok2 := side(x.Indices[1])
		if !ok1 || !ok2 || si != eqn.Receiver || sj != eqn.Sender {
			return nil, lang.Errorf(x.At, "the weight is written W[i,j] (receiver i, sender j)")
		}
		return eqn.W(), nil
	}
	if len(x.Indices) != 1 {
		return nil, lang.Errorf(x.At, "%s takes one index, [i] or [j], found %d", base.Name, len(x.Indices))
	}
	s, ok := side(x.Indices[0])
	if !ok {
		return nil, lang.Errorf(x.Indices[0].Position(), "the index of %s must be i (the receiver) or j (a sender)", base.Name)
	}
	switch {
	case base.Name == "u":
		return eqn.U(s), nil
	case base.Name == "e":
		if s != eqn.Receiver {
			return nil, lang.Errorf(x.At, "the input e belongs to the receiver: write e or e[i]")
		}
		return eqn.E(), nil
	case c.params[base.Name]:
		return eqn.P(base.Name, s), nil
	}
	return nil, lang.Errorf(base.At, "unknown name %q: expected u, e or a type parameter before [%s]", base.Name, map[eqn.Side]string{eqn.Receiver: "i", eqn.Sender: "j"}[s])
}

func (c *equationCompiler) unary(x *lang.Unary, subst map[string]*eqn.Expr, depth int) (*eqn.Expr, error) {
	v, err := c.compile(x.X, subst, depth)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "-":
		return eqn.NegE(v), nil
	case "+":
		return v, nil
	}
	return nil, lang.Errorf(x.At, "operator %q cannot appear in an equation", x.Op)
}

func (c *equationCompiler) binary(x *lang.Binary, subst map[string]*eqn.Expr, depth int) (*eqn.Expr, error) {
	f, ok := eqn.BinaryFunc(x.Op)
	if !ok || x.Op == "min" || x.Op == "max" {
		return nil, lang.Errorf(x.At, "operator %q cannot appear in an equation (expected + - * / ^)", x.Op)
	}
	a, err := c.compile(x.X, subst, depth)
	if err != nil {
		return nil, err
	}
	b, err := c.compile(x.Y, subst, depth)
	if err != nil {
		return nil, err
	}
	return eqn.Bin(f, a, b), nil
}

func (c *equationCompiler) call(x *lang.Call, subst map[string]*eqn.Expr, depth int) (*eqn.Expr, error) {
	if x.Name == "" || len(x.Named) > 0 || x.Block != nil {
		return nil, lang.Errorf(x.At, "in an equation, call a math function or a network function with positional arguments")
	}
	args := make([]*eqn.Expr, len(x.Args))
	for k, a := range x.Args {
		v, err := c.compile(a, subst, depth)
		if err != nil {
			return nil, err
		}
		args[k] = v
	}
	if fe, ok := c.funcs[x.Name]; ok {
		return c.inline(x, fe, args, depth)
	}
	if f, ok := eqn.UnaryFunc(x.Name); ok {
		if len(args) != 1 {
			return nil, lang.Errorf(x.At, "%s takes 1 argument, found %d", x.Name, len(args))
		}
		return eqn.Apply(f, args[0]), nil
	}
	if x.Name == "min" || x.Name == "max" || x.Name == "pow" {
		if len(args) != 2 {
			return nil, lang.Errorf(x.At, "%s takes 2 arguments in an equation, found %d", x.Name, len(args))
		}
		op := map[string]string{"min": "min", "max": "max", "pow": "^"}[x.Name]
		f, _ := eqn.BinaryFunc(op)
		return eqn.Bin(f, args[0], args[1]), nil
	}
	return nil, lang.Errorf(x.At, "%s cannot be used in an equation: expected a network function or one of %s", x.Name, strings.Join(eqn.CallNames(), ", "))
}

func (c *equationCompiler) inline(x *lang.Call, fe *lang.FuncEq, args []*eqn.Expr, depth int) (*eqn.Expr, error) {
	if len(args) != len(fe.Params) {
		return nil, lang.Errorf(x.At, "%s takes %d argument(s), found %d", fe.Name, len(fe.Params), len(args))
	}
	if depth >= maxInlineDepth {
		return nil, lang.Errorf(x.At, "network function %s calls itself (directly or through others) too deeply", fe.Name)
	}
	inner := make(map[string]*eqn.Expr, len(args))
	for k, p := range fe.Params {
		inner[p] = args[k]
	}
	return c.compile(fe.Body, inner, depth+1)
}

// compileRule compiles a du/dt body and validates the result.
func (c *equationCompiler) compileRule(d *lang.DerivEq) (*eqn.Expr, error) {
	rule, err := c.compile(d.Body, nil, 0)
	if err != nil {
		return nil, err
	}
	if err := eqn.Validate(rule); err != nil {
		return nil, lang.Errorf(d.At, "invalid update rule: %v", err)
	}
	if _, err := eqn.Analyze(rule); err != nil {
		return nil, lang.Errorf(d.At, "cannot compile the coupling term: %v", err)
	}
	return rule, nil
}

// errorAt wraps a non-positioned error with a position.
func errorAt(pos lang.Pos, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*lang.Error); ok {
		return err
	}
	if _, ok := err.(lang.ErrorList); ok {
		return err
	}
	return lang.Errorf(pos, "%v", err)
}

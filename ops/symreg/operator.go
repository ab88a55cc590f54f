package symreg

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ngs-lab/ngs/ops/mathfn"
)

// opCode identifies a built-in operator so that the evaluator can run it in a
// tight loop without an indirect call; custom operators use opCustom.
type opCode uint8

const (
	opCustom opCode = iota
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opTanh
	opExp
	opSin
	opCos
	opLog
	opSqrt
	opAbs
)

// Operator is a unary or binary function that expressions may use. Built-in
// operators are named in Options.Operators; callers register their own with
// NewUnary and NewBinary.
type Operator struct {
	// Name is how the operator is printed: an infix symbol ("+", "-", "*",
	// "/", "^") or a function name ("tanh", or a custom name).
	Name string
	// Arity is 1 or 2.
	Arity int
	// Unary is the function of a one-argument operator.
	Unary func(x float64) float64
	// Binary is the function of a two-argument operator.
	Binary func(a, b float64) float64
	// UnaryDeriv is d Unary/dx; nil means a central finite difference.
	UnaryDeriv func(x float64) float64
	// BinaryDeriv returns the partial derivatives of Binary; nil means
	// central finite differences.
	BinaryDeriv func(a, b float64) (da, db float64)

	code opCode
}

// NewUnary returns a custom one-argument operator printed as name(x).
// deriv may be nil, in which case constant fitting differentiates f numerically.
func NewUnary(name string, f, deriv func(float64) float64) *Operator {
	return &Operator{Name: name, Arity: 1, Unary: f, UnaryDeriv: deriv}
}

// NewBinary returns a custom two-argument operator printed as name(a, b).
// deriv may be nil, in which case constant fitting differentiates f numerically.
func NewBinary(name string, f func(a, b float64) float64, deriv func(a, b float64) (float64, float64)) *Operator {
	return &Operator{Name: name, Arity: 2, Binary: f, BinaryDeriv: deriv}
}

// isInfix reports whether the operator prints between its operands.
func (o *Operator) isInfix() bool {
	switch o.code {
	case opAdd, opSub, opMul, opDiv, opPow:
		return true
	}
	return false
}

// apply1 evaluates a unary operator at one point.
func (o *Operator) apply1(x float64) float64 { return o.Unary(x) }

// apply2 evaluates a binary operator at one point.
func (o *Operator) apply2(a, b float64) float64 { return o.Binary(a, b) }

// deriv1 returns d op(x)/dx.
func (o *Operator) deriv1(x float64) float64 {
	if o.UnaryDeriv != nil {
		return o.UnaryDeriv(x)
	}
	h := 1e-6 * math.Max(1, math.Abs(x))
	return (o.Unary(x+h) - o.Unary(x-h)) / (2 * h)
}

// deriv2 returns the partial derivatives of a binary operator.
func (o *Operator) deriv2(a, b float64) (float64, float64) {
	if o.BinaryDeriv != nil {
		return o.BinaryDeriv(a, b)
	}
	ha := 1e-6 * math.Max(1, math.Abs(a))
	hb := 1e-6 * math.Max(1, math.Abs(b))
	da := (o.Binary(a+ha, b) - o.Binary(a-ha, b)) / (2 * ha)
	db := (o.Binary(a, b+hb) - o.Binary(a, b-hb)) / (2 * hb)
	return da, db
}

// builtins are the operators known by name. Each is a fresh value shared by
// every expression, so pointer equality identifies an operator.
var builtins = []*Operator{
	{Name: "+", Arity: 2, code: opAdd, Binary: func(a, b float64) float64 { return a + b },
		BinaryDeriv: func(a, b float64) (float64, float64) { return 1, 1 }},
	{Name: "-", Arity: 2, code: opSub, Binary: func(a, b float64) float64 { return a - b },
		BinaryDeriv: func(a, b float64) (float64, float64) { return 1, -1 }},
	{Name: "*", Arity: 2, code: opMul, Binary: func(a, b float64) float64 { return a * b },
		BinaryDeriv: func(a, b float64) (float64, float64) { return b, a }},
	{Name: "/", Arity: 2, code: opDiv, Binary: func(a, b float64) float64 { return a / b },
		BinaryDeriv: func(a, b float64) (float64, float64) { return 1 / b, -a / (b * b) }},
	{Name: "^", Arity: 2, code: opPow, Binary: math.Pow,
		BinaryDeriv: func(a, b float64) (float64, float64) {
			p := math.Pow(a, b)
			return b * math.Pow(a, b-1), p * math.Log(a)
		}},
	{Name: "tanh", Arity: 1, code: opTanh, Unary: mathfn.Must("tanh").F, UnaryDeriv: mathfn.Must("tanh").Deriv},
	{Name: "exp", Arity: 1, code: opExp, Unary: mathfn.Must("exp").F, UnaryDeriv: mathfn.Must("exp").Deriv},
	{Name: "sin", Arity: 1, code: opSin, Unary: mathfn.Must("sin").F, UnaryDeriv: mathfn.Must("sin").Deriv},
	{Name: "cos", Arity: 1, code: opCos, Unary: mathfn.Must("cos").F, UnaryDeriv: mathfn.Must("cos").Deriv},
	{Name: "log", Arity: 1, code: opLog, Unary: mathfn.Must("log").F, UnaryDeriv: mathfn.Must("log").Deriv},
	{Name: "sqrt", Arity: 1, code: opSqrt, Unary: mathfn.Must("sqrt").F, UnaryDeriv: mathfn.Must("sqrt").Deriv},
	{Name: "abs", Arity: 1, code: opAbs, Unary: mathfn.Must("abs").F, UnaryDeriv: mathfn.Must("abs").Deriv},
}

// aliases maps word spellings of the infix operators to their symbols.
var aliases = map[string]string{"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}

// DefaultOperators is the operator set used when Options.Operators is empty:
// + - * / tanh exp sin cos.
var DefaultOperators = []string{"+", "-", "*", "/", "tanh", "exp", "sin", "cos"}

// builtin returns the built-in operator with the given name or alias, or nil.
func builtin(name string) *Operator {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, op := range builtins {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// BuiltinOperatorNames lists the built-in operator names, sorted.
func BuiltinOperatorNames() []string {
	names := make([]string, 0, len(builtins))
	for _, op := range builtins {
		names = append(names, op.Name)
	}
	sort.Strings(names)
	return names
}

// OperatorSet is an ordered collection of operators available to a search.
type OperatorSet struct {
	Unary  []*Operator // one-argument operators, in the order given
	Binary []*Operator // two-argument operators, in the order given
}

// byName finds an operator of the set by name, or nil.
func (s *OperatorSet) byName(name string) *Operator {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, list := range [][]*Operator{s.Binary, s.Unary} {
		for _, op := range list {
			if op.Name == name {
				return op
			}
		}
	}
	return nil
}

// has reports whether the set holds the built-in operator with this code.
func (s *OperatorSet) has(code opCode) bool {
	for _, list := range [][]*Operator{s.Binary, s.Unary} {
		for _, op := range list {
			if op.code == code && code != opCustom {
				return true
			}
		}
	}
	return false
}

// NewOperatorSet resolves operator names (built-in names, the aliases add,
// sub, mul, div, pow, or the names of custom operators) into a set. An empty
// names list means DefaultOperators; custom operators are always included.
func NewOperatorSet(names []string, custom []*Operator) (*OperatorSet, error) {
	if len(names) == 0 {
		names = DefaultOperators
	}
	set := &OperatorSet{}
	seen := map[string]bool{}
	add := func(op *Operator) {
		if seen[op.Name] {
			return
		}
		seen[op.Name] = true
		if op.Arity == 1 {
			set.Unary = append(set.Unary, op)
		} else {
			set.Binary = append(set.Binary, op)
		}
	}
	for _, c := range custom {
		if err := validateCustom(c); err != nil {
			return nil, err
		}
	}
	for _, name := range names {
		if op := builtin(name); op != nil {
			add(op)
			continue
		}
		if op := findCustom(custom, name); op != nil {
			add(op)
			continue
		}
		known := BuiltinOperatorNames()
		for _, c := range custom {
			known = append(known, c.Name)
		}
		return nil, fmt.Errorf("symreg: unknown operator %q; known operators: %s (aliases: add, sub, mul, div, pow)",
			name, strings.Join(known, ", "))
	}
	for _, c := range custom {
		add(c)
	}
	return set, nil
}

func findCustom(custom []*Operator, name string) *Operator {
	for _, c := range custom {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// validateCustom checks a caller-registered operator.
func validateCustom(op *Operator) error {
	switch {
	case op == nil:
		return fmt.Errorf("symreg: custom operator is nil")
	case op.Name == "" || !isIdentifier(op.Name):
		return fmt.Errorf("symreg: custom operator name %q must be an identifier (letters, digits, _)", op.Name)
	case builtin(op.Name) != nil:
		return fmt.Errorf("symreg: custom operator %q clashes with a built-in operator", op.Name)
	case op.Arity == 1 && op.Unary == nil:
		return fmt.Errorf("symreg: custom unary operator %q has no function", op.Name)
	case op.Arity == 2 && op.Binary == nil:
		return fmt.Errorf("symreg: custom binary operator %q has no function", op.Name)
	case op.Arity != 1 && op.Arity != 2:
		return fmt.Errorf("symreg: custom operator %q has arity %d, expected 1 or 2", op.Name, op.Arity)
	}
	return nil
}

func isIdentifier(s string) bool {
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		digit := r >= '0' && r <= '9'
		if !letter && !(digit && i > 0) {
			return false
		}
	}
	return s != ""
}

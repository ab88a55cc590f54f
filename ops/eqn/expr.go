// Package eqn is the intermediate representation of per-neuron update rules
// (du/dt as an expression of the receiver i, the senders j, the weights
// W[i,j] and sums over j), the analysis that turns every Sum_j into matrix-
// vector products, and a vectorised float32 evaluator over all neurons.
package eqn

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind says what an expression node is.
type Kind int

// The node kinds of the IR.
const (
	// Const is a number (Value).
	Const Kind = iota
	// State is the activity u of the neuron on Side.
	State
	// Param is the named per-neuron parameter (Name) of the neuron on Side.
	Param
	// Input is the external input e of the receiver.
	Input
	// Time is the simulation time t.
	Time
	// Unary applies Func to Args[0].
	Unary
	// Binary applies Func to Args[0] and Args[1].
	Binary
	// Weight is W[i,j], the weight from sender j to receiver i.
	Weight
	// Sum is Sum_j over senders j ≠ i of Args[0].
	Sum
)

// Side says whose quantity a State or Param node reads.
type Side int

// The two sides of an edge.
const (
	// Receiver is neuron i, the one whose derivative is computed.
	Receiver Side = iota
	// Sender is neuron j, summed over by a Sum node.
	Sender
)

// Func is a unary or binary math function.
type Func int

// Unary functions.
const (
	Exp Func = iota
	Log
	Tanh
	Sigmoid
	Relu
	Sin
	Cos
	Abs
	Sqrt
	Neg
	// Add and the following are binary.
	Add
	Sub
	Mul
	Div
	Pow
	Min
	Max
)

var funcNames = map[Func]string{
	Exp: "exp", Log: "log", Tanh: "tanh", Sigmoid: "sigmoid", Relu: "relu", Sin: "sin",
	Cos: "cos", Abs: "abs", Sqrt: "sqrt", Neg: "-", Add: "+", Sub: "-", Mul: "*", Div: "/",
	Pow: "^", Min: "min", Max: "max",
}

// CallNames lists the functions an equation may call by name: the unary
// functions (exp, log, tanh, ...) and min, max and pow of two arguments.
func CallNames() []string {
	var out []string
	for f := Exp; f < Neg; f++ {
		out = append(out, funcNames[f])
	}
	return append(out, "min", "max", "pow")
}

// IsBinary reports whether f takes two arguments.
func (f Func) IsBinary() bool { return f >= Add }

// String returns the function's name or operator.
func (f Func) String() string { return funcNames[f] }

// UnaryFunc returns the unary function named name ("exp", "tanh", ...).
func UnaryFunc(name string) (Func, bool) {
	for f := Exp; f < Neg; f++ {
		if funcNames[f] == name {
			return f, true
		}
	}
	return 0, false
}

// BinaryFunc returns the binary function for an operator ("+", "-", "*", "/",
// "^") or a name ("min", "max").
func BinaryFunc(op string) (Func, bool) {
	for f := Add; f <= Max; f++ {
		if funcNames[f] == op {
			return f, true
		}
	}
	return 0, false
}

// Expr is a node of an update rule. Build it with the constructors below;
// nodes are immutable once built and may be shared.
type Expr struct {
	Kind  Kind
	Value float64
	Name  string
	Side  Side
	Func  Func
	Args  []*Expr
}

// Num is the constant v.
func Num(v float64) *Expr { return &Expr{Kind: Const, Value: v} }

// U is the state of the receiver (Receiver) or of the sender (Sender).
func U(side Side) *Expr { return &Expr{Kind: State, Side: side} }

// P is the per-neuron parameter name of the receiver or sender.
func P(name string, side Side) *Expr { return &Expr{Kind: Param, Name: name, Side: side} }

// E is the receiver's external input e.
func E() *Expr { return &Expr{Kind: Input} }

// T is the time t.
func T() *Expr { return &Expr{Kind: Time} }

// W is the weight W[i,j]; it may only appear inside SumJ.
func W() *Expr { return &Expr{Kind: Weight} }

// SumJ is the sum over senders j ≠ i of x.
func SumJ(x *Expr) *Expr { return &Expr{Kind: Sum, Args: []*Expr{x}} }

// Apply applies a unary function to x.
func Apply(f Func, x *Expr) *Expr { return &Expr{Kind: Unary, Func: f, Args: []*Expr{x}} }

// Bin applies a binary function to a and b.
func Bin(f Func, a, b *Expr) *Expr { return &Expr{Kind: Binary, Func: f, Args: []*Expr{a, b}} }

// AddE returns a + b.
func AddE(a, b *Expr) *Expr { return Bin(Add, a, b) }

// SubE returns a - b.
func SubE(a, b *Expr) *Expr { return Bin(Sub, a, b) }

// MulE returns the product of its factors (1 when none).
func MulE(factors ...*Expr) *Expr {
	if len(factors) == 0 {
		return Num(1)
	}
	out := factors[0]
	for _, f := range factors[1:] {
		out = Bin(Mul, out, f)
	}
	return out
}

// DivE returns a / b.
func DivE(a, b *Expr) *Expr { return Bin(Div, a, b) }

// NegE returns -x.
func NegE(x *Expr) *Expr { return Apply(Neg, x) }

// String writes the expression in the .ngs equation syntax.
func (x *Expr) String() string {
	var b strings.Builder
	x.write(&b, 0)
	return b.String()
}

// precedence of binary operators for printing.
func precedence(f Func) int {
	switch f {
	case Add, Sub:
		return 1
	case Mul, Div:
		return 2
	case Pow:
		return 4
	}
	return 5
}

func (x *Expr) write(b *strings.Builder, outer int) {
	side := map[Side]string{Receiver: "[i]", Sender: "[j]"}
	switch x.Kind {
	case Const:
		b.WriteString(strconv.FormatFloat(x.Value, 'g', -1, 64))
	case State:
		b.WriteString("u" + side[x.Side])
	case Param:
		b.WriteString(x.Name + side[x.Side])
	case Input:
		b.WriteString("e[i]")
	case Time:
		b.WriteString("t")
	case Weight:
		b.WriteString("W[i,j]")
	case Sum:
		b.WriteString("sum_j(")
		x.Args[0].write(b, 0)
		b.WriteString(")")
	case Unary:
		if x.Func == Neg {
			open(b, outer > 3, "(")
			b.WriteString("-")
			x.Args[0].write(b, 4)
			open(b, outer > 3, ")")
			return
		}
		b.WriteString(x.Func.String() + "(")
		x.Args[0].write(b, 0)
		b.WriteString(")")
	case Binary:
		x.writeBinary(b, outer)
	}
}

func (x *Expr) writeBinary(b *strings.Builder, outer int) {
	if x.Func == Min || x.Func == Max {
		b.WriteString(x.Func.String() + "(")
		x.Args[0].write(b, 0)
		b.WriteString(", ")
		x.Args[1].write(b, 0)
		b.WriteString(")")
		return
	}
	p := precedence(x.Func)
	open(b, p < outer, "(")
	left, right := p, p+1
	if x.Func == Pow {
		left, right = p+1, p
	}
	x.Args[0].write(b, left)
	b.WriteString(" " + x.Func.String() + " ")
	x.Args[1].write(b, right)
	open(b, p < outer, ")")
}

func open(b *strings.Builder, cond bool, s string) {
	if cond {
		b.WriteString(s)
	}
}

// Validate checks the structural rules of a du/dt expression: W[i,j] and
// sender quantities only inside a Sum, no Sum inside a Sum, every Unary and
// Binary node with the right number of arguments.
func Validate(rule *Expr) error {
	return validate(rule, false)
}

func validate(x *Expr, inSum bool) error {
	if x == nil {
		return fmt.Errorf("eqn: nil expression")
	}
	switch x.Kind {
	case Weight:
		if !inSum {
			return fmt.Errorf("eqn: W[i,j] outside sum_j: the weight needs a sender j")
		}
	case State, Param:
		if x.Side == Sender && !inSum {
			return fmt.Errorf("eqn: %s outside sum_j: a sender quantity needs a sum over j", x)
		}
		if x.Kind == Param && x.Name == "" {
			return fmt.Errorf("eqn: parameter without a name")
		}
	case Sum:
		if inSum {
			return fmt.Errorf("eqn: sum_j inside sum_j is not supported: %s", x)
		}
	case Unary, Binary:
		want := 1
		if x.Kind == Binary {
			want = 2
		}
		if len(x.Args) != want || x.Func.IsBinary() != (x.Kind == Binary) {
			return fmt.Errorf("eqn: %s node %q has %d arguments, expected %d", kindName(x.Kind), x.Func, len(x.Args), want)
		}
	}
	for _, a := range x.Args {
		if err := validate(a, inSum || x.Kind == Sum); err != nil {
			return err
		}
	}
	return nil
}

func kindName(k Kind) string {
	return [...]string{"constant", "state", "parameter", "input", "time", "unary", "binary", "weight", "sum"}[k]
}

// ParamNames returns the distinct parameter names an expression reads, in
// first-use order.
func ParamNames(x *Expr) []string {
	seen := map[string]bool{}
	var names []string
	x.walk(func(n *Expr) {
		if n.Kind == Param && !seen[n.Name] {
			seen[n.Name] = true
			names = append(names, n.Name)
		}
	})
	return names
}

// Uses reports whether any node of x has kind k.
func Uses(x *Expr, k Kind) bool {
	found := false
	x.walk(func(n *Expr) { found = found || n.Kind == k })
	return found
}

func (x *Expr) walk(visit func(*Expr)) {
	visit(x)
	for _, a := range x.Args {
		a.walk(visit)
	}
}

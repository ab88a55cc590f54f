package symreg

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// NodeKind tells what a Node is.
type NodeKind uint8

// The node kinds of an expression tree.
const (
	ConstNode NodeKind = iota
	VarNode
	UnaryNode
	BinaryNode
)

// Node is one vertex of an expression tree.
type Node struct {
	Kind  NodeKind
	Value float64   // ConstNode: the constant
	Var   int       // VarNode: index of the input variable
	Op    *Operator // UnaryNode, BinaryNode
	L, R  *Node     // children: L for unary, L and R for binary

	fixed bool // a constant that constant fitting must not change
}

func constant(v float64) *Node          { return &Node{Kind: ConstNode, Value: v} }
func variable(i int) *Node              { return &Node{Kind: VarNode, Var: i} }
func unary(op *Operator, x *Node) *Node { return &Node{Kind: UnaryNode, Op: op, L: x} }
func binary(op *Operator, a, b *Node) *Node {
	return &Node{Kind: BinaryNode, Op: op, L: a, R: b}
}

// clone returns a deep copy of the tree.
func (n *Node) clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.L = n.L.clone()
	c.R = n.R.clone()
	return &c
}

// size counts the nodes of the tree: the complexity measure of this package,
// as in PySR (every constant, variable and operator counts 1).
func (n *Node) size() int {
	if n == nil {
		return 0
	}
	return 1 + n.L.size() + n.R.size()
}

// depth is the longest root-to-leaf path, counted in nodes.
func (n *Node) depth() int {
	if n == nil {
		return 0
	}
	return 1 + max(n.L.depth(), n.R.depth())
}

// constants appends pointers to the constant nodes in evaluation order.
func (n *Node) constants(dst []*Node) []*Node {
	if n == nil {
		return dst
	}
	if n.Kind == ConstNode {
		return append(dst, n)
	}
	return n.R.constants(n.L.constants(dst))
}

// nodes appends every node in pre-order.
func (n *Node) nodes(dst []*Node) []*Node {
	if n == nil {
		return dst
	}
	dst = append(dst, n)
	return n.R.nodes(n.L.nodes(dst))
}

// equal reports structural equality with identical constants.
func (n *Node) equal(m *Node) bool {
	if n == nil || m == nil {
		return n == m
	}
	if n.Kind != m.Kind {
		return false
	}
	switch n.Kind {
	case ConstNode:
		return n.Value == m.Value
	case VarNode:
		return n.Var == m.Var
	}
	return n.Op == m.Op && n.L.equal(m.L) && n.R.equal(m.R)
}

// isConst reports whether the node is the constant v.
func (n *Node) isConst(v float64) bool { return n.Kind == ConstNode && n.Value == v }

// usesOp reports whether the tree contains an operator of the given name.
func (n *Node) usesOp(name string) bool {
	if n == nil {
		return false
	}
	if (n.Kind == UnaryNode || n.Kind == BinaryNode) && n.Op.Name == name {
		return true
	}
	return n.L.usesOp(name) || n.R.usesOp(name)
}

// Expr is a formula over named input variables. It prints in .ngs expression
// syntax and evaluates on new inputs.
type Expr struct {
	Root  *Node
	Names []string // variable names; Root's VarNode indices point here
}

// Complexity is the number of nodes of the expression tree.
func (e *Expr) Complexity() int { return e.Root.size() }

// Clone returns a deep copy.
func (e *Expr) Clone() *Expr {
	return &Expr{Root: e.Root.clone(), Names: append([]string(nil), e.Names...)}
}

// Constants returns the expression's constants in evaluation order.
func (e *Expr) Constants() []float64 {
	var out []float64
	for _, c := range e.Root.constants(nil) {
		out = append(out, c.Value)
	}
	return out
}

// Operators returns the sorted, distinct names of the operators the
// expression uses.
func (e *Expr) Operators() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range e.Root.nodes(nil) {
		if (n.Kind == UnaryNode || n.Kind == BinaryNode) && !seen[n.Op.Name] {
			seen[n.Op.Name] = true
			out = append(out, n.Op.Name)
		}
	}
	sort.Strings(out)
	return out
}

// EvalPoint evaluates the expression at one point, one value per variable.
func (e *Expr) EvalPoint(values ...float64) (float64, error) {
	if len(values) != len(e.Names) {
		return math.NaN(), fmt.Errorf("symreg: expression over %s needs %d values, got %d",
			strings.Join(e.Names, ", "), len(e.Names), len(values))
	}
	return evalNode(e.Root, values), nil
}

// Eval evaluates the expression on rows of inputs (len(x) samples, each with
// one value per variable) and returns one output per row.
func (e *Expr) Eval(x [][]float64) ([]float64, error) {
	cols, err := columns(x, len(e.Names))
	if err != nil {
		return nil, err
	}
	prog := compile(e.Root)
	out := make([]float64, len(x))
	newEvaluator(len(x)).run(prog, cols, out)
	return out, nil
}

// evalNode evaluates a tree at one point by recursion.
func evalNode(n *Node, values []float64) float64 {
	switch n.Kind {
	case ConstNode:
		return n.Value
	case VarNode:
		return values[n.Var]
	case UnaryNode:
		return n.Op.apply1(evalNode(n.L, values))
	}
	return n.Op.apply2(evalNode(n.L, values), evalNode(n.R, values))
}

// columns transposes rows of samples into one column per variable.
func columns(x [][]float64, nvars int) ([][]float64, error) {
	cols := make([][]float64, nvars)
	for v := range cols {
		cols[v] = make([]float64, len(x))
	}
	for i, row := range x {
		if len(row) != nvars {
			return nil, fmt.Errorf("symreg: sample %d has %d values, expected %d (one per variable)", i, len(row), nvars)
		}
		for v, val := range row {
			cols[v][i] = val
		}
	}
	return cols, nil
}

// String prints the expression in .ngs syntax with constants rounded to six
// significant digits.
func (e *Expr) String() string {
	var b strings.Builder
	e.write(&b, e.Root, 0)
	return b.String()
}

// Printing precedences: higher binds tighter.
const (
	precAdd   = 1
	precMul   = 2
	precUnary = 3 // a leading minus sign
	precPow   = 4
	precAtom  = 5
)

func precedence(n *Node) int {
	switch {
	case n.Kind == ConstNode && n.Value < 0:
		return precUnary
	case n.Kind != BinaryNode || !n.Op.isInfix():
		return precAtom
	}
	switch n.Op.code {
	case opAdd, opSub:
		return precAdd
	case opMul, opDiv:
		return precMul
	}
	return precPow
}

// write prints n, parenthesised when its precedence is below min.
func (e *Expr) write(b *strings.Builder, n *Node, min int) {
	if precedence(n) < min {
		b.WriteByte('(')
		e.write(b, n, 0)
		b.WriteByte(')')
		return
	}
	switch n.Kind {
	case ConstNode:
		b.WriteString(FormatConstant(n.Value))
	case VarNode:
		b.WriteString(e.Names[n.Var])
	case UnaryNode:
		b.WriteString(n.Op.Name)
		b.WriteByte('(')
		e.write(b, n.L, 0)
		b.WriteByte(')')
	case BinaryNode:
		e.writeBinary(b, n)
	}
}

func (e *Expr) writeBinary(b *strings.Builder, n *Node) {
	if !n.Op.isInfix() {
		b.WriteString(n.Op.Name)
		b.WriteByte('(')
		e.write(b, n.L, 0)
		b.WriteString(", ")
		e.write(b, n.R, 0)
		b.WriteByte(')')
		return
	}
	switch n.Op.code {
	case opAdd, opSub:
		e.write(b, n.L, precAdd)
		op := n.Op.Name
		r := n.R
		if neg, ok := negated(r); ok {
			op, r = flipSign(op), neg
		}
		b.WriteString(" " + op + " ")
		e.write(b, r, precAdd+1)
	case opMul, opDiv:
		e.write(b, n.L, precMul)
		b.WriteString(n.Op.Name)
		e.write(b, n.R, precMul+1)
	case opPow:
		e.write(b, n.L, precPow+1)
		b.WriteString("^")
		e.write(b, n.R, precPow)
	}
}

func flipSign(op string) string {
	if op == "+" {
		return "-"
	}
	return "+"
}

// negated returns -n when n is a negative constant or a product whose
// leading factor is a negative constant, so that a + -2*u prints a - 2*u.
func negated(n *Node) (*Node, bool) {
	if n.Kind == ConstNode && n.Value < 0 {
		return constant(-n.Value), true
	}
	if n.Kind == BinaryNode && (n.Op.code == opMul || n.Op.code == opDiv) &&
		n.L.Kind == ConstNode && n.L.Value < 0 {
		c := *n
		c.L = constant(-n.L.Value)
		if c.Op.code == opMul && c.L.Value == 1 {
			return c.R, true
		}
		return &c, true
	}
	return nil, false
}

// FormatConstant prints a number with six significant digits, always with a
// decimal point or exponent so that it reads as a real number: 2.0, -0.25,
// 1.5e-07.
func FormatConstant(v float64) string {
	s := strconv.FormatFloat(v, 'g', 6, 64)
	if strings.ContainsAny(s, ".eEnN") {
		if i := strings.IndexAny(s, "eE"); i >= 0 && !strings.Contains(s[:i], ".") {
			s = s[:i] + ".0" + s[i:]
		}
		return s
	}
	return s + ".0"
}

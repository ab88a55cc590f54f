package symreg

import "math"

// The built-in operators that simplification and the term library build with.
var (
	addOp  = builtin("+")
	subOp  = builtin("-")
	mulOp  = builtin("*")
	divOp  = builtin("/")
	powOp  = builtin("^")
	tanhOp = builtin("tanh")
	expOp  = builtin("exp")
	sinOp  = builtin("sin")
	cosOp  = builtin("cos")
)

// Simplify returns a simplified copy of e: constant subexpressions folded,
// trivial identities removed (x+0, x*1, x*0, x/1, x^1, x-x), constant factors
// gathered to the left of products and constant terms to the right of sums,
// and like terms c·x + d·x merged. The value is unchanged wherever e is finite.
func Simplify(e *Expr) *Expr {
	return &Expr{Root: simplifyNode(e.Root.clone()), Names: append([]string(nil), e.Names...)}
}

// simplifyNode rewrites a tree in place until no rule applies.
func simplifyNode(n *Node) *Node {
	for range 20 {
		before := n.size()
		n = simplifyOnce(n)
		if n.size() == before {
			return n
		}
	}
	return n
}

// simplifyOnce applies the rules bottom-up in one pass.
func simplifyOnce(n *Node) *Node {
	if n.Kind == ConstNode || n.Kind == VarNode {
		return n
	}
	n.L = simplifyOnce(n.L)
	if n.Kind == UnaryNode {
		if n.L.Kind == ConstNode {
			if v := n.Op.apply1(n.L.Value); finite(v) {
				return constant(v)
			}
		}
		return n
	}
	n.R = simplifyOnce(n.R)
	if n.L.Kind == ConstNode && n.R.Kind == ConstNode {
		if v := n.Op.apply2(n.L.Value, n.R.Value); finite(v) {
			return constant(v)
		}
	}
	switch n.Op.code {
	case opAdd:
		return regroupSum(simplifyAdd(n))
	case opSub:
		return regroupSum(simplifySub(n))
	case opMul:
		return regroupSum(simplifyMul(n))
	case opDiv:
		return simplifyDiv(n)
	case opPow:
		if n.R.isConst(1) {
			return n.L
		}
		if n.R.isConst(0) {
			return constant(1)
		}
	}
	return n
}

func simplifyAdd(n *Node) *Node {
	switch {
	case n.R.isConst(0):
		return n.L
	case n.L.isConst(0):
		return n.R
	case n.L.Kind == ConstNode:
		return binary(addOp, n.R, n.L)
	case n.R.Kind == ConstNode && isAddConst(n.L):
		return binary(addOp, n.L.L, constant(n.L.R.Value+n.R.Value))
	case isAddConst(n.L):
		return binary(addOp, binary(addOp, n.L.L, n.R), n.L.R)
	}
	if m, ok := mergeLikeTerms(n.L, n.R, 1); ok {
		return m
	}
	return n
}

func simplifySub(n *Node) *Node {
	switch {
	case n.R.isConst(0):
		return n.L
	case n.L.equal(n.R):
		return constant(0)
	case n.L.isConst(0):
		return binary(mulOp, constant(-1), n.R)
	case n.R.Kind == ConstNode:
		return binary(addOp, n.L, constant(-n.R.Value))
	}
	if m, ok := mergeLikeTerms(n.L, n.R, -1); ok {
		return m
	}
	return n
}

func simplifyMul(n *Node) *Node {
	switch {
	case n.L.isConst(1):
		return n.R
	case n.R.isConst(1):
		return n.L
	case n.L.isConst(0) || n.R.isConst(0):
		return constant(0)
	case n.R.Kind == ConstNode:
		return binary(mulOp, n.R, n.L)
	case n.L.Kind == ConstNode && isMulConst(n.R):
		return binary(mulOp, constant(n.L.Value*n.R.L.Value), n.R.R)
	case n.L.Kind != ConstNode && isMulConst(n.L):
		return binary(mulOp, n.L.L, binary(mulOp, n.L.R, n.R))
	case n.L.Kind != ConstNode && isMulConst(n.R):
		return binary(mulOp, n.R.L, binary(mulOp, n.L, n.R.R))
	case n.L.Kind != ConstNode && isConstOver(n.R):
		return binary(mulOp, n.R.L, binary(divOp, n.L, n.R.R))
	}
	return n
}

func simplifyDiv(n *Node) *Node {
	switch {
	case n.R.isConst(1):
		return n.L
	case n.L.isConst(0):
		return constant(0)
	case n.L.equal(n.R):
		return constant(1)
	case n.L.Kind == BinaryNode && n.L.Op.code == opMul && n.L.R.equal(n.R):
		return n.L.L
	case n.L.Kind == BinaryNode && n.L.Op.code == opMul && n.L.L.equal(n.R):
		return n.L.R
	case n.R.Kind == ConstNode && isMulConst(n.L):
		return binary(mulOp, constant(n.L.L.Value/n.R.Value), n.L.R)
	case isAddConst(n.R) && n.R.R.Value != 1 && n.R.R.Value != 0:
		return normaliseRatio(n)
	case isMulConst(n.R):
		return binary(mulOp, constant(1/n.R.L.Value), binary(divOp, n.L, n.R.R))
	}
	return n
}

// normaliseRatio rewrites P/(Q + c) as (P/c)/(Q/c + 1) when both scalings
// fold into existing constants, so that a ratio has one printed form.
func normaliseRatio(n *Node) *Node {
	k := 1 / n.R.R.Value
	num, okN := scaleNode(n.L, k)
	den, okD := scaleNode(n.R.L, k)
	if !okN || !okD {
		return n
	}
	return binary(divOp, num, binary(addOp, den, constant(1)))
}

// scaleNode returns k·n when the factor can be absorbed by n's constants
// (a constant, a product with a leading constant, or sums and differences
// of such), and false otherwise.
func scaleNode(n *Node, k float64) (*Node, bool) {
	switch {
	case n.Kind == ConstNode:
		return constant(k * n.Value), true
	case isMulConst(n):
		return binary(mulOp, constant(k*n.L.Value), n.R), true
	case n.Kind == BinaryNode && (n.Op.code == opAdd || n.Op.code == opSub):
		a, okA := scaleNode(n.L, k)
		b, okB := scaleNode(n.R, k)
		return binary(n.Op, a, b), okA && okB
	case n.Kind == BinaryNode && n.Op.code == opDiv:
		a, ok := scaleNode(n.L, k)
		return binary(divOp, a, n.R), ok
	}
	return nil, false
}

// isAddConst reports whether n is x + c with c a constant.
func isAddConst(n *Node) bool {
	return n.Kind == BinaryNode && n.Op.code == opAdd && n.R.Kind == ConstNode
}

// isConstOver reports whether n is c / x with c a constant.
func isConstOver(n *Node) bool {
	return n.Kind == BinaryNode && n.Op.code == opDiv && n.L.Kind == ConstNode
}

// isMulConst reports whether n is c * x with c a constant.
func isMulConst(n *Node) bool {
	return n.Kind == BinaryNode && n.Op.code == opMul && n.L.Kind == ConstNode
}

// coefficient splits n into c·x, with c = 1 when n has no constant factor.
func coefficient(n *Node) (float64, *Node) {
	if isMulConst(n) {
		return n.L.Value, n.R
	}
	return 1, n
}

// mergeLikeTerms rewrites a + sign·b as (ca + sign·cb)·x when a = ca·x and
// b = cb·x share the same x.
func mergeLikeTerms(a, b *Node, sign float64) (*Node, bool) {
	ca, xa := coefficient(a)
	cb, xb := coefficient(b)
	if xa.Kind == ConstNode || !xa.equal(xb) {
		return nil, false
	}
	return binary(mulOp, constant(ca+sign*cb), xa), true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// signedTerm is a term of a flattened sum: coef·node.
type signedTerm struct {
	coef float64
	node *Node
}

// regroupSum flattens a sum (or a constant times a sum) into its terms,
// merges like terms and constants, and rebuilds it when that is no larger:
// tanh(u) + (tanh(u) - u) becomes 2.0*tanh(u) - u.
func regroupSum(n *Node) *Node {
	if !isSum(n) && !(isMulConst(n) && isSum(n.R)) {
		return n
	}
	var terms []signedTerm
	c0 := 0.0
	flattenSum(n, 1, &terms, &c0)
	var merged []signedTerm
	for _, t := range terms {
		found := false
		for i := range merged {
			if merged[i].node.equal(t.node) {
				merged[i].coef += t.coef
				found = true
				break
			}
		}
		if !found {
			merged = append(merged, t)
		}
	}
	rebuilt := rebuildSum(merged, c0)
	if rebuilt.size() <= n.size() {
		return rebuilt
	}
	return n
}

func isSum(n *Node) bool {
	return n.Kind == BinaryNode && (n.Op.code == opAdd || n.Op.code == opSub)
}

// flattenSum appends coef·n to terms, expanding sums, differences and
// constant multiples, and adds constant terms to c0.
func flattenSum(n *Node, coef float64, terms *[]signedTerm, c0 *float64) {
	switch {
	case n.Kind == ConstNode:
		*c0 += coef * n.Value
	case isSum(n):
		flattenSum(n.L, coef, terms, c0)
		sign := 1.0
		if n.Op.code == opSub {
			sign = -1
		}
		flattenSum(n.R, sign*coef, terms, c0)
	case isMulConst(n):
		flattenSum(n.R, coef*n.L.Value, terms, c0)
	default:
		*terms = append(*terms, signedTerm{coef: coef, node: n})
	}
}

// rebuildSum writes terms as a chain of additions and subtractions, a term
// with a positive coefficient first, the constant last.
func rebuildSum(terms []signedTerm, c0 float64) *Node {
	var kept []signedTerm
	for _, t := range terms {
		if t.coef != 0 {
			kept = append(kept, t)
		}
	}
	for i, t := range kept {
		if t.coef > 0 {
			front := append([]signedTerm{t}, kept[:i]...)
			kept = append(front, kept[i+1:]...)
			break
		}
	}
	if k := commonFactor(kept); k != 1 && c0 == 0 {
		for i := range kept {
			kept[i].coef /= k
		}
		return binary(mulOp, constant(k), rebuildSum(kept, 0))
	}
	var root *Node
	for _, t := range kept {
		if root == nil {
			root = scaled(t.coef, t.node)
			continue
		}
		if t.coef < 0 {
			root = binary(subOp, root, scaled(-t.coef, t.node))
		} else {
			root = binary(addOp, root, scaled(t.coef, t.node))
		}
	}
	switch {
	case root == nil:
		return constant(c0)
	case c0 != 0:
		return binary(addOp, root, constant(c0))
	}
	return root
}

// commonFactor is the shared coefficient magnitude of two or more terms
// (so that 2u - 2v becomes 2(u - v)), or 1 when there is none.
func commonFactor(terms []signedTerm) float64 {
	if len(terms) < 2 {
		return 1
	}
	k := math.Abs(terms[0].coef)
	for _, t := range terms[1:] {
		if math.Abs(t.coef) != k {
			return 1
		}
	}
	return k
}

// scaled is coef·n, or n when coef is 1.
func scaled(coef float64, n *Node) *Node {
	if coef == 1 {
		return n
	}
	return binary(mulOp, constant(coef), n)
}

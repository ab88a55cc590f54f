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
		return simplifyAdd(n)
	case opSub:
		return simplifySub(n)
	case opMul:
		return simplifyMul(n)
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
	case n.R.Kind == ConstNode && isMulConst(n.L):
		return binary(mulOp, constant(n.L.L.Value/n.R.Value), n.L.R)
	}
	return n
}

// isAddConst reports whether n is x + c with c a constant.
func isAddConst(n *Node) bool {
	return n.Kind == BinaryNode && n.Op.code == opAdd && n.R.Kind == ConstNode
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

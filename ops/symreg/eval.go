package symreg

import "math"

// instr is one step of a postfix program: push a constant or a variable
// column, or apply an operator to the top one or two stack entries.
type instr struct {
	kind  NodeKind
	op    *Operator
	value float64 // ConstNode
	index int     // VarNode: variable; ConstNode: position among constants
}

// program is an expression compiled to postfix order.
type program []instr

// compile flattens a tree into postfix order; constants are numbered in the
// same order as Node.constants.
func compile(root *Node) program {
	var p program
	nconst := 0
	var walk func(n *Node)
	walk = func(n *Node) {
		switch n.Kind {
		case ConstNode:
			p = append(p, instr{kind: ConstNode, value: n.Value, index: nconst})
			nconst++
		case VarNode:
			p = append(p, instr{kind: VarNode, index: n.Var})
		case UnaryNode:
			walk(n.L)
			p = append(p, instr{kind: UnaryNode, op: n.Op})
		case BinaryNode:
			walk(n.L)
			walk(n.R)
			p = append(p, instr{kind: BinaryNode, op: n.Op})
		}
	}
	walk(root)
	return p
}

// evaluator runs programs over float64 columns of a fixed length, reusing its
// stack buffers between runs. It is not safe for concurrent use.
type evaluator struct {
	n     int
	stack [][]float64
}

func newEvaluator(n int) *evaluator { return &evaluator{n: n} }

// slot returns stack buffer i, allocating it on first use.
func (ev *evaluator) slot(i int) []float64 {
	for len(ev.stack) <= i {
		ev.stack = append(ev.stack, make([]float64, ev.n))
	}
	return ev.stack[i]
}

// run evaluates p on the input columns and writes the result into out.
func (ev *evaluator) run(p program, cols [][]float64, out []float64) {
	ev.runWith(p, nil, cols, out)
}

// runWith is run with the program's constants replaced by consts (nil keeps
// the compiled values).
func (ev *evaluator) runWith(p program, consts []float64, cols [][]float64, out []float64) {
	sp := 0
	for _, in := range p {
		switch in.kind {
		case ConstNode:
			v := in.value
			if consts != nil {
				v = consts[in.index]
			}
			fill(ev.slot(sp), v)
			sp++
		case VarNode:
			copy(ev.slot(sp), cols[in.index])
			sp++
		case UnaryNode:
			applyUnary(in.op, ev.stack[sp-1])
		case BinaryNode:
			applyBinary(in.op, ev.stack[sp-2], ev.stack[sp-1])
			sp--
		}
	}
	copy(out, ev.stack[0])
}

func fill(dst []float64, v float64) {
	for i := range dst {
		dst[i] = v
	}
}

// applyUnary replaces x by op(x) element-wise.
func applyUnary(op *Operator, x []float64) {
	switch op.code {
	case opTanh:
		for i, v := range x {
			x[i] = math.Tanh(v)
		}
	case opExp:
		for i, v := range x {
			x[i] = math.Exp(v)
		}
	case opSin:
		for i, v := range x {
			x[i] = math.Sin(v)
		}
	case opCos:
		for i, v := range x {
			x[i] = math.Cos(v)
		}
	default:
		f := op.Unary
		for i, v := range x {
			x[i] = f(v)
		}
	}
}

// applyBinary replaces a by op(a, b) element-wise.
func applyBinary(op *Operator, a, b []float64) {
	b = b[:len(a)]
	switch op.code {
	case opAdd:
		for i := range a {
			a[i] += b[i]
		}
	case opSub:
		for i := range a {
			a[i] -= b[i]
		}
	case opMul:
		for i := range a {
			a[i] *= b[i]
		}
	case opDiv:
		for i := range a {
			a[i] /= b[i]
		}
	default:
		f := op.Binary
		for i := range a {
			a[i] = f(a[i], b[i])
		}
	}
}

// dual is a stack entry of forward-mode differentiation: values and the
// derivative of each value with respect to every constant that it depends on.
type dual struct {
	val  []float64
	tan  [][]float64 // tan[j]: d val / d constant j; valid only where deps has bit j
	deps []bool
}

// gradEvaluator evaluates a program and its Jacobian with respect to the
// program's constants by forward-mode differentiation, reusing buffers.
type gradEvaluator struct {
	n, k  int
	stack []dual
	tmp   []float64
}

func newGradEvaluator(n, k int) *gradEvaluator {
	return &gradEvaluator{n: n, k: k, tmp: make([]float64, 2*n)}
}

func (g *gradEvaluator) slot(i int) *dual {
	for len(g.stack) <= i {
		d := dual{val: make([]float64, g.n), tan: make([][]float64, g.k), deps: make([]bool, g.k)}
		for j := range d.tan {
			d.tan[j] = make([]float64, g.n)
		}
		g.stack = append(g.stack, d)
	}
	d := &g.stack[i]
	for j := range d.deps {
		d.deps[j] = false
	}
	return d
}

// run evaluates p with its constants replaced by consts and returns the top
// of the stack: values and tangents.
func (g *gradEvaluator) run(p program, consts []float64, cols [][]float64) *dual {
	sp := 0
	for _, in := range p {
		switch in.kind {
		case ConstNode:
			d := g.slot(sp)
			fill(d.val, consts[in.index])
			fill(d.tan[in.index], 1)
			d.deps[in.index] = true
			sp++
		case VarNode:
			d := g.slot(sp)
			copy(d.val, cols[in.index])
			sp++
		case UnaryNode:
			g.unary(in.op, &g.stack[sp-1])
		case BinaryNode:
			g.binary(in.op, &g.stack[sp-2], &g.stack[sp-1])
			sp--
		}
	}
	return &g.stack[0]
}

// unary applies op to x in place, chaining the tangents.
func (g *gradEvaluator) unary(op *Operator, x *dual) {
	dx := g.tmp[:g.n]
	switch op.code {
	case opTanh:
		for i, v := range x.val {
			t := math.Tanh(v)
			x.val[i], dx[i] = t, 1-t*t
		}
	case opExp:
		for i, v := range x.val {
			e := math.Exp(v)
			x.val[i], dx[i] = e, e
		}
	case opSin, opCos:
		for i, v := range x.val {
			s, c := math.Sincos(v)
			if op.code == opSin {
				x.val[i], dx[i] = s, c
			} else {
				x.val[i], dx[i] = c, -s
			}
		}
	default:
		for i, v := range x.val {
			dx[i] = op.deriv1(v)
			x.val[i] = op.apply1(v)
		}
	}
	for j, ok := range x.deps {
		if ok {
			t := x.tan[j]
			for i := range t {
				t[i] *= dx[i]
			}
		}
	}
}

// binary replaces a by op(a, b), chaining the tangents of both operands.
func (g *gradEvaluator) binary(op *Operator, a, b *dual) {
	da, db := g.tmp[:g.n], g.tmp[g.n:]
	if op.code == opAdd || op.code == opSub {
		sign := 1.0
		if op.code == opSub {
			sign = -1
		}
		for i := range a.val {
			a.val[i] += sign * b.val[i]
		}
		for j := range a.deps {
			g.combine(a, b, j, nil, sign)
		}
		return
	}
	switch op.code {
	case opMul:
		for i, av := range a.val {
			da[i], db[i] = b.val[i], av
			a.val[i] = av * b.val[i]
		}
	case opDiv:
		for i, av := range a.val {
			inv := 1 / b.val[i]
			q := av * inv
			da[i], db[i] = inv, -q*inv
			a.val[i] = q
		}
	default:
		for i := range a.val {
			da[i], db[i] = op.deriv2(a.val[i], b.val[i])
			a.val[i] = op.apply2(a.val[i], b.val[i])
		}
	}
	for j := range a.deps {
		if a.deps[j] {
			t := a.tan[j]
			for i := range t {
				t[i] *= da[i]
			}
		}
		g.combine(a, b, j, db, 1)
	}
}

// combine adds scale·db·tan_b[j] (db nil means 1) into a's tangent j.
func (g *gradEvaluator) combine(a, b *dual, j int, db []float64, scale float64) {
	if !b.deps[j] {
		return
	}
	ta, tb := a.tan[j], b.tan[j]
	if !a.deps[j] {
		fill(ta, 0)
		a.deps[j] = true
	}
	for i := range ta {
		f := scale
		if db != nil {
			f *= db[i]
		}
		ta[i] += f * tb[i]
	}
}

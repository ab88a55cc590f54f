package symreg

// linearStage runs the sparse regression of stage 1: best subsets of the
// term library fitted by least squares, their inner constants refined by
// BFGS, and rational functions P/(1+Q) fitted through the linearisation
// P - y·Q = y. Every fitted formula is offered to the hall of fame.
func (s *search) linearStage() {
	if !s.ops.has(opAdd) || !s.ops.has(opMul) {
		return
	}
	terms := buildLibrary(s.ops, s.data)
	gr := newGram(terms, s.data.y)
	for _, f := range bestSubsets(terms, gr, 5, s.opts.MaxSize, 2) {
		if s.expired() {
			return
		}
		root := linearExpr(terms, f)
		s.polish(root, hasInnerConstants(terms, f))
	}
	if s.ops.has(opDiv) {
		s.rationalStage()
	}
}

// hasInnerConstants reports whether any term of the subset carries a
// constant of its own, which least squares alone does not fit.
func hasInnerConstants(terms []term, f subsetFit) bool {
	for _, i := range f.idx {
		if n := terms[i].node; n != nil && len(n.constants(nil)) > 0 {
			return true
		}
	}
	return false
}

// polish fits the constants of a candidate (when fit is true), snaps them to
// short decimals, simplifies, and offers the result to the hall of fame.
func (s *search) polish(root *Node, fit bool) {
	loss := s.data.treeLoss(root)
	if fit {
		loss = s.data.fitConstants(root, 0, s.rng)
	}
	if !finite(loss) {
		return
	}
	root, loss = s.data.tidy(root)
	s.offer(root, loss)
}

// rationalStage fits y = (Σ a_i n_i)/(1 + Σ b_j d_j) for small numerator and
// denominator sets by least squares on Σ a_i n_i - y·Σ b_j d_j = y.
func (s *search) rationalStage() {
	terms, nNum := s.rationalTerms()
	gr := newGram(terms, s.data.y)
	keep := newSubsetTable(s.opts.MaxSize, 2)
	for _, idx := range subsetsUpTo(len(terms), 4) {
		if !mixed(idx, nNum) {
			continue
		}
		if f, ok := gr.solve(idx); ok && f.rss < 0.5*gr.yy {
			keep.offer(f, rationalExpr(terms, f, nNum).size())
		}
	}
	for _, f := range keep.all() {
		if s.expired() {
			return
		}
		s.polish(rationalExpr(terms, f, nNum), true)
	}
}

// rationalTerms lists the columns of the linearised rational fit: the
// intercept and numerator terms n_i (the first nNum), then the denominator
// terms d_j multiplied by -y. Terms are x and x·x per variable, and u·a for
// two variables.
func (s *search) rationalTerms() (terms []term, nNum int) {
	var simple []*Node
	for v := range s.data.cols {
		simple = append(simple, variable(v), binary(mulOp, variable(v), variable(v)))
	}
	if len(s.data.cols) == 2 {
		simple = append(simple, binary(mulOp, variable(0), variable(1)))
	}
	b := &libraryBuilder{ops: s.ops, data: s.data, ev: newEvaluator(len(s.data.y))}
	ones := make([]float64, len(s.data.y))
	fill(ones, 1)
	b.terms = append(b.terms, term{col: ones})
	for _, n := range simple {
		b.add(n)
	}
	nNum = len(b.terms)
	for _, n := range simple {
		b.add(n.clone())
	}
	for _, t := range b.terms[nNum:] {
		for k := range t.col {
			t.col[k] *= -s.data.y[k]
		}
	}
	return b.terms, nNum
}

// mixed reports whether a subset has numerator (index < nNum) and
// denominator terms.
func mixed(idx []int, nNum int) bool {
	num, den := false, false
	for _, i := range idx {
		if i < nNum {
			num = true
		} else {
			den = true
		}
	}
	return num && den
}

// subsetsUpTo lists all index subsets of 1..k elements of 0..n-1 in
// lexicographic order.
func subsetsUpTo(n, k int) [][]int {
	var out [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) > 0 {
			out = append(out, append([]int(nil), cur...))
		}
		if len(cur) == k {
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
	return out
}

// rationalExpr builds (Σ a_i n_i)/(1 + Σ b_j d_j) from a subset fit.
func rationalExpr(terms []term, f subsetFit, nNum int) *Node {
	var num, den *Node
	for i, ti := range f.idx {
		var n *Node
		if terms[ti].node == nil {
			n = constant(f.coef[i])
		} else {
			n = binary(mulOp, constant(f.coef[i]), terms[ti].node.clone())
		}
		if ti < nNum {
			num = sum(num, n)
		} else {
			den = sum(den, n)
		}
	}
	one := constant(1)
	one.fixed = true // P/Q is unchanged by scaling both: keep Q's constant at 1
	return binary(divOp, num, binary(addOp, one, den))
}

func sum(a, b *Node) *Node {
	if a == nil {
		return b
	}
	return binary(addOp, a, b)
}

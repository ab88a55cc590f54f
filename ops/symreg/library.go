package symreg

import (
	"math"
	"sort"
)

// term is one column of the stage-1 library: a formula without an outer
// coefficient (its inner constants, such as w in tanh(u/w), come from a grid
// and are refined later) and its values on the samples.
type term struct {
	node *Node // nil for the intercept
	col  []float64
}

// libraryBuilder assembles candidate terms from the operators allowed.
type libraryBuilder struct {
	ops   *OperatorSet
	data  *dataset
	ev    *evaluator
	terms []term
}

// Grids of inner constants for the parametric families.
var (
	tanhWidths  = []float64{0.5, 2, 3, 4, 5, 6, 8}
	frequencies = []float64{0.5, 2, 3}
	expRates    = []float64{-2, -1, -0.5, -0.25, 0.25, 0.5, 1, 2}
)

// buildLibrary returns the intercept and the candidate terms over every
// variable that the operator set can express, dropping terms that are not
// finite on the samples or are constant there.
func buildLibrary(ops *OperatorSet, data *dataset) []term {
	b := &libraryBuilder{ops: ops, data: data, ev: newEvaluator(len(data.y))}
	ones := make([]float64, len(data.y))
	fill(ones, 1)
	b.terms = append(b.terms, term{col: ones})
	nvars := len(data.cols)
	bases := make([][]*Node, nvars)
	for v := 0; v < nvars; v++ {
		bases[v] = b.bases(v)
		for _, n := range bases[v] {
			b.add(n)
		}
		for _, n := range b.families(v) {
			b.add(n)
		}
	}
	if ops.has(opMul) {
		for v := 0; v < nvars; v++ {
			for w := v + 1; w < nvars; w++ {
				for _, x := range bases[v] {
					for _, y := range bases[w] {
						b.add(binary(mulOp, x.clone(), y.clone()))
					}
				}
			}
		}
	}
	return b.terms
}

// bases are the simple terms of one variable that also enter products:
// x, x², x³, 1/x, tanh(x), sin(x), cos(x), exp(x), exp(-x).
func (b *libraryBuilder) bases(v int) []*Node {
	x := func() *Node { return variable(v) }
	var out []*Node
	out = append(out, x())
	if b.ops.has(opMul) {
		out = append(out, binary(mulOp, x(), x()), binary(mulOp, binary(mulOp, x(), x()), x()))
	}
	if b.ops.has(opDiv) {
		out = append(out, binary(divOp, constant(1), x()))
	}
	for _, op := range []*Operator{tanhOp, sinOp, cosOp, expOp} {
		if b.ops.has(op.code) {
			out = append(out, unary(op, x()))
		}
	}
	if b.ops.has(opExp) && b.ops.has(opMul) {
		out = append(out, unary(expOp, binary(mulOp, constant(-1), x())))
	}
	return out
}

// families are the terms of one variable with an inner constant from a grid:
// tanh(x/w), sin(k·x), cos(k·x), exp(k·x), exp(-x²), and x·f(x).
func (b *libraryBuilder) families(v int) []*Node {
	x := func() *Node { return variable(v) }
	var out []*Node
	if b.ops.has(opTanh) && b.ops.has(opDiv) {
		for _, w := range tanhWidths {
			out = append(out, unary(tanhOp, binary(divOp, x(), constant(w))))
		}
	}
	if !b.ops.has(opMul) {
		return out
	}
	for _, op := range []*Operator{sinOp, cosOp} {
		if b.ops.has(op.code) {
			for _, k := range frequencies {
				out = append(out, unary(op, binary(mulOp, constant(k), x())))
			}
		}
	}
	if b.ops.has(opExp) {
		for _, k := range expRates {
			if k != 1 && k != -1 {
				out = append(out, unary(expOp, binary(mulOp, constant(k), x())))
			}
		}
		out = append(out, unary(expOp, binary(mulOp, constant(-1), binary(mulOp, x(), x()))))
	}
	for _, op := range []*Operator{tanhOp, sinOp, cosOp, expOp} {
		if b.ops.has(op.code) {
			out = append(out, binary(mulOp, x(), unary(op, x())))
		}
	}
	return out
}

// add evaluates a candidate term and keeps it when it is finite and varies.
func (b *libraryBuilder) add(n *Node) {
	col := make([]float64, len(b.data.y))
	b.ev.run(compile(n), b.data.cols, col)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range col {
		if !finite(v) || math.Abs(v) > 1e12 {
			return
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo <= 1e-9*math.Max(1, math.Max(math.Abs(lo), math.Abs(hi))) {
		return
	}
	b.terms = append(b.terms, term{node: n, col: col})
}

// termComplexity is the size a term adds to a linear combination: the term,
// its coefficient and its multiplication (the intercept is one constant).
func termComplexity(t term) int {
	if t.node == nil {
		return 1
	}
	return t.node.size() + 2
}

// subsetFit is a subset of library columns and its least-squares fit.
type subsetFit struct {
	idx  []int
	coef []float64
	rss  float64
}

// gram holds the normal equations of the library with columns scaled to unit
// norm, so that subsets can be solved without touching the samples again.
type gram struct {
	g     [][]float64 // scaled AᵀA
	b     []float64   // scaled Aᵀy
	scale []float64   // column norms
	yy    float64
}

func newGram(terms []term, y []float64) *gram {
	L := len(terms)
	gr := &gram{g: make([][]float64, L), b: make([]float64, L), scale: make([]float64, L)}
	for i, t := range terms {
		s := 0.0
		for _, v := range t.col {
			s += v * v
		}
		gr.scale[i] = math.Sqrt(s)
	}
	for i := range terms {
		gr.g[i] = make([]float64, L)
		for j := 0; j <= i; j++ {
			s := 0.0
			ci, cj := terms[i].col, terms[j].col
			for k := range ci {
				s += ci[k] * cj[k]
			}
			s /= gr.scale[i] * gr.scale[j]
			gr.g[i][j], gr.g[j][i] = s, s
		}
		s := 0.0
		for k, v := range terms[i].col {
			s += v * y[k]
		}
		gr.b[i] = s / gr.scale[i]
	}
	for _, v := range y {
		gr.yy += v * v
	}
	return gr
}

// solve fits the subset idx by Cholesky on its scaled normal equations. It
// reports false when the subset is (nearly) collinear.
func (gr *gram) solve(idx []int) (subsetFit, bool) {
	c, rss, ok := gr.cholesky(idx)
	if !ok {
		return subsetFit{}, false
	}
	fit := subsetFit{idx: append([]int(nil), idx...), coef: make([]float64, len(idx)), rss: rss}
	for i := range idx {
		fit.coef[i] = c[i] / gr.scale[idx[i]]
	}
	return fit, true
}

// cholesky solves the scaled normal equations of a subset of at most 8
// columns without allocating; it returns the scaled coefficients and the
// residual sum of squares.
func (gr *gram) cholesky(idx []int) (c [8]float64, rss float64, ok bool) {
	k := len(idx)
	var a [8][8]float64
	var r, z [8]float64
	for i := 0; i < k; i++ {
		for j := 0; j <= i; j++ {
			a[i][j] = gr.g[idx[i]][idx[j]]
		}
		r[i] = gr.b[idx[i]]
	}
	for j := 0; j < k; j++ { // Cholesky in place, lower triangle
		d := a[j][j]
		for m := 0; m < j; m++ {
			d -= a[j][m] * a[j][m]
		}
		if d <= 1e-10 {
			return c, 0, false
		}
		a[j][j] = math.Sqrt(d)
		for i := j + 1; i < k; i++ {
			s := a[i][j]
			for m := 0; m < j; m++ {
				s -= a[i][m] * a[j][m]
			}
			a[i][j] = s / a[j][j]
		}
	}
	for i := 0; i < k; i++ {
		s := r[i]
		for m := 0; m < i; m++ {
			s -= a[i][m] * z[m]
		}
		z[i] = s / a[i][i]
	}
	for i := k - 1; i >= 0; i-- {
		s := z[i]
		for m := i + 1; m < k; m++ {
			s -= a[m][i] * c[m]
		}
		c[i] = s / a[i][i]
	}
	rss = gr.yy
	for i := 0; i < k; i++ {
		rss -= c[i] * r[i]
	}
	return c, math.Max(rss, 0), true
}

// subsetSearch explores subsets of the library and keeps the best few per
// complexity and the best overall of the current size (to extend).
type subsetSearch struct {
	gr      *gram
	cx      []int // complexity of each term
	maxSize int
	keep    *subsetTable
	level   []subsetFit // best fits of the current size, by residual
}

func (ss *subsetSearch) complexity(idx []int) int {
	c := len(idx) - 1 // the additions
	for _, i := range idx {
		c += ss.cx[i]
	}
	return c
}

// consider fits one subset and records it where it qualifies.
func (ss *subsetSearch) consider(idx []int) {
	cplx := ss.complexity(idx)
	if cplx > ss.maxSize {
		return
	}
	_, rss, ok := ss.gr.cholesky(idx)
	if !ok {
		return
	}
	forTable := ss.keep.accepts(cplx, rss)
	forLevel := len(ss.level) < levelWidth || rss < ss.level[len(ss.level)-1].rss
	if !forTable && !forLevel {
		return
	}
	f, _ := ss.gr.solve(idx)
	if forTable {
		ss.keep.offer(f, cplx)
	}
	if forLevel {
		ss.level = insertByRSS(ss.level, f, levelWidth)
	}
}

// levelWidth is how many subsets of one size are extended to the next.
const levelWidth = 24

// insertByRSS inserts f into a list sorted by residual, keeping at most n.
func insertByRSS(list []subsetFit, f subsetFit, n int) []subsetFit {
	i := sort.Search(len(list), func(i int) bool { return list[i].rss > f.rss })
	list = append(list, subsetFit{})
	copy(list[i+1:], list[i:])
	list[i] = f
	if len(list) > n {
		list = list[:n]
	}
	return list
}

// bestSubsets searches subsets of the library: exhaustively up to three
// terms, then by extending the best subsets one term at a time up to
// maxTerms. It returns, per complexity, the few subsets of least residual.
func bestSubsets(terms []term, gr *gram, maxTerms, maxSize, perComplexity int) []subsetFit {
	ss := &subsetSearch{gr: gr, maxSize: maxSize, keep: newSubsetTable(maxSize, perComplexity)}
	L := len(terms)
	for _, t := range terms {
		ss.cx = append(ss.cx, termComplexity(t))
	}
	idx := make([]int, 3)
	for i := 0; i < L; i++ {
		idx[0] = i
		ss.consider(idx[:1])
		for j := i + 1; j < L; j++ {
			idx[1] = j
			ss.consider(idx[:2])
			for k := j + 1; k < L && maxTerms >= 3; k++ {
				idx[2] = k
				ss.consider(idx[:3])
			}
		}
	}
	for size := 4; size <= maxTerms; size++ {
		prev := ss.level
		ss.level = nil
		for _, f := range prev {
			for t := 0; t < L; t++ {
				if !contains(f.idx, t) {
					ss.consider(append(append(make([]int, 0, size), f.idx...), t))
				}
			}
		}
	}
	return ss.keep.all()
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// subsetTable keeps the best few subsets per complexity.
type subsetTable struct {
	rows [][]subsetFit
	per  int
}

func newSubsetTable(maxSize, per int) *subsetTable {
	return &subsetTable{rows: make([][]subsetFit, maxSize+1), per: per}
}

// accepts reports whether a fit of this complexity and residual would be kept.
func (t *subsetTable) accepts(complexity int, rss float64) bool {
	if complexity >= len(t.rows) {
		return false
	}
	row := t.rows[complexity]
	return len(row) < t.per || rss < row[len(row)-1].rss
}

func (t *subsetTable) offer(f subsetFit, complexity int) {
	if !t.accepts(complexity, f.rss) {
		return
	}
	t.rows[complexity] = insertByRSS(t.rows[complexity], f, t.per)
}

func (t *subsetTable) all() []subsetFit {
	var out []subsetFit
	for _, row := range t.rows {
		out = append(out, row...)
	}
	return out
}

// linearExpr builds c0·t0 + c1·t1 + ... from a subset fit.
func linearExpr(terms []term, f subsetFit) *Node {
	var root *Node
	for i, ti := range f.idx {
		var n *Node
		if terms[ti].node == nil {
			n = constant(f.coef[i])
		} else {
			n = binary(mulOp, constant(f.coef[i]), terms[ti].node.clone())
		}
		if root == nil {
			root = n
		} else {
			root = binary(addOp, root, n)
		}
	}
	return root
}

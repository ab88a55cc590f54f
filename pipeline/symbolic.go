package pipeline

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/symreg"
	"github.com/ngs-lab/ngs/report"
)

// DefaultSymbolicBudget is the number of formulas one search may score
// unless told otherwise: searches of learned functions score about 10,000
// formulas before they converge, so this bound rarely binds and never
// depends on the machine.
const DefaultSymbolicBudget = 100_000

// DefaultMaxClusters is how many clusters get formulas unless told
// otherwise.
const DefaultMaxClusters = 8

// LearnedCurves are a fit's learned functions sampled on one grid, the
// curves the report's function plots show, with the clusters of its neurons.
type LearnedCurves struct {
	// Grid holds the G values of u the curves are sampled at.
	Grid []float32
	// Phi is N×G row-major: φ* of each neuron with its own embedding.
	Phi []float32
	// Psi is N×G row-major: each sender's ψ*, corrected (see
	// TransferCurves).
	Psi []float32
	// Labels gives each neuron's cluster, 0 … Clusters−1.
	Labels   []int
	Clusters int
	// PsiShared says that all neurons share one ψ* (no embedding input):
	// it gets one formula, from the median of all neurons' curves, rather
	// than one per cluster.
	PsiShared bool
}

// TrueFunctions describes the true network's functions, to judge formulas
// of learned curves by.
type TrueFunctions struct {
	// Types gives each neuron's true type; TypeNames names the types.
	Types     []int
	TypeNames []string
	// Phi and Psi hold each type's true φ and ψ sampled on the curves'
	// grid (nil when unknown).
	Phi, Psi [][]float32
	// PhiForms and PsiForms hold each type's true φ and ψ as formulas of
	// u with the type's constants ("" when unknown; see ExpectedForms).
	PhiForms, PsiForms []string
}

// SymbolicConfig says how hard to search.
type SymbolicConfig struct {
	// Budget is the number of formulas each search may score
	// (DefaultSymbolicBudget when 0).
	Budget int
	// Seed seeds every search; the same seed gives the same formulas on
	// any machine.
	Seed uint64
	// MaxClusters bounds how many clusters get formulas
	// (DefaultMaxClusters when 0).
	MaxClusters int
}

// Symbolic finds formulas for a fit's learned functions: one for ψ* when
// it is shared (else one per cluster) and one for each cluster's φ*, each
// fitted to the pointwise median of the cluster's curves. With truth (nil
// without), each cluster is matched to the true type most of its neurons
// have; the learned curve's own error against that type's true function is
// the tolerance, and a formula of the true form (its constants fitted) is
// preferred when it is within it. A search that finds nothing leaves its
// function out; the result's Note says when clusters were left out.
func Symbolic(ctx context.Context, curves LearnedCurves, truth *TrueFunctions, cfg SymbolicConfig) (report.Symbolic, error) {
	var out report.Symbolic
	g := len(curves.Grid)
	n := len(curves.Labels)
	if g < 2 {
		return out, fmt.Errorf("symbolic: expected a grid of at least 2 points, found %d", g)
	}
	if len(curves.Phi) != n*g || len(curves.Psi) != n*g {
		return out, fmt.Errorf("symbolic: expected φ* and ψ* curves of %d neurons × %d grid points, found %d and %d values", n, g, len(curves.Phi), len(curves.Psi))
	}
	if truth == nil {
		truth = &TrueFunctions{}
	}
	if cfg.Budget == 0 {
		cfg.Budget = DefaultSymbolicBudget
	}
	if cfg.MaxClusters == 0 {
		cfg.MaxClusters = DefaultMaxClusters
	}
	k := curves.Clusters
	if k > cfg.MaxClusters {
		out.Note = fmt.Sprintf("%d clusters: formulas for the first %d", k, cfg.MaxClusters)
		k = cfg.MaxClusters
	}
	search := func(fn string, cl int, curve []float32, typ int, trueCurves [][]float32, forms []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e, ok := fitFormula(ctx, fn, cl, curves.Grid, curve, typ, truth.TypeNames, trueCurves, forms, cfg); ok {
			out.Expressions = append(out.Expressions, e)
		}
		return nil
	}
	if curves.PsiShared {
		all := make([]int, n)
		if err := search("psi", -1, medianRows(curves.Psi, g, all, 0), majorityType(truth.Types, all, 0), truth.Psi, truth.PsiForms); err != nil {
			return out, err
		}
	}
	for cl := 0; cl < k; cl++ {
		typ := majorityType(truth.Types, curves.Labels, cl)
		if err := search("phi", cl, medianRows(curves.Phi, g, curves.Labels, cl), typ, truth.Phi, truth.PhiForms); err != nil {
			return out, err
		}
		if !curves.PsiShared {
			if err := search("psi", cl, medianRows(curves.Psi, g, curves.Labels, cl), typ, truth.Psi, truth.PsiForms); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// majorityType is the true type most neurons with label cl have (-1
// without true types for these neurons).
func majorityType(types []int, labels []int, cl int) int {
	if len(types) == 0 || len(types) != len(labels) {
		return -1
	}
	count := map[int]int{}
	best := -1
	for i, l := range labels {
		if l != cl {
			continue
		}
		t := types[i]
		count[t]++
		if best < 0 || count[t] > count[best] || count[t] == count[best] && t < best {
			best = t
		}
	}
	return best
}

// fitFormula searches one learned curve. With a true type, the true
// function of that type gives the tolerance (the curve's own mean squared
// error against it) and the expected form (its formula, constants to fit).
func fitFormula(ctx context.Context, fn string, cl int, grid, curve []float32, typ int, names []string, truth [][]float32, forms []string, cfg SymbolicConfig) (report.Expression, bool) {
	d := symreg.Data{Names: []string{"u"}, X: make([][]float64, len(grid)), Y: make([]float64, len(curve))}
	for k := range curve {
		d.X[k] = []float64{float64(grid[k])}
		d.Y[k] = float64(curve[k])
	}
	opts := symreg.Options{MaxEvaluations: cfg.Budget, Seed: cfg.Seed, AcceptR2: 0.999}
	e := report.Expression{Function: fn, Cluster: cl, LearnedError: math.NaN()}
	if typ >= 0 {
		e.Type = typeName(names, typ)
		if typ < len(truth) && len(truth[typ]) == len(curve) {
			var mse float64
			for k, v := range truth[typ] {
				diff := float64(curve[k]) - float64(v)
				mse += diff * diff
			}
			mse /= float64(len(curve))
			e.LearnedError = math.Sqrt(mse)
			opts.Tolerance = mse
		}
		if typ < len(forms) && forms[typ] != "" {
			if form, err := symreg.Parse(forms[typ], d.Names); err == nil {
				e.Expected = symreg.Simplify(form).String()
				// A form without constants (tanh(u)) gets a scale to fit, so
				// that what is chosen says what was learned: the true
				// function itself is always within the tolerance.
				if len(form.Constants()) == 0 {
					form, err = symreg.Parse("(1)*("+forms[typ]+")", d.Names)
				}
				if err == nil {
					opts.Prefer = []*symreg.Expr{form}
				}
			}
		}
	}
	res, err := symreg.Search(ctx, d, opts)
	if err != nil || len(res.Front) == 0 {
		return report.Expression{}, false
	}
	e.Expr, e.Loss, e.Complexity, e.R2 = res.Best.Expr.String(), res.Best.Loss, res.Best.Complexity, res.Best.R2
	e.Selected = string(res.Selected)
	for _, c := range nextOnFront(res, 2) {
		e.Next = append(e.Next, report.Alternative{Expr: c.Expr.String(), Loss: c.Loss, Complexity: c.Complexity})
	}
	return e, true
}

// nextOnFront returns up to n members of the front that follow the chosen
// formula in complexity, or, when fewer follow it, the ones before it.
func nextOnFront(res *symreg.Result, n int) []symreg.Candidate {
	var after, before []symreg.Candidate
	for i, c := range res.Front {
		switch {
		case i == res.BestIndex:
		case c.Complexity > res.Best.Complexity || c.Complexity == res.Best.Complexity && res.BestIndex < 0 && c.Expr.String() != res.Best.Expr.String():
			after = append(after, c)
		default:
			before = append(before, c)
		}
	}
	out := after[:min(n, len(after))]
	for k := len(before) - 1; k >= 0 && len(out) < n; k-- {
		out = append(out, before[k])
	}
	return out
}

// typeName is the name of true type k.
func typeName(names []string, k int) string {
	if k >= 0 && k < len(names) && names[k] != "" {
		return names[k]
	}
	return fmt.Sprintf("type %d", k)
}

// medianRows is the pointwise median of the rows (g values each) whose
// label is cl.
func medianRows(rows []float32, g int, labels []int, cl int) []float32 {
	var sel []int
	for i, l := range labels {
		if l == cl && (i+1)*g <= len(rows) {
			sel = append(sel, i)
		}
	}
	if len(sel) == 0 {
		return make([]float32, g)
	}
	picked := make([]float32, 0, len(sel)*g)
	for _, i := range sel {
		picked = append(picked, rows[i*g:(i+1)*g]...)
	}
	return metrics.ColumnMedians(picked, g)
}

// ExpectedForms writes, for every true type, the true φ (du/dt without its
// coupling sums, u[i] as u) and the true ψ (the sender factor of the rule's
// single coupling term, u[j] as u) as formulas with the type's parameter
// values as constants, terms whose parameters are zero left out. A form
// that needs something a formula of u cannot hold (the input e, the time t,
// min or max) is "". typeParams holds each type's parameter values.
func ExpectedForms(rule *eqn.Expr, typeParams []map[string]float64) (phi, psi []string) {
	if rule == nil {
		return nil, nil
	}
	couplings, err := eqn.Analyze(rule)
	var sender *eqn.Expr
	if err == nil && len(couplings) == 1 && len(couplings[0].Terms) == 1 && !couplings[0].Terms[0].Grouped {
		sender = couplings[0].Terms[0].Sender
	}
	for _, params := range typeParams {
		phi = append(phi, formString(rule, params, eqn.Receiver))
		f := ""
		if sender != nil {
			f = formString(sender, params, eqn.Sender)
		}
		psi = append(psi, f)
	}
	return phi, psi
}

// formString substitutes params into x, drops zero terms and writes the
// result in symreg's syntax, reading the state of side as u; "" when that is
// not possible.
func formString(x *eqn.Expr, params map[string]float64, side eqn.Side) string {
	n, ok := substitute(x, params, side)
	if !ok || n == nil {
		return ""
	}
	var b strings.Builder
	writeForm(&b, n)
	return b.String()
}

// formNode is a substituted expression: a constant (zero when it is
// exactly 0, dropped from sums and products), u, or an operation.
type formNode struct {
	op    string // "", "u", or an operator or function name
	value float64
	args  []*formNode
}

func (f *formNode) isZero() bool { return f.op == "" && f.value == 0 }

func substitute(x *eqn.Expr, params map[string]float64, side eqn.Side) (*formNode, bool) {
	switch x.Kind {
	case eqn.Const:
		return &formNode{value: x.Value}, true
	case eqn.Param:
		v, ok := params[x.Name]
		return &formNode{value: v}, ok
	case eqn.State:
		return &formNode{op: "u"}, x.Side == side
	case eqn.Sum:
		return &formNode{}, true
	case eqn.Unary:
		a, ok := substitute(x.Args[0], params, side)
		if !ok {
			return nil, false
		}
		name := x.Func.String()
		if x.Func == eqn.Neg {
			if a.isZero() {
				return a, true
			}
			return &formNode{op: "neg", args: []*formNode{a}}, true
		}
		switch name {
		case "tanh", "exp", "sin", "cos", "log", "sqrt", "abs":
			return &formNode{op: name, args: []*formNode{a}}, true
		}
		return nil, false
	case eqn.Binary:
		a, ok1 := substitute(x.Args[0], params, side)
		b, ok2 := substitute(x.Args[1], params, side)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch x.Func {
		case eqn.Add:
			if a.isZero() {
				return b, true
			}
			if b.isZero() {
				return a, true
			}
		case eqn.Sub:
			if b.isZero() {
				return a, true
			}
			if a.isZero() {
				return &formNode{op: "neg", args: []*formNode{b}}, true
			}
		case eqn.Mul:
			if a.isZero() || b.isZero() {
				return &formNode{}, true
			}
		case eqn.Div:
			if a.isZero() {
				return &formNode{}, true
			}
		case eqn.Pow:
		default:
			return nil, false
		}
		return &formNode{op: x.Func.String(), args: []*formNode{a, b}}, true
	}
	return nil, false
}

// writeForm writes a substituted expression fully parenthesised, so that
// symreg.Parse reads it back with every constant a node of its own.
func writeForm(b *strings.Builder, f *formNode) {
	switch {
	case f.op == "":
		b.WriteString("(" + strconv.FormatFloat(f.value, 'g', -1, 64) + ")")
	case f.op == "u":
		b.WriteString("u")
	case f.op == "neg":
		b.WriteString("(-")
		writeForm(b, f.args[0])
		b.WriteString(")")
	case len(f.args) == 1:
		b.WriteString(f.op + "(")
		writeForm(b, f.args[0])
		b.WriteString(")")
	default:
		b.WriteString("(")
		writeForm(b, f.args[0])
		b.WriteString(" " + f.op + " ")
		writeForm(b, f.args[1])
		b.WriteString(")")
	}
}

package experiment

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/ngs-lab/ngs/ops/cluster"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/symreg"
	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/runtime"
)

// Formula is the value returned by symbolic: the Pareto front of formulas
// found for a function, the best by PySR's rule, callable on new inputs.
type Formula struct {
	Result *symreg.Result
	Vars   []string
	// R2 is the best formula's R² against the samples it was fitted to.
	R2 float64
}

// Type implements runtime.Value.
func (*Formula) Type() string { return "formula" }

// String is the best formula in .ngs syntax.
func (f *Formula) String() string {
	if len(f.Result.Front) == 0 {
		return "<no formula found within the budget>"
	}
	return f.Result.Best.Expr.String()
}

// Names lists the fields of a formula.
func (f *Formula) Names() []string {
	return []string{"best", "loss", "complexity", "r2", "front", "timed_out"}
}

// Attr returns a field.
func (f *Formula) Attr(name string) (runtime.Value, error) {
	if len(f.Result.Front) == 0 && name != "timed_out" && name != "front" {
		return nil, fmt.Errorf("no formula was found within the budget")
	}
	b := f.Result.Best
	switch name {
	case "best":
		return runtime.String(b.Expr.String()), nil
	case "loss":
		return runtime.Number(b.Loss), nil
	case "complexity":
		return runtime.Number(b.Complexity), nil
	case "r2":
		return runtime.Number(f.R2), nil
	case "timed_out":
		return runtime.Bool(f.Result.TimedOut), nil
	case "front":
		l := runtime.NewList()
		for _, c := range f.Result.Front {
			r := runtime.NewRecord()
			r.Set("complexity", runtime.Number(c.Complexity))
			r.Set("loss", runtime.Number(c.Loss))
			r.Set("score", runtime.Number(c.Score))
			r.Set("expr", runtime.String(c.Expr.String()))
			l.Elems = append(l.Elems, r)
		}
		return l, nil
	}
	return nil, fmt.Errorf("a formula has no field %q (fields: %s)", name, strings.Join(f.Names(), ", "))
}

// CallValue evaluates the best formula at one point per variable (numbers)
// or at many (tensors of equal length).
func (f *Formula) CallValue(c *runtime.Call) (runtime.Value, error) {
	if len(f.Result.Front) == 0 {
		return nil, c.Errorf("no formula was found within the budget")
	}
	if len(c.Args) != len(f.Vars) {
		return nil, c.Errorf("this formula takes %d argument(s) (%s), found %d", len(f.Vars), strings.Join(f.Vars, ", "), len(c.Args))
	}
	cols := make([][]float32, len(c.Args))
	var shape []int
	for k, a := range c.Args {
		v, s, err := floats(a)
		if err != nil {
			return nil, c.ArgError(k, "%v", err)
		}
		if k > 0 && len(v) != len(cols[0]) {
			return nil, c.ArgError(k, "all arguments must have the same length")
		}
		cols[k], shape = v, s
	}
	x := make([][]float64, len(cols[0]))
	for r := range x {
		x[r] = make([]float64, len(cols))
		for k := range cols {
			x[r][k] = float64(cols[k][r])
		}
	}
	y, err := f.Result.Best.Expr.Eval(x)
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	out := make([]float32, len(y))
	for k, v := range y {
		out[k] = float32(v)
	}
	return shaped(out, shape), nil
}

var symbolicBuiltin = &runtime.Builtin{
	Name: "symbolic",
	Doc: "symbolic(f, x = nil, y = nil, cluster = nil, neuron = 0, xrange = nil, points = 200, ops = nil, custom = nil, maxsize = 25, seed = 0, budget = 100000, accept_r2 = 0.999): " +
		"find formulas for a learned function (fit.psi divided by its plateau, fit.phi with cluster = k), a script function sampled on xrange, or samples x (n or n×k) and y; " +
		"budget counts the formulas scored, so a seed gives the same formulas on any machine",
	Params: []runtime.Param{{Name: "f", Default: runtime.Nil{}}, {Name: "x", Default: runtime.Nil{}}, {Name: "y", Default: runtime.Nil{}},
		{Name: "cluster", Default: runtime.Nil{}}, {Name: "neuron", Default: runtime.Number(0)}, {Name: "xrange", Default: runtime.Nil{}},
		{Name: "points", Default: runtime.Number(200)}, {Name: "ops", Default: runtime.Nil{}}, {Name: "custom", Default: runtime.Nil{}},
		{Name: "maxsize", Default: runtime.Number(25)}, {Name: "seed", Default: runtime.Number(0)}, {Name: "budget", Default: runtime.Number(defaultSymbolicBudget)},
		{Name: "accept_r2", Default: runtime.Number(0.999)}},
	Fn: symbolicFn,
}

func symbolicFn(c *runtime.Call) (runtime.Value, error) {
	data, err := symbolicData(c)
	if err != nil {
		return nil, err
	}
	opts, err := symbolicOptions(c)
	if err != nil {
		return nil, err
	}
	return runSymbolic(c.Ctx(), data, opts, c)
}

func runSymbolic(ctx context.Context, data symreg.Data, opts symreg.Options, c *runtime.Call) (*Formula, error) {
	res, err := symreg.Search(ctx, data, opts)
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	f := &Formula{Result: res, Vars: data.Names, R2: math.NaN()}
	if len(res.Front) > 0 {
		pred, err := res.Best.Expr.Eval(data.X)
		if err == nil {
			f.R2 = r2f64(data.Y, pred)
		}
	}
	return f, nil
}

func r2f64(truth, pred []float64) float64 {
	a := make([]float32, len(truth))
	b := make([]float32, len(pred))
	for k := range truth {
		a[k], b[k] = float32(truth[k]), float32(pred[k])
	}
	return metrics.R2(a, b)
}

// symbolicData samples what symbolic fits.
func symbolicData(c *runtime.Call) (symreg.Data, error) {
	f := c.Get("f")
	if _, none := f.(runtime.Nil); none || f == nil {
		return tableData(c)
	}
	grid, err := symbolicGrid(c, f)
	if err != nil {
		return symreg.Data{}, err
	}
	var y []float32
	switch f := f.(type) {
	case *LearnedFunc:
		y, err = sampleLearned(c, f, grid)
	case *Formula, *runtime.Function, *runtime.Builtin:
		y, err = sampleScript(c, f, grid)
	default:
		if _, ok := f.(runtime.Callable); ok {
			y, err = sampleScript(c, f, grid)
		} else {
			return symreg.Data{}, c.ArgError(0, "symbolic needs a function (fit.psi, fit.phi, a script function) or x = ..., y = ..., found %s", f.Type())
		}
	}
	if err != nil {
		return symreg.Data{}, err
	}
	d := symreg.Data{Names: []string{"u"}, Y: make([]float64, len(y))}
	d.X = make([][]float64, len(grid))
	for k := range grid {
		d.X[k] = []float64{float64(grid[k])}
		d.Y[k] = float64(y[k])
	}
	return d, nil
}

func symbolicGrid(c *runtime.Call, f runtime.Value) ([]float32, error) {
	points, err := c.Number("points")
	if err != nil {
		return nil, err
	}
	if points < 2 {
		return nil, c.NamedError("points", "points must be ≥ 2, found %g", points)
	}
	if _, none := c.Get("xrange").(runtime.Nil); !none {
		lo, hi, err := rangeArg(c, "xrange")
		if err != nil {
			return nil, err
		}
		return linspace(lo, hi, int(points)), nil
	}
	xr := 5.0
	if lf, ok := f.(*LearnedFunc); ok && lf.Fit.Model.XNorm() > 0 {
		xr = lf.Fit.Model.XNorm()
	}
	return linspace(-xr, xr, int(points)), nil
}

// sampleLearned samples ψ*(u) (with a sender's embedding for N4/N5) or
// φ*(u, a) with a neuron's or a cluster's median embedding.
func sampleLearned(c *runtime.Call, f *LearnedFunc, grid []float32) ([]float32, error) {
	m := f.Fit.Model
	emb, err := chosenEmbedding(c, f.Fit)
	if err != nil {
		return nil, err
	}
	rows := repeatRows(emb, len(grid), true)
	var y []float32
	switch f.Which {
	case "phi":
		y, err = m.Phi(grid, rows)
	case "psi":
		// ψ* divided by its upper plateau: the corrected ψ* the report
		// plots (pipeline.TransferCurves), without N4's per-type scale,
		// which needs the true W. The embedding rows serve as sender and
		// receiver embedding alike; ψ* takes those its inputs name.
		if y, err = m.Psi(grid, rows, rows); err != nil {
			break
		}
		var upper float32
		if upper, err = gnn.PsiPlateauOf(m, m.XNorm(), emb); err != nil {
			break
		}
		if !(math.Abs(float64(upper)) > 1e-6) {
			return nil, c.Errorf("ψ* is %g on its plateau at [0.8, 1]·xnorm: it is flat there, cannot correct it", upper)
		}
		for k := range y {
			y[k] /= upper
		}
	default:
		return nil, c.ArgError(0, "symbolic over omega needs samples: symbolic(x = points, y = values)")
	}
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	return y, nil
}

// chosenEmbedding is the embedding of neuron = i, or the median embedding of
// cluster = k (clusters of the fit's last clustering step, else of its
// embeddings at threshold 0.1).
func chosenEmbedding(c *runtime.Call, fit *Fit) ([]float32, error) {
	m := fit.Model
	d := m.Spec().EmbeddingDim
	a := m.Embeddings()
	k, ok := c.Get("cluster").(runtime.Number)
	if !ok {
		i, err := c.Number("neuron")
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= m.N() {
			return nil, c.NamedError("neuron", "neuron must be in 0..%d, found %g", m.N()-1, i)
		}
		return a[int(i)*d : (int(i)+1)*d], nil
	}
	labels, count, err := fitClusters(fit, 0.1)
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	if k < 0 || int(k) >= count {
		return nil, c.NamedError("cluster", "cluster must be in 0..%d (the fit has %d clusters), found %g", count-1, count, float64(k))
	}
	return clusterMedian(a, d, labels, int(k)), nil
}

// fitClusters returns the clusters of the fit's last clustering step, or
// clusters its embeddings by single linkage at threshold (pipeline.Clusters).
func fitClusters(fit *Fit, threshold float64) ([]int, int, error) {
	if fit.Labels != nil {
		return fit.Labels, fit.Clusters, nil
	}
	return pipeline.Clusters(fit.Model, threshold)
}

func clusterMedian(a []float32, d int, labels []int, k int) []float32 {
	var pts [][]float64
	for i, l := range labels {
		if l == k {
			p := make([]float64, d)
			for j := range p {
				p[j] = float64(a[i*d+j])
			}
			pts = append(pts, p)
		}
	}
	med, err := cluster.Medians(pts, make([]int, len(pts)), 1)
	out := make([]float32, d)
	if err == nil && len(med) == 1 {
		for j := range out {
			out[j] = float32(med[0][j])
		}
	}
	return out
}

func sampleScript(c *runtime.Call, f runtime.Value, grid []float32) ([]float32, error) {
	y := make([]float32, len(grid))
	for k, u := range grid {
		v, err := c.Interp.CallValue(f, []runtime.Value{runtime.Number(u)}, nil, c.Pos)
		if err != nil {
			return nil, err
		}
		n, ok := v.(runtime.Number)
		if !ok {
			return nil, c.ArgError(0, "the function must return a number, found %s", v.Type())
		}
		y[k] = float32(n)
	}
	return y, nil
}

// tableData reads symbolic(x = ..., y = ...): x is n values or an n×k tensor.
func tableData(c *runtime.Call) (symreg.Data, error) {
	xv, yv := c.Get("x"), c.Get("y")
	if _, none := xv.(runtime.Nil); none {
		return symreg.Data{}, c.Errorf("symbolic needs a function or samples x = ..., y = ...")
	}
	x, xs, err := floats(xv)
	if err != nil {
		return symreg.Data{}, c.NamedError("x", "%v", err)
	}
	y, _, err := floats(yv)
	if err != nil {
		return symreg.Data{}, c.NamedError("y", "%v", err)
	}
	cols := 1
	if len(xs) == 2 {
		cols = xs[1]
	}
	if len(y)*cols != len(x) {
		return symreg.Data{}, c.NamedError("y", "y has %d values but x has %d samples", len(y), len(x)/cols)
	}
	d := symreg.Data{Y: make([]float64, len(y)), X: make([][]float64, len(y))}
	for r := range y {
		d.Y[r] = float64(y[r])
		d.X[r] = make([]float64, cols)
		for k := 0; k < cols; k++ {
			d.X[r][k] = float64(x[r*cols+k])
		}
	}
	d.Names = []string{"u"}
	if cols > 1 {
		d.Names = nil
		for k := 0; k < cols; k++ {
			d.Names = append(d.Names, fmt.Sprintf("x%d", k))
		}
	}
	return d, nil
}

func symbolicOptions(c *runtime.Call) (symreg.Options, error) {
	var o symreg.Options
	size, err := c.Number("maxsize")
	if err != nil {
		return o, err
	}
	o.MaxSize = int(size)
	seed, err := c.Number("seed")
	if err != nil {
		return o, err
	}
	o.Seed = uint64(seed)
	if o.MaxEvaluations, err = symbolicBudget(c); err != nil {
		return o, err
	}
	// Learned functions carry smooth, systematic errors: PySR's rule alone
	// picks long formulas that fit them; accept the simplest formula that
	// reaches this R² instead (0 turns it off).
	if o.AcceptR2, err = c.Number("accept_r2"); err != nil {
		return o, err
	}
	if l, ok := c.Get("ops").(*runtime.List); ok {
		for _, e := range l.Elems {
			s, ok := e.(runtime.String)
			if !ok {
				return o, c.NamedError("ops", "ops lists operator names such as \"tanh\", found %s", e.Type())
			}
			o.Operators = append(o.Operators, string(s))
		}
	}
	if r, ok := c.Get("custom").(*runtime.Record); ok {
		for _, name := range r.Keys() {
			fn, _ := r.Get(name)
			o.Custom = append(o.Custom, customOperator(c, name, fn))
		}
	}
	return o, nil
}

// customOperator wraps a one-argument script function as an operator.
func customOperator(c *runtime.Call, name string, fn runtime.Value) *symreg.Operator {
	return symreg.NewUnary(name, func(x float64) float64 {
		v, err := c.Interp.CallValue(fn, []runtime.Value{runtime.Number(x)}, nil, c.Pos)
		if err != nil {
			return math.NaN()
		}
		n, ok := v.(runtime.Number)
		if !ok {
			return math.NaN()
		}
		return float64(n)
	}, nil)
}

// defaultSymbolicBudget is the evaluation budget of report() and symbolic().
const defaultSymbolicBudget = pipeline.DefaultSymbolicBudget

// symbolicBudget reads budget = formulas to score (default 100,000).
func symbolicBudget(c *runtime.Call) (int, error) {
	b, ok := c.Get("budget").(runtime.Number)
	if !ok {
		return defaultSymbolicBudget, nil
	}
	if !(b >= 1000) || b > 1e9 {
		return 0, c.NamedError("budget", "budget counts the formulas the search may score (default %d, at least 1000; it is no longer seconds), found %g", defaultSymbolicBudget, float64(b))
	}
	return int(b), nil
}

// repeatRows repeats row n times (nil when use is false: an input the
// model variant does not take).
func repeatRows(row []float32, n int, use bool) []float32 {
	if !use {
		return nil
	}
	out := make([]float32, 0, n*len(row))
	for r := 0; r < n; r++ {
		out = append(out, row...)
	}
	return out
}

// expectedForms writes the true φ and ψ of each of the network's types as
// formulas (pipeline.ExpectedForms).
func expectedForms(net *Network) (phi, psi []string) {
	params := make([]map[string]float64, len(net.Kinds))
	for k, kind := range net.Kinds {
		params[k] = kind.Params
	}
	return pipeline.ExpectedForms(net.Rule, params)
}

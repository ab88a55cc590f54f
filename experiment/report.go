package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/input"
	"github.com/ngs-lab/ngs/ops/sim"
	"github.com/ngs-lab/ngs/report"
	"github.com/ngs-lab/ngs/runtime"
)

var reportBuiltin = &runtime.Builtin{
	Name: "report",
	Doc: "report(fit, truth = nil, out = \"report\", rollout = 1000, transfer = nil, threshold = 0.1, symbolic = true, budget = 100000, sparsity = nil, edge_threshold = 3): " +
		"compare a fit with the true network and write metrics.json, report.md, report.html, plots and the summary figure to OUT/out; returns the metrics as a record. " +
		"The edges section reads a sparse graph off Ŵ (the top fraction sparsity of |Ŵ|, or |Ŵ| ≥ edge_threshold robust standard deviations) and gives its precision and recall against the true W",
	Params: []runtime.Param{{Name: "fit"}, {Name: "truth", Default: runtime.Nil{}}, {Name: "out", Default: runtime.String("report")},
		{Name: "rollout", Default: runtime.Number(1000)}, {Name: "transfer", Default: runtime.Nil{}},
		{Name: "threshold", Default: runtime.Number(0.1)}, {Name: "symbolic", Default: runtime.Bool(true)},
		{Name: "budget", Default: runtime.Number(defaultSymbolicBudget)},
		{Name: "sparsity", Default: runtime.Nil{}}, {Name: "edge_threshold", Default: runtime.Number(report.DefaultEdgeScale)}},
	Fn: reportFn,
}

// reporter computes the sections of one report.
type reporter struct {
	c         *runtime.Call
	fit       *Fit
	truth     *Network
	r         *report.Report
	grid      []float32
	threshold float64
	labels    []int // clusters of the embeddings (nil when not computed)
	edgeRule  report.EdgeRule
	// trueW and learnedW are comparedWeights' matrices, kept by the
	// connectivity section for the edges section.
	trueW, learnedW []float32
	sym             symbolicInputs
}

func reportFn(c *runtime.Call) (runtime.Value, error) {
	fit, ok := c.Arg(0).(*Fit)
	if !ok {
		return nil, c.ArgError(0, "report needs the fit returned by train, found %s", c.Arg(0).Type())
	}
	truth := fit.Data.Network
	if t, ok := c.Get("truth").(*Network); ok {
		truth = t
	} else if _, none := c.Get("truth").(runtime.Nil); !none {
		return nil, c.NamedError("truth", "truth must be a network, found %s", c.Get("truth").Type())
	}
	if truth.N != fit.Model.N() {
		return nil, c.NamedError("truth", "truth has %d neurons but the fit has %d", truth.N, fit.Model.N())
	}
	out, err := c.NamedString("out", "report")
	if err != nil {
		return nil, err
	}
	dir, err := c.ResolvePath(out)
	if err != nil {
		return nil, err
	}
	threshold, err := c.Number("threshold")
	if err != nil {
		return nil, err
	}
	rule, err := edgeRule(c, "sparsity", "edge_threshold")
	if err != nil {
		return nil, err
	}
	// Make the folder through the run's file system, which refuses a path
	// that leads outside the host's root through a symbolic link.
	if err := c.FS().MkdirAll(dir, 0o755); err != nil {
		return nil, c.NamedError("out", "%v", err)
	}
	start := time.Now()
	timings := map[string]float64{"simulate": fit.Data.Seconds, "train": fit.Seconds}
	rp := &reporter{c: c, fit: fit, truth: truth, threshold: threshold, edgeRule: rule,
		r: report.New(dir, report.Meta{Script: c.Pos.File, Seed: fit.Seed, Version: runtime.Version, Start: start, Timings: timings})}
	xr := fit.Model.XNorm()
	if !(xr > 0) {
		xr = 5
	}
	rp.grid = linspace(-xr, xr, 200)
	rp.sections()
	timings["report"] = time.Since(start).Seconds()
	timings["total"] = timings["simulate"] + timings["train"] + timings["report"]
	if err := rp.r.Close(); err != nil {
		return nil, c.Errorf("writing the report: %v", err)
	}
	fmt.Fprintf(c.Out(), "report written to %s\n", dir)
	return toValue(rp.r.MetricTree()), nil
}

// sections runs every section; one that fails is listed as skipped with its
// reason, and the others still run.
func (rp *reporter) sections() {
	list := []reportSection{
		{"activity", rp.activity},
		{"connectivity", rp.connectivity},
		{"edges", rp.edges},
		{"types", rp.types},
		{"functions", rp.functions},
		{"rollout", rp.rollout},
		{"transfer", rp.transfer},
		{"external input", rp.externalInput},
		{"training", rp.training},
		{"symbolic", rp.symbolic},
	}
	if rp.fit.Data.Recording != nil {
		list = rp.recordingSections(list)
	}
	for _, s := range list {
		if err := rp.c.Ctx().Err(); err != nil {
			rp.r.Skip(s.name, "cancelled: "+err.Error())
			continue
		}
		if err := s.fn(); err != nil {
			rp.r.Skip(s.name, err.Error())
		}
	}
}

// skipped is an error that says why a section does not apply.
type skipped string

func (s skipped) Error() string { return string(s) }

func (rp *reporter) activity() error {
	d := rp.fit.Data
	return rp.r.AddActivity(report.Activity{U: d.U, Frames: d.Frames, Neurons: len(d.Neurons), Dt: d.Dt,
		Types: rp.truth.Types, TypeNames: rp.typeNames()})
}

func (rp *reporter) typeNames() []string {
	names := make([]string, len(rp.truth.Kinds))
	for k, t := range rp.truth.Kinds {
		names[k] = t.Name
	}
	return names
}

func (rp *reporter) connectivity() error {
	m := rp.fit.Model
	trueW, corrected, err := comparedWeights(m, rp.fit.Data, rp.truth)
	if err != nil {
		return err
	}
	rp.trueW, rp.learnedW = trueW, corrected
	c := report.Connectivity{N: m.N(), True: trueW, Learned: corrected, Raw: m.W()}
	if base, err := rp.leastSquares(); err == nil {
		c.Baseline = base
	} else {
		c.BaselineNote = err.Error()
	}
	return rp.r.AddConnectivity(c)
}

// leastSquares is the reviewer's baseline: with the true ψ and local update
// known, the W minimising the derivative error, solved directly.
func (rp *reporter) leastSquares() ([]float32, error) {
	d := rp.fit.Data
	n := rp.truth.N
	frames := min(d.Frames, 20*n)
	stride := max(1, d.Frames/frames)
	frames = d.Frames / stride
	u := make([]float32, frames*n)
	du := make([]float32, frames*n)
	for f := 0; f < frames; f++ {
		copy(u[f*n:(f+1)*n], d.U[f*stride*n:])
		copy(du[f*n:(f+1)*n], d.DU[f*stride*n:])
	}
	var e []float32
	if d.E != nil {
		e = make([]float32, frames*n)
		for f := 0; f < frames; f++ {
			copy(e[f*n:(f+1)*n], d.E[f*stride*n:])
		}
	}
	s, local, factor, ok, err := senderAndLocal(rp.truth, u, e, frames)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, skipped("the rule has several or receiver-dependent coupling terms: no direct baseline")
	}
	for k := range du {
		if factor[k] == 0 {
			return nil, skipped("the coupling term vanishes for some neuron and frame: no direct baseline")
		}
		du[k] = (du[k] - local[k]) / factor[k]
	}
	// No ridge: the Gram matrix is ill-conditioned and a ridge biases the
	// solution badly; with too few frames the solve fails and says so.
	return eval.LeastSquaresW(s, du, frames, n, 0)
}

func (rp *reporter) types() error {
	m := rp.fit.Model
	if rp.fit.Frozen {
		return skipped("the embeddings were frozen (freeze_embedding = true): no types to recover")
	}
	d := m.Spec().EmbeddingDim
	score, err := eval.TypeRecovery(m.Embeddings(), d, rp.truth.Types, rp.threshold)
	if err != nil {
		return err
	}
	rp.labels = score.Labels
	t := report.Types{Embeddings: m.Embeddings(), Dim: d, TrueTypes: rp.truth.Types, Clusters: score.Labels, TypeNames: rp.typeNames()}
	t.Warning = clusterWarning(rp.threshold, score.Clusters, m.N(), len(rp.truth.Kinds))
	if rp.fit.Unclustered != nil {
		t.Unclustered, t.UnclusteredWhen = rp.fit.Unclustered, fmt.Sprintf("end of epoch %d, before the first clustering step", rp.fit.UnclusteredEpoch+1)
	}
	return rp.r.AddTypes(t)
}

// clusterWarning says when a clustering threshold merges every neuron into
// one cluster or leaves each neuron alone ("" otherwise).
func clusterWarning(threshold float64, clusters, neurons, kinds int) string {
	switch {
	case clusters == 1 && kinds > 1:
		return fmt.Sprintf("threshold %g merges all %d neurons into one cluster (the truth has %d types): try a smaller threshold", threshold, neurons, kinds)
	case clusters == neurons && neurons > kinds:
		return fmt.Sprintf("threshold %g leaves each of the %d neurons in its own cluster: try a larger threshold", threshold, neurons)
	}
	return ""
}

// edges reads a sparse graph off the corrected Ŵ with the report's rule and
// scores it against the true W.
func (rp *reporter) edges() error {
	m := rp.fit.Model
	trueW, corrected := rp.trueW, rp.learnedW
	if trueW == nil {
		var err error
		if trueW, corrected, err = comparedWeights(m, rp.fit.Data, rp.truth); err != nil {
			return err
		}
	}
	thr, desc, err := report.EdgeThreshold(corrected, m.N(), rp.edgeRule)
	if err != nil {
		return err
	}
	return rp.r.AddEdges(report.Edges{N: m.N(), True: trueW, Learned: corrected, Threshold: thr, Rule: desc})
}

// edgeRule reads the two settings that say how a sparse graph is read off
// Ŵ: a sparsity (fraction kept; nil when unset) and a threshold in robust
// standard deviations. An out-of-range value is an error naming its setting.
func edgeRule(c *runtime.Call, sparsityName, scaleName string) (report.EdgeRule, error) {
	rule := report.EdgeRule{Sparsity: math.NaN()}
	if _, none := c.Get(sparsityName).(runtime.Nil); !none {
		f, err := c.Number(sparsityName)
		if err != nil {
			return rule, err
		}
		if !(f >= 0 && f <= 1) {
			return rule, c.NamedError(sparsityName, "%s is the fraction of connections kept, in [0, 1], found %g", sparsityName, f)
		}
		rule.Sparsity = f
	}
	k, err := c.Number(scaleName)
	if err != nil {
		return rule, err
	}
	if !(k > 0) || math.IsInf(k, 0) {
		return rule, c.NamedError(scaleName, "%s is a positive number of robust standard deviations of |Ŵ|, found %g", scaleName, k)
	}
	rule.Scale = k
	return rule, nil
}

func (rp *reporter) functions() error {
	m := rp.fit.Model
	truePhi, truePsi, err := trueFunctions(rp.truth, rp.grid)
	if err != nil {
		return err
	}
	phi := m.SamplePhi(rp.grid)
	rp.sym.phi, rp.sym.truePhi, rp.sym.truePsi = phi, truePhi, truePsi
	names := rp.typeNames()
	if err := rp.r.AddUpdateFunctions(report.Functions{Grid: rp.grid, Curves: phi, CurveTypes: rp.truth.Types, True: flatten(truePhi), TypeNames: names}); err != nil {
		return err
	}
	if truePsi == nil {
		return skipped("the true rule has no coupling term")
	}
	psi, scales, err := correctedTransfer(m, rp.fit.Data, rp.truth, rp.grid)
	if err != nil {
		return err
	}
	rp.sym.psi = psi
	return rp.r.AddTransferFunctions(report.Functions{Grid: rp.grid, Curves: psi, CurveTypes: rp.truth.Types, True: flatten(truePsi), TypeNames: names, Scales: scales})
}

func flatten(rows [][]float32) []float32 {
	var out []float32
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// rollout integrates the learned model and the noise-free true network from
// the first recorded frame and compares them.
func (rp *reporter) rollout() error {
	steps, err := rp.c.Number("rollout")
	if err != nil {
		return err
	}
	if steps < 1 {
		return skipped("rollout = 0")
	}
	d := rp.fit.Data
	n := rp.truth.N
	u0 := append([]float32(nil), d.U[:n]...)
	var ext []float32
	if d.E != nil && len(d.Neurons) == n {
		ext = d.E[:min(len(d.E), int(steps)*n)]
		if len(ext) < int(steps)*n {
			return skipped("the recorded input is shorter than the rollout")
		}
	}
	learned, truth, err := rp.rollPair(rp.fit.Model, rp.truth, u0, int(steps), ext)
	if err != nil {
		return err
	}
	return rp.r.AddRollout(report.Rollout{True: truth, Learned: learned, Frames: int(steps) + 1, Neurons: n, Dt: d.Dt, Checkpoints: checkpoints(int(steps)),
		Types: rp.truth.Types, TypeNames: rp.typeNames()})
}

func checkpoints(steps int) []int {
	var out []int
	for _, s := range []int{400, 800} {
		if s <= steps {
			out = append(out, s)
		}
	}
	return out
}

// rollPair rolls a model and a true network out from u0 for steps steps.
func (rp *reporter) rollPair(m *gnn.Model, net *Network, u0 []float32, steps int, ext []float32) (learned, truth []float32, err error) {
	dt := rp.fit.Data.Dt
	learned, err = m.Rollout(u0, dt, steps, ext)
	if err != nil {
		return nil, nil, err
	}
	simNet := &sim.Network{N: net.N, Types: net.Types, Params: net.Params, Rule: net.Rule, W: net.W, U0: u0}
	if ext != nil {
		table, err := input.NewTable(append(ext, ext[len(ext)-net.N:]...), steps+1, net.N)
		if err != nil {
			return nil, nil, err
		}
		simNet.Input = table
	}
	res, err := sim.Run(rp.c.Ctx(), simNet, sim.Options{Dt: dt, Frames: steps + 1, Record: sim.RecordU})
	if err != nil {
		return nil, nil, err
	}
	return learned, res.U, nil
}

// transfer gives each neuron of another network its type's learned
// embedding, the learned model that network's wiring, and rolls both out
// (Supp 5 and 6).
func (rp *reporter) transfer() error {
	other, ok := rp.c.Get("transfer").(*Network)
	if !ok {
		return skipped("no transfer network given (transfer = net)")
	}
	m := rp.fit.Model
	if other.N != m.N() || len(other.Kinds) != len(rp.truth.Kinds) {
		return fmt.Errorf("the transfer network must have the same size and types as the truth (%d neurons, %d types), found %d and %d", m.N(), len(rp.truth.Kinds), other.N, len(other.Kinds))
	}
	d := m.Spec().EmbeddingDim
	table, err := eval.TypeEmbeddingTable(m.Embeddings(), d, rp.truth.Types, len(rp.truth.Kinds))
	if err != nil {
		return err
	}
	emb, err := eval.EmbeddingsFromTypes(other.Types, table)
	if err != nil {
		return err
	}
	upper, err := gnn.PsiPlateau(m, m.XNorm())
	if err != nil {
		return err
	}
	clone := m.Clone()
	n := other.N
	w := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w[i*n+j] = other.W[i*n+j] * float32(other.Gain) / upper[j]
		}
	}
	if err := clone.SetW(w); err != nil {
		return err
	}
	if err := clone.SetEmbeddings(emb); err != nil {
		return err
	}
	u0 := make([]float32, n)
	rng := rand.New(rand.NewPCG(uint64(rp.fit.Seed), 7))
	for i := range u0 {
		u0[i] = float32(5 * rng.NormFloat64())
	}
	steps := 1000
	learned, truth, err := rp.rollPair(clone, other, u0, steps, nil)
	if err != nil {
		return err
	}
	return rp.r.AddTransfer(report.Rollout{True: truth, Learned: learned, Frames: steps + 1, Neurons: n, Dt: rp.fit.Data.Dt})
}

func (rp *reporter) training() error {
	h := rp.fit.History
	if len(h) == 0 {
		return skipped("no training progress was recorded")
	}
	var t report.Training
	t.XLabel = "step"
	for _, p := range h {
		step := float64(p.Epoch*p.StepsPerEpoch + p.Step)
		t.Loss = append(t.Loss, p.Loss)
		t.LossAt = append(t.LossAt, step)
		if !math.IsNaN(p.R2) {
			t.R2 = append(t.R2, p.R2)
			t.R2At = append(t.R2At, step)
			t.R2Seconds = append(t.R2Seconds, p.Elapsed)
		}
	}
	m := rp.fit.Model
	if val := m.ValidationLosses(); len(val) > 0 && len(h) > 0 {
		steps := float64(h[0].StepsPerEpoch)
		first := m.EpochsDone() - len(val) // epochs trained before a resume have their values too
		for e, v := range val {
			t.Validation = append(t.Validation, v)
			t.ValidationAt = append(t.ValidationAt, float64(first+e+1)*steps)
		}
		if b := m.BestEpoch(); b >= 0 {
			t.Best = float64(b+1) * steps
		}
		t.BestEpoch = m.BestEpoch()
	}
	return rp.r.AddTraining(t)
}

// toValue converts decoded metrics (maps, slices, numbers) to script values.
func toValue(v any) runtime.Value {
	switch v := v.(type) {
	case nil:
		return runtime.Nil{}
	case float64:
		return runtime.Number(v)
	case float32:
		return runtime.Number(v)
	case int:
		return runtime.Number(v)
	case bool:
		return runtime.Bool(v)
	case string:
		return runtime.String(v)
	case []any:
		l := runtime.NewList()
		for _, x := range v {
			l.Elems = append(l.Elems, toValue(x))
		}
		return l
	case []string:
		l := runtime.NewList()
		for _, x := range v {
			l.Elems = append(l.Elems, runtime.String(x))
		}
		return l
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		r := runtime.NewRecord()
		for _, k := range keys {
			r.Set(k, toValue(v[k]))
		}
		return r
	}
	return runtime.String(fmt.Sprint(v))
}

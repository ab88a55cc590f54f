package experiment

import (
	"fmt"
	"math"
	"sort"

	"github.com/ngs-lab/ngs/pipeline"
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

// reportFn binds report(...) to pipeline.Report: it reads the arguments,
// makes the output folder through the run's file system and returns the
// metrics as a record.
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
	cfg := pipeline.ReportConfig{Dir: dir, Meta: report.Meta{Script: c.Pos.File, Seed: fit.Seed, Version: runtime.Version,
		Timings: map[string]float64{"simulate": fit.Data.Seconds, "train": fit.Seconds}}}
	if cfg.Threshold, err = c.Number("threshold"); err != nil {
		return nil, err
	}
	if cfg.EdgeRule, err = edgeRule(c, "sparsity", "edge_threshold"); err != nil {
		return nil, err
	}
	steps, err := c.Number("rollout")
	if err != nil {
		return nil, err
	}
	cfg.Rollout = int(steps)
	if other, ok := c.Get("transfer").(*Network); ok {
		cfg.Transfer = other.truth()
	}
	if cfg.Symbolic, err = c.NamedBool("symbolic", true); err != nil {
		return nil, err
	}
	if cfg.Symbolic {
		if cfg.SymbolicBudget, err = symbolicBudget(c); err != nil {
			return nil, err
		}
	}
	// Make the folder through the run's file system, which refuses a path
	// that leads outside the host's root through a symbolic link.
	if err := c.FS().MkdirAll(dir, 0o755); err != nil {
		return nil, c.NamedError("out", "%v", err)
	}
	bar := newProgressBar(c, "report "+out)
	cfg.OnSection = func(name string, done, total int, seconds float64) {
		bar.update(done, total, fmt.Sprintf("%s took %.1fs", name, seconds))
	}
	metrics, err := pipeline.Report(c.Ctx(), fit.pipelineFit(), fit.Data.pipelineData(), truth.truth(), cfg)
	bar.done()
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	fmt.Fprintf(c.Out(), "report written to %s\n", dir)
	tree, err := metrics.Tree()
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	return toValue(tree), nil
}

// truth is the network as the pipeline's Truth.
func (n *Network) truth() *pipeline.Truth {
	t := &pipeline.Truth{N: n.N, W: n.W, Types: n.Types, Params: n.Params, Rule: n.Rule, Gain: n.Gain,
		TypeNames: make([]string, len(n.Kinds)), TypeParams: make([]map[string]float64, len(n.Kinds))}
	for k, kind := range n.Kinds {
		t.TypeNames[k], t.TypeParams[k] = kind.Name, kind.Params
	}
	return t
}

// pipelineData is the dataset as the pipeline's Data (nil for nil).
func (d *Dataset) pipelineData() *pipeline.Data {
	if d == nil {
		return nil
	}
	out := &pipeline.Data{U: d.U, DU: d.DU, E: d.E, Frames: d.Frames, Neurons: len(d.Neurons), Dt: d.Dt, DropResident: d.dropResident()}
	if r := d.Recording; r != nil {
		out.Recording = &pipeline.Recording{HoldU: r.HoldU, HoldRaw: r.HoldRaw, HoldDU: r.HoldDU, HoldFrames: r.HoldFrames,
			HoldRun: r.HoldRun, Smoothed: r.Smoothed, Method: r.MethodText(), Types: r.Types}
	}
	return out
}

// pipelineFit is the fit as the pipeline's Fit.
func (f *Fit) pipelineFit() pipeline.Fit {
	return pipeline.Fit{Model: f.Model, History: f.History, Seed: f.Seed, Frozen: f.Frozen, Labels: f.Labels, Clusters: f.Clusters,
		Unclustered: f.Unclustered, UnclusteredEpoch: f.UnclusteredEpoch}
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

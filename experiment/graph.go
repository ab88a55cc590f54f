package experiment

import (
	"math"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/report"
	"github.com/ngs-lab/ngs/runtime"
)

var graphBuiltin = &runtime.Builtin{
	Name: "graph",
	Doc: "graph(fit, sparsity = nil, threshold = 3): read a sparse graph off the learned Ŵ without the truth: " +
		"the top fraction sparsity (in [0, 1]) of the connections by |Ŵ|, or else those with |Ŵ| ≥ threshold robust standard deviations (median|Ŵ|/0.6745). " +
		"Ŵ is plateau-corrected per sender (the corrected Ŵ of the report without the truth). " +
		"Returns a record: edges (count), fill (edges over N²−N), cut (the |Ŵ| threshold), rule, and the lists receiver, sender, weight (0-based neurons)",
	Params: []runtime.Param{{Name: "fit"}, {Name: "sparsity", Default: runtime.Nil{}}, {Name: "threshold", Default: runtime.Number(report.DefaultEdgeScale)}},
	Fn:     graphFn,
}

func init() { runtime.Register(graphBuiltin) }

func graphFn(c *runtime.Call) (runtime.Value, error) {
	fit, ok := c.Arg(0).(*Fit)
	if !ok {
		return nil, c.ArgError(0, "graph needs the fit returned by train, found %s", c.Arg(0).Type())
	}
	rule, err := edgeRule(c, "sparsity", "threshold")
	if err != nil {
		return nil, err
	}
	m := fit.Model
	n := m.N()
	if n < 2 {
		return nil, c.ArgError(0, "graph needs at least 2 neurons, found %d", n)
	}
	w, err := gnn.CorrectedW(m, m.XNorm(), 1)
	if err != nil {
		return nil, c.Errorf("graph: %v", err)
	}
	cut, desc, err := report.EdgeThreshold(w, n, rule)
	if err != nil {
		return nil, c.Errorf("graph: %v", err)
	}
	recv, send, weight := runtime.NewList(), runtime.NewList(), runtime.NewList()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j || math.Abs(float64(w[i*n+j])) < cut {
				continue
			}
			recv.Elems = append(recv.Elems, runtime.Number(i))
			send.Elems = append(send.Elems, runtime.Number(j))
			weight.Elems = append(weight.Elems, runtime.Number(w[i*n+j]))
		}
	}
	r := runtime.NewRecord()
	r.Set("edges", runtime.Number(len(recv.Elems)))
	r.Set("fill", runtime.Number(float64(len(recv.Elems))/float64(n*n-n)))
	r.Set("cut", runtime.Number(cut))
	r.Set("rule", runtime.String(desc))
	r.Set("receiver", recv)
	r.Set("sender", send)
	r.Set("weight", weight)
	return r, nil
}

package experiment

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/symreg"
	"github.com/ngs-lab/ngs/pipeline"
)

// The true forms written from a rule evaluate to the true φ and ψ of each
// type, keep every parameter as a constant to fit, and leave out terms whose
// parameters are zero and the coupling sum.
func TestExpectedForms(t *testing.T) {
	in, _, err := run(t, fig2Net+`
network fig3 {
    neurons = 8
    type A { a = 1; b = 0; g = 10; s = 1; w = 1; h = 0 }
    type B { a = 2; b = 0.5; g = 10; s = 2; w = 8; h = 0 }
    du/dt = -a*u + b + s*tanh(u) + g * sum_j W[i,j] * tanh((u[j] - h[j]) / w[j])
    W = cauchy()
}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		net      string
		phi, psi func(k int, u float64) float64
		phiSig   []string
		psiSig   []string
	}{
		{"net", func(k int, u float64) float64 {
			c, s := []float64{1, 1, 2, 2}[k], []float64{1, 2, 1, 2}[k]
			return -c*u + s*math.Tanh(u)
		}, func(k int, u float64) float64 { return math.Tanh(u) },
			[]string{"C*tanh(C*u) + C*u"}, []string{"C*tanh(C*u)"}},
		{"fig3", func(k int, u float64) float64 {
			a, b, s := []float64{1, 2}[k], []float64{0, 0.5}[k], []float64{1, 2}[k]
			return -a*u + b + s*math.Tanh(u)
		}, func(k int, u float64) float64 { return math.Tanh(u / []float64{1, 8}[k]) },
			[]string{"C*tanh(C*u) + C*u", "C*tanh(C*u) + C*u + C"}, []string{"C*tanh(C*u)"}},
	} {
		net := global(t, in, c.net).(*Network)
		phi, psi := expectedForms(net)
		for k := range net.Kinds {
			for _, f := range []struct {
				what string
				src  string
				fn   func(int, float64) float64
				sigs []string
			}{{"phi", phi[k], c.phi, c.phiSig}, {"psi", psi[k], c.psi, c.psiSig}} {
				e, err := symreg.Parse(f.src, []string{"u"})
				if err != nil {
					t.Fatalf("%s type %d %s = %q: %v", c.net, k, f.what, f.src, err)
				}
				for _, u := range []float64{-3, -0.4, 0.7, 2.5} {
					if got, _ := e.EvalPoint(u); math.Abs(got-f.fn(k, u)) > 1e-12 {
						t.Errorf("%s type %d %s = %s: %g at u = %g, want %g", c.net, k, f.what, f.src, got, u, f.fn(k, u))
					}
				}
				sig := symreg.Signature(e)
				if !contains(f.sigs, sig) {
					t.Errorf("%s type %d %s = %s has the form %s, want one of %v", c.net, k, f.what, f.src, sig, f.sigs)
				}
			}
		}
	}
	// A rule whose local part reads the input has no formula of u alone.
	rule := eqn.AddE(eqn.MulE(eqn.E(), eqn.U(eqn.Receiver)), eqn.SumJ(eqn.MulE(eqn.W(), eqn.U(eqn.Sender))))
	if got, _ := pipeline.ExpectedForms(rule, []map[string]float64{nil}); got[0] != "" {
		t.Errorf("e·u gave the form %q, want none", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A small run's report: formulas for the corrected ψ* and each cluster's φ*
// with their errors, selection rule and next front members in metrics.json,
// the summary figure as PNG and SVG, report.html, and both connectivity R².
func TestReportFormulasAndFiles(t *testing.T) {
	in, _, err := run(t, fig2Net+`
data = simulate(net, dt = 0.01, frames = 3000, burnin = 500)
model gnn {
    embedding = 2
    psi = mlp(u[j], hidden = 32, layers = 3)
    phi = mlp(u[i], a[i], hidden = 32, layers = 3)
}
fit = train(gnn, data) {
    epochs = 2
    batch = 16
    steps = 250
    warmup = 100
    solve_every = 50
    seed = 16
    every 1 epochs { cluster(threshold = 0.1, refit = 10) }
}
m = report(fit, truth = net, out = "rep", rollout = 200, budget = 20000)
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(in.OutDir(), "rep")
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	conn := m["connectivity"].(map[string]any)
	for _, k := range []string{"r2", "r2_identity", "slope", "ls_baseline_r2"} {
		if _, ok := conn[k].(float64); !ok {
			t.Errorf("connectivity.%s missing: %v", k, conn[k])
		}
	}
	sym := m["symbolic"].(map[string]any)
	fitInfo := m["symbolic_fit"].(map[string]any)
	psi, ok := sym["psi"].(string)
	if !ok || psi == "" {
		t.Fatalf("symbolic.psi missing: %v", sym)
	}
	p := fitInfo["psi"].(map[string]any)
	t.Logf("psi* = %s (%v, RMSE %v, learned RMSE %v, next %v)", psi, p["selected"], p["rmse"], p["learned_rmse"], p["next"])
	if p["expected"] != "tanh(u)" || p["selected"] == "" || p["learned_rmse"] == nil {
		t.Errorf("psi details %v, want the expected form tanh(u), a selection rule and the learned curve's error", p)
	}
	if next, _ := p["next"].([]any); len(next) == 0 {
		t.Errorf("no next members of the front for psi: %v", p)
	}
	phis := sym["phi"].(map[string]any)
	if len(phis) < 2 {
		t.Errorf("%d φ* formulas, want one per cluster", len(phis))
	}
	for key, f := range fitInfo["phi"].(map[string]any) {
		d := f.(map[string]any)
		if d["type"] == "" || !strings.Contains(d["expected"].(string), "tanh(u)") {
			t.Errorf("phi %s: %v, want its type and true form", key, d)
		}
		if d["selected"] == string(symreg.SelectedExpected) && d["rmse"].(float64) > d["learned_rmse"].(float64)*(1+1e-6) {
			t.Errorf("phi %s: chosen as the expected form with RMSE %v above the tolerance %v", key, d["rmse"], d["learned_rmse"])
		}
	}
	for _, f := range []string{"summary.png", "summary.svg", "report.html", "report.md", "embeddings.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing: %v", f, err)
		}
	}
	timing := m["timing"].(map[string]any)
	var sections float64
	for _, name := range []string{"activity", "connectivity", "edges", "types", "functions", "rollout", "symbolic"} {
		v, ok := timing["report_"+name+"_s"].(float64)
		if !ok || v < 0 {
			t.Errorf("timing.report_%s_s = %v, want the section's seconds", name, timing["report_"+name+"_s"])
		}
		sections += v
	}
	if r := timing["report_s"].(float64); sections > r*1.001+1e-3 {
		t.Errorf("the sections took %.3fs, more than the whole report's %.3fs", sections, r)
	}
	if total, phases := timing["total_s"].(float64), timing["simulate_s"].(float64)+timing["train_s"].(float64)+timing["report_s"].(float64); math.Abs(total-phases) > 1e-6*phases {
		t.Errorf("timing.total_s = %v, want the phases' sum %v (sections not counted twice)", total, phases)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"before clustering", "R² against y = x", "oracle least-squares baseline", "next on the Pareto front"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

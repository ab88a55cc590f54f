package experiment

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/gnn"
)

// psiGraphScript trains a model whose ψ* takes the receiver's activity,
// which no fused kernel covers, on a small noisy network, and reports it.
const psiGraphScript = `
seed 5
network net {
    neurons = 24
    type A { c = 1; s = 1; g = 10 }
    type B { c = 2; s = 2; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = cauchy()
    u0 = normal(0, 5)
    noise = %g
}
data = simulate(net, dt = %g, frames = %d, burnin = 0)
model m {
    psi = mlp(u[j], u[i], hidden = 16, activation = "tanh")
    phi = mlp(u[i], a[i], hidden = 16)
}
fit = train(m, data) {
    epochs = 2
    steps = %d
    batch = 4
    truth = net
    lr { W = 2e-2; mlp = 1e-2; a = 1e-2 }
}
r = report(fit, truth = net, out = "graph", symbolic = false)
`

// TestScriptTrainsPsiThroughGraph runs a script whose ψ* = mlp(u[j], u[i])
// has no fused kernel: train goes through gnn.TrainGraph, recovers W (the
// network's noise keeps the small network's activity from settling), and
// the report runs on the fit.
func TestScriptTrainsPsiThroughGraph(t *testing.T) {
	in, out, err := run(t, fmt.Sprintf(psiGraphScript, 5.0, 0.02, 3000, 400))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fit := global(t, in, "fit").(*Fit)
	net := global(t, in, "net").(*Network)
	if spec := fit.Model.Spec(); spec.Variant != gnn.Graph || strings.Join(spec.PsiArgs, ",") != "u[j],u[i]" {
		t.Fatalf("model variant %s, psi(%v): expected the graph variant of psi(u[j], u[i])", spec.Variant, spec.PsiArgs)
	}
	score, err := gnn.ConnectivityFit(fit.Model, net.W, net.Gain)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(in.OutDir(), "graph", "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var metrics struct {
		Connectivity struct{ R2, Slope float64 }
	}
	if err := json.Unmarshal(raw, &metrics); err != nil {
		t.Fatal(err)
	}
	t.Logf("R² %.4f slope %.3f (report: R² %.4f slope %.3f), %.1f s; losses %v", score.R2, score.Slope,
		metrics.Connectivity.R2, metrics.Connectivity.Slope, fit.Seconds, fit.Model.Losses())
	// Measured: R² 0.9107, slope 0.922 (report 0.9107); 800 steps, 7 s.
	for _, r2 := range []float64{score.R2, metrics.Connectivity.R2} {
		if r2 < 0.85 {
			t.Errorf("corrected Ŵ vs true W: R² %.4f, expected ≥ 0.85", r2)
		}
	}
	if math.Abs(score.Slope-1) > 0.2 {
		t.Errorf("corrected Ŵ vs true W: slope %.3f, expected 1 ± 0.2", score.Slope)
	}
	if h := fit.History; len(h) == 0 || h[len(h)-1].Message != "gorgonia graph" {
		t.Errorf("the progress does not say that training ran through the gorgonia graph: %+v", h)
	}
}

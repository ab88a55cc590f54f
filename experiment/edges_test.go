package experiment

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sparseNet = `
seed 7
network net {
    neurons = 40
    type A { c = 1; s = 1; g = 10 }
    type B { c = 2; s = 2; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = cauchy(fill = 0.5)
    u0 = normal(0, 5)
}
network empty {
    neurons = 40
    type A { c = 1; s = 1; g = 10 }
    type B { c = 2; s = 2; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = gaussian(scale = 0)
    u0 = normal(0, 5)
}
data = simulate(net, dt = 0.01, frames = FRAMES, burnin = 0)
model gnn {
    embedding = 2
    psi = mlp(u[j], hidden = 32, layers = 3)
    phi = mlp(u[i], a[i], hidden = 32, layers = 3)
}
fit = train(gnn, data) {
    epochs = EPOCHS
    batch = 16
    steps = 400
    warmup = 200
    solve_every = 50
    seed = 17
}
`

// sparseRun is sparseNet trained for epochs on frames frames.
func sparseRun(frames, epochs string) string {
	return strings.NewReplacer("FRAMES", frames, "EPOCHS", epochs).Replace(sparseNet)
}

func readMetrics(t *testing.T, dir string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The edges section of a sparse network: precision, recall and the area
// under the precision-recall curve, by the default robust rule and by a
// sparsity; graph() reads the same graph without the truth; a network with
// no edges and a clustering threshold that merges everything give warnings
// in the report, not errors.
func TestReportEdges(t *testing.T) {
	in, out, err := run(t, sparseRun("8000", "4")+`
m = report(fit, truth = net, out = "robust", rollout = 0, symbolic = false)
s = report(fit, truth = net, out = "top", rollout = 0, symbolic = false, sparsity = 0.5, threshold = 100)
e = report(fit, truth = empty, out = "empty", rollout = 0, symbolic = false)
g = graph(fit, sparsity = 0.2)
h = graph(fit)
print("graph", g.edges, h.edges)
`)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out)
	robust := readMetrics(t, filepath.Join(in.OutDir(), "robust"))["edges"].(map[string]any)
	for _, k := range []string{"precision", "recall", "auprc", "threshold", "f1", "fill", "auprc_chance"} {
		if _, ok := robust[k].(float64); !ok {
			t.Errorf("edges.%s missing: %v", k, robust)
		}
	}
	top := readMetrics(t, filepath.Join(in.OutDir(), "top"))
	edges := top["edges"].(map[string]any)
	// The learned Ŵ of this short run ranks true edges well above chance.
	if ap, chance := edges["auprc"].(float64), edges["auprc_chance"].(float64); !(ap > chance+0.15) {
		t.Errorf("auprc %g, want well above chance %g", ap, chance)
	}
	trueEdges, predicted := edges["true_edges"].(float64), edges["predicted"].(float64)
	if predicted < 0.5*1560-2 || predicted > 0.5*1560+20 {
		t.Errorf("sparsity 0.5 called %g edges of 1560", predicted)
	}
	if trueEdges < 650 || trueEdges > 910 {
		t.Errorf("%g true edges, want about 0.5·1560", trueEdges)
	}
	if p, r := edges["precision"].(float64), edges["recall"].(float64); p < 0.6 || r < 0.6 {
		t.Errorf("top half of |Ŵ|: precision %g recall %g, want both ≥ 0.6", p, r)
	}
	if !strings.Contains(edges["rule"].(string), "sparsity = 0.5") {
		t.Errorf("rule %q", edges["rule"])
	}
	if w, _ := top["types"].(map[string]any)["warning"].(string); !strings.Contains(w, "merges all 40 neurons") {
		t.Errorf("threshold 100: types.warning %q, want the merge warning", w)
	}
	md, _ := os.ReadFile(filepath.Join(in.OutDir(), "top", "report.md"))
	if !strings.Contains(string(md), "Edges (which connections exist)") || !strings.Contains(string(md), "*Warning:* threshold 100 merges") {
		t.Errorf("report.md lacks the edges section or the clustering warning")
	}
	empty := readMetrics(t, filepath.Join(in.OutDir(), "empty"))["edges"].(map[string]any)
	if w, _ := empty["warning"].(string); !strings.Contains(w, "no edges") {
		t.Errorf("empty network: edges.warning %q", w)
	}
	if !strings.Contains(out, "graph 312 ") {
		t.Errorf("graph(fit, sparsity = 0.2) should keep round(0.2·1560) = 312 edges: %q", out)
	}
	for _, c := range []struct{ src, want string }{
		{`m = report(fit, truth = net, out = "bad", rollout = 0, symbolic = false, sparsity = 1.5)`, "sparsity"},
		{`m = report(fit, truth = net, out = "bad", rollout = 0, symbolic = false, edge_threshold = -1)`, "edge_threshold"},
		{`g = graph(fit, sparsity = -0.5)`, "sparsity"},
	} {
		_, _, err := run(t, sparseRun("500", "1")+c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "test.ngs") {
			t.Errorf("%s: error %v, want one naming %s with the script position", c.src, err, c.want)
		}
	}
}

// cluster(min_points = k) runs the core-point clustering in a training
// hook; a negative or fractional count is an error naming the setting.
func TestClusterMinPoints(t *testing.T) {
	hooked := strings.Replace(sparseRun("1000", "1"), "    seed = 17\n", "    seed = 17\n    every 1 epochs { cluster(threshold = 0.1, min_points = MP) }\n", 1)
	if _, out, err := run(t, strings.Replace(hooked, "MP", "3", 1)); err != nil {
		t.Fatalf("min_points = 3: %v\n%s", err, out)
	}
	for _, bad := range []string{"-1", "2.5"} {
		_, _, err := run(t, strings.Replace(hooked, "MP", bad, 1))
		if err == nil || !strings.Contains(err.Error(), "min_points") {
			t.Errorf("min_points = %s: error %v, want one naming min_points", bad, err)
		}
	}
}

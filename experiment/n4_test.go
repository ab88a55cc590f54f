package experiment

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/runtime"
)

// n4Script is Supp 13 at test scale: four sender widths w = 1, 2, 4, 8, so
// that ψ* must use the sender's embedding a_j.
const n4Script = `
seed 3
network widths {
    neurons = %d
    type A { a = 1; b = 0; g = 10; s = 1; w = 1; h = 0 }
    type B { a = 1; b = 0; g = 10; s = 2; w = 2; h = 0 }
    type C { a = 2; b = 0; g = 10; s = 1; w = 4; h = 0 }
    type D { a = 2; b = 0; g = 10; s = 2; w = 8; h = 0 }
    du/dt = -a*u + b + s*tanh(u) + g * sum_j W[i,j] * tanh((u[j] - h[j]) / w[j])
    W = cauchy()
    u0 = normal(0, 5)
}
data = simulate(widths, dt = 0.01, frames = %d, burnin = 1000)
model gnn {
    psi = mlp(u[j], a[j], hidden = 64, layers = 3)
    phi = mlp(u[i], a[i], hidden = 64, layers = 3)
}
fit = train(gnn, data) {
    epochs = %d
    batch = %d
    steps = 1000
    gram_frames = %d
    edge_diff = 100
    seed = 24
    lr { W = 1e-2; mlp = 2e-3; a = 2e-3 }
    every %d epochs { cluster(threshold = 0.2, refit = 20) }
}
m = report(fit, truth = widths, threshold = 0.2, out = "n4", symbolic = false, rollout = 100)
`

// envInt reads a tuning override (NGS_N4_<name>) for measuring the recipe.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv("NGS_N4_" + name)); err == nil {
		return v
	}
	return def
}

// TestN4RecoversSenderWidths trains on an N4 network and checks the issue's
// promise: the four corrected ψ* curves are within 0.05 (max abs) of
// tanh(u/w) on [-5, 5], and the embeddings give 4 clusters at accuracy ≥ 0.95.
func TestN4RecoversSenderWidths(t *testing.T) {
	n, frames := envInt("N", 100), envInt("FRAMES", 20_000)
	epochs, batch, every := envInt("EPOCHS", 16), envInt("BATCH", 16), envInt("EVERY", 4)
	gram := envInt("GRAM", 10_000)
	in, _, err := run(t, fmt.Sprintf(n4Script, n, frames, epochs, batch, gram, every))
	if err != nil {
		t.Fatal(err)
	}
	fit := global(t, in, "fit").(*Fit)
	truth := global(t, in, "widths").(*Network)
	m := global(t, in, "m").(*runtime.Record)
	r2 := recordNumber(t, m, "connectivity", "r2")
	clusters, acc := recordNumber(t, m, "types", "clusters"), recordNumber(t, m, "types", "accuracy")
	grid := linspace(-5, 5, 101)
	curves, scales, err := pipeline.CorrectedTransfer(fit.Model, fit.Data.pipelineData(), truth.truth(), grid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("W R² %.4f, %v clusters at accuracy %.3f, ψ* scales %.3f", r2, clusters, acc, scales)
	for k, kind := range truth.Kinds {
		w := kind.Params["w"]
		learned := typeMedian(curves, len(grid), truth.Types, k)
		var worst float64
		for p, u := range grid {
			worst = max(worst, math.Abs(float64(learned[p])-math.Tanh(float64(u)/w)))
		}
		t.Logf("type %s (w = %g): max |ψ* − tanh(u/w)| on [-5, 5] = %.4f", kind.Name, w, worst)
		if worst > 0.05 {
			t.Errorf("type %s: corrected ψ* is %.4f (max abs) from tanh(u/%g), expected ≤ 0.05", kind.Name, worst, w)
		}
	}
	if clusters != 4 || acc < 0.95 {
		t.Errorf("types: %v clusters at accuracy %.3f, expected 4 at ≥ 0.95", clusters, acc)
	}
}

// typeMedian is the pointwise median of the curves of neurons of type k.
func typeMedian(curves []float32, g int, types []int, k int) []float32 {
	out := make([]float32, g)
	var col []float64
	for p := 0; p < g; p++ {
		col = col[:0]
		for i, typ := range types {
			if typ == k {
				col = append(col, float64(curves[i*g+p]))
			}
		}
		sort.Float64s(col)
		out[p] = float32((col[(len(col)-1)/2] + col[len(col)/2]) / 2)
	}
	return out
}

// recordNumber reads a number from nested records of report metrics.
func recordNumber(t *testing.T, r *runtime.Record, path ...string) float64 {
	t.Helper()
	var v runtime.Value = r
	for _, name := range path {
		rec, ok := v.(*runtime.Record)
		if !ok {
			t.Fatalf("metrics: %s is not a record", name)
		}
		if v, ok = rec.Get(name); !ok {
			t.Fatalf("metrics: no %s", name)
		}
	}
	n, ok := v.(runtime.Number)
	if !ok {
		t.Fatalf("metrics %v: not a number: %v", path, v)
	}
	return float64(n)
}

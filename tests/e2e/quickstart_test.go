package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ngs-lab/ngs"
	"github.com/ngs-lab/ngs/experiment"
	"github.com/ngs-lab/ngs/ops/symreg"
)

// runScript runs a shipped script from the repository root with an output
// directory and returns its metrics.json (under outSub).
func runScript(t *testing.T, script, outSub string, overrides map[string]any) (map[string]any, *ngs.Result) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, script))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := ngs.Compile(script, src, ngs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	res, err := prog.Run(context.Background(), ngs.RunConfig{OutDir: out, Overrides: overrides})
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	t.Logf("%s output:\n%s", script, res.Output())
	raw, err := os.ReadFile(filepath.Join(out, outSub, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, png := range []string{"connectivity_scatter.png", "embeddings.png", "phi.png", "psi.png", "rollout.png"} {
		if st, err := os.Stat(filepath.Join(out, outSub, png)); err != nil || st.Size() == 0 {
			t.Errorf("%s: plot %s missing: %v", script, png, err)
		}
	}
	return m, res
}

// metric reads a dotted key from metrics.json.
func metric(t *testing.T, m map[string]any, keys ...string) float64 {
	t.Helper()
	var cur any = m
	for _, k := range keys {
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("metrics: %v is not an object", keys)
		}
		cur = obj[k]
	}
	v, ok := cur.(float64)
	if !ok {
		t.Fatalf("metrics %v = %v, expected a number", keys, cur)
	}
	return v
}

// TestQuickstart runs the README's main command's script and checks the
// promise of issue 9: connectivity R² ≥ 0.95 and type accuracy ≥ 0.95 (issue 5).
func TestQuickstart(t *testing.T) {
	m, res := runScript(t, "scripts/quickstart.ngs", "report", nil)
	r2 := metric(t, m, "connectivity", "r2")
	acc := metric(t, m, "types", "accuracy")
	if k := metric(t, m, "types", "clusters"); k != 4 {
		t.Errorf("%v clusters, expected the 4 types", k)
	}
	if b, s := metric(t, m, "connectivity", "ls_baseline_r2"), metric(t, m, "connectivity", "ls_baseline_slope"); b < 0.999 || s < 0.99 || s > 1.01 {
		t.Errorf("least-squares baseline: R² %.4f slope %.3f, expected the true W (R² ≥ 0.999, slope 1)", b, s)
	}
	checkFormulas(t, res)
	t.Logf("quickstart: connectivity R² %.4f slope %.3f, types %v clusters accuracy %.3f", r2, metric(t, m, "connectivity", "slope"), metric(t, m, "types", "clusters"), acc)
	if r2 < 0.95 {
		t.Errorf("connectivity R² %.4f, expected ≥ 0.95", r2)
	}
	if acc < 0.95 {
		t.Errorf("type accuracy %.3f, expected ≥ 0.95", acc)
	}
}

// checkFormulas turns the quick start's learned functions into formulas:
// ψ* must be s·tanh(u) and the φ* of at least half the clusters -c·u + s·tanh(u) with the
// constants of one of the true types (issue 7).
func checkFormulas(t *testing.T, res *ngs.Result) {
	t.Helper()
	v, ok := res.Value("fit")
	fit, isFit := v.(*experiment.Fit)
	if !ok || !isFit {
		t.Fatalf("the quick start has no fit")
	}
	m := fit.Model
	grid := make([]float32, 200)
	for k := range grid {
		grid[k] = float32(-5 + 10*float64(k)/199)
	}
	search := func(y []float32) *symreg.Expr {
		d := symreg.Data{Names: []string{"u"}}
		for k := range grid {
			d.X = append(d.X, []float64{float64(grid[k])})
			d.Y = append(d.Y, float64(y[k]))
		}
		r, err := symreg.Search(context.Background(), d, symreg.Options{Seed: 1, AcceptR2: 0.999, Budget: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return r.Best.Expr
	}
	psi, err := m.Psi(grid, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := symreg.Parse("0.5*tanh(u)", []string{"u"})
	if got := search(psi); !symreg.SameForm(got, want, math.Inf(1)) {
		t.Errorf("psi* = %s, expected s*tanh(u)", got)
	}
	a := m.Embeddings()
	types := map[[2]float64]bool{{1, 1}: true, {1, 2}: true, {2, 1}: true, {2, 2}: true}
	found := 0
	seen := map[int]bool{}
	for i, l := range fit.Labels {
		if seen[l] {
			continue
		}
		seen[l] = true
		emb := make([]float32, 0, 2*len(grid))
		for range grid {
			emb = append(emb, a[2*i], a[2*i+1])
		}
		phi, err := m.Phi(grid, emb)
		if err != nil {
			t.Fatal(err)
		}
		got := search(phi)
		y := func(u float64) float64 { v, _ := got.EvalPoint(u); return v }
		// Read c and s off the formula: φ(u) ≈ -c·u + s·tanh(u) at large |u|
		// and near 0.
		s := (y(0.01) - y(-0.01)) / 0.02
		c := -(y(5) - y(4)) // slope where tanh is flat
		s += c
		// A small constant next to the two terms (a learned φ*(0) ≠ 0) is
		// accepted: c and s are still checked.
		shape, _ := symreg.Parse("-1.0*u + 2.0*tanh(u)", []string{"u"})
		offset, _ := symreg.Parse("-1.0*u + 2.0*tanh(u) + 0.5", []string{"u"})
		form := symreg.SameForm(got, shape, math.Inf(1)) || symreg.SameForm(got, offset, math.Inf(1)) && math.Abs(y(0)) < 0.1
		for key := range types {
			if form && math.Abs(c-key[0]) < 0.15*key[0] && math.Abs(s-key[1]) < 0.15*key[1] {
				found++
				break
			}
		}
		t.Logf("cluster %d: phi* = %s (c ≈ %.2f, s ≈ %.2f)", l, got, c, s)
	}
	// At least half: the learned φ* of type B (c = 1, s = 2, whose neurons
	// rarely visit u ≈ 0) sometimes gives a formula of another shape, and
	// which type misses depends on the floating-point path (AVX-512 or not).
	if found < 2 {
		t.Errorf("%d clusters have phi* of the form -c*u + s*tanh(u) with a true type's constants, expected at least 2 of 4", found)
	}
}

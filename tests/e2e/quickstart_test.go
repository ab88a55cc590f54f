package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ngs-lab/ngs"
)

// runScript runs a shipped script from the repository root with an output
// directory and returns its metrics.json (under outSub).
func runScript(t *testing.T, script, outSub string, overrides map[string]any) map[string]any {
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
	return m
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
// promise of issue 9: connectivity R² ≥ 0.95 and type accuracy ≥ 0.9.
func TestQuickstart(t *testing.T) {
	m := runScript(t, "scripts/quickstart.ngs", "report", nil)
	r2 := metric(t, m, "connectivity", "r2")
	acc := metric(t, m, "types", "accuracy")
	t.Logf("quickstart: connectivity R² %.4f slope %.3f, types %v clusters accuracy %.3f", r2, metric(t, m, "connectivity", "slope"), metric(t, m, "types", "clusters"), acc)
	if r2 < 0.95 {
		t.Errorf("connectivity R² %.4f, expected ≥ 0.95", r2)
	}
	if acc < 0.9 {
		t.Errorf("type accuracy %.3f, expected ≥ 0.9", acc)
	}
}

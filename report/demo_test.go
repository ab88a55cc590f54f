package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFullReport renders every section from synthetic data and checks that
// all files exist; with NGS_REPORT_DEMO=DIR it writes there for inspection.
func TestFullReport(t *testing.T) {
	dir := os.Getenv("NGS_REPORT_DEMO")
	if dir == "" {
		dir = t.TempDir()
	}
	s := newSynthetic(200, 1500)
	r := New(dir, Meta{Script: "demo.ngs", Seed: 42, Version: "0.1.0-dev", Start: time.Now().Add(-3 * time.Second),
		Timings: map[string]float64{"simulate": 1.25, "train": 0.5}})
	if err := addAll(r, s); err != nil {
		t.Fatal(err)
	}
	r.Skip("symbolic_omega", "no hidden input in this experiment")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"activity.png", "connectivity_heatmaps.png", "connectivity_scatter.png", "embeddings.png", "phi.png", "psi.png", "rollout.png", "transfer.png", "training.png", "external_input.png", MetricsFile, MarkdownFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ngs-lab/ngs"
	"github.com/ngs-lab/ngs/importer"
)

// TestImportedFig2Runs converts the reference's Fig 2 config and runs the
// script it gives, shrunk with --set style overrides (issue 9).
func TestImportedFig2Runs(t *testing.T) {
	yaml, err := os.ReadFile(filepath.Join("..", "import", "signal_fig_2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	script, _, err := importer.Convert(yaml, "signal_fig_2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := ngs.Compile("signal_fig_2.ngs", []byte(script), ngs.Config{})
	if err != nil {
		t.Fatalf("the imported script does not compile: %v", err)
	}
	var out bytes.Buffer
	res, err := prog.Run(context.Background(), ngs.RunConfig{Stdout: &out, OutDir: t.TempDir(),
		Overrides: map[string]any{"neurons": 60, "frames": 400, "epochs": 1}})
	if err != nil {
		t.Fatalf("the imported script fails: %v\n%s", err, out.String())
	}
	r2, err := res.Float("m.connectivity.r2")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("imported Fig 2 at N=60, 400 frames, 1 epoch: W R² %.3f\n%s", r2, out.String())
}

package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// resumeScript trains fig2Net's network for `epochs` epochs with a
// clustering hook every 2 epochs, checkpointing into dir, resuming when asked.
const resumeScript = fig2Net + `
data = simulate(net, dt = 0.01, frames = 3000, burnin = 200)
model gnn {
    embedding = 2
    psi = mlp(u[j], hidden = 32, layers = 3)
    phi = mlp(u[i], a[i], hidden = 32, layers = 3)
}
fit = train(gnn, data) {
    epochs = %d
    steps = 80
    warmup = 60
    solve_every = 20
    gram_frames = 1000
    lr_decay = 1
    checkpoint = %q
    resume = %v
    every 2 epochs { cluster(threshold = 0.1, refit = 10) }
}
`

// TestResumeAfterClusteringMatches stops training after epoch 2, whose
// hook clustered the embeddings, resumes it from the checkpoint with
// epochs = 4, and checks that the result equals the uninterrupted 4-epoch
// run: Ŵ, embeddings and the clustering labels. The script keeps the
// learning rates constant (lr_decay = 1): the decay follows the run's
// epochs, so a 2-epoch run decays by its end (ops/gnn's
// TestResumeMatchesUninterrupted interrupts a run with the decay on).
func TestResumeAfterClusteringMatches(t *testing.T) {
	whole := filepath.Join(t.TempDir(), "whole")
	in, _, err := run(t, fmt.Sprintf(resumeScript, 4, whole, false))
	if err != nil {
		t.Fatal(err)
	}
	want := global(t, in, "fit").(*Fit)

	split := filepath.Join(t.TempDir(), "split")
	if _, _, err := run(t, fmt.Sprintf(resumeScript, 2, split, false)); err != nil {
		t.Fatal(err)
	}
	in, _, err = run(t, fmt.Sprintf(resumeScript, 4, split, true))
	if err != nil {
		t.Fatal(err)
	}
	got := global(t, in, "fit").(*Fit)
	if want.Clusters == 0 || got.Clusters != want.Clusters || fmt.Sprint(got.Labels) != fmt.Sprint(want.Labels) {
		t.Errorf("clusters %d %v after resume, %d %v uninterrupted", got.Clusters, got.Labels, want.Clusters, want.Labels)
	}
	for name, pair := range map[string][2][]float32{
		"Ŵ":          {want.Model.W(), got.Model.W()},
		"embeddings": {want.Model.Embeddings(), got.Model.Embeddings()},
	} {
		var worst float64
		for k := range pair[0] {
			worst = max(worst, math.Abs(float64(pair[0][k]-pair[1][k])))
		}
		if worst > 1e-4 {
			t.Errorf("%s differs by %g between the resumed and the uninterrupted run", name, worst)
		}
	}
	// A mistyped folder is an error, not a fresh start.
	_, _, err = run(t, fmt.Sprintf(resumeScript, 4, split+"-typo", true))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("resume from a missing folder: error %v", err)
	}
}

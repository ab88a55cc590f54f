package ngs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs"
)

// TestProgressCallback runs a small simulate and train with a host
// progress callback: every report names its task, counts up to its total,
// and the last report of each task is complete.
func TestProgressCallback(t *testing.T) {
	src := guardNet + `
data = simulate(net, frames = 400, burnin = 10)
model gnn {
    embedding = 2
    psi = mlp(u[j], hidden = 8, layers = 2)
    phi = mlp(u[i], a[i], hidden = 8, layers = 2)
}
fit = train(gnn, data) {
    epochs = 1
    batch = 8
    steps = 40
    warmup = 20
    solve_every = 10
    validation = 0
}
`
	var events []ngs.Progress
	rc := ngs.RunConfig{OutDir: t.TempDir(), Progress: func(p ngs.Progress) { events = append(events, p) }}
	if _, err := compile(t, src, ngs.Config{}).Run(context.Background(), rc); err != nil {
		t.Fatal(err)
	}
	last := map[string]ngs.Progress{}
	for _, e := range events {
		if e.Total <= 0 || e.Done < 0 || e.Done > e.Total {
			t.Fatalf("report %+v out of range", e)
		}
		if prev, ok := last[e.Task]; ok && e.Done < prev.Done {
			t.Fatalf("%s went back from %d to %d", e.Task, prev.Done, e.Done)
		}
		last[e.Task] = e
	}
	for _, task := range []string{"simulate net", "train gnn"} {
		e, ok := last[task]
		if !ok || e.Done != e.Total {
			t.Errorf("%s: last report %+v, want a complete one (tasks seen: %v)", task, e, last)
		}
	}
	if e := last["train gnn"]; !strings.Contains(e.Status, "epoch") {
		t.Errorf("train's status %q does not say the epoch", e.Status)
	}
}

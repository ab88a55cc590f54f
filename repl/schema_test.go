package repl

import (
	"io"
	"strings"
	"testing"

	// The experiment's declarations and builtins, with their schemas.
	_ "github.com/ngs-lab/ngs/experiment"
)

// TestHelpReadsSchemas checks that :help shows the settings a block holds
// from the same schemas the checker uses.
func TestHelpReadsSchemas(t *testing.T) {
	out := runScript(t, ":help train\n:help network\n:help model\n:help simulate\n")
	for _, want := range []string{
		"train(...) { ... } holds:",
		"epochs: a whole number ≥ 1 — epochs to train (1)",
		`solver: "adam" or "alternating"`,
		"lr { } — Adam learning rates per parameter group",
		"every K epochs { ... }",
		"network NAME { ... } holds:",
		"neurons: a whole number in [1, 65536] — the number of neurons N",
		"type NAME { } — a neuron type",
		"count: a whole number ≥ 0",
		"f(x) = ... and du/dt = ...: equations",
		"embedding: a whole number ≥ 1",
		"frames: a whole number ≥ 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf(":help lacks %q in\n%s", want, out)
		}
	}
}

// TestCompleteInsideBlocks checks that completion offers a block's
// settings inside it, its sub-block's inside those, and the hook's locals
// inside every K epochs { }.
func TestCompleteInsideBlocks(t *testing.T) {
	s := New(Options{In: strings.NewReader(""), Out: io.Discard})
	cases := []struct {
		pending []string
		line    string
		want    []string
	}{
		{nil, "netw", []string{"network"}},
		{[]string{"fit = train(gnn, data) {"}, "    sol", []string{"solve_every", "solve_grid", "solve_lr", "solver"}},
		{[]string{"fit = train(gnn, data) {", "    lr {"}, "        ps", []string{"psi"}},
		{[]string{"network n {"}, "    neu", []string{"neurons"}},
		{[]string{"network n {", "    type A { c = 1 }"}, "    noi", []string{"noise"}},
		{[]string{"model m {"}, "    emb", []string{"embedding"}},
		{[]string{"fit = train(gnn, data) {", "  every 2 epochs {"}, "    print(epo", []string{"epoch"}},
		{[]string{"fit = train(gnn, data) { epochs = 1 }"}, "sol", nil},
		{nil, "d = simulate(net, fra", []string{"frames"}},
		{[]string{"fit = train(gnn, data) {", "  every 2 epochs {"}, "    cluster(thr", []string{"threshold"}},
		{nil, "m = report(fit, truth = net, ou", []string{"out"}},
	}
	for _, c := range cases {
		s.setPending(c.pending)
		got, _ := s.Complete(c.line, len(c.line))
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("after %q, Complete(%q) = %q, want %q", c.pending, c.line, got, c.want)
		}
	}
}

package sim

import (
	"context"
	"runtime"
	"testing"

	"github.com/ngs-lab/ngs/internal/cpu"
	"github.com/ngs-lab/ngs/ops/eqn"
)

// TestParallelCouplingMatchesReference runs N5 (a grouped and an ungrouped
// term) on 301 neurons whose types interleave (so receiver groups change
// row by row) and with a non-zero diagonal, split over two workers, with the
// kernel tier chosen at start-up (ops/vec's tests compare every tier; CI
// also runs this with NGS_CPU=generic), and compares it with Reference (float32 sums of 300 terms with g = 10 over 15 chaotic steps:
// 1e-4 relative to max(1, |value|)).
func TestParallelCouplingMatchesReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	n := 301
	net := smallNetwork(eqn.N5(), n)
	for name, vals := range net.Params {
		interleaved := make([]float32, n)
		for i := range interleaved {
			interleaved[i] = vals[(i%4)*n/4]
		}
		net.Params[name] = interleaved
	}
	net.Noise = 1
	for i := range n {
		net.W[i*n+i] = 0.5 // ignored by the rule: sums run over j ≠ i
	}
	if c := newCoupler(n, nil, nil); c.team.Workers() != 2 {
		t.Fatalf("N = %d on 2 cores: %d workers, want 2", n, c.team.Workers())
	}
	opt := Options{Dt: 0.01, Frames: 12, Burnin: 3, Seed: 9, Unroll: 5}
	ref, err := Reference(context.Background(), net, opt)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := Run(context.Background(), net, opt)
	if err != nil {
		t.Fatal(err)
	}
	for what, pair := range map[string][2][]float32{"u": {fast.U, ref.U}, "du": {fast.DU, ref.DU}} {
		if d, at := maxRelDiff(pair[0], pair[1]); d > 1e-4 || len(pair[0]) != 12*n {
			t.Errorf("tier %v %s: %d values; frame %d neuron %d: compiled %v, reference %v (rel diff %.2g)",
				cpu.Selected(), what, len(pair[0]), at/n, at%n, pair[0][at], pair[1][at], d)
		}
	}
}

// BenchmarkCouple1000 is the coupling op alone at N = 1000 (W in cache).
func BenchmarkCouple1000(b *testing.B) {
	n := 1000
	w := make([]float32, n*n)
	term := &eqn.BoundTerm{Senders: [][]float32{make([]float32, n)}, Coupled: make([]float32, n)}
	c := newCoupler(n, []*eqn.BoundTerm{term}, nil)
	defer c.close()
	for b.Loop() {
		if err := c.couple(w); err != nil {
			b.Fatal(err)
		}
	}
}

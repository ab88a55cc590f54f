package sim

import (
	"sync/atomic"
	"testing"

	"github.com/ngs-lab/ngs/ops/eqn"
	"time"
)

// TestTeamRunsEveryShareOnce runs a team many times, with pauses long enough
// for helpers to park and slow helper shares that make the caller park, and
// checks every share ran exactly once per run.
func TestTeamRunsEveryShareOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		var counts [3]atomic.Int64
		tm := newTeam(workers, func(k, n int) {
			if n != workers {
				t.Errorf("job told %d workers, want %d", n, workers)
			}
			if c := counts[k].Add(1); k > 0 && c%500 == 1 {
				time.Sleep(2 * spinFor)
			}
		})
		const runs = 2000
		for r := range runs {
			if r%500 == 0 {
				time.Sleep(2 * spinFor)
			}
			tm.run()
		}
		tm.close()
		for k := range workers {
			if got := counts[k].Load(); got != runs {
				t.Errorf("%d workers: share %d ran %d times, want %d", workers, k, got, runs)
			}
		}
	}
}

// BenchmarkTeamSync measures the synchronisation cost of one team run with
// an empty job (the fixed cost paid per coupling).
func BenchmarkTeamSync(b *testing.B) {
	tm := newTeam(2, func(k, n int) {})
	defer tm.close()
	for b.Loop() {
		tm.run()
	}
}

// BenchmarkCouple1000 is the coupling op alone at N = 1000 (W in cache).
func BenchmarkCouple1000(b *testing.B) {
	n := 1000
	w := make([]float32, n*n)
	term := &eqn.BoundTerm{Senders: [][]float32{make([]float32, n)}, Coupled: make([]float32, n)}
	c := newCoupler(n, []*eqn.BoundTerm{term})
	defer c.close()
	for b.Loop() {
		if err := c.couple(w); err != nil {
			b.Fatal(err)
		}
	}
}

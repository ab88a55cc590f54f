package par

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestTeamRunsEveryShareOnce runs a team many times, with pauses long enough
// for helpers to park and slow helper shares that make the caller park, and
// checks every share ran exactly once per run.
func TestTeamRunsEveryShareOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		var counts [3]atomic.Int64
		tm := NewTeam(workers, func(k, n int) {
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
			tm.Run()
		}
		tm.Close()
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
	tm := NewTeam(2, func(k, n int) {})
	defer tm.Close()
	for b.Loop() {
		tm.Run()
	}
}

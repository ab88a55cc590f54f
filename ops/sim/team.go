package sim

import "sync"

// team runs one job split over a fixed number of workers: the calling
// goroutine does share 0, helper goroutines the others.
type team struct {
	workers int
	job     func(k, workers int)
}

func newTeam(workers int, job func(k, workers int)) *team {
	return &team{workers: workers, job: job}
}

// run executes every share of the job and returns when all are done.
func (t *team) run() {
	if t.workers == 1 {
		t.job(0, 1)
		return
	}
	var wg sync.WaitGroup
	for k := 1; k < t.workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.job(k, t.workers)
		}()
	}
	t.job(0, t.workers)
	wg.Wait()
}

// close releases the team's goroutines.
func (t *team) close() {}

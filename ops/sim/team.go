package sim

import (
	"runtime"
	"sync/atomic"
	"time"
)

// team runs one job split over a fixed number of workers: the calling
// goroutine does share 0, persistent helper goroutines the others. A run
// costs a few atomic operations instead of starting goroutines: helpers spin
// on a generation counter for up to spinFor after their last share (the
// Euler step between two couplings is shorter) and then park on a channel,
// so an idle team does not hold a core.
type team struct {
	workers int
	job     func(k, workers int)
	gen     atomic.Uint64 // incremented once per run (and by close)
	pending atomic.Int32  // helpers still working on the current run
	stopped atomic.Bool
	helpers []*helper
}

// helper is the parking state of one helper goroutine.
type helper struct {
	sleeping atomic.Bool
	wake     chan struct{}
}

// spinFor is how long an idle helper polls before parking.
const spinFor = 50 * time.Microsecond

func newTeam(workers int, job func(k, workers int)) *team {
	t := &team{workers: workers, job: job}
	for k := 1; k < workers; k++ {
		h := &helper{wake: make(chan struct{}, 1)}
		t.helpers = append(t.helpers, h)
		go t.serve(k, h)
	}
	return t
}

// run executes every share of the job and returns when all are done.
func (t *team) run() {
	if t.workers == 1 {
		t.job(0, 1)
		return
	}
	t.pending.Store(int32(t.workers - 1))
	t.release()
	t.job(0, t.workers)
	for spins := 0; t.pending.Load() != 0; spins++ {
		if spins > 1000 {
			runtime.Gosched()
		}
	}
}

// close stops the helpers; the team must not run afterwards.
func (t *team) close() {
	t.stopped.Store(true)
	t.release()
}

// release starts a new generation and wakes parked helpers.
func (t *team) release() {
	t.gen.Add(1)
	for _, h := range t.helpers {
		if h.sleeping.Swap(false) {
			h.wake <- struct{}{}
		}
	}
}

// serve is helper k's loop: wait for a generation, do share k, report.
func (t *team) serve(k int, h *helper) {
	var seen uint64
	for {
		seen = t.await(h, seen)
		if t.stopped.Load() {
			return
		}
		t.job(k, t.workers)
		t.pending.Add(-1)
	}
}

// await returns the first generation after seen, spinning, then parking.
func (t *team) await(h *helper, seen uint64) uint64 {
	start := time.Now()
	for spins := 1; ; spins++ {
		if g := t.gen.Load(); g != seen {
			return g
		}
		if spins%256 == 0 && time.Since(start) > spinFor {
			break
		}
	}
	h.sleeping.Store(true)
	if t.gen.Load() != seen {
		if h.sleeping.Swap(false) {
			return t.gen.Load() // not woken: no token will come
		}
	}
	<-h.wake // release took the flag and sends exactly one token
	return t.gen.Load()
}

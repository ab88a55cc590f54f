package par

import (
	"sync/atomic"
	"time"
)

// Team is the parallel loop for work repeated many times a second (the
// simulator's coupling, once per Euler step): one job split over a fixed
// number of workers, the calling goroutine doing share 0 and persistent
// helper goroutines the others. A run
// costs a few atomic operations instead of starting goroutines: helpers spin
// on a generation counter for up to spinFor after their last share (the
// Euler step between two couplings is shorter) and then park on a channel,
// so an idle team does not hold a core; the caller waiting for the helpers
// does the same.
type Team struct {
	workers int
	job     func(k, workers int)
	gen     atomic.Uint64 // incremented once per run (and by close)
	pending atomic.Int32  // helpers still working on the current run
	stopped atomic.Bool
	helpers []*helper
	caller  helper // parking state of the goroutine waiting in run
	// serialUntil is set when helpers lagged far behind the caller (their
	// threads were not running: other processes hold the cores); until
	// then the caller runs every share itself.
	serialUntil time.Time
}

// serialFor is how long a Team runs serially after its helpers lagged.
const serialFor = 20 * time.Millisecond

// helper is the parking state of one helper goroutine.
type helper struct {
	sleeping atomic.Bool
	wake     chan struct{}
}

// spinFor is how long an idle helper polls before parking.
const spinFor = 50 * time.Microsecond

// NewTeam starts workers−1 helper goroutines that run job(k, workers) for
// their share k at every Run; Close stops them.
func NewTeam(workers int, job func(k, workers int)) *Team {
	workers = max(workers, 1)
	t := &Team{workers: workers, job: job, caller: helper{wake: make(chan struct{}, 1)}}
	for k := 1; k < workers; k++ {
		h := &helper{wake: make(chan struct{}, 1)}
		t.helpers = append(t.helpers, h)
		go t.serve(k, h)
	}
	return t
}

// Workers is the number of shares of every run.
func (t *Team) Workers() int { return t.workers }

// Run executes every share of the job and returns when all are done.
func (t *Team) Run() {
	if t.workers == 1 {
		t.job(0, 1)
		return
	}
	start := time.Now()
	if start.Before(t.serialUntil) {
		for k := range t.workers {
			t.job(k, t.workers)
		}
		return
	}
	t.pending.Store(int32(t.workers - 1))
	t.release()
	t.job(0, t.workers)
	own := time.Now()
	t.awaitHelpers()
	if lag := time.Since(own); lag > own.Sub(start)+spinFor {
		t.serialUntil = time.Now().Add(serialFor)
	}
}

// awaitHelpers returns when every helper has finished its share: it polls
// for up to spinFor, then parks (a loaded machine may have descheduled a
// helper's thread, and polling would keep it from running).
func (t *Team) awaitHelpers() {
	if spinUntil(func() bool { return t.pending.Load() == 0 }) {
		return
	}
	t.caller.sleeping.Store(true)
	if t.pending.Load() == 0 && t.caller.sleeping.Swap(false) {
		return // not woken: no token will come
	}
	<-t.caller.wake // the last helper took the flag and sends one token
}

// spinUntil polls done for up to spinFor and reports whether it came true.
func spinUntil(done func() bool) bool {
	start := time.Now()
	for spins := 1; ; spins++ {
		if done() {
			return true
		}
		if spins%256 == 0 && time.Since(start) > spinFor {
			return false
		}
	}
}

// Close stops the helpers; the team must not run afterwards.
func (t *Team) Close() {
	t.stopped.Store(true)
	t.release()
}

// release starts a new generation and wakes parked helpers.
func (t *Team) release() {
	t.gen.Add(1)
	for _, h := range t.helpers {
		if h.sleeping.Swap(false) {
			h.wake <- struct{}{}
		}
	}
}

// serve is helper k's loop: wait for a generation, do share k, report.
func (t *Team) serve(k int, h *helper) {
	var seen uint64
	for {
		seen = t.await(h, seen)
		if t.stopped.Load() {
			return
		}
		t.job(k, t.workers)
		if t.pending.Add(-1) == 0 && t.caller.sleeping.Swap(false) {
			t.caller.wake <- struct{}{}
		}
	}
}

// await returns the first generation after seen, spinning, then parking.
func (t *Team) await(h *helper, seen uint64) uint64 {
	if spinUntil(func() bool { return t.gen.Load() != seen }) {
		return t.gen.Load()
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

// Package par is the one parallel loop of ngs: work over n items split into
// contiguous blocks, one goroutine a block, up to GOMAXPROCS of them.
package par

import (
	"runtime"
	"sync"
)

// Workers is how many blocks For splits n items into when each block should
// hold at least minPer items: between 1 and GOMAXPROCS.
func Workers(n, minPer int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(minPer, 1)))
}

// Split calls body(w, lo, hi) for w = 0..workers-1 over the blocks
// [w·n/workers, (w+1)·n/workers) of [0, n), each on its own goroutine (the
// caller's when workers ≤ 1), and returns when all are done. The blocks
// depend only on n and workers, so a reduction into per-block buffers adds
// up the same way on every run.
func Split(n, workers int, body func(w, lo, hi int)) {
	workers = max(1, min(workers, n))
	if workers == 1 {
		body(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			body(w, w*n/workers, (w+1)*n/workers)
		}(w)
	}
	wg.Wait()
}

// For calls body(lo, hi) over disjoint blocks covering [0, n), each of at
// least minPer items, in parallel when there is enough work.
func For(n, minPer int, body func(lo, hi int)) {
	Split(n, Workers(n, minPer), func(_, lo, hi int) { body(lo, hi) })
}

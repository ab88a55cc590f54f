// Package par is the one parallel loop of ngs: work over n items split into
// contiguous blocks, one goroutine a block. Split and For cut [0, n) into a
// given number of near-equal blocks; Chunks cuts it into blocks of a given
// size (ChunkSize: at most GOMAXPROCS of them). Either way the blocks
// depend only on n and the count or size, so a reduction into per-block
// buffers adds up the same way on every run of a binary. Team runs a job
// split into a fixed number of shares over persistent goroutines, for work
// repeated too often to start goroutines each time.
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

// ChunkSize is the block size that cuts n items into at most GOMAXPROCS
// blocks of at least minPer items: max(minPer, ⌈n/GOMAXPROCS⌉).
func ChunkSize(n, minPer int) int {
	workers := runtime.GOMAXPROCS(0)
	return max(minPer, (n+workers-1)/workers, 1)
}

// NumChunks is how many blocks Chunks cuts n items into at the given size:
// ⌈n/size⌉.
func NumChunks(n, size int) int {
	size = max(size, 1)
	return (n + size - 1) / size
}

// Chunks calls body(c, lo, hi) for c = 0..NumChunks(n, size)-1 over the
// blocks [c·size, min(n, (c+1)·size)) of [0, n), each on its own goroutine
// (the caller's when there is one block), and returns when all are done.
func Chunks(n, size int, body func(c, lo, hi int)) {
	size = max(size, 1)
	chunks := NumChunks(n, size)
	if chunks == 1 {
		body(0, 0, n)
		return
	}
	// The same loop as Split's, on purpose: routing both through one
	// helper (a closure per block, or a function taking the block rule)
	// cost 7–11 % of BenchmarkMLPStep's CPU time in interleaved runs.
	var wg sync.WaitGroup
	for c := 0; c < chunks; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			body(c, c*size, min(n, (c+1)*size))
		}(c)
	}
	wg.Wait()
}

// For calls body(lo, hi) over disjoint blocks covering [0, n), each of at
// least minPer items, in parallel when there is enough work.
func For(n, minPer int, body func(lo, hi int)) {
	Split(n, Workers(n, minPer), func(_, lo, hi int) { body(lo, hi) })
}

package nn

import (
	"runtime"
	"sync"
)

// minRowsPerWorker is the smallest block of rows worth handing to a goroutine.
const minRowsPerWorker = 256

// ParallelRows calls body(lo, hi) over disjoint blocks covering [0, rows),
// using up to GOMAXPROCS goroutines when there is enough work.
func ParallelRows(rows int, body func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if max := rows / minRowsPerWorker; max < workers {
		workers = max
	}
	if workers <= 1 {
		body(0, rows)
		return
	}
	var wg sync.WaitGroup
	chunk := (rows + workers - 1) / workers
	for lo := 0; lo < rows; lo += chunk {
		hi := lo + chunk
		if hi > rows {
			hi = rows
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			body(lo, hi)
		}(lo, hi)
	}
	wg.Wait()
}

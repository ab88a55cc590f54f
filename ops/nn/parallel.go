package nn

import "github.com/ngs-lab/ngs/internal/par"

// minRowsPerWorker is the smallest block of rows worth handing to a goroutine.
const minRowsPerWorker = 256

// ParallelRows calls body(lo, hi) over disjoint blocks covering [0, rows),
// using up to GOMAXPROCS goroutines when there is enough work (par.For,
// the one parallel loop, with blocks of at least 256 rows).
func ParallelRows(rows int, body func(lo, hi int)) {
	par.For(rows, minRowsPerWorker, body)
}

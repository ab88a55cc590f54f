package sim

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// coupler computes every term's Coupled[i] = Σ_{j≠i} W[i,j]·S_{g(i)}[j] for
// all receivers, splitting the rows into blocks run on separate goroutines.
// Each row of W is read from memory once per step for all terms.
type coupler struct {
	n       int
	terms   []*eqn.BoundTerm
	workers int
}

// minRowsPerWorker keeps goroutine overhead below the work of a block.
const minRowsPerWorker = 128

func newCoupler(n int, terms []*eqn.BoundTerm) *coupler {
	workers := runtime.GOMAXPROCS(0)
	workers = max(1, min(workers, n/minRowsPerWorker))
	return &coupler{n: n, terms: terms, workers: workers}
}

// couple fills the Coupled vectors of all terms for weights w.
func (c *coupler) couple(w []float32) {
	if c.workers == 1 {
		c.rows(w, 0, c.n)
		return
	}
	var wg sync.WaitGroup
	chunk := (c.n + c.workers - 1) / c.workers
	for lo := chunk; lo < c.n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			c.rows(w, lo, hi)
		}(lo, min(lo+chunk, c.n))
	}
	c.rows(w, 0, min(chunk, c.n))
	wg.Wait()
}

// rows computes rows [lo, hi) of every term.
func (c *coupler) rows(w []float32, lo, hi int) {
	n := c.n
	for i := lo; i < hi; i++ {
		row := w[i*n : (i+1)*n]
		rowVec := blas32.Vector{N: n, Inc: 1, Data: row}
		for _, t := range c.terms {
			s := t.Group(i)
			dot := blas32.Dot(rowVec, blas32.Vector{N: n, Inc: 1, Data: s})
			t.Coupled[i] = dot - row[i]*s[i]
		}
	}
}

package sim

import (
	"fmt"
	"runtime"

	"github.com/ngs-lab/ngs/internal/par"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/vec"
)

// coupler computes every term's Coupled[i] = Σ_{j≠i} W[i,j]·S_{g(i)}[j] for
// all receivers with the matrix-vector kernel of package vec, splitting the
// rows into one block per worker of a par.Team. With several terms the rows go
// in chunks small enough to stay in cache, so W is read from memory once per
// step for all terms. With half weights the products stream the
// half-precision copy instead of W (whose values it rounds).
type coupler struct {
	n     int
	terms []*eqn.BoundTerm
	team  *par.Team
	w     []float32
	half  []uint16 // W in binary16, or nil
	errs  []error  // per worker, from the last couple
	// diag is W's diagonal, read once for the weights at diagOf (a Run's
	// W does not change): reading W[i, i] at every step cost a cache miss
	// per row, 0.2 ms of a 5 ms step at N = 8000.
	diag   []float32
	diagOf *float32
}

// minRowsPerWorker keeps the synchronisation cost below the work of a block.
const minRowsPerWorker = 128

// cacheRows is the chunk of rows computed for all terms before the next
// chunk when a rule has several terms (16 rows of 8000 floats: 512 KB).
const cacheRows = 16

func newCoupler(n int, terms []*eqn.BoundTerm, half []uint16) *coupler {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minRowsPerWorker))
	c := &coupler{n: n, terms: terms, half: half, errs: make([]error, workers)}
	c.team = par.NewTeam(workers, c.block)
	return c
}

// close stops the coupler's helper goroutines.
func (c *coupler) close() { c.team.Close() }

// couple fills the Coupled vectors of all terms for weights w, which must
// not change between calls that pass the same slice.
func (c *coupler) couple(w []float32) error {
	c.w = w
	if len(w) > 0 && c.diagOf != &w[0] {
		c.diag = c.diag[:0]
		for i := 0; i < c.n; i++ {
			c.diag = append(c.diag, w[i*c.n+i])
		}
		c.diagOf = &w[0]
	}
	c.team.Run()
	c.w = nil
	for _, err := range c.errs {
		if err != nil {
			return fmt.Errorf("sim: coupling: %w", err)
		}
	}
	return nil
}

// block computes worker k's share of the rows.
func (c *coupler) block(k, workers int) {
	chunk := (c.n + workers - 1) / workers
	lo, hi := min(k*chunk, c.n), min((k+1)*chunk, c.n)
	step := hi - lo
	if len(c.terms) > 1 {
		step = cacheRows
	}
	c.errs[k] = nil
	for start := lo; start < hi && c.errs[k] == nil; start += step {
		c.errs[k] = c.rows(c.w, start, min(start+step, hi))
	}
}

// rows computes rows [lo, hi) of every term.
func (c *coupler) rows(w []float32, lo, hi int) error {
	for _, t := range c.terms {
		for start := lo; start < hi; {
			end := start + 1
			for end < hi && t.GroupOf != nil && t.GroupOf[end] == t.GroupOf[start] {
				end++
			}
			if t.GroupOf == nil {
				end = hi
			}
			if err := c.product(w, t, start, end); err != nil {
				return err
			}
			start = end
		}
	}
	return nil
}

// product computes rows [lo, hi) of one term whose rows share a sender
// vector, removing the diagonal (j = i) from each sum.
func (c *coupler) product(w []float32, t *eqn.BoundTerm, lo, hi int) error {
	n := c.n
	s := t.Group(lo)
	out := t.Coupled[lo:hi]
	var err error
	if c.half != nil {
		err = vec.MatVecHalf(out, c.half[lo*n:hi*n], n, s)
	} else {
		err = vec.MatVec(out, w[lo*n:hi*n], n, s)
	}
	if err != nil {
		return err
	}
	for i := lo; i < hi; i++ {
		t.Coupled[i] -= c.diag[i] * s[i]
	}
	return nil
}

package linalg

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/par"
)

// FillLower writes the lower triangle of the n×n row-major matrix a (the
// triangle Cholesky.Factorize reads) from the upper triangle of a
// symmetric matrix given entry by entry: a[p][q] = upper(q, p) for q ≤ p,
// plus shift on the diagonal (a ridge). It calls upper(q, p) with p running
// fastest for each q, in 64×64 tiles, so that a row-major source is read
// along its rows; tiles are dealt to the cores in turn. upper must be safe
// to call concurrently.
func FillLower(a []float64, n int, shift float64, upper func(q, p int) float64) {
	if n < 0 || len(a) < n*n {
		panic(fmt.Sprintf("linalg: FillLower of a %d×%d matrix given %d values", n, n, len(a)))
	}
	const tile = 64
	tiles := (n + tile - 1) / tile
	workers := par.Workers(n*n/2, 1<<14)
	par.Split(workers, workers, func(w, _, _ int) {
		for t := w; t < tiles; t += workers {
			p0, p1 := t*tile, min((t+1)*tile, n)
			for q := 0; q < p1; q++ {
				for p := max(p0, q); p < p1; p++ {
					a[p*n+q] = upper(q, p)
				}
			}
			for p := p0; p < p1; p++ {
				a[p*n+p] += shift
			}
		}
	})
}

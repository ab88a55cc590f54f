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
	fillTiles(n, func(p0, p1 int) {
		for q := 0; q < p1; q++ {
			for p := max(p0, q); p < p1; p++ {
				a[p*n+q] = upper(q, p)
			}
		}
		for p := p0; p < p1; p++ {
			a[p*n+p] += shift
		}
	})
}

// FillLowerMatrix is FillLower from a row-major matrix: a[p][q] =
// src[q·lds + p] for q ≤ p (src's upper triangle, transposed), plus shift
// on the diagonal.
func FillLowerMatrix(a []float64, n int, shift float64, src []float64, lds int) {
	if n < 0 || len(a) < n*n || (n > 0 && (lds < n || len(src) < (n-1)*lds+n)) {
		panic(fmt.Sprintf("linalg: FillLowerMatrix of a %d×%d matrix given %d values and a source of %d values with stride %d", n, n, len(a), len(src), lds))
	}
	fillTiles(n, func(p0, p1 int) {
		for q := 0; q < p1; q++ {
			lo := max(p0, q)
			row := src[q*lds+lo : q*lds+p1]
			for k, v := range row {
				a[(lo+k)*n+q] = v
			}
		}
		for p := p0; p < p1; p++ {
			a[p*n+p] += shift
		}
	})
}

// fillTiles calls fill(p0, p1) for the 64-row blocks of an n×n lower
// triangle, dealt to the cores in turn (their work grows with p).
func fillTiles(n int, fill func(p0, p1 int)) {
	const tile = 64
	tiles := (n + tile - 1) / tile
	workers := par.Workers(n*n/2, 1<<14)
	par.Split(workers, workers, func(w, _, _ int) {
		for t := w; t < tiles; t += workers {
			fill(t*tile, min((t+1)*tile, n))
		}
	})
}

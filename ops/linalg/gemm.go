package linalg

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/par"
)

// Block sizes of Gemm: a kc×nr panel of B (32 KB for the AVX-512 kernel)
// stays in L1 while an mc×kc block of A (256 KB) streams from L2, and a
// kc×nc block of B sits in L3.
const (
	blockK = 256
	blockM = 128
	blockN = 2048
)

// minParallelFlops is the work (multiply-adds) below which Gemm runs on the
// caller's goroutine alone.
const minParallelFlops = 1 << 18

// packBuffers are one goroutine's packed blocks of A and B.
type packBuffers struct{ a, b []float64 }

// packFree keeps packing buffers between calls (a sync.Pool would drop its
// 4 MB buffers at every garbage collection, and the factorisations call
// Gemm hundreds of times).
var packFree = make(chan *packBuffers, 8)

// getPack returns a free packing buffer, or a new one.
func getPack() *packBuffers {
	select {
	case p := <-packFree:
		return p
	default:
		return new(packBuffers)
	}
}

// putPack returns p to the free list (or lets it go when the list is full).
func putPack(p *packBuffers) {
	select {
	case packFree <- p:
	default:
	}
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k (A itself
// with row stride lda, or Aᵀ when transA, A then being k×m), op(B) is k×n
// (B, or Bᵀ when transB) and C is m×n with row stride ldc; all row-major.
// With beta = 0, C is overwritten (NaN in C does not propagate). It splits C
// into row (or column) stripes, one per core, and runs the micro-kernel of
// the selected tier on packed blocks of A and B.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("linalg: Gemm with negative size %d×%d×%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	checkMatrix("A", a, lda, m, k, transA)
	checkMatrix("B", b, ldb, k, n, transB)
	checkMatrix("C", c, ldc, m, n, false)
	workers := 1
	if m*n*k >= minParallelFlops {
		workers = par.Workers(max(m, n), 1)
	}
	mr, nr := kern.mr, kern.nr
	if workers > 1 && m < workers*mr*2 && n >= workers*nr*2 {
		// few rows: column stripes, each its own product
		panels := (n + nr - 1) / nr
		par.Split(panels, workers, func(_, lo, hi int) {
			c0, c1 := lo*nr, min(hi*nr, n)
			bo := c0
			if transB {
				bo = c0 * ldb
			}
			gemmBlocked(1, transA, transB, m, c1-c0, k, alpha, a, lda, b[bo:], ldb, beta, c[c0:], ldc)
		})
		return
	}
	if m < workers*mr*2 {
		workers = 1
	}
	gemmBlocked(workers, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMatrix panics unless x holds a rows×cols matrix of row stride ld (or
// its transpose when trans).
func checkMatrix(name string, x []float64, ld, rows, cols int, trans bool) {
	if trans {
		rows, cols = cols, rows
	}
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols || len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("linalg: Gemm's %s is %d×%d with stride %d but holds %d values", name, rows, cols, ld, len(x)))
	}
}

// gemmBlocked is Gemm over blocks: for each kc×nc block of op(B), packed
// once (its panels split over the workers), the workers take stripes of
// C's rows, each packing its own mc×kc blocks of op(A) and running the
// micro-kernel over them.
func gemmBlocked(workers int, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if k == 0 || alpha == 0 {
		par.Split(m, workers, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				scaleRow(c[i*ldc:i*ldc+n], beta)
			}
		})
		return
	}
	ks := kern
	mr, nr := ks.mr, ks.nr
	mcBlock, ncBlock := blockM/mr*mr, blockN/nr*nr // whole panels
	ncMax := min(ncBlock, (n+nr-1)/nr*nr)
	kcMax := min(blockK, k)
	bufs := make([]*packBuffers, workers)
	for w := range bufs {
		bufs[w] = getPack()
		defer putPack(bufs[w])
	}
	if len(bufs[0].b) < ncMax*kcMax {
		bufs[0].b = make([]float64, ncMax*kcMax)
	}
	bp := bufs[0].b
	rowPanels := (m + mr - 1) / mr
	for jc := 0; jc < n; jc += ncBlock {
		nc := min(ncBlock, n-jc)
		colPanels := (nc + nr - 1) / nr
		for pc := 0; pc < k; pc += blockK {
			kc := min(blockK, k-pc)
			par.Split(colPanels, workers, func(_, lo, hi int) {
				packB(transB, b, ldb, pc, kc, jc+lo*nr, min(hi*nr, nc)-lo*nr, nr, bp[lo*nr*kc:])
			})
			// beta applies once, to each tile just before its first
			// product (while the tile is in cache)
			scale := pc == 0 && beta != 1
			par.Split(rowPanels, workers, func(w, lo, hi int) {
				ap := bufs[w].a
				if need := min(mcBlock, (hi-lo)*mr) * kc; len(ap) < need {
					ap = make([]float64, min(mcBlock, (hi-lo)*mr)*kcMax)
					bufs[w].a = ap
				}
				r0, r1 := lo*mr, min(hi*mr, m)
				var edge [16 * 16]float64 // an mr×nr tile for C's ragged edges
				for ic := r0; ic < r1; ic += mcBlock {
					mc := min(mcBlock, r1-ic)
					packA(transA, a, lda, ic, mc, pc, kc, mr, alpha, ap)
					for jr := 0; jr < nc; jr += nr {
						nw := min(nr, nc-jr)
						bPanel := bp[jr*kc:]
						for ir := 0; ir < mc; ir += mr {
							mw := min(mr, mc-ir)
							aPanel := ap[ir*kc:]
							ci := (ic+ir)*ldc + jc + jr
							full := mw == mr && nw == nr
							if scale && (beta != 0 || !full) {
								for r := 0; r < mw; r++ {
									scaleRow(c[ci+r*ldc:ci+r*ldc+nw], beta)
								}
							}
							if full { // beta = 0 on the first block: the kernel overwrites
								ks.kernel(kc, &aPanel[0], &bPanel[0], &c[ci], ldc, !scale || beta != 0)
								continue
							}
							tile := edge[:mr*nr]
							ks.kernel(kc, &aPanel[0], &bPanel[0], &tile[0], nr, false)
							for r := 0; r < mw; r++ {
								row := c[ci+r*ldc : ci+r*ldc+nw]
								for j := range row {
									row[j] += tile[r*nr+j]
								}
							}
						}
					}
				}
			})
		}
	}
}

// scaleRow multiplies x by beta (beta = 0 clears it, NaN included).
func scaleRow(x []float64, beta float64) {
	switch beta {
	case 1:
	case 0:
		clear(x)
	default:
		for j := range x {
			x[j] *= beta
		}
	}
}

// packA copies alpha·op(A)[i0:i0+mc, p0:p0+kc] into dst as mr-row panels,
// each kc×mr (column kk of the panel's rows together), zero-padding the last
// panel's missing rows.
func packA(trans bool, a []float64, lda, i0, mc, p0, kc, mr int, alpha float64, dst []float64) {
	for ir := 0; ir < mc; ir += mr {
		mw := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		if mw < mr {
			clear(panel)
		}
		if trans { // row kk of A holds the panel's mw values side by side
			for kk := 0; kk < kc; kk++ {
				src := a[(p0+kk)*lda+i0+ir : (p0+kk)*lda+i0+ir+mw]
				dst := panel[kk*mr : kk*mr+mw]
				for r, v := range src {
					dst[r] = alpha * v
				}
			}
			continue
		}
		for r := 0; r < mw; r++ {
			i := i0 + ir + r
			row := a[i*lda+p0 : i*lda+p0+kc]
			for kk, v := range row {
				panel[kk*mr+r] = alpha * v
			}
		}
	}
}

// packB copies op(B)[p0:p0+kc, j0:j0+nc] into dst as nr-column panels, each
// kc×nr (row kk of the panel's columns together), zero-padding the last
// panel's missing columns.
func packB(trans bool, b []float64, ldb, p0, kc, j0, nc, nr int, dst []float64) {
	for jr := 0; jr < nc; jr += nr {
		nw := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		if nw < nr {
			clear(panel)
		}
		if trans {
			for j := 0; j < nw; j++ {
				row := b[(j0+jr+j)*ldb+p0 : (j0+jr+j)*ldb+p0+kc]
				for kk, v := range row {
					panel[kk*nr+j] = v
				}
			}
			continue
		}
		for kk := 0; kk < kc; kk++ {
			src := b[(p0+kk)*ldb+j0+jr : (p0+kk)*ldb+j0+jr+nw]
			dst := panel[kk*nr : kk*nr+nw]
			for j, v := range src { // short rows: a loop beats memmove's call
				dst[j] = v
			}
		}
	}
}

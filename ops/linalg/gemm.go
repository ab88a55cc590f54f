package linalg

import (
	"fmt"
	"sync"

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

var packPool = sync.Pool{New: func() any { return new(packBuffers) }}

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
	switch {
	case workers > 1 && m >= workers*mr*2:
		// row stripes, each a whole number of mr-row panels
		panels := (m + mr - 1) / mr
		par.Split(panels, workers, func(_, lo, hi int) {
			r0, r1 := lo*mr, min(hi*mr, m)
			ao := r0 * lda
			if transA {
				ao = r0
			}
			gemmSerial(transA, transB, r1-r0, n, k, alpha, a[ao:], lda, b, ldb, beta, c[r0*ldc:], ldc)
		})
	case workers > 1 && n >= workers*nr*2:
		panels := (n + nr - 1) / nr
		par.Split(panels, workers, func(_, lo, hi int) {
			c0, c1 := lo*nr, min(hi*nr, n)
			bo := c0
			if transB {
				bo = c0 * ldb
			}
			gemmSerial(transA, transB, m, c1-c0, k, alpha, a, lda, b[bo:], ldb, beta, c[c0:], ldc)
		})
	default:
		gemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
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

// gemmSerial is Gemm on the caller's goroutine.
func gemmSerial(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if beta != 1 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	ks := kern
	mr, nr := ks.mr, ks.nr
	buf := packPool.Get().(*packBuffers)
	defer packPool.Put(buf)
	mcBlock, ncBlock := blockM/mr*mr, blockN/nr*nr // whole panels
	mcMax := min(mcBlock, (m+mr-1)/mr*mr)
	ncMax := min(ncBlock, (n+nr-1)/nr*nr)
	kcMax := min(blockK, k)
	if len(buf.a) < mcMax*kcMax {
		buf.a = make([]float64, mcMax*kcMax)
	}
	if len(buf.b) < ncMax*kcMax {
		buf.b = make([]float64, ncMax*kcMax)
	}
	var edge [16 * 16]float64 // an mr×nr tile for C's ragged edges
	for jc := 0; jc < n; jc += ncBlock {
		nc := min(ncBlock, n-jc)
		for pc := 0; pc < k; pc += blockK {
			kc := min(blockK, k-pc)
			packB(transB, b, ldb, pc, kc, jc, nc, nr, buf.b)
			for ic := 0; ic < m; ic += mcBlock {
				mc := min(mcBlock, m-ic)
				packA(transA, a, lda, ic, mc, pc, kc, mr, alpha, buf.a)
				for jr := 0; jr < nc; jr += nr {
					nw := min(nr, nc-jr)
					bp := buf.b[jr*kc:]
					for ir := 0; ir < mc; ir += mr {
						mw := min(mr, mc-ir)
						ap := buf.a[ir*kc:]
						ci := (ic+ir)*ldc + jc + jr
						if mw == mr && nw == nr {
							ks.kernel(kc, &ap[0], &bp[0], &c[ci], ldc)
							continue
						}
						tile := edge[:mr*nr]
						clear(tile)
						ks.kernel(kc, &ap[0], &bp[0], &tile[0], nr)
						for r := 0; r < mw; r++ {
							row := c[ci+r*ldc : ci+r*ldc+nw]
							for j := range row {
								row[j] += tile[r*nr+j]
							}
						}
					}
				}
			}
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
		for r := 0; r < mw; r++ {
			i := i0 + ir + r
			if trans {
				for kk := 0; kk < kc; kk++ {
					panel[kk*mr+r] = alpha * a[(p0+kk)*lda+i]
				}
			} else {
				row := a[i*lda+p0 : i*lda+p0+kc]
				for kk, v := range row {
					panel[kk*mr+r] = alpha * v
				}
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
			copy(panel[kk*nr:kk*nr+nw], b[(p0+kk)*ldb+j0+jr:(p0+kk)*ldb+j0+jr+nw])
		}
	}
}

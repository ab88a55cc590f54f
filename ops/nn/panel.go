package nn

import "github.com/ngs-lab/ngs/internal/par"

// The products of layers whose width is a multiple of 64 (other than 64
// itself) run the 64-column AVX-512 kernel one panel of 64 columns at a
// time: the panel of the right-hand factor is packed contiguously (in
// Work.wt), the kernel writes a block of rows×64 results into Work.panel,
// and the block is copied into the strided output.

// panelBlock is the number of rows a worker multiplies by every panel before
// moving on, so that its block of inputs stays in cache.
const panelBlock = 128

// panelForward is out = in·W + b for Out a multiple of 64.
func panelForward(d *Dense, in, out []float32, rows int, w *Work) {
	np := d.Out / 64
	wp := grow(&w.wt, d.In*d.Out)
	for p := 0; p < np; p++ { // panel p of W: In×64 at wp[p·In·64:]
		dst := wp[p*d.In*64 : (p+1)*d.In*64]
		for k := 0; k < d.In; k++ {
			copy(dst[k*64:(k+1)*64], d.W[k*d.Out+p*64:])
		}
	}
	scratch := grow(&w.panel, rows*64)
	ParallelRows(rows, func(lo, hi int) {
		for b := lo; b < hi; b += panelBlock {
			e := min(hi, b+panelBlock)
			s := scratch[b*64 : e*64]
			for p := 0; p < np; p++ {
				bias := d.B[p*64 : (p+1)*64]
				for r := 0; r < e-b; r++ {
					copy(s[r*64:(r+1)*64], bias)
				}
				gemm64Kernel(in[b*d.In:], d.In, wp[p*d.In*64:], s, e-b, d.In, true)
				for r := 0; r < e-b; r++ {
					copy(out[(b+r)*d.Out+p*64:(b+r)*d.Out+(p+1)*64], s[r*64:(r+1)*64])
				}
			}
		}
	})
}

// panelParamGrad is GW += inᵀ·g for Out a multiple of 64: the rows are
// split into par.Chunks of at least minRowsPerWorker rows, each packs the
// panels of its block of rows of g and forms its partial In×Out product
// (reading in transposed in place), and the partials are added in block
// order.
func panelParamGrad(d *Dense, in, g []float32, rows int, w *Work) {
	np := d.Out / 64
	size := d.In * d.Out
	chunk := par.ChunkSize(rows, minRowsPerWorker)
	nchunks := par.NumChunks(rows, chunk)
	parts := grow(&w.parts, nchunks*size)
	scratch := grow(&w.panel, rows*64)
	par.Chunks(rows, chunk, func(c, lo, hi int) {
		part := parts[c*size : (c+1)*size]
		gp := scratch[lo*64 : hi*64]
		for p := 0; p < np; p++ {
			for r := lo; r < hi; r++ {
				copy(gp[(r-lo)*64:(r-lo+1)*64], g[r*d.Out+p*64:r*d.Out+(p+1)*64])
			}
			gemm64TransKernel(in[lo*d.In:hi*d.In], d.In, gp, part[p*d.In*64:(p+1)*d.In*64], d.In, hi-lo, false)
		}
	})
	for c := 0; c < nchunks; c++ {
		part := parts[c*size : (c+1)*size]
		for p := 0; p < np; p++ {
			pp := part[p*d.In*64 : (p+1)*d.In*64]
			for k := 0; k < d.In; k++ {
				axpy(1, pp[k*64:(k+1)*64], d.GW[k*d.Out+p*64:k*d.Out+(p+1)*64])
			}
		}
	}
}

// panelInputGrad is dx = g·Wᵀ for In a multiple of 64.
func panelInputGrad(d *Dense, g, dx []float32, rows int, w *Work) {
	np := d.In / 64
	wt := grow(&w.wt, d.Out*d.In)
	for p := 0; p < np; p++ { // panel p of Wᵀ: Out×64 at wt[p·Out·64:]
		dst := wt[p*d.Out*64 : (p+1)*d.Out*64]
		for j := 0; j < 64; j++ {
			src := d.W[(p*64+j)*d.Out : (p*64+j+1)*d.Out]
			for o, v := range src {
				dst[o*64+j] = v
			}
		}
	}
	scratch := grow(&w.panel, rows*64)
	ParallelRows(rows, func(lo, hi int) {
		for b := lo; b < hi; b += panelBlock {
			e := min(hi, b+panelBlock)
			s := scratch[b*64 : e*64]
			for p := 0; p < np; p++ {
				gemm64Kernel(g[b*d.Out:], d.Out, wt[p*d.Out*64:], s, e-b, d.Out, false)
				for r := 0; r < e-b; r++ {
					copy(dx[(b+r)*d.In+p*64:(b+r)*d.In+(p+1)*64], s[r*64:(r+1)*64])
				}
			}
		}
	})
}

package nn

import (
	"math"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// kernelSet holds the assembly kernels of one tier (internal/cpu); on amd64
// the generic tier has SSE2 kernels (the baseline every amd64 CPU has) for
// the 64-column product and the ReLU. A nil gemm64 (the generic tier
// elsewhere and in -tags purego builds) means gonum's Sgemm (with gonum's
// assembly kernels where gonum has them); a nil sine means sineActivateGo.
type kernelSet struct {
	tier cpu.Tier
	// gemm64 computes C[r][0:64] (+)= Σ_kk A(r, kk)·B[kk][0:64] for r < m,
	// kk < k, with A(r, kk) = a[r·lda + kk·astep], B of row stride ldb
	// (≥ 64), C of row stride 64, C overwritten unless acc.
	gemm64 func(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool, ldb int)
	// sine is sineActivate over n values, a multiple of sineBlock, that stops
	// before the first block holding a value with |om·h| beyond sinFastBound
	// (or NaN) and returns the number of values done.
	sine      func(h, dh *float32, n int, om float32) int
	sineBlock int
	// relu sets h[k] = max(h[k], 0) keeping NaN, and reluGrad zeroes g[k]
	// where !(h[k] > 0), for k < n, a multiple of reluBlock (relu.go). nil
	// means reluGo and reluGradGo.
	relu      func(h *float32, n int)
	reluGrad  func(g, h *float32, n int)
	reluBlock int
}

// kern is the kernel set of the tier chosen at start-up; tests switch it
// with useTier.
var kern = kernelsFor(cpu.Selected())

// hasGemm64 reports whether the 64-column assembly kernel runs.
func hasGemm64() bool { return kern.gemm64 != nil }

// gemm64Kernel is C (+)= A·B with A row-major (row stride lda), B k×64 and
// C m×64; only called when hasGemm64.
func gemm64Kernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	if m == 0 {
		return
	}
	_ = c[m*64-1]
	if k > 0 {
		_ = a[(m-1)*lda+k-1]
		_ = b[k*64-1]
	}
	kern.gemm64(&a[0], lda, 1, &b[0], &c[0], m, k, acc, 64)
}

// gemm64StridedKernel is gemm64Kernel with B's rows ldb ≥ 64 apart: B is
// 64 columns of a wider matrix, read in place. Only called when hasGemm64.
func gemm64StridedKernel(a []float32, lda int, b []float32, ldb int, c []float32, m, k int, acc bool) {
	if m == 0 {
		return
	}
	_ = c[m*64-1]
	if ldb < 64 {
		panic("nn: gemm64StridedKernel: B's row stride is below 64")
	}
	if k > 0 {
		_ = a[(m-1)*lda+k-1]
		_ = b[(k-1)*ldb+63]
	}
	kern.gemm64(&a[0], lda, 1, &b[0], &c[0], m, k, acc, ldb)
}

// gemm64TransKernel is C (+)= Aᵀ·B where A is k×m row-major with row
// stride lda: A is read in place, without a transposed copy. Only called
// when hasGemm64.
func gemm64TransKernel(a []float32, lda int, b, c []float32, m, k int, acc bool) {
	if m == 0 || k == 0 {
		return
	}
	_ = a[(k-1)*lda+m-1]
	_ = b[k*64-1]
	_ = c[m*64-1]
	kern.gemm64(&a[0], 1, lda, &b[0], &c[0], m, k, acc, 64)
}

// sineActivate sets h[k] = sin(om·h[k]) and dh[k] = om·cos(om·h[k]), the
// derivative that the backward pass needs.
func sineActivate(h, dh []float32, om float32) {
	dh = dh[:len(h)]
	if kern.sine == nil {
		sineActivateGo(h, dh, om)
		return
	}
	bs := kern.sineBlock
	for len(h) >= bs {
		n := len(h) / bs * bs
		done := kern.sine(&h[0], &dh[0], n, om)
		h, dh = h[done:], dh[done:]
		if done < n { // a block with a large argument or NaN
			sineActivateGo(h[:bs], dh[:bs], om)
			h, dh = h[bs:], dh[bs:]
		}
	}
	sineActivateGo(h, dh, om)
}

// sineConsts are the constants of sincosFast (float32 bits), in the order
// that the sine kernels load them.
var sineConsts = [16]uint32{
	math.Float32bits(twoOverPi), math.Float32bits(roundMagic),
	math.Float32bits(pio2Hi), math.Float32bits(pio2Lo),
	math.Float32bits(sinC1), math.Float32bits(sinC2), math.Float32bits(sinC3),
	math.Float32bits(cosC1), math.Float32bits(cosC2), math.Float32bits(cosC3),
	math.Float32bits(0.5), math.Float32bits(1),
	0x7fffffff, math.Float32bits(sinFastBound), 1, 2,
}

// sineConsts8 is sineConsts with each constant repeated 8 times, so that
// the AVX2 kernel reads them as 256-bit memory operands.
var sineConsts8 = func() (c [16][8]uint32) {
	for i, v := range sineConsts {
		for j := range c[i] {
			c[i][j] = v
		}
	}
	return c
}()

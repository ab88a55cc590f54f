package linalg

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/internal/par"
)

// Block sizes of the factorisation and the inverse.
const (
	// cholBlock is the panel width of the right-looking Cholesky: its
	// trailing update is a GEMM of depth cholBlock.
	cholBlock = 256
	// smallBlock is the size below which the triangular kernels run
	// unblocked (scalar loops).
	smallBlock = 32
	// invBlock is the row-block height of the product L⁻ᵀ·L⁻¹.
	invBlock = 256
)

// Cholesky is the lower Cholesky factor L (A = L·Lᵀ) of a symmetric
// positive definite n×n matrix, with the 1-norm of A for the condition
// estimate. The zero value is empty; Factorize fills it.
type Cholesky struct {
	n     int
	l     []float64 // n×n row-major; the lower triangle holds L, the upper is undefined
	anorm float64   // ‖A‖₁
	cond  float64   // the estimate of Cond, computed on first use (0: not yet)
}

// Factorize computes the lower Cholesky factor of the n×n row-major matrix
// a (row stride n), reading only its lower triangle, in place: a's lower
// triangle becomes L and its upper triangle is overwritten with scratch.
// The Cholesky keeps a (does not copy it). It returns false, like gonum's
// mat.Cholesky.Factorize, when A is not positive definite (a pivot ≤ 0 or
// NaN); the factor must not be used then.
func (c *Cholesky) Factorize(a []float64, n int) bool {
	if n < 0 || len(a) < n*n {
		panic(fmt.Sprintf("linalg: Factorize of a %d×%d matrix given %d values", n, n, len(a)))
	}
	c.n, c.l, c.cond = n, a[:n*n], 0
	c.anorm = symNorm1(a, n)
	if !potrf(a, n, n, cholBlock) {
		c.n, c.l = 0, nil
		return false
	}
	return true
}

// N returns the order of the factorised matrix (0 when empty or failed).
func (c *Cholesky) N() int { return c.n }

// L returns the factor's storage: n×n row-major, L in the lower triangle
// (diagonal included), undefined values above it.
func (c *Cholesky) L() []float64 { return c.l }

// symNorm1 returns the 1-norm (largest absolute column sum) of the
// symmetric n×n matrix whose lower triangle a holds.
func symNorm1(a []float64, n int) float64 {
	sums := make([]float64, n)
	for i := 0; i < n; i++ {
		row := a[i*n : i*n+i+1]
		var s float64
		for j, v := range row[:i] {
			v = math.Abs(v)
			s += v
			sums[j] += v
		}
		sums[i] += s + math.Abs(row[i])
	}
	var norm float64
	for _, s := range sums {
		if s > norm || math.IsNaN(s) {
			norm = s
		}
	}
	return norm
}

// potrf factorises the n×n lower triangle of a (row stride lda) in place,
// in column panels of width nb: factor the diagonal block (recursively,
// with panels nb/4), solve the panel below it (TRSM), and subtract its
// outer product from the trailing matrix (SYRK, by GEMM).
func potrf(a []float64, n, lda, nb int) bool {
	if n <= smallBlock {
		return potrfSmall(a, n, lda)
	}
	for k := 0; k < n; k += nb {
		b := min(nb, n-k)
		diag := a[k*lda+k:]
		if !potrf(diag, b, lda, max(nb/4, smallBlock)) {
			return false
		}
		m := n - k - b
		if m == 0 {
			break
		}
		below := a[(k+b)*lda+k:]
		trsmLowerT(diag, b, below, m, lda)
		syrkLower(below, m, b, a[(k+b)*lda+k+b:], lda)
	}
	return true
}

// potrfSmall is the unblocked lower Cholesky of n×n a (stride lda).
func potrfSmall(a []float64, n, lda int) bool {
	for j := 0; j < n; j++ {
		rj := a[j*lda : j*lda+j+1]
		d := rj[j] - dot(rj[:j], rj[:j])
		if !(d > 0) || math.IsInf(d, 0) {
			return false
		}
		d = math.Sqrt(d)
		rj[j] = d
		for i := j + 1; i < n; i++ {
			ri := a[i*lda : i*lda+j+1]
			ri[j] = (ri[j] - dot(ri[:j], rj[:j])) / d
		}
	}
	return true
}

// dot returns Σ x[i]·y[i] over len(x).
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// trsmLowerT overwrites the m×b matrix x (stride ld) with x·L⁻ᵀ, L being
// the b×b lower triangle of l (stride ld): each row solves y·Lᵀ = x.
// Recursive in b, with a GEMM for the coupling block.
func trsmLowerT(l []float64, b int, x []float64, m, ld int) {
	if b <= smallBlock {
		par.For(m, 16, func(lo, hi int) {
			i := lo
			for ; i+4 <= hi; i += 4 { // four rows share the loads of L
				r0, r1 := x[i*ld:i*ld+b], x[(i+1)*ld:(i+1)*ld+b]
				r2, r3 := x[(i+2)*ld:(i+2)*ld+b], x[(i+3)*ld:(i+3)*ld+b]
				for j := 0; j < b; j++ {
					lj := l[j*ld : j*ld+j+1]
					s0, s1, s2, s3 := r0[j], r1[j], r2[j], r3[j]
					for p, lv := range lj[:j] {
						s0 -= r0[p] * lv
						s1 -= r1[p] * lv
						s2 -= r2[p] * lv
						s3 -= r3[p] * lv
					}
					d := lj[j]
					r0[j], r1[j], r2[j], r3[j] = s0/d, s1/d, s2/d, s3/d
				}
			}
			for ; i < hi; i++ {
				row := x[i*ld : i*ld+b]
				for j := 0; j < b; j++ {
					lj := l[j*ld : j*ld+j+1]
					row[j] = (row[j] - dot(row[:j], lj[:j])) / lj[j]
				}
			}
		})
		return
	}
	b1 := half(b)
	trsmLowerT(l, b1, x, m, ld)
	// x2 −= x1·L21ᵀ
	Gemm(false, true, m, b-b1, b1, -1, x, ld, l[b1*ld:], ld, 1, x[b1:], ld)
	trsmLowerT(l[b1*ld+b1:], b-b1, x[b1:], m, ld)
}

// half splits n at a multiple of 16 near its middle.
func half(n int) int {
	h := (n/2 + 8) / 16 * 16
	if h <= 0 || h >= n {
		h = n / 2
	}
	return h
}

// syrkLower subtracts x·xᵀ (x m×k, stride ld) from the lower triangle of
// the m×m matrix c (stride ld), recursively: off-diagonal blocks by GEMM,
// diagonal blocks of at most 128 rows by a full GEMM (which also writes
// their upper triangle, scratch in this package's matrices).
func syrkLower(x []float64, m, k int, c []float64, ld int) {
	if m <= 128 {
		Gemm(false, true, m, m, k, -1, x, ld, x, ld, 1, c, ld)
		return
	}
	m1 := half(m)
	syrkLower(x, m1, k, c, ld)
	Gemm(false, true, m-m1, m1, k, -1, x[m1*ld:], ld, x, ld, 1, c[m1*ld:], ld)
	syrkLower(x[m1*ld:], m-m1, k, c[m1*ld+m1:], ld)
}

// Cond returns an estimate of the 1-norm condition number ‖A‖₁·‖A⁻¹‖₁ of
// the factorised matrix, ‖A⁻¹‖₁ by Hager's method as refined by Higham
// (LAPACK's dlacn2, the estimate that gonum's Cholesky.Cond and dpocon
// use): a few solves with the factor, O(n²) each. It is a lower bound of
// the true condition number, almost always within a factor of 3. Inf when
// the factor is empty.
func (c *Cholesky) Cond() float64 {
	if c.n == 0 {
		return math.Inf(1)
	}
	if c.cond == 0 {
		c.cond = c.anorm * c.invNorm1()
	}
	return c.cond
}

// invNorm1 estimates ‖A⁻¹‖₁ as dlacn2 does (A⁻¹ symmetric, so its
// transpose solves are the same solves).
func (c *Cholesky) invNorm1() float64 {
	n := c.n
	x := make([]float64, n)
	sgn := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	c.SolveVec(x)
	if n == 1 {
		return math.Abs(x[0])
	}
	est := norm1(x)
	signs(x, sgn)
	copy(x, sgn)
	c.SolveVec(x)
	j := argmaxAbs(x)
	for iter := 2; ; iter++ {
		clear(x)
		x[j] = 1
		c.SolveVec(x)
		old := est
		est = norm1(x)
		if sameSigns(x, sgn) || est <= old {
			est = math.Max(est, old)
			break
		}
		signs(x, sgn)
		copy(x, sgn)
		c.SolveVec(x)
		last := j
		j = argmaxAbs(x)
		if x[last] == math.Abs(x[j]) || iter >= 5 {
			break
		}
	}
	// Higham's alternating-sign vector guards against the worst cases.
	for i := range x {
		x[i] = 1 + float64(i)/float64(n-1)
		if i%2 == 1 {
			x[i] = -x[i]
		}
	}
	c.SolveVec(x)
	if alt := 2 * norm1(x) / float64(3*n); alt > est {
		est = alt
	}
	return est
}

// norm1 returns Σ|x[i]|.
func norm1(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// signs sets s[i] to the sign of x[i] (+1 for 0).
func signs(x, s []float64) {
	for i, v := range x {
		s[i] = 1
		if v < 0 {
			s[i] = -1
		}
	}
}

// sameSigns reports whether the signs of x are those in s.
func sameSigns(x, s []float64) bool {
	for i, v := range x {
		if (v < 0) != (s[i] < 0) {
			return false
		}
	}
	return true
}

// argmaxAbs returns the first index of the largest |x[i]|.
func argmaxAbs(x []float64) int {
	best, at := -1.0, 0
	for i, v := range x {
		if a := math.Abs(v); a > best {
			best, at = a, i
		}
	}
	return at
}

// SolveVec overwrites b (length n) with A⁻¹·b by forward and back
// substitution with the factor: O(n²).
func (c *Cholesky) SolveVec(b []float64) {
	n, l := c.n, c.l
	b = b[:n]
	for i := 0; i < n; i++ { // L y = b
		row := l[i*n : i*n+i+1]
		b[i] = (b[i] - dot(row[:i], b[:i])) / row[i]
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ x = y, by rows of L (axpy form)
		row := l[i*n : i*n+i+1]
		b[i] /= row[i]
		v := b[i]
		for j, lv := range row[:i] {
			b[j] -= v * lv
		}
	}
}

// ForwardRows overwrites each of the m rows of x (row stride n, the
// factor's order) with L⁻¹ applied to it: row r becomes (L⁻¹·rᵀ)ᵀ, by
// blocked forward substitution (a GEMM for the coupling blocks), in
// parallel. With the factor of a Gram matrix G = ΨᵀΨ, the inner product of
// two rows so transformed is pᵀG⁻¹q, formed without G⁻¹: the bordered
// solves of ops/gnn's own-term columns need it where G⁻¹ would lose the
// small Schur complements to rounding.
func (c *Cholesky) ForwardRows(x []float64, m int) {
	n := c.n
	if n == 0 {
		panic("linalg: ForwardRows with an empty or failed Cholesky factor")
	}
	if len(x) < m*n {
		panic(fmt.Sprintf("linalg: ForwardRows of %d rows of %d given %d values", m, n, len(x)))
	}
	trsmLowerT(c.l, n, x, m, n)
}

// InverseFactor returns L⁻¹ (n×n row-major, zeros above the diagonal) in
// dst (allocated when it holds fewer than n² values): about n³/3
// multiply-adds, in parallel. It serves the back substitution after
// ForwardRows: A⁻¹·v = L⁻ᵀ(L⁻¹·v), so a row y = (L⁻¹·v)ᵀ gives
// (A⁻¹·v)ᵀ = y·L⁻¹, one GEMM for many rows.
func (c *Cholesky) InverseFactor(dst []float64) []float64 {
	n := c.n
	if n == 0 {
		panic("linalg: InverseFactor of an empty or failed Cholesky factor")
	}
	if len(dst) < n*n {
		dst = make([]float64, n*n)
	}
	dst = dst[:n*n]
	par.For(n, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			copy(dst[i*n:i*n+i+1], c.l[i*n:i*n+i+1])
			clear(dst[i*n+i+1 : (i+1)*n])
		}
	})
	trtriLower(dst, n, n, nil)
	return dst
}

// Inverse returns A⁻¹ as a full symmetric n×n row-major matrix in dst
// (allocated when it holds fewer than n² values): L⁻¹ by a recursive
// triangular inverse, then L⁻ᵀ·L⁻¹ by row blocks of GEMMs; about (2/3)·n³
// multiply-adds, in parallel.
func (c *Cholesky) Inverse(dst []float64) []float64 {
	if c.n == 0 {
		panic("linalg: Inverse of an empty or failed Cholesky factor")
	}
	dst = c.InverseFactor(dst)
	lauumLower(dst, c.n)
	mirrorLower(dst, c.n)
	return dst
}

// trtriLower replaces the n×n lower triangular matrix in x (stride ld;
// zeros above the diagonal, which stay zero) by its inverse, recursively:
// inv([[L11, 0], [L21, L22]]) = [[X11, 0], [−X22·L21·X11, X22]]. scratch
// holds at least n²/4 values or is nil.
func trtriLower(x []float64, n, ld int, scratch []float64) {
	if n <= smallBlock {
		for j := n - 1; j >= 0; j-- {
			x[j*ld+j] = 1 / x[j*ld+j]
			neg := -x[j*ld+j]
			for i := n - 1; i > j; i-- {
				row := x[i*ld : i*ld+i+1]
				var s float64
				for p := j + 1; p <= i; p++ {
					s += row[p] * x[p*ld+j]
				}
				row[j] = s * neg
			}
		}
		return
	}
	n1 := half(n)
	n2 := n - n1
	if len(scratch) < n1*n2 {
		scratch = make([]float64, n1*n2)
	}
	trtriLower(x, n1, ld, scratch)
	trtriLower(x[n1*ld+n1:], n2, ld, scratch)
	// t = L21·X11, then X21 = −X22·t
	t := scratch[:n2*n1]
	Gemm(false, false, n2, n1, n1, 1, x[n1*ld:], ld, x, ld, 0, t, n1)
	Gemm(false, false, n2, n1, n2, -1, x[n1*ld+n1:], ld, t, n1, 0, x[n1*ld:], ld)
}

// lauumLower replaces the lower triangular X (n×n, zeros above the
// diagonal) by the lower triangle of Xᵀ·X, by blocks of invBlock rows in
// increasing order: block I needs only rows ≥ I of X, which later blocks do
// not overwrite. The diagonal blocks also get their upper part.
func lauumLower(x []float64, n int) {
	t := make([]float64, min(invBlock, n)*n)
	for i0 := 0; i0 < n; i0 += invBlock {
		i1 := min(i0+invBlock, n)
		h := i1 - i0
		// (XᵀX)[i0:i1, 0:i1] = X[i0:n, i0:i1]ᵀ · X[i0:n, 0:i1]
		Gemm(true, false, h, i1, n-i0, 1, x[i0*n+i0:], n, x[i0*n:], n, 0, t, i1)
		for r := 0; r < h; r++ {
			copy(x[(i0+r)*n:(i0+r)*n+i1], t[r*i1:(r+1)*i1])
		}
	}
}

// mirrorLower copies the strict lower triangle of the n×n matrix x onto
// its upper triangle, in 64×64 tiles.
func mirrorLower(x []float64, n int) {
	const tile = 64
	tiles := (n + tile - 1) / tile
	par.For(tiles, 1, func(lo, hi int) {
		for bi := lo; bi < hi; bi++ {
			for bj := 0; bj <= bi; bj++ {
				for i := bi * tile; i < min((bi+1)*tile, n); i++ {
					for j := bj * tile; j < min((bj+1)*tile, i); j++ {
						x[j*n+i] = x[i*n+j]
					}
				}
			}
		}
	})
}

package linalg

import (
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// spdWithSpectrum returns Q·diag(eig)·Qᵀ (n×n, row-major) for a random
// orthogonal Q.
func spdWithSpectrum(eig []float64, rng *rand.Rand) []float64 {
	n := len(eig)
	var qr mat.QR
	qr.Factorize(mat.NewDense(n, n, randMatrix(n, n, rng)))
	var q mat.Dense
	qr.QTo(&q)
	scaled := mat.DenseCopyOf(&q)
	for j, e := range eig {
		for i := 0; i < n; i++ {
			scaled.Set(i, j, scaled.At(i, j)*e)
		}
	}
	var a mat.Dense
	a.Mul(scaled, q.T())
	out := make([]float64, n*n)
	for i := 0; i < n; i++ { // exactly symmetric
		for j := 0; j <= i; j++ {
			v := (a.At(i, j) + a.At(j, i)) / 2
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out
}

// randomSPD returns XᵀX/n + 0.01·I for a random n×n X (condition ~10⁴ at
// the larger sizes).
func randomSPD(n int, rng *rand.Rand) []float64 {
	x := randMatrix(n, n, rng)
	a := make([]float64, n*n)
	Gemm(true, false, n, n, n, 1/float64(n), x, n, x, n, 0, a, n)
	for i := 0; i < n; i++ {
		a[i*n+i] += 0.01
		for j := 0; j < i; j++ {
			a[j*n+i] = a[i*n+j]
		}
	}
	return a
}

// gonumReference factorises a with gonum and returns its factor's L
// (row-major), condition estimate and inverse.
func gonumReference(t *testing.T, a []float64, n int) (l []float64, cond float64, inv []float64) {
	t.Helper()
	var chol mat.Cholesky
	if !chol.Factorize(mat.NewSymDense(n, append([]float64(nil), a...))) {
		t.Fatalf("gonum: %d×%d test matrix not positive definite", n, n)
	}
	var u mat.TriDense
	chol.UTo(&u)
	l = make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			l[i*n+j] = u.At(j, i)
		}
	}
	var s mat.SymDense
	if err := chol.InverseTo(&s); err != nil {
		t.Fatalf("gonum inverse: %v", err)
	}
	inv = make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			inv[i*n+j] = s.At(i, j)
		}
	}
	return l, chol.Cond(), inv
}

// maxAbs returns max |x|.
func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// checkAgainstGonum factorises a with this package and compares factor,
// condition estimate and inverse with gonum's.
func checkAgainstGonum(t *testing.T, a []float64, n int, condFactor float64) {
	t.Helper()
	wantL, wantCond, wantInv := gonumReference(t, a, n)
	work := append([]float64(nil), a...)
	for i := 0; i < n; i++ { // only the lower triangle is read
		for j := i + 1; j < n; j++ {
			work[i*n+j] = math.NaN()
		}
	}
	var c Cholesky
	if !c.Factorize(work, n) {
		t.Fatalf("n=%d: Factorize failed on a positive definite matrix", n)
	}
	scale := maxAbs(wantL)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			if d := math.Abs(c.L()[i*n+j] - wantL[i*n+j]); d > 1e-9*scale*math.Max(1, wantCond*1e-6) {
				t.Fatalf("n=%d: L[%d,%d] = %v, gonum %v", n, i, j, c.L()[i*n+j], wantL[i*n+j])
			}
		}
	}
	cond := c.Cond()
	if !(cond >= wantCond/condFactor && cond <= wantCond*condFactor) {
		t.Errorf("n=%d: condition estimate %g, gonum's %g (beyond a factor %g)", n, cond, wantCond, condFactor)
	}
	inv := c.Inverse(nil)
	// forward error of an inverse: about cond·ε relative to its largest entry
	tol := math.Max(wantCond, 1) * 1e-13 * maxAbs(wantInv)
	for i, v := range inv {
		if d := math.Abs(v - wantInv[i]); !(d <= tol) {
			t.Fatalf("n=%d (cond %.3g): inverse[%d,%d] = %v, gonum %v", n, wantCond, i/n, i%n, v, wantInv[i])
		}
	}
	// exact 1-norm condition from the inverse: the estimate is a lower bound
	exact := symNorm1(a, n) * norm1Sym(inv, n)
	if cond > exact*(1+1e-6) || cond < exact/3 {
		t.Errorf("n=%d: condition estimate %g, exact %g", n, cond, exact)
	}
}

// norm1Sym returns the 1-norm of a full n×n matrix.
func norm1Sym(x []float64, n int) float64 {
	var best float64
	for j := 0; j < n; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += math.Abs(x[i*n+j])
		}
		best = math.Max(best, s)
	}
	return best
}

// TestKernelCholeskyMatchesGonum compares factor, condition estimate and
// inverse with gonum's on random SPD matrices of awkward sizes, on every
// tier.
func TestKernelCholeskyMatchesGonum(t *testing.T) {
	sizes := []int{1, 7, 63, 200, 517}
	if testing.Short() {
		sizes = []int{1, 7, 63, 200}
	}
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(3))
		for _, n := range sizes {
			checkAgainstGonum(t, randomSPD(n, rng), n, 1.5)
		}
	})
}

// TestCholeskyIllConditioned compares the condition estimate with gonum's
// up to condition 10¹² (a spectrum spread geometrically), where maxCond's
// 10⁸ threshold of the trainer must be judged the same way.
func TestCholeskyIllConditioned(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, tc := range []struct {
		n    int
		cond float64
	}{{63, 1e6}, {200, 1e8}, {200, 1e12}, {300, 3e9}} {
		eig := make([]float64, tc.n)
		for i := range eig {
			eig[i] = math.Pow(tc.cond, -float64(i)/float64(tc.n-1))
		}
		a := spdWithSpectrum(eig, rng)
		checkAgainstGonum(t, a, tc.n, 1.5)
		var c Cholesky
		work := append([]float64(nil), a...)
		if !c.Factorize(work, tc.n) {
			t.Fatalf("cond %g: Factorize failed", tc.cond)
		}
		// the 2-norm condition is tc.cond; the 1-norm one is within n of it
		if got := c.Cond(); got < tc.cond/10 || got > tc.cond*float64(tc.n) {
			t.Errorf("n=%d: condition estimate %g for a 2-norm condition %g", tc.n, got, tc.cond)
		}
	}
}

// TestCholeskyRejectsIndefinite: a negative eigenvalue, a zero pivot, a NaN
// and an infinity all fail, as gonum's Factorize does for the first three.
func TestCholeskyRejectsIndefinite(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, n := range []int{1, 7, 63, 200} {
		eig := make([]float64, n)
		for i := range eig {
			eig[i] = 1 + float64(i)
		}
		eig[n/2] = -1e-3
		a := spdWithSpectrum(eig, rng)
		var g mat.Cholesky
		if g.Factorize(mat.NewSymDense(n, append([]float64(nil), a...))) {
			t.Fatalf("n=%d: gonum factorised an indefinite matrix", n)
		}
		var c Cholesky
		if c.Factorize(append([]float64(nil), a...), n) {
			t.Errorf("n=%d: Factorize accepted a matrix with eigenvalue -1e-3", n)
		}
		if c.N() != 0 || !math.IsInf(c.Cond(), 1) {
			t.Errorf("n=%d: a failed factor has N %d and Cond %g, expected 0 and +Inf", n, c.N(), c.Cond())
		}
		for _, bad := range []float64{0, math.NaN(), math.Inf(1)} {
			b := randomSPD(n, rng)
			k := n - 1 - n/3
			b[k*n+k] = bad
			if bad == 0 { // a zero row and column: singular
				for j := 0; j < n; j++ {
					b[k*n+j], b[j*n+k] = 0, 0
				}
			}
			if c.Factorize(b, n) {
				t.Errorf("n=%d: Factorize accepted a matrix with diagonal entry %v", n, bad)
			}
		}
	}
}

// TestCholeskySolveVec checks A⁻¹·b by substitution against A·x = b.
func TestCholeskySolveVec(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	n := 150
	a := randomSPD(n, rng)
	var c Cholesky
	if !c.Factorize(append([]float64(nil), a...), n) {
		t.Fatal("Factorize failed")
	}
	b := randMatrix(1, n, rng)
	x := append([]float64(nil), b...)
	c.SolveVec(x)
	for i := 0; i < n; i++ {
		if r := dot(a[i*n:(i+1)*n], x) - b[i]; math.Abs(r) > 1e-10 {
			t.Fatalf("residual %d = %g", i, r)
		}
	}
}

// TestCholeskyForwardRowsInverseFactor: rows y = (L⁻¹v)ᵀ from ForwardRows
// satisfy L·yᵀ = v, their inner products are vᵀA⁻¹w, and y·L⁻¹ (by
// InverseFactor) solves A·x = v — for more rows than the small-block size
// and an order above it, so that the blocked paths run.
func TestCholeskyForwardRowsInverseFactor(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	n, m := 150, 37
	a := randomSPD(n, rng)
	var c Cholesky
	if !c.Factorize(append([]float64(nil), a...), n) {
		t.Fatal("Factorize failed")
	}
	v := randMatrix(m, n, rng)
	y := append([]float64(nil), v...)
	c.ForwardRows(y, m)
	l := c.L()
	for r := 0; r < m; r++ {
		for i := 0; i < n; i++ {
			if d := dot(l[i*n:i*n+i+1], y[r*n:r*n+i+1]) - v[r*n+i]; math.Abs(d) > 1e-9 {
				t.Fatalf("row %d: (L·y)[%d] off by %g", r, i, d)
			}
		}
	}
	linv := c.InverseFactor(nil)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if linv[i*n+j] != 0 {
				t.Fatalf("L⁻¹[%d][%d] = %g above the diagonal", i, j, linv[i*n+j])
			}
		}
	}
	x := make([]float64, m*n)
	Gemm(false, false, m, n, n, 1, y, n, linv, n, 0, x, n)
	for r := 0; r < m; r++ {
		want := append([]float64(nil), v[r*n:(r+1)*n]...)
		c.SolveVec(want)
		for i := range want {
			if d := x[r*n+i] - want[i]; math.Abs(d) > 1e-8*(1+math.Abs(want[i])) {
				t.Fatalf("row %d: (y·L⁻¹)[%d] = %g, A⁻¹v gives %g", r, i, x[r*n+i], want[i])
			}
		}
	}
}

// TestFillLower checks FillLower and FillLowerMatrix: the lower triangle
// and the shift, and that the upper triangle is left alone.
func TestFillLower(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 300} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = -7
		}
		b := append([]float64(nil), a...)
		FillLower(a, n, 0.5, func(q, p int) float64 { return float64(1000*q + p) })
		lds := n + 3
		src := make([]float64, n*lds)
		for q := 0; q < n; q++ {
			for p := 0; p < n; p++ {
				src[q*lds+p] = float64(1000*q + p)
			}
		}
		FillLowerMatrix(b, n, 0.5, src, lds)
		for p := 0; p < n; p++ {
			for q := 0; q < n; q++ {
				want := -7.0
				if q <= p {
					want = float64(1000*q + p)
				}
				if q == p {
					want += 0.5
				}
				if a[p*n+q] != want || b[p*n+q] != want {
					t.Fatalf("n=%d: a[%d,%d] = %v (FillLower), %v (FillLowerMatrix), expected %v", n, p, q, a[p*n+q], b[p*n+q], want)
				}
			}
		}
	}
}

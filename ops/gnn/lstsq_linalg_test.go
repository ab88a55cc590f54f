package gnn

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/ops/linalg"
	"gonum.org/v1/gonum/mat"
)

// spectrumMatrix returns Q·diag(eig)·Qᵀ for a random orthogonal Q, as a
// row-major n×n matrix.
func spectrumMatrix(eig []float64, rng *rand.Rand) []float64 {
	n := len(eig)
	x := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(x)
	var q mat.Dense
	qr.QTo(&q)
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var v float64
			for k, e := range eig {
				v += q.At(i, k) * e * q.At(j, k)
			}
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out
}

// gonumRegularised is the trainer's regularised inverse as it was on gonum (before
// ops/linalg): the ridge that its loop settles on, the condition estimate
// there, and the inverse; ok false when it would fall back to the
// pseudo-inverse.
func gonumRegularised(a []float64, n int, meanDiag, start float64) (ridge, cond float64, inv *mat.SymDense, ok bool) {
	for r := start; r <= maxRidge*1.0001; r *= 10 {
		sym := mat.NewSymDense(n, nil)
		for p := 0; p < n; p++ {
			for q := p; q < n; q++ {
				v := a[p*n+q]
				if p == q {
					v += r * meanDiag
				}
				sym.SetSym(p, q, v)
			}
		}
		var chol mat.Cholesky
		if chol.Factorize(sym) && chol.Cond() <= maxCond {
			var s mat.SymDense
			if chol.InverseTo(&s) == nil {
				return r, chol.Cond(), &s, true
			}
		}
	}
	return 0, 0, nil, false
}

// TestInvertRegularisedMatchesGonum: on ops/linalg the regularised inverse
// (linalg.RegularisedInverse under the trainer's robustRule)
// settles on the same ridge as the gonum version did (condition estimates
// within a factor 1.5 of each other), with the same inverse, from a well
// conditioned matrix (no retry) to ones that need the ridge raised from
// 10⁻¹² to 10⁻⁶ and 10⁻⁵ (2-norm condition numbers 3·10⁷ to 10¹⁶).
func TestInvertRegularisedMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	const n = 120
	for _, spread := range []float64{1e3, 3e7, 1e9, 1e16} {
		eig := make([]float64, n)
		for i := range eig {
			eig[i] = math.Pow(spread, -float64(i)/float64(n-1))
		}
		a := spectrumMatrix(eig, rng)
		var meanDiag float64
		for p := 0; p < n; p++ {
			meanDiag += a[p*n+p]
		}
		meanDiag /= n
		const start = 1e-12
		wantRidge, wantCond, wantInv, ok := gonumRegularised(a, n, meanDiag, start)
		if !ok {
			t.Fatalf("spread %g: gonum found no ridge", spread)
		}
		rule := robustRule(start)
		rule.Scale = meanDiag
		at := func(p, q int) float64 { return a[p*n+q] }
		inv, _, rep, err := linalg.RegularisedInverse(at, nil, 0, n, rule)
		if err != nil {
			t.Fatalf("spread %g: %v", spread, err)
		}
		// the same from the matrix itself
		inv2, _, rep2, err := linalg.RegularisedInverse(at, a, n, n, rule)
		if err != nil {
			t.Fatalf("spread %g: %v", spread, err)
		}
		if rep2.Ridge != rep.Ridge || rep2.Cond != rep.Cond {
			t.Fatalf("spread %g: from the matrix ridge %g cond %g, from at() %g %g", spread, rep2.Ridge, rep2.Cond, rep.Ridge, rep.Cond)
		}
		for k := range inv {
			if inv2[k] != inv[k] {
				t.Fatalf("spread %g: inverse from the matrix differs at %d: %v, %v", spread, k, inv2[k], inv[k])
			}
		}
		t.Logf("spread %g: %s, ridge %g, condition %.3g (gonum %.3g)", spread, rep.Method, rep.Ridge, rep.Cond, wantCond)
		if math.Abs(rep.Ridge/wantRidge-1) > 1e-9 {
			t.Fatalf("spread %g: ridge %g (%s), gonum's loop %g", spread, rep.Ridge, rep.Method, wantRidge)
		}
		if rep.Cond < wantCond/1.5 || rep.Cond > wantCond*1.5 || rep.Rank != n {
			t.Errorf("spread %g: condition %g rank %d, gonum %g", spread, rep.Cond, rep.Rank, wantCond)
		}
		scale := 0.0
		for p := 0; p < n; p++ {
			scale = math.Max(scale, math.Abs(wantInv.At(p, p)))
		}
		for p := 0; p < n; p++ {
			for q := 0; q < n; q++ {
				if d := math.Abs(inv[p*n+q] - wantInv.At(p, q)); d > 1e-7*scale {
					t.Fatalf("spread %g: inverse[%d,%d] = %v, gonum %v", spread, p, q, inv[p*n+q], wantInv.At(p, q))
				}
			}
		}
	}
}

// TestInvertRegularisedPseudoInverse: an indefinite matrix (as the
// input-row solve's centred Gram can be) defeats every ridge up to
// maxRidge, and the fallback is V·diag(1/λ)·Vᵀ over the eigenvalues above
// pinvCut·λmax.
func TestInvertRegularisedPseudoInverse(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	const n = 40
	eig := make([]float64, n)
	for i := range eig {
		eig[i] = 1 + float64(i)
	}
	eig[3] = -2
	a := spectrumMatrix(eig, rng)
	rule := robustRule(1e-6)
	rule.Scale = 20
	inv, _, rep, err := linalg.RegularisedInverse(func(p, q int) float64 { return a[p*n+q] }, a, n, n, rule)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Method != "pseudo-inverse" || rep.Rank != n-1 || !math.IsInf(rep.Cond, 1) {
		t.Fatalf("report %+v: expected the pseudo-inverse with rank %d", rep, n-1)
	}
	var eigs mat.EigenSym
	if !eigs.Factorize(mat.NewSymDense(n, append([]float64(nil), a...)), true) {
		t.Fatal("gonum EigenSym failed")
	}
	vals := eigs.Values(nil)
	var v mat.Dense
	eigs.VectorsTo(&v)
	for p := 0; p < n; p++ {
		for q := 0; q < n; q++ {
			var want float64
			for k, l := range vals {
				if l > 0 {
					want += v.At(p, k) * v.At(q, k) / l
				}
			}
			if d := math.Abs(inv[p*n+q] - want); d > 1e-10 {
				t.Fatalf("pseudo-inverse[%d,%d] = %v, expected %v", p, q, inv[p*n+q], want)
			}
		}
	}
}

package linalg

import (
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// gramOf returns G = ΨᵀΨ (n×n), B = ΨᵀY (n×r) and Ψ's and Y's column sums
// for Ψ of frames×n and Y of frames×r, row-major.
func gramOf(psi, y []float64, frames, n, r int) (g, b, psum, ysum []float64) {
	g, b = make([]float64, n*n), make([]float64, n*r)
	psum, ysum = make([]float64, n), make([]float64, r)
	for t := 0; t < frames; t++ {
		p, q := psi[t*n:(t+1)*n], y[t*r:(t+1)*r]
		for j, v := range p {
			psum[j] += v
			for k, u := range p {
				g[j*n+k] += v * u
			}
			for c, u := range q {
				b[j*r+c] += v * u
			}
		}
		for c, u := range q {
			ysum[c] += u
		}
	}
	return g, b, psum, ysum
}

// TestZeroDiagonalSystemRecoversWAndIntercept: noise-free targets y_i =
// Σ_{j≠i} W_ij ψ_j + b_i, with two flat senders (constants 0.6 and 0.8):
// the active senders' weights come back exactly, the self-weight is 0, and
// the flat senders carry b_i in the minimum-norm way (0.6·b_i and 0.8·b_i
// over 0.6² + 0.8²), for a subset of receivers listed out of order,
// including a flat one (its own constant is left out of the spread).
func TestZeroDiagonalSystemRecoversWAndIntercept(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const n, frames = 9, 400
	flatVal := map[int]float64{2: 0.6, 5: 0.8}
	receivers := []int{7, 0, 2, 4}
	r := len(receivers)
	psi := make([]float64, frames*n)
	for k := range psi {
		psi[k] = math.Tanh(2 * rng.NormFloat64())
	}
	for t := 0; t < frames; t++ {
		for j, v := range flatVal {
			psi[t*n+j] = v
		}
	}
	w := make([]float64, r*n)
	bias := make([]float64, r)
	for c, i := range receivers {
		bias[c] = rng.NormFloat64()
		for j := 0; j < n; j++ {
			if _, flat := flatVal[j]; !flat && j != i {
				w[c*n+j] = rng.NormFloat64()
			}
		}
	}
	y := make([]float64, frames*r)
	for t := 0; t < frames; t++ {
		for c := range receivers {
			v := bias[c]
			for j := 0; j < n; j++ {
				v += w[c*n+j] * psi[t*n+j]
			}
			y[t*r+c] = v
		}
	}
	g, b, psum, ysum := gramOf(psi, y, frames, n, r)
	sys, err := FactorZeroDiagonal(Gram{N: n, G: g, LD: n, Flat: []int{2, 5}, Sums: psum, Frames: frames}, RidgeRule{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep := sys.Report(); rep.Method != "cholesky" || rep.Rank != n-1 || sys.Size() != n-1 || sys.Active() != n-2 {
		t.Fatalf("report %+v, size %d, active %d: expected a Cholesky of the 7 active senders plus the intercept", rep, sys.Size(), sys.Active())
	}
	got := sys.Weights(sys.Solve(b, r, r, receivers, ysum), r, receivers)
	for c, i := range receivers {
		norm := 0.6*0.6 + 0.8*0.8
		if v, flat := flatVal[i]; flat {
			norm -= v * v
		}
		for j := 0; j < n; j++ {
			want := w[c*n+j]
			if v, flat := flatVal[j]; flat && j != i {
				want = bias[c] * v / norm
			}
			if d := math.Abs(float64(got[c*n+j]) - want); d > 1e-4 || (j == i && got[c*n+j] != 0) {
				t.Errorf("receiver %d, sender %d: Ŵ %.6f, expected %.6f", i, j, got[c*n+j], want)
			}
		}
	}
}

// TestRidgeRules: the exact rule (ridge 0, no fallback) refuses an
// indefinite matrix with ErrNotPositiveDefinite; on a singular Gram matrix
// (a duplicated sender) the robust rule raises the ridge tenfold until the
// condition estimate is acceptable (and says so), and past its largest ridge
// falls back to the pseudo-inverse; a rule that would raise a zero ridge is
// refused.
func TestRidgeRules(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	const n, frames = 6, 50
	psi := make([]float64, frames*n)
	for k := range psi {
		psi[k] = rng.NormFloat64()
	}
	for t := 0; t < frames; t++ {
		psi[t*n+4] = psi[t*n+3] // a duplicated sender: G is singular
	}
	g, _, _, _ := gramOf(psi, make([]float64, frames), frames, n, 1)
	gram := Gram{N: n, G: g, LD: n}
	indefinite := append([]float64(nil), g...)
	indefinite[0] = -indefinite[0]
	if _, err := FactorZeroDiagonal(Gram{N: n, G: indefinite, LD: n}, RidgeRule{Scale: 1}); !errors.Is(err, ErrNotPositiveDefinite) {
		t.Errorf("exact rule on an indefinite Gram: error %v, expected ErrNotPositiveDefinite", err)
	}
	sys, err := FactorZeroDiagonal(gram, RidgeRule{Ridge: 1e-12, MaxRidge: 1e-2, MaxCond: 1e8, PinvCut: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	if rep := sys.Report(); rep.Method != "cholesky+ridge" || rep.Ridge <= 1e-12 || rep.Cond > 1e8 || rep.Rank != n {
		t.Errorf("robust rule: %+v, expected a raised ridge with condition ≤ 1e8", rep)
	}
	sys, err = FactorZeroDiagonal(gram, RidgeRule{Ridge: 1e-12, MaxRidge: 1e-10, MaxCond: 10, PinvCut: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	if rep := sys.Report(); rep.Method != "pseudo-inverse" || rep.Rank != n-1 || !math.IsInf(rep.Cond, 1) {
		t.Errorf("robust rule with no acceptable ridge: %+v, expected the pseudo-inverse of rank %d", rep, n-1)
	}
	if _, err := FactorZeroDiagonal(gram, RidgeRule{MaxRidge: 1e-2}); err == nil || !strings.Contains(err.Error(), "ridge") {
		t.Errorf("raising a zero ridge: error %v, expected a refusal", err)
	}
}

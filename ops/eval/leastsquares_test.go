package eval

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// syntheticLinearData returns messages Ψ = tanh(u) for random states, a
// random zero-diagonal W and targets Y = Ψ·Wᵀ + noise·ξ, all frames×n.
func syntheticLinearData(frames, n int, noise float64, seed uint64) (psi, y, w []float32) {
	rng := rand.New(rand.NewPCG(seed, 3))
	psi = make([]float32, frames*n)
	for k := range psi {
		psi[k] = float32(math.Tanh(3 * rng.NormFloat64()))
	}
	w = make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				w[i*n+j] = float32(rng.NormFloat64() / math.Sqrt(float64(n)))
			}
		}
	}
	y = make([]float32, frames*n)
	for t := 0; t < frames; t++ {
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < n; j++ {
				s += float64(psi[t*n+j]) * float64(w[i*n+j])
			}
			y[t*n+i] = float32(s + noise*rng.NormFloat64())
		}
	}
	return psi, y, w
}

// directZeroDiagonalSolve solves each row's reduced (N−1)×(N−1) system
// (Ψ_{-i}ᵀΨ_{-i} + ridge·I) w = Ψ_{-i}ᵀ y_i from scratch: the reference for
// the rank-one downdate in SolveZeroDiagonal.
func directZeroDiagonalSolve(t *testing.T, psi, y []float32, frames, n int, ridge float64) []float64 {
	w := make([]float64, n*n)
	for i := 0; i < n; i++ {
		a := mat.NewDense(frames, n-1, nil)
		b := mat.NewVecDense(frames, nil)
		for f := 0; f < frames; f++ {
			col := 0
			for j := 0; j < n; j++ {
				if j != i {
					a.Set(f, col, float64(psi[f*n+j]))
					col++
				}
			}
			b.SetVec(f, float64(y[f*n+i]))
		}
		var gram mat.Dense
		gram.Mul(a.T(), a)
		for d := 0; d < n-1; d++ {
			gram.Set(d, d, gram.At(d, d)+ridge)
		}
		var rhs, solution mat.VecDense
		rhs.MulVec(a.T(), b)
		if err := solution.SolveVec(&gram, &rhs); err != nil {
			t.Fatalf("direct solve of row %d: %v", i, err)
		}
		col := 0
		for j := 0; j < n; j++ {
			if j != i {
				w[i*n+j] = solution.AtVec(col)
				col++
			}
		}
	}
	return w
}

func TestLeastSquaresWRecoversNoiseFreeW(t *testing.T) {
	const frames, n = 200, 30
	psi, y, truth := syntheticLinearData(frames, n, 0, 1)
	got, err := LeastSquaresW(psi, y, frames, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k := range truth {
		if math.Abs(float64(got[k]-truth[k])) > 1e-4 {
			t.Fatalf("Ŵ[%d,%d] = %v, want %v", k/n, k%n, got[k], truth[k])
		}
	}
	fit, err := Connectivity(got, truth, n)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.R2-1) > 1e-6 || math.Abs(fit.Slope-1) > 1e-4 {
		t.Fatalf("connectivity fit %+v, want R² 1 and slope 1", fit)
	}
}

func TestLeastSquaresWMatchesDirectPerRowSolve(t *testing.T) {
	const frames, n = 120, 30
	psi, y, _ := syntheticLinearData(frames, n, 0.5, 2)
	for _, ridge := range []float64{0, 0.3, 10} {
		got, err := LeastSquaresW(psi, y, frames, n, ridge)
		if err != nil {
			t.Fatal(err)
		}
		want := directZeroDiagonalSolve(t, psi, y, frames, n, ridge)
		for k := range want {
			if math.Abs(float64(got[k])-want[k]) > 1e-4 {
				t.Fatalf("ridge %v: Ŵ[%d,%d] = %v, direct solve %v", ridge, k/n, k%n, got[k], want[k])
			}
			if k/n == k%n && got[k] != 0 {
				t.Fatalf("ridge %v: diagonal Ŵ[%d,%d] = %v, want 0", ridge, k/n, k/n, got[k])
			}
		}
	}
}

func TestNormalEquationsAccumulateInBatches(t *testing.T) {
	const frames, n = 1100, 12 // more than two chunks
	psi, y, _ := syntheticLinearData(frames, n, 0.2, 3)
	whole, err := LeastSquaresW(psi, y, frames, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	equations, err := NewNormalEquations(n)
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < frames; start += 100 {
		end := min(start+100, frames)
		if err := equations.Add(psi[start*n:end*n], y[start*n:end*n], end-start); err != nil {
			t.Fatal(err)
		}
	}
	if equations.Frames() != frames {
		t.Fatalf("Frames() = %d, want %d", equations.Frames(), frames)
	}
	var sumSquares float64
	for _, p := range psi {
		sumSquares += float64(p) * float64(p)
	}
	if got, want := equations.MeanGramDiagonal(), sumSquares/n; math.Abs(got-want) > 1e-9*want {
		t.Fatalf("MeanGramDiagonal = %v, want %v", got, want)
	}
	batched, err := equations.SolveZeroDiagonal(0)
	if err != nil {
		t.Fatal(err)
	}
	for k := range whole {
		if math.Abs(float64(whole[k]-batched[k])) > 1e-5 {
			t.Fatalf("batched Ŵ[%d] = %v, whole %v", k, batched[k], whole[k])
		}
	}
	equations.Reset()
	if _, err := equations.SolveZeroDiagonal(0); err == nil {
		t.Fatal("solve after Reset succeeded, want a no-frames error")
	}
}

func TestLeastSquaresWUnderdeterminedNeedsRidge(t *testing.T) {
	const frames, n = 10, 30
	psi, y, _ := syntheticLinearData(frames, n, 0, 4)
	if _, err := LeastSquaresW(psi, y, frames, n, 0); err == nil || !strings.Contains(err.Error(), "ridge") {
		t.Fatalf("10 frames for 30 neurons without ridge: err = %v, want one suggesting a ridge", err)
	}
	if _, err := LeastSquaresW(psi, y, frames, n, 1e-3); err != nil {
		t.Fatalf("with ridge: %v", err)
	}
	if _, err := LeastSquaresW(psi[:5], y, frames, n, 0); err == nil {
		t.Fatal("short Ψ accepted, want a shape error")
	}
}

func TestReceiverGroupsMatchDirectSolveAndRecoverW(t *testing.T) {
	// N5-like: the messages depend on the receiver's group (ψ = tanh(u/w_g)).
	const frames, n = 150, 24
	rng := rand.New(rand.NewPCG(11, 12))
	u := make([]float64, frames*n)
	for k := range u {
		u[k] = 3 * rng.NormFloat64()
	}
	_, _, w := syntheticLinearData(1, n, 0, 13)
	groups := [][]int{{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}, {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}}
	widths := []float64{1, 4}
	for g, receivers := range groups {
		psi := make([]float32, frames*n)
		for k := range psi {
			psi[k] = float32(math.Tanh(u[k] / widths[g]))
		}
		full := make([]float32, frames*n) // every column, for the direct reference
		for f := 0; f < frames; f++ {
			for i := 0; i < n; i++ {
				var s float64
				for j := 0; j < n; j++ {
					s += float64(w[i*n+j]) * float64(psi[f*n+j])
				}
				full[f*n+i] = float32(s + 0.05*rng.NormFloat64())
			}
		}
		y := make([]float32, 0, frames*len(receivers))
		for f := 0; f < frames; f++ {
			for _, i := range receivers {
				y = append(y, full[f*n+i])
			}
		}
		equations, err := NewReceiverNormalEquations(n, receivers)
		if err != nil {
			t.Fatal(err)
		}
		if err := equations.Add(psi, y, frames); err != nil {
			t.Fatal(err)
		}
		rows, err := equations.SolveZeroDiagonal(0)
		if err != nil {
			t.Fatal(err)
		}
		direct := directZeroDiagonalSolve(t, psi, full, frames, n, 0)
		for c, i := range receivers {
			for j := 0; j < n; j++ {
				got := float64(rows[c*n+j])
				if math.Abs(got-direct[i*n+j]) > 1e-4 {
					t.Fatalf("group %d receiver %d sender %d: %v, direct solve %v", g, i, j, got, direct[i*n+j])
				}
				if math.Abs(got-float64(w[i*n+j])) > 0.05 {
					t.Fatalf("group %d receiver %d sender %d: %v, true W %v", g, i, j, got, w[i*n+j])
				}
			}
		}
	}
	if _, err := NewReceiverNormalEquations(n, []int{0, n}); err == nil {
		t.Fatal("receiver n accepted, want an out-of-range error")
	}
}

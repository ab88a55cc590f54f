package gnn

import (
	"math"
	"math/rand"
	"testing"
)

// TestPsiGridMatchesMLP checks that training's ψ* through the grid gives
// the MLP's values and, for one batch, nearly the MLP's parameter gradient
// (the ReLU MLP is piecewise linear, so its interpolant differs only in the
// grid cells around its kinks).
func TestPsiGridMatchesMLP(t *testing.T) {
	n := 50
	rng := rand.New(rand.NewSource(3))
	d := smallData(n, 40, rng)
	frames := []int{1, 9, 17, 33}
	grads := func(grid bool) (vals, g []float32) {
		m, err := NewModel(ModelSpec{N: n}, 5)
		if err != nil {
			t.Fatal(err)
		}
		m.xnorm = 5
		wk := m.newBatchWork(len(frames))
		if grid {
			m.usePsiGrid(wk, trainingPsiGrid(m, d, TrainConfig{PsiGrid: DefaultPsiGrid}))
			if wk.grid == nil {
				t.Fatal("no grid for a shared ψ*")
			}
		}
		wk.loadFrames(d, frames)
		m.psi.ZeroGrads()
		m.lossAndGrad(wk, stepOptions{gradPsi: true, edgeDiff: 1, delta: edgeDiffShift(m.xnorm)})
		return append([]float32(nil), wk.psiOut...), append([]float32(nil), m.psi.Grads...)
	}
	exactV, exactG := grads(false)
	gridV, gridG := grads(true)
	var maxDiff float64
	for k := range exactV {
		maxDiff = math.Max(maxDiff, math.Abs(float64(exactV[k]-gridV[k])))
	}
	if maxDiff > 1e-3 {
		t.Errorf("ψ* through the grid differs from the MLP by up to %.3g (want ≤ 1e-3)", maxDiff)
	}
	var dd, ee float64
	for k := range exactG {
		dd += float64(exactG[k]-gridG[k]) * float64(exactG[k]-gridG[k])
		ee += float64(exactG[k]) * float64(exactG[k])
	}
	if rel := math.Sqrt(dd / ee); rel > 0.02 || ee == 0 {
		t.Errorf("ψ*'s gradient through the grid is %.3g away from the MLP's (relative; want ≤ 0.02)", rel)
	}
}

// TestPsiGridOnlyForSharedPsi checks that ψ* with an embedding (N4) or
// per receiver group (N5), or the setting off, trains row by row.
func TestPsiGridOnlyForSharedPsi(t *testing.T) {
	d := smallData(8, 10, rand.New(rand.NewSource(1)))
	for _, tc := range []struct {
		spec ModelSpec
		grid int
		want bool
	}{
		{ModelSpec{N: 8}, DefaultPsiGrid, true},
		{ModelSpec{N: 8}, -1, false},
		{ModelSpec{N: 8, Variant: N4}, DefaultPsiGrid, false},
		{ModelSpec{N: 8, Variant: N5}, DefaultPsiGrid, false},
	} {
		m, err := NewModel(tc.spec, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := trainingPsiGrid(m, d, TrainConfig{PsiGrid: tc.grid}) != nil; got != tc.want {
			t.Errorf("variant %v, psi_grid %d: grid %v, want %v", tc.spec.Variant, tc.grid, got, tc.want)
		}
	}
}

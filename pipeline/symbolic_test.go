package pipeline

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// Two clusters of noisy learned curves whose true functions are
// −c·u + s·tanh(u) and tanh(u): Symbolic fits one formula per cluster for
// φ* and one shared formula for ψ*, each of the true form with constants
// near the true ones, and names the type each cluster matches.
func TestSymbolicFindsTheTrueForms(t *testing.T) {
	const n, g = 6, 80
	grid := make([]float32, g)
	for k := range grid {
		grid[k] = float32(-5 + 10*float64(k)/float64(g-1))
	}
	c, s := []float64{1, 2}, []float64{1, 2}
	types := []int{0, 0, 0, 1, 1, 1}
	labels := []int{1, 1, 1, 0, 0, 0} // cluster numbers need not match types
	curves := LearnedCurves{Grid: grid, Labels: labels, Clusters: 2, PsiShared: true}
	truth := &TrueFunctions{Types: types, TypeNames: []string{"A", "B"}, Phi: make([][]float32, 2), Psi: make([][]float32, 2)}
	truth.PhiForms, truth.PsiForms = ExpectedForms(eqn.N2(), []map[string]float64{{"c": 1, "s": 1, "g": 10}, {"c": 2, "s": 2, "g": 10}})
	for typ := range 2 {
		for _, u := range grid {
			truth.Phi[typ] = append(truth.Phi[typ], float32(-c[typ]*float64(u)+s[typ]*math.Tanh(float64(u))))
			truth.Psi[typ] = append(truth.Psi[typ], float32(math.Tanh(float64(u))))
		}
	}
	for i := range n {
		typ := types[i]
		for k, u := range grid {
			wobble := 0.01 * math.Sin(float64(3*i+k))
			curves.Phi = append(curves.Phi, float32(float64(truth.Phi[typ][k])*1.02+wobble))
			curves.Psi = append(curves.Psi, float32(0.98*math.Tanh(float64(u))+wobble))
		}
	}
	res, err := Symbolic(context.Background(), curves, truth, SymbolicConfig{Budget: 5000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Expressions) != 3 || res.Note != "" {
		t.Fatalf("expected 3 formulas (ψ*, φ* of 2 clusters) and no note, found %d and %q", len(res.Expressions), res.Note)
	}
	want := map[string]string{"psi/-1": "A", "phi/0": "B", "phi/1": "A"}
	for _, e := range res.Expressions {
		t.Logf("%s cluster %d (%s): %s, RMSE %.4f, learned error %.4f, %s", e.Function, e.Cluster, e.Type, e.Expr, math.Sqrt(e.Loss), e.LearnedError, e.Selected)
		key := e.Function + "/" + string(rune('0'+e.Cluster))
		if e.Cluster < 0 {
			key = e.Function + "/-1"
		}
		if want[key] != e.Type {
			t.Errorf("%s: expected type %q, found %q", key, want[key], e.Type)
		}
		if e.Selected != "expected form within tolerance" || !strings.Contains(e.Expr, "tanh(u)") || e.R2 < 0.999 {
			t.Errorf("%s: expected the true form with R² ≥ 0.999, found %s (%s, R² %v)", key, e.Expr, e.Selected, e.R2)
		}
		if !(e.LearnedError > 0.01 && e.LearnedError < 0.2) {
			t.Errorf("%s: expected the curve's own error against the truth in (0.01, 0.2), found %v", key, e.LearnedError)
		}
	}
	// One cluster only: the others are named in the note.
	res, err = Symbolic(context.Background(), curves, nil, SymbolicConfig{Budget: 2000, MaxClusters: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Note != "2 clusters: formulas for the first 1" || len(res.Expressions) != 2 || res.Expressions[1].Type != "" {
		t.Errorf("expected a note, 2 formulas and no types without truth, found %q, %d, %+v", res.Note, len(res.Expressions), res.Expressions)
	}
	curves.Psi = curves.Psi[:g]
	if _, err := Symbolic(context.Background(), curves, nil, SymbolicConfig{}); err == nil || !strings.Contains(err.Error(), "6 neurons × 80 grid points") {
		t.Errorf("expected an error naming the expected shape, found %v", err)
	}
}

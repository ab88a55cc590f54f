package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/connect"
)

// cauchyW returns an n×n Cauchy connectivity with zero diagonal, as in SPEC
// §1.3, from ops/connect (the one Cauchy generator).
func cauchyW(n int, seed uint64) []float32 {
	w, err := connect.Cauchy(n, 0.7, 25, rand.New(rand.NewPCG(seed, 5)))
	if err != nil {
		panic(err)
	}
	return w
}

func TestConnectivityR2OfTruthIsOneAndIgnoresDiagonal(t *testing.T) {
	const n = 50
	truth := cauchyW(n, 1)
	learned := slices.Clone(truth)
	for i := 0; i < n; i++ {
		learned[i*n+i] = 123 // the masked diagonal must not count
	}
	fit, err := Connectivity(learned, truth, n)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.R2-1) > 1e-9 || math.Abs(fit.Slope-1) > 1e-9 || fit.N != n*(n-1) {
		t.Fatalf("fit %+v, want R² 1, slope 1 over %d entries", fit, n*(n-1))
	}
	for k := range learned {
		learned[k] = 2 * truth[k]
	}
	if fit, _ := Connectivity(learned, truth, n); math.Abs(fit.Slope-2) > 1e-6 {
		t.Fatalf("slope of 2·W = %v, want 2", fit.Slope)
	}
	if _, err := Connectivity(learned[:10], truth, n); err == nil {
		t.Fatal("short matrix accepted, want an error")
	}
}

func TestFunctionR2(t *testing.T) {
	truth := []float32{0, 1, 2, 3}
	if r2, err := FunctionR2(truth, truth); err != nil || r2 != 1 {
		t.Fatalf("identical curves: R² %v, err %v; want 1", r2, err)
	}
	// Residuals 1 at every point: SSres = 4, SStot = 5.
	if r2, _ := FunctionR2([]float32{1, 2, 3, 4}, truth); math.Abs(r2-(1-4.0/5)) > 1e-12 {
		t.Fatalf("shifted curve: R² %v, want 0.2", r2)
	}
	if _, err := FunctionR2(truth[:2], truth); err == nil {
		t.Fatal("grids of different size accepted, want an error")
	}
}

func TestFunctionR2ByType(t *testing.T) {
	truth := [][]float32{{0, 1, 2, 3}, {3, 2, 1, 0}}
	curves := []float32{0, 1, 2, 3, 3, 2, 1, 0, 1, 2, 3, 4} // neurons of types 0, 1, 1
	scores, err := FunctionR2ByType(curves, 4, []int{0, 1, 1}, truth)
	if err != nil {
		t.Fatal(err)
	}
	// Type 1 pools a perfect curve with [1 2 3 4] against [3 2 1 0]:
	// SSres = 4+0+4+16 = 24, SStot = 2·(2.25+0.25+0.25+2.25) = 10.
	want1 := 1 - 24.0/10
	if scores[0] != 1 || math.Abs(scores[1]-want1) > 1e-12 {
		t.Fatalf("scores %v, want [1 %v]", scores, want1)
	}
	if _, err := FunctionR2ByType(curves, 4, []int{0, 1, 2}, truth); err == nil {
		t.Fatal("type 2 with two true curves accepted, want an error")
	}
}

func TestRolloutFitOfIdenticalArraysIsOne(t *testing.T) {
	const steps, n = 900, 20
	rng := rand.New(rand.NewPCG(4, 4))
	truth := make([]float32, steps*n)
	for k := range truth {
		truth[k] = float32(rng.NormFloat64())
	}
	fits, err := RolloutFit(truth, truth, n, []int{400, 800})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fits {
		if math.Abs(f.Fit.R2-1) > 1e-9 || math.Abs(f.Fit.Slope-1) > 1e-9 {
			t.Fatalf("step %d: fit %+v, want R² 1 and slope 1", f.Step, f.Fit)
		}
	}
	if fits[1].Step != 800 {
		t.Fatalf("second fit is step %d, want 800", fits[1].Step)
	}
	if _, err := RolloutFit(truth, truth, n, []int{900}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("step 900 of 900: err = %v, want an out-of-range error", err)
	}
}

func TestExternalInputFitRemovesGlobalScale(t *testing.T) {
	truth := []float32{0.5, 1.2, 0.9, 1.48, 1.0, 0.7}
	learned := make([]float32, len(truth))
	for k, e := range truth {
		learned[k] = e / 3
	}
	got, err := ExternalInputFit(learned, truth)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Scale-3) > 1e-6 || math.Abs(got.Fit.R2-1) > 1e-9 || math.Abs(got.Fit.Slope-1) > 1e-6 {
		t.Fatalf("got %+v, want scale 3, R² 1, slope 1", got)
	}
	if _, err := ExternalInputFit(make([]float32, 6), truth); err == nil {
		t.Fatal("all-zero learned input accepted, want an error")
	}
}

func countTypes(types []int, k int) []int {
	counts := make([]int, k)
	for _, t := range types {
		counts[t]++
	}
	return counts
}

func TestTypesFromFractions(t *testing.T) {
	cases := []struct {
		n         int
		fractions []float64
		want      []int
	}{
		{1000, []float64{10, 20, 30, 40}, []int{100, 200, 300, 400}},
		{10, []float64{1, 1, 1}, []int{3, 3, 4}},
		{1001, []float64{0.6, 0.4, 0, 0}, []int{600, 401, 0, 0}},
	}
	for _, c := range cases {
		types, err := TypesFromFractions(c.n, c.fractions)
		if err != nil {
			t.Fatal(err)
		}
		if got := countTypes(types, len(c.fractions)); !slices.Equal(got, c.want) {
			t.Fatalf("n %d, fractions %v: counts %v, want %v", c.n, c.fractions, got, c.want)
		}
		if !slices.IsSorted(types) {
			t.Fatalf("types %v are not contiguous blocks", types)
		}
	}
	if _, err := TypesFromFractions(10, []float64{0, 0}); err == nil {
		t.Fatal("all-zero fractions accepted, want an error")
	}
	if _, err := TypesFromFractions(10, []float64{1, -1}); err == nil {
		t.Fatal("negative fraction accepted, want an error")
	}
}

func TestEmbeddingTableRoundTrip(t *testing.T) {
	embeddings := []float32{1, 1, 1.2, 0.8, 5, 5, 0.9, 1.1, 5.2, 4.8}
	types := []int{0, 0, 1, 0, 1}
	table, err := TypeEmbeddingTable(embeddings, 2, types, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(table[0], []float32{1, 1}) || !slices.Equal(table[1], []float32{5.1, 4.9}) {
		t.Fatalf("table %v, want [[1 1] [5.1 4.9]]", table)
	}
	retyped, err := EmbeddingsFromTypes([]int{1, 0, 1}, table)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(retyped, []float32{5.1, 4.9, 1, 1, 5.1, 4.9}) {
		t.Fatalf("re-typed embeddings %v", retyped)
	}
	if _, err := EmbeddingsFromTypes([]int{2}, table); err == nil {
		t.Fatal("type 2 with a two-row table accepted, want an error")
	}
	if _, err := TypeEmbeddingTable(embeddings, 2, types, 3); err == nil {
		t.Fatal("type 2 with no neurons accepted, want an error")
	}
}

func TestTypeRecoveryOnSeparatedEmbeddings(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	centres := [][2]float64{{1, 1}, {1.4, 0.6}, {0.6, 1.5}, {1.8, 1.8}}
	var embeddings []float32
	var types []int
	for i := 0; i < 400; i++ {
		typ := i / 100
		types = append(types, typ)
		embeddings = append(embeddings, float32(centres[typ][0]+0.01*rng.NormFloat64()), float32(centres[typ][1]+0.01*rng.NormFloat64()))
	}
	score, err := TypeRecovery(embeddings, 2, types, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if score.Clusters != 4 || score.Accuracy != 1 || math.Abs(score.ARI-1) > 1e-12 {
		t.Fatalf("score %d clusters, accuracy %v, ARI %v; want 4, 1, 1", score.Clusters, score.Accuracy, score.ARI)
	}
}

// TestTypeRecoveryOnClusterMedians scores embeddings as a clustering step
// leaves them, one median per cluster: Supp 10's four medians at the end of
// a run, where A's and B's lie 0.04 apart in units of the range. Single
// linkage at 0.1 joins them; refining keeps the four types.
func TestTypeRecoveryOnClusterMedians(t *testing.T) {
	medians := [][2]float32{{0.571, 1.854}, {0.476, 1.819}, {2.445, -0.412}, {2.923, -0.353}}
	var embeddings []float32
	var types []int
	for i := 0; i < 1000; i++ {
		typ := i / 250
		types = append(types, typ)
		embeddings = append(embeddings, medians[typ][0], medians[typ][1])
	}
	score, err := TypeRecovery(embeddings, 2, types, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if score.Clusters != 4 || score.Accuracy != 1 {
		t.Fatalf("%d clusters, accuracy %v; want 4 and 1", score.Clusters, score.Accuracy)
	}
}

// TestPerUnitScaledR2 checks that a field known up to a factor per unit
// scores 1, and that a wrong time course does not.
func TestPerUnitScaledR2(t *testing.T) {
	const frames, units = 50, 4
	truth := make([]float32, frames*units)
	scaled := make([]float32, frames*units)
	wrong := make([]float32, frames*units)
	for f := 0; f < frames; f++ {
		for i := 0; i < units; i++ {
			v := float32(1 + 0.5*math.Sin(float64(f)/5+float64(i)))
			truth[f*units+i] = v
			scaled[f*units+i] = v * float32(i+2)
			wrong[f*units+i] = float32(1 + 0.5*math.Cos(float64(f)/3))
		}
	}
	if r2, err := PerUnitScaledR2(scaled, truth, units); err != nil || math.Abs(r2-1) > 1e-6 {
		t.Errorf("scaled copy: R² %v, err %v; want 1", r2, err)
	}
	if r2, _ := PerUnitScaledR2(wrong, truth, units); r2 > 0.5 {
		t.Errorf("wrong time course: R² %v, want < 0.5", r2)
	}
	if _, err := PerUnitScaledR2(scaled[:7], truth, units); err == nil {
		t.Error("no error for arrays of different sizes")
	}
}

package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func sortedMedian(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

func TestMedianMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 60; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Round(rng.NormFloat64() * 3) // ties included
		}
		orig := slices.Clone(x)
		if got, want := Median(x), sortedMedian(x); got != want {
			t.Fatalf("n = %d: Median = %g, sorting gives %g", n, got, want)
		}
		if !slices.Equal(x, orig) {
			t.Fatalf("n = %d: Median modified its input", n)
		}
		x32 := make([]float32, n)
		for i := range x {
			x32[i] = float32(x[i])
		}
		if got, want := float64(MedianInPlace(x32)), sortedMedian(x); got != want {
			t.Fatalf("n = %d: float32 median %g, want %g", n, got, want)
		}
	}
	if !math.IsNaN(Median([]float64{})) {
		t.Error("the median of nothing is not NaN")
	}
	got := ColumnMedians([]float32{1, 10, 3, 30, 2, 20, 4, 40}, 2)
	if !slices.Equal(got, []float32{2.5, 25}) {
		t.Errorf("ColumnMedians = %v, want [2.5 25]", got)
	}
}

package cluster

import (
	"math/rand/v2"
	"testing"
)

// blob returns n points of a 2-D normal cloud around (x, y) with spread sd.
func blob(rng *rand.Rand, n int, x, y, sd float64) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = []float64{x + sd*rng.NormFloat64(), y + sd*rng.NormFloat64()}
	}
	return out
}

// cutAndRefine runs single linkage at threshold on the normalised points,
// merges small clusters and refines, as the clustering step does.
func cutAndRefine(t *testing.T, points [][]float64, threshold float64, minSize int) ([]int, int) {
	t.Helper()
	norm, err := MinMaxNormalise(points)
	if err != nil {
		t.Fatal(err)
	}
	labels, k, err := SingleLinkage(norm, threshold)
	if err != nil {
		t.Fatal(err)
	}
	labels, k = MergeSmall(norm, labels, k, minSize)
	labels, k, err = Refine(norm, labels, k, threshold, minSize, RefineSeparation, RefineDepth)
	if err != nil {
		t.Fatal(err)
	}
	return labels, k
}

// TestRefineSplitsTightNeighbours checks the case single linkage misses:
// two tight clouds 0.05 apart (in units of the whole range) beside a third
// far away. The cut at 0.1 joins the two; refining separates them exactly.
func TestRefineSplitsTightNeighbours(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var points [][]float64
	var truth []int
	for c, centre := range [][2]float64{{0, 0}, {0.05, 0.03}, {1, 1}} {
		for _, p := range blob(rng, 300, centre[0], centre[1], 0.004) {
			points = append(points, p)
			truth = append(truth, c)
		}
	}
	norm, _ := MinMaxNormalise(points)
	if _, k, _ := SingleLinkage(norm, 0.1); k != 2 {
		t.Fatalf("the plain cut should join the two near clouds: %d clusters", k)
	}
	labels, k := cutAndRefine(t, points, 0.1, 9)
	if k != 3 {
		t.Fatalf("refined: %d clusters, expected 3", k)
	}
	if m, _ := Accuracy(labels, truth); m.Accuracy != 1 {
		t.Fatalf("refined accuracy %.3f, expected 1", m.Accuracy)
	}
}

// TestRefineSplitsBelowTheThreshold checks Supp 11's case at N = 8000: a
// wide cloud and a tight one 0.07 apart (in units of the whole range), with
// far clouds setting that range, and three stray points of the wide cloud's
// type reaching towards the tight one. Normalised on their own, the strays
// chain the two at the threshold, and the cut at half of it separates them.
func TestRefineSplitsBelowTheThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var points [][]float64
	var truth []int
	for c, spec := range [][3]float64{{0, 0, 0.012}, {0.07, 0.03, 0.003}, {1, 1, 0.01}, {1, 0, 0.01}} {
		for _, p := range blob(rng, 800, spec[0], spec[1], spec[2]) {
			points = append(points, p)
			truth = append(truth, c)
		}
	}
	for q := 1; q <= 3; q++ {
		f := 0.03 + 0.0075*float64(q)
		points = append(points, []float64{f, f * 3 / 7})
		truth = append(truth, 0)
	}
	labels, k := cutAndRefine(t, points, 0.1, 8)
	if m, _ := Accuracy(labels, truth); k != 4 || m.Accuracy < 0.99 {
		t.Fatalf("refined: %d clusters, accuracy %.3f; expected 4 and at least 0.99", k, m.Accuracy)
	}
}

// TestRefineKeepsDiffuseClusters checks that refining does not cut clouds
// that are one type each: a large normal cloud, a uniform square, and 32
// small clouds of 31 points (Supp 12's sizes), whose own normalised spread
// leaves gaps above the threshold here and there.
func TestRefineKeepsDiffuseClusters(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	if _, k := cutAndRefine(t, blob(rng, 3000, 0, 0, 1), 0.1, 30); k != 1 {
		t.Errorf("one normal cloud of 3000 points: %d clusters, expected 1", k)
	}
	square := make([][]float64, 1000)
	for i := range square {
		square[i] = []float64{rng.Float64(), rng.Float64()}
	}
	if _, k := cutAndRefine(t, square, 0.1, 10); k != 1 {
		t.Errorf("a uniform square: %d clusters, expected 1", k)
	}
	var points [][]float64
	var truth []int
	for c := 0; c < 32; c++ {
		for _, p := range blob(rng, 31, float64(c%8), float64(c/8), 0.08) {
			points = append(points, p)
			truth = append(truth, c)
		}
	}
	labels, k := cutAndRefine(t, points, 0.05, 10)
	if m, _ := Accuracy(labels, truth); k != 32 || m.Accuracy != 1 {
		t.Errorf("32 clouds of 31 points: %d clusters, accuracy %.3f, expected 32 and 1", k, m.Accuracy)
	}
}

// TestRefineKeepsRoundedPoints: after a clustering step has put every
// neuron of a cluster on one embedding, its points are equal but for float
// rounding; normalised on their own, that rounding spans the unit range and
// must not be cut (Supp 13 got 8 clusters of its 4 types so).
func TestRefineKeepsRoundedPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var points [][]float64
	var truth []int
	for c, centre := range [][2]float64{{0, 0}, {1, 0.2}, {0.3, 1}, {0.9, 0.9}} {
		for k := 0; k < 50; k++ {
			// two sub-groups 1e-7 apart, as float32 rounding leaves them
			off := 1e-7 * float64(k%2)
			points = append(points, []float64{centre[0] + off, centre[1] + 1e-8*rng.Float64()})
			truth = append(truth, c)
		}
	}
	labels, k := cutAndRefine(t, points, 0.2, 3)
	if k != 4 {
		t.Fatalf("%d clusters of 4 groups of rounded copies of one point; want 4", k)
	}
	m, err := Accuracy(labels, truth)
	if err != nil || m.Accuracy != 1 {
		t.Errorf("accuracy %v (err %v), want 1", m.Accuracy, err)
	}
}

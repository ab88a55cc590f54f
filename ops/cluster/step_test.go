package cluster

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// typedNeurons builds n neurons of four types in contiguous blocks: update
// curves -c·r + s·tanh(r) on a grid of gridSize points in [-10, 10] with
// small per-neuron noise, and 2-D embeddings near a per-type centre.
func typedNeurons(n, gridSize int, seed uint64) (curves, embeddings []float32, types []int) {
	params := [][2]float64{{1, 1}, {1, 2}, {2, 1}, {2, 2}} // (c, s)
	centres := [][2]float64{{1, 1}, {1.5, 0.5}, {0.5, 1.8}, {2, 2}}
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := 0; i < n; i++ {
		typ := min(i*4/n, 3)
		types = append(types, typ)
		for g := 0; g < gridSize; g++ {
			r := -10 + 20*float64(g)/float64(gridSize-1)
			v := -params[typ][0]*r + params[typ][1]*math.Tanh(r) + 0.01*rng.NormFloat64()
			curves = append(curves, float32(v))
		}
		embeddings = append(embeddings,
			float32(centres[typ][0]+0.01*rng.NormFloat64()), float32(centres[typ][1]+0.01*rng.NormFloat64()))
	}
	return curves, embeddings, types
}

func TestStepRecoversTypesFromCurvesAndEmbeddings(t *testing.T) {
	const n, gridSize = 200, 100
	curves, embeddings, types := typedNeurons(n, gridSize, 1)
	for _, projection := range []Projection{ProjectCurvesPCA, ProjectEmbeddings} {
		result, err := Step(curves, gridSize, embeddings, 2, StepOptions{Projection: projection, Threshold: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		if result.Clusters != 4 || len(result.Warnings) != 0 {
			t.Fatalf("projection %d: %d clusters, warnings %v; want 4 and none", projection, result.Clusters, result.Warnings)
		}
		m, err := Accuracy(result.Labels, types)
		if err != nil {
			t.Fatal(err)
		}
		if m.Accuracy != 1 {
			t.Fatalf("projection %d: accuracy %v, want 1", projection, m.Accuracy)
		}
		// Cluster 0 holds neuron 0 (type 0: c = 1, s = 1); its median curve at
		// r = 10 (last grid point) is near -10 + tanh(10).
		last := result.MedianCurves[0][gridSize-1]
		if math.Abs(float64(last)-(-10+math.Tanh(10))) > 0.01 {
			t.Fatalf("median curve of cluster 0 at r = 10 is %v, want ≈ %v", last, -10+math.Tanh(10))
		}
		if e := result.MedianEmbeddings[0]; math.Abs(float64(e[0])-1) > 0.01 || math.Abs(float64(e[1])-1) > 0.01 {
			t.Fatalf("median embedding of cluster 0 = %v, want ≈ (1, 1)", e)
		}
		replaced := result.ReplacedEmbeddings()
		if len(replaced) != 2*n || replaced[2*(n-1)] != result.MedianEmbeddings[result.Labels[n-1]][0] {
			t.Fatal("ReplacedEmbeddings does not give each neuron its cluster's median")
		}
	}
}

func TestStepWithKMeans(t *testing.T) {
	curves, embeddings, types := typedNeurons(120, 50, 3)
	result, err := Step(curves, 50, embeddings, 2, StepOptions{Projection: ProjectEmbeddings, Method: MethodKMeans, K: 4, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := Accuracy(result.Labels, types); result.Clusters != 4 || m.Accuracy != 1 {
		t.Fatalf("k-means step: %d clusters, accuracy %v; want 4 and 1", result.Clusters, m.Accuracy)
	}
}

func TestStepWarnsOnDegenerateThresholds(t *testing.T) {
	const n = 40
	curves, embeddings, _ := typedNeurons(n, 20, 4)
	tiny, err := Step(curves, 20, embeddings, 2, StepOptions{Projection: ProjectEmbeddings, Threshold: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	if tiny.Clusters != n || len(tiny.Warnings) != 1 || !strings.Contains(tiny.Warnings[0], "own cluster") {
		t.Fatalf("tiny threshold: %d clusters, warnings %v; want %d and an 'own cluster' warning", tiny.Clusters, tiny.Warnings, n)
	}
	huge, err := Step(curves, 20, embeddings, 2, StepOptions{Projection: ProjectEmbeddings, Threshold: 2})
	if err != nil {
		t.Fatal(err)
	}
	if huge.Clusters != 1 || len(huge.Warnings) != 1 || !strings.Contains(huge.Warnings[0], "single cluster") {
		t.Fatalf("huge threshold: %d clusters, warnings %v; want 1 and a 'single cluster' warning", huge.Clusters, huge.Warnings)
	}
}

func TestStepRejectsMismatchedShapes(t *testing.T) {
	curves, embeddings, _ := typedNeurons(10, 20, 5)
	if _, err := Step(curves[:len(curves)-1], 20, embeddings, 2, StepOptions{Threshold: 0.1}); err == nil || !strings.Contains(err.Error(), "curve values") {
		t.Fatalf("short curves: err = %v, want one about curve values", err)
	}
	curves[3] = float32(math.NaN())
	if _, err := Step(curves, 20, embeddings, 2, StepOptions{Threshold: 0.1}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN curve: err = %v, want one naming NaN", err)
	}
}

func TestStepOnIdenticalCurvesGivesOneClusterWithoutNaN(t *testing.T) {
	const n, gridSize = 100, 80 // the untrained model: every curve the same
	curves := make([]float32, n*gridSize)
	for k := range curves {
		curves[k] = float32(k%gridSize) * 0.1
	}
	embeddings := make([]float32, 2*n)
	for k := range embeddings {
		embeddings[k] = 1
	}
	result, err := Step(curves, gridSize, embeddings, 2, StepOptions{Threshold: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if result.Clusters != 1 || len(result.Warnings) != 1 || !strings.Contains(result.Warnings[0], "single cluster") {
		t.Fatalf("%d clusters, warnings %v; want 1 and a single-cluster warning", result.Clusters, result.Warnings)
	}
	for g, v := range result.MedianCurves[0] {
		if v != float32(g)*0.1 {
			t.Fatalf("median curve at %d = %v, want %v", g, v, float32(g)*0.1)
		}
	}
}

func TestStepSeparates32TypesOfSupp12(t *testing.T) {
	// Supp 12: s ∈ {1..8} × c ∈ {1..4}, curves -c·r + s·tanh(r) on r ∈ [-11, 11]
	// with per-neuron deviations, clustered at the reference's threshold 0.05.
	const perType, gridSize = 20, 200
	rng := rand.New(rand.NewPCG(12, 12))
	var curves, embeddings []float32
	var types []int
	for typ := 0; typ < 32; typ++ {
		s, c := float64(1+typ%8), float64(1+typ/8)
		for k := 0; k < perType; k++ {
			scale := 1 + 0.01*rng.NormFloat64() // a neuron's curve is slightly off
			for g := 0; g < gridSize; g++ {
				r := -11 + 22*float64(g)/float64(gridSize-1)
				curves = append(curves, float32(scale*(-c*r+s*math.Tanh(r))))
			}
			embeddings = append(embeddings, float32(s), float32(c))
			types = append(types, typ)
		}
	}
	result, err := Step(curves, gridSize, embeddings, 2, StepOptions{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Accuracy(result.Labels, types)
	if err != nil {
		t.Fatal(err)
	}
	if result.Clusters != 32 || m.Accuracy != 1 {
		t.Fatalf("%d clusters, accuracy %v; want 32 and 1", result.Clusters, m.Accuracy)
	}
}

func TestMergeSmallJoinsStrays(t *testing.T) {
	points := [][]float64{{0, 0}, {0, 0.01}, {0, 0.02}, {1, 1}, {1, 1.01}, {1, 1.02}, {0.1, 0.05}, {0.9, 0.95}}
	labels := []int{0, 0, 0, 1, 1, 1, 2, 3}
	got, k := MergeSmall(points, labels, 4, 2)
	want := []int{0, 0, 0, 1, 1, 1, 0, 1}
	if k != 2 {
		t.Fatalf("k = %d, expected 2", k)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("labels %v, expected %v", got, want)
		}
	}
	if same, k2 := MergeSmall(points, labels, 4, 1); k2 != 4 || same[6] != 2 {
		t.Fatalf("minSize 1 changed the labels: %v", same)
	}
}

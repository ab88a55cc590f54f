package cluster

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLinkageHeightsAgreeWithSingleLinkage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	points := make([][]float64, 200)
	for i := range points {
		points[i] = []float64{rng.Float64(), rng.Float64()}
	}
	heights, err := LinkageHeights(points)
	if err != nil {
		t.Fatal(err)
	}
	if len(heights) != len(points)-1 {
		t.Fatalf("%d heights for %d points, want %d", len(heights), len(points), len(points)-1)
	}
	for _, threshold := range []float64{0, 0.01, 0.03, 0.05, 0.08, 0.2, 2} {
		_, k, err := SingleLinkage(points, threshold)
		if err != nil {
			t.Fatal(err)
		}
		if got := ClustersAt(heights, threshold); got != k {
			t.Fatalf("threshold %v: ClustersAt = %d, SingleLinkage found %d", threshold, got, k)
		}
	}
}

func TestSingleLinkageJoinsAtExactlyTheThreshold(t *testing.T) {
	_, k, err := SingleLinkage([][]float64{{0, 0}, {3, 4}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if k != 1 {
		t.Fatalf("points 5 apart with threshold 5: %d clusters, want 1 (distance ≤ threshold joins)", k)
	}
}

func TestSuggestThresholdFindsTheBlobGap(t *testing.T) {
	points, _ := blobs(30, 0.3, 4)
	heights, err := LinkageHeights(points)
	if err != nil {
		t.Fatal(err)
	}
	threshold, clusters, err := SuggestThreshold(heights, 10)
	if err != nil {
		t.Fatal(err)
	}
	if clusters != 4 || threshold < 2 || threshold > 9 {
		t.Fatalf("suggested threshold %v giving %d clusters, want 4 clusters with a threshold between blob scales", threshold, clusters)
	}
	if _, _, err := SuggestThreshold(heights[:1], 10); err == nil {
		t.Fatal("two points gave a suggestion, want an error")
	}
	if math.IsNaN(threshold) {
		t.Fatal("threshold is NaN")
	}
}

func TestStepWarningSuggestsAThreshold(t *testing.T) {
	curves, embeddings, _ := typedNeurons(80, 10, 8)
	result, err := Step(curves, 10, embeddings, 2, StepOptions{Projection: ProjectEmbeddings, Threshold: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Warnings) != 1 || !strings.Contains(result.Warnings[0], "would give 4 clusters") {
		t.Fatalf("warnings %v, want a suggestion giving 4 clusters", result.Warnings)
	}
}

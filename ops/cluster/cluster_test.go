package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// blobs returns perClass points around each of four centres 10 apart, with
// standard deviation spread, interleaved so that labels are not sorted.
func blobs(perClass int, spread float64, seed uint64) (points [][]float64, truth []int) {
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}, {10, 10}}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < perClass; i++ {
		for c, centre := range centres {
			points = append(points, []float64{centre[0] + spread*rng.NormFloat64(), centre[1] + spread*rng.NormFloat64()})
			truth = append(truth, c)
		}
	}
	return points, truth
}

func TestMinMaxNormaliseMapsOntoUnitRangeAndConstantToZero(t *testing.T) {
	got, err := MinMaxNormalise([][]float64{{1, 5, -2}, {3, 5, 2}, {2, 5, 0}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0, 0, 0}, {1, 0, 1}, {0.5, 0, 0.5}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(got[i][j]-want[i][j]) > 1e-12 {
				t.Fatalf("normalised[%d][%d] = %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestMinMaxNormaliseRejectsRaggedAndNaN(t *testing.T) {
	if _, err := MinMaxNormalise([][]float64{{1, 2}, {3}}); err == nil || !strings.Contains(err.Error(), "point 1") {
		t.Fatalf("ragged points: err = %v, want one naming point 1", err)
	}
	if _, err := MinMaxNormalise([][]float64{{1, math.NaN()}}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN point: err = %v, want one naming NaN", err)
	}
}

func TestPCAMatchesSVDScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][2]int{{6, 9}, {12, 4}} { // both Gram paths
		n, d := shape[0], shape[1]
		points := make([][]float64, n)
		for i := range points {
			points[i] = make([]float64, d)
			for j := range points[i] {
				points[i][j] = rng.NormFloat64() * float64(d-j)
			}
		}
		got, err := PCA(points, 2)
		if err != nil {
			t.Fatal(err)
		}
		var svd mat.SVD
		centred := centredMatrix(points, d)
		if !svd.Factorize(centred, mat.SVDThin) {
			t.Fatal("SVD failed")
		}
		var u mat.Dense
		svd.UTo(&u)
		values := svd.Values(nil)
		for c := 0; c < 2; c++ {
			for i := 0; i < n; i++ {
				want := math.Abs(u.At(i, c) * values[c])
				if math.Abs(math.Abs(got[i][c])-want) > 1e-9 {
					t.Fatalf("%dx%d: |score[%d][%d]| = %v, want %v", n, d, i, c, math.Abs(got[i][c]), want)
				}
			}
		}
	}
}

func TestPCABothGramPathsAgreeIncludingSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(7, 7, nil)
	for i := 0; i < 7; i++ {
		for j := 0; j < 7; j++ {
			x.Set(i, j, rng.NormFloat64()*float64(j+1))
		}
	}
	byRows, err := scoresFromRowGram(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	byColumns, err := scoresFromColumnGram(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(byRows, byColumns, 1e-8) {
		t.Fatalf("row-Gram scores\n%v\ndiffer from column-Gram scores\n%v", mat.Formatted(byRows), mat.Formatted(byColumns))
	}
}

func TestPCARejectsBadK(t *testing.T) {
	if _, err := PCA([][]float64{{1, 2}, {3, 4}}, 3); err == nil {
		t.Fatal("PCA with k = 3 > 2 dimensions succeeded, want an error")
	}
}

func TestSingleLinkageFindsFourBlobs(t *testing.T) {
	points, truth := blobs(50, 0.5, 1)
	labels, k, err := SingleLinkage(points, 2)
	if err != nil {
		t.Fatal(err)
	}
	if k != 4 {
		t.Fatalf("k = %d, want 4", k)
	}
	m, err := Accuracy(labels, truth)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accuracy != 1 {
		t.Fatalf("accuracy = %v, want 1", m.Accuracy)
	}
	if !slices.Equal(labels[:4], []int{0, 1, 2, 3}) {
		t.Fatalf("first labels = %v, want 0 1 2 3 (order of first appearance)", labels[:4])
	}
}

// unionFindComponents is the naive all-pairs reference for SingleLinkage.
func unionFindComponents(points [][]float64, threshold float64) []int {
	parent := make([]int, len(points))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i := range points {
		for j := 0; j < i; j++ {
			if math.Sqrt(squaredDistance(points[i], points[j])) <= threshold {
				parent[find(i)] = find(j)
			}
		}
	}
	labels := make([]int, len(points))
	for i := range labels {
		labels[i] = find(i)
	}
	relabelByFirstAppearance(labels)
	return labels
}

func TestSingleLinkageMatchesAllPairsUnionFind(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	points := make([][]float64, 300)
	for i := range points {
		points[i] = []float64{rng.Float64(), rng.Float64(), rng.Float64()}
	}
	for _, threshold := range []float64{0.02, 0.05, 0.08, 0.12, 0.3} {
		labels, k, err := SingleLinkage(points, threshold)
		if err != nil {
			t.Fatal(err)
		}
		want := unionFindComponents(points, threshold)
		if !slices.Equal(labels, want) {
			t.Fatalf("threshold %v: labels differ from the all-pairs union-find", threshold)
		}
		if k != slices.Max(want)+1 {
			t.Fatalf("threshold %v: k = %d, want %d", threshold, k, slices.Max(want)+1)
		}
	}
}

func TestSingleLinkageRejectsNegativeThreshold(t *testing.T) {
	if _, _, err := SingleLinkage([][]float64{{0}}, -1); err == nil {
		t.Fatal("negative threshold accepted, want an error")
	}
}

func TestKMeansFindsFourBlobsDeterministically(t *testing.T) {
	points, truth := blobs(40, 0.8, 2)
	labels, centres, err := KMeans(points, 4, 11)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Accuracy(labels, truth)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accuracy != 1 {
		t.Fatalf("accuracy = %v, want 1", m.Accuracy)
	}
	for c, centre := range centres {
		var sx, sy, count float64
		for i, l := range labels {
			if l == c {
				sx, sy, count = sx+points[i][0], sy+points[i][1], count+1
			}
		}
		if count == 0 || math.Abs(centre[0]-sx/count) > 1e-9 || math.Abs(centre[1]-sy/count) > 1e-9 {
			t.Fatalf("centre %d = %v, want the mean (%v, %v) of its %v points", c, centre, sx/count, sy/count, count)
		}
	}
	// Centre of the cluster holding point 0 lies near the true centre (0, 0).
	if math.Hypot(centres[labels[0]][0], centres[labels[0]][1]) > 0.5 {
		t.Fatalf("centre of point 0's cluster = %v, want near (0, 0)", centres[labels[0]])
	}
	again, _, err := KMeans(points, 4, 11)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(labels, again) {
		t.Fatal("k-means with the same seed gave different labels")
	}
}

func TestKMeansHandlesDuplicatePoints(t *testing.T) {
	points := [][]float64{{1, 1}, {1, 1}, {1, 1}, {5, 5}}
	labels, centres, err := KMeans(points, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(centres) != 3 || len(labels) != 4 {
		t.Fatalf("got %d centres and %d labels, want 3 and 4", len(centres), len(labels))
	}
	for _, c := range centres {
		if c == nil {
			t.Fatal("a centre is nil")
		}
	}
	if labels[3] == labels[0] {
		t.Fatal("point (5,5) shares a cluster with (1,1)")
	}
	if used := relabelByFirstAppearance(slices.Clone(labels)); used != 3 {
		t.Fatalf("labels %v use %d clusters, want all 3 non-empty", labels, used)
	}
}

func TestMediansAndReplaceByMedian(t *testing.T) {
	points := [][]float64{{1, 10}, {3, 30}, {2, 20}, {7, 0}, {9, 4}}
	labels := []int{0, 0, 0, 1, 1}
	medians, err := Medians(points, labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{2, 20}, {8, 2}}
	for c := range want {
		if !slices.Equal(medians[c], want[c]) {
			t.Fatalf("median of cluster %d = %v, want %v", c, medians[c], want[c])
		}
	}
	replaced, err := ReplaceByMedian(points, labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(replaced[1], want[0]) || !slices.Equal(replaced[4], want[1]) {
		t.Fatalf("replaced = %v, want each point's cluster median", replaced)
	}
	if _, err := Medians(points, []int{0, 0, 0, 1, 2}, 2); err == nil {
		t.Fatal("label 2 with k = 2 accepted, want an error")
	}
}

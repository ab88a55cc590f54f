package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteForceAssignment tries every injective pairing of the smaller side into
// the larger and returns the least total cost.
func bruteForceAssignment(cost [][]float64) float64 {
	rows, cols := len(cost), len(cost[0])
	best := math.Inf(1)
	used := make([]bool, cols)
	var search func(r int, acc float64, made int)
	search = func(r int, acc float64, made int) {
		if made == min(rows, cols) {
			best = math.Min(best, acc)
			return
		}
		if r == rows {
			return
		}
		if rows-r > min(rows, cols)-made { // row r may be left out
			search(r+1, acc, made)
		}
		for c := 0; c < cols; c++ {
			if !used[c] {
				used[c] = true
				search(r+1, acc+cost[r][c], made+1)
				used[c] = false
			}
		}
	}
	search(0, 0, 0)
	return best
}

func TestHungarianMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {2, 5}, {3, 6}, {5, 2}, {6, 3}, {4, 1}}
	for trial := 0; trial < 20; trial++ {
		for _, shape := range shapes {
			cost := make([][]float64, shape[0])
			for r := range cost {
				cost[r] = make([]float64, shape[1])
				for c := range cost[r] {
					cost[r][c] = float64(rng.IntN(20)) - 5 + rng.Float64()
				}
			}
			assignment, total, err := Hungarian(cost)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForceAssignment(cost)
			if math.Abs(total-want) > 1e-9 {
				t.Fatalf("%dx%d: total %v, brute force %v (cost %v)", shape[0], shape[1], total, want, cost)
			}
			checkAssignmentIsInjective(t, assignment, shape[0], shape[1])
		}
	}
}

func checkAssignmentIsInjective(t *testing.T, assignment []int, rows, cols int) {
	t.Helper()
	seen := map[int]bool{}
	made := 0
	for _, c := range assignment {
		if c < 0 {
			continue
		}
		if c >= cols || seen[c] {
			t.Fatalf("assignment %v reuses or overflows a column", assignment)
		}
		seen[c] = true
		made++
	}
	if made != min(rows, cols) {
		t.Fatalf("assignment %v makes %d pairs, want %d", assignment, made, min(rows, cols))
	}
}

func TestHungarianRejectsNaN(t *testing.T) {
	if _, _, err := Hungarian([][]float64{{1, math.NaN()}, {0, 1}}); err == nil {
		t.Fatal("NaN cost accepted, want an error")
	}
}

func TestAccuracyOfPermutedLabellingIsOne(t *testing.T) {
	truth := []int{0, 0, 1, 1, 1, 2, 3, 3}
	permutation := []int{2, 0, 3, 1}
	predicted := make([]int, len(truth))
	for i, l := range truth {
		predicted[i] = permutation[l]
	}
	m, err := Accuracy(predicted, truth)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accuracy != 1 || m.Correct != len(truth) {
		t.Fatalf("accuracy %v (%d correct), want 1", m.Accuracy, m.Correct)
	}
	for trueLabel, p := range permutation {
		if m.Mapping[p] != trueLabel {
			t.Fatalf("mapping %v: cluster %d should map to type %d", m.Mapping, p, trueLabel)
		}
	}
}

func TestAccuracyCountsUnmatchedClustersAsWrong(t *testing.T) {
	// Type 0 split into clusters 0 and 1; type 1 is cluster 2.
	predicted := []int{0, 0, 0, 1, 2, 2}
	truth := []int{0, 0, 0, 0, 1, 1}
	m, err := Accuracy(predicted, truth)
	if err != nil {
		t.Fatal(err)
	}
	if m.Correct != 5 || math.Abs(m.Accuracy-5.0/6) > 1e-12 {
		t.Fatalf("accuracy %v (%d correct), want 5/6", m.Accuracy, m.Correct)
	}
	if !slices.Equal(m.Mapping, []int{0, -1, 1}) {
		t.Fatalf("mapping %v, want [0 -1 1]", m.Mapping)
	}
}

func TestARIKnownValues(t *testing.T) {
	a := []int{0, 0, 0, 1, 1, 1}
	cases := []struct {
		name string
		b    []int
		want float64
	}{
		{"identical", []int{0, 0, 0, 1, 1, 1}, 1},
		{"renamed", []int{5, 5, 5, 2, 2, 2}, 1},
		// Contingency [[2 1 0] [0 1 2]]: Σ C(nij,2) = 2, rows 6, columns 3,
		// expected 6·3/15 = 1.2, max 4.5, ARI = 0.8/3.3.
		{"hand-computed", []int{0, 0, 1, 1, 2, 2}, 0.8 / 3.3},
		// Contingency [[1 1 1] ... ] pattern: b independent of a.
		{"crossed", []int{0, 1, 2, 0, 1, 2}, (0 - 6.0*3/15) / (4.5 - 6.0*3/15)},
	}
	for _, c := range cases {
		got, err := ARI(a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Fatalf("%s: ARI = %v, want %v", c.name, got, c.want)
		}
	}
	if got, _ := ARI([]int{0, 0, 0}, []int{1, 1, 1}); got != 1 {
		t.Fatalf("two single-cluster partitions: ARI = %v, want 1", got)
	}
	if _, err := ARI([]int{0, 1}, []int{0}); err == nil {
		t.Fatal("length mismatch accepted, want an error")
	}
}

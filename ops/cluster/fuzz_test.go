package cluster

import (
	"math"
	"slices"
	"testing"
)

// matrixFromBytes reads a rows×cols cost matrix (each in 1..5) from data,
// cycling through it; costs lie in [-8, 8) with many ties.
func matrixFromBytes(data []byte) [][]float64 {
	if len(data) < 3 {
		return nil
	}
	rows, cols := 1+int(data[0])%5, 1+int(data[1])%5
	cost := make([][]float64, rows)
	k := 2
	for r := range cost {
		cost[r] = make([]float64, cols)
		for c := range cost[r] {
			cost[r][c] = float64(int(data[k%len(data)])%16 - 8)
			k++
		}
	}
	return cost
}

func FuzzHungarianMatchesBruteForce(f *testing.F) {
	f.Add([]byte{3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 4, 200, 13, 7, 99, 42})
	f.Fuzz(func(t *testing.T, data []byte) {
		cost := matrixFromBytes(data)
		if cost == nil {
			return
		}
		assignment, total, err := Hungarian(cost)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteForceAssignment(cost); math.Abs(total-want) > 1e-9 {
			t.Fatalf("cost %v: total %v, brute force %v", cost, total, want)
		}
		checkAssignmentIsInjective(t, assignment, len(cost), len(cost[0]))
	})
}

func FuzzSingleLinkageMatchesUnionFind(f *testing.F) {
	f.Add([]byte{10, 20, 30, 200, 210, 5, 90, 91}, uint8(15))
	f.Add([]byte{0, 0, 0, 0}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, threshold uint8) {
		points := make([][]float64, len(data)/2)
		for i := range points {
			points[i] = []float64{float64(data[2*i]), float64(data[2*i+1])}
		}
		labels, k, err := SingleLinkage(points, float64(threshold))
		if err != nil {
			t.Fatal(err)
		}
		want := unionFindComponents(points, float64(threshold))
		if !slices.Equal(labels, want) {
			t.Fatalf("points %v threshold %d: labels %v, union-find %v", points, threshold, labels, want)
		}
		if len(points) > 0 && k != slices.Max(want)+1 {
			t.Fatalf("k = %d, want %d", k, slices.Max(want)+1)
		}
	})
}

package cluster

import (
	"fmt"
	"math"
	"slices"
)

// LinkageHeights returns the n−1 merge heights of the single-linkage
// dendrogram of points, in increasing order: the edge lengths of their
// Euclidean minimum spanning tree (Prim's algorithm, O(n²·d) time, O(n)
// memory). Cutting at threshold t leaves ClustersAt(heights, t) clusters.
func LinkageHeights(points [][]float64) ([]float64, error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, err
	}
	n := len(points)
	if n == 0 {
		return nil, nil
	}
	flat := flatten(points, d)
	nearest := make([]float64, n) // distance² from the tree to each point outside it
	for i := range nearest {
		nearest[i] = math.Inf(1)
	}
	inTree := make([]bool, n)
	heights := make([]float64, 0, n-1)
	current := 0
	for added := 1; added < n; added++ {
		inTree[current] = true
		next, best := -1, math.Inf(1)
		centre := flat[current*d : (current+1)*d]
		for q := 0; q < n; q++ {
			if inTree[q] {
				continue
			}
			nearest[q] = math.Min(nearest[q], squaredDistance(centre, flat[q*d:(q+1)*d]))
			if nearest[q] < best {
				next, best = q, nearest[q]
			}
		}
		heights = append(heights, math.Sqrt(best))
		current = next
	}
	slices.Sort(heights)
	return heights, nil
}

// ClustersAt returns how many clusters single linkage cut at threshold
// leaves, given the sorted merge heights of n points (n = len(heights)+1):
// one per merge height above the threshold, plus one.
func ClustersAt(heights []float64, threshold float64) int {
	above := len(heights) - sortSearchAbove(heights, threshold)
	return above + 1
}

// sortSearchAbove returns the index of the first height > threshold.
func sortSearchAbove(heights []float64, threshold float64) int {
	i, _ := slices.BinarySearchFunc(heights, threshold, func(h, t float64) int {
		if h <= t {
			return -1
		}
		return 1
	})
	return i
}

// SuggestThreshold returns a threshold in the middle of the widest gap
// between consecutive merge heights, among cuts that leave between 2 and
// maxClusters clusters, and the number of clusters it gives: the most stable
// such cut of the dendrogram. It fails when no cut fits (fewer than 3 points,
// or maxClusters < 2).
func SuggestThreshold(heights []float64, maxClusters int) (threshold float64, clusters int, err error) {
	m := len(heights)
	bestGap := -1.0
	// Cutting between heights[i-1] and heights[i] leaves m-i+1 clusters.
	for i := 1; i < m; i++ {
		k := m - i + 1
		if k < 2 || k > maxClusters {
			continue
		}
		if gap := heights[i] - heights[i-1]; gap > bestGap {
			bestGap, threshold, clusters = gap, (heights[i]+heights[i-1])/2, k
		}
	}
	if bestGap < 0 {
		return 0, 0, fmt.Errorf("cluster: no single-linkage cut gives 2 to %d clusters for %d points", maxClusters, m+1)
	}
	return threshold, clusters, nil
}

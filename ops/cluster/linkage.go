package cluster

import (
	"fmt"
	"math"
)

// SingleLinkage clusters points by single linkage cut at a distance
// threshold: two points share a cluster exactly when a chain of points joins
// them in which every step has Euclidean distance ≤ threshold (the connected
// components of the threshold graph, which is the single-linkage dendrogram
// cut at that height). Labels are numbered 0, 1, … in order of first
// appearance; k is the number of clusters.
//
// It takes O(n²·d) time and O(n) extra memory: a breadth-first search that
// scans only the points not yet labelled, so n = 8000 needs no distance matrix.
// An error is returned for ragged or non-finite points or a negative or NaN
// threshold.
func SingleLinkage(points [][]float64, threshold float64) (labels []int, k int, err error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, 0, err
	}
	if math.IsNaN(threshold) || threshold < 0 {
		return nil, 0, fmt.Errorf("cluster: single-linkage threshold must be a number ≥ 0, got %v", threshold)
	}
	n := len(points)
	flat := flatten(points, d)
	limit := threshold * threshold
	labels = make([]int, n)
	unlabelled := make([]int, n) // kept in increasing order
	for i := range unlabelled {
		unlabelled[i] = i
	}
	queue := make([]int, 0, n)
	for len(unlabelled) > 0 {
		seed := unlabelled[0]
		unlabelled = unlabelled[1:]
		labels[seed] = k
		queue = append(queue[:0], seed)
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			var reached []int
			unlabelled, reached = splitWithin(flat, d, p, unlabelled, limit)
			for _, q := range reached {
				labels[q] = k
			}
			queue = append(queue, reached...)
		}
		k++
	}
	return labels, k, nil
}

// splitWithin removes from candidates (in place, keeping order) every index q
// whose squared distance to point p is ≤ limit, and returns the remaining
// candidates and the removed indices.
func splitWithin(flat []float64, d, p int, candidates []int, limit float64) (rest, reached []int) {
	centre := flat[p*d : (p+1)*d]
	kept := candidates[:0]
	for _, q := range candidates {
		if squaredDistance(centre, flat[q*d:(q+1)*d]) <= limit {
			reached = append(reached, q)
		} else {
			kept = append(kept, q)
		}
	}
	return kept, reached
}

package cluster

import (
	"fmt"
	"math"
)

// CoreLinkage is single linkage that resists chaining: a point is a core
// point when at least minPoints other points lie within threshold of it;
// the core points are clustered by SingleLinkage at threshold, and every
// other point joins the cluster of its nearest core point. A few stray
// points lying between two dense clusters (badly learned neurons between
// two neighbouring types) then no longer join them into one, as they do
// under plain single linkage. With minPoints ≤ 0, or when no point is a core
// point, it is SingleLinkage. Labels are numbered in order of first
// appearance; k is the number of clusters.
//
// It takes O(n²·d) time and O(n) extra memory.
func CoreLinkage(points [][]float64, threshold float64, minPoints int) (labels []int, k int, err error) {
	if minPoints <= 0 {
		return SingleLinkage(points, threshold)
	}
	d, err := dimensionOf(points)
	if err != nil {
		return nil, 0, err
	}
	if math.IsNaN(threshold) || threshold < 0 {
		return nil, 0, fmt.Errorf("cluster: core-linkage threshold must be a number ≥ 0, got %v", threshold)
	}
	n := len(points)
	flat := flatten(points, d)
	limit := threshold * threshold
	dist2 := func(i, j int) float64 {
		var s float64
		for c := 0; c < d; c++ {
			e := flat[i*d+c] - flat[j*d+c]
			s += e * e
		}
		return s
	}
	var core []int
	for i := 0; i < n; i++ {
		count := 0
		for j := 0; j < n && count < minPoints; j++ {
			if j != i && dist2(i, j) <= limit {
				count++
			}
		}
		if count >= minPoints {
			core = append(core, i)
		}
	}
	if len(core) == 0 {
		return SingleLinkage(points, threshold)
	}
	corePoints := make([][]float64, len(core))
	for q, i := range core {
		corePoints[q] = points[i]
	}
	coreLabels, _, err := SingleLinkage(corePoints, threshold)
	if err != nil {
		return nil, 0, err
	}
	raw := make([]int, n)
	for i := range raw {
		raw[i] = -1
	}
	for q, i := range core {
		raw[i] = coreLabels[q]
	}
	for i := 0; i < n; i++ {
		if raw[i] >= 0 {
			continue
		}
		best, bestD := 0, math.Inf(1)
		for q, j := range core {
			if dd := dist2(i, j); dd < bestD {
				best, bestD = q, dd
			}
		}
		raw[i] = coreLabels[best]
	}
	// Renumber in order of first appearance.
	index := map[int]int{}
	labels = make([]int, n)
	for i, l := range raw {
		m, ok := index[l]
		if !ok {
			m = len(index)
			index[l] = m
		}
		labels[i] = m
	}
	return labels, len(index), nil
}

package cluster

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// Medians returns, for each cluster 0..k-1, the per-dimension median of its
// points (the mean of the two middle values for an even count). A cluster
// with no points gets a nil row. It returns an error when a label lies
// outside [0, k) or the shapes disagree.
func Medians(points [][]float64, labels []int, k int) ([][]float64, error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, err
	}
	members, err := membersOf(labels, len(points), k)
	if err != nil {
		return nil, err
	}
	medians := make([][]float64, k)
	scratch := make([]float64, 0, len(points))
	for c, idx := range members {
		if len(idx) == 0 {
			continue
		}
		row := make([]float64, d)
		for j := 0; j < d; j++ {
			scratch = scratch[:0]
			for _, i := range idx {
				scratch = append(scratch, points[i][j])
			}
			row[j] = metrics.MedianInPlace(scratch)
		}
		medians[c] = row
	}
	return medians, nil
}

// ReplaceByMedian returns a copy of points in which every point is replaced by
// its cluster's per-dimension median (the "replace embedding" of the training
// hook's clustering step).
func ReplaceByMedian(points [][]float64, labels []int, k int) ([][]float64, error) {
	medians, err := Medians(points, labels, k)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(points))
	for i, l := range labels {
		out[i] = append([]float64(nil), medians[l]...)
	}
	return out, nil
}

// membersOf lists the point indices of each cluster, checking the labels.
func membersOf(labels []int, n, k int) ([][]int, error) {
	if len(labels) != n {
		return nil, fmt.Errorf("cluster: %d labels for %d points, expected one label per point", len(labels), n)
	}
	if k < 0 {
		return nil, fmt.Errorf("cluster: number of clusters must be ≥ 0, got %d", k)
	}
	members := make([][]int, k)
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("cluster: label %d of point %d is outside [0, %d)", l, i, k)
		}
		members[l] = append(members[l], i)
	}
	return members, nil
}

package cluster

import (
	"fmt"
	"slices"
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
			row[j] = median(scratch)
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

// median returns the median of values, reordering them; values must be
// non-empty. It selects rather than sorts: O(len) expected time.
func median(values []float64) float64 {
	m := len(values) / 2
	upper := selectKth(values, m)
	if len(values)%2 == 1 {
		return upper
	}
	// After selection every value left of m is ≤ values[m]: take their maximum.
	return (slices.Max(values[:m]) + upper) / 2
}

// selectKth reorders values so that values[k] is the k-th smallest, with
// smaller-or-equal values before it and larger-or-equal after, and returns it
// (Hoare's quickselect with a median-of-three pivot).
func selectKth(values []float64, k int) float64 {
	lo, hi := 0, len(values)-1
	for lo < hi {
		pivot := medianOfThree(values[lo], values[(lo+hi)/2], values[hi])
		i, j := lo, hi
		for i <= j {
			for values[i] < pivot {
				i++
			}
			for values[j] > pivot {
				j--
			}
			if i <= j {
				values[i], values[j] = values[j], values[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return values[k]
		}
	}
	return values[k]
}

// medianOfThree returns the middle one of three values.
func medianOfThree(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}

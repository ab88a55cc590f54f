package cluster

import (
	"math"
	"slices"
)

// Refine splits the clusters of a single-linkage cut whose own points
// separate once they are min-max normalised on their own. The cut's
// threshold is relative to the range of all the points, so two types whose
// curves differ by much less than the widest difference between types lie
// within one threshold of each other and merge, however tight each is
// (Fig 2's types A and B under noise or at N = 8000). Each cluster of at
// least 2·minSize points is normalised on its own and cut at threshold,
// then at half and a quarter of it until a cut splits it; parts smaller
// than minSize rejoin their nearest part (MergeSmall). The split is kept when it is clear: the smallest distance between two parts
// is at least separation times the typical step inside them (the
// 0.9-quantile of their minimum-spanning-tree edges), so a diffuse cluster
// is not cut where its points happen to thin out. Kept parts are refined
// again, up to depth levels. Labels are renumbered in order of first
// appearance.
func Refine(points [][]float64, labels []int, k int, threshold float64, minSize int, separation float64, depth int) ([]int, int, error) {
	if depth <= 0 || k < 1 {
		return labels, k, nil
	}
	out := make([]int, len(labels))
	next := 0
	for _, group := range members(labels, k) {
		parts, pk, err := splitCluster(points, group, threshold, minSize, separation, depth)
		if err != nil {
			return nil, 0, err
		}
		for q, i := range group {
			out[i] = next + parts[q]
		}
		next += pk
	}
	out, next = renumber(out)
	return out, next, nil
}

// members lists the point indices of each of the k clusters.
func members(labels []int, k int) [][]int {
	m := make([][]int, k)
	for i, l := range labels {
		m[l] = append(m[l], i)
	}
	return m
}

// splitCluster returns the labels, within the cluster, of the points listed
// in idx, and their number (1 when the cluster stays whole).
func splitCluster(points [][]float64, idx []int, threshold float64, minSize int, separation float64, depth int) ([]int, int, error) {
	whole := make([]int, len(idx))
	if len(idx) < 2*max(minSize, 1) {
		return whole, 1, nil
	}
	sub := make([][]float64, len(idx))
	for q, i := range idx {
		sub[q] = points[i]
	}
	if spanOf(sub) < refineMinSpan {
		return whole, 1, nil // one point up to rounding
	}
	norm, err := MinMaxNormalise(sub)
	if err != nil {
		return nil, 0, err
	}
	for cut := threshold; cut >= threshold/refineCutRange; cut /= 2 {
		parts, k, err := clearCut(norm, cut, minSize, separation)
		if err != nil {
			return nil, 0, err
		}
		if k > 1 {
			return Refine(norm, parts, k, threshold, minSize, separation, depth-1)
		}
	}
	return whole, 1, nil
}

// refineMinSpan is the widest coordinate range (of points min-max
// normalised, as Refine gets them) below which a cluster is one point up
// to rounding and is not split: normalised on its own, its rounding would
// span the unit range. After a clustering step has put every embedding on
// its cluster's median, the φ* curves of a cluster are equal but for
// float32 rounding (1e-7 of their range), and Refine cut each of Supp 13's
// 4 clusters in two (8 clusters at threshold 0.2, accuracy 0.725).
const refineMinSpan = 1e-5

// spanOf returns the widest range of any coordinate of points.
func spanOf(points [][]float64) float64 {
	var span float64
	for c := range points[0] {
		lo, hi := points[0][c], points[0][c]
		for _, p := range points {
			lo, hi = min(lo, p[c]), max(hi, p[c])
		}
		span = max(span, hi-lo)
	}
	return span
}

// refineCutRange bounds the cuts Refine tries inside a cluster: the
// threshold, then half of it, down to threshold/refineCutRange. A cloud
// less converged than its neighbour (wider, with a few neurons reaching
// towards it) may separate only below the threshold.
const refineCutRange = 4

// clearCut cuts points, normalised on their own, at threshold and returns
// the parts when there are several of at least minSize points each and the
// split is clear (clearSplit); otherwise k = 1.
func clearCut(norm [][]float64, threshold float64, minSize int, separation float64) ([]int, int, error) {
	parts, k, err := SingleLinkage(norm, threshold)
	if err != nil {
		return nil, 0, err
	}
	if parts, k = MergeSmall(norm, parts, k, minSize); k < 2 || smallestPart(parts, k) < minSize {
		return nil, 1, nil
	}
	clear, err := clearSplit(norm, parts, k, separation)
	if err != nil || !clear {
		return nil, 1, err
	}
	return parts, k, nil
}

// smallestPart returns the size of the smallest of the k clusters.
func smallestPart(labels []int, k int) int {
	size := make([]int, k)
	for _, l := range labels {
		size[l]++
	}
	return slices.Min(size)
}

// clearSplit reports whether the k parts of points are separated by at
// least separation times the largest typical step inside a part.
func clearSplit(points [][]float64, labels []int, k int, separation float64) (bool, error) {
	groups := members(labels, k)
	step := 0.0
	for _, g := range groups {
		sub := make([][]float64, len(g))
		for q, i := range g {
			sub[q] = points[i]
		}
		heights, err := LinkageHeights(sub)
		if err != nil {
			return false, err
		}
		if len(heights) > 0 {
			step = max(step, quantileSorted(heights, 0.9))
		}
	}
	gap := math.Inf(1)
	for a := range groups {
		for b := a + 1; b < len(groups); b++ {
			for _, i := range groups[a] {
				for _, j := range groups[b] {
					gap = min(gap, squaredDistance(points[i], points[j]))
				}
			}
		}
	}
	return math.Sqrt(gap) >= separation*step, nil
}

// quantileSorted returns the q-quantile of sorted values (nearest rank).
func quantileSorted(sorted []float64, q float64) float64 {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// RefineSeparation is the separation the clustering step and type recovery
// give Refine: a split is kept when its parts lie three typical steps apart.
const RefineSeparation = 3

// RefineDepth is the depth the clustering step and type recovery give Refine.
const RefineDepth = 3

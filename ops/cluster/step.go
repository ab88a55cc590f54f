package cluster

import (
	"fmt"
	"math"
)

// Projection says what the clustering step clusters.
type Projection int

const (
	// ProjectCurvesPCA clusters the per-neuron update curves φ*(r, a_n)
	// projected onto their leading principal components (StepOptions.Dims).
	ProjectCurvesPCA Projection = iota
	// ProjectEmbeddings clusters the embeddings a_n directly.
	ProjectEmbeddings
)

// Method says which clustering algorithm the clustering step runs.
type Method int

const (
	// MethodSingleLinkage cuts single linkage at StepOptions.Threshold.
	MethodSingleLinkage Method = iota
	// MethodKMeans runs k-means with StepOptions.K clusters.
	MethodKMeans
)

// StepOptions configures Step.
type StepOptions struct {
	// Projection chooses curves-through-PCA or embeddings.
	Projection Projection
	// Dims is the number of principal components for ProjectCurvesPCA
	// (0 means 2).
	Dims int
	// Method chooses single linkage or k-means.
	Method Method
	// Threshold is the single-linkage distance cut, in min-max normalised
	// units (the reference uses 0.1; 0.05 for 32 types; 0.2 for N4/N5).
	Threshold float64
	// K is the number of k-means clusters.
	K int
	// Seed seeds k-means.
	Seed uint64
	// MinPoints, for single linkage, counts a point only when at least
	// MinPoints others lie within Threshold of it (a core point); the other
	// points join their nearest core point's cluster (CoreLinkage). It stops
	// a few stray neurons from chaining neighbouring types together, which
	// matters when many types lie close (Supp 12's 32). 0: plain single
	// linkage.
	MinPoints int
	// MinSize merges every cluster smaller than this into the cluster of its
	// nearest point in a cluster of at least MinSize (0 or 1: no merging).
	// It keeps a few stray neurons from forming types of their own.
	MinSize int
	// Refine, for single linkage, splits the clusters whose own points
	// separate clearly once normalised on their own (Refine, with parts of
	// at least max(MinSize, 3) points): types much closer to each other
	// than the widest difference between types are then told apart.
	Refine bool
}

// StepResult is the outcome of one clustering step.
type StepResult struct {
	// Labels holds each neuron's cluster, numbered in order of first appearance.
	Labels []int
	// Clusters is the number of clusters.
	Clusters int
	// MedianEmbeddings[c] is cluster c's per-dimension median embedding.
	MedianEmbeddings [][]float32
	// MedianCurves[c] is cluster c's per-grid-point median curve: the target
	// toward which φ* is refitted for that cluster's neurons.
	MedianCurves [][]float32
	// Warnings lists degenerate outcomes (one cluster per neuron, or a single
	// cluster); the step still succeeds.
	Warnings []string
}

// Step runs the training hook's clustering step (SPEC §3) on n neurons:
// curves is n×gridSize (φ*(r, a_n) sampled on a grid of r, row-major) and
// embeddings is n×dim (row-major). It projects (PCA of the curves or the
// embeddings themselves), min-max normalises, clusters, and returns the
// labels with per-cluster median embeddings and median curves. Degenerate
// results are reported in Warnings, never as errors; errors mean the inputs
// are malformed (shapes, NaN) or the options are invalid.
func Step(curves []float32, gridSize int, embeddings []float32, dim int, opts StepOptions) (*StepResult, error) {
	n, err := neuronCount(curves, gridSize, embeddings, dim)
	if err != nil {
		return nil, err
	}
	points, err := projectForStep(curves, gridSize, embeddings, dim, n, opts)
	if err != nil {
		return nil, err
	}
	normalised, err := MinMaxNormalise(points)
	if err != nil {
		return nil, err
	}
	labels, k, err := clusterForStep(normalised, opts)
	if err != nil {
		return nil, err
	}
	labels, k = MergeSmall(normalised, labels, k, opts.MinSize)
	if opts.Refine && opts.Method == MethodSingleLinkage {
		labels, k, err = Refine(normalised, labels, k, opts.Threshold, max(opts.MinSize, 3), RefineSeparation, RefineDepth)
		if err != nil {
			return nil, err
		}
	}
	result := &StepResult{Labels: labels, Clusters: k, Warnings: degeneracyWarnings(normalised, k, opts)}
	if result.MedianEmbeddings, err = medianRows(embeddings, dim, labels, k); err != nil {
		return nil, err
	}
	if result.MedianCurves, err = medianRows(curves, gridSize, labels, k); err != nil {
		return nil, err
	}
	return result, nil
}

// ReplacedEmbeddings returns the n×dim row-major embeddings in which each
// neuron's embedding is its cluster's median, ready to copy back into a.
func (r *StepResult) ReplacedEmbeddings() []float32 {
	if len(r.MedianEmbeddings) == 0 {
		return nil
	}
	dim := len(r.MedianEmbeddings[0])
	out := make([]float32, 0, len(r.Labels)*dim)
	for _, l := range r.Labels {
		out = append(out, r.MedianEmbeddings[l]...)
	}
	return out
}

// neuronCount checks the shapes of the step's inputs and returns n.
func neuronCount(curves []float32, gridSize int, embeddings []float32, dim int) (int, error) {
	if dim < 1 || gridSize < 1 {
		return 0, fmt.Errorf("cluster: step needs embedding dimension ≥ 1 and grid size ≥ 1, got %d and %d", dim, gridSize)
	}
	if len(embeddings)%dim != 0 || len(embeddings) == 0 {
		return 0, fmt.Errorf("cluster: step got %d embedding values, expected a non-zero multiple of dimension %d", len(embeddings), dim)
	}
	n := len(embeddings) / dim
	if len(curves) != n*gridSize {
		return 0, fmt.Errorf("cluster: step got %d curve values, expected %d neurons × %d grid points = %d", len(curves), n, gridSize, n*gridSize)
	}
	for i, v := range curves {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("cluster: curve of neuron %d at grid point %d is %v, expected a finite number", i/gridSize, i%gridSize, v)
		}
	}
	return n, nil
}

// projectForStep returns the points the step clusters.
func projectForStep(curves []float32, gridSize int, embeddings []float32, dim, n int, opts StepOptions) ([][]float64, error) {
	switch opts.Projection {
	case ProjectEmbeddings:
		return rowsOf(embeddings, n, dim), nil
	case ProjectCurvesPCA:
		dims := opts.Dims
		if dims == 0 {
			dims = 2
		}
		dims = min(dims, n, gridSize)
		return PCA(rowsOf(curves, n, gridSize), dims)
	default:
		return nil, fmt.Errorf("cluster: unknown projection %d, expected ProjectCurvesPCA or ProjectEmbeddings", opts.Projection)
	}
}

// clusterForStep runs the chosen clustering method.
func clusterForStep(points [][]float64, opts StepOptions) ([]int, int, error) {
	switch opts.Method {
	case MethodSingleLinkage:
		return CoreLinkage(points, opts.Threshold, opts.MinPoints)
	case MethodKMeans:
		labels, centres, err := KMeans(points, opts.K, opts.Seed)
		return labels, len(centres), err
	default:
		return nil, 0, fmt.Errorf("cluster: unknown method %d, expected MethodSingleLinkage or MethodKMeans", opts.Method)
	}
}

// maxSuggestedClusters bounds the cluster count of a suggested threshold.
const maxSuggestedClusters = 64

// degeneracyWarnings describes a clustering that cannot be what was meant
// (one cluster per point, or a single cluster) and, for single linkage,
// suggests the threshold of the most stable cut.
func degeneracyWarnings(points [][]float64, k int, opts StepOptions) []string {
	n := len(points)
	if n < 2 || (k != n && k != 1) {
		return nil
	}
	cause := fmt.Sprintf("k = %d", opts.K)
	if opts.Method == MethodSingleLinkage {
		cause = fmt.Sprintf("threshold %g", opts.Threshold)
	}
	warning := fmt.Sprintf("clustering step: all %d neurons fell in a single cluster (%s too large, or the embeddings have not separated yet)", n, cause)
	if k == n {
		warning = fmt.Sprintf("clustering step: every one of the %d neurons is its own cluster (%s too small)", n, cause)
	}
	if opts.Method == MethodSingleLinkage {
		warning += suggestion(points)
	}
	return []string{warning}
}

// suggestion names the threshold of the most stable single-linkage cut, or
// returns "" when there is none.
func suggestion(points [][]float64) string {
	heights, err := LinkageHeights(points)
	if err != nil {
		return ""
	}
	threshold, clusters, err := SuggestThreshold(heights, min(maxSuggestedClusters, len(points)/2))
	if err != nil {
		return ""
	}
	return fmt.Sprintf("; threshold %.3g would give %d clusters", threshold, clusters)
}

// medianRows computes per-cluster medians of an n×width row-major float32 array.
func medianRows(flat []float32, width int, labels []int, k int) ([][]float32, error) {
	medians, err := Medians(rowsOf(flat, len(labels), width), labels, k)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, k)
	for c, row := range medians {
		out[c] = make([]float32, width)
		for j, v := range row {
			out[c][j] = float32(v)
		}
	}
	return out, nil
}

// MergeSmall reassigns the points of clusters with fewer than minSize points
// to the cluster of their nearest point in a cluster of at least minSize,
// and renumbers the clusters in order of first appearance. When no cluster
// is that large, the labels are returned unchanged.
func MergeSmall(points [][]float64, labels []int, k, minSize int) ([]int, int) {
	if minSize <= 1 {
		return labels, k
	}
	size := make([]int, k)
	for _, l := range labels {
		size[l]++
	}
	var big []int
	for i, l := range labels {
		if size[l] >= minSize {
			big = append(big, i)
		}
	}
	if len(big) == 0 || len(big) == len(labels) {
		return labels, k
	}
	merged := append([]int(nil), labels...)
	for i, l := range labels {
		if size[l] >= minSize {
			continue
		}
		best, bestD := -1, math.Inf(1)
		for _, j := range big {
			if d := sqDist(points[i], points[j]); d < bestD {
				best, bestD = j, d
			}
		}
		merged[i] = labels[best]
	}
	return renumber(merged)
}

func sqDist(a, b []float64) float64 {
	var s float64
	for k := range a {
		d := a[k] - b[k]
		s += d * d
	}
	return s
}

// renumber numbers labels 0.. in order of first appearance.
func renumber(labels []int) ([]int, int) {
	next := map[int]int{}
	out := make([]int, len(labels))
	for i, l := range labels {
		v, ok := next[l]
		if !ok {
			v = len(next)
			next[l] = v
		}
		out[i] = v
	}
	return out, len(next)
}

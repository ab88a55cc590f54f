package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// kmeansMaxIterations bounds Lloyd's iterations; blobs converge in a handful.
const kmeansMaxIterations = 300

// KMeans partitions points into k clusters with Lloyd's algorithm started from
// a k-means++ seeding drawn from a PCG generator seeded with seed, so the same
// inputs and seed always give the same result. Labels are numbered in order of
// first appearance and centres[label] is that cluster's mean. A cluster that
// empties is re-seeded with the point farthest from its centre.
func KMeans(points [][]float64, k int, seed uint64) (labels []int, centres [][]float64, err error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, nil, err
	}
	n := len(points)
	if k < 1 || k > n {
		return nil, nil, fmt.Errorf("cluster: k-means needs 1 ≤ k ≤ number of points (%d), got k = %d", n, k)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	centres = seedPlusPlus(points, k, rng)
	labels = make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	for iter := 0; iter < kmeansMaxIterations; iter++ {
		if !assignNearest(points, centres, labels) && iter > 0 {
			break
		}
		updateCentres(points, labels, centres, d)
	}
	return orderByFirstAppearance(labels, centres), centres, nil
}

// seedPlusPlus picks k initial centres: the first uniformly, each next one
// with probability proportional to its squared distance to the nearest centre
// chosen so far.
func seedPlusPlus(points [][]float64, k int, rng *rand.Rand) [][]float64 {
	n := len(points)
	centres := [][]float64{append([]float64(nil), points[rng.IntN(n)]...)}
	nearest := make([]float64, n)
	for i, p := range points {
		nearest[i] = squaredDistance(p, centres[0])
	}
	for len(centres) < k {
		next := sampleProportional(nearest, rng)
		centres = append(centres, append([]float64(nil), points[next]...))
		for i, p := range points {
			nearest[i] = math.Min(nearest[i], squaredDistance(p, centres[len(centres)-1]))
		}
	}
	return centres
}

// sampleProportional draws an index with probability weights[i]/Σweights,
// falling back to a uniform draw when every weight is zero (duplicate points).
func sampleProportional(weights []float64, rng *rand.Rand) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return rng.IntN(len(weights))
	}
	target := rng.Float64() * total
	for i, w := range weights {
		target -= w
		if target < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// assignNearest gives every point the label of its nearest centre and reports
// whether any label changed. A point keeps its label on a tie, so duplicate
// points split among equal centres stay put and the iteration settles.
func assignNearest(points, centres [][]float64, labels []int) bool {
	changed := false
	for i, p := range points {
		best, bestDist := 0, math.Inf(1)
		if labels[i] >= 0 {
			best, bestDist = labels[i], squaredDistance(p, centres[labels[i]])
		}
		for c, centre := range centres {
			if dist := squaredDistance(p, centre); dist < bestDist {
				best, bestDist = c, dist
			}
		}
		if labels[i] != best {
			labels[i] = best
			changed = true
		}
	}
	return changed
}

// updateCentres moves each centre to the mean of its points; an empty cluster
// takes over the point farthest from its current centre.
func updateCentres(points [][]float64, labels []int, centres [][]float64, d int) {
	counts := make([]int, len(centres))
	for c := range centres {
		clear(centres[c])
	}
	for i, p := range points {
		counts[labels[i]]++
		for j, v := range p {
			centres[labels[i]][j] += v
		}
	}
	for c := range centres {
		if counts[c] == 0 {
			continue
		}
		for j := 0; j < d; j++ {
			centres[c][j] /= float64(counts[c])
		}
	}
	for c := range centres {
		if counts[c] == 0 {
			far := farthestPoint(points, labels, centres)
			counts[labels[far]]--
			labels[far] = c
			counts[c] = 1
			copy(centres[c], points[far])
		}
	}
}

// farthestPoint returns the index of the point farthest from its own centre.
func farthestPoint(points [][]float64, labels []int, centres [][]float64) int {
	far, farDist := 0, -1.0
	for i, p := range points {
		if dist := squaredDistance(p, centres[labels[i]]); dist > farDist {
			far, farDist = i, dist
		}
	}
	return far
}

// orderByFirstAppearance renumbers labels in order of first appearance and
// permutes centres to match; centres of clusters left empty (possible only with
// duplicate points) go last in their original order.
func orderByFirstAppearance(labels []int, centres [][]float64) []int {
	old := append([]int(nil), labels...)
	relabelByFirstAppearance(labels)
	reordered := make([][]float64, 0, len(centres))
	taken := make([]bool, len(centres))
	for i, l := range labels {
		if l == len(reordered) {
			reordered = append(reordered, centres[old[i]])
			taken[old[i]] = true
		}
	}
	for c, centre := range centres {
		if !taken[c] {
			reordered = append(reordered, centre)
		}
	}
	copy(centres, reordered)
	return labels
}

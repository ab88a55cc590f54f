package cluster

import (
	"fmt"
	"math"
)

// Match is the outcome of matching predicted clusters to true labels.
type Match struct {
	// Accuracy is the fraction of points whose predicted cluster is matched to
	// their true label.
	Accuracy float64
	// Correct is the number of such points.
	Correct int
	// Mapping[p] is the true label matched to predicted cluster p, or -1 when
	// there are more clusters than true labels and p is left unmatched.
	Mapping []int
}

// Accuracy matches predicted clusters one-to-one to true labels so that the
// number of agreeing points is largest (Hungarian assignment on the confusion
// matrix) and returns the resulting accuracy and mapping. Labels must be
// non-negative; the two slices must have the same, non-zero length. Points in
// unmatched clusters count as wrong.
func Accuracy(predicted, truth []int) (Match, error) {
	confusion, err := confusionMatrix(predicted, truth)
	if err != nil {
		return Match{}, err
	}
	cost := make([][]float64, len(confusion))
	for p, row := range confusion {
		cost[p] = make([]float64, len(row))
		for t, count := range row {
			cost[p][t] = -float64(count)
		}
	}
	assignment, _, err := Hungarian(cost)
	if err != nil {
		return Match{}, err
	}
	m := Match{Mapping: assignment}
	for p, t := range assignment {
		if t >= 0 {
			m.Correct += confusion[p][t]
		}
	}
	m.Accuracy = float64(m.Correct) / float64(len(predicted))
	return m, nil
}

// ARI is the adjusted Rand index of two labellings of the same points: 1 for
// identical partitions (up to renaming), about 0 for independent ones, and
// possibly negative. As in scikit-learn, two partitions that are both a
// single cluster, or both all singletons, score 1.
func ARI(a, b []int) (float64, error) {
	confusion, err := confusionMatrix(a, b)
	if err != nil {
		return 0, err
	}
	n := len(a)
	rowSums := make([]int, len(confusion))
	colSums := make([]int, len(confusion[0]))
	var pairsBoth float64
	for r, row := range confusion {
		for c, count := range row {
			rowSums[r] += count
			colSums[c] += count
			pairsBoth += pairs(count)
		}
	}
	var pairsA, pairsB float64
	for _, s := range rowSums {
		pairsA += pairs(s)
	}
	for _, s := range colSums {
		pairsB += pairs(s)
	}
	expected := pairsA * pairsB / pairs(n)
	maximum := (pairsA + pairsB) / 2
	if maximum == expected {
		return 1, nil
	}
	return (pairsBoth - expected) / (maximum - expected), nil
}

// pairs is the number of unordered pairs among k items, k(k-1)/2.
func pairs(k int) float64 {
	return float64(k) * float64(k-1) / 2
}

// confusionMatrix counts points by (label in a, label in b).
func confusionMatrix(a, b []int) ([][]int, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("cluster: labellings have %d and %d points, expected the same number", len(a), len(b))
	}
	if len(a) == 0 {
		return nil, fmt.Errorf("cluster: labellings are empty, expected at least one point")
	}
	ka, err := labelCount(a)
	if err != nil {
		return nil, err
	}
	kb, err := labelCount(b)
	if err != nil {
		return nil, err
	}
	confusion := make([][]int, ka)
	for r := range confusion {
		confusion[r] = make([]int, kb)
	}
	for i := range a {
		confusion[a[i]][b[i]]++
	}
	return confusion, nil
}

// labelCount returns 1 + the largest label, rejecting negative labels and
// labels so large that a confusion matrix would not fit in memory.
func labelCount(labels []int) (int, error) {
	largest := 0
	for i, l := range labels {
		if l < 0 {
			return 0, fmt.Errorf("cluster: label %d of point %d is negative, expected labels ≥ 0", l, i)
		}
		largest = max(largest, l)
	}
	if largest > max(len(labels), 1<<16) || largest == math.MaxInt {
		return 0, fmt.Errorf("cluster: label %d is far larger than the %d points, expected labels numbered from 0", largest, len(labels))
	}
	return largest + 1, nil
}

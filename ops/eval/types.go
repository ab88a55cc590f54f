package eval

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/cluster"
)

// TypeScore is how well clustering the learned embeddings recovers the true
// neuron types.
type TypeScore struct {
	// Clusters is the number of clusters found.
	Clusters int
	// Accuracy is the fraction of neurons whose cluster is Hungarian-matched
	// to their true type.
	Accuracy float64
	// ARI is the adjusted Rand index of clusters against types.
	ARI float64
	// Labels holds each neuron's cluster.
	Labels []int
	// Mapping[c] is the true type matched to cluster c, or -1.
	Mapping []int
}

// TypeRecovery min-max normalises the n×dim row-major embeddings, clusters
// them by single linkage at threshold, refines the clusters (cluster.Refine,
// parts of at least max(3, n/100) neurons) and scores them against the true
// types (SPEC §4, "Types"). Refining matters once the clustering step has
// replaced the embeddings by their cluster's median: two medians closer
// than threshold × the embeddings' range are still two types.
func TypeRecovery(embeddings []float32, dim int, types []int, threshold float64) (TypeScore, error) {
	n := len(types)
	if dim < 1 || n == 0 || len(embeddings) != n*dim {
		return TypeScore{}, fmt.Errorf("eval: type recovery needs %d neurons × %d dimensions = %d embedding values (n ≥ 1, dim ≥ 1), got %d", n, dim, n*dim, len(embeddings))
	}
	points := make([][]float64, n)
	for i := range points {
		points[i] = make([]float64, dim)
		for c := range points[i] {
			points[i][c] = float64(embeddings[i*dim+c])
		}
	}
	normalised, err := cluster.MinMaxNormalise(points)
	if err != nil {
		return TypeScore{}, err
	}
	labels, k, err := cluster.SingleLinkage(normalised, threshold)
	if err != nil {
		return TypeScore{}, err
	}
	labels, k, err = cluster.Refine(normalised, labels, k, threshold, max(3, n/100), cluster.RefineSeparation, cluster.RefineDepth)
	if err != nil {
		return TypeScore{}, err
	}
	match, err := cluster.Accuracy(labels, types)
	if err != nil {
		return TypeScore{}, err
	}
	ari, err := cluster.ARI(labels, types)
	if err != nil {
		return TypeScore{}, err
	}
	return TypeScore{Clusters: k, Accuracy: match.Accuracy, ARI: ari, Labels: labels, Mapping: match.Mapping}, nil
}

// TypesFromFractions assigns n neurons to types in contiguous blocks: type t
// gets floor(fractions[t]/Σfractions · n) neurons, in type order, and the
// neurons left over by rounding go to the last type with a non-zero fraction
// (the last type, when every fraction is positive, as in SPEC §1.2). Fractions
// may be given as proportions or percentages; they must be ≥ 0 and not all 0.
func TypesFromFractions(n int, fractions []float64) ([]int, error) {
	if n < 0 {
		return nil, fmt.Errorf("eval: type assignment needs n ≥ 0 neurons, got %d", n)
	}
	var total float64
	lastPositive := -1
	for t, f := range fractions {
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("eval: type fraction %d is %v, expected a finite number ≥ 0", t, f)
		}
		if f > 0 {
			lastPositive = t
		}
		total += f
	}
	if lastPositive < 0 {
		return nil, fmt.Errorf("eval: type fractions %v are all zero, expected at least one positive", fractions)
	}
	types := make([]int, 0, n)
	for t, f := range fractions {
		count := int(math.Floor(f / total * float64(n)))
		for c := 0; c < count && len(types) < n; c++ {
			types = append(types, t)
		}
	}
	for len(types) < n {
		types = append(types, lastPositive)
	}
	return types, nil
}

// EmbeddingsFromTypes gives every neuron its type's embedding: table[t] is
// type t's embedding (all of the same dimension d) and the result is n×d
// row-major, for the transfer experiments' re-typed networks.
func EmbeddingsFromTypes(types []int, table [][]float32) ([]float32, error) {
	if len(table) == 0 {
		return nil, fmt.Errorf("eval: embedding table is empty, expected one embedding per type")
	}
	d := len(table[0])
	for t, row := range table {
		if len(row) != d || d == 0 {
			return nil, fmt.Errorf("eval: embedding of type %d has %d values, expected %d (non-zero) like type 0", t, len(row), d)
		}
	}
	out := make([]float32, 0, len(types)*d)
	for i, t := range types {
		if t < 0 || t >= len(table) {
			return nil, fmt.Errorf("eval: neuron %d has type %d, expected a type in [0, %d)", i, t, len(table))
		}
		out = append(out, table[t]...)
	}
	return out, nil
}

// TypeEmbeddingTable returns, for each type 0..k-1, the per-dimension median
// of the learned embeddings (n×dim row-major) of the neurons of that type:
// the embedding a re-typed neuron of that type receives in a transfer
// experiment. A type with no neurons is an error.
func TypeEmbeddingTable(embeddings []float32, dim int, types []int, k int) ([][]float32, error) {
	n := len(types)
	if dim < 1 || len(embeddings) != n*dim {
		return nil, fmt.Errorf("eval: embedding table needs %d neurons × %d dimensions = %d values, got %d", n, dim, n*dim, len(embeddings))
	}
	points := make([][]float64, n)
	for i := range points {
		points[i] = make([]float64, dim)
		for c := range points[i] {
			points[i][c] = float64(embeddings[i*dim+c])
		}
	}
	medians, err := cluster.Medians(points, types, k)
	if err != nil {
		return nil, err
	}
	table := make([][]float32, k)
	for t, row := range medians {
		if row == nil {
			return nil, fmt.Errorf("eval: type %d has no neurons, so it has no learned embedding", t)
		}
		table[t] = make([]float32, dim)
		for c, v := range row {
			table[t][c] = float32(v)
		}
	}
	return table, nil
}

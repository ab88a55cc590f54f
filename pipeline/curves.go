package pipeline

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/cluster"
	"github.com/ngs-lab/ngs/ops/gnn"
)

// TransferCurves samples ψ*(u) on grid for every sender (with its own
// embedding; for a ψ* that also takes the receiver's embedding, the
// sender's serves as both), divided by the sender's plateau (gnn.PsiPlateau
// at the model's input range): the only scale known without a true W. It
// returns N×len(grid) values, row j sender j's curve.
func TransferCurves(m *gnn.Model, grid []float32) ([]float32, error) {
	n, g := m.N(), len(grid)
	upper, err := gnn.PsiPlateau(m, m.XNorm())
	if err != nil {
		return nil, err
	}
	out := make([]float32, 0, n*g)
	for j := 0; j < n; j++ {
		v, err := m.PsiEdge(grid, j, j)
		if err != nil {
			return nil, fmt.Errorf("sampling ψ* of neuron %d: %w", j, err)
		}
		f := float32(1)
		if u := upper[j]; u != 0 {
			f = 1 / u
		}
		for k := range v {
			v[k] *= f
		}
		out = append(out, v...)
	}
	return out, nil
}

// Clusters groups a model's neurons by their embeddings: single linkage at
// threshold of the embeddings scaled to [0, 1] per dimension. It returns
// each neuron's cluster and the number of clusters.
func Clusters(m *gnn.Model, threshold float64) ([]int, int, error) {
	d := m.Spec().EmbeddingDim
	a := m.Embeddings()
	pts := make([][]float64, m.N())
	for i := range pts {
		pts[i] = make([]float64, d)
		for k := 0; k < d; k++ {
			pts[i][k] = float64(a[i*d+k])
		}
	}
	norm, err := cluster.MinMaxNormalise(pts)
	if err != nil {
		return nil, 0, err
	}
	return cluster.SingleLinkage(norm, threshold)
}

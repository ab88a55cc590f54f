package gnn

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/nn"
)

// RefitPhi trains φ* for `steps` Adam steps (learning rate lr) toward given
// per-neuron target curves: targets is N×len(grid), row n the desired
// φ*(grid, a_n) (the clustering step refits toward each cluster's median
// curve). Only φ*'s parameters change. It returns the final mean squared error.
func (m *Model) RefitPhi(grid, targets []float32, steps int, lr float64) (_ float64, err error) {
	defer recoverInto(&err)
	n, d, g := m.spec.N, m.spec.EmbeddingDim, len(grid)
	if g == 0 || len(targets) != n*g {
		return 0, fmt.Errorf("gnn: RefitPhi needs N×len(grid)=%d targets for a non-empty grid, found %d for %d points", n*g, len(targets), g)
	}
	if !(lr > 0) || steps < 0 {
		return 0, fmt.Errorf("gnn: RefitPhi needs lr > 0 and steps ≥ 0, found lr=%g steps=%d", lr, steps)
	}
	rows := n * g
	x := make([]float32, rows*(1+d))
	for i := 0; i < n; i++ {
		for k, r := range grid {
			row := x[(i*g+k)*(1+d) : (i*g+k+1)*(1+d)]
			row[0] = r
			copy(row[1:], m.a[i*d:(i+1)*d])
		}
	}
	opt := nn.NewAdam()
	opt.Add("phi", m.phi.Params, m.phi.Grads, lr)
	w := m.phi.NewWork(rows)
	dy := make([]float32, rows)
	var mse float64
	for s := 0; s <= steps; s++ {
		y := m.phi.Forward(w, x, rows)
		mse = 0
		for r := range y {
			diff := y[r] - targets[r]
			mse += float64(diff) * float64(diff)
			dy[r] = 2 * diff / float32(rows)
		}
		mse /= float64(rows)
		if s == steps {
			break
		}
		m.phi.ZeroGrads()
		m.phi.Backward(w, dy, nil)
		opt.Step()
	}
	m.phi.ZeroGrads()
	return mse, nil
}

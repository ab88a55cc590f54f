package gnn

import (
	"encoding/binary"
	"fmt"
	"math"

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
	// Neurons with the same embedding and target curve (every neuron of a
	// cluster after the clustering step) give identical rows: fit each
	// distinct one once, weighted by how many neurons share it, which is
	// the same loss in N_distinct·g rows instead of N·g (8 million at
	// N = 8000 with 1000 grid points).
	first, weight := distinctNeurons(m.a, d, targets, g)
	rows := len(first) * g
	x := make([]float32, rows*(1+d))
	target := make([]float32, rows)
	for u, i := range first {
		for k, r := range grid {
			row := x[(u*g+k)*(1+d) : (u*g+k+1)*(1+d)]
			row[0] = r
			copy(row[1:], m.a[i*d:(i+1)*d])
			target[u*g+k] = targets[i*g+k]
		}
	}
	all := float64(n * g)
	opt := nn.NewAdam()
	opt.Add("phi", m.phi.Params, m.phi.Grads, lr)
	w := m.phi.NewWork(rows)
	dy := make([]float32, rows)
	var mse float64
	for s := 0; s <= steps; s++ {
		y := m.phi.Forward(w, x, rows)
		mse = 0
		for r := range y {
			diff, count := float64(y[r]-target[r]), float64(weight[r/g])
			mse += count * diff * diff
			dy[r] = float32(2 * diff * count / all)
		}
		mse /= all
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

// distinctNeurons groups the n neurons whose embedding (d values each) and
// target row (g values each) are equal bit for bit: it returns the first
// neuron of each group, in order, and the group's size.
func distinctNeurons(a []float32, d int, targets []float32, g int) (first []int, weight []int) {
	n := len(targets) / g
	groups := map[string]int{}
	key := make([]byte, 0, 4*(d+g))
	for i := 0; i < n; i++ {
		key = key[:0]
		for _, v := range a[i*d : (i+1)*d] {
			key = binary.LittleEndian.AppendUint32(key, math.Float32bits(v))
		}
		for _, v := range targets[i*g : (i+1)*g] {
			key = binary.LittleEndian.AppendUint32(key, math.Float32bits(v))
		}
		if u, ok := groups[string(key)]; ok {
			weight[u]++
			continue
		}
		groups[string(key)] = len(first)
		first = append(first, i)
		weight = append(weight, 1)
	}
	return first, weight
}

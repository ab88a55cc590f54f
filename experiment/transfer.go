package experiment

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/gnn"
)

// Ŵ[i,j]·ψ*(u_j, a_j) fits the data exactly as well as (Ŵ[i,j]/k)·k·ψ*(u_j, a_j)
// for any k > 0 that depends only on the sender j (N4) or on the pair's
// embeddings (N5). The plateau correction (ψ* divided by its value at large u,
// Ŵ multiplied by it) fixes that scale when the true transfer function
// saturates at 1, as tanh(u) does over the data range. tanh(u/w) with a wide w
// does not saturate, so for N4 and N5 the report compares curves after a
// second, per-type factor measured against the true W: the one that maps the
// plateau-corrected Ŵ of that type's senders onto the true weights.

// transferScales returns, for every true type t, the least-squares slope of
// the plateau-corrected Ŵ[i, j] on the true W[i, j] over the senders j of
// type t (for N5, over receivers of type t too, the pairs whose curve the
// report draws). The plateau-corrected Ŵ[i,j] is raw[i,j]·upper[j]/gain
// (gnn.CorrectedW), formed here from the plateaus the caller already has.
func transferScales(variant gnn.Variant, raw, upper []float32, truth *Network) []float64 {
	n, k := truth.N, len(truth.Kinds)
	num, den := make([]float64, k), make([]float64, k)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			t := truth.Types[j]
			if i == j || (variant == gnn.N5 && truth.Types[i] != t) {
				continue
			}
			w := float64(truth.W[i*n+j])
			num[t] += float64(raw[i*n+j]) * float64(upper[j]) / truth.Gain * w
			den[t] += w * w
		}
	}
	scales := make([]float64, k)
	for t := range scales {
		scales[t] = 1
		if den[t] > 0 {
			scales[t] = num[t] / den[t]
		}
	}
	return scales
}

// correctedTransfer samples ψ*(u) on grid for every sender (with its own
// embedding; for N5 the receiver's embedding is the sender's too), divided
// by the sender's plateau and, for N4 and N5, multiplied by its type's
// transfer scale. It returns the N×len(grid) curves and the scales (nil for
// N2, whose single ψ* needs no per-type factor).
func correctedTransfer(m *gnn.Model, truth *Network, grid []float32) ([]float32, []float64, error) {
	n, g := m.N(), len(grid)
	upper, err := gnn.PsiPlateau(m, m.XNorm())
	if err != nil {
		return nil, nil, err
	}
	variant := m.Spec().Variant
	var scales []float64
	if variant != gnn.N2 && truth.Gain != 0 {
		scales = transferScales(variant, m.W(), upper, truth)
	}
	out := make([]float32, 0, n*g)
	for j := 0; j < n; j++ {
		var ai, aj []float32
		switch variant {
		case gnn.N4:
			aj = repeatEmbedding(m, j, g)
		case gnn.N5:
			ai, aj = repeatEmbedding(m, j, g), repeatEmbedding(m, j, g)
		}
		v, err := m.Psi(grid, ai, aj)
		if err != nil {
			return nil, nil, fmt.Errorf("sampling ψ* of neuron %d: %w", j, err)
		}
		f := 1 / float64(upper[j])
		if scales != nil {
			f *= scales[truth.Types[j]]
		}
		for k := range v {
			v[k] = float32(float64(v[k]) * f)
		}
		out = append(out, v...)
	}
	return out, scales, nil
}

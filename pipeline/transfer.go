package pipeline

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/metrics"
)

// Ŵ[i,j]·ψ*(u_j, a_j) fits the data exactly as well as (Ŵ[i,j]/k)·k·ψ*(u_j, a_j)
// for any k ≠ 0 that depends only on the sender j, and while the embeddings
// are per neuron φ* also absorbs an offset: ψ* + c changes the prediction by
// c·Σ_j Ŵ[i,j], a constant per receiver. So a learned ψ* is at best an affine
// map α_j·S(u) + β_j of the true sender factor S. Where the truth is known,
// the report measures that map and undoes it: for each sender j, α_j and β_j
// are the least-squares fit of ψ*_j on the true S of j's type, over activity
// samples of the senders of that type (so the fit weighs u where the data
// are), and the corrected Ŵ[i,j] is Ŵ[i,j]·α_j/g. This needs neither an odd
// nor a saturating transfer function (tanh(u/8), a sigmoid, a softplus all
// work). Without the truth, gnn.CorrectedW uses the plateaus of ψ* instead.
//
// N5's ψ* also depends on the receiver: its Ŵ is corrected per pair of
// receiver type and sender (pairs.go), and its drawn curves by the plateau
// times a per-type factor from the true W (transferScales).

// affineSamples is the number of activity samples per type for the fit.
const affineSamples = 1024

// transferAffine returns α_j and β_j for every sender, or ok = false when
// ψ* takes the receiver (N5; a[i] or u[i]), the truth has no single coupling term, or its g is 0.
func transferAffine(m *gnn.Model, data *Data, truth *Truth) (alpha, beta []float64, ok bool, err error) {
	spec := m.Spec()
	if spec.PsiTakes(gnn.ReceiverEmbedding) || spec.PsiTakes(gnn.ReceiverActivity) || truth.Gain == 0 || data == nil || data.U == nil || data.Frames < 1 {
		return nil, nil, false, nil
	}
	n := m.N()
	alpha, beta = make([]float64, n), make([]float64, n)
	pools := map[int][]int{} // type → senders
	for j := 0; j < n; j++ {
		t := truth.Types[j]
		if spec.PsiShared() {
			t = truth.Types[0]
		}
		pools[t] = append(pools[t], j)
	}
	for t, pool := range pools {
		u := activitySamples(data, pool)
		_, psiTrue, err := trueFunctions(truth, u)
		if err != nil {
			return nil, nil, false, err
		}
		if psiTrue == nil {
			return nil, nil, false, nil
		}
		s := psiTrue[t]
		for _, j := range sendersToFit(spec, pool) {
			learned, err := m.Psi(u, nil, repeatEmbeddingFor(m, j, len(u)))
			if err != nil {
				return nil, nil, false, fmt.Errorf("sampling ψ* of neuron %d: %w", j, err)
			}
			a, b := affineFit(s, learned)
			if spec.PsiShared() {
				for _, k := range pool {
					alpha[k], beta[k] = a, b
				}
				break
			}
			alpha[j], beta[j] = a, b
		}
	}
	return alpha, beta, true, nil
}

// sendersToFit is every sender of the pool when ψ* takes the sender's
// embedding, and one when ψ* is shared (N2).
func sendersToFit(spec gnn.ModelSpec, pool []int) []int {
	if spec.PsiShared() {
		return pool[:1]
	}
	return pool
}

// repeatEmbeddingFor is neuron j's embedding repeated rows times when ψ*
// takes embeddings, and nil when it is shared (N2).
func repeatEmbeddingFor(m *gnn.Model, j, rows int) []float32 {
	if m.Spec().PsiShared() {
		return nil
	}
	d := m.Spec().EmbeddingDim
	return repeatRows(m.Embeddings()[j*d:(j+1)*d], rows)
}

// repeatRows repeats row n times.
func repeatRows(row []float32, n int) []float32 {
	out := make([]float32, 0, n*len(row))
	for r := 0; r < n; r++ {
		out = append(out, row...)
	}
	return out
}

// activitySamples draws affineSamples activity values of the given neurons,
// spread over the frames and neurons deterministically.
func activitySamples(data *Data, neurons []int) []float32 {
	n, t := len(data.U)/data.Frames, data.Frames
	out := make([]float32, affineSamples)
	for s := range out {
		j := neurons[s%len(neurons)]
		k := int((int64(s) * 7919) % int64(t))
		out[s] = data.U[k*n+j]
	}
	return out
}

// affineFit returns the least-squares a, b of y ≈ a·x + b.
func affineFit(x, y []float32) (a, b float64) {
	var sx, sy, sxx, sxy float64
	for k := range x {
		xv, yv := float64(x[k]), float64(y[k])
		sx += xv
		sy += yv
		sxx += xv * xv
		sxy += xv * yv
	}
	c := float64(len(x))
	den := c*sxx - sx*sx
	if den <= 1e-12*c*c {
		return 0, sy / c
	}
	a = (c*sxy - sx*sy) / den
	return a, (sy - a*sx) / c
}

// CorrectedWeights returns Ŵ corrected against the truth: Ŵ[i,j]·α_j/ḡ
// where the affine map is known (N2, N4), Ŵ[i,j]·α_{type(i),j}/ḡ where it
// is known per pair (N5, pairs.go), else gnn.CorrectedW's plateau
// correction. ḡ is the network's shared g, or, when g differs between types,
// the mean of the nonzero g_i (see comparedWeights).
func CorrectedWeights(m *gnn.Model, data *Data, truth *Truth) ([]float32, error) {
	_, gbar := receiverGains(truth)
	alpha, _, ok, err := transferAffine(m, data, truth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return pairCorrectedWeights(m, data, truth, gbar)
	}
	return scaledWeights(m, gbar, func(int) []float64 { return alpha }), nil
}

// pairCorrectedWeights is Ŵ[i,j]·α_{type(i),j}/ḡ with pairAffine's α, or
// gnn.CorrectedW's plateau correction where pairAffine does not apply.
func pairCorrectedWeights(m *gnn.Model, data *Data, truth *Truth, gbar float64) ([]float32, error) {
	alpha, ok, err := pairAffine(m, data, truth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return gnn.CorrectedW(m, m.XNorm(), gbar)
	}
	n := m.N()
	return scaledWeights(m, gbar, func(i int) []float64 { return alpha[truth.Types[i]*n:] }), nil
}

// scaledWeights returns Ŵ[i,j]·row(i)[j]/ḡ: receiver i's scales of its
// senders come from row.
func scaledWeights(m *gnn.Model, gbar float64, row func(i int) []float64) []float32 {
	n := m.N()
	w := m.W()
	for i := 0; i < n; i++ {
		alpha := row(i)
		for j := 0; j < n; j++ {
			w[i*n+j] = float32(float64(w[i*n+j]) * alpha[j] / gbar)
		}
	}
	return w
}

// comparedWeights returns the true and the corrected learned weights that
// the report compares. The learned Ŵ[i,j] stands for g_i·W[i,j], the
// weight the dynamics see, so when the gain g differs between receivers the
// true side is W[i,j]·g_i/ḡ (a receiver with g_i = 0 has no visible
// inputs); with one shared g it is W itself.
func comparedWeights(m *gnn.Model, data *Data, truth *Truth) (trueW, learned []float32, err error) {
	learned, err = CorrectedWeights(m, data, truth)
	if err != nil {
		return nil, nil, err
	}
	gains, gbar := receiverGains(truth)
	if gains == nil {
		return truth.W, learned, nil
	}
	n := truth.N
	trueW = make([]float32, n*n)
	for i := 0; i < n; i++ {
		f := float32(gains[i] / gbar)
		for j := 0; j < n; j++ {
			trueW[i*n+j] = truth.W[i*n+j] * f
		}
	}
	return trueW, learned, nil
}

// receiverGains returns each receiver's g (nil when g is shared or absent)
// and ḡ: the shared g, or the mean of the nonzero g_i.
func receiverGains(truth *Truth) ([]float64, float64) {
	g, ok := truth.Params["g"]
	if !ok || len(g) != truth.N {
		return nil, truth.Gain
	}
	var sum float64
	count := 0
	shared := true
	for _, v := range g {
		if v != g[0] {
			shared = false
		}
		if v != 0 {
			sum += float64(v)
			count++
		}
	}
	if shared || count == 0 {
		return nil, truth.Gain
	}
	gains := make([]float64, len(g))
	for i, v := range g {
		gains[i] = float64(v)
	}
	return gains, sum / float64(count)
}

// transferScales returns, for every true type t, the least-squares slope of
// the plateau-corrected Ŵ[i, j] on the true W[i, j] over the pairs whose
// curve the report draws for N5: senders and receivers of type t. The
// plateau-corrected Ŵ[i,j] is raw[i,j]·upper[j]/gain (gnn.CorrectedW).
func transferScales(raw, upper []float32, truth *Truth) []float64 {
	n, k := truth.N, len(truth.TypeNames)
	num, den := make([]float64, k), make([]float64, k)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			t := truth.Types[j]
			if i == j || truth.Types[i] != t {
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

// CorrectedTransfer samples ψ*(u) on grid for every sender (with its own
// embedding; for N5 the receiver's embedding is the sender's too) and undoes
// the affine map: (ψ* − β_j)/α_j for N2 and N4 (N5: divided by the plateau
// and multiplied by the type's transfer scale). It returns the N×len(grid)
// curves and, per true type, the median α_j (N5: the transfer scale).
func CorrectedTransfer(m *gnn.Model, data *Data, truth *Truth, grid []float32) ([]float32, []float64, error) {
	n, g := m.N(), len(grid)
	alpha, beta, ok, err := transferAffine(m, data, truth)
	if err != nil {
		return nil, nil, err
	}
	var scales []float64
	if !ok {
		upper, err := gnn.PsiPlateau(m, m.XNorm())
		if err != nil {
			return nil, nil, err
		}
		alpha, beta = make([]float64, n), make([]float64, n)
		if m.Spec().PsiTakes(gnn.ReceiverEmbedding) && truth.Gain != 0 {
			scales = transferScales(m.W(), upper, truth)
		}
		for j := range alpha {
			alpha[j] = float64(upper[j])
			if scales != nil {
				alpha[j] /= scales[truth.Types[j]]
			}
		}
	} else {
		scales = typeMedians(alpha, truth)
	}
	out := make([]float32, 0, n*g)
	for j := 0; j < n; j++ {
		v, err := m.PsiEdge(grid, j, j)
		if err != nil {
			return nil, nil, fmt.Errorf("sampling ψ* of neuron %d: %w", j, err)
		}
		a := alpha[j]
		if math.Abs(a) < 1e-12 {
			a = 1 // flat ψ*: nothing to rescale
		}
		for k := range v {
			v[k] = float32((float64(v[k]) - beta[j]) / a)
		}
		out = append(out, v...)
	}
	return out, scales, nil
}

// typeMedians is the median of x over the neurons of each true type.
func typeMedians(x []float64, truth *Truth) []float64 {
	out := make([]float64, len(truth.TypeNames))
	for t := range out {
		var col []float64
		for j, typ := range truth.Types {
			if typ == t {
				col = append(col, x[j])
			}
		}
		if len(col) == 0 {
			continue
		}
		out[t] = metrics.MedianInPlace(col)
	}
	return out
}

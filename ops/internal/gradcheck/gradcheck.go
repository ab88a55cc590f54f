// Package gradcheck compares analytic gradients with finite differences:
// a helper for the tests of ops/nn and ops/gnn, not part of their API.
package gradcheck

import (
	"math"
	"math/rand"
	"sort"
)

// Check compares analytic gradients with central finite differences.
// loss evaluates the scalar loss at the current params (float64 accumulation
// recommended); grads holds the analytic gradient of that loss at params.
// It probes up to samples randomly chosen coordinates with step eps and
// returns the errors |fd − analytic| / max(scale, |fd|, |analytic|) sorted in
// increasing order, where scale is a floor that keeps tiny gradients from
// dominating. With ReLU networks a probe may straddle a kink, so callers
// check a high quantile rather than the maximum.
func Check(loss func() float64, params, grads []float32, samples int, eps, scale float64, rng *rand.Rand) []float64 {
	idx := rng.Perm(len(params))
	if samples < len(idx) {
		idx = idx[:samples]
	}
	errs := make([]float64, 0, len(idx))
	for _, k := range idx {
		orig := params[k]
		params[k] = orig + float32(eps)
		up := loss()
		params[k] = orig - float32(eps)
		down := loss()
		params[k] = orig
		fd := (up - down) / (2 * eps)
		an := float64(grads[k])
		den := math.Max(scale, math.Max(math.Abs(fd), math.Abs(an)))
		errs = append(errs, math.Abs(fd-an)/den)
	}
	sort.Float64s(errs)
	return errs
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted values, NaN if empty.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

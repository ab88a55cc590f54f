package eval

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// ConnectivityScore is how well a learned connectivity matrix matches the
// true one.
type ConnectivityScore struct {
	// Fit is learned = slope·true + intercept by least squares; its R2 is
	// the fitted line's (the squared correlation).
	metrics.Fit
	// Identity is the R² about the line y = x, 1 − Σ(l − t)²/Σ(t − mean t)²
	// (NaN when the true weights are constant).
	Identity float64
}

// Connectivity scores learned against true, two n×n row-major matrices
// (W[i*n+j] the weight from sender j to receiver i), over the n² − n
// off-diagonal entries. The diagonal rule: self-connections are excluded,
// since W_ii is 0 in the truth and masked to 0 in the model, so the
// diagonal carries no information and would only add n points at the
// origin. This is the one connectivity R² of ngs: the report and the tests
// use it.
func Connectivity(learned, truth []float32, n int) (ConnectivityScore, error) {
	if n < 1 || len(learned) != n*n || len(truth) != n*n {
		return ConnectivityScore{}, fmt.Errorf("eval: connectivity needs two %d×%d matrices (%d values, n ≥ 1), got %d learned and %d true values",
			n, n, n*n, len(learned), len(truth))
	}
	x := make([]float32, 0, n*(n-1))
	y := make([]float32, 0, n*(n-1))
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				x = append(x, truth[i*n+j])
				y = append(y, learned[i*n+j])
			}
		}
	}
	return ConnectivityScore{Fit: metrics.LinearFit(x, y), Identity: r2Identity(x, y)}, nil
}

// r2Identity is 1 − Σ(l − t)²/Σ(t − mean t)², NaN when t is constant.
func r2Identity(truth, learned []float32) float64 {
	var mean float64
	for _, t := range truth {
		mean += float64(t)
	}
	mean /= float64(len(truth))
	var res, tot float64
	for i, t := range truth {
		d := float64(learned[i]) - float64(t)
		res += d * d
		e := float64(t) - mean
		tot += e * e
	}
	if tot == 0 {
		return math.NaN()
	}
	return 1 - res/tot
}

// PlateauCorrection returns a copy of the learned n×n matrix with each sender
// column j rescaled by ψ*'s plateau: W_corr[i,j] = W[i,j]·upper[j]/g. upper
// holds one plateau per sender, or a single value shared by every sender
// (when ψ* depends on u_j alone); g is the known gain (10 in the paper).
func PlateauCorrection(w []float32, n int, upper []float32, g float64) ([]float32, error) {
	if n < 1 || len(w) != n*n {
		return nil, fmt.Errorf("eval: plateau correction needs a %d×%d matrix (%d values), got %d", n, n, n*n, len(w))
	}
	if len(upper) != n && len(upper) != 1 {
		return nil, fmt.Errorf("eval: plateau correction needs one plateau per sender (%d) or one shared, got %d", n, len(upper))
	}
	if g == 0 {
		return nil, fmt.Errorf("eval: plateau correction needs a non-zero gain g, got 0")
	}
	scale := make([]float64, n)
	for j := range scale {
		scale[j] = float64(upper[min(j, len(upper)-1)]) / g
	}
	out := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			out[i*n+j] = float32(float64(w[i*n+j]) * scale[j])
		}
	}
	return out, nil
}

// PlateauGrid returns points values of r evenly spaced over
// [0.8·xnorm, xnorm], ends included: where ψ* is sampled for its plateau.
func PlateauGrid(xnorm float64, points int) ([]float32, error) {
	if points < 1 || xnorm <= 0 {
		return nil, fmt.Errorf("eval: plateau grid needs xnorm > 0 and at least 1 point, got xnorm %v and %d points", xnorm, points)
	}
	grid := make([]float32, points)
	for k := range grid {
		frac := 1.0
		if points > 1 {
			frac = float64(k) / float64(points-1)
		}
		grid[k] = float32(xnorm * (0.8 + 0.2*frac))
	}
	return grid, nil
}

// Plateau returns, for each sender, the median of its ψ* samples over the
// plateau grid (psiSamples[j] holds sender j's samples). A single row gives a
// single shared plateau.
func Plateau(psiSamples [][]float32) ([]float32, error) {
	if len(psiSamples) == 0 {
		return nil, fmt.Errorf("eval: plateau needs samples for at least one sender, got none")
	}
	upper := make([]float32, len(psiSamples))
	for j, samples := range psiSamples {
		if len(samples) == 0 {
			return nil, fmt.Errorf("eval: plateau of sender %d has no samples, expected at least one", j)
		}
		upper[j] = float32(median32(samples))
	}
	return upper, nil
}

// CorrectTransfer returns ψ* divided by its plateau, the curve to overlay on
// the true transfer function: the plateau correction moves the scale
// upper/g into W_corr, so ψ*/upper is what multiplies g·W_corr.
func CorrectTransfer(psi []float32, upper float32) ([]float32, error) {
	if upper == 0 || math.IsNaN(float64(upper)) || math.IsInf(float64(upper), 0) {
		return nil, fmt.Errorf("eval: transfer correction needs a non-zero plateau, got %v", upper)
	}
	out := make([]float32, len(psi))
	for k, v := range psi {
		out[k] = v / upper
	}
	return out, nil
}

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

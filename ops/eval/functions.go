package eval

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// FunctionR2 is the coefficient of determination of a learned curve as a
// prediction of the true curve sampled on the same grid, without refitting:
// 1 − Σ(true − learned)² / Σ(true − mean(true))².
func FunctionR2(learned, truth []float32) (float64, error) {
	if len(learned) != len(truth) || len(truth) == 0 {
		return math.NaN(), fmt.Errorf("eval: function R² needs two curves on the same non-empty grid, got %d learned and %d true points", len(learned), len(truth))
	}
	return metrics.R2(truth, learned), nil
}

// FunctionR2ByType scores every neuron's learned curve against its type's
// true curve: curves is n×gridSize row-major (one learned curve per neuron),
// types[i] is neuron i's true type and truth[t] the true curve of type t on
// the same grid. It returns one R² per type, pooling all of that type's
// neurons (NaN for a type with no neurons).
func FunctionR2ByType(curves []float32, gridSize int, types []int, truth [][]float32) ([]float64, error) {
	n := len(types)
	if gridSize < 1 || len(curves) != n*gridSize {
		return nil, fmt.Errorf("eval: function R² by type needs %d neurons × %d grid points = %d curve values, got %d", n, gridSize, n*gridSize, len(curves))
	}
	learnedByType := make([][]float32, len(truth))
	trueByType := make([][]float32, len(truth))
	for i, typ := range types {
		if typ < 0 || typ >= len(truth) {
			return nil, fmt.Errorf("eval: neuron %d has type %d, expected a type in [0, %d)", i, typ, len(truth))
		}
		if len(truth[typ]) != gridSize {
			return nil, fmt.Errorf("eval: true curve of type %d has %d points, expected %d", typ, len(truth[typ]), gridSize)
		}
		learnedByType[typ] = append(learnedByType[typ], curves[i*gridSize:(i+1)*gridSize]...)
		trueByType[typ] = append(trueByType[typ], truth[typ]...)
	}
	scores := make([]float64, len(truth))
	for typ := range scores {
		scores[typ] = math.NaN()
		if len(trueByType[typ]) > 0 {
			scores[typ] = metrics.R2(trueByType[typ], learnedByType[typ])
		}
	}
	return scores, nil
}

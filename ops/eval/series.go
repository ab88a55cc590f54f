package eval

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// StepFit is the fit of learned against true activity at one rollout step.
type StepFit struct {
	Step int
	Fit  metrics.Fit
}

// RolloutFit compares a learned rollout with the true one: both are
// steps×n row-major (row k is the state after k Euler steps, row 0 the shared
// initial state). For each requested step it fits learned = slope·true +
// intercept over all n neurons (SPEC §4 reports steps 400 and 800).
func RolloutFit(learned, truth []float32, n int, steps []int) ([]StepFit, error) {
	if n < 1 || len(learned) != len(truth) || len(truth)%n != 0 {
		return nil, fmt.Errorf("eval: rollout needs two arrays of steps × %d neurons of equal size, got %d learned and %d true values", n, len(learned), len(truth))
	}
	recorded := len(truth) / n
	fits := make([]StepFit, 0, len(steps))
	for _, step := range steps {
		if step < 0 || step >= recorded {
			return nil, fmt.Errorf("eval: rollout step %d is outside the %d recorded steps [0, %d)", step, recorded, recorded)
		}
		row := truth[step*n : (step+1)*n]
		fits = append(fits, StepFit{Step: step, Fit: metrics.LinearFit(row, learned[step*n:(step+1)*n])})
	}
	return fits, nil
}

// ScaledFit is a fit after one global rescaling of the learned values.
type ScaledFit struct {
	// Scale multiplies the learned values before the fit.
	Scale float64
	// Fit is scale·learned = slope·true + intercept.
	Fit metrics.Fit
}

// ExternalInputFit compares a learned external input with the true one (any
// layout, e.g. frames×neurons, the same for both). The learned field is only
// known up to a global scale, so it first fits scale = Σ l·e / Σ l² (least
// squares of e ≈ scale·l), then fits scale·learned = slope·true + intercept.
func ExternalInputFit(learned, truth []float32) (ScaledFit, error) {
	if len(learned) != len(truth) || len(truth) < 2 {
		return ScaledFit{}, fmt.Errorf("eval: external input needs two arrays of the same size ≥ 2, got %d learned and %d true values", len(learned), len(truth))
	}
	var cross, power float64
	for k, l := range learned {
		cross += float64(l) * float64(truth[k])
		power += float64(l) * float64(l)
	}
	if power == 0 || math.IsNaN(power) || math.IsInf(power, 0) {
		return ScaledFit{}, fmt.Errorf("eval: learned external input has Σl² = %v, expected a finite non-zero field", power)
	}
	scale := cross / power
	scaled := make([]float32, len(learned))
	for k, l := range learned {
		scaled[k] = float32(scale * float64(l))
	}
	return ScaledFit{Scale: scale, Fit: metrics.LinearFit(truth, scaled)}, nil
}

// PerUnitScaledR2 is R² of the true input against the learned one after a
// least-squares scale per unit (column of the frames×units layout): in
// multiplicative mode e_i and the row Ŵ[i,:] trade a constant factor per
// input neuron, so this is the part of the field that the data determine.
func PerUnitScaledR2(learned, truth []float32, units int) (float64, error) {
	if units < 1 || len(learned) != len(truth) || len(truth)%units != 0 || len(truth) < 2 {
		return 0, fmt.Errorf("eval: per-unit scaled R² needs two frames×%d arrays of the same size, got %d learned and %d true values", units, len(learned), len(truth))
	}
	frames := len(truth) / units
	scaled := make([]float32, len(learned))
	for i := 0; i < units; i++ {
		var cross, power float64
		for f := 0; f < frames; f++ {
			l := float64(learned[f*units+i])
			cross += l * float64(truth[f*units+i])
			power += l * l
		}
		c := 0.0
		if power > 0 {
			c = cross / power
		}
		for f := 0; f < frames; f++ {
			scaled[f*units+i] = float32(c * float64(learned[f*units+i]))
		}
	}
	return metrics.R2(truth, scaled), nil
}

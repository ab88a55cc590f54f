// Package metrics holds the goodness-of-fit numbers that every report and
// progress line uses: the coefficient of determination of a linear fit and its
// slope, computed in float64 over float32 data.
package metrics

import "math"

// Fit is the least-squares line y = Slope·x + Intercept through paired samples,
// with R2 the coefficient of determination of that line (1 - SSres/SStot).
type Fit struct {
	Slope     float64
	Intercept float64
	R2        float64
	N         int
}

// LinearFit fits y = slope·x + intercept over all pairs (x[k], y[k]).
// It returns a Fit with NaN fields when fewer than two pairs are given or x is
// constant. A constant y (a learned Ŵ that is all zeros, say) explains none
// of x's variation: R2 is 0 then, not the 1 that a perfect fit of the
// constant would suggest.
func LinearFit(x, y []float32) Fit {
	n := min(len(x), len(y))
	return FitEach(func(visit func(x, y float64)) {
		for k := 0; k < n; k++ {
			visit(float64(x[k]), float64(y[k]))
		}
	})
}

// FitEach is LinearFit over the pairs that each passes to visit, for pairs
// that are not two slices (a selection of a matrix's entries, say): each is
// called twice (means, then deviations) and must pass the same pairs in the
// same order both times.
func FitEach(each func(visit func(x, y float64))) Fit {
	var n int
	var sx, sy float64
	each(func(x, y float64) { n, sx, sy = n+1, sx+x, sy+y })
	f := Fit{Slope: math.NaN(), Intercept: math.NaN(), R2: math.NaN(), N: n}
	if n < 2 {
		return f
	}
	mx, my := sx/float64(n), sy/float64(n)
	var sxx, sxy, syy float64
	each(func(x, y float64) {
		dx, dy := x-mx, y-my
		sxx, sxy, syy = sxx+dx*dx, sxy+dx*dy, syy+dy*dy
	})
	if sxx == 0 {
		return f
	}
	f.Slope = sxy / sxx
	f.Intercept = my - f.Slope*mx
	if syy == 0 {
		f.R2 = 0
		return f
	}
	ssres := syy - f.Slope*sxy
	if ssres < 0 {
		ssres = 0
	}
	f.R2 = 1 - ssres/syy
	return f
}

// R2 is the coefficient of determination of pred as a prediction of truth,
// without any refitting: 1 - Σ(truth-pred)² / Σ(truth-mean(truth))².
func R2(truth, pred []float32) float64 {
	n := len(truth)
	if len(pred) < n {
		n = len(pred)
	}
	if n == 0 {
		return math.NaN()
	}
	var s float64
	for k := 0; k < n; k++ {
		s += float64(truth[k])
	}
	m := s / float64(n)
	var res, tot float64
	for k := 0; k < n; k++ {
		d := float64(truth[k]) - float64(pred[k])
		res += d * d
		t := float64(truth[k]) - m
		tot += t * t
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return math.Inf(-1)
	}
	return 1 - res/tot
}

// Package deriv estimates time derivatives of recorded activity, frames ×
// neurons float32 row-major, when the recording holds u but not du/dt.
//
// Three estimators are offered:
//
//   - Central: second-order central differences (one-sided second-order
//     stencils at the two ends). Exact up to O(dt²) on clean data, but it
//     multiplies white measurement noise of standard deviation σ by
//     1/(√2·dt) — with dt = 0.01 a noise of 1 % of the activity becomes an
//     error larger than the derivative itself.
//   - SavitzkyGolay: a least-squares polynomial of order p over a sliding
//     window of 2m+1 frames, whose value and derivative at each frame are
//     the smoothed activity and its derivative (asymmetric windows at the
//     ends). The noise in the derivative falls as m^(-3/2); the price is a
//     bias that grows with the window (the signal's (p+1)-th derivative).
//   - Estimate with Method "auto": it measures the noise (NoiseStd) and
//     picks Central when the noise it would put into du/dt is below 1 % of
//     the derivative's own spread, and otherwise Savitzky–Golay with the
//     window chosen by ChooseWindow.
//
// Everything is per neuron (column) and independent of the other columns.
package deriv

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// Central returns the central-difference derivative of u (T×N row-major,
// frames dt apart): (u[t+1]−u[t−1])/(2dt) inside, and the second-order
// one-sided stencils (∓3u₀ ± 4u₁ ∓ u₂)/(2dt) at the ends. T must be ≥ 3.
func Central(u []float32, t, n int, dt float64) ([]float32, error) {
	if err := check(u, t, n, dt, 3); err != nil {
		return nil, err
	}
	du := make([]float32, t*n)
	h := 1 / (2 * dt)
	for j := 0; j < n; j++ {
		at := func(f int) float64 { return float64(u[f*n+j]) }
		du[j] = float32((-3*at(0) + 4*at(1) - at(2)) * h)
		for f := 1; f < t-1; f++ {
			du[f*n+j] = float32((at(f+1) - at(f-1)) * h)
		}
		du[(t-1)*n+j] = float32((3*at(t-1) - 4*at(t-2) + at(t-3)) * h)
	}
	return du, nil
}

func check(u []float32, t, n int, dt float64, least int) error {
	if t < least || n < 1 {
		return fmt.Errorf("deriv: need at least %d frames and 1 neuron, found %d×%d", least, t, n)
	}
	if len(u) != t*n {
		return fmt.Errorf("deriv: %d×%d activity needs %d values, found %d", t, n, t*n, len(u))
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return fmt.Errorf("deriv: dt must be > 0, found %g", dt)
	}
	return nil
}

// Filter holds Savitzky–Golay coefficients for a window of 2·Half+1 frames
// and polynomial Order: Value[s] and Slope[s] are the weights (over the
// window's frames) of the fitted polynomial's value and derivative (per
// frame, not yet divided by dt) at window position s, 0 ≤ s ≤ 2·Half.
// Position Half is the centre; the others serve the first and last Half
// frames of a recording.
type Filter struct {
	Half, Order  int
	Value, Slope [][]float64
}

// NewFilter computes the Savitzky–Golay coefficients by least squares on
// the window's positions scaled to [−1, 1]. It needs 1 ≤ order < 2·half+1.
func NewFilter(half, order int) (*Filter, error) {
	w := 2*half + 1
	if half < 1 || order < 1 || order >= w {
		return nil, fmt.Errorf("deriv: Savitzky–Golay needs half-width ≥ 1 and 1 ≤ order < window, found half-width %d (window %d) and order %d", half, w, order)
	}
	p := order + 1
	// Vandermonde matrix A (w×p) on x = (k−half)/half.
	a := make([][]float64, w)
	for k := range a {
		x := float64(k-half) / float64(half)
		a[k] = make([]float64, p)
		v := 1.0
		for c := 0; c < p; c++ {
			a[k][c] = v
			v *= x
		}
	}
	// G = (AᵀA)⁻¹ by Gauss–Jordan; the fit's coefficients are G·Aᵀ·y.
	ata := make([][]float64, p)
	for r := range ata {
		ata[r] = make([]float64, p)
		for c := range ata[r] {
			for k := 0; k < w; k++ {
				ata[r][c] += a[k][r] * a[k][c]
			}
		}
	}
	g, err := invert(ata)
	if err != nil {
		return nil, fmt.Errorf("deriv: Savitzky–Golay window %d, order %d: %v", w, order, err)
	}
	// proj[c][k] = (G·Aᵀ)[c][k]: coefficient c of the polynomial from frame k.
	proj := make([][]float64, p)
	for c := range proj {
		proj[c] = make([]float64, w)
		for k := 0; k < w; k++ {
			for r := 0; r < p; r++ {
				proj[c][k] += g[c][r] * a[k][r]
			}
		}
	}
	f := &Filter{Half: half, Order: order, Value: make([][]float64, w), Slope: make([][]float64, w)}
	for s := 0; s < w; s++ {
		x := float64(s-half) / float64(half)
		val, slope := make([]float64, w), make([]float64, w)
		for k := 0; k < w; k++ {
			pow := 1.0 // x^(c−1) for the slope, x^c for the value
			for c := 0; c < p; c++ {
				if c > 0 {
					slope[k] += float64(c) * pow * proj[c][k]
					pow *= x
				}
				val[k] += math.Pow(x, float64(c)) * proj[c][k]
			}
			slope[k] /= float64(half) // d/dk = (1/half)·d/dx
		}
		f.Value[s], f.Slope[s] = val, slope
	}
	return f, nil
}

// invert returns the inverse of a small symmetric positive definite matrix.
func invert(m [][]float64) ([][]float64, error) {
	p := len(m)
	a := make([][]float64, p)
	for r := range a {
		a[r] = make([]float64, 2*p)
		copy(a[r], m[r])
		a[r][p+r] = 1
	}
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		if math.Abs(a[piv][c]) < 1e-12 {
			return nil, fmt.Errorf("singular normal equations")
		}
		a[c], a[piv] = a[piv], a[c]
		d := a[c][c]
		for k := range a[c] {
			a[c][k] /= d
		}
		for r := 0; r < p; r++ {
			if r != c && a[r][c] != 0 {
				f := a[r][c]
				for k := range a[r] {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	out := make([][]float64, p)
	for r := range out {
		out[r] = a[r][p:]
	}
	return out, nil
}

// NoiseGain is the factor by which the filter's centre derivative
// multiplies white noise: std(error) = σ·NoiseGain/dt.
func (f *Filter) NoiseGain() float64 {
	var s float64
	for _, c := range f.Slope[f.Half] {
		s += c * c
	}
	return math.Sqrt(s)
}

// SavitzkyGolay smooths u (T×N row-major, frames dt apart) and estimates its
// derivative with the filter f: for each frame, the value and derivative of
// the polynomial fitted to the window around it (the first and last Half
// frames use the first and last full window). It returns the smoothed
// activity and du/dt. T must be at least the window 2·Half+1.
func (f *Filter) SavitzkyGolay(u []float32, t, n int, dt float64) (smooth, du []float32, err error) {
	w := 2*f.Half + 1
	if err := check(u, t, n, dt, w); err != nil {
		return nil, nil, err
	}
	smooth = make([]float32, t*n)
	du = make([]float32, t*n)
	col := make([]float64, t)
	for j := 0; j < n; j++ {
		for fr := 0; fr < t; fr++ {
			col[fr] = float64(u[fr*n+j])
		}
		for fr := 0; fr < t; fr++ {
			start, s := fr-f.Half, f.Half
			if start < 0 {
				start, s = 0, fr
			} else if start+w > t {
				start, s = t-w, fr-(t-w)
			}
			var v, d float64
			val, slope := f.Value[s], f.Slope[s]
			win := col[start : start+w]
			for k, x := range win {
				v += val[k] * x
				d += slope[k] * x
			}
			smooth[fr*n+j] = float32(v)
			du[fr*n+j] = float32(d / dt)
		}
	}
	return smooth, du, nil
}

// NoiseStd estimates the standard deviation of white measurement noise in
// each neuron's trace from its third differences u[t+2]−3u[t+1]+3u[t]−u[t−1]:
// for a trace sampled finely enough that the signal's own third difference
// (of order dt³·u‴) is small, they are noise alone, with variance 20σ². The
// median absolute value is used (σ = median|Δ³|/(0.6745·√20)), so that
// occasional jumps do not count as noise. Neurons with fewer than 4 frames
// get NaN.
func NoiseStd(u []float32, t, n int) []float64 {
	out := make([]float64, n)
	if t < 4 {
		for j := range out {
			out[j] = math.NaN()
		}
		return out
	}
	d := make([]float64, t-3)
	for j := 0; j < n; j++ {
		for f := 0; f+3 < t; f++ {
			at := func(k int) float64 { return float64(u[k*n+j]) }
			d[f] = math.Abs(at(f+3) - 3*at(f+2) + 3*at(f+1) - at(f))
		}
		out[j] = metrics.Median(d) / (0.6745 * math.Sqrt(20))
	}
	return out
}

// DefaultOrder is the polynomial order of the Savitzky–Golay filter used by
// the "auto" and "savgol" choices: order 4 keeps the smoothed value's bias
// low enough that wide windows, which the derivative's noise needs, remain
// usable (measured on the quick-start network: see docs/LANGUAGE.md).
const DefaultOrder = 4

// CentralNoiseShare is the largest ratio of the noise that central
// differences would put into du/dt, σ/(√2·dt), to the spread of the
// central-difference derivative itself, at which "auto" still uses them.
const CentralNoiseShare = 0.01

// NoisyForCentral reports whether measurement noise of standard deviation
// sigma makes central differences unfit: whether σ/(√2·dt) exceeds
// CentralNoiseShare times duStd, the standard deviation of the
// central-difference derivative.
func NoisyForCentral(sigma, dt, duStd float64) bool {
	if math.IsNaN(sigma) || !(duStd > 0) {
		return false
	}
	return sigma/(math.Sqrt2*dt) > CentralNoiseShare*duStd
}

// ChooseWindow picks the Savitzky–Golay window (an odd number of frames)
// for activity u (T×N) with per-neuron noise sigma, by Stein's unbiased
// risk estimate of the smoothed activity: for each candidate half-width h
// (a geometric grid from order/2+1 to min((T−1)/4, 400)), the mean squared
// change the filter makes to u, minus σ², plus 2σ² times the filter's
// centre weight, averaged over neurons, estimates the mean squared error of
// the smoothed activity against the noise-free one; the window with the
// smallest estimate wins. The same window then serves the derivative. At
// most 32 neurons (evenly spaced) and 20,000 frames are used.
func ChooseWindow(u []float32, t, n int, sigma []float64, order int) (int, error) {
	if len(u) != t*n || len(sigma) != n {
		return 0, fmt.Errorf("deriv: ChooseWindow needs %d×%d values and %d noise levels, found %d and %d", t, n, n, len(u), len(sigma))
	}
	maxHalf := min((t-1)/4, 400)
	minHalf := order/2 + 1
	if maxHalf < minHalf {
		return 0, fmt.Errorf("deriv: %d frames are too few for a Savitzky–Golay window of order %d (at least %d)", t, order, 4*minHalf+1)
	}
	cols := make([]int, 0, 32)
	for k := 0; k < min(n, 32); k++ {
		cols = append(cols, k*n/min(n, 32))
	}
	frames := min(t, 20000)
	var s2 float64
	for _, j := range cols {
		if !math.IsNaN(sigma[j]) {
			s2 += sigma[j] * sigma[j]
		}
	}
	s2 /= float64(len(cols))
	col := make([]float64, frames)
	best, bestRisk := minHalf, math.Inf(1)
	for h := minHalf; h <= maxHalf; h = max(h+1, int(math.Round(float64(h)*1.25))) {
		f, err := NewFilter(h, order)
		if err != nil {
			return 0, err
		}
		w := 2*h + 1
		if w > frames {
			break
		}
		c := f.Value[h]
		var ss float64
		var count int
		for _, j := range cols {
			for fr := 0; fr < frames; fr++ {
				col[fr] = float64(u[fr*n+j])
			}
			for fr := h; fr+h < frames; fr++ {
				var v float64
				for k, x := range col[fr-h : fr+h+1] {
					v += c[k] * x
				}
				d := v - col[fr]
				ss += d * d
				count++
			}
		}
		risk := ss/float64(count) - s2 + 2*s2*c[h]
		if risk < bestRisk {
			best, bestRisk = h, risk
		}
	}
	return 2*best + 1, nil
}

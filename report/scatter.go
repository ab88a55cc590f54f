package report

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxScatterPoints is the most points a scatter plot draws; larger sets are
// drawn from a fixed-seed random subsample.
const maxScatterPoints = 200_000

// pointCloud is a plot.Plotter that rasterises many points into one image at
// the canvas resolution, which is far faster than a glyph per point.
type pointCloud struct {
	xs, ys []float32
	color  color.RGBA
	side   int // square marker side in pixels
}

// Plot implements plot.Plotter.
func (pc *pointCloud) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	res := dpi
	if d, ok := c.Canvas.(interface{ DPI() float64 }); ok {
		res = int(d.DPI())
	}
	w := int((c.Max.X - c.Min.X).Dots(float64(res)) + 0.5)
	h := int((c.Max.Y - c.Min.Y).Dots(float64(res)) + 0.5)
	if w <= 0 || h <= 0 {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	half := pc.side / 2
	for k := range pc.xs {
		x, y := float64(pc.xs[k]), float64(pc.ys[k])
		if !finite(x) || !finite(y) {
			continue
		}
		px := int((trX(x) - c.Min.X).Dots(float64(res)))
		py := int((c.Max.Y - trY(y)).Dots(float64(res)))
		for dy := -half; dy < pc.side-half; dy++ {
			for dx := -half; dx < pc.side-half; dx++ {
				blend(img, px+dx, py+dy, pc.color)
			}
		}
	}
	c.DrawImage(c.Rectangle, img)
}

// blend paints a translucent colour over one pixel of a premultiplied image.
func blend(img *image.RGBA, x, y int, c color.RGBA) {
	if !(image.Point{x, y}.In(img.Rect)) {
		return
	}
	off := img.PixOffset(x, y)
	p := img.Pix[off : off+4 : off+4]
	a := uint32(c.A)
	for i, s := range [3]uint8{c.R, c.G, c.B} {
		p[i] = uint8((uint32(s)*a + uint32(p[i])*(255-a)) / 255)
	}
	p[3] = uint8(a + uint32(p[3])*(255-a)/255)
}

// DataRange implements plot.DataRanger.
func (pc *pointCloud) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = valueRange(pc.xs)
	ymin, ymax = valueRange(pc.ys)
	return
}

// sampleIndices returns all indices of total items, or n indices drawn at
// random (fixed seed, so reports are reproducible) when total exceeds n.
func sampleIndices(total, n int) []int {
	if total <= n {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]int, n)
	for i := range out {
		out[i] = rng.IntN(total)
	}
	return out
}

// gather returns values[idx[k]] for every k.
func gather(values []float32, idx []int) []float32 {
	out := make([]float32, len(idx))
	for k, i := range idx {
		out[k] = values[i]
	}
	return out
}

// fitScatter draws learned against true values with the identity line and the
// least-squares line, and puts R² and slope in the title.
func fitScatter(title, xLabel, yLabel string, truth, learned []float32, fit metrics.Fit) *plot.Plot {
	idx := sampleIndices(len(truth), maxScatterPoints)
	xs, ys := gather(truth, idx), gather(learned, idx)
	alpha, side := uint8(200), 5
	if len(idx) > 20_000 {
		alpha, side = 60, 3
	} else if len(idx) > 2_000 {
		alpha, side = 140, 3
	}
	p := newPlot(fmt.Sprintf("%s\nR² = %s, slope = %s", title, formatFloat(fit.R2), formatFloat(fit.Slope)), xLabel, yLabel)
	p.Add(&pointCloud{xs: xs, ys: ys, color: color.RGBA{31, 119, 180, alpha}, side: side})
	lo, hi := valueRange(xs, ys)
	pad := 0.03 * (hi - lo)
	lo, hi = lo-pad, hi+pad
	addLine(p, "y = x", lo, hi, 1, 0, color.RGBA{120, 120, 120, 255}, true)
	if finite(fit.Slope) && finite(fit.Intercept) {
		addLine(p, fmt.Sprintf("fit: y = %s·x %+.2g", formatFloat(fit.Slope), fit.Intercept), lo, hi, fit.Slope, fit.Intercept, color.RGBA{214, 39, 40, 255}, false)
	}
	// Equal ranges on both axes keep the identity on the diagonal.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	p.Legend.Left = true
	if len(idx) < len(truth) {
		p.X.Label.Text += fmt.Sprintf("   (%d of %d points shown)", len(idx), len(truth))
	}
	return p
}

// addLine adds the straight line y = slope·x + intercept over [lo, hi].
func addLine(p *plot.Plot, name string, lo, hi, slope, intercept float64, c color.Color, dashed bool) {
	l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: slope*lo + intercept}, {X: hi, Y: slope*hi + intercept}})
	if err != nil {
		return
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
}

// finiteXYs pairs xs and ys, dropping non-finite pairs (and, when positive is
// true, pairs with y ≤ 0, for log scales).
func finiteXYs(xs, ys []float64, positive bool) plotter.XYs {
	out := make(plotter.XYs, 0, len(ys))
	for i := range ys {
		if !finite(xs[i]) || !finite(ys[i]) || positive && ys[i] <= 0 {
			continue
		}
		out = append(out, plotter.XY{X: xs[i], Y: ys[i]})
	}
	return out
}

// decimate returns at most about maxPoints (x, y) pairs of a series by keeping
// the minimum and maximum of each bucket in order, so that fast oscillations
// keep their envelope.
func decimate(xs []float64, ys []float32, maxPoints int) plotter.XYs {
	n := len(ys)
	if n <= maxPoints {
		out := make(plotter.XYs, n)
		for i := range ys {
			out[i] = plotter.XY{X: xs[i], Y: float64(ys[i])}
		}
		return out
	}
	buckets := maxPoints / 2
	out := make(plotter.XYs, 0, 2*buckets)
	for b := 0; b < buckets; b++ {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		iMin, iMax := lo, lo
		for i := lo; i < hi; i++ {
			if ys[i] < ys[iMin] {
				iMin = i
			}
			if ys[i] > ys[iMax] {
				iMax = i
			}
		}
		first, second := min(iMin, iMax), max(iMin, iMax)
		out = append(out, plotter.XY{X: xs[first], Y: float64(ys[first])}, plotter.XY{X: xs[second], Y: float64(ys[second])})
	}
	return out
}

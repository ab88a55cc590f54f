package report

import (
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// envelope is a plot.Plotter for a trace with far more samples than pixels:
// it paints, in each pixel column, the span between the lowest and highest
// sample (joined to the previous column), which is what a stroked line of
// that many points looks like, at a small fraction of the cost.
type envelope struct {
	xs    []float64
	ys    []float32
	color color.RGBA
}

// Plot implements plot.Plotter.
func (e *envelope) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	w := int((c.Max.X - c.Min.X).Dots(dpi) + 0.5)
	h := int((c.Max.Y - c.Min.Y).Dots(dpi) + 0.5)
	if w <= 0 || h <= 0 {
		return
	}
	lo, hi := make([]int, w), make([]int, w)
	for i := range lo {
		lo[i], hi[i] = h, -1
	}
	last := -1
	for k, x := range e.xs {
		y := float64(e.ys[k])
		if !finite(x) || !finite(y) {
			continue
		}
		px := int((trX(x) - c.Min.X).Dots(dpi))
		py := int((c.Max.Y - trY(y)).Dots(dpi))
		if px < 0 || px >= w {
			continue
		}
		if px != last && last >= 0 && hi[last] >= 0 {
			// Join the new column to where the previous one ended.
			lo[px], hi[px] = min(lo[px], py), max(hi[px], py)
		}
		lo[px], hi[px] = min(lo[px], py), max(hi[px], py)
		last = px
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for px := 0; px < w; px++ {
		for py := max(lo[px]-1, 0); py <= min(hi[px], h-1); py++ {
			off := img.PixOffset(px, py)
			copy(img.Pix[off:off+4], []uint8{e.color.R, e.color.G, e.color.B, e.color.A})
		}
	}
	c.DrawImage(c.Rectangle, img)
}

// DataRange implements plot.DataRanger.
func (e *envelope) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = e.xs[0], e.xs[len(e.xs)-1]
	ymin, ymax = valueRange(e.ys)
	return
}

// addTrace adds one time series: a stroked line when it has few samples, a
// rasterised envelope when it has more than denseSamples (dashes are then
// not drawn).
func addTrace(p *plot.Plot, xs []float64, ys []float32, c color.Color, width float64, dashed bool) {
	const denseSamples = 2500
	if len(ys) > denseSamples {
		r, g, b, _ := c.RGBA()
		p.Add(&envelope{xs: xs, ys: ys, color: color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}})
		return
	}
	l, err := plotter.NewLine(decimate(xs, ys, denseSamples))
	if err != nil {
		return
	}
	l.Color, l.Width = c, vg.Points(width)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(l)
}

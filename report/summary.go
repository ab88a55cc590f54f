package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SummaryPNG and SummarySVG are the names of the one-figure summary that
// Close writes when the report has at least two of its panels.
const (
	SummaryPNG = "summary.png"
	SummarySVG = "summary.svg"
)

// summaryInputs keeps what the sections were given, for the summary figure.
type summaryInputs struct {
	connTrue, connLearned []float32
	connFit               metrics.Fit
	connIdentity          float64
	types                 *Types
	phi, psi              *Functions
	rollout               *Rollout
}

// panels counts the summary's panels that have data.
func (s summaryInputs) panels() int {
	n := 0
	for _, ok := range []bool{s.connTrue != nil, s.types != nil, s.phi != nil, s.psi != nil, s.rollout != nil} {
		if ok {
			n++
		}
	}
	return n
}

// The summary figure's size in pixels, its legend column and title band.
const (
	summaryWidth  = 1900
	summaryHeight = 1160
	summaryLegend = 250
	summaryTitle  = 44
)

// summaryFigure renders the summary as PNG and as SVG.
func (r *Report) summaryFigure() (png, svg []byte, err error) {
	s := r.summary
	drawFn := func(f *figure) error { return drawSummary(f, s, r.meta.Script) }
	if png, err = render("summary figure", summaryWidth, summaryHeight, drawFn); err != nil {
		return nil, nil, err
	}
	if svg, err = renderSVG("summary figure (SVG)", summaryWidth, summaryHeight, drawFn); err != nil {
		return nil, nil, err
	}
	return png, svg, nil
}

// summaryCaption describes the summary's panels.
const summaryCaption = "The whole result in one figure: (a) learned (corrected) vs true W with y = x (grey dashed) and the fitted line (red); " +
	"(b) the learned embeddings before clustering and (c) after it, coloured by true type; (d) the learned update functions φ* and (e) the corrected transfer function ψ* (solid, type colours) over the true ones (dashed); " +
	"(f) rollout traces of a few neurons, true (solid) and learned (dashed), coloured by type. Colours mean the same type in every panel. Also as summary.svg."

// drawSummary lays out the six panels in two rows of three, with one legend
// column on the right and a title band on top.
func drawSummary(f *figure, s summaryInputs, script string) error {
	title := "Summary"
	if script != "" {
		title += ": " + script
	}
	f.title(title, summaryTitle)
	var names []string
	var types []int
	if s.types != nil {
		names, types = s.types.TypeNames, s.types.TrueTypes
	} else if s.phi != nil {
		names, types = s.phi.TypeNames, s.phi.CurveTypes
	}
	panels := [][]*plot.Plot{
		{summaryW(s), summaryBefore(s), summaryAfter(s)},
		{summaryFunctions("(d) Update functions φ*", "φ*(u, a) = local du/dt (a.u. per time unit)", s.phi),
			summaryFunctions("(e) Transfer function ψ* (corrected)", "ψ*(u) · correction (a.u.)", s.psi), summaryRollout(s)},
	}
	// Each panel keeps a margin so that titles and axis labels of
	// neighbouring panels never touch.
	const gap = 14
	width := (f.width - summaryLegend) / 3
	height := (f.height - summaryTitle) / 2
	for i, row := range panels {
		for j, p := range row {
			x0, y0 := j*width, summaryTitle+i*height
			f.draw(p, x0+gap/2, y0+gap, x0+width-gap/2, y0+height-gap/2)
		}
	}
	f.draw(summaryLegendPanel(names, types), f.width-summaryLegend+10, summaryTitle+20, f.width, f.height-20)
	return nil
}

// missingPanel is an empty panel that says what is missing.
func missingPanel(title string) *plot.Plot {
	p := newPlot(title+"\n(not computed for this run)", "", "")
	p.HideAxes()
	return p
}

func summaryW(s summaryInputs) *plot.Plot {
	if s.connTrue == nil {
		return missingPanel("(a) Learned vs true W")
	}
	p := weightScatter(s.connTrue, s.connLearned, s.connFit, s.connIdentity)
	p.Title.Text = fmt.Sprintf("(a) Learned vs true W\nR² vs y = x: %s   R² of fit: %s   slope: %s", formatFloat(s.connIdentity), formatFloat(s.connFit.R2), formatFloat(s.connFit.Slope))
	p.X.Label.Text, p.Y.Label.Text = "true W[i,j] (dimensionless)", "learned W[i,j], corrected"
	p.Legend = plot.NewLegend()
	return p
}

func summaryBefore(s summaryInputs) *plot.Plot {
	switch {
	case s.types == nil:
		return missingPanel("(b) Embeddings before clustering")
	case s.types.Unclustered == nil:
		return missingPanel("(b) Embeddings before clustering\n(the fit had no clustering step)")
	}
	p := s.types.beforePanel()
	p.Title.Text = "(b) " + p.Title.Text
	return p
}

func summaryAfter(s summaryInputs) *plot.Plot {
	if s.types == nil {
		return missingPanel("(c) Embeddings after clustering")
	}
	p := s.types.afterPanel()
	if s.types.Unclustered == nil {
		p.Title.Text = "Learned embeddings"
	}
	p.Title.Text = "(c) " + p.Title.Text
	return p
}

func summaryFunctions(title, yLabel string, f *Functions) *plot.Plot {
	if f == nil {
		return missingPanel(title)
	}
	m, k, err := f.check()
	if err != nil {
		return missingPanel(title)
	}
	p, _ := functionPlot(title, yLabel, *f, m, k)
	p.X.Label.Text = "u (a.u.)"
	return p
}

func summaryRollout(s summaryInputs) *plot.Plot {
	if s.rollout == nil {
		return missingPanel("(f) Rollout")
	}
	p := rolloutTraces("(f) Rollout", *s.rollout)
	p.Title.Text = "(f) Rollout: true (solid), learned (dashed)"
	return p
}

// summaryLegendPanel names the types in their colours and the line styles.
func summaryLegendPanel(names []string, types []int) *plot.Plot {
	legend := typeLegend(names, types)
	legend.Legend.TextStyle.Font.Size = vg.Points(12)
	legend.Legend.Padding = vg.Points(3)
	add := func(label string, c color.Color, width float64, dashes []vg.Length) {
		if l := sampleLine(c); l != nil {
			l.Width, l.Dashes = vg.Points(width), dashes
			legend.Legend.Add(label, l)
		}
	}
	dashed := []vg.Length{vg.Points(7), vg.Points(6)}
	add("learned (solid, type colour)", color.RGBA{90, 90, 90, 255}, 1.5, nil)
	add("true (dashed)", color.RGBA{40, 40, 40, 255}, 1.8, dashed)
	add("(a) y = x", color.RGBA{120, 120, 120, 255}, 1.5, dashed)
	add("(a) fitted line", color.RGBA{214, 39, 40, 255}, 1.5, nil)
	add("(f) learned rollout", color.RGBA{90, 90, 90, 255}, 1.2, []vg.Length{vg.Points(5), vg.Points(3)})
	return legend
}

// scaleBar is a plotter that draws a vertical bar of a round height in data
// units near the right edge of a plot of offset traces, labelled with that
// height, so that the traces' amplitude can be read.
type scaleBar struct {
	height float64 // in data units
	label  string
}

// newScaleBar returns a bar of a round height close to 0.8·gap.
func newScaleBar(gap float64, quantity string) *scaleBar {
	h := niceNumber(0.8 * gap)
	return &scaleBar{height: h, label: fmt.Sprintf("%s = %s", quantity, strconv.FormatFloat(h, 'g', -1, 64))}
}

// Plot implements plot.Plotter.
func (b *scaleBar) Plot(c draw.Canvas, plt *plot.Plot) {
	_, trY := plt.Transforms(&c)
	x := c.Max.X - vg.Points(8)
	y0 := c.Min.Y + vg.Points(6)
	y1 := y0 + (trY(plt.Y.Min+b.height) - trY(plt.Y.Min))
	style := draw.LineStyle{Color: color.Black, Width: vg.Points(2)}
	c.StrokeLine2(style, x, y0, x, y1)
	c.StrokeLine2(style, x-vg.Points(3), y0, x+vg.Points(3), y0)
	c.StrokeLine2(style, x-vg.Points(3), y1, x+vg.Points(3), y1)
	sty := plt.Y.Tick.Label
	sty.XAlign, sty.YAlign = draw.XRight, draw.YCenter
	c.FillText(sty, vg.Point{X: x - vg.Points(5), Y: (y0 + y1) / 2}, b.label)
}

// niceNumber rounds x down to 1, 2 or 5 times a power of ten.
func niceNumber(x float64) float64 {
	if !(x > 0) || !finite(x) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= x {
			return m * p
		}
	}
	return p
}

// readableLogTicks labels a log axis at 1, 2 and 5 times powers of ten (or
// every integer multiple) when powers of ten alone would give fewer than
// three labels, and with plain linear ticks when even that does not, so that
// an axis spanning less than a decade is still readable; unlabelled minor
// ticks mark the other multiples.
type readableLogTicks struct{}

// Ticks implements plot.Ticker.
func (readableLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	var ticks []plot.Tick
	for _, labelled := range [][]float64{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
		ticks = ticks[:0]
		count := 0
		for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
			p := math.Pow(10, e)
			for m := 1.0; m <= 9; m++ {
				v := m * p
				if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
					continue
				}
				t := plot.Tick{Value: v}
				for _, l := range labelled {
					if m == l {
						t.Label = strconv.FormatFloat(v, 'g', 3, 64)
						count++
					}
				}
				ticks = append(ticks, t)
			}
		}
		if count >= 3 {
			return ticks
		}
	}
	// Less than a ninth of a decade: plain linear ticks read best.
	return plot.DefaultTicks{}.Ticks(lo, hi)
}

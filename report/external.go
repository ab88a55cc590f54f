package report

import (
	"fmt"
	"image"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
)

// ExternalInput holds the true and learned external input of the input
// neurons: Frames×K row-major. The neurons are drawn where they sit: at
// their positions X, Y (each in [0, 1], K values, as Ω* declares them: the
// movie's pixel grid or the positions given) or, without positions, on a
// Width×Height grid, each frame row-major over it (K = Width·Height).
type ExternalInput struct {
	True, Learned         []float32
	Frames, Width, Height int
	// X and Y optionally give each input neuron's position.
	X, Y []float32
	// Show lists the frames to draw; nil means four evenly spaced frames.
	Show []int
	// FrameNumbers, when set, gives the recording frame of each of the
	// Frames compared (for titles); nil numbers them 0, 1, ...
	FrameNumbers []int
	// FrameZeroScale takes the one scale as the reference does: the ratio
	// of the largest |true| to the largest |learned| value at the first
	// frame compared (the least-squares scale when either is 0). Otherwise
	// the scale minimises ‖true − s·learned‖.
	FrameZeroScale bool
	// What names the compared values in the table (e.g. "√e" for the
	// movie); empty means "e".
	What string
	// PerNeuronScaleR2, TableR2 and SirenFitR2 optionally carry numbers the
	// caller computed from the model (nil: not computed): the R² left after
	// removing each neuron's mean and fitting one scale per neuron, the R²
	// of the input table training learned, and the SIREN's fit to that
	// table. They are stored as external_input.r2_per_neuron_scale,
	// .table_r2 and .siren_fit_r2.
	PerNeuronScaleR2, TableR2, SirenFitR2 *float64
}

// frameZeroScale is max|true| / max|learned| over the first frame's k
// values (0 when either is 0 or not finite).
func frameZeroScale(truth, learned []float32, k int) float64 {
	var mt, ml float64
	for i := 0; i < k && i < len(truth); i++ {
		mt = math.Max(mt, math.Abs(float64(truth[i])))
		ml = math.Max(ml, math.Abs(float64(learned[i])))
	}
	if !(mt > 0) || !(ml > 0) || math.IsInf(mt, 0) || math.IsInf(ml, 0) {
		return 0
	}
	return mt / ml
}

// frameNumber is the recording frame of compared frame k.
func (e ExternalInput) frameNumber(k int) int {
	if k < len(e.FrameNumbers) {
		return e.FrameNumbers[k]
	}
	return k
}

// maxShownFrames bounds the frames drawn side by side.
const maxShownFrames = 6

// AddExternalInput adds the "external_input" section: true and learned
// fields at a few frames on a shared colour scale, and external_input.scale
// (the one global factor s minimising ‖true − s·learned‖), external_input.r2
// and external_input.slope (fit of s·learned against true over all frames).
func (r *Report) AddExternalInput(e ExternalInput) error {
	const name = "external_input"
	if err := e.check(); err != nil {
		return r.fail(name, err)
	}
	scale := globalScale(e.True, e.Learned)
	if e.FrameZeroScale {
		if s := frameZeroScale(e.True, e.Learned, len(e.True)/e.Frames); s > 0 {
			scale = s
		}
	}
	scaled := make([]float32, len(e.Learned))
	for i, v := range e.Learned {
		scaled[i] = float32(scale * float64(v))
	}
	fit := metrics.LinearFit(e.True, scaled)
	if err := r.store(name, func(m *Metrics) {
		m.ExternalInput = &ExternalInputMetrics{Scale: scale, R2: fit.R2, Slope: fit.Slope, Frames: e.Frames,
			PerNeuronScaleR2: e.PerNeuronScaleR2, TableR2: e.TableR2, SirenFitR2: e.SirenFitR2}
	}); err != nil {
		return err
	}
	shown := e.Show
	if shown == nil {
		shown = evenlySpaced(e.Frames, 4, 4)
	}
	if len(shown) > maxShownFrames {
		shown = shown[:maxShownFrames]
	}
	const cell, barWidth = 260, 160
	xs, ys, layout := e.positions()
	png, err := render("external input", cell*len(shown)+barWidth, 2*cell+50, func(f *figure) error {
		return drawFields(f, e, scaled, shown, cell, barWidth, xs, ys)
	})
	if err != nil {
		return r.fail(name, err)
	}
	what, how := e.What, "least squares"
	if what == "" {
		what = "e"
	}
	if e.FrameZeroScale {
		how = "ratio of the maxima at the first frame"
	}
	s := &section{key: name, title: "External input", table: [][2]string{
		{"compared", what}, {"global scale s (" + how + ")", formatFloat(scale)}, {"R² (s·learned vs true)", formatFloat(fit.R2)}, {"slope", formatFloat(fit.Slope)}, {"frames compared", fmt.Sprint(e.Frames)},
	}, figures: []figureRef{
		{"external_input.png", fmt.Sprintf("True (top) and learned (bottom, times the global scale %s) external input of %d input neurons drawn at their positions (%s) at frames %v, on one colour scale.", formatFloat(scale), len(xs), layout, shown)},
	}}
	files := []outputFile{{"external_input.png", png}}
	if anim := externalGIF(e, scaled, xs, ys); anim != nil {
		s.figures = append(s.figures, figureRef{"external_input.gif", fmt.Sprintf("Animation over the %d frames compared: true (left) and learned times the global scale (right), on the colour scale of external_input.png.", e.Frames)})
		files = append(files, outputFile{"external_input.gif", anim})
	}
	r.addSection(s, files)
	return nil
}

func (e ExternalInput) check() error {
	k := e.Width * e.Height
	if e.X != nil || e.Y != nil {
		k = len(e.X)
		if len(e.Y) != k || k == 0 {
			return fmt.Errorf("external input: expected one x and one y per input neuron, found %d and %d", len(e.X), len(e.Y))
		}
		for i := range e.X {
			if !(e.X[i] >= 0 && e.X[i] <= 1 && e.Y[i] >= 0 && e.Y[i] <= 1) {
				return fmt.Errorf("external input: position %d is (%g, %g), expected both in [0, 1]", i, e.X[i], e.Y[i])
			}
		}
	} else if e.Width <= 0 || e.Height <= 0 {
		return fmt.Errorf("external input: expected positions or a positive width and height, found %d×%d", e.Width, e.Height)
	}
	if e.Frames <= 0 {
		return fmt.Errorf("external input: expected positive frames, found %d", e.Frames)
	}
	if err := checkLengths("external input True (frames×input neurons)", len(e.True), e.Frames*k); err != nil {
		return err
	}
	if err := checkLengths("external input Learned (frames×input neurons)", len(e.Learned), e.Frames*k); err != nil {
		return err
	}
	for _, k := range e.Show {
		if k < 0 || k >= e.Frames {
			return fmt.Errorf("external input: expected frames to show in [0, %d), found %d", e.Frames, k)
		}
	}
	return nil
}

// globalScale returns the s minimising Σ(t − s·l)² (1 when l is all zero).
func globalScale(truth, learned []float32) float64 {
	var tl, ll float64
	for i := range truth {
		t, l := float64(truth[i]), float64(learned[i])
		if finite(t) && finite(l) {
			tl += t * l
			ll += l * l
		}
	}
	if ll == 0 {
		return 1
	}
	return tl / ll
}

// positions returns each input neuron's position and says what layout it
// is: the given positions (a grid when they form one), or the Width×Height
// grid with row 0 at the top.
func (e ExternalInput) positions() (xs, ys []float64, layout string) {
	if e.X != nil {
		xs, ys = make([]float64, len(e.X)), make([]float64, len(e.Y))
		for i := range e.X {
			xs[i], ys[i] = float64(e.X[i]), float64(e.Y[i])
		}
		if nx, ny, ok := gridShape(xs, ys); ok {
			return xs, ys, fmt.Sprintf("a %d×%d grid of declared positions", nx, ny)
		}
		return xs, ys, "declared positions"
	}
	for i := 0; i < e.Height; i++ {
		for j := 0; j < e.Width; j++ {
			xs = append(xs, float64(j)/float64(max(e.Width-1, 1)))
			ys = append(ys, 1-float64(i)/float64(max(e.Height-1, 1)))
		}
	}
	return xs, ys, fmt.Sprintf("the %d×%d grid", e.Width, e.Height)
}

// gridShape reports whether the points fill a regular nx×ny grid, one point
// per cell.
func gridShape(xs, ys []float64) (nx, ny int, ok bool) {
	distinct := func(v []float64) map[float64]bool {
		m := map[float64]bool{}
		for _, x := range v {
			m[math.Round(x*1e6)/1e6] = true
		}
		return m
	}
	dx, dy := distinct(xs), distinct(ys)
	if len(dx)*len(dy) != len(xs) {
		return 0, 0, false
	}
	cells := map[[2]float64]bool{}
	for i := range xs {
		cells[[2]float64{math.Round(xs[i]*1e6) / 1e6, math.Round(ys[i]*1e6) / 1e6}] = true
	}
	return len(dx), len(dy), len(cells) == len(xs)
}

// cellSize is the side of the square drawn for each input neuron: the grid
// spacing when the positions form a grid, else the side that would tile
// their bounding box.
func cellSize(xs, ys []float64) float64 {
	if nx, ny, ok := gridShape(xs, ys); ok && nx > 1 && ny > 1 {
		lx, hx := minMax(xs)
		ly, hy := minMax(ys)
		return math.Min((hx-lx)/float64(nx-1), (hy-ly)/float64(ny-1))
	}
	lx, hx := minMax(xs)
	ly, hy := minMax(ys)
	area := math.Max(hx-lx, 0.05) * math.Max(hy-ly, 0.05)
	return 0.9 * math.Sqrt(area/float64(len(xs)))
}

// drawFields draws the true fields on the top row and the scaled learned ones
// below, each input neuron a square at its position, with a colour bar
// shared by all.
func drawFields(f *figure, e ExternalInput, scaled []float32, shown []int, cell, barWidth int, xs, ys []float64) error {
	k := len(xs)
	lo, hi := valueRange(e.True)
	cmap := newSequential(lo, hi)
	side := cellSize(xs, ys)
	for c, fr := range shown {
		truth := e.True[fr*k : (fr+1)*k]
		learned := scaled[fr*k : (fr+1)*k]
		f.draw(positionPanel(fmt.Sprintf("true, frame %d", e.frameNumber(fr)), xs, ys, truth, side, cmap), c*cell, 25, (c+1)*cell, 25+cell)
		f.draw(positionPanel(fmt.Sprintf("learned, frame %d", e.frameNumber(fr)), xs, ys, learned, side, cmap), c*cell, 25+cell, (c+1)*cell, 25+2*cell)
	}
	f.draw(colorBarPanel(cmap, "input e"), len(shown)*cell+25, 40, len(shown)*cell+barWidth, f.height-40)
	return nil
}

// positionPanel draws one frame: a coloured square per input neuron at its
// position.
func positionPanel(title string, xs, ys []float64, values []float32, side float64, cmap *colorMap) *plot.Plot {
	p := newPlot(title, "x position", "y position")
	p.Add(&positionField{xs: xs, ys: ys, values: values, side: side, cmap: cmap})
	p.X.Min, p.X.Max = -side/2+math.Min(0, minOf(xs)), math.Max(1, maxOf(xs))+side/2
	p.Y.Min, p.Y.Max = -side/2+math.Min(0, minOf(ys)), math.Max(1, maxOf(ys))+side/2
	return p
}

func minOf(v []float64) float64 { lo, _ := minMax(v); return lo }
func maxOf(v []float64) float64 { _, hi := minMax(v); return hi }

// positionField rasterises one square per input neuron at the canvas
// resolution.
type positionField struct {
	xs, ys []float64
	values []float32
	side   float64
	cmap   *colorMap
}

// Plot implements plot.Plotter.
func (pf *positionField) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	res := float64(dpi)
	if d, ok := c.Canvas.(interface{ DPI() float64 }); ok {
		res = d.DPI()
	}
	w := int((c.Max.X - c.Min.X).Dots(res) + 0.5)
	h := int((c.Max.Y - c.Min.Y).Dots(res) + 0.5)
	if w <= 0 || h <= 0 {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range pf.xs {
		v := float64(pf.values[i])
		if !finite(v) {
			continue
		}
		col := pf.cmap.color(v)
		x0 := int((trX(pf.xs[i]-pf.side/2) - c.Min.X).Dots(res))
		x1 := int((trX(pf.xs[i]+pf.side/2) - c.Min.X).Dots(res))
		y0 := int((c.Max.Y - trY(pf.ys[i]+pf.side/2)).Dots(res))
		y1 := int((c.Max.Y - trY(pf.ys[i]-pf.side/2)).Dots(res))
		for y := max(y0, 0); y < min(max(y1, y0+1), h); y++ {
			for x := max(x0, 0); x < min(max(x1, x0+1), w); x++ {
				off := img.PixOffset(x, y)
				img.Pix[off], img.Pix[off+1], img.Pix[off+2], img.Pix[off+3] = col.R, col.G, col.B, 255
			}
		}
	}
	c.DrawImage(c.Rectangle, img)
}

package report

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// ExternalInput holds the true and learned external input of the input
// neurons, which sit on a Width×Height grid: Frames×(Height·Width) row-major,
// each frame row-major over the grid.
type ExternalInput struct {
	True, Learned         []float32
	Frames, Width, Height int
	// Show lists the frames to draw; nil means four evenly spaced frames.
	Show []int
	// FrameNumbers, when set, gives the recording frame of each of the
	// Frames compared (for titles); nil numbers them 0, 1, ...
	FrameNumbers []int
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
	scaled := make([]float32, len(e.Learned))
	for i, v := range e.Learned {
		scaled[i] = float32(scale * float64(v))
	}
	fit := metrics.LinearFit(e.True, scaled)
	if err := r.setAll(name, []metricValue{{"scale", scale}, {"r2", fit.R2}, {"slope", fit.Slope}, {"frames", e.Frames}}); err != nil {
		return r.fail(name, err)
	}
	shown := e.Show
	if shown == nil {
		shown = evenlySpaced(e.Frames, 4, 4)
	}
	if len(shown) > maxShownFrames {
		shown = shown[:maxShownFrames]
	}
	const cell, barWidth = 260, 160
	png, err := render("external input", cell*len(shown)+barWidth, 2*cell+50, func(f *figure) error {
		return drawFields(f, e, scaled, shown, cell, barWidth)
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "External input", table: [][2]string{
		{"global scale s", formatFloat(scale)}, {"R² (s·learned vs true)", formatFloat(fit.R2)}, {"slope", formatFloat(fit.Slope)}, {"frames compared", fmt.Sprint(e.Frames)},
	}, figures: []figureRef{
		{"external_input.png", fmt.Sprintf("True (top) and learned (bottom, times the global scale %s) external input on the %d×%d grid at frames %v, on one colour scale.", formatFloat(scale), e.Width, e.Height, shown)},
	}}
	r.addSection(s, []outputFile{{"external_input.png", png}})
	return nil
}

func (e ExternalInput) check() error {
	if e.Frames <= 0 || e.Width <= 0 || e.Height <= 0 {
		return fmt.Errorf("external input: expected positive frames, width and height, found %d, %d, %d", e.Frames, e.Width, e.Height)
	}
	size := e.Frames * e.Width * e.Height
	if err := checkLengths("external input True (frames×height×width)", len(e.True), size); err != nil {
		return err
	}
	if err := checkLengths("external input Learned (frames×height×width)", len(e.Learned), size); err != nil {
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

// drawFields draws the true fields on the top row and the scaled learned ones
// below, with a colour bar shared by all.
func drawFields(f *figure, e ExternalInput, scaled []float32, shown []int, cell, barWidth int) error {
	size := e.Width * e.Height
	lo, hi := valueRange(e.True)
	cmap := newSequential(lo, hi)
	for c, k := range shown {
		truth := e.True[k*size : (k+1)*size]
		learned := scaled[k*size : (k+1)*size]
		f.draw(heatPanel(fmt.Sprintf("true, frame %d", e.frameNumber(k)), "x", "y", matrixImage(truth, e.Height, e.Width, cmap, 200), e.Height, e.Width), c*cell, 25, (c+1)*cell, 25+cell)
		f.draw(heatPanel(fmt.Sprintf("learned, frame %d", e.frameNumber(k)), "x", "y", matrixImage(learned, e.Height, e.Width, cmap, 200), e.Height, e.Width), c*cell, 25+cell, (c+1)*cell, 25+2*cell)
	}
	f.draw(colorBarPanel(cmap, "input e"), len(shown)*cell+25, 40, len(shown)*cell+barWidth, f.height-40)
	return nil
}

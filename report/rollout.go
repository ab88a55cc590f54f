package report

import (
	"fmt"
	"image/color"
	"math"

	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Rollout holds a true and a learned trajectory integrated from the same
// state: Frames×Neurons row-major, row k the state after k steps (row 0 the
// initial state).
type Rollout struct {
	True, Learned   []float32
	Frames, Neurons int
	// Dt is the time step; zero labels the x axis in steps.
	Dt float64
	// Show is how many neurons to trace; zero means 5.
	Show int
	// Checkpoints are the steps compared in scatters; nil means 400 and 800.
	Checkpoints []int
	// Types optionally gives each neuron's true type, which then colours
	// its traces (the colours of the other plots); TypeNames names them.
	Types     []int
	TypeNames []string
}

// AddRollout adds the "rollout" section: true vs learned traces for a few
// neurons, scatters of learned vs true u at each checkpoint, and
// rollout.step<K>.r2 and .slope (learned = slope·true + b over all neurons at
// step K; null when the rollout is shorter than K steps).
func (r *Report) AddRollout(ro Rollout) error {
	return r.addRollout("rollout", "Rollout", ro)
}

// AddTransfer adds the "transfer" section: the same plots and numbers as
// AddRollout (transfer.step<K>.r2 and .slope) for a rollout of the learned
// functions on a rewired and re-typed network.
func (r *Report) AddTransfer(ro Rollout) error {
	return r.addRollout("transfer", "Transfer to a rewired network", ro)
}

func (r *Report) addRollout(name, title string, ro Rollout) error {
	if err := ro.check(); err != nil {
		return r.fail(name, fmt.Errorf("%s: %v", name, err))
	}
	if ro.Checkpoints == nil {
		ro.Checkpoints = []int{400, 800}
	}
	fits := make([]metrics.Fit, len(ro.Checkpoints))
	rm := &RolloutMetrics{}
	var table [][2]string
	for c, step := range ro.Checkpoints {
		fits[c] = ro.fitAt(step)
		rm.Steps = append(rm.Steps, RolloutStep{Step: step, R2: fits[c].R2, Slope: fits[c].Slope})
		table = append(table, [2]string{fmt.Sprintf("step %d: R² / slope", step), formatFloat(fits[c].R2) + " / " + formatFloat(fits[c].Slope)})
	}
	if err := r.store(name, func(m *Metrics) {
		if name == "transfer" {
			m.Transfer = rm
		} else {
			m.Rollout = rm
		}
	}); err != nil {
		return err
	}
	file := name + ".png"
	png, err := render(title, 1300, 1050, func(f *figure) error { return drawRollout(f, title, ro, fits) })
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: title, table: table, figures: []figureRef{
		{file, fmt.Sprintf("%s over %d steps: true (solid) and learned (dashed) traces of a few neurons, and learned vs true u of all %d neurons at steps %v.", title, ro.Frames-1, ro.Neurons, ro.Checkpoints)},
	}}
	r.addSection(s, []outputFile{{file, png}})
	if name == "rollout" {
		r.mu.Lock()
		r.summary.rollout = &ro
		r.mu.Unlock()
	}
	return nil
}

func (ro Rollout) check() error {
	if ro.Frames <= 0 || ro.Neurons <= 0 {
		return fmt.Errorf("expected positive frames and neurons, found %d×%d", ro.Frames, ro.Neurons)
	}
	if err := checkLengths("True (frames×neurons)", len(ro.True), ro.Frames*ro.Neurons); err != nil {
		return err
	}
	if err := checkLengths("Learned (frames×neurons)", len(ro.Learned), ro.Frames*ro.Neurons); err != nil {
		return err
	}
	if ro.Types != nil {
		if err := checkLengths("Types (one per neuron)", len(ro.Types), ro.Neurons); err != nil {
			return err
		}
		if err := checkTypes("rollout Types", ro.Types); err != nil {
			return err
		}
	}
	for _, s := range ro.Checkpoints {
		if s < 0 {
			return fmt.Errorf("expected checkpoints ≥ 0, found %d", s)
		}
	}
	return nil
}

// row returns the state after step k, or nil when the rollout is shorter.
func (ro Rollout) row(values []float32, k int) []float32 {
	if k >= ro.Frames {
		return nil
	}
	return values[k*ro.Neurons : (k+1)*ro.Neurons]
}

// fitAt fits learned = slope·true + b over all neurons at step k; the fit is
// NaN when the rollout does not reach step k.
func (ro Rollout) fitAt(k int) metrics.Fit {
	t := ro.row(ro.True, k)
	if t == nil {
		return metrics.Fit{Slope: math.NaN(), Intercept: math.NaN(), R2: math.NaN()}
	}
	return metrics.LinearFit(t, ro.row(ro.Learned, k))
}

// drawRollout puts the traces on top and one scatter per checkpoint below.
func drawRollout(f *figure, title string, ro Rollout, fits []metrics.Fit) error {
	const split = 520
	f.draw(rolloutTraces(title, ro), 0, 0, f.width, split)
	var row []*plot.Plot
	for c, step := range ro.Checkpoints {
		t := ro.row(ro.True, step)
		if t == nil {
			p := newPlot(fmt.Sprintf("step %d: not reached (rollout has %d steps)", step, ro.Frames-1), "true u", "learned u")
			row = append(row, p)
			continue
		}
		row = append(row, fitScatter(fmt.Sprintf("Step %d", step), "true u", "learned u", t, ro.row(ro.Learned, step), fits[c]))
	}
	if len(row) > 0 {
		f.grid([][]*plot.Plot{row}, 0, split, f.width, f.height)
	}
	return nil
}

// rolloutTraces draws true (solid) and learned (dashed) traces of a few
// neurons, offset vertically.
func rolloutTraces(title string, ro Rollout) *plot.Plot {
	xLabel, dt := "step", 1.0
	if ro.Dt > 0 {
		xLabel, dt = "time", ro.Dt
	}
	if ro.Dt > 0 {
		xLabel = "time t (model time units)"
	}
	p := newPlot(title+": true (solid) vs learned (dashed)", xLabel, "neuron (traces offset, centred)")
	xs := make([]float64, ro.Frames)
	for k := range xs {
		xs[k] = float64(k) * dt
	}
	shown := evenlySpaced(ro.Neurons, ro.Show, 5)
	gap := traceGap(ro.True, ro.Neurons, shown)
	var ticks []plot.Tick
	for k, i := range shown {
		offset := float64(len(shown)-1-k) * gap
		shift := float32(offset - midRange(column(ro.True, ro.Neurons, i)))
		c := typeColor(k, len(shown))
		label := fmt.Sprint(i)
		if ro.Types != nil {
			c = typeColor(ro.Types[i], countTypes(ro.Types))
			label += " (" + typeName(ro.TypeNames, ro.Types[i]) + ")"
		}
		for _, series := range []struct {
			values []float32
			dashed bool
		}{{ro.True, false}, {ro.Learned, true}} {
			trace := column(series.values, ro.Neurons, i)
			for t := range trace {
				trace[t] += shift
			}
			addTrace(p, xs, trace, c, 1.2, series.dashed)
		}
		ticks = append(ticks, plot.Tick{Value: offset, Label: label})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(newScaleBar(gap, "Δu"))
	p.X.Max = float64(ro.Frames-1) * dt * 1.12
	for _, step := range ro.Checkpoints {
		if step < ro.Frames {
			addMarker(p, float64(step)*dt)
		}
	}
	return p
}

// addMarker draws a thin vertical grey line at x spanning the plot.
func addMarker(p *plot.Plot, x float64) {
	p.Add(&verticalLine{x: x})
}

// verticalLine is a plotter that marks one x position over the full height.
type verticalLine struct{ x float64 }

// Plot implements plot.Plotter.
func (v *verticalLine) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	x := trX(v.x)
	style := draw.LineStyle{Color: color.RGBA{150, 150, 150, 255}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	c.StrokeLine2(style, x, c.Min.Y, x, c.Max.Y)
}

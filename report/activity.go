package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
)

// Activity is recorded activity for the traces plot.
type Activity struct {
	// U is the activity, Frames×Neurons row-major.
	U               []float32
	Frames, Neurons int
	// Dt is the time between frames; zero labels the x axis in frames.
	Dt float64
	// Show is how many neurons to draw, evenly spaced over the index range;
	// zero means 10.
	Show int
	// Window is how many frames from the start the traces show; zero means
	// min(Frames, 10000), since longer spans of fast activity draw as bands.
	Window int
	// Types optionally gives each neuron's true type, which colours its trace.
	Types     []int
	TypeNames []string
}

// AddActivity adds the "activity" section: offset traces of a sample of
// neurons over all frames, and the activity's scale as numbers
// (activity.mean, activity.std, activity.frames, activity.neurons).
func (r *Report) AddActivity(a Activity) error {
	const name = "activity"
	if err := a.check(); err != nil {
		return r.fail(name, err)
	}
	mean, std := meanStd(a.U)
	if err := r.store(name, func(m *Metrics) {
		m.Activity = &ActivityMetrics{Frames: a.Frames, Neurons: a.Neurons, Mean: mean, Std: std}
	}); err != nil {
		return err
	}
	shown := evenlySpaced(a.Neurons, a.Show, 10)
	png, err := render("activity traces", 1100, 160+45*len(shown), func(f *figure) error {
		f.draw(activityPlot(a, shown), 0, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Activity", table: [][2]string{
		{"frames", fmt.Sprint(a.Frames)}, {"neurons", fmt.Sprint(a.Neurons)},
		{"mean u", formatFloat(mean)}, {"std u", formatFloat(std)},
	}}
	s.figures = []figureRef{{"activity.png", fmt.Sprintf("Activity u of %d of %d neurons over frames 0–%d of %d, traces offset vertically.", len(shown), a.Neurons, a.window()-1, a.Frames)}}
	r.addSection(s, []outputFile{{"activity.png", png}})
	return nil
}

// window returns the number of frames the traces show.
func (a Activity) window() int {
	if a.Window > 0 {
		return min(a.Window, a.Frames)
	}
	return min(a.Frames, 10000)
}

func (a Activity) check() error {
	if a.Frames <= 0 || a.Neurons <= 0 {
		return fmt.Errorf("activity: expected positive frames and neurons, found %d×%d", a.Frames, a.Neurons)
	}
	if err := checkLengths("activity U (frames×neurons)", len(a.U), a.Frames*a.Neurons); err != nil {
		return err
	}
	if a.Types != nil {
		if err := checkLengths("activity Types (one per neuron)", len(a.Types), a.Neurons); err != nil {
			return err
		}
		return checkTypes("activity Types", a.Types)
	}
	return nil
}

// activityPlot draws each shown neuron's trace, offset so that the first
// neuron is at the top.
func activityPlot(a Activity, shown []int) *plot.Plot {
	xLabel, dt := "frame", 1.0
	if a.Dt > 0 {
		xLabel, dt = "time t (model time units)", a.Dt
	}
	p := newPlot("Activity traces (bar: amplitude scale)", xLabel, "neuron (traces offset and centred, coloured by type)")
	frames := a.window()
	values := a.U[:frames*a.Neurons]
	xs := make([]float64, frames)
	for k := range xs {
		xs[k] = float64(k) * dt
	}
	gap := traceGap(values, a.Neurons, shown)
	var ticks []plot.Tick
	nTypes := countTypes(a.Types)
	for k, i := range shown {
		offset := float64(len(shown)-1-k) * gap
		trace := column(values, a.Neurons, i)
		shift := float32(offset - midRange(trace))
		for t := range trace {
			trace[t] += shift
		}
		c := color.Color(color.RGBA{40, 40, 40, 255})
		if a.Types != nil {
			c = typeColor(a.Types[i], nTypes)
		}
		addTrace(p, xs, trace, c, 0.8, false)
		label := fmt.Sprint(i)
		if a.Types != nil {
			label += " (" + typeName(a.TypeNames, a.Types[i]) + ")"
		}
		ticks = append(ticks, plot.Tick{Value: offset, Label: label})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	// The traces are offset, so the y axis names neurons: a scale bar gives
	// the amplitude.
	p.Add(newScaleBar(gap, "Δu"))
	p.X.Max = float64(frames-1) * dt * 1.08
	return p
}

// midRange is the middle of a trace's range: traces are centred on it so
// that each sits on its tick.
func midRange(trace []float32) float64 {
	lo, hi := valueRange(trace)
	return (lo + hi) / 2
}

// column copies column j of a row-major matrix with the given row length.
func column(values []float32, rowLen, j int) []float32 {
	rows := len(values) / rowLen
	out := make([]float32, rows)
	for t := range out {
		out[t] = values[t*rowLen+j]
	}
	return out
}

// evenlySpaced picks want indices (def when want ≤ 0) spread over [0, n).
func evenlySpaced(n, want, def int) []int {
	if want <= 0 {
		want = def
	}
	want = min(want, n)
	out := make([]int, want)
	for k := range out {
		out[k] = k * n / want
	}
	return out
}

// countTypes returns one more than the largest type index (0 for nil).
func countTypes(types []int) int {
	n := 0
	for _, t := range types {
		n = max(n, t+1)
	}
	return n
}

// checkTypes checks that type indices are non-negative.
func checkTypes(what string, types []int) error {
	for i, t := range types {
		if t < 0 {
			return fmt.Errorf("%s: expected type indices ≥ 0, found %d at %d", what, t, i)
		}
	}
	return nil
}

// meanStd returns the mean and standard deviation of the finite values.
func meanStd(values []float32) (mean, std float64) {
	var s, ss float64
	n := 0
	for _, v := range values {
		x := float64(v)
		if finite(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = s / float64(n)
	for _, v := range values {
		x := float64(v)
		if finite(x) {
			ss += (x - mean) * (x - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n))
}

// traceGap is the vertical distance between offset traces: a little more than
// the typical range of the shown traces, so that they rarely overlap while
// one wild trace does not flatten the others.
func traceGap(values []float32, rowLen int, shown []int) float64 {
	ranges := make([]float64, 0, len(shown))
	for _, i := range shown {
		lo, hi := valueRange(column(values, rowLen, i))
		ranges = append(ranges, hi-lo)
	}
	sort.Float64s(ranges)
	gap := 1.1 * ranges[(len(ranges)*3)/4]
	if gap <= 0 || !finite(gap) {
		return 1
	}
	return gap
}

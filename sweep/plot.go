package sweep

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Plot size in pixels at 96 dpi, as the run reports' plots.
const (
	plotWidth  = 640
	plotHeight = 420
	plotDPI    = 96
)

// plotName turns a metric or parameter name into a file name part.
func plotName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// writePlots draws each numeric metric against each parameter that takes
// two values or more, and returns the files written.
func (sw *Sweep) writePlots(tb *Table, dir string) ([]string, error) {
	var files []string
	metrics := tb.NumericMetrics()
	for pi, p := range sw.Spec.Grid {
		if len(p.Values) < 2 {
			continue
		}
		for _, m := range metrics {
			if len(files) == 0 {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return nil, err
				}
			}
			path := filepath.Join(dir, plotName(m)+"_vs_"+plotName(p.Name)+".png")
			if err := sw.plotMetric(tb, m, pi, path); err != nil {
				return nil, fmt.Errorf("plot of %s against %s: %v", m, p.Name, err)
			}
			files = append(files, path)
		}
	}
	return files, nil
}

// errPoints are means with error bars.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

// plotMetric draws metric m against grid parameter pi: one line per
// combination of the other parameters, through the mean over seeds at each
// value, with bars of one sample standard deviation and each run as a dot.
func (sw *Sweep) plotMetric(tb *Table, m string, pi int, path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plotting failed: %v", r)
		}
	}()
	param := sw.Spec.Grid[pi]
	col := tb.Column(m)
	xs, categorical := axisValues(param.Values)
	p := plot.New()
	p.Title.Text = metricLabel(m) + " against " + param.Name
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = param.Name
	p.Y.Label.Text = metricLabel(m)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(9)
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	if categorical {
		ticks := make([]plot.Tick, len(param.Values))
		for i, v := range param.Values {
			ticks[i] = plot.Tick{Value: float64(i), Label: v}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	p.Add(plotter.NewGrid())

	// Series: the tasks sharing the values of the other parameters.
	type series struct {
		label string
		byX   map[int][]int // value index of param → rows
	}
	var all []*series
	index := map[string]*series{}
	for r, t := range sw.Tasks {
		var other []string
		for j, q := range sw.Spec.Grid {
			if j != pi && len(q.Values) > 1 {
				other = append(other, q.Name+"="+t.Values[j])
			}
		}
		key := strings.Join(other, " ")
		s, ok := index[key]
		if !ok {
			s = &series{label: key, byX: map[int][]int{}}
			index[key] = s
			all = append(all, s)
		}
		vi := slices.Index(param.Values, t.Values[pi])
		s.byX[vi] = append(s.byX[vi], r)
	}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for si, s := range all {
		c := plotutil.Color(si)
		var means errPoints
		var dots plotter.XYs
		for vi := range param.Values {
			rows := s.byX[vi]
			mean, std, n := meanStd(tb, col, rows)
			if n == 0 {
				continue
			}
			if math.IsNaN(std) {
				std = 0
			}
			ylo, yhi = min(ylo, mean-std), max(yhi, mean+std)
			means.XYs = append(means.XYs, plotter.XY{X: xs[vi], Y: mean})
			means.YErrors = append(means.YErrors, struct{ Low, High float64 }{std, std})
			for _, r := range rows {
				if y, ok := numeric(tb.Rows[r][col]); ok {
					ylo, yhi = min(ylo, y), max(yhi, y)
					dots = append(dots, plotter.XY{X: xs[vi], Y: y})
				}
			}
		}
		if len(means.XYs) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(means.XYs)
		if err != nil {
			return err
		}
		line.Color, line.Width = c, vg.Points(1.5)
		points.Color, points.Shape, points.Radius = c, draw.CircleGlyph{}, vg.Points(3)
		bars, err := plotter.NewYErrorBars(means)
		if err != nil {
			return err
		}
		bars.Color, bars.Width, bars.CapWidth = c, vg.Points(1.2), vg.Points(6)
		scatter, err := plotter.NewScatter(dots)
		if err != nil {
			return err
		}
		scatter.Color, scatter.Shape, scatter.Radius = withAlpha(c, 110), draw.CircleGlyph{}, vg.Points(2)
		p.Add(scatter, bars, line, points)
		label := s.label
		if label == "" {
			label = "mean"
		}
		if sw.Spec.Seeds > 1 {
			label += fmt.Sprintf(" (± sd over %d seeds)", sw.Spec.Seeds)
		}
		p.Legend.Add(label, line, points)
	}
	// Room around the points, and above them for the legend.
	if !math.IsInf(ylo, 0) {
		span := yhi - ylo
		if span == 0 {
			span = math.Max(math.Abs(yhi), 1)
		}
		p.Y.Min, p.Y.Max = ylo-0.08*span, yhi+0.12*span*float64(1+len(all))
	}
	xlo, xhi := slices.Min(xs), slices.Max(xs)
	switch {
	case categorical || xhi <= xlo:
	case xlo > 0 && xhi/xlo >= 10:
		// Values over a decade or more (frames, fill factors): a log axis.
		pad := math.Pow(xhi/xlo, 0.05)
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = xlo/pad, xhi*pad
	default:
		p.X.Min, p.X.Max = xlo-0.05*(xhi-xlo), xhi+0.05*(xhi-xlo)
	}
	if !categorical {
		// Ticks at the swept values.
		ticks := make([]plot.Tick, len(xs))
		for i, x := range xs {
			ticks[i] = plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	pixels := func(n int) vg.Length { return vg.Length(n) * vg.Inch / plotDPI }
	canvas := vgimg.NewWith(vgimg.UseWH(pixels(plotWidth), pixels(plotHeight)), vgimg.UseDPI(plotDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(canvas))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// labels name the best-known metrics of metrics.json on the plots.
var labels = map[string]string{
	"connectivity.r2":    "W R²",
	"connectivity.slope": "W slope",
	"types.accuracy":     "type accuracy",
	"functions.phi.r2":   "φ R²",
	"functions.psi.r2":   "ψ R²",
	"rollout.step400.r2": "rollout R² at step 400",
	"rollout.step800.r2": "rollout R² at step 800",
}

// metricLabel is the axis label of a metric: "W R² (connectivity.r2)".
func metricLabel(m string) string {
	if l, ok := labels[m]; ok {
		return l + " (" + m + ")"
	}
	return m
}

// axisValues places a parameter's values on the x axis: at their numbers
// when every value is a number, else at 0, 1, 2, … (categorical).
func axisValues(values []string) (xs []float64, categorical bool) {
	xs = make([]float64, len(values))
	for i, v := range values {
		f, ok := numeric(v)
		if !ok {
			for j := range xs {
				xs[j] = float64(j)
			}
			return xs, true
		}
		xs[i] = f
	}
	return xs, false
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named line of a LogLogPNG plot: Y[k] at X[k]. Points that
// are not positive and finite are left out.
type Series struct {
	Name string
	X, Y []float64
}

// LogLogPNG draws series on log-log axes as lines with points (one colour
// each, a legend with their names) and returns the PNG, width × height
// pixels. It is meant for cost-against-size plots such as the scaling
// benchmark's (scripts/bench/scaling.sh).
func LogLogPNG(title, xLabel, yLabel string, series []Series, width, height int) ([]byte, error) {
	return render("log-log plot "+title, width, height, func(f *figure) error {
		p := newPlot(title, xLabel, yLabel)
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = readableLogTicks{}, readableLogTicks{}
		p.Legend.Top, p.Legend.Left = true, true
		drawn := 0
		for k, s := range series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("series %q has %d x values and %d y values", s.Name, len(s.X), len(s.Y))
			}
			var pts plotter.XYs
			for i := range s.X {
				if s.X[i] > 0 && s.Y[i] > 0 && !math.IsInf(s.X[i], 0) && !math.IsInf(s.Y[i], 0) {
					pts = append(pts, plotter.XY{X: s.X[i], Y: s.Y[i]})
				}
			}
			if len(pts) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			c := typeColor(k, len(series))
			line.Color, points.Color = c, c
			line.Width = vg.Points(1.5)
			points.Shape = draw.CircleGlyph{}
			points.Radius = vg.Points(3)
			p.Add(line, points)
			p.Legend.Add(s.Name, line, points)
			drawn++
		}
		if drawn == 0 {
			return fmt.Errorf("no positive, finite points to draw")
		}
		f.draw(p, 0, 0, f.width, f.height)
		return nil
	})
}

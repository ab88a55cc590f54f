package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Training holds the training curves.
type Training struct {
	// Loss is the training loss, one value per entry of LossAt.
	Loss []float64
	// LossAt gives the step or epoch of each loss value; nil means 1, 2, ….
	LossAt []float64
	// R2 is the live connectivity R² (optional), one per entry of R2At.
	R2   []float64
	R2At []float64
	// R2Seconds optionally gives the seconds since training started at
	// each R² value; with it, the step and time at which R² first reached
	// 0.99 are stored as training.steps_to_r2_099 and .seconds_to_r2_099.
	R2Seconds []float64
	// XLabel names the x axis ("step" when empty).
	XLabel string
	// Validation is the validation mean squared error at each epoch end
	// (optional), at ValidationAt; Best is the x of the fit kept (NaN or
	// 0 for none).
	Validation   []float64
	ValidationAt []float64
	Best         float64
	// BestEpoch is the 0-based epoch of the fit kept (-1 for none), stored
	// as training.best_epoch when Validation is given.
	BestEpoch int
}

// AddTraining adds the "training" section: the loss on a log scale and the
// live R² over training, with training.final_loss, training.min_loss and,
// when R² is given, training.final_r2.
func (r *Report) AddTraining(t Training) error {
	const name = "training"
	if err := t.check(); err != nil {
		return r.fail(name, err)
	}
	if t.XLabel == "" {
		t.XLabel = "step"
	}
	tm := &TrainingMetrics{FinalLoss: t.Loss[len(t.Loss)-1], MinLoss: minFinite(t.Loss), Points: len(t.Loss)}
	table := [][2]string{{"final loss", formatFloat(t.Loss[len(t.Loss)-1])}, {"lowest loss", formatFloat(minFinite(t.Loss))}}
	if len(t.R2) > 0 {
		final := t.R2[len(t.R2)-1]
		tm.FinalR2 = &final
		if t.R2Seconds != nil {
			for k, v := range t.R2 {
				if v >= 0.99 {
					tm.R2Reached099 = &Milestone{Step: positions(t.R2At, len(t.R2))[k], Seconds: t.R2Seconds[k]}
					break
				}
			}
		}
		table = append(table, [2]string{"final live R²", formatFloat(t.R2[len(t.R2)-1])})
	}
	if len(t.Validation) > 0 {
		tm.Validation = &ValidationMetrics{Final: t.Validation[len(t.Validation)-1], Min: minFinite(t.Validation), BestEpoch: t.BestEpoch}
		table = append(table, [2]string{"lowest validation MSE", formatFloat(minFinite(t.Validation))})
	}
	if err := r.store(name, func(m *Metrics) { m.Training = tm }); err != nil {
		return err
	}
	png, err := render("training curves", 1300, 560, func(f *figure) error {
		loss, err := lossPlot(t)
		if err != nil {
			return err
		}
		row := []*plot.Plot{loss}
		if len(t.Validation) > 0 {
			v, err := validationPlot(t)
			if err != nil {
				return err
			}
			row = append(row, v)
		}
		f.grid([][]*plot.Plot{append(row, r2Plot(t))}, 0, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Training", table: table, figures: []figureRef{
		{"training.png", fmt.Sprintf("Training loss (log scale, %d points), validation mean squared error on held-out frames at each epoch end (the fit kept is marked), and live connectivity R² over %ss.", len(t.Loss), t.XLabel)},
	}}
	r.addSection(s, []outputFile{{"training.png", png}})
	return nil
}

func (t Training) check() error {
	if len(t.Loss) == 0 {
		return fmt.Errorf("training: expected loss values, found none")
	}
	if t.LossAt != nil {
		if err := checkLengths("training LossAt (one per loss)", len(t.LossAt), len(t.Loss)); err != nil {
			return err
		}
	}
	if t.R2At != nil {
		if err := checkLengths("training R2At (one per R²)", len(t.R2At), len(t.R2)); err != nil {
			return err
		}
	}
	if t.R2Seconds != nil {
		return checkLengths("training R2Seconds (one per R²)", len(t.R2Seconds), len(t.R2))
	}
	return nil
}

// positions returns at, or 1..n when at is nil.
func positions(at []float64, n int) []float64 {
	if at != nil {
		return at
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

// logScalePlot returns a plot with a log y axis and the positive, finite
// values at their positions; with none, the title gains empty and pts is
// empty.
func logScalePlot(title, xLabel, yLabel, empty string, at, values []float64) (*plot.Plot, plotter.XYs) {
	p := newPlot(title, xLabel, yLabel)
	pts := finiteXYs(positions(at, len(values)), values, true)
	if len(pts) == 0 {
		p.Title.Text += empty
		return p, pts
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = readableLogTicks{}
	return p, pts
}

// lossPlot draws the positive, finite loss values on a log y axis.
func lossPlot(t Training) (*plot.Plot, error) {
	p, pts := logScalePlot("Training loss", t.XLabel, "loss (log scale)", " (no positive finite values)", t.LossAt, t.Loss)
	if len(pts) == 0 {
		return p, nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("loss curve: %v", err)
	}
	l.Color, l.Width = color.RGBA{31, 119, 180, 255}, vg.Points(1.2)
	p.Add(l)
	return p, nil
}

// validationPlot draws the validation error per epoch on a log y axis and
// marks the fit that training kept.
func validationPlot(t Training) (*plot.Plot, error) {
	p, pts := logScalePlot("Validation (held-out frames)", t.XLabel, "mean squared error (log scale)", " (none)", t.ValidationAt, t.Validation)
	if len(pts) == 0 {
		return p, nil
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, fmt.Errorf("validation curve: %v", err)
	}
	l.Color, s.Color = color.RGBA{214, 39, 40, 255}, color.RGBA{214, 39, 40, 255}
	p.Add(l, s)
	for _, q := range pts {
		if q.X == t.Best {
			kept, err := plotter.NewScatter(plotter.XYs{q})
			if err != nil {
				return nil, err
			}
			kept.Shape, kept.Radius, kept.Color = draw.RingGlyph{}, vg.Points(7), color.Black
			p.Add(kept)
			p.Legend.Add("fit kept", kept)
		}
	}
	return p, nil
}

// r2Plot draws the live R² between 0 and 1 (wider if the values leave it).
func r2Plot(t Training) *plot.Plot {
	p := newPlot("Live connectivity R²", t.XLabel, "R²")
	p.Y.Min, p.Y.Max = 0, 1
	pts := finiteXYs(positions(t.R2At, len(t.R2)), t.R2, false)
	if len(pts) == 0 {
		p.Title.Text += " (not recorded)"
		return p
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return p
	}
	l.Color, l.Width = color.RGBA{214, 39, 40, 255}, vg.Points(1.5)
	p.Add(l)
	if len(pts) <= 60 {
		if s, err := plotter.NewScatter(pts); err == nil {
			s.GlyphStyle.Color = l.Color
			p.Add(s)
		}
	}
	return p
}

// minFinite returns the smallest finite value (NaN when there is none).
func minFinite(values []float64) float64 {
	best := nan()
	for _, v := range values {
		if finite(v) && (!finite(best) || v < best) {
			best = v
		}
	}
	return best
}

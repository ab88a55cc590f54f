package report

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// Connectivity holds the true and learned wiring, N×N row-major with
// W[i*N+j] the weight from sender j to receiver i.
type Connectivity struct {
	N    int
	True []float32
	// Learned is the learned W corrected by ψ*'s plateau (W_corr).
	Learned []float32
	// Raw optionally holds the uncorrected learned W; it adds
	// connectivity.raw_r2 and connectivity.raw_slope.
	Raw []float32
	// Baseline optionally holds a least-squares estimate of W; it adds
	// connectivity.ls_baseline_r2 and connectivity.ls_baseline_slope.
	Baseline []float32
}

// insetSide is the side of the top-left block shown enlarged.
const insetSide = 20

// AddConnectivity adds the "connectivity" section: heatmaps of the true and
// learned W with 20×20 insets, the learned-vs-true scatter with its fit line,
// and connectivity.r2, .slope, .intercept (learned = slope·true + intercept
// over all N² entries) plus the optional raw and baseline fits.
func (r *Report) AddConnectivity(c Connectivity) error {
	const name = "connectivity"
	if err := c.check(); err != nil {
		return r.fail(name, err)
	}
	fit := metrics.LinearFit(c.True, c.Learned)
	values := []metricValue{{"n", c.N}, {"r2", fit.R2}, {"slope", fit.Slope}, {"intercept", fit.Intercept}}
	table := [][2]string{{"R² (corrected W)", formatFloat(fit.R2)}, {"slope", formatFloat(fit.Slope)}, {"intercept", formatFloat(fit.Intercept)}}
	if c.Raw != nil {
		raw := metrics.LinearFit(c.True, c.Raw)
		values = append(values, metricValue{"raw_r2", raw.R2}, metricValue{"raw_slope", raw.Slope})
		table = append(table, [2]string{"R² (raw W)", formatFloat(raw.R2)}, [2]string{"slope (raw W)", formatFloat(raw.Slope)})
	}
	if c.Baseline != nil {
		base := metrics.LinearFit(c.True, c.Baseline)
		values = append(values, metricValue{"ls_baseline_r2", base.R2}, metricValue{"ls_baseline_slope", base.Slope})
		table = append(table, [2]string{"R² (least-squares baseline)", formatFloat(base.R2)}, [2]string{"slope (least-squares baseline)", formatFloat(base.Slope)})
	}
	if err := r.setAll(name, values); err != nil {
		return r.fail(name, err)
	}
	heat, err := render("connectivity heatmaps", 1300, 1180, func(f *figure) error { return drawConnectivityHeatmaps(f, c) })
	if err != nil {
		return r.fail(name, err)
	}
	scatter, err := render("connectivity scatter", 760, 720, func(f *figure) error {
		f.draw(fitScatter("Learned vs true W", "true W[i,j]", "learned W[i,j] (corrected)", c.True, c.Learned, fit), 0, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Connectivity", table: table, figures: []figureRef{
		{"connectivity_heatmaps.png", fmt.Sprintf("True and learned W (%d×%d; block means above %d cells per side), and their top-left %d×%d blocks, on shared symmetric colour scales.", c.N, c.N, maxHeatmapSide, insetSide, insetSide)},
		{"connectivity_scatter.png", "Learned (corrected) vs true W over all entries, with the identity and the least-squares line."},
	}}
	r.addSection(s, []outputFile{{"connectivity_heatmaps.png", heat}, {"connectivity_scatter.png", scatter}})
	return nil
}

func (c Connectivity) check() error {
	if c.N <= 0 {
		return fmt.Errorf("connectivity: expected N > 0, found %d", c.N)
	}
	n2 := c.N * c.N
	if err := checkLengths("connectivity True (N×N)", len(c.True), n2); err != nil {
		return err
	}
	if err := checkLengths("connectivity Learned (N×N)", len(c.Learned), n2); err != nil {
		return err
	}
	if c.Raw != nil {
		if err := checkLengths("connectivity Raw (N×N)", len(c.Raw), n2); err != nil {
			return err
		}
	}
	if c.Baseline != nil {
		return checkLengths("connectivity Baseline (N×N)", len(c.Baseline), n2)
	}
	return nil
}

// drawConnectivityHeatmaps lays out the full matrices on the top row and the
// insets on the bottom row, each row with its own shared colour bar.
func drawConnectivityHeatmaps(f *figure, c Connectivity) error {
	trueSmall, rows, cols := blockMeans(c.True, c.N, c.N, maxHeatmapSide)
	learnedSmall, _, _ := blockMeans(c.Learned, c.N, c.N, maxHeatmapSide)
	suffix := ""
	if rows < c.N {
		suffix = fmt.Sprintf(" (block means of %d×%d)", (c.N+rows-1)/rows, (c.N+rows-1)/rows)
	}
	fullMap := newDiverging(symmetricLimit(trueSmall, 0.99))
	trueInset, n, m := topLeft(c.True, c.N, c.N, insetSide)
	learnedInset, _, _ := topLeft(c.Learned, c.N, c.N, insetSide)
	insetMap := newDiverging(symmetricLimit(trueInset, 0.99))
	const half, barWidth = 590, 120
	panelWidth := (f.width - barWidth) / 2
	f.draw(heatPanel("True W"+suffix, "sender j", "receiver i", matrixImage(trueSmall, rows, cols, fullMap, 400), c.N, c.N), 0, 0, panelWidth, half)
	f.draw(heatPanel("Learned W"+suffix, "sender j", "receiver i", matrixImage(learnedSmall, rows, cols, fullMap, 400), c.N, c.N), panelWidth, 0, 2*panelWidth, half)
	f.draw(colorBarPanel(fullMap, "weight (clipped at 99th pct of |W|)"), 2*panelWidth, 20, f.width, half-40)
	title := fmt.Sprintf("top-left %d×%d block", n, m)
	f.draw(heatPanel("True W, "+title, "sender j", "receiver i", matrixImage(trueInset, n, m, insetMap, 400), n, m), 0, half, panelWidth, f.height)
	f.draw(heatPanel("Learned W, "+title, "sender j", "receiver i", matrixImage(learnedInset, n, m, insetMap, 400), n, m), panelWidth, half, 2*panelWidth, f.height)
	f.draw(colorBarPanel(insetMap, "weight"), 2*panelWidth, half+20, f.width, f.height-40)
	return nil
}

package report

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
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
	// Baseline optionally holds the oracle least-squares W: solved from the
	// data with the true ψ and the true local update φ given, so it says
	// whether the recorded activity determines W at all, not how well the
	// GNN learned it. It adds connectivity.ls_baseline_r2 and
	// connectivity.ls_baseline_slope.
	Baseline []float32
	// BaselineNote optionally says why there is no Baseline; it is stored
	// as connectivity.ls_baseline_note.
	BaselineNote string
}

// connectivityDefinitions defines the two R² of the connectivity section.
const connectivityDefinitions = "Definitions, over the N² − N off-diagonal entries (self-connections do not exist: W_ii is 0 in the truth and in the model) with t the true and l the learned (corrected) weights: " +
	"R² against y = x is 1 − Σ(l − t)² / Σ(t − mean t)², the fraction of the true weights' variance the learned weights reproduce as they are (it is lower, and can be negative, when the slope or offset is off); " +
	"R² of the fitted line is 1 − Σ(l − (slope·t + intercept))² / Σ(l − mean l)², the squared correlation, which ignores a wrong scale or offset (the slope shows it)."

// oracleNote says what the least-squares baseline is.
const oracleNote = "The oracle least-squares baseline solves W directly from the recorded activity with the true transfer function ψ and the true local update φ given (no learning): " +
	"it tells whether the data determine W at all (R² near 1: they do, so a GNN that misses W could do better), not how well the GNN did, since the GNN knows neither ψ nor φ. " +
	"It is about 1 by construction whenever the activity is rich enough."

// insetSide is the side of the top-left block shown enlarged.
const insetSide = 20

// AddConnectivity adds the "connectivity" section: heatmaps of the true and
// learned W with 20×20 insets, the learned-vs-true scatter with its fit line,
// and connectivity.r2, .slope, .intercept (learned = slope·true + intercept
// over the off-diagonal entries: r2 is the fitted line's R²; see eval.Connectivity), connectivity.r2_identity
// (R² against y = x) plus the optional raw and oracle baseline fits.
func (r *Report) AddConnectivity(c Connectivity) error {
	const name = "connectivity"
	if err := c.check(); err != nil {
		return r.fail(name, err)
	}
	score, err := eval.Connectivity(c.Learned, c.True, c.N)
	if err != nil {
		return r.fail(name, err)
	}
	fit, identity := score.Fit, score.Identity
	cm := &ConnectivityMetrics{N: c.N, R2: fit.R2, R2Identity: identity, Slope: fit.Slope, Intercept: fit.Intercept, BaselineNote: c.BaselineNote}
	table := [][2]string{{"R² against y = x (corrected W)", formatFloat(identity)}, {"R² of the fitted line (corrected W)", formatFloat(fit.R2)},
		{"slope of the fitted line", formatFloat(fit.Slope)}, {"intercept of the fitted line", formatFloat(fit.Intercept)}}
	notes := []string{connectivityDefinitions}
	if c.Raw != nil {
		raw, err := eval.Connectivity(c.Raw, c.True, c.N)
		if err != nil {
			return r.fail(name, err)
		}
		cm.Raw = &LineFit{R2: raw.R2, Slope: raw.Slope}
		table = append(table, [2]string{"R² of the fitted line (raw W)", formatFloat(raw.R2)}, [2]string{"slope (raw W)", formatFloat(raw.Slope)})
	}
	if c.Baseline != nil {
		base, err := eval.Connectivity(c.Baseline, c.True, c.N)
		if err != nil {
			return r.fail(name, err)
		}
		cm.Baseline = &LineFit{R2: base.R2, Slope: base.Slope}
		table = append(table, [2]string{"R² of the fitted line (oracle least-squares baseline: true ψ and φ given)", formatFloat(base.R2)},
			[2]string{"slope (oracle least-squares baseline)", formatFloat(base.Slope)})
		notes = append(notes, oracleNote)
	}
	if err := r.store(name, func(m *Metrics) { m.Connectivity = cm }); err != nil {
		return err
	}
	heat, err := render("connectivity heatmaps", 1300, 1180, func(f *figure) error { return drawConnectivityHeatmaps(f, c) })
	if err != nil {
		return r.fail(name, err)
	}
	scatter, err := render("connectivity scatter", 760, 720, func(f *figure) error {
		f.draw(weightScatter(c.True, c.Learned, fit, identity), 0, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Connectivity", table: table, notes: notes, figures: []figureRef{
		{"connectivity_heatmaps.png", fmt.Sprintf("True and learned W (%d×%d; block means above %d cells per side), and their top-left %d×%d blocks, on shared symmetric colour scales.", c.N, c.N, maxHeatmapSide, insetSide, insetSide)},
		{"connectivity_scatter.png", "Learned (corrected) vs true W over all entries, with the identity y = x and the least-squares line; the title gives both R²."},
	}}
	r.addSection(s, []outputFile{{"connectivity_heatmaps.png", heat}, {"connectivity_scatter.png", scatter}})
	r.mu.Lock()
	r.summary.connTrue, r.summary.connLearned, r.summary.connFit, r.summary.connIdentity = c.True, c.Learned, fit, identity
	r.mu.Unlock()
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

// weightScatter is the learned-vs-true W scatter with both R² in its title.
func weightScatter(truth, learned []float32, fit metrics.Fit, identity float64) *plot.Plot {
	p := fitScatter("Learned vs true W", "true W[i,j] (dimensionless)", "learned W[i,j], corrected (dimensionless)", truth, learned, fit)
	p.Title.Text = fmt.Sprintf("Learned vs true W\nR² vs y = x: %s   R² of fit: %s   slope: %s", formatFloat(identity), formatFloat(fit.R2), formatFloat(fit.Slope))
	return p
}

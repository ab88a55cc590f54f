package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Sections for a recording without ground truth: what the learned model
// predicts and what it learned, with nothing true to compare against.

// NoTruth opens the note of every section of a report made without ground
// truth.
const NoTruth = "No ground truth: this recording came without the true network, so nothing here is compared with a true W, true types or true functions."

// Note adds a sentence to the notes of a section already added (or skipped);
// a note for a section that does not exist is ignored.
func (r *Report) Note(sectionName, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sections {
		if s.key == sectionName {
			s.notes = append(s.notes, text)
			return
		}
	}
}

// Prediction holds the model's du/dt on held-out frames and the targets it
// is compared with, Frames×Neurons row-major each.
type Prediction struct {
	Target, Predicted []float32
	Frames, Neurons   int
	// What says what the target is (for example "du/dt estimated by
	// central differences").
	What string
	// Held is true when the frames were held out of training.
	Held bool
}

// AddPrediction adds the "prediction" section: predicted vs target du/dt
// over all held-out frames and neurons, prediction.r2, .slope, .frames and
// .r2_neuron_median (the median over neurons of each neuron's R²).
func (r *Report) AddPrediction(p Prediction) error {
	const name = "prediction"
	if p.Frames < 1 || p.Neurons < 1 {
		return r.fail(name, fmt.Errorf("prediction: expected positive frames and neurons, found %d×%d", p.Frames, p.Neurons))
	}
	for _, c := range []struct {
		what string
		x    []float32
	}{{"Target (frames×neurons)", p.Target}, {"Predicted (frames×neurons)", p.Predicted}} {
		if err := checkLengths("prediction "+c.what, len(c.x), p.Frames*p.Neurons); err != nil {
			return r.fail(name, err)
		}
	}
	fit := metrics.LinearFit(p.Target, p.Predicted)
	r2 := metrics.R2(p.Target, p.Predicted)
	per := make([]float64, 0, p.Neurons)
	tcol, pcol := make([]float32, p.Frames), make([]float32, p.Frames)
	for j := 0; j < p.Neurons; j++ {
		for f := 0; f < p.Frames; f++ {
			tcol[f], pcol[f] = p.Target[f*p.Neurons+j], p.Predicted[f*p.Neurons+j]
		}
		if v := metrics.R2(tcol, pcol); finite(v) {
			per = append(per, v)
		}
	}
	med := metrics.Median(per) // NaN when no neuron has a finite R²
	if err := r.store(name, func(m *Metrics) {
		m.Prediction = &PredictionMetrics{R2: r2, Slope: fit.Slope, Frames: p.Frames, R2NeuronMedian: med, HeldOut: p.Held}
	}); err != nil {
		return err
	}
	which := "held-out frames (never seen in training)"
	if !p.Held {
		which = "training frames (holdout = 0: no frames were held out)"
	}
	png, err := render("prediction scatter", 760, 720, func(f *figure) error {
		f.draw(fitScatter("Predicted vs target du/dt, "+which, "target du/dt", "predicted du/dt", p.Target, p.Predicted, fit), 0, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Prediction of du/dt", table: [][2]string{
		{"frames", fmt.Sprint(p.Frames)}, {"R² (all neurons)", formatFloat(r2)}, {"slope", formatFloat(fit.Slope)},
		{"median R² per neuron", formatFloat(med)},
	}, notes: []string{fmt.Sprintf("The model's du/dt on %s against the target: %s.", which, p.What)},
		figures: []figureRef{{"prediction.png", "Predicted against target du/dt over all neurons of the compared frames."}}}
	r.addSection(s, []outputFile{{"prediction.png", png}})
	return nil
}

// LearnedW is a learned connectivity with nothing true to compare it with.
type LearnedW struct {
	N int
	// W is N×N row-major, W[i*N+j] from sender j to receiver i.
	W []float32
	// Label says what W is (for example "Ŵ corrected by ψ*'s plateau").
	Label string
}

// AddLearnedConnectivity adds the "connectivity" section for a fit without
// ground truth: the heatmap of Ŵ and the histogram of its off-diagonal
// entries, with connectivity.mean, .std, .abs_max and .quantiles (1, 5, 25,
// 50, 75, 95, 99 %).
func (r *Report) AddLearnedConnectivity(c LearnedW) error {
	const name = "connectivity"
	if c.N <= 0 {
		return r.fail(name, fmt.Errorf("connectivity: expected N > 0, found %d", c.N))
	}
	if err := checkLengths("connectivity W (N×N)", len(c.W), c.N*c.N); err != nil {
		return r.fail(name, err)
	}
	off := make([]float64, 0, c.N*c.N)
	for i := 0; i < c.N; i++ {
		for j := 0; j < c.N; j++ {
			if v := float64(c.W[i*c.N+j]); i != j && finite(v) {
				off = append(off, v)
			}
		}
	}
	if len(off) == 0 {
		return r.fail(name, fmt.Errorf("connectivity: no finite off-diagonal entry"))
	}
	var s, ss, amax float64
	for _, v := range off {
		s += v
		ss += v * v
		amax = math.Max(amax, math.Abs(v))
	}
	mean := s / float64(len(off))
	std := math.Sqrt(math.Max(ss/float64(len(off))-mean*mean, 0))
	qs := []float64{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}
	quant := quantiles(off, qs)
	if err := r.store(name, func(m *Metrics) {
		m.LearnedConnectivity = &LearnedConnectivityMetrics{N: c.N, Mean: mean, Std: std, AbsMax: amax, Quantiles: quant}
	}); err != nil {
		return err
	}
	png, err := render("learned connectivity", 1500, 640, func(f *figure) error {
		small, rows, cols := blockMeans(c.W, c.N, c.N, maxHeatmapSide)
		cmap := newDiverging(symmetricLimit(small, 0.99))
		f.draw(heatPanel("Learned W ("+c.Label+")", "sender j", "receiver i", matrixImage(small, rows, cols, cmap, 400), c.N, c.N), 0, 0, 640, f.height)
		f.draw(colorBarPanel(cmap, "weight (clipped at 99th pct of |W|)"), 640, 20, 760, f.height-40)
		h, err := plotter.NewHist(plotter.Values(off), 80)
		if err != nil {
			return err
		}
		h.FillColor = color.RGBA{31, 119, 180, 200}
		h.LineStyle.Width = vg.Length(0)
		p := newPlot(fmt.Sprintf("Distribution of the %d off-diagonal entries", len(off)), "learned W[i,j]", "count")
		p.Add(h)
		f.draw(p, 780, 0, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	table := [][2]string{{"neurons", fmt.Sprint(c.N)}, {"mean", formatFloat(mean)}, {"std", formatFloat(std)}, {"max |W|", formatFloat(amax)}}
	for k, q := range qs {
		table = append(table, [2]string{fmt.Sprintf("%g %% quantile", 100*q), formatFloat(quant[k])})
	}
	r.addSection(&section{key: name, title: "Connectivity (learned only)", table: table,
		figures: []figureRef{{"connectivity_learned.png", fmt.Sprintf("Learned W (%s), %d×%d, and the histogram of its off-diagonal entries.", c.Label, c.N, c.N)}}},
		[]outputFile{{"connectivity_learned.png", png}})
	return nil
}

// LearnedCurves are learned functions sampled on a grid, one curve per
// neuron, grouped (for colours) by learned cluster.
type LearnedCurves struct {
	Grid   []float32
	Curves []float32 // M×len(Grid) row-major
	// Groups gives each curve's cluster (nil: one group); GroupNames name them.
	Groups     []int
	GroupNames []string
}

// AddLearnedFunctions adds the section "functions.<fn>" for a fit without
// ground truth: the learned curves coloured by cluster, and
// functions.<fn>.curves (how many).
func (r *Report) AddLearnedFunctions(fn, title, yLabel string, c LearnedCurves) error {
	name := "functions." + fn
	f := Functions{Grid: c.Grid, Curves: c.Curves, CurveTypes: c.Groups, TypeNames: c.GroupNames}
	g := len(c.Grid)
	if g < 2 || len(c.Curves) == 0 || len(c.Curves)%g != 0 {
		return r.fail(name, fmt.Errorf("functions: expected curves of %d grid points each, found %d values", g, len(c.Curves)))
	}
	m := len(c.Curves) / g
	if c.Groups != nil {
		if err := checkLengths("functions Groups (one per curve)", len(c.Groups), m); err != nil {
			return r.fail(name, err)
		}
		if err := checkTypes("functions Groups", c.Groups); err != nil {
			return r.fail(name, err)
		}
	}
	if err := r.store(name, func(mt *Metrics) { mt.Functions[fn] = &FunctionMetrics{Curves: m} }); err != nil {
		return err
	}
	file := fn + ".png"
	png, err := render(title, 1150, 720, func(fig *figure) error {
		p, legend := newPlot(title, "u", yLabel), legendPanel()
		nGroups := max(countTypes(f.CurveTypes), 1)
		gridIdx := evenlySpaced(g, 400, 400)
		xs := make([]float64, len(gridIdx))
		for i, j := range gridIdx {
			xs[i] = float64(c.Grid[j])
		}
		total := make([]int, nGroups)
		for k := 0; k < m; k++ {
			total[f.curveType(k)]++
		}
		for k := 0; k < m; k++ {
			grp := f.curveType(k)
			width, alpha := 0.6, uint8(110)
			if total[grp] <= 10 {
				width, alpha = 1.5, 230
			}
			addCurve(p, xs, c.Curves[k*g:(k+1)*g], gridIdx, withAlpha(typeColor(grp, nGroups), alpha), width, false)
		}
		for grp := 0; grp < nGroups; grp++ {
			if sample := sampleLine(typeColor(grp, nGroups)); sample != nil && total[grp] > 0 {
				legend.Legend.Add(fmt.Sprintf("%s (%d)", typeName(c.GroupNames, grp), total[grp]), sample)
			}
		}
		fig.draw(p, 0, 0, fig.width-210, fig.height)
		fig.draw(legend, fig.width-210, 30, fig.width, fig.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	r.addSection(&section{key: name, title: title, table: [][2]string{{"curves", fmt.Sprint(m)}},
		figures: []figureRef{{file, fmt.Sprintf("%s: %d learned curves coloured by learned cluster.", title, m)}}},
		[]outputFile{{file, png}})
	return nil
}

func quantiles(x []float64, qs []float64) []float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	out := make([]float64, len(qs))
	for k, q := range qs {
		pos := q * float64(len(s)-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, len(s)-1)
		out[k] = s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
	}
	return out
}

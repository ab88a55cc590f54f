package report

import (
	"fmt"
	"image/color"
	"math"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Functions holds learned curves of one function (φ* or corrected ψ*)
// sampled on a grid, and the true function of each type on the same grid.
type Functions struct {
	// Grid holds the R input values u the curves are sampled at.
	Grid []float32
	// Curves is M×R row-major: one learned curve per neuron (or per type).
	Curves []float32
	// CurveTypes gives the true type of each curve; nil means all type 0.
	CurveTypes []int
	// True is K×R row-major, the true function of each type; a single row
	// is the true function of every type.
	True      []float32
	TypeNames []string
	// Scales optionally gives a scale per true type (for the corrected ψ*,
	// the median factor its curves were divided by), stored as
	// functions.<fn>_scale.<type>.
	Scales []float64
}

// maxCurvesPerType bounds how many learned curves of one type are drawn.
const maxCurvesPerType = 60

// AddUpdateFunctions adds the "functions.phi" section: φ*(u, a_i) for the
// neurons over the true update rule of each type, with
// functions.phi.<type>.r2 and .rmse (learned vs true on the grid, no refit)
// and functions.phi.r2 over all curves.
func (r *Report) AddUpdateFunctions(f Functions) error {
	return r.addFunctions("phi", "Update function φ*", "φ*(u, a_i)", f)
}

// AddTransferFunctions adds the "functions.psi" section: the corrected ψ*
// over the true transfer function(s), with functions.psi.<type>.r2 and .rmse
// and functions.psi.r2.
func (r *Report) AddTransferFunctions(f Functions) error {
	return r.addFunctions("psi", "Transfer function ψ* (corrected)", "ψ*(u) · correction", f)
}

func (r *Report) addFunctions(fn, title, yLabel string, f Functions) error {
	name := "functions." + fn
	m, k, err := f.check()
	if err != nil {
		return r.fail(name, err)
	}
	fm, table := f.errors(m, k)
	fm.R2ByType = f.r2ByType()
	for k, s := range f.Scales {
		fm.Scales = append(fm.Scales, NamedValue{typeKey(f.TypeNames, k), s})
	}
	if err := r.store(name, func(m *Metrics) { m.Functions[fn] = fm }); err != nil {
		return err
	}
	file := fn + ".png"
	png, err := render(title, 1150, 720, func(fig *figure) error {
		p, legend := functionPlot(title, yLabel, f, m, k)
		fig.draw(p, 0, 0, fig.width-210, fig.height)
		fig.draw(legend, fig.width-210, 30, fig.width, fig.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: title, table: table, figures: []figureRef{
		{file, fmt.Sprintf("%s: %d learned curves (thin, at most %d drawn per type) over the true function of each type (thick dashed).", title, m, maxCurvesPerType)},
	}}
	r.addSection(s, []outputFile{{file, png}})
	r.mu.Lock()
	if fn == "phi" {
		r.summary.phi = &f
	} else if fn == "psi" {
		r.summary.psi = &f
	}
	r.mu.Unlock()
	return nil
}

// check validates the shapes and returns the number of curves and of true
// rows.
func (f Functions) check() (curves, trueRows int, err error) {
	g := len(f.Grid)
	if g < 2 {
		return 0, 0, fmt.Errorf("functions: expected a grid of at least 2 points, found %d", g)
	}
	if len(f.Curves) == 0 || len(f.Curves)%g != 0 {
		return 0, 0, fmt.Errorf("functions: expected curves of %d grid points each, found %d values", g, len(f.Curves))
	}
	if len(f.True) == 0 || len(f.True)%g != 0 {
		return 0, 0, fmt.Errorf("functions: expected true curves of %d grid points each, found %d values", g, len(f.True))
	}
	curves, trueRows = len(f.Curves)/g, len(f.True)/g
	if f.CurveTypes != nil {
		if err := checkLengths("functions CurveTypes (one per curve)", len(f.CurveTypes), curves); err != nil {
			return 0, 0, err
		}
		if err := checkTypes("functions CurveTypes", f.CurveTypes); err != nil {
			return 0, 0, err
		}
		if trueRows > 1 && countTypes(f.CurveTypes) > trueRows {
			return 0, 0, fmt.Errorf("functions: expected a true curve for each of %d types, found %d", countTypes(f.CurveTypes), trueRows)
		}
	}
	return curves, trueRows, nil
}

func (f Functions) curveType(c int) int {
	if f.CurveTypes == nil {
		return 0
	}
	return f.CurveTypes[c]
}

// trueCurve returns the true curve for type k.
func (f Functions) trueCurve(k, trueRows int) []float32 {
	g := len(f.Grid)
	if trueRows == 1 {
		return f.True[:g]
	}
	return f.True[k*g : (k+1)*g]
}

// errors computes, per type and over all curves, R² (no refit) and RMSE of the
// learned curves against the true ones.
func (f Functions) errors(curves, trueRows int) (*FunctionMetrics, [][2]string) {
	g := len(f.Grid)
	nTypes := max(countTypes(f.CurveTypes), 1)
	learnedBy := make([][]float32, nTypes)
	trueBy := make([][]float32, nTypes)
	var allLearned, allTrue []float32
	for c := 0; c < curves; c++ {
		k := f.curveType(c)
		learnedBy[k] = append(learnedBy[k], f.Curves[c*g:(c+1)*g]...)
		trueBy[k] = append(trueBy[k], f.trueCurve(k, trueRows)...)
	}
	fm := &FunctionMetrics{HasScores: true}
	var table [][2]string
	for k := 0; k < nTypes; k++ {
		if len(learnedBy[k]) == 0 {
			continue
		}
		r2, rmse := metrics.R2(trueBy[k], learnedBy[k]), rootMeanSquare(trueBy[k], learnedBy[k])
		maxAbs := maxAbsDiff(metrics.ColumnMedians(learnedBy[k], g), trueBy[k][:g])
		key := typeKey(f.TypeNames, k)
		fm.ByType = append(fm.ByType, TypeFunctionScore{Type: key, R2: r2, RMSE: rmse, MedianMaxAbs: maxAbs})
		table = append(table, [2]string{typeName(f.TypeNames, k) + ": R² / RMSE / max abs error of the median curve",
			formatFloat(r2) + " / " + formatFloat(rmse) + " / " + formatFloat(maxAbs)})
		allLearned, allTrue = append(allLearned, learnedBy[k]...), append(allTrue, trueBy[k]...)
	}
	r2 := metrics.R2(allTrue, allLearned)
	fm.R2, fm.RMSE = r2, rootMeanSquare(allTrue, allLearned)
	table = append(table, [2]string{"all curves: R²", formatFloat(r2)})
	return fm, table
}

// r2ByType is eval.FunctionR2ByType of the curves against one true curve
// per type (NaN for a type without curves), named by type; nil when the
// curves do not have one true row per type to compare with.
func (f Functions) r2ByType() []NamedValue {
	g := len(f.Grid)
	if g == 0 || f.CurveTypes == nil || len(f.True)%g != 0 {
		return nil
	}
	truth := make([][]float32, len(f.True)/g)
	for k := range truth {
		truth[k] = f.True[k*g : (k+1)*g]
	}
	r2, err := eval.FunctionR2ByType(f.Curves, g, f.CurveTypes, truth)
	if err != nil {
		return nil
	}
	out := make([]NamedValue, len(r2))
	for k, v := range r2 {
		out[k] = NamedValue{typeKey(f.TypeNames, k), v}
	}
	return out
}

// maxAbsDiff is the largest |a[i] − b[i]|.
func maxAbsDiff(a, b []float32) float64 {
	var worst float64
	for i := range a {
		worst = max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}

// rootMeanSquare is the RMS difference of two equally long slices.
func rootMeanSquare(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// functionPlot draws a sample of learned curves per type and the true curves,
// and returns the legend as a separate panel.
func functionPlot(title, yLabel string, f Functions, curves, trueRows int) (p, legend *plot.Plot) {
	p, legend = newPlot(title, "u", yLabel), legendPanel()
	g := len(f.Grid)
	nTypes := max(countTypes(f.CurveTypes), trueRows)
	if sameRows(f.True, g) {
		// One true function for every type (ψ of Fig 2): draw it once, in
		// black.
		trueRows = 1
	}
	gridIdx := evenlySpaced(g, 400, 400)
	xs := make([]float64, len(gridIdx))
	for i, j := range gridIdx {
		xs[i] = float64(f.Grid[j])
	}
	total := make([]int, nTypes)
	for c := 0; c < curves; c++ {
		total[f.curveType(c)]++
	}
	seen := make([]int, nTypes)
	for c := 0; c < curves; c++ {
		k := f.curveType(c)
		every := (total[k] + maxCurvesPerType - 1) / maxCurvesPerType
		seen[k]++
		if (seen[k]-1)%every != 0 {
			continue
		}
		width, alpha := 1.0, uint8(150)
		if total[k] <= 10 {
			width, alpha = 2.0, 230
		}
		addCurve(p, xs, f.Curves[c*g:(c+1)*g], gridIdx, withAlpha(typeColor(k, nTypes), alpha), width, false)
	}
	// With many types, one legend entry per type and one for all true curves
	// keep the legend within the figure.
	many := nTypes > 10
	for k := 0; k < nTypes; k++ {
		if total[k] > 0 {
			label := fmt.Sprintf("learned, %s (%d)", typeName(f.TypeNames, k), total[k])
			if many {
				label = fmt.Sprintf("%s (%d)", typeName(f.TypeNames, k), total[k])
			}
			if sample := sampleLine(typeColor(k, nTypes)); sample != nil {
				legend.Legend.Add(label, sample)
			}
		}
	}
	for k := 0; k < trueRows; k++ {
		c, label := darken(typeColor(k, nTypes)), "true, "+typeName(f.TypeNames, k)
		if trueRows == 1 {
			c, label = color.RGBA{0, 0, 0, 255}, "true (all types)"
		}
		l := addCurve(p, xs, f.trueCurve(k, trueRows), gridIdx, c, 1.8, true)
		if l == nil {
			continue
		}
		if !many || trueRows == 1 {
			legend.Legend.Add(label, l)
		}
	}
	if many && trueRows > 1 {
		if sample := sampleLine(color.RGBA{60, 60, 60, 255}); sample != nil {
			sample.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
			legend.Legend.Add("true, per type (thick dashed)", sample)
		}
	}
	return p, legend
}

// addCurve adds one curve sampled at gridIdx.
func addCurve(p *plot.Plot, xs []float64, ys []float32, gridIdx []int, c color.Color, width float64, dashed bool) *plotter.Line {
	pts := make(plotter.XYs, 0, len(gridIdx))
	for i, j := range gridIdx {
		if y := float64(ys[j]); finite(y) {
			pts = append(pts, plotter.XY{X: xs[i], Y: y})
		}
	}
	if len(pts) < 2 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil
	}
	l.Color = c
	l.Width = vg.Points(width)
	if dashed {
		// Gaps as long as the dashes let the learned curves under a true
		// one show through.
		l.Dashes = []vg.Length{vg.Points(7), vg.Points(6)}
	}
	p.Add(l)
	return l
}

// sampleLine is a legend-only line of a colour.
func sampleLine(c color.Color) *plotter.Line {
	l, err := plotter.NewLine(plotter.XYs{})
	if err != nil {
		return nil
	}
	l.Color, l.Width = c, vg.Points(2)
	return l
}

// withAlpha returns an opaque colour made translucent.
func withAlpha(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), alpha}
}

// darken returns a darker, opaque version of a colour for true curves.
func darken(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8 * 6 / 10), uint8(g >> 8 * 6 / 10), uint8(b >> 8 * 6 / 10), 255}
}

// sameRows reports whether all rows (g values each) are equal.
func sameRows(values []float32, g int) bool {
	for r := g; r+g <= len(values); r += g {
		for k := 0; k < g; k++ {
			if values[r+k] != values[k] {
				return false
			}
		}
	}
	return true
}

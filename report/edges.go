package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Edges holds what the "edges" section compares: which connections exist in
// the true network and which the learned Ŵ calls edges. Both matrices are
// N×N row-major, W[i*N+j] the weight from sender j to receiver i. The
// diagonal (self-connections) is never scored: the GNN's Ŵ has none.
type Edges struct {
	N int
	// True is the true W; an entry is an edge wherever it is nonzero.
	True []float32
	// Learned is the learned (corrected) Ŵ; an entry's score is |Ŵ|.
	Learned []float32
	// Threshold is the |Ŵ| at or above which an entry is called an edge,
	// and Rule says how it was chosen (see EdgeThreshold).
	Threshold float64
	Rule      string
}

// EdgeRule is how a sparse graph is read off a dense learned Ŵ without the
// truth.
type EdgeRule struct {
	// Sparsity, when not NaN, keeps the top fraction Sparsity (in [0, 1]) of
	// the off-diagonal entries by |Ŵ|.
	Sparsity float64
	// Scale, used when Sparsity is NaN, keeps the entries with
	// |Ŵ| ≥ Scale·σ̂, where σ̂ = median(|Ŵ|)/0.6745 is the robust scale of
	// the off-diagonal entries: the standard deviation of the estimation
	// noise of the absent connections when most connections are absent.
	Scale float64
}

// DefaultEdgeScale is EdgeRule.Scale when a script sets neither a sparsity
// nor a threshold: three robust standard deviations of the absent weights.
const DefaultEdgeScale = 3

// madToSigma turns the median absolute value of a zero-centred normal
// sample into its standard deviation.
const madToSigma = 0.6744897501960817

// CheckEdgeRule returns an error naming the setting that is out of range.
func CheckEdgeRule(rule EdgeRule) error {
	if !math.IsNaN(rule.Sparsity) {
		if rule.Sparsity < 0 || rule.Sparsity > 1 || math.IsInf(rule.Sparsity, 0) {
			return fmt.Errorf("sparsity is the fraction of connections kept, in [0, 1], found %g", rule.Sparsity)
		}
		return nil
	}
	if !(rule.Scale > 0) || math.IsInf(rule.Scale, 0) {
		return fmt.Errorf("edge_threshold is a positive number of robust standard deviations of |Ŵ|, found %g", rule.Scale)
	}
	return nil
}

// offDiagonalAbs returns |w| over the off-diagonal entries of an N×N matrix.
func offDiagonalAbs(w []float32, n int) []float64 {
	out := make([]float64, 0, n*n-n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				out = append(out, math.Abs(float64(w[i*n+j])))
			}
		}
	}
	return out
}

// EdgeThreshold returns the |Ŵ| at or above which an off-diagonal entry of
// the N×N learned matrix is called an edge under rule, and a description of
// the rule. A sparsity of 0 keeps nothing (threshold +Inf); ties at the
// threshold are all kept, and a zero weight never is. Under the robust rule a zero scale (more than half
// of the entries exactly zero) keeps every nonzero entry.
func EdgeThreshold(learned []float32, n int, rule EdgeRule) (float64, string, error) {
	if err := CheckEdgeRule(rule); err != nil {
		return 0, "", err
	}
	if n < 2 || len(learned) != n*n {
		return 0, "", fmt.Errorf("edges: expected an N×N matrix with N ≥ 2, found %d values for N = %d", len(learned), n)
	}
	abs := offDiagonalAbs(learned, n)
	if !math.IsNaN(rule.Sparsity) {
		k := int(math.Round(rule.Sparsity * float64(len(abs))))
		desc := fmt.Sprintf("top %g %% of |Ŵ| (sparsity = %g)", 100*rule.Sparsity, rule.Sparsity)
		if k == 0 {
			return math.Inf(1), desc, nil
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(abs)))
		if abs[k-1] > 0 {
			return abs[k-1], desc, nil
		}
		// Fewer than k nonzero entries: keep the nonzero ones (a zero
		// weight is never an edge).
		for k--; k >= 0 && abs[k] == 0; k-- {
		}
		if k < 0 {
			return math.Inf(1), desc + "; Ŵ is zero", nil
		}
		return abs[k], desc + "; fewer nonzero entries than that, all kept", nil
	}
	sort.Float64s(abs)
	med := abs[len(abs)/2]
	if len(abs)%2 == 0 {
		med = (abs[len(abs)/2-1] + abs[len(abs)/2]) / 2
	}
	sigma := med / madToSigma
	desc := fmt.Sprintf("|Ŵ| ≥ %g robust standard deviations (σ̂ = median|Ŵ|/0.6745 = %.4g; edge_threshold = %g)", rule.Scale, sigma, rule.Scale)
	if sigma == 0 {
		for _, v := range abs {
			if v > 0 {
				return v, desc + "; σ̂ is 0, so every nonzero entry is kept", nil
			}
		}
		return math.Inf(1), desc + "; Ŵ is zero", nil
	}
	return rule.Scale * sigma, desc, nil
}

// prPoint is one point of a precision-recall curve.
type prPoint struct{ recall, precision, threshold float64 }

// edgeCurve scores the off-diagonal entries by |learned| against the true
// edges (true ≠ 0): the precision-recall curve at every distinct score
// (ties enter together), its area as average precision
// Σ (R_k − R_{k−1})·P_k, the precision once as many entries as there are
// true edges are kept (with the ties at that rank), and the number of true
// edges.
func edgeCurve(truth, learned []float32, n int) (curve []prPoint, ap, atCount float64, positives int) {
	// Each entry is one key: |learned|'s float32 bits (which order
	// non-negative floats as unsigned integers) above a bit for a true
	// edge, so that a plain integer sort ranks them (at N = 8000, 64
	// million entries: seconds, where sorting structs took half a minute).
	keys := make([]uint64, 0, n*n-n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			key := uint64(math.Float32bits(learned[i*n+j])&^(1<<31)) << 1 // |learned|: the sign bit cleared
			if truth[i*n+j] != 0 {
				key |= 1
				positives++
			}
			keys = append(keys, key)
		}
	}
	if positives == 0 {
		return nil, math.NaN(), math.NaN(), 0
	}
	atCount = math.NaN()
	slices.Sort(keys)
	tp, kept := 0, 0
	prevRecall := 0.0
	for k := len(keys) - 1; k >= 0; { // by decreasing score
		score := keys[k] >> 1
		for ; k >= 0 && keys[k]>>1 == score; k-- {
			kept++
			tp += int(keys[k] & 1)
		}
		r := float64(tp) / float64(positives)
		p := float64(tp) / float64(kept)
		ap += (r - prevRecall) * p
		prevRecall = r
		curve = append(curve, prPoint{r, p, float64(math.Float32frombits(uint32(score)))})
		if math.IsNaN(atCount) && kept >= positives {
			atCount = p
		}
	}
	return curve, ap, atCount, positives
}

// edgeCounts returns the true positives and the predicted edges at a
// threshold (score ≥ threshold), off the diagonal.
func edgeCounts(truth, learned []float32, n int, threshold float64) (tp, predicted, signAgree int) {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			l := float64(learned[i*n+j])
			if math.Abs(l) < threshold {
				continue
			}
			predicted++
			if t := truth[i*n+j]; t != 0 {
				tp++
				if (t > 0) == (l > 0) {
					signAgree++
				}
			}
		}
	}
	return tp, predicted, signAgree
}

// ratio is a/b, NaN when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// AddEdges adds the "edges" section: which connections the learned Ŵ
// recovers. Over the N²−N off-diagonal entries, with an edge wherever the
// true W is nonzero and |Ŵ| as the score: edges.true_edges, .fill (their
// fraction), .threshold and .rule (how the graph was read off Ŵ),
// .predicted, .precision, .recall, .f1 and .sign_accuracy (true edges found
// with the right sign) at that threshold, .auprc (area under the
// precision-recall curve, as average precision), .auprc_chance (the area a
// random score gets: the fill) and .precision_at_true_count (precision of
// the top true_edges entries). A network with no edges, or with every entry
// an edge, gets edges.warning and a note instead of failing.
func (r *Report) AddEdges(e Edges) error {
	const name = "edges"
	if err := e.check(); err != nil {
		return r.fail(name, err)
	}
	n := e.N
	entries := n*n - n
	curve, ap, atCount, positives := edgeCurve(e.True, e.Learned, n)
	tp, predicted, signs := edgeCounts(e.True, e.Learned, n, e.Threshold)
	precision, recall := ratio(tp, predicted), ratio(tp, positives)
	f1 := math.NaN()
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	fill := float64(positives) / float64(entries)
	em := &EdgeMetrics{TrueEdges: positives, Entries: entries, Fill: fill, Threshold: e.Threshold, Rule: e.Rule,
		Predicted: predicted, Precision: precision, Recall: recall, F1: f1, SignAccuracy: ratio(signs, tp),
		AUPRC: ap, AUPRCChance: fill, PrecisionAtTrueCount: atCount}
	var warning string
	switch {
	case positives == 0:
		warning = "the true network has no edges (W is zero off the diagonal): recall and the precision-recall curve are not defined"
	case positives == entries:
		warning = "every connection exists in the true network (dense W): precision is 1 at any threshold, so precision and recall say nothing about the graph; see the connectivity R²"
	}
	if predicted == 0 {
		w := fmt.Sprintf("the rule (%s) keeps no connection: precision is not defined", e.Rule)
		if warning != "" {
			warning += "; " + w
		} else {
			warning = w
		}
	}
	em.Warning = warning
	if err := r.store(name, func(m *Metrics) { m.Edges = em }); err != nil {
		return err
	}
	table := [][2]string{
		{"true edges (nonzero true W, off the diagonal)", fmt.Sprintf("%d of %d (fill %s)", positives, entries, formatFloat(fill))},
		{"rule that reads the graph off Ŵ", e.Rule},
		{"|Ŵ| threshold", formatFloat(e.Threshold)},
		{"edges called", fmt.Sprint(predicted)},
		{"precision (called edges that exist)", formatFloat(precision)},
		{"recall (existing edges called)", formatFloat(recall)},
		{"F1", formatFloat(f1)},
		{"sign accuracy of the edges found", formatFloat(ratio(signs, tp))},
		{"area under the precision-recall curve (average precision)", formatFloat(ap)},
		{"area for a random score (the fill)", formatFloat(fill)},
		{"precision of the top true-edge-count entries", formatFloat(atCount)},
	}
	notes := []string{"An entry is an edge wherever the true W is nonzero; its score is |Ŵ| of the corrected learned weight. " +
		"The threshold is chosen without the truth (the rule above), so precision and recall are what a user reading the graph off Ŵ would get. " +
		"The precision-recall curve sweeps the threshold over every |Ŵ|; its area is the average precision Σ (R_k − R_{k−1})·P_k."}
	if warning != "" {
		notes = append([]string{"*Warning:* " + warning + "."}, notes...)
	}
	s := &section{key: name, title: "Edges (which connections exist)", table: table, notes: notes}
	var imgs []outputFile
	if curve != nil {
		png, err := render("precision-recall curve", 760, 640, func(f *figure) error {
			f.draw(prPlot(curve, fill, recall, precision, ap), 0, 0, f.width, f.height)
			return nil
		})
		if err != nil {
			return r.fail(name, err)
		}
		imgs = []outputFile{{"edges_pr.png", png}}
		s.figures = []figureRef{{"edges_pr.png", "Precision against recall of the edges as the |Ŵ| threshold is swept; the dot is the rule's threshold, the dashed line a random score."}}
	}
	r.addSection(s, imgs)
	return nil
}

// prPlot draws the precision-recall curve with the chosen operating point
// and the chance level.
func prPlot(curve []prPoint, chance, recall, precision, ap float64) *plot.Plot {
	p := newPlot(fmt.Sprintf("Edges: precision-recall (area %s)", formatFloat(ap)), "recall", "precision")
	step := max(1, len(curve)/2000)
	xys := make(plotter.XYs, 0, len(curve)/step+2)
	xys = append(xys, plotter.XY{X: 0, Y: curve[0].precision})
	for k := 0; k < len(curve); k += step {
		xys = append(xys, plotter.XY{X: curve[k].recall, Y: curve[k].precision})
	}
	last := curve[len(curve)-1]
	xys = append(xys, plotter.XY{X: last.recall, Y: last.precision})
	if l, err := plotter.NewLine(xys); err == nil {
		l.Color = color.RGBA{31, 119, 180, 255}
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("learned |Ŵ|", l)
	}
	if l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: chance}, {X: 1, Y: chance}}); err == nil {
		l.Color = color.Gray{Y: 120}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("random score", l)
	}
	if finite(recall) && finite(precision) {
		if s, err := plotter.NewScatter(plotter.XYs{{X: recall, Y: precision}}); err == nil {
			s.Color = color.RGBA{214, 39, 40, 255}
			s.Radius = vg.Points(4)
			p.Add(s)
			p.Legend.Add("rule's threshold", s)
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1.02
	return p
}

func (e Edges) check() error {
	if e.N < 2 {
		return fmt.Errorf("edges: expected N ≥ 2, found %d", e.N)
	}
	n2 := e.N * e.N
	if err := checkLengths("edges True (N×N)", len(e.True), n2); err != nil {
		return err
	}
	if err := checkLengths("edges Learned (N×N)", len(e.Learned), n2); err != nil {
		return err
	}
	if math.IsNaN(e.Threshold) {
		return fmt.Errorf("edges: the threshold is not a number")
	}
	return nil
}

package report

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/cluster"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Types holds the learned embeddings and the type labels to compare them with.
type Types struct {
	// Embeddings is Neurons×Dim row-major; the plot shows the first two
	// dimensions.
	Embeddings []float32
	Dim        int
	// TrueTypes gives each neuron's true type (0-based).
	TrueTypes []int
	// Clusters optionally gives each neuron's cluster from the learned model;
	// it adds types.clusters, types.accuracy and types.ari.
	Clusters  []int
	TypeNames []string
	// Unclustered optionally holds the embeddings before clustering replaced
	// them by their clusters' medians (Neurons×Dim), drawn beside the final
	// ones; UnclusteredWhen says when they were taken ("end of epoch 4").
	Unclustered     []float32
	UnclusteredWhen string
	// Warning, when not empty, is shown at the top of the section and
	// stored as types.warning (for example a clustering threshold that
	// merges every neuron).
	Warning string
	// ClusterCount, when Clusters is nil and TrueTypes are learned clusters
	// (a fit without ground truth), is their number, stored as
	// types.clusters.
	ClusterCount int
}

// AddTypes adds the "types" section: the embeddings coloured by true type
// and, when clusters are given, types.clusters (how many), types.accuracy
// (fraction of neurons whose cluster maps to their true type under the best
// one-to-one matching) and types.ari (adjusted Rand index).
func (r *Report) AddTypes(t Types) error {
	const name = "types"
	n, err := t.check()
	if err != nil {
		return r.fail(name, err)
	}
	var table [][2]string
	var notes []string
	tm := &TypeMetrics{Warning: t.Warning, Clusters: t.ClusterCount}
	if t.Warning != "" {
		notes = append(notes, "*Warning:* "+t.Warning+".")
	}
	if t.Clusters != nil {
		clusters := countTypes(t.Clusters)
		used := distinct(t.Clusters)
		acc, ari, err := typeScores(t.TrueTypes, t.Clusters)
		if err != nil {
			return r.fail(name, err)
		}
		tm.Clusters, tm.Score = used, &TypeScore{Accuracy: acc, ARI: ari}
		table = [][2]string{{"clusters", fmt.Sprint(used)}, {"true types", fmt.Sprint(distinct(t.TrueTypes))}, {"accuracy", formatFloat(acc)}, {"adjusted Rand index", formatFloat(ari)}}
		if clusters <= 40 {
			notes = append(notes, confusionTable(t, clusters))
		}
	}
	if err := r.store(name, func(m *Metrics) { m.Types = tm }); err != nil {
		return err
	}
	width := 920
	if t.Unclustered != nil {
		width = 1500
	}
	png, err := render("embeddings", width, 720, func(f *figure) error {
		legend := typeLegend(t.TypeNames, t.TrueTypes)
		if t.Unclustered != nil {
			half := (f.width - 170) / 2
			f.draw(t.beforePanel(), 0, 0, half, f.height)
			f.draw(t.afterPanel(), half, 0, 2*half, f.height)
		} else {
			f.draw(t.afterPanel(), 0, 0, f.width-170, f.height)
		}
		f.draw(legend, f.width-170, 30, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	caption := fmt.Sprintf("Learned embeddings a_i of %d neurons (dimensions 1 and 2 of %d), coloured by true type.", n, t.Dim)
	if t.Unclustered != nil {
		caption = fmt.Sprintf("Learned embeddings a_i of %d neurons (dimensions 1 and 2 of %d), coloured by true type: left before clustering (%s), right at the end of training; "+
			"neurons that share one embedding (a cluster's median) are spread on a small disc around it so that every neuron and its type show.", n, t.Dim, t.UnclusteredWhen)
	}
	s := &section{key: name, title: "Neuron types", table: table, notes: notes, figures: []figureRef{{"embeddings.png", caption}}}
	r.addSection(s, []outputFile{{"embeddings.png", png}})
	r.mu.Lock()
	r.summary.types = &t
	r.mu.Unlock()
	return nil
}

// beforePanel draws the embeddings before clustering.
func (t Types) beforePanel() *plot.Plot {
	title := "Embeddings before clustering"
	if t.UnclusteredWhen != "" {
		title += "\n(" + t.UnclusteredWhen + ")"
	}
	return embeddingPanel(title, t.Unclustered, t.Dim, t.TrueTypes, false)
}

// afterPanel draws the final embeddings, spreading neurons that share one.
func (t Types) afterPanel() *plot.Plot {
	title := "Learned embeddings by true type"
	if t.Unclustered != nil {
		title = "Embeddings after clustering\n(end of training)"
		if sharesEmbeddings(t.Embeddings, t.Dim) {
			title = "Embeddings after clustering\n(each neuron on a disc around its cluster)"
		}
	}
	return embeddingPanel(title, t.Embeddings, t.Dim, t.TrueTypes, true)
}

// check validates the shapes and returns the number of neurons.
func (t Types) check() (int, error) {
	if t.Dim < 1 {
		return 0, fmt.Errorf("types: expected embedding dimension ≥ 1, found %d", t.Dim)
	}
	n := len(t.TrueTypes)
	if n == 0 {
		return 0, fmt.Errorf("types: expected one true type per neuron, found none")
	}
	if err := checkLengths("types Embeddings (neurons×dim)", len(t.Embeddings), n*t.Dim); err != nil {
		return 0, err
	}
	if err := checkTypes("types TrueTypes", t.TrueTypes); err != nil {
		return 0, err
	}
	if t.Clusters != nil {
		if err := checkLengths("types Clusters (one per neuron)", len(t.Clusters), n); err != nil {
			return 0, err
		}
		if err := checkTypes("types Clusters", t.Clusters); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// embeddingPanel draws one scatter per true type in the type colours.
// With spread set, neurons whose embeddings are identical (a cluster replaced
// by its median) are laid on a small sunflower disc around that point, so
// that each neuron, and a neuron of the wrong type, can be seen.
func embeddingPanel(title string, emb []float32, dim int, types []int, spread bool) *plot.Plot {
	n := len(types)
	p := newPlot(title, "a[0] (embedding dimension 1)", "a[1] (embedding dimension 2)")
	if dim < 2 {
		p.Y.Label.Text = "neuron index"
	}
	xs, ys := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		xs[i] = float64(emb[i*dim])
		ys[i] = float64(i)
		if dim >= 2 {
			ys[i] = float64(emb[i*dim+1])
		}
	}
	if spread && dim >= 2 {
		spreadShared(xs, ys)
	}
	nTypes := countTypes(types)
	groups := make([]plotter.XYs, nTypes)
	for i := 0; i < n; i++ {
		if finite(xs[i]) && finite(ys[i]) {
			groups[types[i]] = append(groups[types[i]], plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	radius := vg.Points(3)
	if n > 2000 {
		radius = vg.Points(1.5)
	}
	for k, g := range groups {
		if len(g) == 0 {
			continue
		}
		s, err := plotter.NewScatter(g)
		if err != nil {
			continue
		}
		s.GlyphStyle = draw.GlyphStyle{Color: withAlpha(typeColor(k, nTypes), 200), Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
	}
	return p
}

// spreadShared moves points that coincide onto a sunflower disc around their
// common position; the disc's radius grows with the square root of the
// number of points and is a few percent of the range of all points.
func spreadShared(xs, ys []float64) {
	type key struct{ x, y float64 }
	groups := map[key][]int{}
	var order []key
	for i := range xs {
		k := key{xs[i], ys[i]}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	loX, hiX := minMax(xs)
	loY, hiY := minMax(ys)
	span := math.Max(hiX-loX, hiY-loY)
	if !(span > 0) {
		span = 1
	}
	shared := 0
	for _, k := range order {
		if len(groups[k]) > 1 {
			shared++
		}
	}
	if shared == 0 {
		return
	}
	unit := 0.012 * span
	if len(order) == 1 {
		unit = 0.05
	}
	golden := math.Pi * (3 - math.Sqrt(5))
	for _, k := range order {
		idx := groups[k]
		if len(idx) == 1 {
			continue
		}
		for m, i := range idx {
			r := unit * math.Sqrt(float64(m)+0.5)
			xs[i] = k.x + r*math.Cos(float64(m)*golden)
			ys[i] = k.y + r*math.Sin(float64(m)*golden)
		}
	}
}

// sharesEmbeddings reports whether two neurons have the same embedding (a
// cluster's median that training has not moved since).
func sharesEmbeddings(emb []float32, dim int) bool {
	seen := map[string]bool{}
	for i := 0; i+dim <= len(emb); i += dim {
		k := fmt.Sprint(emb[i : i+dim])
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// minMax returns the smallest and largest finite values (0, 0 for none).
func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if finite(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// typeLegend is a legend panel naming each true type in its colour, with
// the number of neurons of that type.
func typeLegend(names []string, types []int) *plot.Plot {
	legend := legendPanel()
	nTypes := countTypes(types)
	counts := make([]int, nTypes)
	for _, t := range types {
		counts[t]++
	}
	for k := 0; k < nTypes; k++ {
		if counts[k] == 0 {
			continue
		}
		s, err := plotter.NewScatter(plotter.XYs{})
		if err != nil {
			continue
		}
		s.GlyphStyle = draw.GlyphStyle{Color: typeColor(k, nTypes), Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		legend.Legend.Add(fmt.Sprintf("%s (%d)", typeName(names, k), counts[k]), s)
	}
	return legend
}

// distinct counts the different labels.
func distinct(labels []int) int {
	seen := map[int]bool{}
	for _, l := range labels {
		seen[l] = true
	}
	return len(seen)
}

// contingency counts neurons per (true type, cluster).
func contingency(truth, clusters []int) (table [][]int, nTypes, nClusters int) {
	nTypes, nClusters = countTypes(truth), countTypes(clusters)
	table = make([][]int, nTypes)
	for k := range table {
		table[k] = make([]int, nClusters)
	}
	for i := range truth {
		table[truth[i]][clusters[i]]++
	}
	return table, nTypes, nClusters
}

// typeScores are the accuracy of clusters against the true types under the
// best one-to-one matching (clusters left without a type count as wrong)
// and the adjusted Rand index, as ops/cluster computes them (the one home
// of the Hungarian matching and the ARI).
func typeScores(truth, clusters []int) (accuracy, ari float64, err error) {
	match, err := cluster.Accuracy(clusters, truth)
	if err != nil {
		return 0, 0, err
	}
	if ari, err = cluster.ARI(truth, clusters); err != nil {
		return 0, 0, err
	}
	return match.Accuracy, ari, nil
}

// confusionTable renders neurons per true type (rows) and cluster (columns)
// as Markdown.
func confusionTable(t Types, nClusters int) string {
	table, nTypes, _ := contingency(t.TrueTypes, t.Clusters)
	s := "Neurons per true type (rows) and cluster (columns):\n\n| type |"
	for c := 0; c < nClusters; c++ {
		s += fmt.Sprintf(" c%d |", c)
	}
	s += "\n|---|"
	for c := 0; c < nClusters; c++ {
		s += "---|"
	}
	for k := 0; k < nTypes; k++ {
		s += "\n| " + escapeCell(typeName(t.TypeNames, k)) + " |"
		for c := 0; c < nClusters; c++ {
			s += fmt.Sprintf(" %d |", table[k][c])
		}
	}
	return s + "\n"
}

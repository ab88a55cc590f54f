package report

import (
	"fmt"

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
	if t.Clusters != nil {
		clusters := countTypes(t.Clusters)
		used := distinct(t.Clusters)
		acc := matchedAccuracy(t.TrueTypes, t.Clusters)
		ari := adjustedRandIndex(t.TrueTypes, t.Clusters)
		if err := r.setAll(name, []metricValue{{"clusters", used}, {"accuracy", acc}, {"ari", ari}}); err != nil {
			return r.fail(name, err)
		}
		table = [][2]string{{"clusters", fmt.Sprint(used)}, {"true types", fmt.Sprint(distinct(t.TrueTypes))}, {"accuracy", formatFloat(acc)}, {"adjusted Rand index", formatFloat(ari)}}
		if clusters <= 40 {
			notes = append(notes, confusionTable(t, clusters))
		}
	}
	png, err := render("embeddings", 920, 720, func(f *figure) error {
		p, legend := embeddingPlot(t, n)
		f.draw(p, 0, 0, f.width-170, f.height)
		f.draw(legend, f.width-170, 30, f.width, f.height)
		return nil
	})
	if err != nil {
		return r.fail(name, err)
	}
	s := &section{key: name, title: "Neuron types", table: table, notes: notes, figures: []figureRef{
		{"embeddings.png", fmt.Sprintf("Learned embeddings a_i of %d neurons (dimensions 1 and 2 of %d), coloured by true type.", n, t.Dim)},
	}}
	r.addSection(s, []outputFile{{"embeddings.png", png}})
	return nil
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

// embeddingPlot draws one scatter per true type so the legend names them.
func embeddingPlot(t Types, n int) (p, legend *plot.Plot) {
	p = newPlot("Learned embeddings by true type", "a[0]", "a[1]")
	legend = legendPanel()
	if t.Dim < 2 {
		p.Y.Label.Text = "neuron index"
	}
	nTypes := countTypes(t.TrueTypes)
	groups := make([]plotter.XYs, nTypes)
	for i := 0; i < n; i++ {
		x := float64(t.Embeddings[i*t.Dim])
		y := float64(i)
		if t.Dim >= 2 {
			y = float64(t.Embeddings[i*t.Dim+1])
		}
		if finite(x) && finite(y) {
			groups[t.TrueTypes[i]] = append(groups[t.TrueTypes[i]], plotter.XY{X: x, Y: y})
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
		c := withAlpha(typeColor(k, nTypes), 200)
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
		legend.Legend.Add(fmt.Sprintf("%s (%d)", typeName(t.TypeNames, k), len(g)), s)
	}
	return p, legend
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

// matchedAccuracy is the fraction of labels that agree after matching
// clusters to types one-to-one so as to maximise agreement (Hungarian
// method); clusters left without a type count as wrong.
func matchedAccuracy(truth, clusters []int) float64 {
	table, nTypes, nClusters := contingency(truth, clusters)
	size := max(nTypes, nClusters)
	cost := make([][]float64, size)
	for a := range cost {
		cost[a] = make([]float64, size)
		for b := range cost[a] {
			if a < nTypes && b < nClusters {
				cost[a][b] = -float64(table[a][b])
			}
		}
	}
	assign := hungarian(cost)
	agree := 0
	for a, b := range assign {
		if a < nTypes && b < nClusters {
			agree += table[a][b]
		}
	}
	return float64(agree) / float64(len(truth))
}

// hungarian solves the square assignment problem, returning for each row the
// column that minimises the total cost (Kuhn–Munkres with potentials, O(n³)).
func hungarian(cost [][]float64) []int {
	n := len(cost)
	const inf = 1e300
	u, v := make([]float64, n+1), make([]float64, n+1)
	match, way := make([]int, n+1), make([]int, n+1) // match[col] = row, 1-based
	for row := 1; row <= n; row++ {
		match[0] = row
		col0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = inf
		}
		for match[col0] != 0 {
			used[col0] = true
			r0, delta, col1 := match[col0], inf, 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := cost[r0-1][j-1] - u[r0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, col0
				}
				if minv[j] < delta {
					delta, col1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[match[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			col0 = col1
		}
		for col0 != 0 {
			prev := way[col0]
			match[col0] = match[prev]
			col0 = prev
		}
	}
	assign := make([]int, n)
	for j := 1; j <= n; j++ {
		if match[j] > 0 {
			assign[match[j]-1] = j - 1
		}
	}
	return assign
}

// adjustedRandIndex compares two labellings: 1 for identical partitions,
// about 0 for independent ones.
func adjustedRandIndex(truth, clusters []int) float64 {
	table, _, _ := contingency(truth, clusters)
	pairs := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var sumCells, sumRows, sumCols float64
	colTotals := make([]int, len(table[0]))
	for _, row := range table {
		rowTotal := 0
		for j, c := range row {
			sumCells += pairs(c)
			rowTotal += c
			colTotals[j] += c
		}
		sumRows += pairs(rowTotal)
	}
	for _, c := range colTotals {
		sumCols += pairs(c)
	}
	total := pairs(len(truth))
	expected := sumRows * sumCols / total
	maxIndex := (sumRows + sumCols) / 2
	if maxIndex == expected {
		return 1
	}
	return (sumCells - expected) / (maxIndex - expected)
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

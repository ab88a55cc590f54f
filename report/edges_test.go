package report

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sparseTruth returns an N×N W with a fraction fill of nonzero
// off-diagonal entries and a learned copy: the true weights plus Gaussian
// noise of standard deviation sigma everywhere off the diagonal.
func sparseTruth(n int, fill, sigma float64, seed uint64) (truth, learned []float32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	truth = make([]float32, n*n)
	learned = make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			if rng.Float64() < fill {
				w := 1 + rng.Float64()
				if rng.IntN(2) == 0 {
					w = -w
				}
				truth[i*n+j] = float32(w)
			}
			learned[i*n+j] = truth[i*n+j] + float32(sigma*rng.NormFloat64())
		}
	}
	return truth, learned
}

func edgeMetric(t *testing.T, r *Report, key string) float64 {
	t.Helper()
	v, ok := r.Value("edges." + key)
	if !ok {
		t.Fatalf("edges.%s missing", key)
	}
	f, ok := v.(float64)
	if !ok {
		if i, ok := v.(int); ok {
			return float64(i)
		}
		t.Fatalf("edges.%s = %v (%T), want a number", key, v, v)
	}
	return f
}

// A learned Ŵ whose absent weights are small noise: the robust rule without
// the truth finds the edges with high precision and recall, the area under
// the precision-recall curve is 1 when the scores separate the classes, and
// the files hold the section.
func TestEdgesSeparated(t *testing.T) {
	n := 60
	truth, learned := sparseTruth(n, 0.05, 0.05, 1)
	thr, rule, err := EdgeThreshold(learned, n, EdgeRule{Sparsity: math.NaN(), Scale: DefaultEdgeScale})
	if err != nil {
		t.Fatal(err)
	}
	if thr < 0.1 || thr > 0.25 {
		t.Errorf("robust threshold %g, want about 3·0.05", thr)
	}
	dir := t.TempDir()
	r := New(dir, Meta{Script: "edges"})
	if err := r.AddEdges(Edges{N: n, True: truth, Learned: learned, Threshold: thr, Rule: rule}); err != nil {
		t.Fatal(err)
	}
	if p, rc := edgeMetric(t, r, "precision"), edgeMetric(t, r, "recall"); p < 0.97 || rc < 0.999 {
		t.Errorf("precision %g recall %g, want ≥ 0.97 and 1", p, rc)
	}
	if ap := edgeMetric(t, r, "auprc"); math.Abs(ap-1) > 1e-12 {
		t.Errorf("auprc %g, want 1 for separated scores", ap)
	}
	if s := edgeMetric(t, r, "sign_accuracy"); s != 1 {
		t.Errorf("sign accuracy %g, want 1", s)
	}
	if f := edgeMetric(t, r, "fill"); math.Abs(f-0.05) > 0.015 {
		t.Errorf("fill %g, want about 0.05", f)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"Edges (which connections exist)", "edges_pr.png", "precision"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "edges_pr.png")); err != nil || st.Size() == 0 {
		t.Errorf("edges_pr.png missing: %v", err)
	}
}

// Average precision against a hand-computed case with ties, and a random
// score's area near the fill.
func TestEdgeCurveAveragePrecision(t *testing.T) {
	// Off-diagonal scores of a 3×3 matrix (6 entries), edges at 3 of them.
	truth := []float32{0, 1, 0, 1, 0, 0, 0, 1, 0}
	learned := []float32{0, 0.9, 0.8, 0.5, 0, 0.5, 0.1, 0.2, 0}
	// Sorted: 0.9 (edge), 0.8 (no), 0.5 (edge) tied with 0.5 (no), 0.2 (edge), 0.1 (no).
	// AP = 1/3·1 + 1/3·(2/4) + 1/3·(3/5).
	_, ap, atCount, pos := edgeCurve(truth, learned, 3)
	want := (1 + 0.5 + 0.6) / 3
	if pos != 3 || math.Abs(ap-want) > 1e-12 {
		t.Errorf("AP %g with %d edges, want %g with 3", ap, pos, want)
	}
	if math.Abs(atCount-0.5) > 1e-12 {
		t.Errorf("precision at the true count %g, want 2/4 (the tie at rank 3 kept)", atCount)
	}
	n := 80
	truth, _ = sparseTruth(n, 0.1, 0, 2)
	rng := rand.New(rand.NewPCG(3, 3))
	random := make([]float32, n*n)
	for k := range random {
		random[k] = float32(rng.Float64())
	}
	_, ap, _, pos = edgeCurve(truth, random, n)
	fill := float64(pos) / float64(n*n-n)
	if math.Abs(ap-fill) > 0.03 {
		t.Errorf("random score AP %g, want about the fill %g", ap, fill)
	}
}

// The sparsity rule keeps the top fraction; out-of-range settings are
// errors naming the setting.
func TestEdgeThresholdRules(t *testing.T) {
	n := 11
	w := make([]float32, n*n)
	for k := range w {
		w[k] = float32(k)
	}
	thr, _, err := EdgeThreshold(w, n, EdgeRule{Sparsity: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, v := range offDiagonalAbs(w, n) {
		if v >= thr {
			kept++
		}
	}
	if kept != 11 { // round(0.1·110)
		t.Errorf("sparsity 0.1 kept %d of 110, want 11", kept)
	}
	if thr, _, _ := EdgeThreshold(w, n, EdgeRule{Sparsity: 0}); !math.IsInf(thr, 1) {
		t.Errorf("sparsity 0 threshold %g, want +Inf", thr)
	}
	for _, bad := range []EdgeRule{{Sparsity: -0.1}, {Sparsity: 1.5}, {Sparsity: math.NaN(), Scale: 0}, {Sparsity: math.NaN(), Scale: math.Inf(1)}} {
		_, _, err := EdgeThreshold(w, n, bad)
		if err == nil {
			t.Errorf("rule %+v accepted", bad)
			continue
		}
		want := "sparsity"
		if math.IsNaN(bad.Sparsity) {
			want = "edge_threshold"
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("rule %+v: error %q does not name %s", bad, err, want)
		}
	}
	// More than half the entries zero: the robust scale is 0 and every
	// nonzero entry is kept.
	z := make([]float32, n*n)
	z[1], z[2] = 0.3, -0.2
	thr, rule, err := EdgeThreshold(z, n, EdgeRule{Sparsity: math.NaN(), Scale: 3})
	if err != nil || thr != float64(float32(0.2)) || !strings.Contains(rule, "every nonzero") {
		t.Errorf("zero scale: threshold %g (%q, %v), want 0.2 and a note", thr, rule, err)
	}
}

// A network with no edges, a dense one and a rule that keeps nothing get a
// warning in the report, never an error.
func TestEdgesWarnings(t *testing.T) {
	n := 20
	zero := make([]float32, n*n)
	_, learned := sparseTruth(n, 0, 0.1, 4)
	dense, dl := sparseTruth(n, 1, 0.1, 5)
	for _, c := range []struct {
		name           string
		truth, learned []float32
		threshold      float64
		want           string
	}{
		{"no edges", zero, learned, 0.3, "no edges"},
		{"dense", dense, dl, 0.3, "every connection exists"},
		{"nothing kept", dense, dl, math.Inf(1), "keeps no connection"},
	} {
		dir := t.TempDir()
		r := New(dir, Meta{Script: c.name})
		if err := r.AddEdges(Edges{N: n, True: c.truth, Learned: c.learned, Threshold: c.threshold, Rule: "test rule"}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w, _ := r.Value("edges.warning")
		if s, _ := w.(string); !strings.Contains(s, c.want) {
			t.Errorf("%s: warning %q, want %q", c.name, w, c.want)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
		if !strings.Contains(string(md), "*Warning:*") {
			t.Errorf("%s: report.md shows no warning", c.name)
		}
	}
}

// A clustering warning shows in the types section and metrics.json.
func TestTypesWarning(t *testing.T) {
	dir := t.TempDir()
	r := New(dir, Meta{Script: "types"})
	emb := []float32{0, 0, 1, 1, 2, 2, 3, 3}
	if err := r.AddTypes(Types{Embeddings: emb, Dim: 2, TrueTypes: []int{0, 0, 1, 1}, Clusters: []int{0, 0, 0, 0}, Warning: "threshold 9 merges all 4 neurons"}); err != nil {
		t.Fatal(err)
	}
	if w, _ := r.Value("types.warning"); w != "threshold 9 merges all 4 neurons" {
		t.Errorf("types.warning = %v", w)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "*Warning:* threshold 9 merges") {
		t.Errorf("report.md lacks the types warning")
	}
}

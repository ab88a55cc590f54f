package report

import (
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/metrics"
)

// shared is the report every read-only test inspects, rendered once.
var shared struct {
	once   sync.Once
	dir    string
	data   synthetic
	report *Report
	err    error
}

// TestMain removes the shared report's directory after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" && os.Getenv("NGS_REPORT_DEMO") == "" {
		os.RemoveAll(filepath.Dir(filepath.Dir(shared.dir)))
	}
	os.Exit(code)
}

// closeFull renders every section of a small synthetic experiment (once per
// test binary) and returns the directory with the inputs. With
// NGS_REPORT_DEMO=DIR the report is written to DIR and kept for inspection.
func closeFull(t *testing.T) (string, synthetic) {
	t.Helper()
	shared.once.Do(func() {
		base, err := os.MkdirTemp("", "ngs-report-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = filepath.Join(base, "out", "fig2")
		if demo := os.Getenv("NGS_REPORT_DEMO"); demo != "" {
			os.RemoveAll(base)
			shared.dir = demo
		}
		shared.data = newSynthetic(120, 900)
		r := New(shared.dir, Meta{Script: "fig2.ngs", Seed: 42, Version: "0.1.0-test", Start: time.Now(),
			Timings: map[string]float64{"simulate": 1.5, "train": 2.25}})
		shared.report = r
		if shared.err = addAll(r, shared.data); shared.err == nil {
			shared.err = r.Close()
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir, shared.data
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: not a valid PNG: %v", path, err)
	}
	return img
}

// colourfulPixels counts pixels that are clearly neither white nor grey.
func colourfulPixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			hi := max(r, g, bl) >> 8
			lo := min(r, g, bl) >> 8
			if hi-lo > 40 {
				n++
			}
		}
	}
	return n
}

func TestEveryPlotIsAValidPNGOfTheExpectedSize(t *testing.T) {
	dir, _ := closeFull(t)
	want := map[string][2]int{
		"activity.png":              {1100, 160 + 45*10},
		"connectivity_heatmaps.png": {1300, 1180},
		"connectivity_scatter.png":  {760, 720},
		"embeddings.png":            {1500, 720},
		"summary.png":               {summaryWidth, summaryHeight},
		"phi.png":                   {1150, 720},
		"psi.png":                   {1150, 720},
		"rollout.png":               {1300, 1050},
		"transfer.png":              {1300, 1050},
		"training.png":              {1300, 560},
		"external_input.png":        {4*260 + 160, 2*260 + 50},
	}
	for file, size := range want {
		img := decodePNG(t, filepath.Join(dir, file))
		if got := img.Bounds().Size(); got.X != size[0] || got.Y != size[1] {
			t.Errorf("%s: expected %d×%d pixels, found %d×%d", file, size[0], size[1], got.X, got.Y)
		}
		// Every plot draws coloured data, not just axes on white.
		if n := colourfulPixels(img); n < 500 {
			t.Errorf("%s: expected coloured data, found only %d coloured pixels", file, n)
		}
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(pngs) != len(want) {
		t.Errorf("expected %d PNG files, found %d: %v", len(want), len(pngs), pngs)
	}
}

func TestHeatmapShowsBothSignsOfTheDivergingMap(t *testing.T) {
	dir, _ := closeFull(t)
	img := decodePNG(t, filepath.Join(dir, "connectivity_heatmaps.png"))
	var red, blue int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r > bl+60 && r > g+40 {
				red++
			}
			if bl > r+60 {
				blue++
			}
		}
	}
	if red < 5000 || blue < 5000 {
		t.Errorf("expected many red (positive) and blue (negative) pixels, found %d and %d", red, blue)
	}
}

// lookup follows a dotted key through decoded JSON.
func lookup(doc map[string]any, key string) (any, bool) {
	var node any = doc
	for _, part := range strings.Split(key, ".") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, false
		}
		if node, ok = m[part]; !ok {
			return nil, false
		}
	}
	return node, true
}

func readMetrics(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("metrics.json is not valid JSON: %v", err)
	}
	return doc
}

func TestMetricsJSONHoldsTheRequiredKeysWithCorrectValues(t *testing.T) {
	dir, s := closeFull(t)
	doc := readMetrics(t, dir)
	required := []string{
		"connectivity.r2", "connectivity.slope", "connectivity.raw_r2", "connectivity.raw_slope",
		"types.clusters", "types.accuracy", "types.ari",
		"functions.phi.A.r2", "functions.psi.r2",
		"rollout.step400.r2", "rollout.step400.slope", "rollout.step800.r2", "rollout.step800.slope",
		"transfer.step400.r2", "external_input.r2", "external_input.slope",
		"timing.simulate_s", "timing.train_s", "timing.total_s",
		"symbolic.psi", "symbolic.phi.cluster0", "run.script", "run.seed",
	}
	for _, key := range required {
		if v, ok := lookup(doc, key); !ok || v == nil {
			t.Errorf("metrics.json: expected a value at %s, found %v", key, v)
		}
	}
	score, err := eval.Connectivity(s.connectivity.Learned, s.connectivity.True, s.connectivity.N)
	if err != nil {
		t.Fatal(err)
	}
	fit := score.Fit // over the off-diagonal entries
	checks := map[string]float64{
		"connectivity.r2":    fit.R2,
		"connectivity.slope": fit.Slope,
		"types.clusters":     4,
		"types.accuracy":     0.975, // 3 of 120 neurons are put in a wrong cluster
		"timing.simulate_s":  1.5,
		"run.seed":           42,
		"rollout.step400.r2": metrics.LinearFit(s.rollout.True[400*120:401*120], s.rollout.Learned[400*120:401*120]).R2,
	}
	for key, want := range checks {
		v, _ := lookup(doc, key)
		got, ok := v.(float64)
		if !ok || math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: expected %v, found %v", key, want, v)
		}
	}
	if v, _ := lookup(doc, "symbolic.psi"); v != "tanh(u)" {
		t.Errorf("symbolic.psi: expected tanh(u), found %v", v)
	}
	if total, _ := lookup(doc, "timing.total_s"); total.(float64) < 0 {
		t.Errorf("timing.total_s: expected ≥ 0, found %v", total)
	}
	if nc, _ := lookup(doc, "not_computed"); len(nc.([]any)) != 0 {
		t.Errorf("not_computed: expected none, found %v", nc)
	}
}

func TestMarkdownShowsRunPlotsAndNumbers(t *testing.T) {
	dir, _ := closeFull(t)
	data, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, p := range pngs {
		if !strings.Contains(md, "]("+filepath.Base(p)+")") {
			t.Errorf("report.md: expected an inline relative link to %s", filepath.Base(p))
		}
	}
	for _, want := range []string{"fig2.ngs", "| seed | 42 |", "0.1.0-test", "go1.", "| `simulate_s` | 1.5 |", "| `train_s` | 2.25 |", "| `connectivity.r2` | ", "| `tanh(u)` |", "-1.01\\*u + 0.98\\*tanh(u)", "| accuracy | 0.975 |", "*Update function φ\\*: "} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md: expected %q", want)
		}
	}
}

func TestNaNAndInfAreWrittenAsNullAndListed(t *testing.T) {
	dir := t.TempDir()
	r := New(dir, Meta{Script: "nan.ngs"})
	if err := r.Set("custom.bad", math.NaN()); err != nil {
		t.Fatal(err)
	}
	if err := r.Set("custom.inf", float32(math.Inf(1))); err != nil {
		t.Fatal(err)
	}
	if err := r.Set("custom.good", 0.5); err != nil {
		t.Fatal(err)
	}
	if err := r.Set("custom.series", []float64{1, math.NaN()}); err != nil {
		t.Fatal(err)
	}
	// A rollout of 500 steps cannot be compared at step 800.
	s := newSynthetic(40, 50)
	short := s.rollout
	short.Frames = 501
	short.True, short.Learned = short.True[:501*40], short.Learned[:501*40]
	if err := r.AddRollout(short); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	doc := readMetrics(t, dir)
	for _, key := range []string{"custom.bad", "custom.inf", "rollout.step800.r2", "rollout.step800.slope"} {
		v, ok := lookup(doc, key)
		if !ok || v != nil {
			t.Errorf("%s: expected null, found %v (present %v)", key, v, ok)
		}
	}
	if v, _ := lookup(doc, "rollout.step400.r2"); v == nil {
		t.Errorf("rollout.step400.r2: expected a number, found null")
	}
	series, _ := lookup(doc, "custom.series")
	if arr, ok := series.([]any); !ok || len(arr) != 2 || arr[0] != 1.0 || arr[1] != nil {
		t.Errorf("custom.series: expected [1, null], found %v", series)
	}
	nc, _ := lookup(doc, "not_computed")
	got := map[string]bool{}
	for _, k := range nc.([]any) {
		got[k.(string)] = true
	}
	for _, k := range []string{"custom.bad", "custom.inf", "custom.series", "rollout.step800.r2", "rollout.step800.slope"} {
		if !got[k] {
			t.Errorf("not_computed: expected %s, found %v", k, nc)
		}
	}
	if got["custom.good"] || got["rollout.step400.r2"] {
		t.Errorf("not_computed: expected only missing keys, found %v", nc)
	}
	// A key set again to a finite value leaves not_computed.
	r2 := New(t.TempDir(), Meta{})
	r2.Set("a.b", math.NaN())
	r2.Set("a.b", 1.0)
	if missing := r2.custom.missing(); len(missing) != 0 {
		t.Errorf("expected no missing keys after a finite value, found %v", missing)
	}
}

func TestUnwritableDirectoryIsAnErrorNamingIt(t *testing.T) {
	parent := t.TempDir()
	blocker := filepath.Join(parent, "not-a-directory")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(blocker, "report")
	r := New(dir, Meta{Script: "x.ngs"})
	s := newSynthetic(30, 20)
	if err := r.AddTraining(s.training); err != nil {
		t.Fatal(err)
	}
	err := r.Close()
	if err == nil {
		t.Fatal("expected an error for a directory under a regular file, found none")
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("expected the error to name %q, found %q", dir, err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("expected nothing new beside the blocking file, found %d entries", len(entries))
	}
}

func TestFailedCloseLeavesNothingThatLooksComplete(t *testing.T) {
	dir := t.TempDir()
	// A directory where report.md should go makes the last rename fail.
	if err := os.Mkdir(filepath.Join(dir, MarkdownFile), 0o755); err != nil {
		t.Fatal(err)
	}
	r := New(dir, Meta{Script: "atomic.ngs"})
	s := newSynthetic(30, 20)
	if err := r.AddTraining(s.training); err != nil {
		t.Fatal(err)
	}
	err := r.Close()
	if err == nil || !strings.Contains(err.Error(), MarkdownFile) {
		t.Fatalf("expected an error naming %s, found %v", MarkdownFile, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != MarkdownFile {
			t.Errorf("expected no file left after a failed Close, found %s", e.Name())
		}
	}
	// Once the cause is gone, the same report closes completely.
	if err := os.Remove(filepath.Join(dir, MarkdownFile)); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("expected a retried Close to succeed, found %v", err)
	}
	for _, f := range []string{"training.png", MetricsFile, MarkdownFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			t.Errorf("%s: expected a regular file after Close, found %v", f, err)
		}
	}
	if err := r.Close(); err == nil {
		t.Error("expected closing twice to be an error")
	}
	temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(temps) != 0 {
		t.Errorf("expected no temporary files, found %v", temps)
	}
}

func TestSkippedAndFailedSectionsAreListed(t *testing.T) {
	dir := t.TempDir()
	r := New(dir, Meta{Script: "skip.ngs"})
	r.Skip("external_input", "the experiment has no hidden input")
	err := r.AddConnectivity(Connectivity{N: 10, True: make([]float32, 100), Learned: make([]float32, 99)})
	if err == nil || !strings.Contains(err.Error(), "expected 100 values, found 99") {
		t.Fatalf("expected a length error, found %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	for _, want := range []string{"| `external_input` | the experiment has no hidden input |", "| `connectivity` | connectivity Learned (N×N): expected 100 values, found 99 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md: expected %q in\n%s", want, md)
		}
	}
	doc := readMetrics(t, dir)
	if v, _ := lookup(doc, "skipped.external_input"); v != "the experiment has no hidden input" {
		t.Errorf("skipped.external_input: expected the reason, found %v", v)
	}
	if _, ok := lookup(doc, "skipped.connectivity"); !ok {
		t.Error("skipped.connectivity: expected the failed section to be listed")
	}
}

func TestSetRejectsBadKeysAndConflicts(t *testing.T) {
	r := New(t.TempDir(), Meta{})
	if err := r.Set("a.b", 1); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "a..b", "a.b.c", "a", "not_computed", "bad key", "run.x"} {
		if err := r.Set(key, 2); err == nil {
			t.Errorf("Set(%q): expected an error, found none", key)
		}
	}
	if err := r.Set("x", struct{}{}); err == nil || !strings.Contains(err.Error(), "struct") {
		t.Errorf("expected an error naming the unsupported type, found %v", err)
	}
	if v, ok := r.Value("a.b"); !ok || v != 1 {
		t.Errorf("Value(a.b): expected 1, found %v", v)
	}
	if err := r.AddSymbolic(Symbolic{Expressions: []Expression{{Function: "phi", Cluster: -1, Expr: "u"}, {Function: "phi", Cluster: 0, Expr: "u"}}}); err == nil {
		t.Error("expected an error mixing a shared and a per-cluster formula of one function")
	}
}

// TestTypeScores checks the accuracy and ARI the types section reports,
// which come from ops/cluster.
func TestTypeScores(t *testing.T) {
	truth := []int{0, 0, 0, 1, 1, 1}
	cases := []struct {
		truth, clusters []int
		acc, ari        float64
	}{
		{truth, []int{1, 1, 1, 0, 0, 0}, 1, 1},                         // permuted labels
		{truth, []int{0, 0, 1, 1, 2, 2}, 4.0 / 6, 0.24242424242424243}, // ARI from scikit-learn; 3 clusters for 2 types
		{[]int{0, 1, 2, 2}, []int{0, 0, 0, 0}, 0.5, 0},                 // one cluster for three types
	}
	for _, c := range cases {
		acc, ari, err := typeScores(c.truth, c.clusters)
		if err != nil || math.Abs(acc-c.acc) > 1e-12 || math.Abs(ari-c.ari) > 1e-12 {
			t.Errorf("typeScores(%v, %v) = %v, %v, %v; want %v, %v", c.truth, c.clusters, acc, ari, err, c.acc, c.ari)
		}
	}
}

func TestBlockMeansAndInset(t *testing.T) {
	m := []float32{
		1, 3, 5, 7,
		1, 3, 5, 7,
		2, 2, 0, 0,
		4, 4, 0, 8,
	}
	out, rows, cols := blockMeans(m, 4, 4, 2)
	want := []float32{2, 6, 3, 2}
	if rows != 2 || cols != 2 {
		t.Fatalf("expected 2×2, found %d×%d", rows, cols)
	}
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("block %d: expected %v, found %v", i, want[i], out[i])
		}
	}
	inset, n, k := topLeft(m, 4, 4, 3)
	if n != 3 || k != 3 || inset[4] != 3 || inset[8] != 0 {
		t.Errorf("inset: expected the top-left 3×3 block, found %v (%d×%d)", inset, n, k)
	}
	if l := symmetricLimit([]float32{-1, 2, -3, 4}, 1); l != 4 {
		t.Errorf("symmetric limit: expected 4, found %v", l)
	}
}

func TestLargeHeatmapRendersQuickly(t *testing.T) {
	const n = 2000
	w := make([]float32, n*n)
	for i := range w {
		w[i] = float32(math.Sin(float64(i)))
	}
	r := New(t.TempDir(), Meta{})
	start := time.Now()
	if err := r.AddConnectivity(Connectivity{N: n, True: w, Learned: w}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("expected a %d×%d connectivity section in a few seconds, took %v", n, n, d)
	}
	if v, _ := r.Value("connectivity.r2"); v != 1.0 {
		t.Errorf("identical matrices: expected R² 1, found %v", v)
	}
}

func TestSectionsFollowTheReportOrderAndTablesBecomeMetrics(t *testing.T) {
	dir := t.TempDir()
	r := New(dir, Meta{Script: "order.ngs"})
	s := newSynthetic(30, 20)
	if err := r.AddTable("sweep", "Sweep over frames", []TableRow{{Label: "frames 2000: R²", Key: "frames2000.r2", Value: 0.91}, {Label: "note", Value: "coarse"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddSymbolic(Symbolic{Expressions: s.symbolic}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTraining(s.training); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	md := string(data)
	training, symbolic, sweep := strings.Index(md, "## Training"), strings.Index(md, "## Symbolic regression"), strings.Index(md, "## Sweep over frames")
	if !(training >= 0 && training < symbolic && symbolic < sweep) {
		t.Errorf("expected Training, then Symbolic regression, then the sweep; found positions %d, %d, %d", training, symbolic, sweep)
	}
	if !strings.Contains(md, "| frames 2000: R² | 0.91 |") || !strings.Contains(md, "| note | coarse |") {
		t.Errorf("expected the sweep rows in report.md")
	}
	if v, _ := lookup(readMetrics(t, dir), "sweep.frames2000.r2"); v != 0.91 {
		t.Errorf("sweep.frames2000.r2: expected 0.91, found %v", v)
	}
}

func TestDenseTracesRenderAsEnvelopes(t *testing.T) {
	const frames, neurons = 6000, 12
	u := make([]float32, frames*neurons)
	for k := 0; k < frames; k++ {
		for i := 0; i < neurons; i++ {
			u[k*neurons+i] = float32(5 * math.Sin(float64(k)*0.3+float64(i)))
		}
	}
	dir := t.TempDir()
	r := New(dir, Meta{})
	if err := r.AddActivity(Activity{U: u, Frames: frames, Neurons: neurons, Window: frames, Show: 4}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, filepath.Join(dir, "activity.png"))
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r>>8 < 100 {
				dark++
			}
		}
	}
	// Four bands of ±5 around their offsets fill a large part of the plot.
	if dark < 50_000 {
		t.Errorf("expected dense traces to fill their bands, found %d dark pixels", dark)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if !strings.Contains(string(md), "frames 0–5999 of 6000") {
		t.Errorf("expected the caption to name the frames shown")
	}
}

func TestRenderTurnsPanicsIntoErrors(t *testing.T) {
	_, err := render("broken plot", 100, 100, func(f *figure) error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "broken plot") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("expected an error naming the plot and the cause, found %v", err)
	}
}

package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// synthetic is a recording made in the test by its own integrator (RK4 at a
// fifth of the frame interval), not by ngs's simulator: n neurons of two
// types (c = 1 and c = 2) with du_i/dt = −c_i·u_i + tanh(u_i) + g·Σ_j
// W[i,j]·tanh(u_j), W Gaussian/√n.
type synthetic struct {
	n, frames int
	dt, g     float64
	u, du     []float64 // frames × n
	w         []float64
	types     []int
}

func newSynthetic(n, frames int, seed uint64) *synthetic {
	r := rand.New(rand.NewPCG(seed, 11))
	s := &synthetic{n: n, frames: frames, dt: 0.01, g: 4, w: make([]float64, n*n), types: make([]int, n)}
	for i := 0; i < n; i++ {
		s.types[i] = 2 * i / n
		for j := 0; j < n; j++ {
			if i != j {
				s.w[i*n+j] = r.NormFloat64() / math.Sqrt(float64(n))
			}
		}
	}
	rate := func(x, out []float64) {
		th := make([]float64, n)
		for j := range th {
			th[j] = math.Tanh(x[j])
		}
		for i := 0; i < n; i++ {
			var sum float64
			for j := 0; j < n; j++ {
				sum += s.w[i*n+j] * th[j]
			}
			out[i] = -float64(1+s.types[i])*x[i] + th[i] + s.g*sum
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 3 * r.NormFloat64()
	}
	k1, k2, k3, k4, tmp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	h := s.dt / 5
	step := func() {
		rate(x, k1)
		for i := range tmp {
			tmp[i] = x[i] + h/2*k1[i]
		}
		rate(tmp, k2)
		for i := range tmp {
			tmp[i] = x[i] + h/2*k2[i]
		}
		rate(tmp, k3)
		for i := range tmp {
			tmp[i] = x[i] + h*k3[i]
		}
		rate(tmp, k4)
		for i := range x {
			x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
	for k := 0; k < 1000; k++ {
		step()
	}
	s.u, s.du = make([]float64, frames*n), make([]float64, frames*n)
	d := make([]float64, n)
	for f := 0; f < frames; f++ {
		rate(x, d)
		copy(s.u[f*n:], x)
		copy(s.du[f*n:], d)
		for k := 0; k < 5; k++ {
			step()
		}
	}
	return s
}

// trainBlock is a small, fast training schedule for the tests.
const trainBlock = `
model gnn {
    embedding = 2
    psi = mlp(u[j], hidden = 32, layers = 3)
    phi = mlp(u[i], a[i], hidden = 32, layers = 3)
}
fit = train(gnn, data) {
    epochs = 8
    batch = 16
    steps = 1000
    warmup = 400
    solve_every = 50
    seed = 16
    lr { W = 1e-2; phi = 2e-3; psi = 2e-3; a = 2e-3 }
    every 2 epochs { cluster(threshold = 0.1, refit = 20) }
}
`

func num(t *testing.T, v runtime.Value, path ...string) float64 {
	t.Helper()
	for _, p := range path {
		r, ok := v.(*runtime.Record)
		if !ok {
			t.Fatalf("%s: not a record (%s)", strings.Join(path, "."), v)
		}
		if v, ok = r.Get(p); !ok {
			t.Fatalf("no metric %s in %s", strings.Join(path, "."), r)
		}
	}
	n, ok := v.(runtime.Number)
	if !ok {
		t.Fatalf("%s is %s, not a number", strings.Join(path, "."), v)
	}
	return float64(n)
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRecordingSyntheticOwnLayout trains on activity that no simulation of
// ngs wrote (float64, from the test's own RK4 integrator), u only: du/dt is
// estimated, the report has no truth, and the learned Ŵ is compared with
// the generator's W here.
func TestRecordingSyntheticOwnLayout(t *testing.T) {
	s := newSynthetic(16, 6000, 3)
	dir := t.TempDir()
	file := filepath.Join(dir, "activity.npy")
	if err := npy.WriteFloat64(file, s.u, s.frames, s.n); err != nil {
		t.Fatal(err)
	}
	if _, std := meanStd64(s.u[len(s.u)/2:]); std < 0.5 {
		t.Fatalf("the generator's activity died out (std %g)", std)
	}
	in, out, err := run(t, fmt.Sprintf("data = recording(u = %q, dt = 0.01)\n%s\nm = report(fit, out = \"rep\", symbolic = false)\n", file, trainBlock))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "central differences") {
		t.Fatalf("clean data should use central differences:\n%s", out)
	}
	m := global(t, in, "m")
	if r2 := num(t, m, "prediction", "r2"); r2 < 0.95 {
		t.Fatalf("du/dt R² on held-out frames %.3f, expected ≥ 0.95", r2)
	}
	fit := global(t, in, "fit").(*Fit)
	w, err := fit.Attr("W_corrected")
	if err != nil {
		t.Fatal(err)
	}
	truth := make([]float32, len(s.w))
	for k, v := range s.w {
		truth[k] = float32(s.g * v) // without the gain the report's Ŵ is g·W
	}
	fitW := metrics.LinearFit(truth, w.(*runtime.Tensor).Data)
	t.Logf("W R² %.3f slope %.3f, du/dt R² on held-out frames %.4f", fitW.R2, fitW.Slope, num(t, m, "prediction", "r2"))
	if fitW.R2 < 0.5 {
		t.Fatalf("W R² against the generator's g·W %.3f (slope %.3f), expected ≥ 0.5", fitW.R2, fitW.Slope)
	}
	// The estimated derivative is the generator's to within the O(dt²)
	// error of central differences.
	est := make([]float32, len(fit.Data.DU))
	for k := range est {
		est[k] = float32(s.du[k])
	}
	if e := relErr(fit.Data.DU, est); e > 0.01 {
		t.Fatalf("estimated du/dt differs from the generator's by %.3g (relative RMS), expected ≤ 0.01", e)
	}
	md := readText(t, filepath.Join(outDir(in), "rep", "report.md"))
	for _, want := range []string{"Prediction of du/dt", "Connectivity (learned only)", "Update function φ\\* (learned)", "Rollout"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if c := strings.Count(md, "No ground truth"); c < 7 {
		t.Errorf("report.md says \"No ground truth\" %d times, expected one per section (≥ 7)", c)
	}
}

func outDir(in *runtime.Interp) string { return in.OutDir() }

func relErr(a, b []float32) float64 {
	var e, s float64
	for k := range a {
		e += float64(a[k]-b[k]) * float64(a[k]-b[k])
		s += float64(b[k]) * float64(b[k])
	}
	return math.Sqrt(e / s)
}

func meanStd64(x []float64) (float64, float64) {
	var s, ss float64
	for _, v := range x {
		s += v
		ss += v * v
	}
	m := s / float64(len(x))
	return m, math.Sqrt(ss/float64(len(x)) - m*m)
}

// writeReference writes a dataset folder in the reference implementation's
// layout: x_list_0.npy (T+1, N, 8) with the index, position, u, input 0
// and type, and y_list_0.npy (T+1, N, 1) with du/dt.
func writeReference(t *testing.T, dir string, s *synthetic) {
	t.Helper()
	n := s.n
	x := make([]float32, s.frames*n*8)
	y := make([]float32, s.frames*n)
	for f := 0; f < s.frames; f++ {
		for i := 0; i < n; i++ {
			row := x[(f*n+i)*8:]
			row[0], row[1], row[2] = float32(i), float32(i%4)/4, float32(i/4)/float32(n)
			row[3], row[6] = float32(s.u[f*n+i]), float32(s.types[i])
			y[f*n+i] = float32(s.du[f*n+i])
		}
	}
	if err := npy.WriteFloat32(filepath.Join(dir, "x_list_0.npy"), x, s.frames, n, 8); err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteFloat32(filepath.Join(dir, "y_list_0.npy"), y, s.frames, n, 1); err != nil {
		t.Fatal(err)
	}
}

// TestRecordingReferenceFolder writes a folder in the reference's layout,
// reads it with recording(reference = DIR) and trains end to end: du/dt is
// the folder's, the types come from column 6, so the report scores the
// clusters against them, with no true W.
func TestRecordingReferenceFolder(t *testing.T) {
	s := newSynthetic(16, 6001, 3)
	dir := t.TempDir()
	writeReference(t, dir, s)
	in, out, err := run(t, fmt.Sprintf("data = recording(reference = %q)\n%s\nm = report(fit, out = \"rep\", symbolic = false)\n", dir, trainBlock))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "du/dt given in the file") {
		t.Fatalf("the folder's du/dt should be used:\n%s", out)
	}
	d := global(t, in, "data").(*Dataset)
	if d.Frames != 5401 || len(d.Neurons) != 16 || d.Recording.Types[15] != 1 || d.E != nil {
		t.Fatalf("read %d frames × %d neurons, types %v, input %v", d.Frames, len(d.Neurons), d.Recording.Types, d.E != nil)
	}
	if d.Recording.Positions[2*5] != 0.25 {
		t.Fatalf("positions not read from columns 1–2: %v", d.Recording.Positions[:12])
	}
	m := global(t, in, "m")
	r2, acc := num(t, m, "prediction", "r2"), num(t, m, "types", "accuracy")
	t.Logf("du/dt R² on held-out frames %.4f, type accuracy %.3f", r2, acc)
	if r2 < 0.95 {
		t.Fatalf("du/dt R² on held-out frames %.3f, expected ≥ 0.95", r2)
	}
	// The report must score its clusters against the folder's two types
	// (num fails when the section is missing). How well 16 neurons of two
	// close types cluster is not this test's question: it sits at the
	// one-cluster level (0.44–0.56 across kernel tiers and summation
	// orders); the clustering tests and the held-out suite measure that.
	if acc < 0 || acc > 1 {
		t.Fatalf("type accuracy against the folder's types %.3f, expected in [0, 1]", acc)
	}
}

// TestRecordingPartialObservation simulates a network, records 34 of its 40
// neurons (15 % never recorded, marked NaN in the file), trains on the
// recorded ones and measures W R² over the recorded block.
func TestRecordingPartialObservation(t *testing.T) {
	src := fig2Net + `
recorded = []
for i in range(0, 40) { if i % 7 != 3 { recorded = recorded + [i] } }
sim = simulate(net, dt = 0.01, frames = 5000, burnin = 1000, record = ["u"])
u = sim.u
for f in range(0, 5000) { for i in [3, 10, 17, 24, 31, 38] { u[f, i] = sqrt(-1) } }
file = save("activity.npy", u)
data = recording(u = file, dt = 0.01)
` + trainBlock + `
m = report(fit, truth = subnetwork(net, recorded), out = "rep", symbolic = false)
`
	in, out, err := run(t, src)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "6 neurons hold NaN in every frame and are left out as never recorded (columns 3, 10, 17, 24, 31, 38)") {
		t.Fatalf("the unrecorded neurons are not reported:\n%s", out)
	}
	d := global(t, in, "data").(*Dataset)
	if len(d.Neurons) != 34 || d.Neurons[3] != 4 {
		t.Fatalf("recorded neurons %v", d.Neurons)
	}
	m := global(t, in, "m")
	r2 := num(t, m, "connectivity", "r2")
	t.Logf("W R² over the 34 recorded neurons: %.3f (slope %.3f)", r2, num(t, m, "connectivity", "slope"))
	if r2 < 0.5 {
		t.Fatalf("W R² over the recorded block %.3f, expected ≥ 0.5", r2)
	}
}

// TestRecordingBadInput checks that each bad input gets an error naming the
// file and what is wrong, and that recoverable problems are warnings.
func TestRecordingBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []float32, shape ...int) string {
		p := filepath.Join(dir, name)
		if err := npy.WriteFloat32(p, data, shape...); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const frames, n = 200, 5
	u := make([]float32, frames*n)
	for f := 0; f < frames; f++ {
		for j := 0; j < n; j++ {
			u[f*n+j] = float32(math.Sin(0.05*float64(f) + float64(j)))
		}
	}
	good := write("u.npy", u, frames, n)
	short := write("du_short.npy", u[:(frames-1)*n], frames-1, n)
	flat := write("flat.npy", u[:n], n)
	pos := write("pos.npy", make([]float32, 3*n), n, 3)
	nanU := append([]float32(nil), u...)
	for _, f := range []int{50, 51, 120} {
		nanU[f*n+2] = float32(math.NaN())
	}
	nanFile := write("nan.npy", nanU, frames, n)
	constU := append([]float32(nil), u...)
	for f := 0; f < frames; f++ {
		constU[f*n+4] = 1.5
	}
	constFile := write("const.npy", constU, frames, n)
	empty := t.TempDir()
	for _, c := range []struct {
		name, src, want string
	}{
		{"shapes", fmt.Sprintf("recording(u = %q, du = %q)", good, short), "du_short.npy: du has shape (199, 5) but " + good + " (u) has (200, 5)"},
		{"dt missing", fmt.Sprintf("recording(u = %q, dt = nil)", good), "dt: the time between frames is missing"},
		{"dt negative", fmt.Sprintf("recording(u = %q, dt = -0.01)", good), "dt must be a number > 0"},
		{"dt zero", fmt.Sprintf("recording(u = %q, dt = 0)", good), "dt must be a number > 0"},
		{"no u", "recording()", "recording needs the activity"},
		{"no file", fmt.Sprintf("recording(u = %q)", filepath.Join(dir, "missing.npy")), "missing.npy: no such file"},
		{"1-D", fmt.Sprintf("recording(u = %q)", flat), "flat.npy: u must be a frames × neurons array, found shape (5)"},
		{"positions", fmt.Sprintf("recording(u = %q, positions = %q)", good, pos), "pos.npy: positions must be neurons × 2 = (5, 2)"},
		{"smooth", fmt.Sprintf("recording(u = %q, smooth = 4)", good), "odd whole number of frames ≥ 7"},
		{"folder", fmt.Sprintf("recording(reference = %q)", empty), "has no x_list_0.npy (expected the reference's x_list_0.npy, shape (T+1, N, 8), and y_list_0.npy"},
		{"not a folder", fmt.Sprintf("recording(reference = %q)", good), "is not a folder"},
		{"both", fmt.Sprintf("recording(reference = %q, u = %q)", empty, good), "either reference = DIR or the files"},
	} {
		_, out, err := run(t, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v (output %q), expected %q", c.name, err, out, c.want)
		}
	}
	// NaN frames are skipped and counted; frames between them too short
	// for the stencil are left out too; the rest is kept.
	in, out, err := run(t, fmt.Sprintf("d = recording(u = %q, holdout = 0)", nanFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 of 200 frames hold NaN or Inf and are skipped (first: "+nanFile+" frame 50, neuron 2)") {
		t.Errorf("NaN frames not reported:\n%s", out)
	}
	if d := global(t, in, "d").(*Dataset); d.Frames != 197 || d.Recording.SkippedFrames != 3 {
		t.Errorf("kept %d frames, skipped %d; expected 197 and 3", d.Frames, d.Recording.SkippedFrames)
	}
	// A constant neuron is a warning naming the file and the neuron.
	in, out, err = run(t, fmt.Sprintf("d = recording(u = %q)", constFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "warning: "+constFile+": u is constant for 1 neurons (columns 4)") {
		t.Errorf("constant neuron not warned:\n%s", out)
	}
	if d := global(t, in, "d").(*Dataset); len(d.Neurons) != n || d.Frames != 180 || d.Recording.HoldFrames != 20 {
		t.Errorf("constant neuron: %d neurons, %d frames (+%d held out); expected 5, 180, 20", len(d.Neurons), d.Frames, d.Recording.HoldFrames)
	}
}

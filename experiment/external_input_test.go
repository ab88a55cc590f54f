package experiment

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// runIn runs a script with its output folder at dir.
func runIn(t *testing.T, dir, src string) (*runtime.Interp, error) {
	t.Helper()
	prog, err := runtime.Compile("test.ngs", []byte(src), runtime.CompileOptions{})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	return prog.Run(context.Background(), runtime.RunOptions{Stdout: &out, OutDir: dir})
}

// TestHiddenInputSettingErrors: Ω* declared on a network without input,
// input settings without Ω*, and known_input without e recorded are each an
// error naming the setting, after which the simulated data are still on disk.
func TestHiddenInputSettingErrors(t *testing.T) {
	cases := []struct {
		name, model, train, record, want string
	}{
		{"omega without input", "omega = siren(x, y, t, hidden = 8, layers = 1, neurons = 4)", "", "",
			"declares a hidden input omega = siren(...), but network net has no input"},
		{"input setting without omega", "", "input_bins = 4", "",
			"test.ngs:19:59: input_bins needs a model with a hidden input"},
		{"known input not recorded", "omega = siren(x, y, t, hidden = 8, layers = 1, neurons = 4)", "known_input = true", "",
			"test.ngs:19:60: known_input needs the input e recorded in the data"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		src := fig2Net + `data = simulate(net, frames = 100, out = "sim"` + c.record + `)
model m {
    psi = mlp(u[j])
    ` + c.model + `
}
fit = train(m, data) { steps = 2; batch = 2; ` + c.train + ` }
`
		_, err := runIn(t, dir, src)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if msg := lang.Render(err, nil); !strings.Contains(msg, c.want) {
			t.Errorf("%s: error\n%s\nexpected %q", c.name, msg, c.want)
		}
		if st, err := os.Stat(filepath.Join(dir, "sim", "u.npy")); err != nil || st.Size() == 0 {
			t.Errorf("%s: the simulated data are gone: %v", c.name, err)
		}
	}
}

// TestOmegaBeyondMovie declares more Ω* input neurons than the movie
// drives: an error naming both counts and the movie file.
func TestOmegaBeyondMovie(t *testing.T) {
	dir := t.TempDir()
	movie := filepath.Join(dir, "movie.npy")
	frames := make([]float32, 3*4*4)
	for k := range frames {
		frames[k] = 1 + float32(k%5)/10
	}
	if err := npy.WriteFloat32(movie, frames, 3, 4, 4); err != nil {
		t.Fatal(err)
	}
	src := `seed 3
network net {
    neurons = 40
    type A { c = 1; s = 1; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * e * sum_j W[i,j] * psi(u[j])
    W = cauchy()
    u0 = normal(0, 5)
    input = movie("MOVIE", neurons = 8)
}
data = simulate(net, frames = 100)
model m {
    psi = mlp(u[j])
    omega = siren(x, y, t, hidden = 8, layers = 1, neurons = 12)
}
fit = train(m, data) { steps = 2; batch = 2 }
`
	_, err := runIn(t, dir, strings.Replace(src, "MOVIE", movie, 1))
	if err == nil {
		t.Fatal("no error for 12 Ω* input neurons on a movie driving 8")
	}
	if msg := lang.Render(err, nil); !strings.Contains(msg, "declares more input neurons than the movie") || !strings.Contains(msg, "movie.npy drives (8)") {
		t.Errorf("error\n%s\nexpected it to name the movie file and its 8 input neurons", msg)
	}
}

// TestOscillationInputReport trains a tiny network with an additive
// oscillatory input on every neuron (too short to learn it well: the
// learning itself is tested in ops/gnn) and checks that the report's
// external_input section holds the reference's score (r2, slope, scale),
// the per-neuron score, the input table's score and the SIREN's fit, and
// draws external_input.png.
func TestOscillationInputReport(t *testing.T) {
	src := `seed 3
network net {
    neurons = 24
    type A { c = 1; s = 1; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j]) + e
    W = cauchy()
    u0 = normal(0, 5)
    noise = 1
    input = oscillation(amplitude = 2, frequency = 0.1)
}
data = simulate(net, frames = 3000, record = ["u", "du", "e"])
model m {
    psi = mlp(u[j])
    omega = siren(x, y, t, hidden = 16, layers = 2, neurons = 24)
    input = "additive"
}
fit = train(m, data) { epochs = 2; steps = 300; batch = 16; warmup = 100; solve_every = 10; freeze_embedding = true; input_bins = 30; input_interp = "linear"; siren_steps = 200 }
r = report(fit, truth = net, out = "rep", rollout = 0, symbolic = false)
`
	dir := t.TempDir()
	in, err := runIn(t, dir, src)
	if err != nil {
		t.Fatal(lang.Render(err, nil))
	}
	r, ok := global(t, in, "r").(*runtime.Record)
	if !ok {
		t.Fatal("report did not return a record")
	}
	sec, _ := r.Get("external_input")
	ext, ok := sec.(*runtime.Record)
	if !ok {
		t.Fatalf("no external_input section in %s", r)
	}
	for _, key := range []string{"r2", "slope", "scale", "r2_per_neuron_scale", "table_r2", "siren_fit_r2"} {
		x, _ := ext.Get(key)
		v, ok := x.(runtime.Number)
		if !ok || math.IsNaN(float64(v)) {
			t.Errorf("external_input.%s missing or NaN (%v)", key, x)
		}
	}
	t.Logf("external_input: %s", ext)
	for _, key := range []string{"r2", "r2_per_neuron_scale", "table_r2"} {
		x, _ := ext.Get(key)
		if v, _ := x.(runtime.Number); !(v >= 0 && v <= 1) {
			t.Errorf("external_input.%s = %v, expected an R² in [0, 1]", key, x)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rep", "external_input.png")); err != nil {
		t.Errorf("external_input.png: %v", err)
	}
}

package importer

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .ngs files of tests/import")

const fixtures = "../tests/import"

// fixtureConfigs lists the reference configs kept as fixtures.
func fixtureConfigs(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtures, "*.yaml"))
	if err != nil || len(paths) < 16 {
		t.Fatalf("expected at least 16 configs in %s, found %d (%v)", fixtures, len(paths), err)
	}
	return paths
}

func convertFile(t *testing.T, path string) (string, []Unmapped) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	script, unmapped, err := Convert(src, filepath.Base(path))
	if err != nil {
		t.Fatalf("Convert(%s): %v", path, err)
	}
	return script, unmapped
}

func TestGoldenScripts(t *testing.T) {
	for _, path := range fixtureConfigs(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			script, _ := convertFile(t, path)
			golden := strings.TrimSuffix(path, ".yaml") + ".ngs"
			if *update {
				if err := os.WriteFile(golden, []byte(script), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./importer -update to create it)", err)
			}
			if script != string(want) {
				t.Errorf("%s differs from the conversion of %s (run with -update after checking):\n%s",
					golden, path, firstDifference(string(want), script))
			}
		})
	}
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return "(no difference)"
}

func TestEveryUnmappedFieldIsInTheHeader(t *testing.T) {
	for _, path := range fixtureConfigs(t) {
		script, unmapped := convertFile(t, path)
		header := script[:strings.Index(script, "\nseed ")]
		for _, u := range unmapped {
			_, name, _ := strings.Cut(u.Path, ".")
			if !strings.Contains(header, name) || !strings.Contains(header, u.Reason) {
				t.Errorf("%s: unmapped %s (%s) is not in the script's header", path, u.Path, u.Reason)
			}
		}
		for _, line := range strings.Split(header, "\n") {
			if line != "" && !strings.HasPrefix(line, "#") {
				t.Errorf("%s: header line is not a comment: %q", path, line)
			}
		}
	}
}

func TestFig2Mapping(t *testing.T) {
	script, unmapped := convertFile(t, filepath.Join(fixtures, "signal_fig_2.yaml"))
	for _, want := range []string{
		"seed 42\n", "neurons = 1000\n", "frames = 100_000\n", "epochs = 10\n",
		"type A { g = 10; s = 1; c = 1 }", "type D { g = 10; s = 2; c = 2 }",
		"du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])",
		"W = cauchy()\n", "noise = 0\n",
		"simulate(net, dt = 0.01, frames = frames, burnin = 1000)",
		"psi = mlp(u[j], hidden = 64, layers = 3)", "phi = mlp(u[i], a[i], hidden = 64, layers = 3)",
		"batch = 8\n", "augmentation = 50\n", "seed = 16\n",
		"lr { W = 1e-3; phi = 5e-4; psi = 5e-4; a = 7.5e-4 }", "phi_zero = 1\n",
		"every 4 epochs { cluster(threshold = 0.1, refit = 20) }",
		`report(fit, truth = net, out = "signal_fig_2")`, "symbolic(fit.psi)", "symbolic(fit.phi, cluster = k)",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("fig 2 script lacks %q", want)
		}
	}
	for _, absent := range []string{"input =", "omega", "edge_diff", "W_L1", "freeze_embedding", "init_batch"} {
		if strings.Contains(script, absent) {
			t.Errorf("fig 2 script has %q, which its config does not ask for", absent)
		}
	}
	if !hasUnmapped(unmapped, "plotting.colormap") || !hasUnmapped(unmapped, "training.cluster_method") {
		t.Errorf("fig 2: expected plotting.colormap and training.cluster_method unmapped, got %v", unmapped)
	}
	if hasUnmapped(unmapped, "training.batch_size") || hasUnmapped(unmapped, "simulation.params") {
		t.Errorf("fig 2: mapped fields reported as unmapped: %v", unmapped)
	}
}

func hasUnmapped(list []Unmapped, path string) bool {
	for _, u := range list {
		if u.Path == path {
			return true
		}
	}
	return false
}

func TestFig3MovieInputAndSiren(t *testing.T) {
	script, unmapped := convertFile(t, filepath.Join(fixtures, "signal_fig_3.yaml"))
	for _, want := range []string{
		"neurons = 2048\n", "frames = 50_000\n",
		"type D { a = 2; b = 0; g = 10; s = 2; w = 8; h = 0 }",
		"du/dt = -a*u + b + s*tanh(u) + g * e * sum_j W[i,j] * psi((u[j] - h[j]) / w[j])",
		"noise = 1\n", `input = movie("../shared/reference/fig3_movie.npy", neurons = 1024)`,
		"burnin = 10_000)", "psi = mlp(u[j], a[j], hidden = 64, layers = 5)",
		"omega = siren(x, y, t, hidden = 128, layers = 5, omega0 = 30, neurons = 1024)",
		`input = "multiplicative"`, "batch = 1\n", "seed = 42\n",
		"lr { W = 2e-3; phi = 5e-4; psi = 5e-4; a = 5e-3; omega = 1e-5 }",
		"edge_diff = 10\n", "W_L1 = 1e-12\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("fig 3 script lacks %q", want)
		}
	}
	for _, path := range []string{"simulation.node_value_map", "training.coeff_update_diff", "claude"} {
		if !hasUnmapped(unmapped, path) {
			t.Errorf("fig 3: %s should be listed as unmapped, got %v", path, unmapped)
		}
	}
}

func TestSupp8TwoPhaseSchedule(t *testing.T) {
	script, _ := convertFile(t, filepath.Join(fixtures, "signal_fig_supp_8_1.yaml"))
	for _, want := range []string{"W = cauchy(fill = 0.5)", "burnin = 0)",
		"edge_diff = schedule(100, until = 1)", "W_L1 = schedule(1e-5, from = 2)", "batch = 1\n"} {
		if !strings.Contains(script, want) {
			t.Errorf("supp 8.1 script lacks %q", want)
		}
	}
	script, _ = convertFile(t, filepath.Join(fixtures, "signal_fig_supp_8.yaml"))
	if !strings.Contains(script, "W = cauchy(fill = 0.05)") || !strings.Contains(script, "W_L1 = 1e-5\n") {
		t.Errorf("supp 8 (5 %%) script lacks its fill or its constant W_L1:\n%s", script)
	}
}

func TestSupp3FreezesEmbedding(t *testing.T) {
	script, _ := convertFile(t, filepath.Join(fixtures, "signal_fig_supp_3.yaml"))
	if !strings.Contains(script, "freeze_embedding = true\n") || !strings.Contains(script, "a = 0 }") {
		t.Errorf("supp 3 script should freeze embeddings with lr a = 0:\n%s", script)
	}
}

func TestSupp12Has32NamedTypes(t *testing.T) {
	script, _ := convertFile(t, filepath.Join(fixtures, "signal_fig_supp_12.yaml"))
	if got := strings.Count(script, "    type T"); got != 32 {
		t.Errorf("expected 32 types T1..T32, found %d", got)
	}
	for _, want := range []string{"type T1 { g = 10; s = 1; c = 1 }", "type T32 { g = 10; s = 8; c = 4 }",
		"cluster(threshold = 0.05, refit = 20)"} {
		if !strings.Contains(script, want) {
			t.Errorf("supp 12 script lacks %q", want)
		}
	}
}

func TestSupp14NeuronNeuronTransfer(t *testing.T) {
	script, unmapped := convertFile(t, filepath.Join(fixtures, "signal_fig_supp_14.yaml"))
	for _, want := range []string{
		"g * sum_j W[i,j] * (psi((u[j] - h[j]) / w[i]) - u[j] * log(w[j]) / 50)",
		"psi = mlp(u[j], a[i], a[j], hidden = 64, layers = 3)", "edge_diff = 500\n", "epochs = 20\n"} {
		if !strings.Contains(script, want) {
			t.Errorf("supp 14 script lacks %q", want)
		}
	}
	if !hasUnmapped(unmapped, "training.init_training_single_type") {
		t.Errorf("supp 14: init_training_single_type should be unmapped: %v", unmapped)
	}
}

func TestSupp10NoiseUnderTraining(t *testing.T) {
	script, unmapped := convertFile(t, filepath.Join(fixtures, "signal_fig_supp_10.yaml"))
	if !strings.Contains(script, "noise = 7.2\n") || !hasUnmapped(unmapped, "training.noise_model_level") {
		t.Errorf("supp 10: noise 7.2 should reach the network and be flagged as approximate: %v", unmapped)
	}
}

func BenchmarkConvertFig3(b *testing.B) {
	src, err := os.ReadFile(filepath.Join(fixtures, "signal_fig_3.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Convert(src, "signal_fig_3.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

package importer

import (
	"strings"
	"testing"
)

// minimal is a small valid config; tests edit it to provoke errors.
const minimal = `description: "test"
simulation:
  params: [[10.0, 1.0, 1.0], [10.0, 2.0, 1.0]]
  n_neurons: 100
  n_neuron_types: 2
  n_frames: 2000
  start_frame: -100
graph_model:
  signal_model_name: "PDE_N2"
training:
  n_epochs: 2
  batch_size: 4
`

func convertText(t *testing.T, src string) (string, []Unmapped) {
	t.Helper()
	script, unmapped, err := Convert([]byte(src), "test.yaml")
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return script, unmapped
}

func TestConvertErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // substrings of the error
	}{
		{"malformed YAML", "simulation:\n  n_neurons: 10\n bad: [1, 2\n", []string{"test.yaml:2: malformed YAML: did not find expected key"}},
		{"not a mapping", "- 1\n- 2\n", []string{"test.yaml:1:", "expected a mapping of fields", "found a list"}},
		{"empty", "", []string{"empty config"}},
		{"unknown model", strings.Replace(minimal, "PDE_N2", "PDE_N9", 1),
			[]string{"test.yaml:9:", "graph_model.signal_model_name", `"PDE_N9"`, "PDE_N2, PDE_N4, PDE_N5"}},
		{"missing model", strings.Replace(minimal, `  signal_model_name: "PDE_N2"`, "  hidden_dim: 64", 1),
			[]string{"graph_model.signal_model_name", "expected a signal model name", "found nothing"}},
		{"string for integer", strings.Replace(minimal, "n_neurons: 100", `n_neurons: "many"`, 1),
			[]string{"test.yaml:4:", "simulation.n_neurons: expected an integer, found string \"many\""}},
		{"fraction for integer", strings.Replace(minimal, "n_frames: 2000", "n_frames: 20.5", 1),
			[]string{"test.yaml:6:", "simulation.n_frames: expected an integer, found number 20.5"}},
		{"list for number", strings.Replace(minimal, "batch_size: 4", "batch_size: [4]", 1),
			[]string{"training.batch_size: expected an integer, found a list of 1 items"}},
		{"zero batch", strings.Replace(minimal, "batch_size: 4", "batch_size: 0", 1),
			[]string{"training.batch_size: expected a positive integer, found number 0"}},
		{"string for bool", minimal + "  training_single_type: maybe\n",
			[]string{"training.training_single_type: expected true or false, found string \"maybe\""}},
		{"number for string", strings.Replace(minimal, `"PDE_N2"`, "2", 1),
			[]string{"graph_model.signal_model_name: expected a string, found number 2"}},
		{"row too short", strings.Replace(minimal, "[10.0, 2.0, 1.0]]", "[10.0, 2.0]]", 1),
			[]string{"test.yaml:3:", "simulation.params[1]: expected 3 values [g s c] for PDE_N2, found 2 values"}},
		{"rows vs types", strings.Replace(minimal, "n_neuron_types: 2", "n_neuron_types: 3", 1),
			[]string{"simulation.params: expected 3 rows (n_neuron_types), found 2 rows"}},
		{"N4 needs six columns", strings.Replace(minimal, "PDE_N2", "PDE_N4", 1),
			[]string{"simulation.params[0]: expected 6 values [a b g s w h] for PDE_N4, found 3 values"}},
		{"missing params", strings.Replace(minimal, "  params: [[10.0, 1.0, 1.0], [10.0, 2.0, 1.0]]\n", "", 1),
			[]string{"simulation.params: expected one row [g s c] per neuron type, found nothing"}},
		{"text in params", strings.Replace(minimal, "[10.0, 2.0, 1.0]]", "[10.0, two, 1.0]]", 1),
			[]string{"simulation.params[1][1]: expected a number, found string \"two\""}},
		{"fill out of range", strings.Replace(minimal, "  n_neurons: 100", "  n_neurons: 100\n  connectivity_filling_factor: 1.5", 1),
			[]string{"simulation.connectivity_filling_factor: expected a fraction in (0, 1], found 1.5"}},
		{"section not a mapping", strings.Replace(minimal, "training:\n  n_epochs: 2\n  batch_size: 4\n", "training: 3\n", 1),
			[]string{"test.yaml:10:", "training: expected a mapping of fields, found number 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			script, _, err := Convert([]byte(c.src), "test.yaml")
			if err == nil {
				t.Fatalf("expected an error, got a script:\n%s", script)
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestMinimalConfigUsesDefaults(t *testing.T) {
	script, unmapped := convertText(t, minimal)
	for _, want := range []string{"seed 42\n", "neurons = 100\n", "frames = 2000\n", "epochs = 2\n",
		"dt = 0.01", "burnin = 100)", "W = cauchy()\n", "embedding = 2\n", "batch = 4\n", "seed = 42\n",
		`out = "report"`} {
		if !strings.Contains(script, want) {
			t.Errorf("minimal script lacks %q:\n%s", want, script)
		}
	}
	for _, absent := range []string{"lr {", "every ", "augmentation", "phi_zero"} {
		if strings.Contains(script, absent) {
			t.Errorf("minimal script has %q, which the config does not set", absent)
		}
	}
	if len(unmapped) != 0 {
		t.Errorf("minimal config should map fully, got %v", unmapped)
	}
}

func TestConnectivityVariants(t *testing.T) {
	cases := []struct{ fields, want, unmapped string }{
		{`connectivity_type: "Gaussian"`, "W = gaussian()\n", ""},
		{"connectivity_type: \"Gaussian\"\n  connectivity_init: [0, 0.1]", "W = gaussian()\n", "simulation.connectivity_init"},
		{"connectivity_type: \"low_rank\"\n  connectivity_rank: 3", "W = lowrank(rank = 3)\n", ""},
		{"connectivity_filling_factor: 0.1\n  Dale_law: True", "W = cauchy(fill = 0.1, dale = 0.5)\n", "simulation.Dale_law"},
		{`connectivity_type: "chaotic"`, "W = cauchy()\n", "simulation.connectivity_type"},
		{"connectivity_rank: 2", "W = cauchy()\n", "simulation.connectivity_rank"},
	}
	for _, c := range cases {
		src := strings.Replace(minimal, "  n_neurons: 100", "  n_neurons: 100\n  "+c.fields, 1)
		script, unmapped := convertText(t, src)
		if !strings.Contains(script, c.want) {
			t.Errorf("%s: script lacks %q", c.fields, c.want)
		}
		if c.unmapped != "" && !hasUnmapped(unmapped, c.unmapped) {
			t.Errorf("%s: %s should be unmapped, got %v", c.fields, c.unmapped, unmapped)
		}
		if c.unmapped == "" && len(unmapped) != 0 {
			t.Errorf("%s: expected a full mapping, got %v", c.fields, unmapped)
		}
	}
}

func TestExternalInputVariants(t *testing.T) {
	visual := "external_input_type: \"visual\"\n  n_input_neurons: 64\n  node_value_map: \"m.tif\""
	additive := strings.Replace(minimal, "  n_neurons: 100", "  n_neurons: 100\n  "+visual+"\n  external_input_mode: \"additive\"", 1) +
		"  learn_external_input: True\n  learning_rate_NNR_f: 1.0E-5\n"
	script, unmapped := convertText(t, additive)
	for _, want := range []string{"g * sum_j W[i,j] * psi(u[j]) + e\n", "neurons = 64)", `input = "additive"`,
		"omega = siren(x, y, t, hidden = 128, layers = 5, omega0 = 30, neurons = 64)", "lr { omega = 1e-5 }"} {
		if !strings.Contains(script, want) {
			t.Errorf("additive visual input: script lacks %q:\n%s", want, script)
		}
	}
	if !hasUnmapped(unmapped, "simulation.node_value_map") {
		t.Errorf("node_value_map should be approximate, got %v", unmapped)
	}
	notLearned := strings.Replace(minimal, "  n_neurons: 100", "  n_neurons: 100\n  "+visual, 1)
	script, unmapped = convertText(t, notLearned)
	if !strings.Contains(script, "g * e * sum_j") || strings.Contains(script, "omega") || !hasUnmapped(unmapped, "simulation.external_input_type") {
		t.Errorf("an unlearned visual input is multiplicative by default, without omega, and flagged: %v\n%s", unmapped, script)
	}
	signal := strings.Replace(minimal, "  n_neurons: 100", "  n_neurons: 100\n  external_input_type: \"signal\"", 1)
	script, unmapped = convertText(t, signal)
	if strings.Contains(script, " e ") || strings.Contains(script, "input =") || !hasUnmapped(unmapped, "simulation.external_input_type") {
		t.Errorf("a 'signal' input has no ngs equivalent and must be flagged, not written: %v\n%s", unmapped, script)
	}
}

func TestSmallInitialBatchIsFlagged(t *testing.T) {
	script, unmapped := convertText(t, minimal+"  small_init_batch_size: True\n")
	if !hasUnmapped(unmapped, "training.small_init_batch_size") || !strings.Contains(script, "batch = 4\n") {
		t.Errorf("batch 1 in epoch 0 is not expressible and must be flagged, got %v", unmapped)
	}
	_, unmapped = convertText(t, strings.Replace(minimal, "batch_size: 4", "batch_size: 1", 1)+"  small_init_batch_size: True\n")
	if len(unmapped) != 0 {
		t.Errorf("with batch 1 throughout, small_init_batch_size changes nothing: %v", unmapped)
	}
}

func TestUnknownFieldsAreListed(t *testing.T) {
	src := minimal + "  coeff_mystery: 3\nextra_section:\n  a: 1\n"
	_, unmapped := convertText(t, src)
	for _, path := range []string{"training.coeff_mystery", "extra_section"} {
		if !hasUnmapped(unmapped, path) {
			t.Errorf("%s should be unmapped, got %v", path, unmapped)
		}
	}
	for _, u := range unmapped {
		if u.Line == 0 || u.Reason == "" {
			t.Errorf("unmapped field without a line or a reason: %+v", u)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	cases := map[float64]string{
		0: "0", 10: "10", 1000: "1000", 10000: "10_000", 100000: "100_000", 8000: "8000",
		-1000000: "-1_000_000", 0.25: "0.25", 7.2: "7.2", 0.01: "0.01", 7.5e-4: "7.5e-4",
		1e-12: "1e-12", 5e-5: "5e-5", 2.5e6: "2_500_000", 1.5e20: "1.5e20",
	}
	for v, want := range cases {
		if got := formatNumber(v); got != want {
			t.Errorf("formatNumber(%g) = %q, want %q", v, got, want)
		}
	}
}

func TestSummarizeGroupsByReason(t *testing.T) {
	lines := Summarize([]Unmapped{
		{Path: "plotting.colormap", Line: 40, Reason: "plotting only"},
		{Path: "training.device", Line: 53, Reason: "device"},
		{Path: "plotting.ylim", Line: 43, Reason: "plotting only"},
		{Path: "claude", Line: 60, Reason: "agent"},
	})
	want := []string{"plotting.{colormap, ylim} (lines 40-43): plotting only",
		"training.device (line 53): device", "claude (line 60): agent"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Summarize:\n got %q\nwant %q", lines, want)
	}
}

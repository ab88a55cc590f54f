// Package scripts_test checks the example experiment scripts of scripts/:
// their shape (header, sizes as top-level values, balanced brackets) and
// their parameters against the reference configs the importer reads.
package scripts_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/importer"
)

// paperScripts maps each script to the reference config whose parameters
// it must reproduce ("" for the quick start, which has none).
var paperScripts = map[string]string{
	"quickstart.ngs":           "",
	"fig2.ngs":                 "signal_fig_2.yaml",
	"supp3_no_embedding.ngs":   "signal_fig_supp_3.yaml",
	"supp5_transfer.ngs":       "signal_fig_supp_5.yaml",
	"supp6_transfer.ngs":       "signal_fig_supp_6.yaml",
	"supp7_frames_sweep.ngs":   "signal_fig_supp_7_1.yaml",
	"supp8_sparsity_sweep.ngs": "signal_fig_supp_8_1.yaml",
	"supp7_frames.ngs":         "signal_fig_supp_7_1.yaml", // one run of the sweep (ngs sweep)
	"supp8_sparsity.ngs":       "signal_fig_supp_8_1.yaml", // one run of the sweep (ngs sweep)
	"supp10_noise.ngs":         "signal_fig_supp_10.yaml",
	"supp11_n8000.ngs":         "signal_fig_supp_11.yaml",
	"supp12_32types.ngs":       "signal_fig_supp_12.yaml",
	"supp13_n4.ngs":            "signal_fig_supp_13.yaml",
	"supp14_n5.ngs":            "signal_fig_supp_14.yaml",
	"fig3_movie.ngs":           "signal_fig_3.yaml",
	"from_recording.ngs":       "", // training on a recording (issue 17), no reference config
}

func readScript(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

func TestEveryScriptIsListed(t *testing.T) {
	paths, err := filepath.Glob("*.ngs")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(paperScripts) {
		t.Errorf("found %d scripts %v, expected the %d of paperScripts", len(paths), paths, len(paperScripts))
	}
	for _, p := range paths {
		if _, ok := paperScripts[p]; !ok {
			t.Errorf("%s is not in paperScripts", p)
		}
	}
}

var topLevel = regexp.MustCompile(`(?m)^(neurons|frames|epochs) = [0-9_]+$`)

func TestScriptShape(t *testing.T) {
	for name, config := range paperScripts {
		src := readScript(t, name)
		header := leadingComment(src)
		if strings.Count(header, "\n") < 4 {
			t.Errorf("%s: expected a header comment of several lines saying what it reproduces, got %q", name, header)
		}
		if config != "" && !strings.Contains(header, "SPEC §5") {
			t.Errorf("%s: header should quote the reference's numbers (SPEC §5)", name)
		}
		if got := len(topLevel.FindAllString(src, -1)); got != 3 {
			t.Errorf("%s: expected top-level neurons, frames and epochs, found %d of them", name, got)
		}
		if !strings.HasPrefix(strings.TrimLeft(src[len(header):], "\n"), "seed ") {
			t.Errorf("%s: the first statement should seed the run", name)
		}
		if err := checkBrackets(src); err != "" {
			t.Errorf("%s: %s", name, err)
		}
		for _, want := range []string{"simulate(", "train(gnn, data)", "report(fit"} {
			if !strings.Contains(src, want) {
				t.Errorf("%s lacks %s", name, want)
			}
		}
	}
}

// leadingComment returns the comment lines at the top of a script.
func leadingComment(src string) string {
	end := 0
	for _, line := range strings.SplitAfter(src, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		end += len(line)
	}
	return src[:end]
}

// checkBrackets reports unbalanced (), [] or {} outside strings and comments.
func checkBrackets(src string) string {
	var stack []rune
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	inString, inComment, line := false, false, 1
	for _, r := range src {
		switch {
		case r == '\n':
			inComment = false
			line++
		case inComment:
		case inString:
			inString = r != '"'
		case r == '#':
			inComment = true
		case r == '"':
			inString = true
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case pairs[r] != 0:
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return "unbalanced " + string(r) + " on line " + strconv.Itoa(line)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return "unclosed " + string(stack[len(stack)-1])
	}
	return ""
}

// comparedLines picks, from an imported script, the lines that carry the
// reference's experiment: type rows, the equation, MLP shapes, noise and
// the penalties. The optimiser's schedule (batch, learning rates, steps) is
// ngs's own recipe in the shipped scripts, with the paper's in a comment.
var comparedLines = regexp.MustCompile(`(?m)^\s*(type \w+ (\{.*\})|du/dt = .*|psi = mlp\(.*|phi = mlp\(.*|noise = .*|phi_zero = .*|edge_diff = .*|W_L1 = .*)$`)

func TestScriptsMatchReferenceConfigs(t *testing.T) {
	for name, config := range paperScripts {
		if config == "" {
			continue
		}
		yaml, err := os.ReadFile(filepath.Join("..", "tests", "import", config))
		if err != nil {
			t.Fatal(err)
		}
		imported, _, err := importer.Convert(yaml, config)
		if err != nil {
			t.Fatalf("%s: %v", config, err)
		}
		src := readScript(t, name)
		for _, m := range comparedLines.FindAllStringSubmatch(imported, -1) {
			want := m[1]
			if m[2] != "" {
				want = m[2] // type bodies: names may differ
			}
			if !strings.Contains(src, want) {
				t.Errorf("%s does not reproduce %s: lacks %q", name, config, want)
			}
		}
	}
}

// sweepValues reads the numbers of the script's `for NAME in [...]` loop.
func sweepValues(t *testing.T, script, loopVar string) []string {
	t.Helper()
	m := regexp.MustCompile(`for ` + loopVar + ` in \[([^\]]*)\]`).FindStringSubmatch(readScript(t, script))
	if m == nil {
		t.Fatalf("%s has no loop over %s", script, loopVar)
	}
	values := strings.Split(m[1], ",")
	for i, v := range values {
		values[i] = strings.ReplaceAll(strings.TrimSpace(v), "_", "")
	}
	return values
}

// configValue reads one scalar field of a fixture config.
func configValue(t *testing.T, config, field string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "tests", "import", config))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+` + field + `: ([0-9.]+)`).FindStringSubmatch(string(src))
	if m == nil {
		t.Fatalf("%s has no %s", config, field)
	}
	return m[1]
}

func TestSweepsCoverTheReferenceConfigs(t *testing.T) {
	frames := []string{configValue(t, "signal_fig_2.yaml", "n_frames")}
	for _, k := range []string{"1", "2", "3", "4", "5"} {
		frames = append(frames, configValue(t, "signal_fig_supp_7_"+k+".yaml", "n_frames"))
	}
	if got := sweepValues(t, "supp7_frames_sweep.ngs", "length"); strings.Join(got, " ") != strings.Join(frames, " ") {
		t.Errorf("supp 7 sweeps %v, the reference configs have %v", got, frames)
	}
	var fills []string
	for _, config := range []string{"signal_fig_supp_8.yaml", "signal_fig_supp_8_3.yaml", "signal_fig_supp_8_2.yaml", "signal_fig_supp_8_1.yaml"} {
		fills = append(fills, configValue(t, config, "connectivity_filling_factor"))
	}
	if got := sweepValues(t, "supp8_sparsity_sweep.ngs", "fill"); strings.Join(got, " ") != strings.Join(fills, " ") {
		t.Errorf("supp 8 sweeps %v, the reference configs have %v", got, fills)
	}
}

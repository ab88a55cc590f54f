package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestCheckGolden")

// checkCases are copies of shipped scripts, each with one setting misspelt
// or given a value of the wrong type (or a learned function given inputs
// it cannot take). `ngs check` must report each with
// its FILE:LINE:COL, the source line and a caret (and a "did you mean"
// for a misspelling), and `ngs run` must report the same before anything
// runs. The expected outputs are in testdata/check/NAME.golden.
var checkCases = []struct {
	name, script, old, new string
}{
	{"network_setting", "quickstart.ngs", "    noise = 0\n", "    noize = 0\n"},
	{"type_parameter_string", "fig2.ngs", "type B { g = 10; s = 2", "type B { g = \"10\"; s = 2"},
	{"model_setting", "quickstart.ngs", "    embedding = 2\n", "    embeding = 2\n"},
	{"mlp_setting", "supp13_n4.ngs", "hidden = 64", "hiden = 64"},
	{"train_setting", "quickstart.ngs", "    epochs = epochs\n", "    epochz = epochs\n"},
	{"train_string_for_number", "fig2.ngs", "    batch = 16\n", "    batch = \"16\"\n"},
	{"train_choice", "supp10_noise.ngs", "seed = ", "solver = \"altrnating\"\n    seed = "},
	{"lr_group", "fig2.ngs", "lr { W = 1e-2; phi = 2e-3; psi", "lr { W = 1e-2; phii = 2e-3; psi"},
	{"cluster_hook", "fig2.ngs", "cluster(threshold = 0.1", "cluster(treshold = 0.1"},
	{"cluster_hook_type", "quickstart.ngs", "refit = 20", "refit = \"20\""},
	{"report_setting", "fig2.ngs", "report(fit, truth = fig2", "report(fit, truht = fig2"},
	{"simulate_string_for_number", "supp5_transfer.ngs", "frames = frames", "frames = \"frames\""},
	{"psi_inputs", "quickstart.ngs", "psi = mlp(u[j],", "psi = mlp(u[j], u[j],"},
	{"phi_inputs", "supp13_n4.ngs", "phi = mlp(u[i], a[i],", "phi = mlp(u[i], a[j],"},
	{"fn_in_equation", "quickstart.ngs", "network quick {", "fn sq(x) = x * x\nnetwork quick {\n    halfsq(u) = 0.5 * sq(u)"},
}

func TestCheckGolden(t *testing.T) {
	dir := t.TempDir()
	for _, c := range checkCases {
		t.Run(c.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", "scripts", c.script))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte(c.old)) {
				t.Fatalf("%s no longer contains %q: update the case", c.script, c.old)
			}
			path := filepath.Join(dir, c.name+".ngs")
			if err := os.WriteFile(path, bytes.Replace(src, []byte(c.old), []byte(c.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := dispatch([]string{"check", path}, &stdout, &stderr)
			got := strings.ReplaceAll(stderr.String(), dir+string(filepath.Separator), "")
			if code != exitScript || stdout.Len() > 0 {
				t.Fatalf("ngs check: exit %d, stdout %q, stderr\n%s", code, stdout.String(), got)
			}
			golden := filepath.Join("testdata", "check", c.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("ngs check %s:\n%s\nwant:\n%s", c.name, got, want)
			}
			// ngs run reports the same error before anything runs: no
			// progress line, no output folder.
			out := filepath.Join(dir, c.name+"-out")
			stdout.Reset()
			stderr.Reset()
			code = dispatch([]string{"run", path, "--out", out}, &stdout, &stderr)
			runGot := strings.ReplaceAll(stderr.String(), dir+string(filepath.Separator), "")
			if code != exitScript || runGot != got || stdout.Len() > 0 {
				t.Fatalf("ngs run: exit %d, stdout %q, stderr\n%s", code, stdout.String(), runGot)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("ngs run made %s before reporting the error", out)
			}
		})
	}
}

// TestCheckAcceptsHookVariables checks that the names docs/LANGUAGE.md
// promises inside every K epochs { } pass the check.
func TestCheckAcceptsHookVariables(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "scripts", "quickstart.ngs"))
	if err != nil {
		t.Fatal(err)
	}
	old := "every 4 epochs { cluster(threshold = 0.1, refit = 20) }"
	if !bytes.Contains(src, []byte(old)) {
		t.Fatalf("quickstart.ngs no longer contains %q", old)
	}
	src = bytes.Replace(src, []byte(old), []byte("every 4 epochs {\n        cluster(threshold = 0.1, refit = 20)\n        print(\"epoch\", epoch, \"loss\", fit.loss)\n    }"), 1)
	path := filepath.Join(t.TempDir(), "hooks.ngs")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"check", path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("ngs check: exit %d\n%s", code, stderr.String())
	}
}

package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = Main(args, &out, &errs)
	return code, out.String(), errs.String()
}

func TestMainWritesScript(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(fixtures, "signal_fig_2.yaml")
	out := filepath.Join(dir, "fig2.ngs")
	code, stdout, stderr := runMain("-o", out, config)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := convertFile(t, config)
	if string(written) != want || stdout != "" {
		t.Errorf("-o should write the conversion to the file and nothing to stdout (stdout %q)", stdout)
	}
	if !strings.Contains(stderr, "not mapped: plotting.{") || !strings.Contains(stderr, "wrote "+out) {
		t.Errorf("stderr should list the unmapped fields and the file written: %s", stderr)
	}
	code, stdout, _ = runMain(config)
	if code != 0 || stdout != want {
		t.Errorf("without -o the script goes to stdout (exit %d)", code)
	}
	if code, _, _ = runMain(config, "-o="+out); code != 0 {
		t.Errorf("-o=FILE after the config should work, exit %d", code)
	}
}

func TestMainExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("simulation: [1, 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(fixtures, "signal_fig_2.yaml")
	cases := []struct {
		args    []string
		code    int
		message string
	}{
		{nil, 2, "expected a config file"},
		{[]string{"-x", config}, 2, "unknown flag -x"},
		{[]string{config, config}, 2, "found a second"},
		{[]string{config, "-o"}, 2, "-o needs a file name"},
		{[]string{filepath.Join(dir, "missing.yaml")}, 1, "no such file"},
		{[]string{bad}, 1, "malformed YAML"},
		{[]string{config, "-o", filepath.Join(dir, "no", "such", "dir.ngs")}, 1, "no such file"},
	}
	for _, c := range cases {
		code, _, stderr := runMain(c.args...)
		if code != c.code || !strings.Contains(stderr, c.message) {
			t.Errorf("Main(%q) = %d with %q; want %d with %q", c.args, code, stderr, c.code, c.message)
		}
	}
	if code, stdout, _ := runMain("-h"); code != 0 || !strings.Contains(stdout, Usage) {
		t.Errorf("-h should print the usage and exit 0, got %d %q", code, stdout)
	}
}

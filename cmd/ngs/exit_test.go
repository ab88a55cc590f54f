package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	// A builtin that fails like a bug in ngs, for the exit status test.
	runtime.Register(&runtime.Builtin{Name: "test_internal_panic", Doc: "test_internal_panic(): panics (tests only)",
		Fn: func(c *runtime.Call) (runtime.Value, error) { panic("deliberate test panic") }})
}

// Exit status 1 for script and data errors (never 2), 2 for usage only,
// 3 for an internal failure; no Go trace in any of them.
func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(src), 0o644)
		return p
	}
	fifo := filepath.Join(dir, "fifo.npy")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", write("zeros.ngs", "z = zeros(1e19)\n")}, exitScript, "zeros.ngs:1:11"},
		{[]string{"run", write("huge.ngs", "x = range(0, 1e12)\n")}, exitScript, "too long"},
		{[]string{"run", write("fifo.ngs", "x = load(\""+fifo+"\")\n")}, exitScript, "named pipe"},
		{[]string{"run", fifo}, exitScript, "named pipe"},
		{[]string{"run", write("panic.ngs", "test_internal_panic()\n")}, exitInternal, "internal error"},
		{[]string{"run"}, exitUsage, "missing FILE"},
		{[]string{"run", write("ok.ngs", "x = 1\n"), "--set", "y=2"}, exitUsage, "no top-level assignment"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- dispatch(append(c.args, "--out", filepath.Join(dir, "out")), &stdout, &stderr) }()
		select {
		case code := <-done:
			if code != c.code || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("ngs %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr.String(), c.code, c.want)
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("ngs %v printed a Go trace: %s", c.args, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ngs %v hung", c.args)
		}
	}
}

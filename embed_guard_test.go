package ngs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ngs-lab/ngs"
)

const guardNet = `
network net {
    neurons = 20
    type A { c = 1 }
    du/dt = -c*u + sum_j W[i,j] * tanh(u[j])
    W = gaussian()
    u0 = normal(0, 1)
}
`

// Symbolic links at out/sim/u.npy and out/sim/W.npy, inside the root but
// pointing outside it, are not written through by a plain simulate: every
// file is opened through os.Root, not only its folder checked.
func TestRootSimulateDoesNotFollowLinksOut(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	sim := filepath.Join(root, "out", "sim")
	for _, d := range []string{sim, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"u.npy", "W.npy"} {
		target := filepath.Join(outside, name)
		os.WriteFile(target, []byte("outside"), 0o644)
		if err := os.Symlink(target, filepath.Join(sim, name)); err != nil {
			t.Fatal(err)
		}
	}
	prog := compile(t, guardNet+"d = simulate(net, frames = 50, burnin = 5)\n", ngs.Config{})
	_, err := prog.Run(context.Background(), ngs.RunConfig{Root: root, OutDir: "out"})
	// W.npy is written to a temporary file and renamed over the link (the
	// link is replaced, its target untouched); u.npy is created in place,
	// and os.Root refuses to follow the link out.
	wantErr(t, err, "u.npy", "outside the allowed root")
	for _, name := range []string{"u.npy", "W.npy"} {
		if b, _ := os.ReadFile(filepath.Join(outside, name)); string(b) != "outside" {
			t.Fatalf("%s outside the root was written through the link: %q", name, b)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 2 {
		t.Fatalf("files appeared outside the root: %v", entries)
	}
}

// A FIFO given to load() is refused at once, in a confined run and not.
func TestLoadFIFORefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.npy")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	prog := compile(t, "x = load(path)\n", ngs.Config{Globals: []string{"path"}})
	for _, rc := range []ngs.RunConfig{{Root: dir, Vars: map[string]any{"path": "fifo.npy"}}, {Vars: map[string]any{"path": fifo}}} {
		done := make(chan error, 1)
		go func() { _, err := prog.Run(context.Background(), rc); done <- err }()
		select {
		case err := <-done:
			wantErr(t, err, "test.ngs:1:10", "fifo.npy", "named pipe (FIFO)")
		case <-time.After(5 * time.Second):
			t.Fatal("load of a FIFO blocked")
		}
	}
}

// List and string sizes are bounded by Config.Limits, before the value is
// built, with an error at the expression.
func TestLimitsOnListsAndStrings(t *testing.T) {
	cfg := ngs.Config{Limits: ngs.Limits{MaxList: 1000, MaxString: 4096}}
	prog := compile(t, "x = [1]\nfor k in range(0, 20) {\n    x = x + x\n}\n", cfg)
	_, err := prog.Run(context.Background(), ngs.RunConfig{})
	wantErr(t, err, "test.ngs:3:11", "a list of 1024 elements exceeds the limit of 1000")
	prog = compile(t, "s = \"ab\"\nfor k in range(0, 20) {\n    s = s + s\n}\n", cfg)
	_, err = prog.Run(context.Background(), ngs.RunConfig{})
	wantErr(t, err, "test.ngs:3:11", "a string of 8192 bytes exceeds the limit of 4096")
	_, err = compile(t, "x = range(0, 5000)\n", cfg).Run(context.Background(), ngs.RunConfig{})
	wantErr(t, err, "exceeds the limit of 1000")
	// The defaults allow ordinary work.
	if _, err := compile(t, "x = range(0, 100000)\ns = format(\"%d\", len(x))\n", ngs.Config{}).Run(context.Background(), ngs.RunConfig{}); err != nil {
		t.Fatal(err)
	}
}

// Memory estimates refuse impossible sizes with the estimate and the limit.
func TestMemoryEstimatesRefuse(t *testing.T) {
	cfg := ngs.Config{Limits: ngs.Limits{Memory: 1 << 29}}
	cases := []struct{ src, want string }{
		{"z = zeros(1e19)\n", "dimension 1e+19 is larger than"},
		{"z = zeros(16000, 16000)\n", "a tensor of shape [16000 16000] would need about 1.0 GB of memory, more than the configured memory limit of 536.9 MB"},
		{"z = normal(0, 1, shape = [1e5, 1e5])\n", "more than the 268435456"},
		{strings.Replace(guardNet, "neurons = 20", "neurons = 65536", 1), "W of 65536×65536 float32 and one more array of its size (a copy, or the learned Ŵ) would need about 34.4 GB of memory, more than the configured memory limit of 536.9 MB; use fewer neurons"},
		{guardNet + "d = simulate(net, frames = 1e15)\n", "memory = false"},
		{guardNet + "d = simulate(net, frames = 1e9)\n", "160.0 GB"},
		{guardNet + "d = simulate(net, frames = 1e19)\n", "more than the 1e+15 steps"},
		{"model m {\n    psi = mlp(u[j], hidden = 1e12)\n    phi = mlp(u[i], a[i])\n}\n", "test.ngs:2:11: psi = mlp(hidden = 1e+12, layers = 3)"},
	}
	for _, c := range cases {
		_, err := compile(t, c.src, cfg).Run(context.Background(), ngs.RunConfig{})
		wantErr(t, err, c.want)
		if strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", c.src, err)
		}
	}
}

// Cancelling stops a run promptly even when each step is slow (a list
// doubled many times) or a builtin builds a long list.
func TestCancelStopsLongSteps(t *testing.T) {
	for _, src := range []string{
		"x = [1, 2, 3, 4]\nfor k in range(0, 23) {\n    x = x + x\n}\n",
		"for k in range(0, 100) {\n    r = range(0, 10_000_000)\n}\n",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		_, err := compile(t, src, ngs.Config{}).Run(ctx, ngs.RunConfig{})
		cancel()
		wantErr(t, err, "run stopped: deadline exceeded")
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q stopped %v after its deadline of 100 ms", src, d)
		}
	}
}

// NaN in a loaded W names the file and index; divergence in burn-in says so.
func TestNonFiniteDataNamedAtEntry(t *testing.T) {
	dir := t.TempDir()
	prog := compile(t, `w = zeros(20, 20)
save("w.npy", w)
`, ngs.Config{})
	if _, err := prog.Run(context.Background(), ngs.RunConfig{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	// Poke a NaN at [2, 3] (float32 0x7fc00000, little-endian).
	path := filepath.Join(dir, "w.npy")
	b, _ := os.ReadFile(path)
	off := len(b) - 400*4 + (2*20+3)*4
	copy(b[off:], []byte{0, 0, 0xc0, 0x7f})
	os.WriteFile(path, b, 0o644)
	src := strings.Replace(guardNet, "W = gaussian()", "W = load(path)", 1)
	_, err := compile(t, src, ngs.Config{Globals: []string{"path"}}).Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"path": path}})
	wantErr(t, err, "w.npy holds NaN at index [2, 3]")
	src = strings.Replace(guardNet, "W = gaussian()", "W = gaussian()\n    type B { c = -1e30 }", 1) + "d = simulate(net, frames = 10, burnin = 50)\n"
	_, err = compile(t, src, ngs.Config{}).Run(context.Background(), ngs.RunConfig{})
	wantErr(t, err, "diverged during burn-in, at step")
	if strings.Contains(err.Error(), "frame -") {
		t.Fatalf("burn-in reported as a negative frame: %v", err)
	}
}

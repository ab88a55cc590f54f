package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/ops/npy"
)

// crashScript simulates long enough to be killed in the middle.
const crashScript = `
network net {
    neurons = 50
    type A { c = 1 }
    du/dt = -c*u + 2 * sum_j W[i,j] * tanh(u[j])
    W = gaussian()
    u0 = normal(0, 1)
}
print("starting")
d = simulate(net, frames = 50_000_000, burnin = 10, memory = false)
`

// An ngs process killed with SIGKILL in the middle of simulate leaves
// u.npy and du.npy valid: their headers state rows that are all there,
// and they read back with no torn-file tolerance.
func TestSIGKILLMidSimulateLeavesReadableFiles(t *testing.T) {
	bin, err := exec.LookPath("ngs") // the test binary, placed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "long.ngs")
	os.WriteFile(script, []byte(crashScript), 0o644)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "run", script, "--out", out)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "starting") {
	}
	// Wait until the header of u.npy states some rows (a flush happened
	// at least once; flushes come every megabyte or every second).
	u := filepath.Join(out, "sim", "u.npy")
	deadline := time.Now().Add(20 * time.Second)
	for {
		h, err := npy.ReadHeaderFile(u)
		if err == nil && len(h.Shape) == 2 && h.Shape[0] > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("u.npy never stated any rows: %v %v", h.Shape, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // kill it mid-run, between flushes
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the child was not killed by a signal: %v", err)
	}
	for _, name := range []string{"u.npy", "du.npy"} {
		data, shape, err := npy.ReadFloat32(filepath.Join(out, "sim", name))
		if err != nil {
			t.Fatalf("%s after SIGKILL: %v", name, err)
		}
		if len(shape) != 2 || shape[0] < 1 || shape[1] != 50 || len(data) != shape[0]*50 {
			t.Fatalf("%s: shape %v with %d values", name, shape, len(data))
		}
		if k := npy.FirstNonFinite(data); k >= 0 {
			t.Fatalf("%s: value %d is %v", name, k, data[k])
		}
		t.Logf("%s: %d whole frames readable after SIGKILL", name, shape[0])
	}
	// The rows hold the simulation, not zeros.
	data, _, _ := npy.ReadFloat32(u)
	nonzero := 0
	for _, v := range data {
		if v != 0 {
			nonzero++
		}
	}
	if nonzero < len(data)/2 {
		t.Fatalf("u.npy holds %d non-zero values of %d", nonzero, len(data))
	}
}

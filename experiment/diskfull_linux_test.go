package experiment

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// diskFullChild runs in a child process (see TestSimulateDiskFull): it lowers
// RLIMIT_FSIZE to NGS_DISKFULL_LIMIT bytes, so that every write past that
// offset fails (EFBIG: a writer that fails after k bytes, at the system
// level; Go ignores SIGXFSZ), runs a simulation into NGS_DISKFULL_DIR and
// prints its error.
func diskFullChild() {
	limit, _ := strconv.ParseUint(os.Getenv("NGS_DISKFULL_LIMIT"), 10, 64)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Println("SETUP:", err)
		os.Exit(0)
	}
	prog, err := runtime.Compile("full.ngs", []byte(fig2Net+"d = simulate(net, dt = 0.01, frames = "+os.Getenv("NGS_DISKFULL_FRAMES")+", burnin = 10)\n"), runtime.CompileOptions{})
	if err != nil {
		fmt.Println("SETUP:", err)
		os.Exit(0)
	}
	var out bytes.Buffer
	_, err = prog.Run(context.Background(), runtime.RunOptions{Stdout: &out, OutDir: os.Getenv("NGS_DISKFULL_DIR")})
	fmt.Println("ERR:", err)
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if os.Getenv("NGS_DISKFULL_DIR") != "" {
		diskFullChild()
	}
	os.Exit(m.Run())
}

// A disk that fills during a simulation: the error names the file and the
// frames it keeps, every file is a valid .npy (the streamed ones hold
// exactly the whole frames the error gives), the files written before the
// recording (W, types, params) are intact, and a file that cannot be
// written whole leaves the previous run's copy in place, with no
// temporary file behind.
func TestSimulateDiskFull(t *testing.T) {
	out := t.TempDir()
	sim := filepath.Join(out, "sim")
	child := func(limit, frames int) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "NGS_DISKFULL_DIR="+out, fmt.Sprintf("NGS_DISKFULL_LIMIT=%d", limit), fmt.Sprintf("NGS_DISKFULL_FRAMES=%d", frames))
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, b)
		}
		return string(b)
	}
	// A first, complete run of 300 frames.
	if got := child(1<<30, 300); !strings.Contains(got, "ERR: <nil>") {
		t.Fatalf("first run: %s", got)
	}
	read := func(name string) []int {
		t.Helper()
		_, shape, err := npy.ReadFloat32(filepath.Join(sim, name))
		if err != nil {
			t.Fatalf("%s after the run: %v", name, err)
		}
		return shape
	}
	if s := read("u.npy"); s[0] != 300 || s[1] != 40 {
		t.Fatalf("first run: u.npy %v", s)
	}
	wBefore, err := os.ReadFile(filepath.Join(sim, "W.npy"))
	if err != nil {
		t.Fatal(err)
	}
	// 40,000 bytes a file: W (6.4 kB), types and params fit; u and du
	// (160 bytes a frame after a 128-byte header) hold 249 whole frames.
	got := child(40_000, 2000)
	for _, want := range []string{"ERR: ", filepath.Join(sim, "u.npy"), "file too large", "the file keeps the 249 rows written before it",
		"u.npy holds 249", "each a valid .npy"} {
		if !strings.Contains(got, want) {
			t.Errorf("disk full during the recording: output lacks %q:\n%s", want, got)
		}
	}
	if s := read("u.npy"); s[0] != 249 {
		t.Errorf("u.npy holds %v, want 249 frames", s)
	}
	if s := read("W.npy"); s[0] != 40 || s[1] != 40 {
		t.Errorf("W.npy %v", s)
	}
	read("types.npy")
	read("params.npy")
	// 3,000 bytes: W.npy itself cannot be written; the previous W.npy stays.
	got = child(3_000, 100)
	if !strings.Contains(got, "npy: writing "+filepath.Join(sim, "W.npy")) || !strings.Contains(got, "file too large") {
		t.Errorf("disk full while writing W.npy:\n%s", got)
	}
	if after, err := os.ReadFile(filepath.Join(sim, "W.npy")); err != nil || !bytes.Equal(after, wBefore) {
		t.Errorf("W.npy changed by the failed write (err %v)", err)
	}
	left, _ := filepath.Glob(filepath.Join(sim, ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

package experiment

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
)

// A recording file cut short by a killed run: recording() refuses it with
// the file, the frames its header declares and the whole frames it holds,
// and the remedy it names (load, which keeps the whole frames) works.
func TestRecordingTruncatedFile(t *testing.T) {
	const frames, n = 200, 5
	u := make([]float32, frames*n)
	for f := 0; f < frames; f++ {
		for j := 0; j < n; j++ {
			u[f*n+j] = float32(math.Sin(0.05*float64(f) + float64(j)))
		}
	}
	path := filepath.Join(t.TempDir(), "u.npy")
	if err := npy.WriteFloat32(path, u, frames, n); err != nil {
		t.Fatal(err)
	}
	h, err := npy.ReadHeaderFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// 123 whole frames and 7 bytes of the next, as a kill mid-write leaves.
	if err := os.Truncate(path, h.DataOffset+123*4*n+7); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, fmt.Sprintf("d = recording(u = %q, dt = 0.01)", path))
	want := path + " is cut short (a run killed while writing it, or a full disk): its header declares 200 frames of 5 values but it holds 123 whole frames and 7 bytes of a torn one; load(\"" + path + "\") reads the 123 whole frames"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("truncated u.npy: %v\nwant %q", err, want)
	}
	in, out, err := run(t, fmt.Sprintf("d = recording(u = load(%q), dt = 0.01, holdout = 0)", path))
	if err != nil {
		t.Fatalf("recording(u = load(...)): %v", err)
	}
	if !strings.Contains(out, "reading the 123 whole rows") {
		t.Errorf("load did not warn about the torn row:\n%s", out)
	}
	if d := global(t, in, "d").(*Dataset); d.Frames < 100 || d.Frames > 123 || len(d.Neurons) != n {
		t.Errorf("dataset from the whole frames: %d frames, %d neurons", d.Frames, len(d.Neurons))
	}
	// Not one whole frame: nothing to recover, and it says so.
	if err := os.Truncate(path, h.DataOffset+11); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, fmt.Sprintf("d = recording(u = %q, dt = 0.01)", path))
	if err == nil || !strings.Contains(err.Error(), "it holds 0 whole frames and 11 bytes of a torn one; no frame can be recovered from it") {
		t.Fatalf("file with no whole frame: %v", err)
	}
}

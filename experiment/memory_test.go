package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
)

// A simulation whose recording and the training on it cannot fit is
// refused before it starts, with the estimate of each part and the memory
// there is (here set by NGS_MEMORY); one that fits runs.
func TestSimulateRefusedBeforeRunning(t *testing.T) {
	t.Setenv("NGS_MEMORY", "5MB")
	in, _, err := run(t, fig2Net+`d = simulate(net, dt = 0.01, frames = 2000, burnin = 10)`)
	if err != nil {
		t.Fatalf("2000 frames of 40 neurons under 5 MB: %v", err)
	}
	if d := global(t, in, "d").(*Dataset); d.Frames != 2000 {
		t.Fatalf("%d frames recorded", d.Frames)
	}
	_, _, err = run(t, fig2Net+`d = simulate(net, dt = 0.01, frames = 20000, burnin = 10)`)
	if err == nil {
		t.Fatal("20000 frames × 40 neurons × u, du (6.4 MB) under 5 MB ran")
	}
	for _, want := range []string{"simulate(net, frames = 20000)", "2 recorded array(s) of 20000 frames × 40 neurons in memory 6.4 MB",
		"then training on it (the default recipe)", "Gram matrices", "more than the 5.0 MB set by NGS_MEMORY", "use fewer frames"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// train refuses before allocating when training cannot fit, with the
// estimate's parts (the data, read by recording() here, is already loaded).
func TestTrainRefusedBeforeAllocating(t *testing.T) {
	const frames, n = 200, 5
	u := make([]float32, frames*n)
	for k := range u {
		u[k] = float32(math.Sin(0.05*float64(k/n) + float64(k%n)))
	}
	path := filepath.Join(t.TempDir(), "u.npy")
	if err := npy.WriteFloat32(path, u, frames, n); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NGS_MEMORY", "100kB")
	_, _, err := run(t, fmt.Sprintf("data = recording(u = %q, dt = 0.01)\n", path)+trainBlock)
	for _, want := range []string{"training on N = 5 neurons", "(on top of u and du, already loaded:", "MLP work of a batch",
		"more than the 100.0 kB set by NGS_MEMORY", "NGS_MEMORY=BYTES to go ahead anyway"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("train under 100 kB: error lacks %q:\n%v", want, err)
		}
	}
}

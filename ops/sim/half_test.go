package sim

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/ops/vec"
)

// TestHalfWeightsSimulateTheRoundedNetwork checks that a run with
// HalfWeights rounds W in place, records the rounded W, and simulates
// exactly that network: the plain-Go reference on the rounded weights
// gives the same activity. N = 70 exercises the kernel's 16-column body
// and the tail.
func TestHalfWeightsSimulateTheRoundedNetwork(t *testing.T) {
	ctx := context.Background()
	n := 70
	net := smallNetwork(nil, n)
	net.Noise = 1
	original := slices.Clone(net.W)
	dir := t.TempDir()
	opt := Options{Dt: 0.01, Frames: 150, Burnin: 10, Seed: 9, OutDir: dir, HalfWeights: true}
	half, err := Run(ctx, net, opt)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for k, w := range net.W {
		if vec.Float32FromHalf(vec.HalfFromFloat32(w)) != w {
			t.Fatalf("W[%d] = %g is not a half value after the run", k, w)
		}
		if w != original[k] {
			changed++
		}
	}
	if changed < len(original)/2 {
		t.Fatalf("only %d of %d weights changed: W was not rounded", changed, len(original))
	}
	recorded, err := npy.Options{}.Read(filepath.Join(dir, "W.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recorded.Data, net.W) {
		t.Fatal("W.npy does not hold the rounded weights")
	}
	opt.OutDir, opt.HalfWeights = "", false
	ref, err := Reference(ctx, net, opt)
	if err != nil {
		t.Fatal(err)
	}
	if d, at := maxRelDiff(half.U, ref.U); d > 1e-5 {
		t.Fatalf("frame %d neuron %d: half run %v, reference on the rounded W %v (rel diff %.2g)", at/n, at%n, half.U[at], ref.U[at], d)
	}
}

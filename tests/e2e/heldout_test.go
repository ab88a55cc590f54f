package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs"
	"github.com/ngs-lab/ngs/ops/npy"
)

// Bars of the short held-out runs (100 neurons, 8000 frames, 8 epochs with
// clustering after epochs 4 and 8): measured 0.94–0.9997 for W R² with
// train's seed 42 (session 4), and gauss3 at 0.9106 since train takes the
// script's seed 7 (session 5): these short runs have not converged, and
// where they end depends on the seed; 0.81–1 for type accuracy
// (constant4's 25-neuron types C and D are not yet apart). A breakdown
// (types chained together, Ŵ frozen, a solver error) falls far below. The
// full-length suite is held to 0.98, 0.05 and 0.95 (docs/RESULTS.md).
const (
	heldOutMinR2       = 0.90
	heldOutSlopeTol    = 0.1
	heldOutMinAccuracy = 0.75
)

// TestHeldOutSuiteShort trains short versions of the six held-out networks
// of scripts/bench/heldout.ngs (networks unlike the paper's: Gaussian and
// low-rank-plus-sparse wiring, random 3 and 5 types, sigmoid, softplus and
// softsign transfer functions, noise up to 1, a constant neuron) with the
// script's one default recipe, and checks that none ends in an error and
// that each recovers W and the types. The full-length suite is
// scripts/bench/heldout.sh (W R² ≥ 0.98 and accuracy ≥ 0.95 there).
func TestHeldOutSuiteShort(t *testing.T) {
	names := []string{"gauss3", "lowrank5", "sigmoid4", "softplus3", "constant4", "softsign5"}
	for c, name := range names {
		t.Run(name, func(t *testing.T) {
			m, _ := runScript(t, "scripts/bench/heldout.ngs", "report",
				map[string]any{"case": c, "neurons": 100, "frames": 8000, "epochs": 8})
			r2, slope := metric(t, m, "connectivity", "r2"), metric(t, m, "connectivity", "slope")
			acc := metric(t, m, "types", "accuracy")
			t.Logf("%s: W R² %.4f slope %.3f, type accuracy %.3f", name, r2, slope, acc)
			if r2 < heldOutMinR2 || slope < 1-heldOutSlopeTol || slope > 1+heldOutSlopeTol {
				t.Errorf("%s: W R² %.4f slope %.3f, expected R² ≥ %g and slope within %g of 1", name, r2, slope, heldOutMinR2, heldOutSlopeTol)
			}
			if acc < heldOutMinAccuracy {
				t.Errorf("%s: type accuracy %.3f, expected ≥ %g", name, acc, heldOutMinAccuracy)
			}
		})
	}
}

// TestEveryScriptRunsSmall runs every script in scripts/ and scripts/bench/
// at neurons = 64, frames = 2000, epochs = 1 (batch = 4 and steps = 50 where
// the script has them): none may end in an error. Fig 3's movie comes from a
// small file the test writes, so that the test needs nothing outside the
// repository.
func TestEveryScriptRunsSmall(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, dir := range []string{"scripts", filepath.Join("scripts", "bench")} {
		found, err := filepath.Glob(filepath.Join(root, dir, "*.ngs"))
		if err != nil || len(found) == 0 {
			t.Fatalf("no scripts in %s: %v", dir, err)
		}
		paths = append(paths, found...)
	}
	movie := filepath.Join(t.TempDir(), "movie.npy")
	frames := make([]float32, 20*32*32)
	for k := range frames {
		frames[k] = float32(k%97) / 97
	}
	if err := npy.WriteFloat32(movie, frames, 20, 32, 32); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, path := range paths {
		name, err := filepath.Rel(filepath.Join(root, "scripts"), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(name, ".ngs"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			over := map[string]any{"neurons": 64, "frames": 2000, "epochs": 1}
			for _, opt := range []struct {
				name string
				v    any
			}{{"batch", 4}, {"steps", 50}, {"movie_file", movie}} {
				if strings.Contains(string(src), "\n"+opt.name+" = ") {
					over[opt.name] = opt.v
				}
			}
			prog, err := ngs.Compile(name, src, ngs.Config{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := prog.Run(context.Background(), ngs.RunConfig{OutDir: t.TempDir(), Overrides: over})
			if err != nil {
				out := ""
				if res != nil {
					out = res.Output()
				}
				t.Fatalf("%s with %v: %v\n%s", name, over, err, out)
			}
		})
	}
}

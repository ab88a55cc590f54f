package connect

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
)

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.5g, want %.5g within %.0f%%", what, got, want, 100*rel)
	}
}

func checkFig2Stats(t *testing.T, name string, s Stats) {
	within(t, name+" std", s.Std, 0.0307, 0.03)
	within(t, name+" max|w|", s.MaxAbs, 0.1986, 0.02)
	within(t, name+" nonzero fraction", s.NonZero, 0.974, 0.01)
}

// referenceBlock is the top-left 100×100 block of the reference's Fig 2
// wiring (shared/reference/fig2_W.npy, 4 MB, whose std 0.0307, max |w|
// 0.1986 and non-zero fraction 0.974 checkFig2Stats holds), copied into
// testdata so that the tests need no ../shared.
const referenceBlock = "testdata/fig2_W_block100.npy"

// TestReferenceWStatistics reads the block numpy wrote and checks that its
// statistics are those of the whole matrix (the block's own: std 0.0309,
// max |w| 0.1982, 96.4 % non-zero with its zero diagonal).
func TestReferenceWStatistics(t *testing.T) {
	w, err := Load(referenceBlock, 100)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(w)
	within(t, "block std", s.Std, 0.0307, 0.03)
	within(t, "block max|w|", s.MaxAbs, 0.1986, 0.02)
	within(t, "block non-zero fraction", s.NonZero, 0.974-0.01, 0.01)
}

func TestCauchyMatchesReferenceStatistics(t *testing.T) {
	w, err := Cauchy(1000, 0, 0, rand.New(rand.NewPCG(42, 42)))
	if err != nil {
		t.Fatal(err)
	}
	checkFig2Stats(t, "Cauchy(1000)", Summarize(w))
	for i := 0; i < 1000; i++ {
		if w[i*1000+i] != 0 {
			t.Fatalf("diagonal %d is %v", i, w[i*1000+i])
		}
	}
}

func TestCauchyExponent(t *testing.T) {
	cases := map[int]float64{1000: 0.7, 1999: 0.7, 2048: 0.675, 4000: 0.67, 7999: 0.67, 8000: 0.66, 8001: 0.5}
	for n, p := range cases {
		if got := CauchyExponent(n); got != p {
			t.Errorf("CauchyExponent(%d) = %g, want %g", n, got, p)
		}
	}
}

func TestGaussianAndLowRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w, _ := Gaussian(400, rng)
	within(t, "Gaussian std·√N", Summarize(w).Std*20, 1, 0.02)
	lr, err := LowRank(200, 2, rng)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "LowRank std·√N", Summarize(lr).Std*math.Sqrt(200), 1, 0.25)
	// Rank 1: every 2×2 minor away from the diagonal vanishes.
	r1, _ := LowRank(50, 1, rng)
	minor := float64(r1[1*50+2]*r1[3*50+4] - r1[1*50+4]*r1[3*50+2])
	if math.Abs(minor) > 1e-6 {
		t.Fatalf("rank-1 matrix has a non-zero minor %g", minor)
	}
	if _, err := LowRank(10, 0, rng); err == nil {
		t.Fatal("rank 0 accepted")
	}
}

func TestSparsifyAndDale(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w, _ := Gaussian(300, rng)
	if err := Sparsify(w, 0.1, rng); err != nil {
		t.Fatal(err)
	}
	within(t, "filling factor", Summarize(w).NonZero, 0.1, 0.05)
	inhib, err := Dale(w, 300, 0.2, rng)
	if err != nil || len(inhib) != 60 {
		t.Fatalf("Dale: %d inhibitory, %v", len(inhib), err)
	}
	isInhib := map[int]bool{}
	for _, j := range inhib {
		isInhib[j] = true
	}
	for k, v := range w {
		if v != 0 && (v < 0) != isInhib[k%300] {
			t.Fatalf("weight %d (sender %d) = %v breaks Dale's law", k, k%300, v)
		}
	}
	if err := Sparsify(w, 0, rng); err == nil {
		t.Fatal("filling factor 0 accepted")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.npy")
	npy.WriteFloat32(path, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if _, err := Load(path, 2); err == nil || !strings.Contains(err.Error(), "expected (2, 2), found (2, 3)") {
		t.Fatalf("wrong shape: %v", err)
	}
	square := filepath.Join(dir, "square.npy")
	npy.WriteFloat32(square, []float32{1, 2, 3, 4}, 2, 2)
	w, err := Load(square, 2)
	if err != nil || w[0] != 0 || w[1] != 2 {
		t.Fatalf("load: %v %v (diagonal must be zeroed)", w, err)
	}
	_, err = Load(referenceBlock, 50)
	if err == nil || !strings.Contains(err.Error(), "fig2_W_block100.npy") {
		t.Fatalf("wrong N: %v", err)
	}
}

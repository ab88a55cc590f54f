package report

import (
	"math"
	"strings"
	"testing"
)

// A loss that spans less than a decade (26 down to 10, as in the quick
// start) still gets at least three labelled ticks.
func TestReadableLogTicks(t *testing.T) {
	for _, r := range [][2]float64{{9.97, 26.5}, {1, 50}, {0.002, 0.0031}, {3, 7}} {
		labels := 0
		for _, tk := range (readableLogTicks{}).Ticks(r[0], r[1]) {
			if tk.Label != "" {
				labels++
				if tk.Value < r[0]*(1-1e-9) || tk.Value > r[1]*(1+1e-9) {
					t.Errorf("range %v: tick %v outside", r, tk.Value)
				}
			}
		}
		if labels < 3 {
			t.Errorf("range %v: %d labelled ticks, want at least 3", r, labels)
		}
	}
}

func TestNiceNumber(t *testing.T) {
	for x, want := range map[float64]float64{0.8 * 27: 20, 4.9: 2, 5: 5, 0.013: 0.01, 99: 50} {
		if got := niceNumber(x); math.Abs(got-want) > 1e-12 {
			t.Errorf("niceNumber(%g) = %g, want %g", x, got, want)
		}
	}
}

// Neurons that share one embedding are spread on a disc around it, each at
// its own place, and points that do not coincide stay where they are.
func TestSpreadShared(t *testing.T) {
	xs := []float64{1, 1, 1, 1, 0, 3}
	ys := []float64{2, 2, 2, 2, 0, 5}
	spreadShared(xs, ys)
	seen := map[[2]float64]bool{}
	for i := range xs {
		p := [2]float64{xs[i], ys[i]}
		if seen[p] {
			t.Errorf("point %d still shares %v", i, p)
		}
		seen[p] = true
		if i < 4 && math.Hypot(xs[i]-1, ys[i]-2) > 0.2 {
			t.Errorf("point %d moved too far: %v", i, p)
		}
	}
	if xs[4] != 0 || ys[4] != 0 || xs[5] != 3 || ys[5] != 5 {
		t.Errorf("single points moved: %v %v", xs[4:], ys[4:])
	}
}

// Input neurons are drawn at their declared positions: a grid is
// recognised, scattered positions are drawn as they are, and a position
// outside [0, 1] is an error that names it.
func TestExternalInputPositions(t *testing.T) {
	xs := []float64{0, 0.5, 1, 0, 0.5, 1}
	ys := []float64{0, 0, 0, 1, 1, 1}
	if nx, ny, ok := gridShape(xs, ys); !ok || nx != 3 || ny != 2 {
		t.Errorf("3×2 grid read as %d×%d (%v)", nx, ny, ok)
	}
	if _, _, ok := gridShape([]float64{0.1, 0.7, 0.3}, []float64{0.2, 0.9, 0.4}); ok {
		t.Errorf("three scattered points read as a grid")
	}
	const k, frames = 40, 6
	e := ExternalInput{Frames: frames, X: make([]float32, k), Y: make([]float32, k)}
	for i := 0; i < k; i++ {
		e.X[i] = float32(0.5 + 0.45*math.Cos(float64(i)))
		e.Y[i] = float32(0.5 + 0.45*math.Sin(1.7*float64(i)))
	}
	for f := 0; f < frames; f++ {
		for i := 0; i < k; i++ {
			v := float32(1 + math.Sin(float64(i+f)))
			e.True = append(e.True, v)
			e.Learned = append(e.Learned, 0.5*v)
		}
	}
	r := New(t.TempDir(), Meta{})
	if err := r.AddExternalInput(e); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Value("external_input.r2"); v.(float64) < 0.999 {
		t.Errorf("R² %v for a scaled copy", v)
	}
	e.X[3] = 1.5
	if err := New(t.TempDir(), Meta{}).AddExternalInput(e); err == nil || !strings.Contains(err.Error(), "position 3") {
		t.Errorf("position outside [0, 1]: error %v", err)
	}
}

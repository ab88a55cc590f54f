package report

import (
	"bytes"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestExternalInputReferenceScoreAndGIF scores a learned field that is the
// true one times 0.5 with the reference's scale (ratio of the maxima at the
// first frame: slope 1, R² 1) and checks the animation: one frame per
// compared frame, true and learned side by side on the 4×3 grid.
func TestExternalInputReferenceScoreAndGIF(t *testing.T) {
	const nx, ny, frames = 4, 3, 5
	e := ExternalInput{Frames: frames, FrameZeroScale: true, What: "√e"}
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			e.X, e.Y = append(e.X, float32(i)/(nx-1)), append(e.Y, float32(j)/(ny-1))
		}
	}
	for f := 0; f < frames; f++ {
		for i := 0; i < nx*ny; i++ {
			v := float32(1 + 0.3*math.Sin(float64(i+2*f)))
			e.True, e.Learned = append(e.True, v), append(e.Learned, 0.5*v)
		}
	}
	dir := t.TempDir()
	r := New(dir, Meta{})
	if err := r.AddExternalInput(e); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"external_input.scale": 2, "external_input.slope": 1, "external_input.r2": 1} {
		if v, _ := r.Value(key); math.Abs(v.(float64)-want) > 1e-5 {
			t.Errorf("%s = %v, expected %g", key, v, want)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "external_input.gif"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != frames || g.Image[0].Bounds().Dx() != 2*nx*8+8 || g.Image[0].Bounds().Dy() != ny*8 {
		t.Errorf("animation: %d frames of %v, expected %d frames of %d×%d", len(g.Image), g.Image[0].Bounds(), frames, 2*nx*8+8, ny*8)
	}
}

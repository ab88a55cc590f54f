package report

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// LogLogPNG draws a readable PNG of the requested size; points that cannot
// sit on log axes are dropped, and a plot with none left, or with series of
// mismatched lengths, is an error naming the plot.
func TestLogLogPNG(t *testing.T) {
	n := []float64{1000, 2000, 4000, 8000}
	data, err := LogLogPNG("cost", "N", "ms", []Series{
		{Name: "linear", X: n, Y: []float64{1, 2, 4, 8}},
		{Name: "quadratic", X: n, Y: []float64{1, 4, 16, 0}}, // the 0 is left out
	}, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Fatalf("image is %d×%d, want 300×200", b.Dx(), b.Dy())
	}
	if _, err := LogLogPNG("bad", "N", "ms", []Series{{Name: "s", X: n, Y: []float64{1}}}, 300, 200); err == nil || !strings.Contains(err.Error(), `log-log plot bad: series "s" has 4 x values and 1 y values`) {
		t.Fatalf("mismatched series: %v", err)
	}
	if _, err := LogLogPNG("empty", "N", "ms", []Series{{Name: "s", X: n, Y: []float64{0, -1, 0, 0}}}, 300, 200); err == nil || !strings.Contains(err.Error(), "no positive, finite points") {
		t.Fatalf("no drawable point: %v", err)
	}
}

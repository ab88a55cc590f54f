package report

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"math"
)

// externalGIF animates the true (left) and learned (right, already
// scaled) input over every compared frame, each input neuron a square of
// its grid cell, on the colour scale of external_input.png. It returns nil
// when the neurons do not sit on a regular grid.
func externalGIF(e ExternalInput, scaled []float32, xs, ys []float64) []byte {
	nx, ny, ok := gridShape(xs, ys)
	if !ok || nx*ny != len(xs) {
		return nil
	}
	col := func(v []float64) func(float64) int {
		lo, hi := minMax(v)
		return func(x float64) int {
			if hi == lo {
				return 0
			}
			return int(math.Round((x - lo) / (hi - lo) * float64(len(v)-1)))
		}
	}
	distinct := func(v []float64) []float64 {
		seen := map[float64]bool{}
		var out []float64
		for _, x := range v {
			r := math.Round(x*1e6) / 1e6
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
		return out
	}
	cx, cy := col(distinct(xs)), col(distinct(ys))
	const cell, gap = 8, 8
	w, h := 2*nx*cell+gap, ny*cell
	lo, hi := valueRange(e.True)
	cmap := newSequential(lo, hi)
	pal := color.Palette{color.RGBA{255, 255, 255, 255}}
	for k := 0; k < 255; k++ {
		pal = append(pal, cmap.color(lo+(hi-lo)*float64(k)/254))
	}
	index := func(v float32) uint8 {
		x := float64(v)
		if !finite(x) {
			return 0
		}
		t := (x - lo) / (hi - lo)
		if !(hi > lo) {
			t = 0.5
		}
		return uint8(1 + math.Round(254*math.Max(0, math.Min(1, t))))
	}
	k := len(xs)
	anim := &gif.GIF{}
	for f := 0; f < e.Frames; f++ {
		img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for side, vals := range [][]float32{e.True[f*k : (f+1)*k], scaled[f*k : (f+1)*k]} {
			x0 := side * (nx*cell + gap)
			for i := range xs {
				c, r := cx(math.Round(xs[i]*1e6)/1e6), ny-1-cy(math.Round(ys[i]*1e6)/1e6)
				idx := index(vals[i])
				for dy := 0; dy < cell; dy++ {
					for dx := 0; dx < cell; dx++ {
						img.SetColorIndex(x0+c*cell+dx, r*cell+dy, idx)
					}
				}
			}
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		return nil
	}
	return buf.Bytes()
}

package report

import (
	"image"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// maxHeatmapSide is the largest number of cells a heatmap shows per side;
// larger matrices are shown as block means.
const maxHeatmapSide = 500

// blockMeans shrinks a rows×cols row-major matrix by averaging square blocks
// so that neither side exceeds maxSide; it returns the matrix unchanged when
// it is small enough.
func blockMeans(values []float32, rows, cols, maxSide int) (out []float32, outRows, outCols int) {
	block := 1
	for rows/block > maxSide || cols/block > maxSide {
		block++
	}
	if block == 1 {
		return values, rows, cols
	}
	outRows, outCols = (rows+block-1)/block, (cols+block-1)/block
	sums := make([]float64, outRows*outCols)
	counts := make([]int32, outRows*outCols)
	for i := 0; i < rows; i++ {
		row := values[i*cols : (i+1)*cols]
		base := (i / block) * outCols
		for j, v := range row {
			sums[base+j/block] += float64(v)
			counts[base+j/block]++
		}
	}
	out = make([]float32, len(sums))
	for k := range sums {
		out[k] = float32(sums[k] / float64(counts[k]))
	}
	return out, outRows, outCols
}

// topLeft copies the top-left k×k block of a rows×cols matrix (smaller when
// the matrix is).
func topLeft(values []float32, rows, cols, k int) (out []float32, n, m int) {
	n, m = min(k, rows), min(k, cols)
	out = make([]float32, 0, n*m)
	for i := 0; i < n; i++ {
		out = append(out, values[i*cols:i*cols+m]...)
	}
	return out, n, m
}

// matrixImage paints a rows×cols matrix with a colour map, row 0 at the top,
// enlarging cells by an integer factor so that the image is at least minSide
// pixels on its longer side (keeping cells crisp when drawn larger).
func matrixImage(values []float32, rows, cols int, cmap *colorMap, minSide int) *image.RGBA {
	scale := 1
	for max(rows, cols)*scale < minSide {
		scale++
	}
	img := image.NewRGBA(image.Rect(0, 0, cols*scale, rows*scale))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			c := cmap.color(float64(values[i*cols+j]))
			for di := 0; di < scale; di++ {
				off := img.PixOffset(j*scale, i*scale+di)
				for dj := 0; dj < scale; dj++ {
					p := img.Pix[off+4*dj : off+4*dj+4 : off+4*dj+4]
					p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
				}
			}
		}
	}
	return img
}

// flippedTicks labels a y axis that runs from extent at the bottom to 0 at
// the top, as matrix rows do, while the data coordinates stay increasing.
type flippedTicks struct{ extent float64 }

// Ticks implements plot.Ticker.
func (f flippedTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(f.extent-hi, f.extent-lo)
	for i := range ticks {
		ticks[i].Value = f.extent - ticks[i].Value
	}
	return ticks
}

// heatPanel shows a painted matrix whose data extent is rows×cols (the
// original size even when the image holds block means), row 0 at the top.
func heatPanel(title, xLabel, yLabel string, img image.Image, rows, cols int) *plot.Plot {
	p := newPlot(title, xLabel, yLabel)
	p.Add(plotter.NewImage(img, 0, 0, float64(cols), float64(rows)))
	p.X.Min, p.X.Max = 0, float64(cols)
	p.Y.Min, p.Y.Max = 0, float64(rows)
	p.Y.Tick.Marker = flippedTicks{extent: float64(rows)}
	return p
}

// colorBarPanel is a vertical colour bar with its value axis on the left.
func colorBarPanel(cmap *colorMap, label string) *plot.Plot {
	p := newPlot("", "", label)
	p.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true, Colors: 256})
	p.HideX()
	return p
}

// symmetricLimit returns a colour limit L for a diverging map over [-L, L]:
// the q-quantile of |v| over (a strided sample of) the values, so that a few
// heavy-tailed entries do not wash out the rest. It is never zero.
func symmetricLimit(values []float32, q float64) float64 {
	abs := sampleAbs(values, 1<<20)
	if len(abs) == 0 {
		return 1
	}
	sort.Float64s(abs)
	l := abs[int(q*float64(len(abs)-1))]
	if l == 0 || !finite(l) {
		l = abs[len(abs)-1]
	}
	if l == 0 || !finite(l) {
		return 1
	}
	return l
}

// sampleAbs returns |v| for at most n evenly strided finite entries.
func sampleAbs(values []float32, n int) []float64 {
	stride := 1
	if len(values) > n {
		stride = (len(values) + n - 1) / n
	}
	out := make([]float64, 0, len(values)/stride+1)
	for i := 0; i < len(values); i += stride {
		v := math.Abs(float64(values[i]))
		if finite(v) {
			out = append(out, v)
		}
	}
	return out
}

// valueRange returns the finite minimum and maximum of several slices, or
// (0, 1) when there is none; equal bounds are widened.
func valueRange(slices ...[]float32) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range slices {
		for _, v := range s {
			x := float64(v)
			if !finite(x) {
				continue
			}
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	if lo == hi {
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}

package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
)

// colorMap is a piecewise-linear colour map over [min, max] with a 256-entry
// lookup table; it implements palette.ColorMap for gonum's colour bars.
type colorMap struct {
	lut      [256]color.RGBA
	min, max float64
	alpha    float64
}

// Anchors of a blue–white–red diverging map (ColorBrewer RdBu, reversed) and
// of the sequential viridis map.
var (
	divergingAnchors = []uint32{0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f}
	viridisAnchors   = []uint32{0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725}
)

// newDiverging returns the diverging map over [-limit, limit].
func newDiverging(limit float64) *colorMap {
	return newColorMap(divergingAnchors, -limit, limit)
}

// newSequential returns the viridis map over [lo, hi].
func newSequential(lo, hi float64) *colorMap {
	return newColorMap(viridisAnchors, lo, hi)
}

func newColorMap(anchors []uint32, lo, hi float64) *colorMap {
	m := &colorMap{min: lo, max: hi, alpha: 1}
	if !(hi > lo) {
		m.max = lo + 1
	}
	segments := float64(len(anchors) - 1)
	for i := range m.lut {
		pos := float64(i) / 255 * segments
		k := int(pos)
		if k >= len(anchors)-1 {
			k = len(anchors) - 2
		}
		f := pos - float64(k)
		a, b := rgb(anchors[k]), rgb(anchors[k+1])
		m.lut[i] = color.RGBA{
			R: uint8(float64(a.R)*(1-f) + float64(b.R)*f + 0.5),
			G: uint8(float64(a.G)*(1-f) + float64(b.G)*f + 0.5),
			B: uint8(float64(a.B)*(1-f) + float64(b.B)*f + 0.5),
			A: 255,
		}
	}
	return m
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 255}
}

// color returns the colour of v, clamped to the map's range; NaN is grey.
func (m *colorMap) color(v float64) color.RGBA {
	if math.IsNaN(v) {
		return color.RGBA{200, 200, 200, 255}
	}
	t := (v - m.min) / (m.max - m.min)
	i := int(t*255 + 0.5)
	if i < 0 {
		i = 0
	} else if i > 255 {
		i = 255
	}
	return m.lut[i]
}

// At implements palette.ColorMap.
func (m *colorMap) At(v float64) (color.Color, error) {
	if v < m.min || v > m.max || math.IsNaN(v) {
		return nil, fmt.Errorf("colour map: value %g outside [%g, %g]", v, m.min, m.max)
	}
	c := m.color(v)
	c.A = uint8(m.alpha * 255)
	return c, nil
}

// Max implements palette.ColorMap.
func (m *colorMap) Max() float64 { return m.max }

// SetMax implements palette.ColorMap.
func (m *colorMap) SetMax(v float64) { m.max = v }

// Min implements palette.ColorMap.
func (m *colorMap) Min() float64 { return m.min }

// SetMin implements palette.ColorMap.
func (m *colorMap) SetMin(v float64) { m.min = v }

// Alpha implements palette.ColorMap.
func (m *colorMap) Alpha() float64 { return m.alpha }

// SetAlpha implements palette.ColorMap.
func (m *colorMap) SetAlpha(a float64) { m.alpha = a }

// Palette implements palette.ColorMap.
func (m *colorMap) Palette(n int) palette.Palette {
	cols := make([]color.Color, n)
	for i := range cols {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		cols[i] = m.color(m.min + t*(m.max-m.min))
	}
	return colorList(cols)
}

// colorList is a palette.Palette over a fixed slice of colours.
type colorList []color.Color

// Colors implements palette.Palette.
func (c colorList) Colors() []color.Color { return c }

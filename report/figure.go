package report

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// dpi is the resolution of every PNG: sizes are given in pixels.
const dpi = 96

// pixels converts a pixel count to a vg length at dpi.
func pixels(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// figure is one canvas of a fixed pixel size (a PNG or an SVG), split into
// panels.
type figure struct {
	canvas vg.Canvas
	width  int
	height int
	encode func() ([]byte, error)
}

func newFigure(width, height int) *figure {
	c := vgimg.NewWith(vgimg.UseWH(pixels(width), pixels(height)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	f := &figure{canvas: c, width: width, height: height}
	f.encode = func() ([]byte, error) {
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("encoding PNG: %v", err)
		}
		return buf.Bytes(), nil
	}
	return f
}

// newSVGFigure is a figure drawn as SVG on a white background.
func newSVGFigure(width, height int) *figure {
	c := vgsvg.New(pixels(width), pixels(height))
	c.SetColor(color.White)
	c.Fill(vg.Path{{Type: vg.MoveComp, Pos: vg.Point{}}, {Type: vg.LineComp, Pos: vg.Point{X: pixels(width)}},
		{Type: vg.LineComp, Pos: vg.Point{X: pixels(width), Y: pixels(height)}}, {Type: vg.LineComp, Pos: vg.Point{Y: pixels(height)}}, {Type: vg.CloseComp}})
	f := &figure{canvas: c, width: width, height: height}
	f.encode = func() ([]byte, error) {
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("encoding SVG: %v", err)
		}
		return buf.Bytes(), nil
	}
	return f
}

// area returns the drawing area of the pixel rectangle (x0, y0)–(x1, y1),
// measured from the top-left corner of the figure.
func (f *figure) area(x0, y0, x1, y1 int) draw.Canvas {
	return draw.Canvas{
		Canvas: f.canvas,
		Rectangle: vg.Rectangle{
			Min: vg.Point{X: pixels(x0), Y: pixels(f.height - y1)},
			Max: vg.Point{X: pixels(x1), Y: pixels(f.height - y0)},
		},
	}
}

// draw draws a plot into a pixel rectangle of the figure.
func (f *figure) draw(p *plot.Plot, x0, y0, x1, y1 int) {
	p.Draw(f.area(x0, y0, x1, y1))
}

// grid draws plots in a rows×cols grid filling the pixel rectangle.
func (f *figure) grid(plots [][]*plot.Plot, x0, y0, x1, y1 int) {
	rows := len(plots)
	for i, row := range plots {
		cols := len(row)
		for j, p := range row {
			if p == nil {
				continue
			}
			f.draw(p,
				x0+(x1-x0)*j/cols, y0+(y1-y0)*i/rows,
				x0+(x1-x0)*(j+1)/cols, y0+(y1-y0)*(i+1)/rows)
		}
	}
}

// title writes a centred figure title in the top band of height px.
func (f *figure) title(text string, height int) {
	p := plot.New()
	p.HideAxes()
	p.Title.Text = text
	p.Title.TextStyle.Font.Size = vg.Points(14)
	f.draw(p, 0, 0, f.width, height)
}

// png encodes the figure (as SVG for an SVG figure).
func (f *figure) png() ([]byte, error) { return f.encode() }

// newPlot returns a plot with a title, axis labels and readable fonts.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(9)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = true
	return p
}

// render runs a drawing function and returns its PNG, turning a panic inside
// gonum/plot into an error so that none reaches a user.
func render(what string, width, height int, drawFn func(f *figure) error) (data []byte, err error) {
	return renderWith(newFigure, what, width, height, drawFn)
}

// renderSVG is render for an SVG file.
func renderSVG(what string, width, height int, drawFn func(f *figure) error) (data []byte, err error) {
	return renderWith(newSVGFigure, what, width, height, drawFn)
}

func renderWith(newFig func(w, h int) *figure, what string, width, height int, drawFn func(f *figure) error) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("%s: plotting failed: %v", what, p)
		}
	}()
	f := newFig(width, height)
	if err := drawFn(f); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	return f.png()
}

// fontSize returns a font variant of the default face at the given size.
func fontSize(points float64) font.Font {
	fnt := plot.DefaultFont
	fnt.Size = vg.Points(points)
	return fnt
}

// typeColor returns a distinct colour for category k of n: the ten
// "tab10" colours, then hues spread evenly around the colour wheel.
func typeColor(k, n int) color.Color {
	tab10 := []color.RGBA{
		{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
		{188, 189, 34, 255}, {23, 190, 207, 255},
	}
	if n <= len(tab10) {
		return tab10[k%len(tab10)]
	}
	h := float64(k) / float64(n)
	v := 0.85
	if k%2 == 1 {
		v = 0.6
	}
	return hsv(h, 0.85, v)
}

// hsv converts hue, saturation and value in [0,1] to an opaque colour.
func hsv(h, s, v float64) color.RGBA {
	i := int(h * 6)
	f := h*6 - float64(i)
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch i % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r * 255), uint8(g * 255), uint8(b * 255), 255}
}

// typeName returns the display name of type k.
func typeName(names []string, k int) string {
	if k >= 0 && k < len(names) && names[k] != "" {
		return names[k]
	}
	return fmt.Sprintf("type %d", k)
}

// typeKey returns a metric-key-safe name of type k.
func typeKey(names []string, k int) string {
	if k >= 0 && k < len(names) && names[k] != "" {
		var b []rune
		for _, c := range names[k] {
			if c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				b = append(b, c)
			} else {
				b = append(b, '_')
			}
		}
		return string(b)
	}
	return fmt.Sprintf("type%d", k)
}

// legendPanel is an empty plot that shows only a legend, drawn beside a plot
// whose data the legend would otherwise cover.
func legendPanel() *plot.Plot {
	p := plot.New()
	p.HideAxes()
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = true
	p.Legend.Left = true
	return p
}

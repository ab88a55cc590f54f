package input

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/npy"
)

// Movie is the visual input of Fig 3 (SPEC §1.4): at recorded frame k of T
// the movie frame int(k/T·(F-1)) (F frames; 256 for the reference's 257) is
// rotated 90° clockwise, out[r][c] = img[H-1-c][r], and flattened row-major
// onto neurons 0..K-1; every other neuron gets e = 1; during burn-in every
// neuron gets e = 0.
type Movie struct {
	frames, height, width int
	pixels                []float32 // F×H×W
	inputs, n             int
}

// NewMovie builds the movie input from F×H×W pixels for K input neurons out
// of N. It fails when a frame has fewer than K pixels or K > N.
func NewMovie(pixels []float32, frames, height, width, inputs, n int) (*Movie, error) {
	if frames < 1 || height < 1 || width < 1 || len(pixels) != frames*height*width {
		return nil, fmt.Errorf("input: movie of %d values does not match %d frames of %d×%d", len(pixels), frames, height, width)
	}
	if inputs > height*width {
		return nil, fmt.Errorf("input: movie frames have %d pixels (%d×%d), fewer than the %d input neurons", height*width, height, width, inputs)
	}
	if inputs > n || inputs < 0 {
		return nil, fmt.Errorf("input: %d input neurons requested, the network has %d", inputs, n)
	}
	return &Movie{frames: frames, height: height, width: width, pixels: pixels, inputs: inputs, n: n}, nil
}

// LoadMovie reads an F×H×W float32 movie from a .npy file (see NewMovie).
func LoadMovie(path string, inputs, n int) (*Movie, error) {
	return LoadMovieWith(npy.Options{}, path, inputs, n)
}

// LoadMovieWith is LoadMovie reading through o (a confined file system, a
// memory limit). The shape is checked from the header before the pixels
// are read, and a NaN or infinite pixel is an error naming its index.
func LoadMovieWith(o npy.Options, path string, inputs, n int) (*Movie, error) {
	o.Torn = false
	h, err := o.ReadHeaderFile(path)
	if err != nil {
		return nil, err
	}
	if len(h.Shape) != 3 {
		return nil, fmt.Errorf("input: movie %s: expected a 3-D array (frames, height, width), found shape %v", path, h.Shape)
	}
	data, shape, err := o.ReadFloat32(path)
	if err != nil {
		return nil, err
	}
	if k := npy.FirstNonFinite(data); k >= 0 {
		return nil, fmt.Errorf("input: movie %s holds %v at index %s (frame, row, column; the first non-finite pixel)", path, data[k], npy.IndexString(shape, k))
	}
	m, err := NewMovie(data, shape[0], shape[1], shape[2], inputs, n)
	if err != nil {
		return nil, fmt.Errorf("%w (movie %s)", err, path)
	}
	return m, nil
}

// FrameIndex returns the movie frame shown at recorded frame k of T.
func (m *Movie) FrameIndex(k, total int) int {
	if total <= 0 || k < 0 {
		return 0
	}
	f := int(float64(k) / float64(total) * float64(m.frames-1))
	return min(f, m.frames-1)
}

// Fill implements Source.
func (m *Movie) Fill(e []float32, s Step) error {
	if err := checkLength(e, m.n, "movie"); err != nil {
		return err
	}
	if s.Burnin {
		zero(e)
		return nil
	}
	img := m.pixels[m.FrameIndex(s.Frame, s.Frames)*m.height*m.width:]
	// The rotated image has width rows and height columns.
	for k := 0; k < m.inputs; k++ {
		r, c := k/m.height, k%m.height
		e[k] = img[(m.height-1-c)*m.width+r]
	}
	for i := m.inputs; i < m.n; i++ {
		e[i] = 1
	}
	return nil
}

// Positions implements Source: input neuron k sits at row k/H, column k%H of
// the rotated image, x = column/(H-1), y = row/(W-1).
func (m *Movie) Positions() ([]int, []float32, []float32) {
	neurons, x, y := make([]int, m.inputs), make([]float32, m.inputs), make([]float32, m.inputs)
	for k := range neurons {
		neurons[k] = k
		x[k] = float32(k%m.height) / float32(max(m.height-1, 1))
		y[k] = float32(k/m.height) / float32(max(m.width-1, 1))
	}
	return neurons, x, y
}

package input

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/npy"
)

// Table gives e from a T×N array: row k at recorded frame k.
type Table struct {
	path   string
	values []float32
	rows   int
	n      int
}

// NewTable wraps a rows×n row-major array.
func NewTable(values []float32, rows, n int) (*Table, error) {
	if len(values) != rows*n {
		return nil, fmt.Errorf("input: table of %d values does not match %d rows of %d neurons", len(values), rows, n)
	}
	return &Table{path: "table", values: values, rows: rows, n: n}, nil
}

// LoadTable reads a T×N .npy file for a network of n neurons.
func LoadTable(path string, n int) (*Table, error) {
	return LoadTableWith(npy.Options{}, path, n)
}

// LoadTableWith is LoadTable reading through o; a NaN or infinite value
// is an error naming its index.
func LoadTableWith(o npy.Options, path string, n int) (*Table, error) {
	data, shape, err := o.ReadFloat32Shape(path, -1, n)
	if err != nil {
		return nil, err
	}
	if k := npy.FirstNonFinite(data); k >= 0 {
		return nil, fmt.Errorf("input: %s holds %v at index %s (frame, neuron; the first non-finite value)", path, data[k], npy.IndexString(shape, k))
	}
	return &Table{path: path, values: data, rows: shape[0], n: n}, nil
}

// Fill implements Source; a frame beyond the table's rows is an error.
func (t *Table) Fill(e []float32, s Step) error {
	if err := checkLength(e, t.n, t.path); err != nil {
		return err
	}
	if s.Burnin {
		zero(e)
		return nil
	}
	if s.Frame >= t.rows {
		return fmt.Errorf("input: %s has %d rows, frame %d was asked for", t.path, t.rows, s.Frame)
	}
	copy(e, t.values[s.Frame*t.n:(s.Frame+1)*t.n])
	return nil
}

// Positions implements Source: every neuron on a square grid.
func (t *Table) Positions() ([]int, []float32, []float32) { return GridPositions(t.n) }

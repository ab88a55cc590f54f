//go:build !unix

package npy

import "fmt"

// Mapped holds a float32 .npy file's data; on this platform it is read into
// memory because memory mapping is unavailable.
type Mapped struct {
	// Data holds the elements in C order.
	Data []float32
	// Shape is the array's shape.
	Shape []int
	// Note says how the data differed from the header (see Array.Note).
	Note string
}

// Map reads a float32 C-order .npy file (memory mapping is unix-only).
func Map(path string) (*Mapped, error) { return Options{}.Map(path) }

// Map reads a float32 C-order .npy file (memory mapping is unix-only).
func (o Options) Map(path string) (*Mapped, error) {
	a, err := o.Read(path)
	if err != nil {
		return nil, err
	}
	if a.Descr != "<f4" {
		return nil, fmt.Errorf("npy: %s: cannot map dtype %q, expected <f4 (float32)", path, a.Descr)
	}
	return &Mapped{Data: a.Data, Shape: a.Shape, Note: a.Note}, nil
}

// DropResident does nothing here: the data were read into memory.
func (m *Mapped) DropResident() error { return nil }

// Close releases the data.
func (m *Mapped) Close() error { m.Data = nil; return nil }

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
}

// Map reads a float32 C-order .npy file (memory mapping is unix-only).
func Map(path string) (*Mapped, error) {
	f, h, err := openArray(path)
	if err != nil {
		return nil, err
	}
	f.Close()
	if h.Descr != "<f4" {
		return nil, fmt.Errorf("npy: %s: cannot map dtype %q, expected <f4 (float32)", path, h.Descr)
	}
	data, shape, err := ReadFloat32(path)
	if err != nil {
		return nil, err
	}
	return &Mapped{Data: data, Shape: shape}, nil
}

// Close releases the data.
func (m *Mapped) Close() error { m.Data = nil; return nil }

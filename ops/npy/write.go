package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
)

// WriteFloat32 is Options{}.WriteFloat32.
func WriteFloat32(path string, data []float32, shape ...int) error {
	return Options{}.WriteFloat32(path, data, shape...)
}

// WriteFloat64 is Options{}.WriteFloat64.
func WriteFloat64(path string, data []float64, shape ...int) error {
	return Options{}.WriteFloat64(path, data, shape...)
}

// WriteFloat32 writes data as a C-order float32 array of the given shape.
// The file is written under a temporary name and renamed into place, so
// that path holds either its old content or the whole new array.
func (o Options) WriteFloat32(path string, data []float32, shape ...int) error {
	if err := checkCount(path, len(data), shape); err != nil {
		return err
	}
	return o.writeFile(path, "<f4", shape, func(w *bufio.Writer) error {
		var b [4]byte
		for _, v := range data {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteFloat64 writes data as a C-order float64 array of the given shape,
// through a temporary file like WriteFloat32.
func (o Options) WriteFloat64(path string, data []float64, shape ...int) error {
	if err := checkCount(path, len(data), shape); err != nil {
		return err
	}
	return o.writeFile(path, "<f8", shape, func(w *bufio.Writer) error {
		var b [8]byte
		for _, v := range data {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkCount verifies that a shape describes exactly n elements.
func checkCount(path string, n int, shape []int) error {
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: %s: negative extent in shape %s", path, shapeString(shape))
		}
	}
	want, _, err := sizeOf(shape, 1)
	if err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	if want != int64(n) {
		return fmt.Errorf("npy: %s: shape %s needs %d elements, found %d", path, shapeString(shape), want, n)
	}
	return nil
}

// writeFile writes the header and, through body, the data to a temporary
// file beside path, then renames it to path.
func (o Options) writeFile(path, descr string, shape []int, body func(*bufio.Writer) error) error {
	if err := o.FS.Replaceable(path); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	f, err := o.FS.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("npy: writing %s: %w", path, err)
	}
	tmp := filepath.Join(filepath.Dir(path), filepath.Base(f.Name()))
	w := bufio.NewWriterSize(f, 1<<16)
	_, err = w.Write(encodeHeader(descr, shape, 0))
	if err == nil {
		err = body(w)
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = o.FS.Rename(tmp, path)
	}
	if err != nil {
		o.FS.Remove(tmp)
		return fmt.Errorf("npy: writing %s: %w", path, err)
	}
	return nil
}
